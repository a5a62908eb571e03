"""Case 3, gradient of a trace loss: cicrjax forward and reverse mode against finite differences and CVODES.

The loss is L(θ) = Σ_t (Ca(t; θ) − d(t))², with d = 1.05 × the reference Ca at the default parameters, over
201 save points at rtol 1e-8, atol 1e-10. Five parameters: gdb1990's VM2, VM3, KA, K2, KR (0–10 s); twenty:
every parameter of marhl2000 (0–20 s; four of them set the initial state). Peers: scipy LSODA forward
differences (relative step 1e-6, n + 1 solves) and libRoadRunner's CVODES forward sensitivities (one simulation
plus one sensitivity solve). The target compares each gradient with one cicrjax forward simulation of the loss.
Error: max |g − g_ref| / max |g_ref| against central differences (relative step 1e-7) of DOP853 at rtol 1e-13.

`crossover` (full suite only) times fitting's `value_and_grad` in forward and reverse mode for 1–13 free gdb1990
parameters.
"""

import time

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import cicrjax as cj

from . import _roadrunner
from ._reference import reference, solve
from ._report import Row, skipped
from ._scipy_models import parameters
from ._timing import median_time

RTOL, ATOL = 1e-8, 1e-10
CASES = (
    ("gdb1990", ("VM2", "VM3", "KA", "K2", "KR"), 10.0),
    ("marhl2000", tuple(p.name for p in cj.Marhl2000.parameters()), 20.0),
)
TARGET_VS_SIMULATION = 3.0
FD_STEP = 1e-6  # relative forward-difference step of the scipy peer (1e-4 gives >100 % error on KA, measured)


def _first_call(fn) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def _loss_np(name, base, names, theta, y0_of, ts, d, **solver):
    params = {**base, **dict(zip(names, map(float, theta), strict=True))}
    ys = solve(name, params, y0_of(params), ts, **solver)
    return float(np.sum((ys[:, 0] - d) ** 2))


def one_case(name: str, names: tuple[str, ...], t1: float, repeats: int) -> list[Row]:
    model = cj.get_model(name)()
    ts = np.linspace(0.0, t1, 201)
    base = parameters(model)
    theta0 = np.array([base[k] for k in names])

    def y0_of(params):
        return np.asarray(eqx.tree_at(lambda m: [getattr(m, k) for k in params], model,
                                      [jnp.asarray(v) for v in params.values()]).initial_state())  # fmt: skip

    d = 1.05 * reference(name, base, y0_of(base), ts)[:, 0]
    ref_kw = {"method": "DOP853", "rtol": 1e-13, "atol": 1e-15}
    g_ref = np.zeros(len(names))
    for i in range(len(names)):
        h = 1e-7 * abs(theta0[i])  # the loss is sharply curved in KA: 1e-5 leaves a 2 % truncation error
        up, down = theta0.copy(), theta0.copy()
        up[i] += h
        down[i] -= h
        g_ref[i] = (_loss_np(name, base, names, up, y0_of, ts, d, **ref_kw)
                    - _loss_np(name, base, names, down, y0_of, ts, d, **ref_kw)) / (2 * h)  # fmt: skip

    def rel_err(g):
        return float(np.max(np.abs(np.asarray(g) - g_ref)) / np.max(np.abs(g_ref)))

    def loss(theta, adjoint, solver=None):
        m = eqx.tree_at(lambda m: [getattr(m, k) for k in names], model, [theta[i] for i in range(len(names))])
        ys = cj.simulate(m, jnp.asarray(ts), rtol=RTOL, atol=ATOL, adjoint=adjoint, solver=solver).ys
        return jnp.sum((ys[:, 0] - jnp.asarray(d)) ** 2)

    th = jnp.asarray(theta0)
    fns = {
        "simulation": jax.jit(lambda t: loss(t, None)),
        "reverse": jax.jit(jax.grad(lambda t: loss(t, None))),
        "forward": jax.jit(jax.jacfwd(lambda t: loss(t, diffrax.ForwardMode()))),
        # the default explicit solver without diffrax's stage loop (see benchmarks/step_overhead.py)
        "forward, UnrolledTsit5": jax.jit(jax.jacfwd(lambda t: loss(t, diffrax.ForwardMode(), cj.UnrolledTsit5()))),
    }
    compile_s = {k: _first_call(lambda f=f: f(th)) for k, f in fns.items()}
    warm = {k: median_time(lambda f=f: jax.block_until_ready(f(th)), repeats, warmup=True) for k, f in fns.items()}
    err = {k: rel_err(fns[k](th)) for k in ("reverse", "forward", "forward, UnrolledTsit5")}
    label = f"gradient {name} {len(names)}p"
    metric = "max |g - g_ref| / max |g_ref|"
    rows = [Row(f"{label} compile {k}", compile_s[k], note="first call") for k in fns if k != "simulation"]
    for mode in ("reverse", "forward", "forward, UnrolledTsit5"):
        rows.append(
            Row(f"{label} {mode}", warm[mode], "cicrjax simulation", warm["simulation"], TARGET_VS_SIMULATION,
                {"cicrjax": err[mode], "peer": None, "metric": metric})
        )  # fmt: skip
    best = min(("reverse", "forward"), key=warm.get)
    fd_kw = {"method": "LSODA", "rtol": RTOL, "atol": ATOL}

    def fd():
        f0 = _loss_np(name, base, names, theta0, y0_of, ts, d, **fd_kw)
        g = np.zeros(len(names))
        for i in range(len(names)):
            up = theta0.copy()
            up[i] += FD_STEP * abs(theta0[i])
            g[i] = (_loss_np(name, base, names, up, y0_of, ts, d, **fd_kw) - f0) / (up[i] - theta0[i])
        return g

    fd_s = median_time(fd, 3 if repeats > 5 else 1)
    acc = lambda peer: {"cicrjax": err[best], "peer": peer, "metric": metric}
    rows.append(Row(f"{label} {best}", warm[best], "scipy LSODA finite differences", fd_s, None, acc(rel_err(fd()))))
    why = _roadrunner.missing()
    if why:
        rows.append(skipped(f"{label} {best}", "roadrunner forward sensitivities", why))
    else:

        def rr_grad():
            ys, sens = _roadrunner.sensitivities(name, model.states, ts, list(names), rtol=RTOL, atol=ATOL)
            return 2.0 * np.einsum("t,tp->p", ys[:, 0] - d, sens[:, :, 0])

        rr_s = median_time(rr_grad, repeats, warmup=True)
        rows.append(
            Row(f"{label} {best}", warm[best], "roadrunner forward sensitivities", rr_s, None, acc(rel_err(rr_grad())))
        )
    return rows


def crossover(counts=(1, 2, 3, 4, 6, 8, 13), repeats: int = 7) -> list[Row]:
    """fitting.value_and_grad on a gdb1990 fit problem in forward and in reverse mode, by number of free
    parameters (the problem `mode` that fitting's "auto" chooses between)."""
    import fitting

    model = cj.GDB1990()
    ts = jnp.linspace(0.0, 10.0, 201)
    data = cj.simulate(model, ts, rtol=1e-10, atol=1e-12)["Z"] * 1.05
    order = ("VM2", "VM3", "KA", "K2", "KR", "v0", "v1", "kf", "k", "n", "m", "p", "beta")
    rows = []
    for count in counts:
        t = {}
        for mode in ("forward", "reverse"):
            problem = fitting.define_problem(model, ts, data, free=list(order[:count]), mode=mode,
                                             rtol=RTOL, atol=ATOL, max_steps=100_000)  # fmt: skip
            theta = problem.to_theta(problem.initial_values())
            vg = eqx.filter_jit(fitting.value_and_grad)
            t[mode] = median_time(lambda p=problem, th=theta, f=vg: jax.block_until_ready(f(p, th)), repeats,
                                  warmup=True)  # fmt: skip
        rows.append(Row(f"crossover gdb1990 {count} free: forward mode", t["forward"], "cicrjax reverse mode",
                        t["reverse"], note="fitting.value_and_grad"))  # fmt: skip
    return rows


def run(quick: bool) -> list[Row]:
    repeats = 5 if quick else 15
    rows = []
    for name, names, t1 in CASES:
        rows += one_case(name, names, t1, repeats)
    if not quick:  # 14 compilations: full suite only
        rows += crossover()
    return rows
