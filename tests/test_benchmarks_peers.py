"""The benchmark peers get the same equations: plain-float scipy right-hand sides and libRoadRunner's Antimony
models against cicrjax (derivatives, trajectories with non-default parameters, CVODES sensitivities against finite
differences), and the console script's compilation-cache setting. libRoadRunner tests skip when it is absent."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
from benchmarks import _roadrunner
from benchmarks._reference import solve
from benchmarks._scipy_models import RHS, parameters
from cicrjax._cli.main import compilation_cache_dir

NAMES = ("gdb1990", "li-rinzel1994", "marhl2000")
# Non-default values (within each model's oscillatory range), so a misnamed parameter cannot go unnoticed.
CHANGED = {
    "gdb1990": {"VM2": 70.0, "VM3": 450.0, "KA": 0.95, "beta": 0.35, "Z_init": 0.2},
    "li-rinzel1994": {"IP3": 0.45, "v3": 0.85, "a2": 0.21, "C_init": 0.12},
    "marhl2000": {"k_ch": 3900.0, "k_in": 310.0, "K3": 5.2, "c_init": 0.06},
}


def _model(name):
    model = cj.get_model(name)()
    return cj.with_parameters(model, CHANGED[name])


def _roadrunner_or_skip():
    why = _roadrunner.missing()
    if why:
        pytest.skip(f"libRoadRunner peer unavailable: {why}")


@pytest.mark.parametrize("name", NAMES)
def test_scipy_rhs_equals_cicrjax_derivative(name):
    model = _model(name)
    f = RHS[name](parameters(model))
    y0 = np.asarray(model.initial_state())
    rng = np.random.default_rng(0)
    for _ in range(5):
        y = y0 * rng.uniform(0.5, 1.5, y0.shape)
        np.testing.assert_allclose(f(0.0, y), np.asarray(model.derivative(0.0, jnp.asarray(y))), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_roadrunner_model_follows_cicrjax(name):
    """The Antimony model, given cicrjax's parameter values, reproduces cicrjax's trajectory (tight tolerances)."""
    _roadrunner_or_skip()
    model = _model(name)
    ts = np.linspace(0.0, 5.0, 51)
    ours = np.asarray(cj.simulate(model, jnp.asarray(ts), rtol=1e-11, atol=1e-13).ys)
    rr = _roadrunner.load(name, rtol=1e-11, atol=1e-13)
    ids = set(rr.model.getGlobalParameterIds())  # initial values (`*_init`) reach the file through y0
    params = {k: v for k, v in CHANGED[name].items() if k in ids}
    assert set(CHANGED[name]) - set(params) <= {k for k in CHANGED[name] if k.endswith("_init")}
    theirs = _roadrunner.simulate(rr, model.states, ts, params=params, y0=np.asarray(model.initial_state()))
    np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=1e-8)
    # The file's own initial state and defaults equal cicrjax's published ones.
    default = cj.get_model(name)()
    rr = _roadrunner.load(name, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(_roadrunner.simulate(rr, default.states, ts[:2])[0], default.initial_state(), rtol=1e-12)


def test_roadrunner_hinch2004_follows_cicrjax():
    """The stiff muscle model's Antimony form (benchmarks/models/hinch2004.ant), clamped at 5 mV with two changed
    parameters, follows cicrjax's trajectory over 0.2 s (both at tolerance 1e-11), from the same initial state."""
    _roadrunner_or_skip()
    changed = {"V": 5.0, "J_R": 24.0, "g_SERCA": 500.0}
    model = cj.with_parameters(cj.Hinch2004(), changed)
    ts = np.linspace(0.0, 0.2, 41)
    ours = np.asarray(cj.simulate(model, jnp.asarray(ts), rtol=1e-11, atol=1e-13, max_steps=200_000).ys)
    rr = _roadrunner.load("hinch2004", rtol=1e-11, atol=1e-13)
    theirs = _roadrunner.simulate(rr, model.states, ts, params=changed)
    np.testing.assert_allclose(theirs[0], np.asarray(model.initial_state()), rtol=1e-12)
    scale = np.abs(ours).max(axis=0)  # states span 1e-3 (gating fractions) to 1e3 µM (SR Ca)
    np.testing.assert_allclose(theirs / scale, ours / scale, rtol=1e-6, atol=1e-8)


def test_roadrunner_cardiac_follows_cicrjax():
    """The paced cardiac beat's Antimony form (benchmarks/models/cardiac.ant, generated from cicrjax.Cardiac's own
    parameter values by benchmarks/_cardiac_antimony.py) with three changed parameters and a 150 ms action potential
    follows cicrjax's trajectory over one 1 Hz beat (cicrjax at rtol 1e-10, CVODE at 1e-11; measured agreement
    5e-10 of each state's range), from the same initial state. cicrjax runs Tsit5: at this tolerance accuracy, not
    stiffness, sets its steps (2,451), and it compiles in a quarter of the CPU time of the default Ros34PW2
    (whose solution it equals to 8e-11)."""
    _roadrunner_or_skip()
    from benchmarks._cardiac_antimony import PATH, antimony

    assert PATH.read_text() == antimony(), "regenerate: python -m benchmarks._cardiac_antimony"
    changed = {"K_act": 90.0, "V_max_SERCA": 320.0, "P_CaL": 0.6}
    model = cj.with_parameters(cj.Cardiac(), changed)
    ts = np.linspace(0.0, 1.0, 101)
    protocol = cj.paced(1.0, count=1, apd=0.15)
    ours = np.asarray(cj.simulate(model, jnp.asarray(ts), protocol=protocol, rtol=1e-10, atol=1e-13,
                                  max_steps=20_000, solver=diffrax.Tsit5()).ys)  # fmt: skip
    rr = _roadrunner.load("cardiac", rtol=1e-11, atol=1e-14)
    theirs = _roadrunner.simulate(rr, model.states, ts, params={**changed, "ap_apd": 0.15})
    np.testing.assert_allclose(theirs[0], np.asarray(model.initial_state()), rtol=1e-12)
    assert ours[:, 0].max() > 3 * ours[0, 0]  # a transient, so the waveform and the release are exercised
    scale = np.abs(ours).max(axis=0)  # states span 1e-7 (open RyRs) to 1e3 µM (SR Ca)
    np.testing.assert_allclose(theirs / scale, ours / scale, rtol=1e-7, atol=1e-8)


def test_roadrunner_sensitivities_match_finite_differences():
    """CVODES forward sensitivities of gdb1990 for the benchmark's five parameters (a leading block) are dZ/dp."""
    _roadrunner_or_skip()
    names = ["VM2", "VM3", "KA", "K2", "KR"]
    model = cj.GDB1990()
    ts = np.linspace(0.0, 2.0, 21)
    ys, sens = _roadrunner.sensitivities("gdb1990", model.states, ts, names, rtol=1e-8, atol=1e-10)
    base, y0 = parameters(model), np.asarray(model.initial_state())
    np.testing.assert_allclose(ys, solve("gdb1990", base, y0, ts, method="DOP853", rtol=1e-12, atol=1e-14), atol=1e-6)
    for i, k in enumerate(names):
        fd = _central_difference(base, k, y0, ts)
        np.testing.assert_allclose(sens[:, i, :], fd, rtol=1e-4, atol=1e-6 * np.abs(fd).max(), err_msg=k)
    with pytest.raises(ValueError, match="leading global parameters"):
        _roadrunner.sensitivities("gdb1990", model.states, ts, ["KA"], rtol=1e-8, atol=1e-10)
    # At changed parameter values (the pyPESTO peer's fits): dZ/dp against central differences there.
    values = {"VM2": 60.0, "VM3": 520.0, "KA": 0.85}
    ys, sens = _roadrunner.sensitivities("gdb1990", model.states, ts, list(values), rtol=1e-9, atol=1e-12,
                                         values=values)  # fmt: skip
    changed = {**base, **values}
    np.testing.assert_allclose(ys, solve("gdb1990", changed, y0, ts, method="DOP853", rtol=1e-12, atol=1e-14),
                               atol=1e-6)  # fmt: skip
    for i, k in enumerate(values):
        fd = _central_difference(changed, k, y0, ts)
        np.testing.assert_allclose(sens[:, i, :], fd, rtol=1e-4, atol=1e-5 * np.abs(fd).max(), err_msg=k)


def _central_difference(params, k, y0, ts):
    """d(states)/d params[k] by central differences (relative step 1e-6) of the DOP853 reference of gdb1990."""
    h = 1e-6 * params[k]
    up = solve("gdb1990", {**params, k: params[k] + h}, y0, ts, method="DOP853", rtol=1e-13, atol=1e-15)
    down = solve("gdb1990", {**params, k: params[k] - h}, y0, ts, method="DOP853", rtol=1e-13, atol=1e-15)
    return (up - down) / (2 * h)


def test_compilation_cache_dir_from_environment(tmp_path):
    assert compilation_cache_dir({}).endswith("/.cache/cicrjax/jax")
    assert compilation_cache_dir({"CICRJAX_CACHE_DIR": str(tmp_path)}) == str(tmp_path)
    assert compilation_cache_dir({"CICRJAX_CACHE_DIR": ""}) is None


def test_jax_cache_setting_is_untouched_by_in_process_calls():
    """Calls with an explicit argv (tests, embedding) leave JAX's configuration alone."""
    from cicrjax._cli.main import main

    before = jax.config.jax_compilation_cache_dir
    assert main(["models"]) == 0
    assert jax.config.jax_compilation_cache_dir == before


def test_pypesto_peer_objective_gradient_matches_finite_differences():
    """The pyPESTO peer's objective (benchmarks/pypesto_peer.py): offset and scale profiled out exactly (a trace
    0.1 + 2·Z at the generating parameters leaves zero residuals), and its gradient Jᵀr from CVODES
    sensitivities (Kaufman's variable-projection Jacobian in ln p) equals central differences of ½‖r‖²."""
    _roadrunner_or_skip()
    from benchmarks.pypesto_peer import ProfiledResiduals

    ts = np.linspace(0.0, 3.0, 151)
    x = np.log([65.0, 500.0, 0.9])
    rr = _roadrunner.load("gdb1990", rtol=1e-10, atol=1e-12)
    z = _roadrunner.simulate(rr, ("Z",), ts)[:, 0]
    exact = ProfiledResiduals(ts, 0.1 + 2.0 * z)
    assert np.abs(exact(x)[0]).max() < 1e-4  # in units of σ = 0.05 µM: 5e-6 µM, CVODES at rtol 1e-8
    noisy = ProfiledResiduals(ts, 0.1 + 2.0 * z + 0.05 * np.random.default_rng(0).standard_normal(ts.shape))
    x = np.log([60.0, 520.0, 0.85])
    _, grad, fim = noisy.fun(x)
    h = 1e-5
    fd = np.array([(noisy.fun(x + h * e)[0] - noisy.fun(x - h * e)[0]) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(grad, fd, rtol=2e-3, atol=1e-3 * np.abs(fd).max())
    assert np.all(np.linalg.eigvalsh(fim) > 0)
