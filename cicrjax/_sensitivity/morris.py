"""Global screening: Morris elementary effects (μ, μ*, σ) along random one-at-a-time trajectories."""

import dataclasses
from collections.abc import Callable

import numpy as np

from .._errors import InputError
from .evaluate import evaluate
from .sobol import _check_box

MIN_TRAJECTORIES = 4


@dataclasses.dataclass(frozen=True)
class MorrisResult:
    """Morris statistics of each output (rows) for each input (columns): `mu` the mean elementary effect, `mu_star`
    the mean of its absolute value (with a percentile-bootstrap interval `mu_star_low`, `mu_star_high`), `sigma`
    its standard deviation. Effects are per unit of the normalised input (the box scaled to [0, 1]), so inputs
    are comparable. `n_failed[o]` trajectories dropped for output o (a non-finite value); `n_evaluations` calls."""

    mu: np.ndarray
    mu_star: np.ndarray
    sigma: np.ndarray
    mu_star_low: np.ndarray
    mu_star_high: np.ndarray
    n_failed: np.ndarray
    n_evaluations: int


def morris_sample(d: int, trajectories: int, *, levels: int = 4, seed: int = 0) -> np.ndarray:
    """`trajectories` Morris trajectories in the unit cube, (trajectories × (d + 1) × d): each starts at a random
    grid point of `levels` levels and moves every input once, in random order, by Δ = levels/(2(levels − 1)),
    up where that stays in [0, 1], down otherwise (Morris 1991, Technometrics 33:161).

    **Example:** `morris_sample(3, 10).shape` is (10, 4, 3).
    """
    if levels < 2 or levels % 2:
        raise InputError(f"Morris levels must be an even number ≥ 2, got {levels}")
    if trajectories < MIN_TRAJECTORIES:
        raise InputError(f"Morris screening needs at least {MIN_TRAJECTORIES} trajectories, got {trajectories}")
    rng = np.random.default_rng(seed)
    delta = levels / (2 * (levels - 1))
    x = rng.integers(0, levels, (trajectories, d)) / (levels - 1)
    out = np.empty((trajectories, d + 1, d))
    out[:, 0] = x
    for r in range(trajectories):
        for k, i in enumerate(rng.permutation(d)):
            x[r, i] += delta if x[r, i] + delta <= 1 + 1e-12 else -delta
            out[r, k + 1] = x[r]
    return out


def elementary_effects(unit: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementary effects (trajectories × d × outputs) from a unit-cube sample (trajectories × (d + 1) × d) and
    its outputs (trajectories × (d + 1) × outputs): (f(upper point) − f(lower point))/Δ for the input each step
    moves."""
    step = np.diff(unit, axis=1)  # (r, d, d): row k moves one input
    moved = np.argmax(np.abs(step), axis=2)  # (r, d)
    signed = np.take_along_axis(step, moved[..., None], axis=2)[..., 0]  # ±Δ
    dy = np.diff(y, axis=1)  # (r, d, outputs)
    ee = dy / signed[..., None]
    out = np.empty_like(ee)
    np.put_along_axis(out, moved[..., None], ee, axis=1)
    return out


def morris_effects(
    fn: Callable,
    lower,
    upper,
    trajectories: int,
    *,
    levels: int = 4,
    seed: int = 0,
    bootstrap: int = 200,
    level: float = 0.95,
    chunk_size: int = 1024,
    batch_size: int | None = None,
) -> MorrisResult:
    """Morris elementary effects of `fn` over the box [`lower`, `upper`]: `trajectories`·(d + 1) evaluations in
    compiled chunks, μ, μ* and σ per output and input, and a bootstrap interval of μ* over trajectories.

    **Example:** `morris_effects(lambda x: x[0] + 2 * x[1], [0, 0], [1, 1], 10).mu_star` is [[1, 2]].
    """
    lower, upper = _check_box(lower, upper)
    if bootstrap < 0 or not 0 < level < 1:
        raise InputError(f"bootstrap must be ≥ 0 and level in (0, 1), got {bootstrap} and {level}")
    d = lower.size
    unit = morris_sample(d, trajectories, levels=levels, seed=seed)
    x = lower + unit.reshape(-1, d) * (upper - lower)
    y = evaluate(fn, x, chunk_size=chunk_size, batch_size=batch_size).reshape(trajectories, d + 1, -1)
    ee = elementary_effects(unit, y)
    m = y.shape[2]
    ok = np.all(np.isfinite(y), axis=1)  # (r, outputs)
    stats = [np.full((m, d), np.nan) for _ in range(5)]
    rng = np.random.default_rng(seed + 1)
    tail = 50 * (1 - level)
    for o in range(m):
        e = ee[ok[:, o], :, o]
        if e.shape[0] < 2:
            continue
        stats[0][o], stats[1][o], stats[2][o] = e.mean(0), np.abs(e).mean(0), e.std(0, ddof=1)
        if bootstrap:
            draws = np.abs(e)[rng.integers(0, e.shape[0], (bootstrap, e.shape[0]))].mean(1)
            stats[3][o], stats[4][o] = np.percentile(draws, [tail, 100 - tail], axis=0)
    return MorrisResult(*stats, trajectories - ok.sum(axis=0), x.shape[0])
