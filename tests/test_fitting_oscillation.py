"""Oscillating traces: multiple shooting, the horizon curriculum and the period-matched remedy (GDB 1990)."""

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
import fitting

_distances = eqx.filter_jit(jax.vmap(fitting.rhythm_distance, in_axes=(None, 0)))  # one compile for every test

TS = jnp.linspace(0.0, 4.0, 41)  # two cycles of GDB at β = 0.301 (period 2.08 s)
TRUTH = {"VM2": 65.0, "VM3": 500.0, "KA": 0.9}
SEGMENTS = 4


@functools.cache
def _problem(sigma=0.02, seed=0):
    true = cicrjax.GDB1990(beta=0.301)
    rec = cicrjax.synthesize(true, TS, key=jax.random.key(seed), noise=cicrjax.GaussianNoise(sigma))
    root10 = float(np.sqrt(10.0))
    free = [
        fitting.FreeParameter(n, v / root10, v * root10, fitting.Transform("log", bounded=True))
        for n, v in TRUTH.items()
    ]
    return fitting.define_problem(true, TS, rec.traces[0], free=free, rtol=1e-9, atol=1e-12, max_steps=4096)


@pytest.mark.parametrize("n_times, segments", [(101, 10), (121, 7), (41, 4), (5, 4)])
def test_segment_layout_counts_every_save_time_once(n_times, segments):
    index, weight = fitting.segment_layout(n_times, segments)
    counts = np.bincount(index.ravel(), weights=weight.ravel(), minlength=n_times)
    np.testing.assert_array_equal(counts, np.ones(n_times))
    np.testing.assert_array_equal(index[1:, 0], index[:-1, -1])  # a segment ends where the next one starts
    assert np.all(np.diff(index, axis=1) >= 0) and index.max() == n_times - 1
    with pytest.raises(ValueError, match="segments must be between 1"):
        fitting.segment_layout(n_times, n_times)


DENSE = np.linspace(0.0, 4.0, 4 * (TS.shape[0] - 1) + 1)  # 4× the save rate; every 4th time is a save time


def _dense_solve(model):
    """The model's states at DENSE, solved tightly (one compiled solve for every test that calls it)."""
    return cicrjax.simulate(model, jnp.asarray(DENSE), rtol=1e-11, atol=1e-13).ys


def _nodes_on_the_trajectory(problem, theta):
    """States of the problem's trajectory at the segment starts (an independent dense solve)."""
    index, _ = fitting.segment_layout(TS.shape[0], SEGMENTS)
    model, _ = problem.with_values(problem.natural(theta))
    return _dense_solve(model)[::4][index[1:, 0]]


@functools.cache
def _loss_and_grad():
    """One compiled multiple-shooting value and gradient, shared by the tests (x = theta then nodes)."""
    problem = _problem()

    def f(x, weight):
        return fitting.shooting_loss(problem, x[:3], x[3:].reshape(SEGMENTS - 1, 2), weight, SEGMENTS)

    return jax.jit(jax.value_and_grad(f))


def _loss(theta, nodes, weight):
    return float(_loss_and_grad()(jnp.concatenate([theta, nodes.ravel()]), jnp.asarray(weight))[0])


def test_continuous_nodes_give_the_single_shooting_nll():
    """Nodes on the trajectory: every segment continues the single-shooting solution, so the continuity penalty
    vanishes and the multiple-shooting NLL equals the problem's NLL (at any weight)."""
    problem = _problem()
    theta = problem.to_theta({"VM2": 70.0, "VM3": 450.0, "KA": 0.95})
    nodes = _nodes_on_the_trajectory(problem, theta)
    single = float(fitting.neg_log_posterior(problem, theta))
    np.testing.assert_allclose(_loss(theta, nodes, 1e4), single, rtol=1e-7)
    np.testing.assert_allclose(_loss(theta, nodes, 0.0), single, rtol=1e-7)
    shifted = nodes.at[1, 1].add(0.1)  # a 0.1 µM jump in store Ca at node 2 costs ½·w·0.1² = 50 more
    assert _loss(theta, shifted, 1e4) > single + 25.0


def test_shooting_loss_gradient_matches_finite_differences():
    problem = _problem()
    theta = problem.to_theta({"VM2": 70.0, "VM3": 450.0, "KA": 0.95})
    nodes = _nodes_on_the_trajectory(problem, theta) * jnp.asarray([[1.05, 0.97]])
    k = theta.shape[0]
    x = jnp.concatenate([theta, nodes.ravel()])
    weight = jnp.asarray(100.0)
    value, grad = _loss_and_grad()(x, weight)
    h = 1e-6
    for i in [0, 1, 2, k, k + 1, x.shape[0] - 1]:
        up, down = _loss_and_grad()(x.at[i].add(h), weight)[0], _loss_and_grad()(x.at[i].add(-h), weight)[0]
        fd = (float(up) - float(down)) / (2 * h)
        np.testing.assert_allclose(float(grad[i]), fd, rtol=2e-4, atol=1e-4 * max(1.0, abs(float(value))))


def test_rhythm_of_a_sampled_sine():
    """First upward crossing of the mid-level, period and count of sin(2πt/P + φ): analytic values."""
    period, phase = 1.7, 2.0
    ts = jnp.linspace(0.0, 10.0, 2001)
    y = jnp.sin(2 * jnp.pi * ts / period + phase)
    first, p, count = fitting.rhythm(ts, y, jnp.ones_like(y))
    expected_first = ((-phase) % (2 * np.pi)) * period / (2 * np.pi)
    crossings = np.arange(expected_first, 10.0, period)
    assert int(count) == crossings.size
    np.testing.assert_allclose(float(first), expected_first, atol=1e-4)
    np.testing.assert_allclose(float(p), period, rtol=1e-5)
    # masked samples are ignored: hiding the first cycle moves the first crossing one period on
    w = (ts > expected_first + 0.1).astype(float)
    np.testing.assert_allclose(float(fitting.rhythm(ts, y, w)[0]), expected_first + period, atol=1e-4)
    flat = 1.0 + 1e-4 * y
    first, p, count = fitting.rhythm(ts, flat, jnp.ones_like(y))
    assert int(count) == 0 and np.isinf(float(p)) and np.isinf(float(first))


def test_rhythm_distance_is_zero_in_phase_and_large_out_of_phase():
    problem = _problem(sigma=1e-3)
    thetas = jnp.stack([problem.to_theta(TRUTH), problem.to_theta({"VM2": 65.0, "VM3": 500.0, "KA": 0.7})])
    # The pair twice: 4 rows, the shape of the search test's starts, so both tests share one compiled `_distances`.
    at_truth, off, *_ = np.asarray(_distances(problem, jnp.tile(thetas, (2, 1))))
    assert at_truth < 1e-3 and off > 0.1


def test_configuration_errors():
    with pytest.raises(ValueError, match="at least 2 segments"):
        fitting.MultipleShooting(segments=1)
    with pytest.raises(ValueError, match="positive continuity weights"):
        fitting.MultipleShooting(weights=(10.0, -1.0))
    with pytest.raises(ValueError, match="end at 1"):
        fitting.HorizonCurriculum(fractions=(0.25, 0.5))
    with pytest.raises(ValueError, match="end at 1"):
        fitting.HorizonCurriculum(fractions=(0.5, 0.25, 1.0))
    with pytest.raises(ValueError, match="candidates >= 1"):
        fitting.PeriodMatched(candidates=0)
    with pytest.raises(ValueError, match="need positive blur widths"):
        fitting.PeriodMatched(blur=(3.0, 0.0))
    with pytest.raises(ValueError, match="need positive blur widths"):
        fitting.PeriodMatched(chains=0)
    batched = fitting.define_problem(
        cicrjax.batch_parameters(cicrjax.GDB1990(), {"beta": jnp.asarray([0.3, 0.4])}),
        TS,
        np.tile(np.asarray(TS), (2, 1)),  # any trace that changes
        free=["VM2"],
        batched=True,
    )
    with pytest.raises(ValueError, match="batched=False"):
        fitting.shooting_loss(batched, jnp.zeros(1), jnp.zeros((SEGMENTS - 1, 2)), 1.0, SEGMENTS)
    with_prior = fitting.define_problem(
        cicrjax.GDB1990(), TS, np.asarray(TS), free=["VM2"], priors={"VM2": fitting.Prior("lognormal", 65, 0.2)}
    )
    with pytest.raises(ValueError, match="the period-matched fit fits least squares and ignores priors; use LBFGS"):
        fitting.PeriodMatched().run(with_prior, jnp.zeros(1))


class _Stay(fitting.AbstractOptimiser):
    """No trace fit: stops at its start (to test the search alone without compiling an optimiser's step)."""

    name = "stay"

    def init(self, fn, x0, penalty):
        zero = jnp.zeros((), jnp.int32)
        return fitting.State(x0, jnp.zeros(()), zero, zero, jnp.array(True), jnp.array(True), jnp.array(False), None)

    def step(self, fn, state, penalty):
        return state

    def terminate(self, state):
        return state.done

    def check(self, problem):
        pass

    def run(self, problem, theta0):
        p = fitting.predict(problem, theta0)
        zero = jnp.zeros((), jnp.int32)
        return fitting.RunOutput(theta0, p.nll, zero, p.ok, zero, ~p.ok)


def test_period_matched_search_puts_starts_in_phase():
    """The rhythm search alone (no blur, no trace fit) moves Latin-hypercube starts that do not oscillate in phase
    to points whose first crossing, period and cycle count match the data's to within half a period (distance
    < 1/4), the basin of single shooting."""
    problem = _problem()
    starts = fitting.sample_starts(problem, 4, seed=0)
    before = np.asarray(_distances(problem, jnp.asarray(starts)))
    search = fitting.PeriodMatched(candidates=32, rounds=4, chains=1, blur=(), optimiser=_Stay())
    ms = fitting.multistart(problem, starts=starts, strategy=search)
    after = np.asarray(_distances(problem, jnp.asarray(ms.thetas)))
    assert np.sum(before < 0.25) < 4
    assert np.all(after < 0.25), after
    assert (ms.strategy, ms.optimiser) == ("period-matched", "stay") and ms.thetas.shape == (4, 3)


def test_dense_times_interleave_the_save_times():
    ts = jnp.asarray([0.0, 1.0, 3.0])
    np.testing.assert_allclose(np.asarray(fitting.dense_times(ts, 4)), [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3])
    np.testing.assert_array_equal(np.asarray(fitting.dense_times(TS, 4))[::4], np.asarray(TS))


@functools.cache
def _blurred():
    return eqx.filter_jit(fitting.blurred_residuals)


def test_blurred_residuals_match_a_numpy_blur_and_vanish_to_the_residuals_at_width_zero():
    """Blurred residuals against an independent numpy computation: a dense solve at 4× the save rate, a Gaussian
    kernel normalised per save time, offset and scale by least squares; width 0 gives `fitting.residuals`."""
    problem = _problem()
    values = {"VM2": 70.0, "VM3": 450.0, "KA": 0.95}
    theta = problem.to_theta(values)
    model = cicrjax.GDB1990(beta=0.301, **values)
    g = np.asarray(_dense_solve(model)[:, 0])
    data = np.asarray(problem.data[0])
    for width in (0.25, 0.1):
        kernel = np.exp(-0.5 * ((np.asarray(TS)[:, None] - DENSE[None, :]) / width) ** 2)
        gb = (kernel / kernel.sum(axis=1, keepdims=True)) @ g
        design = np.stack([np.ones_like(gb), gb], axis=1)
        expected = data - design @ np.linalg.lstsq(design, data, rcond=None)[0]
        got = np.asarray(_blurred()(problem, theta, jnp.asarray(width)))
        np.testing.assert_allclose(got, expected, atol=1e-6)
    exact = np.asarray(eqx.filter_jit(fitting.residuals)(problem, theta))  # one program, not one per operation
    np.testing.assert_allclose(np.asarray(_blurred()(problem, theta, jnp.asarray(0.0))), exact, atol=1e-8)


def test_period_matched_reaches_the_global_optimum_where_search_and_trace_fit_alone_do_not():
    """The remedy on the benchmark problem (`benchmarks/gdb_oscillation.py`: 0–10 s at 10 Hz, σ = 0.05 µM, VM2,
    VM3, KA free over a decade) from 4 of its seed-0 Latin-hypercube starts, the ones from which the rhythm search
    followed by Levenberg–Marquardt ended in local minima (NLL −22 … −28 against −156.8): every start ends at the
    optimum that scipy's least squares reaches from the truth (NLL within 0.1)."""
    from scipy.optimize import least_squares

    ts = jnp.linspace(0.0, 10.0, 101)
    true = cicrjax.GDB1990(beta=0.301)
    rec = cicrjax.synthesize(true, ts, key=jax.random.key(0), noise=cicrjax.GaussianNoise(0.05))
    root10 = float(np.sqrt(10.0))
    free = [
        fitting.FreeParameter(n, v / root10, v * root10, fitting.Transform("log", bounded=True))
        for n, v in TRUTH.items()
    ]
    problem = fitting.define_problem(true, ts, rec.traces[0], free=free, max_steps=4096)
    starts = np.asarray(fitting.sample_starts(problem, 16, seed=0))[[6, 7, 12, 15]]
    ms = fitting.multistart(problem, starts=starts, strategy=fitting.PeriodMatched())
    residual = jax.jit(lambda th: fitting.residuals(problem, th))
    ref = least_squares(lambda th: np.asarray(residual(jnp.asarray(th))), np.asarray(problem.to_theta(TRUTH)))
    optimum = min(float(fitting.neg_log_posterior(problem, jnp.asarray(ref.x))), ms.best_value)
    assert optimum < -150.0
    np.testing.assert_allclose(ms.values, optimum, atol=0.1)


def test_strategies_by_name_compose_with_an_optimiser():
    assert isinstance(fitting.strategy("single-shooting").optimiser, fitting.LBFGS)
    assert isinstance(fitting.strategy("period-matched"), fitting.PeriodMatched)
    assert isinstance(fitting.strategy("period-matched").optimiser, fitting.LevenbergMarquardt)
    assert isinstance(fitting.strategy("multiple-shooting"), fitting.MultipleShooting)
    assert isinstance(fitting.strategy("curriculum", fitting.Adam()).optimiser, fitting.Adam)
    assert [fitting.strategy(n).name for n in fitting.STRATEGIES] == list(fitting.STRATEGIES)
    with pytest.raises(ValueError, match="unknown strategy 'newton'; use one of auto, single-shooting"):
        fitting.strategy("newton")


def test_detect_rhythm_tells_oscillations_from_transients_steps_and_noise():
    """The autocorrelation test on traces of known rhythm: a 3 s sine under noise of half its amplitude and the
    bundled Li–Rinzel recording (period 12.8 s, Li & Rinzel 1994 at IP3 = 0.4 µM; 2 Hz frames) are rhythmic at
    their periods (within 10%); noise, a decay, a single transient and a step are not."""
    rng = np.random.default_rng(0)
    ts = np.linspace(0.0, 10.0, 201)
    rhythmic, period, peak = fitting.detect_rhythm(ts, np.sin(2 * np.pi * ts / 3.0) + 0.5 * rng.normal(size=201))
    assert rhythmic and peak > 0.5 and period == pytest.approx(3.0, rel=0.1)
    flat = [
        rng.normal(size=201),
        0.1 + np.exp(-ts / 1.5) + 0.02 * rng.normal(size=201),
        0.1 + (ts > 1) * (np.exp(-(ts - 1) / 0.8) - np.exp(-(ts - 1) / 0.1)) + 0.02 * rng.normal(size=201),
        0.1 + 0.5 * (ts > 4) + 0.02 * rng.normal(size=201),
    ]
    assert [fitting.detect_rhythm(ts, y)[0] for y in flat] == [False] * 4
    rec = _bundled_recording()
    rhythmic, period, _ = fitting.detect_rhythm(rec.time, rec.traces[0])
    assert rhythmic and period == pytest.approx(12.8, rel=0.1)


def _bundled_recording():
    from pathlib import Path

    return cicrjax.load_recording(Path(__file__).parents[1] / "data" / "synthetic-fura2-li-rinzel" / "ratio.csv")


def test_auto_strategy_chooses_the_remedy_only_for_a_trace_that_oscillates_by_itself():
    """`choose_strategy(problem)` (the default of `fit`): period-matched on a sine-like trace, its blur grid set from
    the period; single shooting on a decay, on the same rhythm driven by a protocol, and where a prior rules the
    least-squares remedy out."""
    ts = np.linspace(0.0, 10.0, 101)
    wave = 0.3 + 0.2 * np.sin(2 * np.pi * ts / 2.0)

    def choose(data, **kw):
        problem = fitting.define_problem(cicrjax.GDB1990(), ts, data, free=["VM2"], **kw)
        remedy, why = fitting.choose_strategy(problem)
        return remedy.name, why

    name, why = choose(wave)
    assert name == "period-matched" and why.startswith("auto: the trace oscillates (period about 2 s,")
    # the blur grid: about 80 points per period, 4× the 20 samples per period here, 1× at 50 Hz
    fine = np.linspace(0.0, 10.0, 501)
    for t, upsample in ((ts, 4), (fine, 1)):
        problem = fitting.define_problem(cicrjax.GDB1990(), t, 0.3 + 0.2 * np.sin(np.pi * t), free=["VM2"])
        assert fitting.choose_strategy(problem)[0].upsample == upsample
    assert choose(0.3 + np.exp(-ts))[0] == "single-shooting"
    driven = cicrjax.Protocol({"beta": cicrjax.Constant(0.3)})
    assert choose(wave, protocol=driven) == (
        "single-shooting",
        "auto: the trace follows a protocol, so its rhythm is not the model's own",
    )
    name, why = choose(wave, priors={"VM2": fitting.Prior("lognormal", 65.0, 0.2)})
    assert name == "single-shooting" and "ignores priors" in why
