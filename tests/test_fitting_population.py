"""Many cells in one batched problem: shared and per-cell parameters, and a hierarchical (log-normal) population.

The traces come from an independent scipy solution of the Li–Rinzel equations; σ is fixed (an array leaf) so the
batched NLL is a sum over cells and the problems of the same layout share their compiled functions.
"""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.integrate import solve_ivp

import cicrjax
import fitting

TS = np.linspace(0.0, 2.0, 11)
V1 = 6.0  # shared by every cell
V3 = np.array([0.7, 0.8, 0.95, 1.1])  # one per cell
SIGMA, NOISY = 0.001, 0.05  # noise (µM): low (each cell's v3 well determined) and high (loosely determined)
BOUNDS = {"v1": (3.0, 9.0), "v3": (0.5, 1.5)}
SETTINGS = dict(profile=(), observation={"sigma": SIGMA}, rtol=1e-8, atol=1e-10, max_steps=400)
NOISY_SETTINGS = {**SETTINGS, "observation": {"sigma": NOISY}}
OPTIMISER = fitting.LBFGS(max_iter=60)
H0 = 0.8053917805044111  # the gate's initial value h∞(C_init = 0.1 µM) at IP3 = 0.4 µM


def _li_rinzel_rhs(t, y, v1, v3):
    """Li & Rinzel 1994 (J Theor Biol 166:461) at IP3 = 0.4 µM, written out independently of cicrjax."""
    C, h = y
    d1, d2, d3, d5, a2, c0, c1, v2, k3, ip3 = 0.13, 1.049, 0.9434, 0.08234, 0.2, 2.0, 0.185, 0.11, 0.1, 0.4
    c_er = (c0 - C) / c1
    m_inf, n_inf = ip3 / (ip3 + d1), C / (C + d5)
    q2 = d2 * (ip3 + d1) / (ip3 + d3)
    dC = -c1 * v1 * m_inf**3 * n_inf**3 * h**3 * (C - c_er) - c1 * v2 * (C - c_er) - v3 * C**2 / (C**2 + k3**2)
    return [dC, a2 * (q2 * (1 - h) - C * h)]


def _scipy_ca(v1, v3) -> np.ndarray:
    """Cytosolic Ca (µM) of one cell at TS."""
    r = solve_ivp(
        _li_rinzel_rhs, (0.0, 2.0), [0.1, H0], t_eval=TS, args=(v1, v3), method="LSODA", rtol=1e-11, atol=1e-13
    )
    return r.y[0]


def _gaussian_nll(data, v1, v3s, sigma) -> float:
    """−log likelihood of every cell's trace under N(scipy Ca, σ²)."""
    r = np.stack([d - _scipy_ca(v1, v3) for d, v3 in zip(data, v3s, strict=True)]) / sigma
    return float(0.5 * np.sum(r**2) + r.size * (np.log(sigma) + 0.5 * np.log(2 * np.pi)))


def _cells(v1=5.0, v3=(1.0, 1.0, 1.0, 1.0)):
    """Li–Rinzel with one row per cell."""
    return cicrjax.batch_parameters(
        cicrjax.with_parameters(cicrjax.LiRinzel1994(), {"v1": v1}), {"v3": jnp.asarray(v3, dtype=float)}
    )


@pytest.fixture(scope="module")
def clean():
    """Noise-free traces of 4 cells (shared v1, per-cell v3) and standard normal noise of the same shape."""
    ca = np.stack([_scipy_ca(V1, v3) for v3 in V3])
    return ca, np.random.default_rng(5).normal(size=ca.shape)


@pytest.fixture(scope="module")
def noisy(clean):
    return clean[0] + NOISY * clean[1]


def _per_cell_v3(data, **kw):
    """v1 fixed at its truth, v3 free in every cell: nothing shared."""
    return fitting.define_problem(
        _cells(V1), TS, data, free=["v3"], bounds={"v3": BOUNDS["v3"]}, batched=True, per_condition=["v3"], **kw
    )


def test_shared_and_per_cell_parameters_are_recovered(clean):
    """v1 shared, v3 per cell, θ = (v1, v3[0..3]): L-BFGS recovers the truths, and the objective at the optimum is
    the Gaussian NLL of the 4 cells computed with scipy."""
    data = clean[0] + SIGMA * clean[1]
    problem = fitting.define_problem(
        _cells(), TS, data, free=["v1", "v3"], bounds=BOUNDS, batched=True, per_condition=["v3"], **SETTINGS
    )
    assert problem.names == ("v1", "v3[0]", "v3[1]", "v3[2]", "v3[3]") and problem.mode == "forward"
    assert problem.indices("v3") == (1, 2, 3, 4) and problem.indices("v1") == (0,)
    ms = fitting.multistart(problem, 2, optimiser=OPTIMISER, seed=0)
    best = np.asarray(problem.natural(jnp.asarray(ms.best_theta)))
    assert ms.n_at_best == 2 and bool(ms.converged[0])
    assert best[0] == pytest.approx(V1, rel=0.01)
    np.testing.assert_allclose(best[list(problem.indices("v3"))], V3, rtol=0.01)
    assert ms.best_value == pytest.approx(_gaussian_nll(data, best[0], best[1:], SIGMA), rel=1e-6)


def test_nothing_shared_batch_equals_separate_fits(noisy):
    """v3 free in every cell and nothing shared: the batched estimates equal 4 separate single-cell fits."""
    problem = _per_cell_v3(noisy, **NOISY_SETTINGS)
    ms = fitting.multistart(problem, 2, optimiser=OPTIMISER, seed=0)
    assert problem.names == ("v3[0]", "v3[1]", "v3[2]", "v3[3]")
    batched = np.asarray(problem.natural(jnp.asarray(ms.best_theta)))
    single = fitting.define_problem(
        cicrjax.with_parameters(cicrjax.LiRinzel1994(), {"v1": V1}),
        TS,
        noisy[0],
        free=["v3"],
        bounds={"v3": BOUNDS["v3"]},
        **NOISY_SETTINGS,
    )
    separate = fitting.multistart_cells(single, noisy[:, None, :], 2, optimiser=OPTIMISER, seed=0)
    estimates = np.array([float(single.natural(jnp.asarray(s.best_theta))[0]) for s in separate])
    np.testing.assert_allclose(batched, estimates, rtol=1e-5)
    assert ms.best_value == pytest.approx(sum(s.best_value for s in separate), rel=1e-9)
    np.testing.assert_allclose(batched, V3, rtol=0.05)


def test_hierarchical_objective_adds_the_lognormal_population_and_shrinks_cells(noisy):
    """v3 per cell around a free median m with log v3_i ~ N(log m, τ²): the objective is the scipy NLL plus scipy's
    log-normal density of every cell's v3, its gradient matches central differences, m is the geometric mean of
    the cells at the optimum, a small τ pulls the cells toward m (against a wide τ, the same compiled fit), and
    results.json reports the population."""
    tau = 0.01
    problem = _per_cell_v3(noisy, hierarchical={"v3": tau}, **NOISY_SETTINGS)
    assert problem.names == ("v3[0]", "v3[1]", "v3[2]", "v3[3]", "v3.median") and problem.has_priors
    assert problem.initial_values()[-1] == pytest.approx(1.0)
    ms = fitting.multistart(problem, 2, optimiser=OPTIMISER, seed=0)
    result = fitting.summarise(problem, ms, derived=False)  # Laplace intervals from the finite-difference Hessian
    cells, median = result.estimates[:4], result.estimates[4]
    term = -np.sum(stats.lognorm.logpdf(cells, s=tau, scale=median))
    assert result.nll == pytest.approx(_gaussian_nll(noisy, V1, cells, NOISY), rel=1e-6)
    assert result.neg_log_posterior == pytest.approx(result.nll + term, rel=1e-9)
    assert median == pytest.approx(np.exp(np.mean(np.log(cells))), rel=1e-5)  # ∂/∂m = 0
    wide = _per_cell_v3(noisy, hierarchical={"v3": 10.0}, **NOISY_SETTINGS)
    loose = np.asarray(wide.natural(jnp.asarray(fitting.multistart(wide, 2, optimiser=OPTIMISER, seed=0).best_theta)))
    assert np.std(np.log(cells)) < 0.5 * np.std(np.log(loose[:4]))
    # gradient (forward mode, used by the fit and the Hessian) against central differences of the objective
    theta = problem.to_theta({"v3": [0.8, 0.85, 0.9, 1.0], "v3.median": 0.95})
    _, grad, ok = fitting.neg_log_posterior_and_grad(problem, theta)
    h = 1e-5

    def objective(th):
        p = fitting.predict_jit(problem, th)
        return float(p.nll + p.neg_log_prior)

    fd = [(objective(theta + e) - objective(theta - e)) / (2 * h) for e in np.eye(5) * h]
    assert bool(ok)
    np.testing.assert_allclose(np.asarray(grad), fd, rtol=1e-5, atol=1e-4)
    assert result.ci_method == "hessian-fd" and result.ci_low[4] < median < result.ci_high[4]
    content = fitting.results_dict(result, problem, model="li-rinzel1994", recording="x", wall_time_s=1.0)
    v3 = content["parameters"]["v3"]
    assert v3["per_condition"] and v3["estimate"] == pytest.approx(list(cells)) and len(v3["ci_low"]) == 4
    assert v3["population"]["median"] == pytest.approx(median) and v3["population"]["tau"] == tau
    assert content["parameters"]["v1"] == {
        "estimate": V1,
        "unit": "1/s",
        "ci_low": None,
        "ci_high": None,
        "free": False,
    }


def test_per_condition_values_reach_the_model_and_the_initial_state():
    """Eager (no compilation): with_values puts each cell's value in its row, initial() each cell's y0; a prior on
    a per-condition parameter applies to every cell; more than FORWARD_MAX entries switch to reverse mode."""
    model = _cells(V1, V3)
    problem = fitting.define_problem(
        model, TS, np.zeros((4, 11)), free=["v1", "v3", "y0.h"], batched=True, per_condition=["v3", "y0.h"]
    )
    assert problem.names[:2] == ("v1", "v3[0]") and problem.names[-1] == "y0.h[3]" and problem.mode == "reverse"
    values = np.array([5.0, 0.6, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(problem.natural(problem.to_theta(values)), values, rtol=1e-12)
    np.testing.assert_allclose(problem.initial_values(), [V1, *V3, *[H0] * 4], rtol=1e-12)
    m, _ = problem.with_values(jnp.asarray(values))
    np.testing.assert_allclose(m.v1, np.full(4, 5.0))
    np.testing.assert_allclose(m.v3, values[1:5])
    y0 = np.asarray(problem.initial_state(jnp.asarray(values)))
    np.testing.assert_allclose(y0, np.column_stack([np.full(4, 0.1), values[5:]]), rtol=1e-12)
    priors = {"v3": fitting.Prior("lognormal", 0.8, 0.5)}
    with_prior = fitting.define_problem(
        model, TS, np.zeros((4, 11)), free=["v3"], batched=True, per_condition=["v3"], priors=priors
    )
    expected = -np.sum(stats.lognorm.logpdf(values[1:5], s=0.5, scale=0.8))
    assert float(with_prior.neg_log_prior(jnp.asarray(values[1:5]))) == pytest.approx(expected, rel=1e-12)


def test_per_condition_input_errors():
    model, data = _cells(), np.zeros((4, 11))
    one = cicrjax.LiRinzel1994()

    def define(m=model, d=data, **kw):
        return fitting.define_problem(m, TS, d, free=["v1", "v3"], **{"batched": True, **kw})

    with pytest.raises(ValueError, match="per_condition needs batched=True"):
        define(one, data[0], batched=False, per_condition=["v3"])
    with pytest.raises(ValueError, match="hierarchical needs batched=True"):
        define(one, data[0], batched=False, hierarchical={"v3": 0.2})
    with pytest.raises(ValueError, match="per_condition names 'a2', which is not free; add it to free"):
        define(per_condition=["a2"])
    with pytest.raises(ValueError, match="hierarchical names 'a2', which is not free"):
        define(hierarchical={"a2": 0.2})
    with pytest.raises(
        ValueError, match="per_condition cannot take sigma: only profiled observation parameters can differ"
    ):
        fitting.define_problem(model, TS, data, free=["v3", "sigma"], batched=True, profile=(), per_condition=["sigma"])
    with pytest.raises(ValueError, match=r"per_condition takes a list of names, e.g. per_condition=\['v3'\]"):
        define(per_condition="v3")
    with pytest.raises(ValueError, match="per_condition names a parameter twice"):
        define(per_condition=["v3", "v3"])
    with pytest.raises(ValueError, match=r"per_condition v3 needs one value per row of data \(3\)"):
        define(d=data[:3], per_condition=["v3"])
    with pytest.raises(ValueError, match="needs τ .* > 0, got 0.0$"):
        define(hierarchical={"v3": 0.0})
    with pytest.raises(ValueError, match="needs τ .* > 0, got 'wide'"):
        define(hierarchical={"v3": "wide"})
    with pytest.raises(ValueError, match="hierarchical v3 is log-normal and needs positive values"):
        define(hierarchical={"v3": 0.2}, transforms={"v3": "linear"})
    with pytest.raises(ValueError, match=r"initial value v3=1.1 lies outside its bounds 0.5:1"):
        define(_cells(V1, V3), per_condition=["v3"], bounds={"v3": (0.5, 1.0)})
    with pytest.raises(ValueError, match="v3.median has a prior but is not free"):
        define(per_condition=["v3"], priors={"v3.median": fitting.Prior("normal", 1.0, 0.1)})
    problem = define(per_condition=["v3"])
    with pytest.raises(ValueError, match="v3 takes one value or one per condition"):
        problem.to_theta({"v1": 6.0, "v3": [1.0, 1.0]})
    with pytest.raises(ValueError, match="a2 is not a free parameter; free: v1, v3"):
        problem.indices("a2")
    hierarchical = define(hierarchical={"v3": 0.2})
    with pytest.raises(ValueError, match="Levenberg–Marquardt fits least squares and ignores priors"):
        fitting.LevenbergMarquardt().run(hierarchical, hierarchical.to_theta({"v1": 6.0, "v3": 1.0}))


@pytest.fixture
def cells_csv(clean, tmp_path):
    path = tmp_path / "cells.csv"
    header = "time_s," + ",".join(f"cell{c}" for c in range(4))
    np.savetxt(path, np.column_stack([TS, clean[0].T]), delimiter=",", header=header, comments="")
    return path


def test_cli_per_cell_and_hierarchical_build_one_batched_problem(cells_csv, tmp_path, monkeypatch):
    """`cicrjax fit --per-cell/--hierarchical` fit the recording's traces as one batch (checked on the problem
    handed to the multistart, which is stopped there: the fit itself is covered above)."""
    import fitting._multistart
    import fitting._result
    from cicrjax._cli.main import main

    class Stop(Exception):
        pass

    seen = []

    def stop(problem, *args, **kwargs):
        seen.append(problem)
        raise Stop

    monkeypatch.setattr(fitting._multistart, "multistart", stop)
    # nor compile the summary's programs, which `cicrjax fit` starts on a thread beside the multistart
    monkeypatch.setattr(fitting._result, "compile_summary", lambda *args, **kwargs: None)
    argv = ["fit", str(cells_csv), "--model", "li-rinzel1994", "--kind", "calcium", "--free", "v1,v3"]
    argv += ["--per-cell", "v3", "--hierarchical", "v1=0.3", "--bounds", "v3=0.5:1.5", "--out", str(tmp_path / "o")]
    assert main(argv) == 1  # Stop is not an input error: the CLI reports it as a bug (traceback, exit 1)
    (problem,) = seen
    assert problem.batched and problem.data.shape == (4, 11) and float(problem.hierarchical["v1"]) == 0.3
    assert problem.names == ("v1[0]", "v1[1]", "v1[2]", "v1[3]", "v1.median", "v3[0]", "v3[1]", "v3[2]", "v3[3]")
    assert problem.free[5].lower == 0.5 and problem.free[4].lower == pytest.approx(0.6)
    # each cell its own baseline, brightness and noise
    argv = ["fit", str(cells_csv), "--model", "li-rinzel1994", "--kind", "calcium", "--free", "v1,v3"]
    assert main([*argv, "--per-cell", "v3,offset,scale,sigma", "--out", str(tmp_path / "p")]) == 1
    assert seen[1].row_profile == ("offset", "scale", "sigma") and seen[1].names[0] == "v1"


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--free", "v3", "--per-cell", "v1"], "per_condition names 'v1', which is not free; add it to free"),
        (["--free", "v3", "--per-cell", ","], "--per-cell names no parameter"),
        (["--free", "v3", "--per-cell", "offset"], "offset and scale are profiled together: make both per_condition"),
        (["--free", "v3", "--hierarchical", "v1=0.2"], "hierarchical names 'v1', which is not free"),
        (["--free", "v3", "--hierarchical", "v3=wide"], "--hierarchical v3 needs a number, got 'wide'"),
        (["--free", "v3", "--hierarchical", "v3=-1"], "hierarchical v3 needs τ (the standard deviation of log v3) > 0"),
        (["--free", "v3", "--hierarchical", "v3"], "--hierarchical 'v3' is not NAME=VALUE"),
        (["--free", "v3", "--hierarchical", "v3=0.2", "--optimiser", "lm"], "Levenberg–Marquardt fits least squares"),
        (["--free", "v3", "--per-cell", "v3", "--strategy", "curriculum"], "drop --strategy curriculum"),
    ],
)
def test_cli_per_cell_errors(cells_csv, tmp_path, capsys, extra, match):
    from cicrjax._cli.main import main

    argv = ["fit", str(cells_csv), "--model", "li-rinzel1994", "--kind", "calcium", *extra, "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err, err


def test_cli_per_cell_rejects_petab(tmp_path, capsys):
    from cicrjax._cli.main import main

    assert (
        main(["fit", "--petab", "p.yaml", "--model", "li-rinzel1994", "--per-cell", "v3", "--out", str(tmp_path)]) == 2
    )
    assert "--per-cell/--hierarchical apply to recordings" in capsys.readouterr().err


def test_offset_scale_and_sigma_profiled_in_every_cell(clean):
    """Each cell its own baseline, brightness and noise (`per_condition` with profiled offset, scale, σ): the NLL is
    the sum of the cells' closed-form profiled NLLs (numpy least squares on the scipy traces), L-BFGS recovers the
    shared v1 with every cell's scale and σ, and results.json reports one value per cell."""
    ca, z = clean
    offset, scale, sigma = (
        np.array([0.1, -0.2, 0.3, 0.0]),
        np.array([1.0, 2.0, 0.5, 3.0]),
        np.array([1, 2, 3, 4]) * 1e-3,
    )
    data = offset[:, None] + scale[:, None] * ca + sigma[:, None] * z
    problem = fitting.define_problem(
        _cells(V1, V3), TS, data, free=["v1"], bounds={"v1": BOUNDS["v1"]}, batched=True,
        per_condition=["offset", "scale", "sigma"], rtol=1e-8, atol=1e-10, max_steps=400,
    )  # fmt: skip
    assert problem.row_profile == ("offset", "scale", "sigma") and problem.names == ("v1",)
    expected = 0.0
    for d, c in zip(data, ca, strict=True):
        design = np.column_stack([np.ones_like(c), c])
        rss = float(np.sum((d - design @ np.linalg.lstsq(design, d, rcond=None)[0]) ** 2))
        expected += 0.5 * d.size * (np.log(2 * np.pi * rss / d.size) + 1.0)
    # the objective's value from the compiled value-and-gradient that the fit's Laplace intervals use below
    nll, _, ok = fitting.neg_log_posterior_and_grad(problem, problem.to_theta({"v1": V1}))
    assert bool(ok) and float(nll) == pytest.approx(expected, rel=1e-6)
    result = fitting.fit(problem, 2, seed=0, optimiser=OPTIMISER)
    assert result.estimate("v1") == pytest.approx(V1, rel=1e-2)
    # parameters counted by hand: v1, and an offset, a scale and a σ for each of the 4 cells
    assert result.k == 1 + 3 * 4 and result.n_data == 4 * TS.shape[0]
    assert result.aic == pytest.approx(2 * 13 + 2 * result.nll, rel=1e-12)
    assert result.bic == pytest.approx(13 * np.log(4 * TS.shape[0]) + 2 * result.nll, rel=1e-12)
    assert result.strategy == "single-shooting" and result.strategy_reason.startswith("auto: the conditions")
    np.testing.assert_allclose(result.scale, scale, rtol=2e-2)
    np.testing.assert_allclose(result.sigma, sigma, rtol=0.5)  # 11 points per cell
    content = fitting.results_dict(result, problem, model="li-rinzel1994", recording="x", wall_time_s=1.0)
    assert content["observation"]["scale"]["per_condition"] and len(content["observation"]["sigma"]["estimate"]) == 4
    with pytest.raises(ValueError, match="one σ; with σ profiled per condition use LBFGS"):
        fitting.LevenbergMarquardt().run(problem, problem.to_theta({"v1": V1}))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"per_condition": ["offset"]}, "offset and scale are profiled together: make both per_condition or neither"),
        ({"per_condition": ["sigma"], "profile": ("offset", "scale")}, "only profiled observation parameters can"),
    ],
)
def test_per_condition_observation_errors(clean, kw, match):
    with pytest.raises(ValueError, match=match):
        fitting.define_problem(_cells(V1, V3), TS, clean[0], free=["v1"], batched=True, **kw)
