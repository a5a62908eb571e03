"""Oscillating traces: a rhythm-matched search for each start, a blur homotopy in phase, then the trace fit."""

import dataclasses

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._objective import objective, predict, signal_residuals
from ._optimisers import AbstractOptimiser, RunOutput, check_least_squares
from ._problem import Problem


def rhythm(ts: Array, y: Array, weight: Array) -> tuple[Array, Array, Array]:
    """Phase-invariant read-outs of a trace, jit-friendly: the first upward crossing of the mid-range level (s),
    the mean period between upward crossings (s; infinite with fewer than two) and the number of crossings.
    Points of zero `weight` are ignored; a trace whose range is below 1% of its level has no crossings.

    **Example:** `t_first, period, count = rhythm(ts, ca, jnp.ones_like(ca))`
    """
    big = jnp.finfo(y.dtype).max
    lo = jnp.min(jnp.where(weight > 0, y, big))
    hi = jnp.max(jnp.where(weight > 0, y, -big))
    level = 0.5 * (lo + hi)
    valid = (weight[:-1] > 0) & (weight[1:] > 0) & ((hi - lo) > 0.01 * jnp.maximum(jnp.abs(hi), jnp.abs(lo)))
    up = valid & (y[:-1] < level) & (y[1:] >= level)
    step = jnp.where(up, y[1:] - y[:-1], 1.0)
    at = ts[:-1] + jnp.clip((level - y[:-1]) / step, 0.0, 1.0) * (ts[1:] - ts[:-1])
    count = jnp.sum(up)
    first = jnp.min(jnp.where(up, at, jnp.inf))
    last = jnp.max(jnp.where(up, at, -jnp.inf))
    period = jnp.where(count >= 2, (last - first) / jnp.maximum(count - 1, 1).astype(y.dtype), jnp.inf)
    return first, period, count


def rhythm_distance(problem: Problem, theta: Array) -> Array:
    """How far the simulated rhythm at `theta` is from the data's, in periods of the data: the phase error of the
    first crossing, the phase error accumulated by a period mismatch over the data's cycles, and the difference in
    cycle counts; infinite where the solve fails or the model does not oscillate (first condition only).

    **Example:** `rhythm_distance(problem, theta)`
    """
    values = problem.natural(theta)
    model, _ = problem.with_values(values)
    sol = problem.simulate(model, None, problem.initial(values))
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.shape_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))[0]
    return _distance(problem, g, ok)


def _distance(problem: Problem, g: Array, ok: Array) -> Array:
    """The rhythm distance of the first condition's model signal `g` (at the save times) from the data's."""
    w = problem.mask[0]
    t1, period, count = rhythm(problem.ts, problem.data[0], w)
    s1, s_period, s_count = rhythm(problem.ts, g, w)
    cycles = jnp.maximum(count - 1, 1).astype(period.dtype)
    d = (
        ((s1 - t1) / period) ** 2
        + ((s_period - period) * cycles / period) ** 2
        + ((s_count - count) ** 2).astype(period.dtype)
    )
    return jnp.where(ok & jnp.isfinite(d), d, jnp.inf)


def dense_times(ts: Array, upsample: int) -> Array:
    """The save times `ts` with `upsample - 1` evenly spaced times inserted in every interval; `ts` is every
    `upsample`-th entry.

    **Example:** `dense_times(jnp.asarray([0.0, 1.0]), 4)` is [0, 0.25, 0.5, 0.75, 1].
    """
    f = jnp.arange(upsample, dtype=ts.dtype) / upsample
    inner = (ts[:-1, None] + f[None, :] * (ts[1:] - ts[:-1])[:, None]).ravel()
    return jnp.concatenate([inner, ts[-1:]])


def _dense_signal(problem: Problem, theta: Array, upsample: int):
    """The model signal of every condition on the dense grid (conditions × dense times), whether the solves
    succeeded, and the observation parameters; forward-mode differentiable."""
    values = problem.natural(theta)
    model, observation = problem.with_values(values)
    dense = dense_times(problem.ts, upsample)
    sol = problem.simulate(model, diffrax.ForwardMode(), problem.initial(values), ts=dense)
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.model_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))
    return g, ok, observation


def _blur(problem: Problem, g_dense: Array, width: Array, upsample: int) -> Array:
    """The dense model signal smoothed by a Gaussian of SD `width` (s), at the save times (shape of the data)."""
    dense = dense_times(problem.ts, upsample)
    blurred = width > 0
    kernel = jnp.exp(-0.5 * ((problem.ts[:, None] - dense[None, :]) / jnp.where(blurred, width, 1.0)) ** 2)
    kernel = kernel / jnp.sum(kernel, axis=1, keepdims=True)
    return jnp.broadcast_to(jnp.where(blurred, g_dense @ kernel.T, g_dense[:, ::upsample]), problem.data.shape)


def blurred_residuals(problem: Problem, theta: Array, width: Array, upsample: int = 4) -> Array:
    """The residuals of [`fitting.residuals`][] with the model's signal smoothed in time by a Gaussian of SD
    `width` (s; computed on a grid `upsample` times finer than the save times) before offset and scale are fitted.
    A spike that misses the data's by less than about `width` still overlaps it, so the loss of a narrow-spiked
    oscillation gets a basin in phase about `width` wide; `width` 0 gives the problem's own residuals.

    **Example:** `blurred_residuals(problem, theta, 0.3)`
    """
    g, ok, observation = _dense_signal(problem, theta, upsample)
    r = signal_residuals(problem, _blur(problem, g, jnp.asarray(width, g.dtype), upsample), observation)
    big = jnp.sqrt(problem.penalty / r.shape[0])
    return jnp.where(ok & jnp.all(jnp.isfinite(r)), r, big)


def _levenberg_marquardt(fun, theta: Array, max_steps: Array, tol: Array) -> tuple[Array, Array, Array, Array]:
    """Minimise ½‖fun(θ)‖² by Levenberg–Marquardt (Marquardt's diagonal scaling, Nielsen's damping update, the
    Jacobian by forward mode) for at most `max_steps` steps (an array: the stages of one compiled loop can differ);
    stops when an accepted step changes θ by less than `tol`·(|θ| + `tol`) and the cost by less than `tol` of
    itself. Returns θ, the number of steps, whether it stopped on `tol`, and the residuals at θ."""
    eye = jnp.eye(theta.shape[0], dtype=theta.dtype)

    def linearise(th):
        r, j = jax.vmap(lambda v: jax.jvp(fun, (th,), (v,)), out_axes=(0, 1))(eye)
        return r[0], j

    def cond(c):
        return (c[5] < max_steps) & ~c[6]

    def body(c):
        th, r, j, lam, nu, it, _, _ = c
        a, g = j.T @ j, j.T @ r
        scale = jnp.maximum(jnp.diag(a), 1e-12 * jnp.max(jnp.diag(a)) + 1e-300)
        step = -jnp.linalg.solve(a + lam * jnp.diag(scale), g)
        new = th + step
        r_new, j_new = linearise(new)
        cost, cost_new = 0.5 * (r @ r), 0.5 * (r_new @ r_new)
        predicted = -(g @ step + 0.5 * step @ (a @ step))
        rho = (cost - cost_new) / predicted
        accept = jnp.isfinite(cost_new) & jnp.all(jnp.isfinite(new)) & (predicted > 0) & (rho > 0)
        small = (jnp.max(jnp.abs(step) / (jnp.abs(th) + tol)) < tol) & (cost - cost_new <= tol * cost)
        stuck = ~jnp.all(jnp.isfinite(step)) | (lam > 1e16)
        lam = jnp.where(accept, lam * jnp.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), lam * nu)
        nu = jnp.where(accept, 2.0, 2.0 * nu)
        th, r, j = (jnp.where(accept, x_new, x) for x_new, x in ((new, th), (r_new, r), (j_new, j)))
        return th, r, j, lam, nu, it + 1, (accept & small) | stuck, accept & small

    r0, j0 = linearise(theta)
    one = jnp.ones((), theta.dtype)
    init = (
        theta,
        r0,
        j0,
        1e-3 * one,
        2.0 * one,
        jnp.zeros((), jnp.int32),
        ~jnp.all(jnp.isfinite(r0)),
        jnp.array(False),
    )
    th, r, _, _, _, it, _, converged = jax.lax.while_loop(cond, body, init)
    return th, it, converged, r


@dataclasses.dataclass(frozen=True)
class PeriodMatched(AbstractOptimiser):
    """Period- and phase-aware starts by a shrinking random search, a blur homotopy, then the trace fit.

    **Search.** Each of `chains` independent searches runs `rounds` rounds; a round simulates `candidates` points
    around the current point (a seeded Latin hypercube in a box of half-width `radius` times the bounds' width, in
    the unconstrained coordinates, reflected into a bounded coordinate's span, plus the point itself) in one batch.
    Among the candidates in phase with the data (rhythm distance below `phase_tol`, see
    [`fitting.rhythm_distance`][]) the one with the lowest blurred loss (the widest of `blur`) is kept; where none is
    in phase, the one with the closest rhythm. The radius shrinks by `shrink` after every round that finds an
    oscillating candidate.

    **Blur homotopy.** Levenberg–Marquardt then fits each chain's point to [`fitting.blurred_residuals`][] at every
    width of `blur` in turn (widths in sampling intervals of the data, at most `blur_steps` steps each): a narrow
    spike that misses the data's by less than the width still overlaps it, so a phase error left by the search
    is corrected, and the narrowing widths lead to the optimum's basin. The chain with the lowest loss at the
    narrowest width is fitted to the problem's own residuals (width 0, at most `max_steps` steps, converged when
    a step changes θ and the cost by less than `rtol`), all in one compiled loop of this module's own
    Levenberg–Marquardt (Nielsen's damping update); or, with `inner`, by that optimiser. Between stages a chain's
    point is kept within one logit unit of a bounded coordinate's span, where the logistic map is not flat.
    Without `blur` the search ranks in-phase candidates by the NLL and there is no homotopy.

    **Example:** `multistart(problem, 16, optimiser=PeriodMatched(candidates=32, chains=2))`
    """

    candidates: int = 32
    rounds: int = 6
    radius: float = 0.5
    shrink: float = 0.6
    phase_tol: float = 0.05
    chains: int = 3
    blur: tuple[float, ...] = (3.0, 1.0)
    blur_steps: int = 100
    blur_rtol: float = 1e-6
    upsample: int = 4
    max_steps: int = 1000
    rtol: float = 1e-8
    seed: int = 0
    inner: AbstractOptimiser | None = None
    name: str = "period-matched"

    def __post_init__(self):
        if self.candidates < 1 or self.rounds < 1 or not self.radius > 0 or not 0 < self.shrink <= 1:
            raise ValueError(
                f"need candidates >= 1, rounds >= 1, radius > 0 and 0 < shrink <= 1, got {self.candidates}, "
                f"{self.rounds}, {self.radius} and {self.shrink}"
            )
        blur = tuple(float(b) for b in self.blur)
        if any(not b > 0 for b in blur) or min(self.chains, self.upsample, self.blur_steps, self.max_steps) < 1:
            raise ValueError(
                f"need positive blur widths and chains, upsample, blur_steps, max_steps >= 1, got {self.blur}, "
                f"{self.chains}, {self.upsample}, {self.blur_steps}, {self.max_steps}"
            )
        object.__setattr__(self, "blur", blur)

    def run(self, problem, theta0):
        check_least_squares(problem, "the period-matched fit")
        dtype = theta0.dtype
        width = np.array([_width(p) for p in problem.free])
        rng = np.random.default_rng(self.seed)
        k, n, d, up = self.chains, self.candidates, len(problem.free), self.upsample
        offsets = []
        for _ in range(k * self.rounds):
            u = (np.stack([rng.permutation(n) for _ in range(d)], axis=1) + rng.uniform(size=(n, d))) / n
            offsets.append(np.concatenate([np.zeros((1, d)), width * (2.0 * u - 1.0)]))
        offsets = jnp.asarray(np.stack(offsets), dtype=dtype).reshape(k, self.rounds, n + 1, d)
        dt = jnp.median(jnp.diff(problem.ts))
        bounded = jnp.asarray([[p.transform.bounded for p in problem.free]])
        half = jnp.where(bounded, jnp.asarray(width[None, :] / 2.0, dtype=dtype), 1.0)

        def score(th):
            if self.blur:
                g, ok, observation = _dense_signal(problem, th, up)
                distance = jnp.where(ok, _distance(problem, g[0, ::up], ok), jnp.inf)
                r = signal_residuals(problem, _blur(problem, g, dt * self.blur[0], up), observation)
                loss = jnp.where(ok & jnp.all(jnp.isfinite(r)), 0.5 * jnp.sum(r**2), problem.penalty)
            else:
                p = predict(problem, th)
                distance = rhythm_distance(problem, th)
                ok = p.ok
                loss = jnp.where(p.ok & jnp.isfinite(p.nll), p.nll, problem.penalty)
            in_phase = distance < self.phase_tol
            return jnp.where(in_phase, loss, problem.penalty + jnp.minimum(distance, 1e300)), distance, ok

        def round_(c, unit):
            centre, radius = c
            points = centre[None, :] + radius * unit
            # candidates beyond a bounded coordinate's logit span are reflected into it (not wasted on the bound)
            folded = jnp.mod(points + half, 4.0 * half)
            folded = jnp.where(folded > 2.0 * half, 4.0 * half - folded, folded) - half
            points = points.at[1:].set(jnp.where(bounded, folded, points)[1:])
            scores, distances, ok = jax.vmap(score)(points)
            i = jnp.argmin(scores)
            # shrink around a point that oscillates; keep searching as widely while none does
            radius = jnp.where(jnp.isfinite(distances[i]), radius * self.shrink, radius)
            return (points[i], radius), (scores[i], ok[0])

        def search(units):
            radius0 = jnp.asarray(self.radius, dtype=dtype)
            (theta, _), (scores, ok) = jax.lax.scan(round_, (theta0, radius0), units)
            return theta, scores[-1], ok[0]  # the first round's first point is the start

        thetas, losses, start_ok = jax.vmap(search)(offsets)
        start_ok = start_ok[0]

        # Levenberg–Marquardt on every chain at every blur width in turn, then (without `inner`) on the problem's
        # own residuals (width 0) from the chain whose narrowest blurred loss is lowest: one compiled loop
        final = self.inner is None
        stage_chain = np.concatenate([np.repeat(np.arange(k), len(self.blur)), [-1] if final else []]).astype(int)
        stage_width = np.concatenate([np.tile(self.blur, k), [0.0] if final else []])

        def stage(c, x):
            thetas, losses, steps, _ = c
            w, chain, tol, cap = x
            th = jnp.where(chain >= 0, thetas[chain], thetas[jnp.argmin(losses)])
            th, n_steps, done, r = _levenberg_marquardt(lambda t: blurred_residuals(problem, t, w, up), th, cap, tol)
            # a blurred optimum can lie on a bound, where the logistic map is flat: keep a gradient for the next stage
            th = jnp.where(bounded[0] & (chain >= 0), jnp.clip(th, -half[0] - 1.0, half[0] + 1.0), th)
            loss = jnp.sum(r**2)  # a chain's last stage is at the narrowest width
            i = jnp.maximum(chain, 0)
            thetas = thetas.at[i].set(jnp.where(chain >= 0, th, thetas[i]))
            losses = losses.at[i].set(jnp.where(chain >= 0, loss, losses[i]))
            return (thetas, losses, steps + n_steps, done), th

        steps, done = jnp.zeros((), jnp.int32), jnp.array(False)
        if stage_chain.size:
            xs = (
                dt * jnp.asarray(stage_width, dtype=dtype),
                jnp.asarray(stage_chain, dtype=jnp.int32),
                jnp.asarray(np.where(stage_chain >= 0, self.blur_rtol, self.rtol), dtype=dtype),
                jnp.asarray(np.where(stage_chain >= 0, self.blur_steps, self.max_steps), dtype=jnp.int32),
            )
            (thetas, losses, steps, done), ends = jax.lax.scan(stage, (thetas, losses, steps, done), xs)
        if final:
            theta = ends[-1]
            value = objective(problem, theta)
            converged = done & (value < problem.penalty)
            return RunOutput(theta, value, steps, converged, (value >= problem.penalty).astype(jnp.int32), ~start_ok)
        out = self.inner.run(problem, thetas[jnp.argmin(losses)])
        iterations = out.iterations.astype(jnp.int32) + steps
        return RunOutput(out.theta, out.value, iterations, out.converged, out.failures, ~start_ok)


def _width(p) -> float:
    """Width of a free parameter's bounds in its unconstrained coordinate (bounded transforms: their logit span)."""
    if p.transform.bounded:
        return 8.0
    return float(p.transform.to_space(p.upper) - p.transform.to_space(p.lower))
