"""Global sensitivity: Sobol first- and total-order indices from a Saltelli sample, Jansen estimators."""

import dataclasses
from collections.abc import Callable

import numpy as np

from .._errors import InputError
from .evaluate import evaluate

MIN_SAMPLES = 16


@dataclasses.dataclass(frozen=True)
class SobolResult:
    """Sobol indices of each output (rows) for each input (columns), with bootstrap intervals.

    `S1` first order, `ST` total order (Jansen estimators); `S1_low`, `S1_high`, `ST_low`, `ST_high` their
    percentile-bootstrap intervals at `level`; `n_failed[o]` base rows dropped for output o because some
    evaluation in them was not finite (a failed simulation, an undefined feature); `n_evaluations` calls of the
    function; `convergence` the (N, S1, ST) estimates on the first N = n/8, n/4, n/2, n base rows.
    """

    n: int
    S1: np.ndarray
    ST: np.ndarray
    S1_low: np.ndarray
    S1_high: np.ndarray
    ST_low: np.ndarray
    ST_high: np.ndarray
    level: float
    n_failed: np.ndarray
    n_evaluations: int
    convergence: tuple[tuple[int, np.ndarray, np.ndarray], ...]


def saltelli_sample(lower, upper, n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Saltelli's design: matrices A and B (n × d, scrambled Sobol points in the box [`lower`, `upper`]) and the
    d matrices AB[i] (A with column i from B), stacked as (d, n, d).

    **Example:** `A, B, AB = saltelli_sample([0, 0], [1, 1], 1024, seed=0)`
    """
    lower, upper = _check_box(lower, upper)
    if n < MIN_SAMPLES or n & (n - 1):
        raise InputError(f"Sobol indices need a power of 2 ≥ {MIN_SAMPLES} base samples, got {n}")
    d = lower.size
    from scipy.stats import qmc  # imported here: scipy.stats takes about a second to import

    unit = qmc.Sobol(2 * d, scramble=True, seed=np.random.default_rng(seed)).random(n)
    points = lower + unit.reshape(n, 2, d) * (upper - lower)
    A, B = points[:, 0], points[:, 1]
    AB = np.repeat(A[None], d, axis=0)
    for i in range(d):
        AB[i, :, i] = B[:, i]
    return A, B, AB


def jansen(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First- and total-order indices (outputs × inputs) from f(A), f(B) (n × outputs) and f(AB) (d × n × outputs):
    S1_i = 1 − ½ mean((f(B) − f(AB_i))²)/V and ST_i = ½ mean((f(A) − f(AB_i))²)/V, V the variance of f over A
    and B together (Jansen 1999; Saltelli et al. 2010, Comput Phys Commun 181:259, table 2)."""
    var = np.var(np.concatenate([fA, fB]), axis=0)
    s1 = 1.0 - 0.5 * np.mean((fB[None] - fAB) ** 2, axis=1) / var
    st = 0.5 * np.mean((fA[None] - fAB) ** 2, axis=1) / var
    return s1.T, st.T


def _check_box(lower, upper) -> tuple[np.ndarray, np.ndarray]:
    lower, upper = np.atleast_1d(np.asarray(lower, float)), np.atleast_1d(np.asarray(upper, float))
    if lower.ndim != 1 or lower.shape != upper.shape or not np.all(np.isfinite(lower) & np.isfinite(upper)):
        raise InputError(f"lower and upper bounds must be finite 1-D arrays of equal length, got {lower}, {upper}")
    if not np.all(upper > lower):
        raise InputError(f"every upper bound must exceed its lower bound, got {lower} and {upper}")
    return lower, upper


def _indices_per_output(fA, fB, fAB, rows):
    """Jansen indices of one output on base rows `rows` (those where every evaluation is finite)."""
    return jansen(fA[rows][:, None], fB[rows][:, None], fAB[:, rows][..., None])


def sobol_indices(
    fn: Callable,
    lower,
    upper,
    n: int,
    *,
    seed: int = 0,
    bootstrap: int = 200,
    level: float = 0.95,
    chunk_size: int = 1024,
    batch_size: int | None = None,
) -> SobolResult:
    """Sobol first- and total-order indices of `fn` over the box [`lower`, `upper`]: n·(d + 2) evaluations on a
    Saltelli sample, run in compiled chunks of `chunk_size` (see `batch_size` of the chunked evaluation), Jansen
    estimators, percentile-bootstrap intervals over base rows, and the estimates on growing prefixes of the sample.
    Rows with a non-finite output are dropped from that output's estimate and counted in `n_failed`.

    **Arguments:** `fn` a JAX function from a d-vector (natural units) to a scalar or a vector of outputs;
    `lower`, `upper` the box; `n` base samples (a power of 2 ≥ 16); `seed`; `bootstrap` resamples; `level`.

    **Example:** `sobol_indices(lambda x: x[0] + 2 * x[1], [0, 0], [1, 1], 1024).S1` is about [[0.2, 0.8]].
    """
    A, B, AB = saltelli_sample(lower, upper, n, seed=seed)
    if bootstrap < 0 or not 0 < level < 1:
        raise InputError(f"bootstrap must be ≥ 0 and level in (0, 1), got {bootstrap} and {level}")
    d = A.shape[1]
    y = evaluate(fn, np.concatenate([A, B, AB.reshape(d * n, d)]), chunk_size=chunk_size, batch_size=batch_size)
    fA, fB, fAB = y[:n], y[n : 2 * n], y[2 * n :].reshape(d, n, -1)
    m = y.shape[1]
    ok = np.isfinite(fA) & np.isfinite(fB) & np.all(np.isfinite(fAB), axis=0)  # n × outputs
    shape = (m, d)
    S1, ST, S1_low, S1_high, ST_low, ST_high = (np.full(shape, np.nan) for _ in range(6))
    rng = np.random.default_rng(seed + 1)
    tail = 50 * (1 - level)
    sizes = [k for k in (n // 8, n // 4, n // 2, n) if k >= MIN_SAMPLES // 2]
    convergence = [(k, np.full(shape, np.nan), np.full(shape, np.nan)) for k in sizes]
    for o in range(m):
        rows = np.flatnonzero(ok[:, o])
        if rows.size < 2:
            continue
        a, b, ab = fA[:, o], fB[:, o], fAB[:, :, o]
        s1, st = _indices_per_output(a, b, ab, rows)
        S1[o], ST[o] = s1[0], st[0]
        if bootstrap:
            draws = rows[rng.integers(0, rows.size, (bootstrap, rows.size))]
            s1b, stb = jansen(a[draws].T, b[draws].T, np.moveaxis(ab[:, draws], 2, 1))  # (bootstrap, d) each
            S1_low[o], S1_high[o] = np.percentile(s1b, [tail, 100 - tail], axis=0)
            ST_low[o], ST_high[o] = np.percentile(stb, [tail, 100 - tail], axis=0)
        for k, c1, ct in convergence:
            s1, st = _indices_per_output(a, b, ab, rows[rows < k])
            c1[o], ct[o] = s1[0], st[0]
    n_failed = n - ok.sum(axis=0)
    return SobolResult(n, S1, ST, S1_low, S1_high, ST_low, ST_high, level, n_failed, y.shape[0], tuple(convergence))
