"""Species parameter sets of the Shannon cardiac structure: fluxes against the authors' MATLAB code, steady pacing.

References are the published model codes, transcribed here independently in their own units (mM, ms, A/F):
Grandi, Pasqualini & Bers 2010 (J Mol Cell Cardiol 48:112; github.com/drgrandilab/
Grandi-Pasqualini-Bers-Human-Ventricular-Model, human_vclamp.m) and Morotti et al. 2014 (J Physiol 592:1181;
github.com/drgrandilab/Morotti-et-al-2014-Mouse-Ventricular-Model, morotti_et_al_mouse_eccODEfile.m).
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
from cicrjax._fluxes import AllostericNCX, MahajanLType, ReversiblePump, ShannonLTypeGates

F, R, T = 96485.0, 8314.0, 310.0
FoRT = F / R / T
V_MYO = 0.65 * math.pi * 10.25**2 * 100.0 * 1e-15  # L, the cell of both codes


def _per_cytosol(current_density, c_mem):
    """µM/s of Ca per litre cytosol carried by a Ca current density (A/F) on a membrane of c_mem farad."""
    return current_density * c_mem / (V_MYO * F) * 1e6


def _grandi_ncx(V, ca, na_i=9.06, ca_o=1.8, na_o=140.0):
    """I_ncx of human_vclamp.m (A/F, Ca influx positive), concentrations in mM."""
    IbarNCX, KmCai, KmCao, KmNai, KmNao, ksat, nu, Kdact = 4.5, 3.59e-3, 1.3, 12.29, 87.5, 0.32, 0.27, 0.150e-3
    ka = 1 / (1 + (Kdact / ca) ** 2)
    s1 = math.exp(nu * V * FoRT) * na_i**3 * ca_o
    s2 = math.exp((nu - 1) * V * FoRT) * na_o**3 * ca
    s3 = KmCai * na_o**3 * (1 + (na_i / KmNai) ** 3) + KmNao**3 * ca * (1 + ca / KmCai) + KmCao * na_i**3
    s3 += na_i**3 * ca_o + na_o**3 * ca
    return IbarNCX * ka * (s1 - s2) / s3 / (1 + ksat * math.exp((nu - 1) * V * FoRT))


@pytest.mark.parametrize("V, ca_uM", [(-80.0, 0.1), (-80.0, 1.0), (20.0, 0.3), (40.0, 2.0)])
def test_human_ncx_equals_grandi_code(V, ca_uM):
    m = cj.CardiacHuman()
    ncx = AllostericNCX(m.V_max_NCX, m.K_mCai, m.K_mCao, m.K_mNai, m.K_mNao, m.K_d_act, m.k_sat, m.eta, m.n_NCX)
    ours = ncx(cj.reduced_potential(jnp.asarray(V), m.T), ca_uM, m.Na_i, m.Na_o, m.Ca_o)
    expected = _per_cytosol(_grandi_ncx(V, ca_uM * 1e-3), 1.3810e-10)  # Grandi's Cmem
    assert float(ours) == pytest.approx(expected, rel=1e-4)


def test_human_ltype_gates_and_permeability_equal_grandi_code():
    m = cj.CardiacHuman()
    gates = ShannonLTypeGates(m.k_fCa_on, m.k_fCa_off, m.V_d, m.V_f, m.k_f)
    for V in (-60.0, -20.0, 0.0, 25.0):
        d_inf, f_inf = gates.steady_state(jnp.asarray(V))
        dss = 1 / (1 + math.exp(-(V + 5) / 6.0))  # human_vclamp.m
        fss = 1 / (1 + math.exp((V + 35) / 9)) + 0.6 / (1 + math.exp((50 - V) / 20))
        assert (float(d_inf), float(f_inf)) == pytest.approx((dss, fss), rel=1e-12)
    # pCa = 0.50 × 5.4e-4 cm/s against Shannon's 5.4e-4 (rabbit.m), with the same cell and capacitance
    y = cj.Cardiac().initial_state()
    at = lambda model: model.trigger_flux(y.at[7].set(0.5))  # noqa: E731  (d open halfway, at V = 0 mV)
    human, rabbit = cj.CardiacHuman(V=0.0, Ca_o=1800.0), cj.Cardiac(V=0.0)
    assert float(at(human)) == pytest.approx(0.5 * float(at(rabbit)), rel=1e-12)


def test_mouse_serca_and_ncx_scale_equal_morotti_code():
    m = cj.CardiacMouse()
    serca = ReversiblePump(m.V_max_SERCA, m.K_m_SERCA, m.K_r_SERCA, m.n_SERCA)
    for ca_i, ca_sr in ((0.1, 600.0), (0.8, 400.0)):
        # morotti_et_al_mouse_eccODEfile.m, mM/ms per litre cytosol, no phosphorylation (factors 1)
        Vmax, Kmf, Kmr, h = 1.15 * 1.15 * 2.86e-4, 0.3e-3, 2.1, 1.787
        c, s = ca_i * 1e-3, ca_sr * 1e-3
        j = Vmax * ((c / Kmf) ** h - (s / Kmr) ** h) / (1 + (c / Kmf) ** h + (s / Kmr) ** h)
        assert float(serca(ca_i, ca_sr)) == pytest.approx(j * 1e6, rel=1e-9)
    # IbarNCX = 1 A/F on Cmem = Acell × 1e-14 F/µm² = 200 pF (mouse), the rabbit cell volume
    assert float(m.V_max_NCX) == pytest.approx(_per_cytosol(1.0, 20e3 * 1e-14), rel=1e-4)
    # cleft-to-SL diffusion from the mouse geometry: D × SAjunc / distJuncSL, SAjunc = Njunc·2π·jL·jR
    n_junc = 0.1875 * 20e3 / (math.pi * 0.160**2)
    j_ca_juncsl = 1.64e-6 * n_junc * math.pi * 2 * 15e-3 * 160e-3 / 0.3 * 1e-10  # L/ms
    assert float(m.D_j_sl) == pytest.approx(j_ca_juncsl * 1e15 * 1e3, rel=1e-9)
    j_ca_slmyo = 1.22e-6 * (1 - 0.1875) * 20e3 / 0.45 * 1e-10  # D × SAsl / distSLcyto, SAsl = Fsl × Acell
    assert float(m.D_sl_myo) == pytest.approx(j_ca_slmyo * 1e15 * 1e3, rel=1e-6)


_SHANNON_GATES = ("d", "f", "fCaB_j", "fCaB_sl")
_GATE_PARAMETERS = ("k_fCa_on", "k_fCa_off", "V_d", "V_f", "k_f")


@pytest.mark.parametrize("cls", [cj.CardiacHuman, cj.CardiacMouse])
def test_species_sets_share_cardiac_equations_and_satisfy_their_constraints(cls):
    """Both sets are Cardiac's equations and parameters; cardiac-mouse replaces Shannon's L-type gates (4 states, 5
    parameters) with Morotti's Markov channel, 6 states in the cleft and 6 under the sarcolemma."""
    model = cls()
    assert isinstance(model, cj._models.shannon_cardiac.AbstractShannonCardiac)
    names = [p.name for p in cj.Cardiac.parameters()]
    if cls is cj.CardiacMouse:
        channel = [f"LCC_{x}_{c}" for c in ("j", "sl") for x in ("C2", "C1", "I1Ca", "I2Ca", "I1Ba", "I2Ba")]
        states = [s for s in cj.Cardiac.states if s not in _SHANNON_GATES]
        assert list(model.states) == states[:7] + channel + states[7:]
        names = [n for n in names if n not in _GATE_PARAMETERS]
    else:
        assert model.states == cj.Cardiac.states
    assert [p.name for p in cls.parameters()] == names
    for p in cls.parameters():
        p.check(float(getattr(model, p.name)))
        assert getattr(model, p.name).dtype == jnp.float64
    assert model.initial_state().shape == (len(model.states),) and model.name in cj.MODELS


def _morotti_lcc_mode1(V, x, caj):
    """dx/dt (1/ms) of the mode-1 junctional L-type channel of morotti_et_al_mouse_eccODEfile.m, transcribed in its
    own units (ms, mM): x = C2, C1, I1Ca, I2Ca, I1Ba, I2Ba (y(60)-y(65))."""
    c2, c1, i1ca, i2ca, i1ba, i2ba = x
    po = 1.0 - sum(x)
    taupo, TBa, s1o, k1o, kop, cpbar, tca, recoveryReduc = 1, 450, 0.0221, 0.03, 2.5e-3, 8e-3, 78.0312, 3
    poss = 1 / (1 + math.exp(-V / 8))
    fcaj = 1 / (1 + (kop / caj) ** 3)
    Rv = 10 + 4954 * math.exp(V / 15.6)
    PrLCC = 1 - 1 / (1 + math.exp(-(V + 40) / 4))
    PsLCC = 1 / (1 + math.exp(-(V + 40) / 11.32))
    TCaj = (tca + 0.1 * (1 + (caj / cpbar) ** 2)) / (1 + (caj / cpbar) ** 2)
    tauCaj = (Rv - TCaj) * PrLCC + TCaj
    tauBa = (Rv - TBa) * PrLCC + TBa
    alpha, beta = poss / taupo, (1 - poss) / taupo
    r1, r2 = 0.3, 3
    s1, s1p, k1, k1p, k2, k2p = s1o * fcaj, 0.00195, k1o * fcaj, 0.00413, 1e-4, 0.00224
    s2, s2p = s1 * (k2 / k1) * (r1 / r2), s1p * (k2p / k1p) * (r1 / r2)
    k3 = math.exp(-(V + 40) / 3) / (3 * (1 + math.exp(-(V + 40) / 3)))
    k5, k6 = (1 - PsLCC) / tauCaj / recoveryReduc, fcaj * PsLCC / tauCaj
    k5p, k6p = (1 - PsLCC) / tauBa / recoveryReduc, PsLCC / tauBa
    k4 = k3 * (alpha / beta) * (k1 / k2) * (k5 / k6)
    k4p = k3 * (alpha / beta) * (k1p / k2p) * (k5p / k6p)
    return [
        beta * c1 + k5 * i2ca + k5p * i2ba - (k6 + k6p + alpha) * c2,
        alpha * c2 + k2 * i1ca + k2p * i1ba + r2 * po - (r1 + beta + k1 + k1p) * c1,
        k1 * c1 + k4 * i2ca + s1 * po - (k2 + k3 + s2) * i1ca,
        k3 * i1ca + k6 * c2 - (k4 + k5) * i2ca,
        k1p * c1 + k4p * i2ba + s1p * po - (k2p + k3 + s2p) * i1ba,
        k3 * i1ba + k6p * c2 - (k5p + k4p) * i2ba,
    ]


_LCC_STATE = [0.30, 0.20, 0.10, 0.15, 0.05, 0.12]  # open 0.08


@pytest.mark.parametrize("V, ca_uM", [(-85.0, 0.1), (-40.0, 1.0), (0.0, 5.0), (30.0, 20.0)])
def test_mouse_ltype_markov_rates_equal_morotti_code(V, ca_uM):
    """cardiac-mouse's L-type channel (MahajanLType) against Morotti's mode-1 channel written out above, over
    resting to plateau voltages and cleft Ca from diastolic to release levels."""
    ours = cj.with_parameters(cj.CardiacMouse(), {"V": V})._ltype(
        _mouse_state(_LCC_STATE, ca_uM), cj.reduced_potential(jnp.asarray(V), 310.0, 2.0)
    )[2][:6]
    np.testing.assert_allclose(np.asarray(ours) * 1e-3, _morotti_lcc_mode1(V, _LCC_STATE, ca_uM * 1e-3), rtol=1e-9)


def _mouse_state(channel, ca_j):
    """cardiac-mouse's stored rest with the junctional channel states `channel` and cleft Ca `ca_j` (µM)."""
    y = cj.CardiacMouse().initial_state()
    return y.at[7:13].set(jnp.asarray(channel)).at[3].set(ca_j)


def test_mouse_ltype_flux_equals_morotti_current():
    """The cleft L-type Ca flux is Morotti's I_Ca_junc_m1 = Fjunc_CaL · ibarca_jm1 · Po · ICa_scale (A/F, with the
    code's fixed 1 µM inner Ca against 0.341 Ca_o) carried into the cytosol volume by his 200 pF membrane,
    ydot(36) = −I_Ca_tot_junc · Cmem/(V · 2F)."""
    V, po = 10.0, 1.0 - sum(_LCC_STATE)
    model = cj.with_parameters(cj.CardiacMouse(), {"V": V})
    y = _mouse_state(_LCC_STATE, 30.0)
    cal_j, _, _ = model._ltype(y, cj.reduced_potential(jnp.asarray(V), 310.0, 2.0))
    pCa, Cao = 1.65 * 5.4e-4, 1.0
    ibarca = 4 * pCa * V * F * FoRT * (0.001 * math.exp(2 * V * FoRT) - 0.341 * Cao) / (math.exp(2 * V * FoRT) - 1)
    current = 0.9 * ibarca * po * 5.25
    assert float(cal_j) == pytest.approx(_per_cytosol(-current, 20e3 * 1e-14) / 2, rel=1e-4)  # two charges per Ca


def test_mouse_ltype_rates_have_finite_difference_derivatives():
    """The Markov rates' forward-mode derivatives in V and cleft Ca equal central differences (the cancelled
    f_c and τ in k4 keep them finite at diastolic Ca)."""
    x = jnp.asarray(_LCC_STATE)
    rates = jax.jit(lambda V, c: MahajanLType().rates(V, x, c))
    jacobian = jax.jit(jax.jacfwd(lambda V, c: MahajanLType().rates(V, x, c), argnums=(0, 1)))
    for V, c in ((-70.0, 0.1), (5.0, 8.0)):
        V, c = jnp.asarray(V), jnp.asarray(c)
        for exact, hV, hc in zip(jacobian(V, c), (1e-5 * abs(V), 0.0), (0.0, 1e-5 * c), strict=True):
            h = hV + hc
            central = (rates(V + hV, c + hc) - rates(V - hV, c - hc)) / (2 * h)
            np.testing.assert_allclose(exact, central, rtol=1e-5, atol=1e-6 * float(jnp.abs(exact).max()))


def test_pace_drives_cardiac_mouse_with_a_mouse_action_potential():
    """`pace` shapes cardiac-mouse's beats as a mouse action potential, with no plateau: repolarised (relative to
    the 100 mV plateau above rest) by 50 % at 23 ms and 90 % at 69 ms, as the comb paced heart's optical action
    potential (vm_bcl140_pacing.csv), and by 80 % at 47.5 ms, the baseline APD80 of the heart-rate-control script
    distributed with Morotti's code (within 5 %); the rabbit set keeps `paced`'s plateau (half-repolarised at
    180 ms)."""
    mouse = cj.pace(cj.CardiacMouse(), 1.0, count=1).stimuli["V"]
    rabbit = cj.pace(cj.Cardiac(), 1.0, count=1).stimuli["V"]
    left = lambda stim, t: (float(stim(t)) + 85.0) / 100.0  # noqa: E731  (v_rest -85 mV, v_plateau +15 mV)
    assert left(mouse, 0.023) == pytest.approx(0.5, rel=1e-2)
    assert left(mouse, 0.069) == pytest.approx(0.1, rel=1e-2)
    assert left(mouse, 0.95 * 0.0475) > 0.2 > left(mouse, 1.05 * 0.0475)  # APD80 within 5 % of 47.5 ms
    assert left(rabbit, 0.069) > 0.99 and left(rabbit, 0.18) == pytest.approx(0.5, rel=1e-2)


@pytest.fixture(scope="module", params=["cardiac-human", "cardiac-mouse"])
def two_beats(request):
    """Two beats at 1 Hz from the stored diastolic state, with release and trigger fluxes (one compile each)."""
    model = cj.get_model(request.param)()
    ts = jnp.linspace(0.0, 2.0, 2001)
    protocol = cj.pace(model, 1.0, count=2)

    @jax.jit
    def run(model):
        sol = cj.simulate(model, ts, protocol=protocol, solver=cj.Rodas4())
        at = jax.vmap(lambda t: protocol.apply(model, t))(ts)
        release = jax.vmap(lambda m, y: m.release_flux(y))(at, sol.ys)
        trigger = jax.vmap(lambda m, y: m.trigger_flux(y))(at, sol.ys)
        total = jax.vmap(model.total_calcium)(sol.ys)
        return sol.ys, release, trigger, total, sol.success

    return request.param, np.asarray(ts), [np.asarray(a) for a in run(model)]


def test_stored_rest_is_the_1hz_steady_state_and_beats_are_transients(two_beats):
    name, ts, (ys, release, trigger, total, ok) = two_beats
    assert ok
    ca, sr = ys[:, 0], ys[:, 1]
    np.testing.assert_allclose([ca[1000], ca[2000]], ca[0], rtol=2e-3)  # diastolic Ca repeats beat to beat
    np.testing.assert_allclose([sr[1000], sr[2000]], sr[0], rtol=2e-3)
    assert ca[:1000].max() > 3.0 * ca[0]  # a transient, not a drift
    # steady state: the cell gains no Ca over a beat (entry = extrusion, release = uptake)
    assert abs(total[1000] - total[0]) < 1e-3 * total[0]


def test_rodent_release_per_entry_reaches_seven_where_serca_dominates(two_beats):
    """At steady pacing release equals SERCA uptake and entry equals extrusion, so released/entered is the
    SERCA : sarcolemmal ratio of Ca removal; Bers 2002 (Nature 415:198) gives SERCA 92 % in rat (ratio 11.5), the
    rodent figure; >= 87.5 % means >= 7."""
    name, ts, (ys, release, trigger, total, ok) = two_beats
    if name != "cardiac-mouse":
        pytest.skip("a rodent figure")
    beat = slice(1000, 2001)
    assert np.trapezoid(release[beat], ts[beat]) / np.trapezoid(trigger[beat], ts[beat]) >= 7.0


@pytest.mark.xfail(
    strict=True,
    reason="Bers 2002 (Nature 415:198): human ventricle removes Ca as rabbit does, SERCA about 70 % (released/"
    "entered about 2.3); cardiac-human (Grandi's halved NCX, rabbit-like paced waveform) gives 6.2 (SERCA 86 %)",
)
def test_human_serca_share_matches_bers_2002(two_beats):
    name, ts, (ys, release, trigger, total, ok) = two_beats
    if name != "cardiac-human":
        pytest.skip("a human figure")
    beat = slice(1000, 2001)
    assert np.trapezoid(release[beat], ts[beat]) / np.trapezoid(trigger[beat], ts[beat]) < 3.5


def test_rat_values_equal_gattoni_cellml():
    """cardiac-rat against Gattoni et al. 2016 (J Physiol 594:4193), Gattoni_6Hz.cellml, in the file's mM, ms, µm³,
    mV (1 µL = 1e9 µm³), converted here to µM, s."""
    m = cj.CardiacRat()
    cellml = {  # name: (CellML value, factor to cicrjax units)
        "g_D": (0.099, 1e3), "J_R": (0.02, 1e3), "J_L": (0.0007, 1e3), "N": (50000, 1), "V_L": (-9, 1),
        "del_VL": (7, 1), "phi_L": (11.5, 1), "t_L": (1, 1e-3), "tau_L": (1450, 1e-3), "tau_R": (2.4, 1e-3),
        "phi_R": (0.05, 1), "theta_R": (0.012, 1), "K_RyR": (0.065, 1e3), "K_L": (0.0006, 1e3), "a": (0.0625, 1),
        "b": (14, 1), "c": (0.01, 1), "d": (100, 1), "K_mNa": (87.5, 1e3), "K_mCa": (1.38, 1e3), "eta": (0.35, 1),
        "k_sat": (0.1, 1), "g_NCX": (0.0515, 1e6), "g_SERCA": (0.00068, 1e6), "K_SERCA": (0.00045, 1e3),
        "g_pCa": (5e-6, 1e6), "K_mpCa": (0.00035, 1e3), "g_CaB": (5.10875e-8, 1e6), "g_SRl": (7.11e-6, 1e3),
        "k_m_TRPN": (0.04, 1e3), "k_p_TRPN": (40, 1), "B_TRPN": (0.07, 1e3), "k_CMDN": (0.002382, 1e3),
        "B_CMDN": (0.05, 1e3), "Ca_o": (1.8, 1e3), "Na_o": (140, 1e3), "Na_i": (13.6747825911218, 1e3),
        "T": (310, 1), "V_myo": (2.585e-5 * 1e9, 1), "V_SR": (2.098e-6 * 1e9, 1),
    }  # fmt: skip
    assert set(cellml) == {p.name for p in cj.CardiacRat.parameters()} - {"V"}
    for name, (value, factor) in cellml.items():
        assert float(getattr(m, name)) == pytest.approx(value * factor, rel=1e-4), name
    assert m.states == cj.Hinch2004.states and "cardiac-rat" in cj.MODELS
    for p in cj.CardiacRat.parameters():  # test_conformance.py skips this set (hinch2004's equations)
        p.check(float(getattr(m, p.name)))
        assert getattr(m, p.name).dtype == jnp.float64
    assert m.initial_state().shape == (6,) and m.citation


@pytest.fixture(scope="module")
def rat_beats():
    """Two beats of cardiac-rat at 6 Hz with a 20 ms action potential from its stored state (one compile)."""
    model = cj.CardiacRat()
    ts = jnp.arange(0.0, 2.0 / 6.0, 5e-4)
    protocol = cj.paced(6.0, count=2, apd=0.02)

    @jax.jit
    def run(model):
        sol = cj.simulate(model, ts, protocol=protocol)
        at = jax.vmap(lambda t: protocol.apply(model, t))(ts)
        release = jax.vmap(lambda m, y: m.release_flux(y))(at, sol.ys)
        trigger = jax.vmap(lambda m, y: m.trigger_flux(y))(at, sol.ys)
        return sol.ys, release, trigger, sol.success

    return np.asarray(ts), [np.asarray(a) for a in run(model)]


def test_rat_stored_state_is_the_6hz_steady_state(rat_beats):
    """Beat-to-beat repetition at 6 Hz; diastolic Ca against the authors' own 6 Hz state, the initial Ca_i of
    Gattoni_6Hz.cellml, 0.247 µM (their Pandit 2001 action potential, not this 20 ms waveform: within 20 %)."""
    ts, (ys, release, trigger, ok) = rat_beats
    assert ok
    n = len(ts) // 2
    ca, sr = ys[:, 0], ys[:, 1]
    np.testing.assert_allclose([ca[n], sr[n]], [ca[0], sr[0]], rtol=2e-3)
    assert ca[:n].max() > 3.0 * ca[0]
    assert ca[0] == pytest.approx(0.247, rel=0.2)


def test_rat_release_per_entry_reaches_seven(rat_beats):
    """Bers 2002 (Nature 415:198): SERCA removes 92 % of the Ca in rat ventricle, so at steady pacing Ca released
    per Ca entered is 92/8 = 11.5; >= 87.5 % (a ratio of 7) is asserted."""
    ts, (ys, release, trigger, ok) = rat_beats
    n = len(ts) // 2
    assert np.trapezoid(release[n:], ts[n:]) / np.trapezoid(trigger[n:], ts[n:]) >= 7.0
