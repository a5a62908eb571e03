"""Fitting engine core: transforms, the profiled Gaussian objective, gradients, multistart, failure handling."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
import fitting

TS = jnp.linspace(0.0, 2.0, 21)
TRUE = {"v1": 6.0, "v3": 0.9}
OFFSET, SCALE = 2.0, 3.0


def _data():
    ca = cicrjax.simulate(cicrjax.LiRinzel1994(), TS, rtol=1e-10, atol=1e-12)["C"]
    return OFFSET + SCALE * ca


def _problem(mode="reverse", data=None, **kw):
    """One problem configuration for every compiled test (shapes and static settings shared)."""
    start = cicrjax.with_parameters(cicrjax.LiRinzel1994(), {"v1": 5.0, "v3": 1.0})
    return fitting.define_problem(
        start,
        TS,
        _data() if data is None else data,
        free=["v1", "v3"],
        bounds={"v1": (3.0, 9.0), "v3": (0.5, 1.5)},
        rtol=1e-9,
        atol=1e-12,
        mode=mode,
        max_steps=400,
        **kw,
    )


@pytest.mark.parametrize("name", ["log", "log10", "logit", "linear"])
def test_transform_round_trip(name):
    t = fitting.Transform.named(name)
    x = np.array([0.2, 1.0, 7.5])
    u = t.forward(x, 0.1, 10.0)
    np.testing.assert_allclose(t.inverse(u, 0.1, 10.0), x, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(t.inverse(jnp.asarray(u), 0.1, 10.0)), x, rtol=1e-12)


def test_bounded_log_transform_stays_inside_bounds():
    t = fitting.Transform("log10", bounded=True)
    x = t.inverse(np.array([-50.0, 0.0, 50.0]), 1e-3, 1e5)
    assert np.all(x >= 1e-3) and np.all(x <= 1e5)
    np.testing.assert_allclose(x[1], 10.0, rtol=1e-12)  # midpoint in log10 space


def test_default_transforms_follow_constraints():
    assert fitting.default_free("VM2", 65.0, "positive").transform.name == "log"
    p = fitting.default_free("f", 0.3, "unit_interval")
    assert p.transform.name == "logit" and (p.lower, p.upper) == (0.0, 1.0)
    assert fitting.default_free("E", -80.0, "real").transform.name == "linear"


def test_problem_input_errors():
    m = cicrjax.GDB1990()
    data = np.zeros(TS.shape)
    with pytest.raises(ValueError, match="unknown parameter 'nope' to fit"):
        fitting.define_problem(m, TS, data, free=["nope"])
    with pytest.raises(ValueError, match="unknown parameter 'nope' to fix"):
        fitting.define_problem(m, TS, data, free=["VM2"], fixed={"nope": 1.0})
    with pytest.raises(ValueError, match="need lo < hi"):
        fitting.define_problem(m, TS, data, free=["VM2"], bounds={"VM2": (5.0, 5.0)})
    with pytest.raises(ValueError, match="outside its bounds"):
        fitting.define_problem(m, TS, data, free=["VM2"], bounds={"VM2": (1.0, 10.0)})
    with pytest.raises(ValueError, match="profiled out"):
        fitting.define_problem(m, TS, data, free=["sigma"])
    with pytest.raises(ValueError, match="both free and fixed"):
        fitting.define_problem(m, TS, data, free=["VM2"], fixed={"VM2": 60.0})


def test_profiled_gaussian_nll_matches_closed_form_least_squares():
    """Offset, scale and σ profiled in closed form equal numpy's linear least squares at the same parameters."""
    rng = np.random.default_rng(0)
    data = np.asarray(_data()) + 0.05 * rng.normal(size=TS.shape[0])
    problem = _problem("reverse", data)
    theta = problem.to_theta({"v1": 5.5, "v3": 1.1})
    ca = np.asarray(
        cicrjax.simulate(
            cicrjax.with_parameters(cicrjax.LiRinzel1994(), {"v1": 5.5, "v3": 1.1}), TS, rtol=1e-10, atol=1e-12
        )["C"]
    )
    design = np.column_stack([np.ones_like(ca), ca])
    coef, rss, *_ = np.linalg.lstsq(design, data, rcond=None)
    n = data.size
    sigma2 = rss[0] / n
    expected = 0.5 * n * (np.log(2 * np.pi * sigma2) + 1.0)
    p = fitting.predict_jit(problem, theta)
    np.testing.assert_allclose([float(p.offset), float(p.scale)], coef, rtol=1e-6)
    np.testing.assert_allclose(float(p.nll), expected, rtol=1e-7)
    np.testing.assert_allclose(float(fitting.neg_log_posterior(problem, theta)), expected, rtol=1e-7)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_gradient_matches_finite_differences(mode):
    problem = _problem(mode)
    theta = problem.to_theta({"v1": 5.5, "v3": 1.1})
    value, grad, ok = fitting.neg_log_posterior_and_grad(problem, theta)
    assert bool(ok)
    h = 1e-5

    def value_at(th):  # the value from the same compiled program as the gradient
        return float(fitting.neg_log_posterior_and_grad(problem, th)[0])

    fd = [(value_at(theta.at[i].add(h)) - value_at(theta.at[i].add(-h))) / (2 * h) for i in range(2)]
    np.testing.assert_allclose(np.asarray(grad), fd, rtol=1e-4)


def test_lhs_starts_are_stratified_and_reproducible():
    problem = _problem()
    a = fitting.sample_starts(problem, 8, seed=3)
    b = fitting.sample_starts(problem, 8, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, fitting.sample_starts(problem, 8, seed=4))
    natural = np.asarray(problem.natural(jnp.asarray(a)))
    for j, p in enumerate(problem.free):
        u = (np.log(natural[:, j]) - np.log(p.lower)) / (np.log(p.upper) - np.log(p.lower))
        assert sorted(np.floor(u * 8).astype(int)) == list(range(8))  # one start per stratum
    with pytest.raises(ValueError, match="at least 1"):
        fitting.sample_starts(problem, 0)


@pytest.fixture(scope="module")
def noisy_fit():
    """The noisy Li–Rinzel problem (noise 0.2% of the peak; offset, scale, σ profiled) fitted by L-BFGS from 4
    starts: two chosen ones (v1, v3) = (4, 1.3) and (8, 0.6), a Latin-hypercube one, and a start that exhausts the
    solver's step budget (v1 far beyond its upper bound in the unconstrained log coordinate: very stiff). One
    compiled multistart for the three tests below."""
    noisy = np.asarray(_data()) + 0.002 * np.random.default_rng(1).normal(size=TS.shape[0])
    problem = _problem("forward", noisy)
    starts = fitting.sample_starts(problem, 4, seed=0)
    starts[0] = problem.to_theta({"v1": 4.0, "v3": 1.3})
    starts[1] = problem.to_theta({"v1": 8.0, "v3": 0.6})
    bad = np.array(problem.to_theta({"v1": 6.0, "v3": 0.9}))
    bad[0] = np.log(1e9)
    starts[3] = bad
    return problem, starts, fitting.multistart(problem, starts=starts)


def test_multistart_recovers_parameters_and_flags_blown_up_starts(noisy_fit):
    """L-BFGS from 4 starts: the good ones recover v1 and v3 (noise 0.2% of the peak; offset, scale, σ
    profiled); a start that exhausts the solver's step budget finishes, is flagged and ranks last."""
    problem, _, ms = noisy_fit
    assert list(np.diff(ms.values) >= 0) == [True] * 3
    best = np.asarray(problem.natural(jnp.asarray(ms.best_theta)))
    np.testing.assert_allclose(best, [TRUE["v1"], TRUE["v3"]], rtol=2e-2)
    rows = ms.table(problem)
    assert rows[0]["at_best"] and rows[0]["converged"]
    assert ms.n_at_best == sum(r["at_best"] for r in rows) >= 2
    last = rows[-1]
    assert last["start"] == 3 and last["start_failed"] and not last["converged"] and last["solver_failures"] >= 1
    assert ms.values[-1] == problem.penalty


def test_runtime_errors_inside_a_fit_become_nan():
    """Equinox runtime checks (e.g. lineax inside Kvaerno5's Newton solve) give NaN, not an exception, in fits."""
    import equinox as eqx

    from fitting._nan_on_error import nan_on_error

    def f(x):
        return eqx.error_if(x, x > 1.0, "boom")

    assert np.isnan(float(jax.jit(nan_on_error(f))(jnp.asarray(2.0))))
    assert float(jax.jit(nan_on_error(f))(jnp.asarray(0.5))) == 0.5

    def g(x):  # its own message: equinox caches the check per message
        return eqx.error_if(x, x > 1.0, "bang")

    with pytest.raises(Exception, match="bang"):
        eqx.filter_jit(g)(jnp.asarray(2.0)).block_until_ready()


def test_nan_on_error_restores_equinox_mode_when_traces_overlap():
    """Two overlapping `nan_on_error` calls (`cicrjax fit` traces its summary on a thread beside the multistart):
    the mode stays "nan" while either is inside and is restored when the last leaves, whichever left first."""
    import threading

    import equinox._errors as eqx_errors

    from fitting._nan_on_error import nan_on_error

    before = eqx_errors.EQX_ON_ERROR
    inside, release = [threading.Event(), threading.Event()], [threading.Event(), threading.Event()]

    def trace(i):
        inside[i].set()
        release[i].wait(30)

    threads = [threading.Thread(target=nan_on_error(trace), args=(i,)) for i in range(2)]
    for thread, entered in zip(threads, inside, strict=True):
        thread.start()
        assert entered.wait(30)
    release[0].set()  # the first in leaves first
    threads[0].join()
    assert eqx_errors.EQX_ON_ERROR == "nan"
    release[1].set()
    threads[1].join()
    assert eqx_errors.EQX_ON_ERROR == before


def test_levenberg_marquardt_and_adam_against_lbfgs(noisy_fit):
    """On the noisy Li–Rinzel problem (offset, scale, σ profiled) from the two chosen starts of L-BFGS's fit:
    optimistix Levenberg–Marquardt reaches L-BFGS's optimum (NLL and estimates); Adam, first order, gets within 2%
    of the estimates in its default 500 steps."""
    problem, starts, reference = noisy_fit
    starts = starts[:2]
    best = np.asarray(problem.natural(jnp.asarray(reference.best_theta)))
    lm = fitting.multistart(problem, starts=starts, optimiser=fitting.LevenbergMarquardt())
    assert lm.values[0] == pytest.approx(reference.values[0], abs=1e-6) and lm.converged[0]
    np.testing.assert_allclose(np.asarray(problem.natural(jnp.asarray(lm.best_theta))), best, rtol=1e-5)
    adam = fitting.multistart(problem, starts=starts, optimiser=fitting.Adam())
    np.testing.assert_allclose(np.asarray(problem.natural(jnp.asarray(adam.best_theta))), best, rtol=2e-2)
    assert reference.values[0] <= adam.values[0] < reference.values[0] + 3.0
    with pytest.raises(ValueError, match="Levenberg–Marquardt fits least squares and ignores priors"):
        prior = _problem("forward", np.asarray(_data()), priors={"v1": fitting.Prior("normal", 6.0, 1.0)})
        fitting.LevenbergMarquardt().run(prior, starts[0])


def test_levenberg_marquardt_within_a_box_reaches_scipy_bounded_least_squares():
    """With bounds, Levenberg–Marquardt minimises within the box: from the origin, ½‖(x0 − x1, x1 − 3, (x2 + 1)/2)‖²
    with x1 ≤ 1 and x2 ≥ 0 has its minimum at (1, 1, 0), cost 2.125 (by hand: x1 and x2 on their bounds, then
    x0 = x1), which scipy's bounded least squares (trust-region reflective) reaches too; holding a coordinate that
    the gradient pushes against its bound lets the others converge in a few steps."""
    from scipy.optimize import least_squares

    def fn(x):
        return jnp.stack([x[0] - x[1], x[1] - 3.0, 0.5 * (x[2] + 1.0)])

    lower, upper = np.array([-np.inf, -np.inf, 0.0]), np.array([np.inf, 1.0, np.inf])
    lm = fitting.LevenbergMarquardt(max_steps=20, lower=jnp.asarray(lower), upper=jnp.asarray(upper))
    out = jax.jit(lambda x0: lm.minimise(fn, x0, 1e10))(jnp.zeros(3))
    ref = least_squares(lambda x: np.asarray(fn(jnp.asarray(x))), np.full(3, 0.5), bounds=(lower, upper))
    np.testing.assert_allclose(np.asarray(out.theta), [1.0, 1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(np.asarray(out.theta), ref.x, atol=1e-6)
    assert float(out.value) == pytest.approx(2.125, rel=1e-9) and bool(out.converged) and int(out.iterations) <= 10


def test_gauss_newton_and_finite_difference_hessian_intervals_agree(noisy_fit):
    """Laplace intervals at the optimum (σ profiled): the Gauss–Newton matrix JᵀJ/σ̂² and central differences of
    the exact gradient give the same 95% intervals within 5%, and both cover the truth."""
    problem, _, ms = noisy_fit
    gn = fitting.summarise(problem, ms, hessian="gauss-newton", derived=False)
    fd = fitting.summarise(problem, ms, hessian="hessian-fd", derived=False)
    assert (gn.ci_method, fd.ci_method) == ("gauss-newton", "hessian-fd")
    np.testing.assert_allclose(gn.ci_high - gn.ci_low, fd.ci_high - fd.ci_low, rtol=5e-2)
    for r in (gn, fd):
        assert np.all(r.ci_low < [TRUE["v1"], TRUE["v3"]]) and np.all([TRUE["v1"], TRUE["v3"]] < r.ci_high)


def test_with_forward_gradient_serves_grad_by_forward_mode():
    """`with_forward_gradient(f)` keeps f's value and gives `jax.grad` the exact gradient (here of a closed form)."""
    from fitting._objective import with_forward_gradient

    f = lambda x: jnp.sum(jnp.sin(x) * x**2)
    g = with_forward_gradient(f)
    x = jnp.array([0.3, -1.2, 2.0])
    assert float(g(x)) == pytest.approx(float(f(x)), rel=1e-15)
    exact = jnp.cos(x) * x**2 + 2 * x * jnp.sin(x)
    np.testing.assert_allclose(np.asarray(jax.grad(g)(x)), np.asarray(exact), rtol=1e-14)
