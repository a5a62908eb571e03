"""Case 1, single simulation: one trajectory, compiled cicrjax against libRoadRunner (CVODE) and scipy.

gdb1990 (0–10 s), li-rinzel1994 (0–50 s) and marhl2000 (0–20 s), 1001 save points at rtol 1e-8, atol 1e-10
for every tool, from the same initial state; scipy gets a plain-float right-hand side. The cardiac model runs
one 1 Hz paced beat (`cicrjax.paced(1.0, count=1)`, 1001 save points, rtol 1e-6, atol 1e-9) against scipy BDF
and LSODA given the model's own jit-compiled vector field and Jacobian (restarting at the stimulus edges, where
cicrjax clips its steps), with the default solver and with Rodas4, and against libRoadRunner CVODE on
`models/cardiac.ant` (generated from the model's parameters by `_cardiac_antimony.py`). hinch2004 clamped at
5 mV (0–0.2 s) runs against libRoadRunner on `models/hinch2004.ant` and scipy LSODA. Errors are the
largest absolute error of cytosolic Ca (µM) against the reference (DOP853 at rtol 1e-13 for the small models;
Radau at rtol 1e-10 on the same vector field for the cardiac beat).
"""

import time

import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

import cicrjax as cj

from . import _roadrunner
from ._reference import max_error, reference, solve
from ._report import Row, skipped
from ._scipy_models import parameters
from ._timing import median_time

SMALL = (("gdb1990", 10.0), ("li-rinzel1994", 50.0), ("marhl2000", 20.0))
RTOL, ATOL = 1e-8, 1e-10
TARGET_VS_ROADRUNNER = 0.5
LADDER = (1e-5, 1e-6, 1e-7, 1e-8)  # cicrjax tolerances tried for the equal-accuracy row, loosest first


def _first_call(fn) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def _cicrjax(model, ts, rtol, atol, repeats, ref):
    """(first-call s, warm median s, error) of compiled cicrjax at rtol/atol."""
    run = jax.jit(lambda m: cj.simulate(m, jnp.asarray(ts), rtol=rtol, atol=atol).ys)
    compile_s = _first_call(lambda: run(model))
    warm = median_time(lambda: run(model).block_until_ready(), repeats, warmup=True)
    return compile_s, warm, max_error(run(model), ref)


def small_model(name: str, t1: float, repeats: int, ladder=LADDER) -> list[Row]:
    """Same tolerances on every side, then cicrjax at the loosest rtol of `ladder` whose error is no larger than
    libRoadRunner's (the equal-accuracy comparison the target is about)."""
    model = cj.get_model(name)()
    ts = np.linspace(0.0, t1, 1001)
    params, y0 = parameters(model), np.asarray(model.initial_state())
    ref = reference(name, params, y0, ts)
    compile_s, ours, err = _cicrjax(model, ts, RTOL, ATOL, repeats, ref)
    label = f"single {name}"
    rows = [Row(f"{label} compile", compile_s, note="first call: trace + compile + run")]
    why = _roadrunner.missing()
    if why:
        rows.append(skipped(label, "roadrunner CVODE", why))
    else:
        rr = _roadrunner.load(name, rtol=RTOL, atol=ATOL)
        rr_s = median_time(lambda: _roadrunner.simulate(rr, model.states, ts), repeats, warmup=True)
        rr_err = max_error(_roadrunner.simulate(rr, model.states, ts), ref)
        rows.append(Row(f"{label} (same rtol {RTOL:g})", ours, "roadrunner CVODE", rr_s, None, _acc(err, rr_err)))
        matched = None
        for rtol in ladder:
            _, t, e = (compile_s, ours, err) if rtol == RTOL else _cicrjax(model, ts, rtol, rtol * 1e-2, repeats, ref)
            if e <= rr_err:
                matched = (rtol, t, e)
                break
        if matched is None:
            rows.append(skipped(f"{label} (equal accuracy)", "roadrunner CVODE", "no cicrjax rtol in the ladder"))
        else:
            rtol, t, e = matched
            rows.append(
                Row(f"{label} (equal accuracy)", t, "roadrunner CVODE", rr_s, TARGET_VS_ROADRUNNER, _acc(e, rr_err),
                    f"cicrjax at rtol {rtol:g}, atol {rtol * 1e-2:g}; roadrunner at rtol {RTOL:g}")
            )  # fmt: skip
    for method in ("LSODA", "BDF"):
        sp = median_time(lambda m=method: solve(name, params, y0, ts, method=m, rtol=RTOL, atol=ATOL), 3, warmup=True)
        sp_err = max_error(solve(name, params, y0, ts, method=method, rtol=RTOL, atol=ATOL), ref)
        rows.append(Row(f"{label} (same rtol {RTOL:g})", ours, f"scipy {method}", sp, None, _acc(err, sp_err)))
    return rows


def _acc(ours, peer) -> dict:
    return {"cicrjax": ours, "peer": peer, "metric": "max abs error of cytosolic Ca vs reference (µM)"}


def _piecewise(rhs, jac, y0, ts, edges, method, rtol, atol, dense: bool):
    """scipy over [ts[0], ts[-1]], restarted at every stimulus edge; the states at `ts` when `dense`."""
    y, out = y0, []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        inside = ts[(ts >= a) & (ts < b)] if b < edges[-1] else ts[ts >= a]
        t_eval = np.unique(np.append(inside, b)) if dense else None  # b included: the next segment starts there
        sol = solve_ivp(rhs, (a, b), y, method=method, jac=jac, rtol=rtol, atol=atol, t_eval=t_eval)
        if not sol.success:
            raise RuntimeError(f"scipy {method}: {sol.message}")
        y = sol.y[:, -1]
        if dense:
            out.append(sol.y.T[np.isin(sol.t, inside)])
    return np.concatenate(out) if dense else y


TARGET_BEAT_VS_LSODA = 0.5


def _scipy_field(model, protocol):
    """scipy's right-hand side and Jacobian: the model's own vector field and its Jacobian, jit-compiled."""
    f = jax.jit(lambda t, y: model.vector_field(t, y, protocol))
    jac = jax.jit(jax.jacfwd(lambda t, y: model.vector_field(t, y, protocol), argnums=1))
    return (lambda t, y: np.asarray(f(t, y))), (lambda t, y: np.asarray(jac(t, y)))


def cardiac_beat(repeats: int, rtol: float = 1e-6, atol: float = 1e-9) -> list[Row]:
    model = cj.get_model("cardiac")()
    protocol = cj.paced(1.0, count=1)
    ts = np.linspace(0.0, 1.0, 1001)
    run = jax.jit(lambda m: cj.simulate(m, jnp.asarray(ts), protocol=protocol, rtol=rtol, atol=atol).ys)
    compile_s = _first_call(lambda: run(model))
    ours = median_time(lambda: run(model).block_until_ready(), repeats, warmup=True)
    solver = type(model.default_solver()).__name__
    rodas = jax.jit(lambda m: cj.simulate(m, jnp.asarray(ts), protocol=protocol, rtol=rtol, atol=atol,
                                          solver=cj.Rodas4()).ys)  # fmt: skip
    rodas_compile = _first_call(lambda: rodas(model))
    ours_rodas = median_time(lambda: rodas(model).block_until_ready(), repeats, warmup=True)

    rhs, jacobian = _scipy_field(model, protocol)
    y0 = np.asarray(model.initial_state())
    rhs(0.0, y0), jacobian(0.0, y0)
    jumps = np.asarray(protocol.jump_times())
    edges = np.unique(np.concatenate([[0.0], jumps[(jumps > 0) & (jumps < 1)], [1.0]]))
    ref = _piecewise(rhs, jacobian, y0, ts, edges, "Radau", 1e-10, 1e-13, dense=True)
    err, err_rodas = max_error(run(model), ref), max_error(rodas(model), ref)
    label = "single cardiac 1 Hz beat"
    rows = [
        Row(f"{label} compile", compile_s, note=f"first call: trace + compile + run ({solver}, the default)"),
        Row(f"{label} compile Rodas4", rodas_compile, note="first call: trace + compile + run"),
    ]
    why = _roadrunner.missing()
    if why:
        rows.append(skipped(label, "roadrunner CVODE", why))
    else:
        rr = _roadrunner.load("cardiac", rtol=rtol, atol=atol)
        sim_rr = lambda: _roadrunner.simulate(rr, model.states, ts)  # noqa: E731
        rr_s, rr_err = median_time(sim_rr, repeats, warmup=True), max_error(sim_rr(), ref)
        note = f"models/cardiac.ant; both at rtol {rtol:g}, atol {atol:g}"
        rows.append(Row(label, ours, "roadrunner CVODE", rr_s, TARGET_BEAT_VS_LSODA, _acc(err, rr_err),
                        f"{solver} (default); {note}"))  # fmt: skip
        rows.append(Row(label, ours_rodas, "roadrunner CVODE", rr_s, TARGET_BEAT_VS_LSODA, _acc(err_rodas, rr_err),
                        f"Rodas4; {note}"))  # fmt: skip
    for method in ("BDF", "LSODA"):
        sp = median_time(
            lambda m=method: _piecewise(rhs, jacobian, y0, ts, edges, m, rtol, atol, dense=False), 3, warmup=True
        )
        sp_err = max_error(_piecewise(rhs, jacobian, y0, ts, edges, method, rtol, atol, dense=True), ref)
        note = "scipy calls the jitted cicrjax vector field and Jacobian"
        target = TARGET_BEAT_VS_LSODA if method == "LSODA" else None
        rows.append(Row(label, ours, f"scipy {method}", sp, target, _acc(err, sp_err), f"{solver} (default); {note}"))
        rows.append(Row(label, ours_rodas, f"scipy {method}", sp, target, _acc(err_rodas, sp_err), f"Rodas4; {note}"))
    return rows


def hinch_clamp(repeats: int, rtol: float = 1e-6, atol: float = 1e-9) -> list[Row]:
    """hinch2004 clamped at 5 mV from rest (the potential a parameter), 0–0.2 s, 1001 save points: cicrjax's
    default solver against libRoadRunner CVODE on `benchmarks/models/hinch2004.ant` and scipy on the jitted
    vector field; reference Radau at rtol 1e-11."""
    model = cj.with_parameters(cj.get_model("hinch2004")(), {"V": 5.0})
    ts = np.linspace(0.0, 0.2, 1001)
    run = jax.jit(lambda m: cj.simulate(m, jnp.asarray(ts), rtol=rtol, atol=atol).ys)
    compile_s = _first_call(lambda: run(model))
    ours = median_time(lambda: run(model).block_until_ready(), repeats, warmup=True)
    rhs, jacobian = _scipy_field(model, None)
    y0 = np.asarray(model.initial_state())
    edges = np.array([0.0, 0.2])
    ref = _piecewise(rhs, jacobian, y0, ts, edges, "Radau", 1e-11, 1e-13, dense=True)
    err = max_error(run(model), ref)
    solver = type(model.default_solver()).__name__
    label = "single hinch2004 5 mV clamp"
    rows = [Row(f"{label} compile", compile_s, note=f"first call: trace + compile + run ({solver})")]
    why = _roadrunner.missing()
    if why:
        rows.append(skipped(label, "roadrunner CVODE", why))
    else:
        rr = _roadrunner.load("hinch2004", rtol=rtol, atol=atol)
        sim_rr = lambda: _roadrunner.simulate(rr, model.states, ts, params={"V": 5.0})  # noqa: E731
        rr_s = median_time(sim_rr, repeats, warmup=True)
        rr_err = max_error(sim_rr(), ref)
        rows.append(Row(label, ours, "roadrunner CVODE", rr_s, TARGET_VS_ROADRUNNER, _acc(err, rr_err),
                        f"{solver}; both at rtol {rtol:g}, atol {atol:g}"))  # fmt: skip
    sp = median_time(lambda: _piecewise(rhs, jacobian, y0, ts, edges, "LSODA", rtol, atol, dense=False), 3,
                     warmup=True)  # fmt: skip
    sp_err = max_error(_piecewise(rhs, jacobian, y0, ts, edges, "LSODA", rtol, atol, dense=True), ref)
    rows.append(Row(label, ours, "scipy LSODA", sp, None, _acc(err, sp_err),
                    "scipy calls the jitted cicrjax vector field and Jacobian"))  # fmt: skip
    return rows


def run(quick: bool) -> list[Row]:
    repeats = 5 if quick else 21
    rows = []
    for name, t1 in SMALL:
        rows += small_model(name, t1, repeats)
    rows += cardiac_beat(3 if quick else 7)
    rows += hinch_clamp(3 if quick else 7)
    return rows
