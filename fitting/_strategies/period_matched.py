"""The period-matched strategy for oscillating traces: a rhythm-matched search for each start, a blur homotopy in
phase, then the trace fit."""

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from cicrjax import InputError, map_sharded

from .._blurred import blur, blur_kernel, blurred_residuals, dense_signal
from .._objective import objective, predict, signal_residuals
from .._optimisers import AbstractOptimiser, LevenbergMarquardt, RunOutput, check_least_squares
from .._rhythm import rhythm_distance, signal_distance
from .base import AbstractStrategy


class PeriodMatched(AbstractStrategy):
    """Period- and phase-aware starts by a shrinking random search, a blur homotopy, then the trace fit.

    **Search.** Each of `chains` independent searches runs `rounds` rounds; a round simulates `candidates` points
    around the current point (a seeded Latin hypercube in a box of half-width `radius` times the bounds' width, in
    the unconstrained coordinates, reflected into a bounded coordinate's span, plus the point itself) in one batch.
    Among the candidates in phase with the data (rhythm distance below `phase_tol`, see
    [`fitting.rhythm_distance`][]) the one with the lowest blurred loss (the widest of `blur`) is kept; where none is
    in phase, the one with the closest rhythm. The radius shrinks by `shrink` after every round that finds an
    oscillating candidate. The search solves at a relative tolerance of at least `search_rtol` (the absolute one
    loosened alike): ranking candidates by rhythm and a blurred loss needs no more.

    **Blur homotopy.** Levenberg–Marquardt then fits each chain's point to [`fitting.blurred_residuals`][] at every
    width of `blur` in turn (widths in sampling intervals of the data, at most `blur_steps` steps each, until a step
    lowers the loss by less than `blur_ftol` of itself): a narrow
    spike that misses the data's by less than the width still overlaps it, so a phase error left by the search
    is corrected, and the narrowing widths lead to the optimum's basin. The chain with the lowest loss at the
    narrowest width is fitted by `optimiser` to the problem's own objective; the default
    [`fitting.LevenbergMarquardt`][] runs in the same compiled loop as the blurred stages, in the sampling space of
    the bounded coordinates (log VM3, not its logit: a valley of the NLL along a power law is straight there, and
    the logistic map bent it into a crawl of hundreds of short steps) with its steps projected onto the bounds, then
    once more from where it ended, moved just inside any bound it ended on. Between stages a chain's
    point is kept within one logit unit of a bounded coordinate's span, where the logistic map is not flat.
    Without `blur` the search ranks in-phase candidates by the NLL and there is no homotopy. The blurred signal is
    computed on a grid `upsample` times finer than the data's ([`fitting.choose_strategy`][] sets it from the
    rhythm: about 80 points per period).

    **Example:** `multistart(problem, 16, strategy=PeriodMatched(candidates=32, chains=2))`
    """

    candidates: int = 32
    rounds: int = 6
    radius: float = 0.5
    shrink: float = 0.6
    phase_tol: float = 0.05
    search_rtol: float = 1e-4
    chains: int = 3
    blur: tuple[float, ...] = eqx.field(default=(3.0, 1.0), converter=lambda b: tuple(map(float, b)))
    blur_steps: int = 100
    blur_rtol: float = 1e-6
    blur_ftol: float = 1e-3  # a blurred stage stops where a step gains < 0.1%: it only leads to the next basin
    upsample: int = 4
    seed: int = 0
    optimiser: AbstractOptimiser = LevenbergMarquardt(max_steps=1000, rtol=1e-8)
    name = "period-matched"

    def __check_init__(self):
        if self.candidates < 1 or self.rounds < 1 or not self.radius > 0 or not 0 < self.shrink <= 1:
            raise InputError(
                f"need candidates >= 1, rounds >= 1, radius > 0 and 0 < shrink <= 1, got {self.candidates}, "
                f"{self.rounds}, {self.radius} and {self.shrink}"
            )
        if any(not b > 0 for b in self.blur) or min(self.chains, self.upsample, self.blur_steps) < 1:
            raise InputError(
                f"need positive blur widths and chains, upsample, blur_steps >= 1, got {self.blur}, "
                f"{self.chains}, {self.upsample}, {self.blur_steps}"
            )

    def check(self, problem):
        check_least_squares(problem, "the period-matched fit")
        self.optimiser.check(problem)

    def run(self, problem, theta0):
        self.check(problem)
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

        loosen = max(1.0, self.search_rtol / problem.rtol)
        coarse = dataclasses.replace(problem, rtol=problem.rtol * loosen, atol=problem.atol * loosen)
        kernel = blur_kernel(problem, dt * self.blur[0], up) if self.blur else None  # once, not per candidate

        def score(th):
            if self.blur:
                g, ok, observation = dense_signal(coarse, th, up)
                distance = jnp.where(ok, signal_distance(coarse, g[0, ::up], ok), jnp.inf)
                r = signal_residuals(coarse, blur(coarse, g, dt * self.blur[0], up, kernel), observation)
                loss = jnp.where(ok & jnp.all(jnp.isfinite(r)), 0.5 * jnp.sum(r**2), coarse.penalty)
            else:
                p = predict(coarse, th)
                distance = rhythm_distance(coarse, th)
                ok = p.ok
                loss = jnp.where(p.ok & jnp.isfinite(p.nll), p.nll, coarse.penalty)
            in_phase = distance < self.phase_tol
            return jnp.where(in_phase, loss, coarse.penalty + jnp.minimum(distance, 1e300)), distance, ok

        def round_(c, unit):
            centre, radius = c
            points = centre[None, :] + radius * unit
            # candidates beyond a bounded coordinate's logit span are reflected into it (not wasted on the bound)
            folded = jnp.mod(points + half, 4.0 * half)
            folded = jnp.where(folded > 2.0 * half, 4.0 * half - folded, folded) - half
            points = points.at[1:].set(jnp.where(bounded, folded, points)[1:])
            scores, distances, ok = _each(score, points)
            i = jnp.argmin(scores)
            # shrink around a point that oscillates; keep searching as widely while none does
            radius = jnp.where(jnp.isfinite(distances[i]), radius * self.shrink, radius)
            return (points[i], radius), (scores[i], ok[0])

        def search(units):
            radius0 = jnp.asarray(self.radius, dtype=dtype)
            (theta, _), (scores, ok) = jax.lax.scan(round_, (theta0, radius0), units)
            return theta, scores[-1], ok[0]  # the first round's first point is the start

        thetas, losses, start_ok = _each(search, offsets)
        start_ok = start_ok[0]

        # Levenberg–Marquardt on every chain at every blur width in turn, then (with a Levenberg–Marquardt
        # `optimiser`) on the problem's own residuals (width 0): stage -1 from the chain whose narrowest blurred
        # loss is lowest, stage -2 from where -1 ended, moved off the bounds; one compiled loop
        final = isinstance(self.optimiser, LevenbergMarquardt)
        finals = [-1, -2] if final else []
        stage_chain = np.concatenate([np.repeat(np.arange(k), len(self.blur)), finals]).astype(int)
        stage_width = np.concatenate([np.tile(self.blur, k), np.zeros(len(finals))])
        lo, hi = (jnp.asarray([_space_bound(p, b) for p in problem.free], dtype=dtype) for b in ("lower", "upper"))

        def stage(c, x):
            thetas, losses, steps, _, last = c
            w, chain, tol, cap = x
            th = jnp.where(chain == -1, thetas[jnp.argmin(losses)], jnp.where(chain >= 0, thetas[chain], last))
            # the final stages step in a bounded coordinate's sampling space (log VM3, not its logit), where a
            # valley of the NLL (VM3 against KA in gdb1990) is straight: the logistic map bends it, and LM crawled
            # along it in hundreds of short steps. Their steps are projected onto the bounds; where -1 ends on one
            # (a minimum along it), -2 starts again just inside.
            space = (chain < 0) & bounded[0]
            lm = LevenbergMarquardt(
                max_steps=cap,
                rtol=tol,
                ftol=jnp.where(chain >= 0, self.blur_ftol, 0.0),
                lower=jnp.where(space, lo, -jnp.inf),
                upper=jnp.where(space, hi, jnp.inf),
            )
            kernel = blur_kernel(problem, w, up)  # once per stage, not per step

            def unconstrained(x):
                p = jnp.clip((x - lo) / (hi - lo), 1e-12, 1.0 - 1e-12)
                return jnp.where(space, jnp.log(p) - jnp.log1p(-p), x)

            def fn(x):
                return blurred_residuals(problem, unconstrained(x), w, up, kernel)

            out = lm.minimise(fn, jnp.where(space, lo + (hi - lo) * jax.nn.sigmoid(th), th), problem.penalty)
            # a blurred optimum (or the end of stage -1) can lie on a bound, where the logistic map is flat: keep a
            # gradient for the next stage
            th = unconstrained(out.theta)
            th = jnp.where(bounded[0] & (chain != -2), jnp.clip(th, -half[0] - 1.0, half[0] + 1.0), th)
            i = jnp.maximum(chain, 0)
            thetas = thetas.at[i].set(jnp.where(chain >= 0, th, thetas[i]))
            losses = losses.at[i].set(jnp.where(chain >= 0, out.value, losses[i]))  # at the chain's narrowest width
            return (thetas, losses, steps + out.iterations, out.converged, th), th

        steps, done = jnp.zeros((), jnp.int32), jnp.array(False)
        if stage_chain.size:
            final_steps = self.optimiser.max_steps if final else 1
            final_rtol = self.optimiser.rtol if final else 1.0
            xs = (
                dt * jnp.asarray(stage_width, dtype=dtype),
                jnp.asarray(stage_chain, dtype=jnp.int32),
                jnp.asarray(np.where(stage_chain >= 0, self.blur_rtol, final_rtol), dtype=dtype),
                jnp.asarray(np.where(stage_chain >= 0, self.blur_steps, final_steps), dtype=jnp.int32),
            )
            (thetas, losses, steps, done, _), ends = jax.lax.scan(stage, (thetas, losses, steps, done, thetas[0]), xs)
        if final:
            theta = ends[-1]
            value = objective(problem, theta)
            converged = done & (value < problem.penalty)
            return RunOutput(theta, value, steps, converged, (value >= problem.penalty).astype(jnp.int32), ~start_ok)
        out = self.optimiser.run(problem, thetas[jnp.argmin(losses)])
        return dataclasses.replace(out, iterations=out.iterations + steps, start_failed=~start_ok)


def _each(fn, xs):
    """`fn` over the rows of `xs`: one after another on a CPU, where a vmapped adaptive solve would run every row in
    lockstep with the slowest (and rewrite every row's save buffer at each step); vmapped on an accelerator."""
    return map_sharded(fn, xs, jax.local_devices()[:1])


def _space_bound(p, which: str) -> float:
    """A free parameter's `which` bound in its sampling space (log, log10 or linear)."""
    return float(p.transform.to_space(getattr(p, which)))


def _width(p) -> float:
    """Width of a free parameter's bounds in its unconstrained coordinate (bounded transforms: their logit span)."""
    if p.transform.bounded:
        return 8.0
    return float(p.transform.to_space(p.upper) - p.transform.to_space(p.lower))
