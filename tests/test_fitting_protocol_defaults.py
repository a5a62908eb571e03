"""`fitting.fit`'s defaults on a trace that a protocol drives: single shooting by Levenberg–Marquardt that stops on
a flat ridge (`ftol`), and the cardiac sets' fit tolerance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
import fitting

TRUTH = {"VM2": 65.0, "VM3": 500.0}  # µM/s, Goldbeter, Dupont & Berridge 1990's values
SIGMA = 0.02  # µM, Gaussian noise of the synthetic trace


@pytest.fixture(scope="module")
def pulsed():
    """gdb1990 held below its oscillating range (β = 0.1) and stimulated by two β pulses to 0.5 over 5 s (each evokes
    a spike): the data are simulated at the truth at rtol 1e-10 with σ = 0.02 µM noise (seeded), fitted by `fit` with
    its defaults from 4 starts (no intervals). Returns the problem and the result."""
    model = cj.GDB1990(beta=0.1)
    protocol = cj.Protocol({"beta": cj.PulseTrain(period=2.5, width=0.4, amplitude=0.4, count=2, start=0.5,
                                                  baseline=0.1)})  # fmt: skip
    ts = jnp.linspace(0.0, 5.0, 101)
    truth = cj.simulate(cj.with_parameters(model, TRUTH), ts, protocol=protocol, rtol=1e-10, atol=1e-12)
    data = np.asarray(truth["Z"]) + SIGMA * np.random.default_rng(0).normal(size=ts.shape)
    problem = fitting.define_problem(
        model, ts, data, free=list(TRUTH), bounds={k: (v / 1.3, v * 1.3) for k, v in TRUTH.items()},
        protocol=protocol, profile=("sigma",),
    )  # fmt: skip
    return problem, fitting.fit(problem, 4, seed=0, uncertainty=None, derived=False)


def test_a_paced_trace_is_fitted_by_levenberg_marquardt_to_the_truth(pulsed):
    """`fit` with its defaults picks single shooting by Levenberg–Marquardt (the protocol drives a least-squares
    problem), every start stops on the `ftol` rule well before its step cap, and VM2 and VM3 land within 2 % of the
    truth."""
    problem, result = pulsed
    assert (problem.rtol, problem.atol) == (1e-6, 1e-9)  # the model's fit_rtol() and rtol/1000
    assert result.strategy == "single-shooting"
    assert result.multistart.optimiser == "lm"
    ms = result.multistart
    assert bool(np.all(ms.converged)) and int(np.max(ms.iterations)) < 100
    for name, value in TRUTH.items():
        assert result.estimates[result.names.index(name)] == pytest.approx(value, rel=0.02)


def test_the_intervals_use_the_jacobian_levenberg_marquardt_ended_with(pulsed):
    """Each start's run keeps the residual Jacobian of its last linearisation, at its end point; the Gauss–Newton
    intervals of `summarise` use the best start's instead of compiling a Jacobian of their own. It agrees with
    `jax.jacfwd` of the residuals at that point (to 1e-6 of its largest entry), and so do the intervals; both cover
    the truth."""
    from fitting._result import _residual_jacobian, laplace_intervals

    problem, result = pulsed
    ms = result.multistart
    assert ms.jacobians.shape == (4, problem.n_data, 2)
    J = np.asarray(_residual_jacobian(problem, jnp.asarray(ms.best_theta)))
    assert np.max(np.abs(ms.jacobians[0] - J)) <= 1e-6 * np.max(np.abs(J))
    summary = fitting.summarise(problem, ms, derived=False)
    assert summary.ci_method == "gauss-newton"
    low, high, _ = laplace_intervals(problem.free, ms.best_theta, J.T @ J / summary.sigma**2)
    np.testing.assert_allclose(summary.ci_low, low, rtol=1e-6)
    np.testing.assert_allclose(summary.ci_high, high, rtol=1e-6)
    for name, value in TRUTH.items():
        i = summary.names.index(name)
        assert summary.ci_low[i] < value < summary.ci_high[i]


def test_the_shannon_cardiac_sets_fit_at_rtol_1e_4_with_ros34pw2():
    """A paced cardiac fit's problem by default: Ros34PW2 (the sets' `gradient_solver()`) at rtol 1e-4, atol 1e-7 µM
    (`fit_rtol()`; benchmarks/README.md: estimates moved by ≤ 0.1% against rtol 1e-6); the other models 1e-6."""
    ts = jnp.linspace(0.0, 0.5, 11)
    for cls in (cj.Cardiac, cj.CardiacHuman, cj.CardiacMouse):
        problem = fitting.define_problem(cls(), ts, jnp.full(11, 0.2), free=["V_max_SERCA"], profile=("sigma",))
        assert (problem.rtol, problem.atol) == (1e-4, pytest.approx(1e-7, rel=1e-12))
        assert isinstance(problem.solver, cj.Ros34PW2)
    assert fitting.define_problem(cj.Hinch2004(), ts, jnp.full(11, 0.2), free=["J_R"]).rtol == 1e-6


def test_levenberg_marquardt_scores_its_end_points_without_solving_again(pulsed):
    """Levenberg–Marquardt values each start's end point from the residuals of its last linearisation (no solve of
    its own): the NLL that `neg_log_posterior` computes there (σ profiled; and with σ fixed, from `residuals` at any
    point). A start where the solve fails (NaN parameters) ends at once, flagged, valued at the penalty and counted
    as one failure, as the other starts run on unchanged."""
    from fitting._objective import least_squares_nll

    problem, result = pulsed
    ms = result.multistart
    for theta, value in zip(ms.thetas, ms.values, strict=True):
        assert value == pytest.approx(float(fitting.neg_log_posterior(problem, jnp.asarray(theta))), abs=1e-9)
    starts = np.vstack([ms.starts[:3], np.full((1, 2), np.nan)])
    failed = fitting.multistart(problem, starts=starts, strategy="auto")
    np.testing.assert_allclose(failed.values[:3], ms.values[:3], rtol=1e-12)
    assert failed.values[3] == problem.penalty and failed.start_failed[3] and not failed.converged[3]
    assert int(failed.iterations[3]) == 1 and int(failed.failures[3]) >= 1 and failed.n_at_best == min(ms.n_at_best, 3)
    fixed = fitting.define_problem(
        problem.model, problem.ts, problem.data[0], free=list(TRUTH), protocol=problem.protocol, profile=(),
        observation={"sigma": SIGMA},
    )  # fmt: skip
    theta = fixed.to_theta({"VM2": 60.0, "VM3": 520.0})
    nll = jax.jit(lambda th: least_squares_nll(fixed, th, fitting.residuals(fixed, th)))(theta)
    assert float(nll) == pytest.approx(float(fitting.neg_log_posterior(fixed, theta)), rel=1e-12)


def test_the_summary_compiles_before_the_fit_ends(pulsed, caplog):
    """`compile_summary` (which `cicrjax fit` runs on a thread beside the multistart) compiles every program that
    `summarise` then runs: the prediction and the 2k + 1 simulations of the derived quantities with intervals, so
    the summary after it compiles nothing."""
    from fitting._result import compile_summary

    problem, result = pulsed
    compile_summary(problem)
    with jax.log_compiles(True), caplog.at_level("WARNING"):
        summary = fitting.summarise(problem, result.multistart)
    compiled = [r.getMessage() for r in caplog.records if "Finished XLA compilation" in r.getMessage()]
    assert compiled == [] and summary.ci_method == "gauss-newton"
    assert summary.nll == pytest.approx(result.nll, abs=1e-9) and np.isfinite(summary.derived["decay_tau"].ci_low)
