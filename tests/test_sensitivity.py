"""Local sensitivities against central differences of independent scipy models; Sobol indices and Morris effects
against the Ishigami function's analytic indices and SALib on the same sample."""

import importlib.util
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

import cicrjax as cj
from cicrjax._cli.main import main

# --- Local sensitivities: GDB period (reverse mode) and Li–Rinzel amplitude (forward mode) ---------------------


def gdb_rhs(t, y, p):
    """Goldbeter, Dupont & Berridge (1990) PNAS 87:1461, eqs. 1–4 (written here independently of cicrjax)."""
    Z, Y = y
    V2 = p["VM2"] * Z**2 / (p["K2"] ** 2 + Z**2)
    V3 = p["VM3"] * Y**2 / (p["KR"] ** 2 + Y**2) * Z**4 / (p["KA"] ** 4 + Z**4)
    return [p["v0"] + p["v1"] * p["beta"] - V2 + V3 + p["kf"] * Y - p["k"] * Z, V2 - V3 - p["kf"] * Y]


# Goldbeter, Dupont & Berridge (1990) PNAS 87:1461, Fig. 2 legend (per s, µM)
GDB = dict(v0=1.0, v1=7.3, beta=0.5, VM2=65.0, K2=1.0, VM3=500.0, KR=2.0, KA=0.9, kf=1.0, k=10.0)


def gdb_period_and_store(p) -> np.ndarray:
    """Limit-cycle period (mean interval between upward crossings of Z = 0.5 µM over 15–30 s) and the time-mean
    store Ca Y over 0–30 s (a third state integrates Y), from one scipy DOP853 solve."""
    upward = lambda t, y, p: y[0] - 0.5
    upward.direction = 1
    sol = solve_ivp(
        lambda t, y, p: [*gdb_rhs(t, y[:2], p), y[1]],
        (0.0, 30.0),
        [0.15, 1.6, 0.0],
        args=(p,),
        method="DOP853",
        rtol=1e-11,
        atol=1e-12,
        events=upward,
    )
    times = sol.t_events[0]
    times = times[times > 15.0]
    return np.array([(times[-1] - times[0]) / (times.size - 1), sol.y[2, -1] / 30.0])


def lr_rhs(t, y, p):
    """Li & Rinzel (1994) J Theor Biol 166:461, eqs. 9–10 (written here independently of cicrjax)."""
    C, h = y
    q2 = p["d2"] * (p["IP3"] + p["d1"]) / (p["IP3"] + p["d3"])
    po = (p["IP3"] / (p["IP3"] + p["d1"]) * C / (C + p["d5"]) * h) ** 3
    c_er = (p["c0"] - C) / p["c1"]
    dC = p["c1"] * (p["v1"] * po + p["v2"]) * (c_er - C) - p["v3"] * C**2 / (C**2 + p["k3"] ** 2)
    return [dC, p["a2"] * (q2 * (1 - h) - C * h)]


# Li & Rinzel (1994) J Theor Biol 166:461, Table 1 (µM, s), IP3 = 0.4 µM
LR = dict(a2=0.2, d1=0.13, d2=1.049, d3=0.9434, d5=0.08234, c0=2.0, c1=0.185, v1=6.0, v2=0.11, v3=0.9, k3=0.1, IP3=0.4)


def lr_first_transient(p) -> tuple[float, float]:
    """Amplitude (peak − C(0)) and time to peak from the 10% onset of the first transient from C = 0.1 µM."""
    q2 = p["d2"] * (p["IP3"] + p["d1"]) / (p["IP3"] + p["d3"])
    y0 = [0.1, q2 / (q2 + 0.1)]
    peak = lambda t, y, p: lr_rhs(t, y, p)[0]
    peak.direction, peak.terminal = -1, True
    sol = solve_ivp(
        lr_rhs, (0.0, 10.0), y0, args=(p,), method="DOP853", rtol=1e-12, atol=1e-12, events=peak, dense_output=True
    )
    t_peak, amp = sol.t_events[0][0], sol.y_events[0][0][0] - 0.1
    onset = brentq(lambda t: sol.sol(t)[0] - 0.1 - 0.1 * amp, 0.0, t_peak, xtol=1e-14)
    return amp, t_peak - onset


def normalised_differences(fn, p, names, h=1e-4):
    """S_ij = ∂ln f_i/∂ln p_j by central differences of `fn` at relative step h."""
    f0 = np.atleast_1d(fn(p))
    cols = []
    for name in names:
        up, down = dict(p), dict(p)
        up[name] *= 1 + h
        down[name] *= 1 - h
        cols.append((np.atleast_1d(fn(up)) - np.atleast_1d(fn(down))) / (2 * h * f0))
    return np.stack(cols, axis=1)


def test_gdb_period_sensitivity_from_the_cli_matches_scipy_differences(tmp_path, capsys):
    out = tmp_path / "sens"
    args = [
        "sensitivity",
        "gdb1990",
        "--params",
        "beta,k",
        "--features",
        "period,frequency,store_load",
        "--t-end",
        "30",
    ]
    assert main([*args, "--set", "beta=0.5", "--out", str(out)]) == 0  # Δt = 30/6000 = 5 ms resolves the upstroke
    results = json.loads((out / "results.json").read_text())
    assert results["model"] == "gdb1990" and results["method"] == "local"
    assert results["params"] == {"beta": 0.5, "k": 10.0}
    reference = gdb_period_and_store(GDB)
    assert results["features"]["period"] == pytest.approx(reference[0], rel=1e-5)
    assert results["features"]["store_load"] == pytest.approx(reference[1], rel=1e-5)
    ref = normalised_differences(gdb_period_and_store, GDB, ["beta", "k"])
    S = results["S"]
    np.testing.assert_allclose([S["period"]["beta"], S["period"]["k"]], ref[0], rtol=5e-3)
    np.testing.assert_allclose([S["frequency"]["beta"], S["frequency"]["k"]], -ref[0], rtol=5e-3)
    np.testing.assert_allclose([S["store_load"]["beta"], S["store_load"]["k"]], ref[1], rtol=5e-3)
    rows = (out / "sensitivity.csv").read_text().splitlines()
    assert rows[0] == "feature,parameter,S" and rows[1].startswith("period,beta,") and len(rows) == 7
    assert (out / "heatmap.png").stat().st_size > 1000
    # β = 0.1 lies below the Hopf point (β ≈ 0.289): the cell settles and has no period (same compiled function)
    assert main([*args, "--set", "beta=0.1", "--out", str(tmp_path / "settled")]) == 2
    assert "feature 'period' is undefined for this trajectory of gdb1990" in capsys.readouterr().err
    assert not (tmp_path / "settled").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--params", "beta", "--features", "speed"], "unknown feature 'speed'; valid features: amplitude"),
        (["--params", "VM9", "--features", "period"], "unknown parameter 'VM9' for model gdb1990"),
        (
            ["--set", "beta=0.8", "--params", "beta", "--features", "period", "--method", "sobol", "--range", "0.5"],
            r"range ±0.5 leaves a constraint: parameter beta=1.2",
        ),
        (
            ["--params", "beta", "--features", "period", "--method", "sobol", "--samples", "8"],
            "Sobol indices need a power of 2 ≥ 16 base samples, got 8",
        ),
        (
            ["--params", "beta", "--features", "period", "--method", "morris", "--samples", "2"],
            "Morris screening needs at least 4 trajectories, got 2",
        ),
    ],
)
def test_sensitivity_cli_bad_input(tmp_path, capsys, args, message):
    assert main(["sensitivity", "gdb1990", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cicrjax sensitivity: error:") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_li_rinzel_amplitude_sensitivity_matches_scipy_differences():
    names = ["v3", "d5", "IP3"]
    ts = np.linspace(0.0, 4.0, 401)  # Δt = 10 ms; the first transient peaks near 2.3 s, the next (lower) after 4 s
    result = cj.local_sensitivity(cj.LiRinzel1994(), ts, names, ["amplitude", "time_to_peak"], rtol=1e-10, atol=1e-12)
    assert result.mode == "reverse"  # three parameters, two features
    np.testing.assert_allclose(result.values, lr_first_transient(LR), rtol=1e-5)
    ref = normalised_differences(lr_first_transient, LR, names)
    np.testing.assert_allclose(result.S, ref, rtol=2e-3, atol=1e-4)


def test_bad_names_are_input_errors():
    ts = np.linspace(0.0, 1.0, 11)
    with pytest.raises(cj.InputError, match="unknown parameter 'VM9' for model gdb1990; valid parameters: v0, v1"):
        cj.local_sensitivity(cj.GDB1990(), ts, ["VM9"], ["period"])
    with pytest.raises(cj.InputError, match="unknown feature 'speed'"):
        cj.local_sensitivity(cj.GDB1990(), ts, ["beta"], ["speed"])
    with pytest.raises(cj.InputError, match="mode must be auto, forward or reverse"):
        cj.local_sensitivity(cj.GDB1990(), ts, ["beta"], ["period"], mode="central")


def test_trajectory_sensitivity_matches_differences():
    ts = jnp.linspace(0.0, 4.0, 41)
    jac = cj.trajectory_sensitivity(cj.GDB1990(), ts, ["beta", "k"], rtol=1e-10, atol=1e-12)
    assert jac.shape == (41, 2, 2)
    h = 1e-6
    for j, name in enumerate(["beta", "k"]):
        p = float(getattr(cj.GDB1990(), name))
        run = lambda v, name=name: np.asarray(cj.simulate(cj.GDB1990(**{name: v}), ts, rtol=1e-10, atol=1e-12).ys)
        fd = (run(p * (1 + h)) - run(p * (1 - h))) / (2 * h * p)
        np.testing.assert_allclose(jac[:, :, j], fd, rtol=1e-4, atol=1e-4 * np.abs(fd).max())


def test_parameter_ranges_check_constraints():
    lower, upper = cj.parameter_ranges(cj.GDB1990(beta=0.5), ["beta", "VM2"], 0.2)
    np.testing.assert_allclose(lower, [0.4, 52.0])
    np.testing.assert_allclose(upper, [0.6, 78.0])
    with pytest.raises(
        cj.InputError, match=r"range ±0.5 leaves a constraint: parameter beta=1.2.* must lie in \[0, 1\]"
    ):
        cj.parameter_ranges(cj.GDB1990(beta=0.8), ["beta"], 0.5)
    with pytest.raises(cj.InputError, match="range ±1.5 leaves a constraint: parameter VM2=-32.5 is invalid"):
        cj.parameter_ranges(cj.GDB1990(), ["VM2"], 1.5)


# --- Global: Sobol and Morris on the Ishigami function ----------------------------------------------------------


def ishigami(x, a=7.0, b=0.1):
    """Ishigami & Homma (1990) test function on [−π, π]³."""
    return jnp.sin(x[0]) + a * jnp.sin(x[1]) ** 2 + b * x[2] ** 4 * jnp.sin(x[0])


# Analytic indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity Analysis,
# Wiley, §4.4): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
BOX = ([-np.pi] * 3, [np.pi] * 3)
N = 2**14


@pytest.fixture(scope="module")
def ishigami_sobol():
    return cj.sobol_indices(ishigami, *BOX, N, seed=0, bootstrap=100, chunk_size=N * 5, batch_size=N * 5)


def test_sobol_ishigami_matches_analytic_indices(ishigami_sobol):
    r = ishigami_sobol
    np.testing.assert_allclose(r.S1[0], ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(r.ST[0], ISHIGAMI_ST, atol=0.02)
    assert np.all((r.S1_low[0] <= ISHIGAMI_S1) & (ISHIGAMI_S1 <= r.S1_high[0]))
    assert np.all((r.ST_low[0] <= ISHIGAMI_ST) & (ISHIGAMI_ST <= r.ST_high[0]))
    assert r.n_evaluations == N * 5 and r.n_failed.tolist() == [0]
    sizes = [k for k, _, _ in r.convergence]
    assert sizes == [N // 8, N // 4, N // 2, N]
    np.testing.assert_array_equal(r.convergence[-1][2], r.ST)


@pytest.mark.skipif(importlib.util.find_spec("SALib") is None, reason="SALib (optional test dependency) missing")
def test_sobol_equals_salib_on_the_same_sample():
    from SALib.analyze import sobol

    n = 2**10
    A, B, AB = cj.saltelli_sample(*BOX, n, seed=3)
    f = jax.jit(jax.vmap(ishigami))
    fA, fB, fAB = np.asarray(f(A)), np.asarray(f(B)), np.asarray(jax.vmap(f)(AB))
    ours = cj.sobol_indices(ishigami, *BOX, n, seed=3, bootstrap=0, chunk_size=n * 5, batch_size=n * 5)
    # SALib's layout: per base row, A, AB_1..AB_d, B
    y = np.concatenate([fA[:, None], fAB.T, fB[:, None]], axis=1).ravel()
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    ref = sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=0)
    np.testing.assert_allclose(ours.ST[0], ref["ST"], rtol=1e-12)  # both Jansen
    np.testing.assert_allclose(ours.S1[0], ref["S1"], atol=0.03)  # Jansen vs Saltelli 2010: same limit


def test_sobol_counts_failed_rows():
    fn = lambda x: jnp.where(x[0] > 0.9, jnp.nan, x[0] + 2 * x[1])
    r = cj.sobol_indices(fn, [0, 0], [1, 1], 64, seed=1, bootstrap=0, chunk_size=64 * 4, batch_size=64 * 4)
    A, B, AB = cj.saltelli_sample([0, 0], [1, 1], 64, seed=1)
    bad = (A[:, 0] > 0.9) | (B[:, 0] > 0.9) | np.any(AB[:, :, 0] > 0.9, axis=0)
    assert r.n_failed.tolist() == [int(bad.sum())] and bad.sum() > 0
    assert np.all(np.isfinite(r.S1))
    with pytest.raises(cj.InputError, match="Sobol indices need a power of 2 ≥ 16 base samples, got 100"):
        cj.sobol_indices(fn, [0, 0], [1, 1], 100)
    with pytest.raises(cj.InputError, match="every upper bound must exceed its lower bound"):
        cj.sobol_indices(fn, [0, 1], [1, 1], 64)


@pytest.mark.skipif(importlib.util.find_spec("SALib") is None, reason="SALib (optional test dependency) missing")
def test_morris_equals_salib_on_the_same_sample():
    from SALib.analyze import morris

    r = cj.morris_effects(ishigami, *BOX, 40, seed=2, batch_size=200)
    unit = cj.morris_sample(3, 40, seed=2)
    x = -np.pi + unit.reshape(-1, 3) * 2 * np.pi
    y = np.asarray(jax.jit(jax.vmap(ishigami))(x))
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    ref = morris.analyze(problem, x, y, num_levels=4, num_resamples=10, seed=0)
    np.testing.assert_allclose(r.mu_star[0], ref["mu_star"], rtol=1e-12)
    np.testing.assert_allclose(r.mu[0], ref["mu"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.sigma[0], ref["sigma"], rtol=1e-12)


def test_morris_of_a_linear_function_is_its_slopes():
    r = cj.morris_effects(lambda x: 3 * x[0] - 2 * x[1], [0, 0], [2, 1], 8, batch_size=24)
    np.testing.assert_allclose(r.mu[0], [6.0, -2.0])  # slope × range: per unit of the normalised input
    np.testing.assert_allclose(r.mu_star[0], [6.0, 2.0])
    np.testing.assert_allclose(r.sigma[0], [0.0, 0.0], atol=1e-12)
    with pytest.raises(cj.InputError, match="Morris screening needs at least 4 trajectories, got 2"):
        cj.morris_effects(lambda x: x[0], [0], [1], 2)
