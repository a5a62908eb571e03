"""Figures of estimates: an interval forest, a multistart waterfall and likelihood profiles."""

import numpy as np

from .axes import new_axes


def intervals(names, estimates, low, high, *, ax=None, log: bool = True, reference=None):
    """A forest plot: each estimate with its interval, one row per parameter; returns the Figure.

    **Arguments:** `names`, `estimates`, `low`, `high` (e.g. a `FitResult`'s `names`, `estimates`, `ci_low`,
    `ci_high`); `log` plots estimate / reference (or the value itself without one) on a log axis; `reference`
    optional true or published values, drawn as crosses.

    **Example:** `cicrjax.plot.intervals(r.names, r.estimates, r.ci_low, r.ci_high)`
    """
    est, low, high = (np.asarray(v, float) for v in (estimates, low, high))
    ref = None if reference is None else np.asarray(reference, float)
    scale = ref if (ref is not None and log) else np.ones_like(est)
    fig, ax = new_axes(ax, figsize=(5.0, 0.5 + 0.4 * len(est)))
    rows = np.arange(len(est))[::-1]
    ax.errorbar(
        est / scale,
        rows,
        xerr=np.abs(np.stack([est - low, high - est]) / scale),
        fmt="o",
        capsize=3,
        label="estimate, interval",
    )
    if ref is not None:
        ax.plot(ref / scale, rows, "x", color="C3", label="reference")
        ax.legend(fontsize=8)
    ax.set_yticks(rows, list(names))
    if log:
        ax.set_xscale("log")
    ax.set_xlabel("estimate / reference" if (ref is not None and log) else "estimate")
    return fig


def waterfall(values, *, failed=None, tol: float = 0.1, ax=None):
    """Final objective of every start, sorted best first: a flat first step means the best optimum was found
    repeatedly; returns the Figure.

    **Arguments:** `values` NLL per start (e.g. `result.multistart.values`); `failed` True where a start failed
    (drawn as red crosses at the top); `tol` NLL units within which a start counts as at the best (shaded).

    **Example:** `cicrjax.plot.waterfall(result.multistart.values, failed=result.multistart.failed)`
    """
    values = np.asarray(values, float)
    failed = np.zeros(values.shape, bool) if failed is None else np.asarray(failed, bool)
    bad = failed | ~np.isfinite(values)
    order = np.argsort(np.where(bad, np.inf, values), kind="stable")
    values, bad = values[order], bad[order]
    fig, ax = new_axes(ax, figsize=(5.0, 3.0))
    ranks = np.arange(values.size)
    good = ~bad
    ax.plot(ranks[good], values[good], "o-", ms=4, label="start")
    if good.any():
        best = float(values[good][0])
        ax.axhspan(best, best + tol, color="C2", alpha=0.2, label=f"within {tol:g} of the best")
    if bad.any():
        top = float(np.max(values[good])) if good.any() else 0.0
        ax.plot(ranks[bad], np.full(int(bad.sum()), top), "x", color="C3", label="failed")
    ax.set(xlabel="start (sorted)", ylabel="NLL")
    ax.legend(fontsize=8)
    return fig


def profile(values, nll, *, name: str = "parameter", estimate=None, level: float = 1.920729, ax=None, log=False):
    """A likelihood profile: NLL minus its minimum against one parameter, with the threshold of the likelihood-ratio
    interval; returns the Figure.

    **Arguments:** `values` the parameter's grid; `nll` the profiled NLL at each; `level` the threshold (default
    χ²₁(0.95)/2 = 1.92, a 95% interval); `estimate` marks the optimum; `log` a log parameter axis.

    **Example:** `cicrjax.plot.profile(grid, nlls, name="v3", estimate=0.9)`
    """
    values, nll = np.asarray(values, float), np.asarray(nll, float)
    fig, ax = new_axes(ax, figsize=(4.5, 3.0))
    ax.plot(values, nll - np.nanmin(nll), "o-", ms=3, label="profile")
    ax.axhline(level, color="C3", ls="--", lw=1, label=f"threshold {level:.2f}")
    if estimate is not None:
        ax.axvline(float(estimate), color="0.5", lw=1)
    if log:
        ax.set_xscale("log")
    ax.set(xlabel=name, ylabel="Δ NLL")
    ax.legend(fontsize=8)
    return fig
