"""Published behaviour of the oscillator library, against independent scipy re-implementations written here.

The scipy right-hand sides below are typed from the papers' equations and parameter tables (and the curated model
files BIOMD0000000098 and the Physiome CellML exports), not from cicrjax, so a transcription error in either shows up
as a disagreement. Reference values quoted next to each assertion were computed by integrating those equations with
scipy (LSODA, rtol 1e-10), independently of cicrjax; each names the paper whose model it characterises.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.signal import find_peaks

import cicrjax as cj

TIGHT = dict(rtol=1e-10, atol=1e-12, max_steps=2_000_000)


def _hill(x, k, n):
    return x**n / (k**n + x**n)


def _simulate_batch(model, name, values, t_end, n):
    ts = jnp.linspace(0.0, t_end, n)
    batch = cj.batch_parameters(model, {name: jnp.asarray(values)})
    sol = jax.vmap(lambda m: cj.simulate(m, ts, **TIGHT))(batch)
    assert bool(jnp.all(sol.success))
    return np.asarray(ts), np.asarray(sol.ys)


def _reference(rhs, y0, ts, *args):
    r = solve_ivp(rhs, (ts[0], ts[-1]), y0, t_eval=ts, args=args, method="LSODA", rtol=1e-10, atol=1e-12)
    assert r.success
    return r.y.T


def _tail(ts, y, fraction):
    keep = ts >= ts[0] + (1 - fraction) * (ts[-1] - ts[0])
    return ts[keep], y[keep]


def _peaks(ts, y, fraction=0.5):
    """Peak times and heights in the last `fraction` of the trace (scipy's find_peaks)."""
    t, y = _tail(ts, y, fraction)
    i, _ = find_peaks(y, prominence=0.02 * (y.max() - y.min()) + 1e-12)
    return t[i], y[i]


def _period(ts, y):
    t, _ = _peaks(ts, y)
    return float(np.mean(np.diff(t)))


def _peak_to_peak(ts, y, fraction=0.2):
    return float(np.ptp(_tail(ts, y, fraction)[1]))


# --- Goldbeter, Dupont & Berridge 1990 ------------------------------------------------------------------------------


def _gdb_rhs(t, y, beta):
    Z, Y = y
    V2 = 65.0 * _hill(Z, 1.0, 2)
    V3 = 500.0 * _hill(Y, 2.0, 2) * _hill(Z, 0.9, 4)
    return [1.0 + 7.3 * beta - V2 + V3 + 1.0 * Y - 10.0 * Z, V2 - V3 - 1.0 * Y]


GDB_BETAS = [0.25, 0.301, 0.5, 0.75, 0.8]


@pytest.fixture(scope="module")
def gdb():
    ts, ys = _simulate_batch(cj.GDB1990(), "beta", GDB_BETAS, 100.0, 10001)
    refs = np.stack([_reference(_gdb_rhs, [0.15, 1.6], ts, b) for b in GDB_BETAS])
    return ts, ys, refs


def test_gdb_matches_scipy(gdb):
    ts, ys, refs = gdb
    np.testing.assert_allclose(ys[:, :2000], refs[:, :2000], rtol=1e-6, atol=1e-8)  # first 20 s, before phase drift


def test_gdb_period_at_beta_0301(gdb):
    ts, ys, refs = gdb
    period = _period(ts, ys[1, :, 0])
    # Goldbeter, Dupont & Berridge 1990 PNAS 87:1461 at β = 0.301 (their Fig. 2, BIOMD0000000098): period 2.08 s,
    # Z between 0.21 and 1.33 µM (independent scipy integration of the published equations and Table values)
    assert period == pytest.approx(2.08, rel=0.01)
    assert period == pytest.approx(_period(ts, refs[1, :, 0]), rel=1e-4)
    assert cj.oscillation_period(ts, ys[1, :, 0]) == pytest.approx(period, rel=1e-3)
    _, heights = _peaks(ts, ys[1, :, 0])
    assert ys[1, 5000:, 0].min() == pytest.approx(0.21, abs=0.01) and heights.max() == pytest.approx(1.33, abs=0.01)


def test_gdb_steady_outside_hopf_points_and_oscillating_between(gdb):
    ts, ys, refs = gdb
    for i, beta in enumerate(GDB_BETAS):
        ours, theirs = _peak_to_peak(ts, ys[i, :, 0]), _peak_to_peak(ts, refs[i, :, 0])
        # Hopf points of Goldbeter, Dupont & Berridge 1990 (PNAS 87:1461) at β = 0.2890 and 0.7743 (continuation of
        # the published equations with scipy): oscillations between them, a stable steady state outside
        if 0.2890 < beta < 0.7743:
            assert ours > 0.1 and theirs > 0.1, beta
            assert cj.oscillation_period(ts, ys[i, :, 0]) == pytest.approx(_period(ts, refs[i, :, 0]), rel=1e-3)
        else:
            assert ours < 1e-6 and theirs < 1e-6, beta
            assert np.isnan(cj.oscillation_period(ts, ys[i, :, 0]))
    periods = [_period(ts, ys[i, :, 0]) for i in (1, 2, 3)]
    assert periods[0] > periods[1] > periods[2]  # frequency encoding: period falls as beta rises


# --- Li & Rinzel 1994 -----------------------------------------------------------------------------------------------


def _li_rinzel_rhs(t, y, ip3):
    C, h = y
    d1, d2, d3, d5, a2, c0, c1, v1, v2, v3, k3 = 0.13, 1.049, 0.9434, 0.08234, 0.2, 2.0, 0.185, 6.0, 0.11, 0.9, 0.1
    c_er = (c0 - C) / c1
    m_inf, n_inf = ip3 / (ip3 + d1), C / (C + d5)
    q2 = d2 * (ip3 + d1) / (ip3 + d3)
    dC = -c1 * v1 * m_inf**3 * n_inf**3 * h**3 * (C - c_er) - c1 * v2 * (C - c_er) - v3 * C**2 / (C**2 + k3**2)
    return [dC, a2 * (q2 * (1 - h) - C * h)]


def test_li_rinzel_window_and_periods():
    ip3s = [0.30, 0.40, 0.60, 0.70]
    ts, ys = _simulate_batch(cj.LiRinzel1994(), "IP3", ip3s, 400.0, 8001)
    for i, ip3 in enumerate(ip3s):
        h0 = float(cj.LiRinzel1994(IP3=ip3).initial_state()[1])
        ref = _reference(_li_rinzel_rhs, [0.1, h0], ts, ip3)
        ours, theirs = _peak_to_peak(ts, ys[i, :, 0]), _peak_to_peak(ts, ref[:, 0])
        # Hopf points of Li & Rinzel 1994 (J Theor Biol 166:461, De Young–Keizer constants of their Table 1) at
        # IP3 = 0.3545 and 0.6369 µM (independent scipy continuation)
        if 0.3545 < ip3 < 0.6369:
            assert ours > 0.1 and theirs > 0.1, ip3
            assert _period(ts, ys[i, :, 0]) == pytest.approx(_period(ts, ref[:, 0]), rel=1e-3)
        else:
            assert ours < 1e-6 and theirs < 1e-6, ip3
    # Li & Rinzel 1994 (J Theor Biol 166:461): period 12.8 s at IP3 = 0.4 µM and 11.0 s at 0.6 µM (independent
    # scipy integration of their equations with Table 1's constants)
    assert _period(ts, ys[1, :, 0]) == pytest.approx(12.8, rel=0.02)
    assert _period(ts, ys[2, :, 0]) == pytest.approx(11.0, rel=0.02)


# --- Marhl et al. 2000 ----------------------------------------------------------------------------------------------

MARHL = dict(Ca_tot=90, Pr_tot=120, kp=0.1, km=0.01, r_er=0.01, r_m=0.01, b_er=0.0025, b_m=0.0025, k_pump=20, K1=5)
MARHL.update(k_leak=0.05, k_in=300, K2=0.8, k_out=125, K3=5, k_m=0.00625)


def _marhl_rhs(t, y, k_ch):
    """The paper's three-state form, with protein-bound Ca eliminated through Ca_tot."""
    c, er, m = y
    p = MARHL
    ca_pr = p["Ca_tot"] - (c + p["r_er"] / p["b_er"] * er + p["r_m"] / p["b_m"] * m)
    j_pump, j_leak = p["k_pump"] * c, p["k_leak"] * (er - c)
    j_ch = k_ch * _hill(c, p["K1"], 2) * (er - c)
    j_in = p["k_in"] * _hill(c, p["K2"], 8)
    j_out = (p["k_out"] * _hill(c, p["K3"], 2) + p["k_m"]) * m
    dc = j_ch + j_leak - j_pump + j_out - j_in + p["km"] * ca_pr - p["kp"] * c * (p["Pr_tot"] - ca_pr)
    return [dc, p["b_er"] / p["r_er"] * (j_pump - j_ch - j_leak), p["b_m"] / p["r_m"] * (j_in - j_out)]


def _height_levels(heights, tol=0.1):
    """Distinct peak-height levels: heights within `tol` (relative) of each other form one level."""
    levels = []
    for h in np.sort(heights):
        if not levels or h > levels[-1] * (1 + tol):
            levels.append(h)
    return levels


MARHL_K_CH = [2700.0, 4100.0, 5000.0]


@pytest.fixture(scope="module")
def marhl():
    """400 s at three channel rates (period-2, bursting at the published 4100 s⁻¹, steady), in one vmapped solve."""
    return _simulate_batch(cj.Marhl2000(), "k_ch", MARHL_K_CH, 400.0, 40001)


def test_marhl_total_calcium_conserved(marhl):
    _, ys = marhl
    total = np.asarray(cj.Marhl2000().total_calcium(ys))
    np.testing.assert_allclose(total, 90.0, rtol=1e-9, atol=0)


def test_marhl_regimes(marhl):
    k_chs = MARHL_K_CH
    ts, ys = marhl
    patterns = []
    for i, k_ch in enumerate(k_chs):
        ref = _reference(_marhl_rhs, [0.05, 1.0, 0.4], ts, k_ch)
        np.testing.assert_allclose(ys[i, :3000, :3], ref[:3000], rtol=1e-5, atol=1e-7)  # first 30 s
        _, ours = _peaks(ts, ys[i, :, 0], 0.4)
        _, theirs = _peaks(ts, ref[:, 0], 0.4)
        if k_ch == 5000.0:
            assert _peak_to_peak(ts, ys[i, :, 0]) < 1e-6 and _peak_to_peak(ts, ref[:, 0]) < 1e-6  # steady state
            continue
        levels = _height_levels(ours)
        assert len(levels) == 2 and levels == pytest.approx(_height_levels(theirs), rel=0.01)
        small, large = np.sum(ours < np.mean(levels)), np.sum(ours >= np.mean(levels))
        patterns.append(small / large)
    # 2700: large and small peaks alternate (2 small per large); 4100: bursting, one large and 4 small per cycle.
    assert patterns[0] == pytest.approx(2.0, abs=0.35)
    assert patterns[1] == pytest.approx(4.0, abs=0.35)


def test_marhl_without_mitochondria_is_a_simple_oscillator():
    ts = jnp.linspace(0.0, 300.0, 30001)
    model = cj.Marhl2000(mitochondria=False)
    sol = cj.simulate(model, ts, **TIGHT)
    np.testing.assert_allclose(np.asarray(sol["Ca_m"]), 0.4, rtol=1e-12)  # no mitochondrial flux at all
    _, heights = _peaks(np.asarray(ts), np.asarray(sol["c"]), 0.5)
    assert len(heights) >= 3 and len(_height_levels(heights, 0.01)) == 1  # firebreak: simple spikes


# --- Borghans, Dupont & Goldbeter 1997 ------------------------------------------------------------------------------


def _borghans_rhs(t, y, beta):
    """Model 1997b in the paper's units (µM, min); `t` in min."""
    Z, Y, A = y
    V2 = 6.5 * _hill(Z, 0.1, 2)
    V3 = 19.5 * _hill(A, 0.2, 4) * _hill(Y, 0.2, 2) * _hill(Z, 0.3, 4)
    dA = beta * 2.5 - 80.0 * _hill(A, 1.0, 2) * _hill(Z, 0.4, 4) - 0.1 * A
    return [2.0 + 1.0 * beta - V2 + V3 + 1.0 * Y - 10.0 * Z, V2 - V3 - 1.0 * Y, dA]


def test_borghans_simple_and_bursting():
    betas = [0.3, 0.5]
    ts, ys = _simulate_batch(cj.Borghans1997(), "beta", betas, 3000.0, 30001)
    for i, beta in enumerate(betas):
        ref = _reference(_borghans_rhs, [0.1, 1.0, 0.5], ts / 60.0, beta)  # the reference runs in minutes
        np.testing.assert_allclose(ys[i, :5000], ref[:5000], rtol=1e-5, atol=1e-7)  # first 500 s
        _, heights = _peaks(ts, ys[i, :, 0])
        levels = _height_levels(heights, 0.02)
        if beta == 0.3:
            assert len(levels) == 1 and len(heights) >= 10  # simple oscillations
        else:
            assert len(levels) >= 3 and max(heights) > 1.5 * min(heights)  # bursting: one large, several smaller


# --- Sneyd & Dufour 2002 against the PEtab benchmark ---------------------------------------------------------------


def _read_tsv(path):
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line.strip()]


def test_sneyd2002_reproduces_petab_simulation_and_nll(shared_data):
    folder = shared_data / "petab-sneyd2002"
    conditions = {row["conditionId"]: row for row in _read_tsv(folder / "experimentalCondition_Sneyd_PNAS2002.tsv")}
    simulated = _read_tsv(folder / "simulatedData_Sneyd_PNAS2002.tsv")
    measured = _read_tsv(folder / "measurementData_Sneyd_PNAS2002.tsv")
    ids = sorted(conditions)
    ts = np.array(sorted({float(r["time"]) for r in measured}))
    batch = cj.batch_parameters(
        cj.Sneyd2002(),
        {
            "Ca": jnp.array([float(conditions[c]["Ca"]) for c in ids]),
            "IP3": jnp.array([float(conditions[c]["IP3"]) for c in ids]),
        },
    )
    sol = jax.vmap(lambda m: cj.simulate(m, jnp.asarray(ts), **TIGHT))(batch)
    p_open = np.asarray(cj.Sneyd2002().open_probability(sol.ys))  # [condition, time]
    # simulatedData_Sneyd_PNAS2002.tsv carries the trajectories of Ca_dose_response__5 (Ca = 3 µM) and __6
    # (Ca = 10 µM) under each other's ids; with the condition table as given, the NLL below matches AMICI's value.
    swapped = {"Ca_dose_response__5": "Ca_dose_response__6", "Ca_dose_response__6": "Ca_dose_response__5"}
    lookup = {}
    for r in simulated:
        cid = swapped.get(r["simulationConditionId"], r["simulationConditionId"])
        lookup[(ids.index(cid), float(r["time"]))] = r
    for (c, t), row in lookup.items():
        assert p_open[c, np.searchsorted(ts, t)] == pytest.approx(float(row["simulation"]), abs=2e-6)  # AMICI tolerance
    sigma = 0.022665679544462  # nominal noise parameter, parameters_Sneyd_PNAS2002.tsv
    residuals = np.array(
        [
            float(r["measurement"])
            - p_open[ids.index(r["simulationConditionId"]), np.searchsorted(ts, float(r["time"]))]
            for r in measured
        ]
    )
    nll = 0.5 * np.sum(np.log(2 * np.pi * sigma**2) + (residuals / sigma) ** 2)
    assert len(residuals) == 135
    assert nll == pytest.approx(-319.79177818768756, abs=1e-4)  # AMICI reference, reference_values.tsv
    np.testing.assert_allclose(np.asarray(sol.ys).sum(-1), 1.0, rtol=1e-10)  # receptor states are conserved
