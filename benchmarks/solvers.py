"""Solver choice per model (full suite only): explicit against implicit, and the Newton settings of Kvaerno5.

Every non-muscle model over 0–20 s, 1001 save points, at rtol 1e-8, atol 1e-10, with Tsit5, Dopri8, Kvaerno5
(diffrax's default VeryChord at the controller's tolerances) and Kvaerno5 with a loose `VeryChord(rtol=1e-3,
atol=1e-6)`. Each row compares a candidate with the model's current default (`peer`), both cicrjax; the error is
cytosolic Ca against scipy DOP853 at rtol 1e-12 on the model's jit-compiled vector field.
"""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

import cicrjax as cj

from ._reference import max_error
from ._report import Row
from ._timing import median_time

MODELS = ("gdb1990", "li-rinzel1994", "deyoung-keizer1992", "atri1993", "borghans1997", "marhl2000", "sneyd2002")
RTOL, ATOL = 1e-8, 1e-10


def candidates() -> dict:
    return {
        "Tsit5": diffrax.Tsit5(),
        "Dopri8": diffrax.Dopri8(),
        "Kvaerno5": diffrax.Kvaerno5(),
        "Kvaerno5 VeryChord(1e-3, 1e-6)": diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-3, atol=1e-6)),
    }


def _reference(model, ts):
    f = jax.jit(lambda t, y: model.vector_field(t, y, None))
    sol = solve_ivp(lambda t, y: np.asarray(f(t, y)), (ts[0], ts[-1]), np.asarray(model.initial_state()),
                    method="DOP853", t_eval=ts, rtol=1e-12, atol=1e-14)  # fmt: skip
    return sol.y.T


def one_model(name: str, repeats: int) -> list[Row]:
    model = cj.get_model(name)()
    ts = np.linspace(0.0, 20.0, 1001)
    ref = _reference(model, ts)
    default = type(model.default_solver()).__name__
    measured = {}
    for label, solver in candidates().items():
        run = jax.jit(lambda m, s=solver: cj.simulate(m, jnp.asarray(ts), solver=s, rtol=RTOL, atol=ATOL,
                                                      max_steps=200_000, throw=False))  # fmt: skip
        sol = run(model)
        if not bool(sol.success):
            measured[label] = (None, None, 0)
            continue
        t = median_time(lambda r=run: r(model).ys.block_until_ready(), repeats, warmup=True)
        measured[label] = (t, max_error(sol.ys, ref), int(sol.num_steps))
    base = measured["Kvaerno5" if default == "Kvaerno5" else "Tsit5"]
    rows = []
    for label, (t, err, steps) in measured.items():
        note = f"{steps} steps" if t is not None else "failed (max_steps or divergence)"
        rows.append(Row(f"solvers {name}: {label}", t, f"default ({default})", base[0], None,
                        {"cicrjax": err, "peer": base[1], "metric": "max abs error of Ca vs DOP853 1e-12 (µM)"},
                        note))  # fmt: skip
    return rows


def run(quick: bool) -> list[Row]:
    if quick:
        return []
    rows = []
    for name in MODELS:
        rows += one_model(name, 7)
    return rows
