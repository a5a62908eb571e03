"""Fitting extras: free initial states, priors, and derived quantities with delta-method intervals."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.integrate import solve_ivp

import cicrjax
import fitting

TS = jnp.linspace(0.0, 3.0, 61)  # the first two spikes: their timing pins the initial store Ca
TRUE_Y0 = 2.0  # store Ca at t = 0 (µM); the model's default is 1.6


@pytest.fixture(scope="module")
def data():
    model = cicrjax.GDB1990()
    ca = cicrjax.simulate(model, TS, y0=jnp.asarray([0.15, TRUE_Y0]), rtol=1e-10, atol=1e-12)["Z"]
    return np.asarray(ca) + 0.005 * np.random.default_rng(0).normal(size=TS.shape)


def _problem(data, **kw):
    return fitting.define_problem(
        cicrjax.GDB1990(),
        TS,
        data,
        free=["VM2", "y0.Y"],
        bounds={"y0.Y": (0.5, 5.0)},
        profile=("sigma",),  # calibrated Ca: offset 0, scale 1
        rtol=1e-8,
        atol=1e-10,
        **kw,
    )


@pytest.fixture(scope="module")
def result(data):
    return fitting.fit(_problem(data), 3, seed=0, include_initial=True)


def test_free_initial_state_is_recovered_and_reported(data, result):
    problem = _problem(data)
    assert problem.names == ("VM2", "y0.Y") and problem.initial_values()[1] == pytest.approx(1.6)
    np.testing.assert_allclose(result.estimate("y0.Y"), TRUE_Y0, rtol=5e-3)
    np.testing.assert_allclose(result.estimate("VM2"), 65.0, rtol=5e-3)
    i = result.names.index("y0.Y")
    assert result.ci_low[i] < TRUE_Y0 < result.ci_high[i]
    content = fitting.results_dict(result, problem, model="gdb1990", recording="x", wall_time_s=1.0)
    assert content["initial_states"]["y0.Y"]["estimate"] == pytest.approx(result.estimate("y0.Y"))
    # the fitted trajectory starts from the fitted initial state
    np.testing.assert_allclose(result.trajectory[0], [0.15, result.estimate("y0.Y")], rtol=1e-12)


def test_prior_adds_the_scipy_log_density_and_its_gradient(data):
    plain = _problem(data)
    priors = {"VM2": fitting.Prior("lognormal", 60.0, 0.2), "y0.Y": fitting.Prior("normal", 1.8, 0.3)}
    problem = _problem(data, priors=priors)
    theta = problem.to_theta({"VM2": 62.0, "y0.Y": 1.9})
    expected = -stats.lognorm.logpdf(62.0, s=0.2, scale=60.0) - stats.norm.logpdf(1.9, loc=1.8, scale=0.3)

    def value_at(th):  # the objective with priors from the same compiled program as its gradient below
        return float(fitting.neg_log_posterior_and_grad(problem, th)[0])

    diff = value_at(theta) - float(fitting.neg_log_posterior(plain, theta))
    np.testing.assert_allclose(diff, expected, rtol=1e-10)
    _, grad, ok = fitting.neg_log_posterior_and_grad(problem, theta)
    h = 1e-5
    fd = [(value_at(theta.at[i].add(h)) - value_at(theta.at[i].add(-h))) / (2 * h) for i in range(2)]
    assert bool(ok)
    np.testing.assert_allclose(np.asarray(grad), fd, rtol=1e-4)


def test_prior_and_initial_state_errors(data):
    with pytest.raises(ValueError, match="VM3 has a prior but is not free"):
        _problem(data, priors={"VM3": fitting.Prior("normal", 1.0, 1.0)})
    with pytest.raises(ValueError, match="prior kind 'gamma' is not one of normal, lognormal"):
        fitting.Prior("gamma", 1.0, 1.0)
    with pytest.raises(ValueError, match="scale > 0"):
        fitting.Prior("normal", 1.0, 0.0)
    with pytest.raises(ValueError, match="lognormal prior needs a median > 0"):
        fitting.Prior("lognormal", -1.0, 0.5)
    with pytest.raises(ValueError, match=r"unknown initial state 'y0.Q' to fit for model gdb1990; valid: y0.Z, y0.Y"):
        fitting.define_problem(cicrjax.GDB1990(), TS, data, free=["y0.Q"])
    with pytest.raises(ValueError, match="start y0.Y=9 lies outside its bounds"):
        _problem(data, start={"y0.Y": 9.0})


def _scipy_gdb_period(vm2, vm3, beta=0.301):
    """Mean interval between Z maxima over 10–20 s, from scipy events (dZ/dt = 0 falling), GDB 1990 equations."""

    def rhs(t, y):
        z, yy = y
        v2 = vm2 * z**2 / (1.0 + z**2)
        v3 = vm3 * yy**2 / (4.0 + yy**2) * z**4 / (0.9**4 + z**4)
        return [1.0 + 7.3 * beta - v2 + v3 + yy - 10.0 * z, v2 - v3 - yy]

    def peak(t, y):
        return rhs(t, y)[0]

    peak.direction = -1.0
    r = solve_ivp(rhs, (0.0, 20.0), [0.15, 1.6], method="LSODA", rtol=1e-11, atol=1e-13, events=peak)
    times = r.t_events[0]
    times = times[(times >= 10.0) & (r.y_events[0][:, 0] > 0.5)]
    return float(np.mean(np.diff(times)))


def test_derived_period_and_its_delta_method_interval_match_scipy():
    """The period of the GDB oscillator (published 2.08 s at β = 0.301) and its 95% delta-method interval
    agree with an independent scipy computation (event-located peaks, central differences of the period)."""
    ts = jnp.linspace(0.0, 20.0, 201)
    model = cicrjax.GDB1990()
    ca = cicrjax.simulate(model, ts, rtol=1e-10, atol=1e-12)["Z"]
    problem = fitting.define_problem(model, ts, ca, free=["VM2", "VM3"], rtol=1e-10, atol=1e-12, max_steps=100_000)
    theta = problem.to_theta({"VM2": 65.0, "VM3": 500.0})
    cov = np.array([[4e-4, 1e-4], [1e-4, 9e-4]])  # Σ of the unconstrained (log) parameters
    derived = fitting.derived_quantities(problem, theta, cov, samples=20001)
    assert set(derived) == {"period"}  # no trigger, no SR in GDB; no τ for oscillations
    period = derived["period"]
    reference = _scipy_gdb_period(65.0, 500.0)
    assert reference == pytest.approx(2.08, rel=5e-3)
    assert period.estimate == pytest.approx(reference, rel=1e-3)
    h = 1e-3
    jac = np.array(
        [
            (_scipy_gdb_period(65.0 * np.exp(h), 500.0) - _scipy_gdb_period(65.0 * np.exp(-h), 500.0)) / (2 * h),
            (_scipy_gdb_period(65.0, 500.0 * np.exp(h)) - _scipy_gdb_period(65.0, 500.0 * np.exp(-h))) / (2 * h),
        ]
    )
    half = 1.959963984540054 * np.sqrt(jac @ cov @ jac)
    np.testing.assert_allclose(0.5 * (period.ci_high - period.ci_low), half, rtol=5e-2)
