"""Figures of sampled quantities: Sobol indices with their intervals, and the chains of a posterior."""

import numpy as np

from .axes import new_axes


def sobol(result, names, *, output: int = 0, ax=None, title: str | None = None):
    """First- and total-order Sobol indices of one output as paired bars with their bootstrap intervals; returns the
    Figure.

    **Arguments:** `result` a `cicrjax.SobolResult` (its rows are outputs, columns inputs); `names` the inputs'
    names; `output` the row to draw.

    **Example:** `cicrjax.plot.sobol(cj.sobol_indices(f, lower, upper, 1024), ["beta", "k"])`
    """
    first, total = np.asarray(result.S1[output], float), np.asarray(result.ST[output], float)
    bounds = {
        "S1": (first, result.S1_low[output], result.S1_high[output]),
        "ST": (total, result.ST_low[output], result.ST_high[output]),
    }
    fig, ax = new_axes(ax, figsize=(1.0 + 0.8 * len(names), 3.0))
    where = np.arange(len(names))
    for k, (label, (value, low, high)) in enumerate(bounds.items()):
        err = np.abs(np.stack([value - np.asarray(low, float), np.asarray(high, float) - value]))
        ax.bar(where + (k - 0.5) * 0.4, value, 0.4, yerr=err, capsize=3, label=f"{label} ({result.level:.0%})")
    ax.set_xticks(where, list(names))
    ax.set(ylabel="Sobol index", ylim=(min(0.0, ax.get_ylim()[0]), max(1.0, ax.get_ylim()[1])))
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def chains(samples, names, *, ax=None):
    """Trace plot: each parameter's draws against iteration, one line per chain, one panel per parameter; returns
    the Figure.

    **Arguments:** `samples` chains × draws × parameters (e.g. `fitting.Posterior.samples`); `names` the
    parameters' names.

    **Example:** `cicrjax.plot.chains(post.samples, post.names)`
    """
    samples = np.asarray(samples, float)
    fig, axes = new_axes(ax, nrows=len(names), figsize=(6.0, 1.6 * len(names)), sharex=True)
    axes = np.atleast_1d(axes)
    for i, (name, panel) in enumerate(zip(names, axes, strict=True)):
        for c, chain in enumerate(samples[..., i]):
            panel.plot(chain, lw=0.6, label=f"chain {c}")
        panel.set_ylabel(name)
    axes[-1].set_xlabel("draw")
    return fig


def corner(samples, names, *, bins: int = 30, truth=None):
    """Corner plot: every parameter's marginal histogram on the diagonal and every pair's draws below it; returns
    the Figure (a grid of its own).

    **Arguments:** `samples` … × parameters (chains are pooled); `names` the parameters' names; `truth` optional
    values drawn as lines.

    **Example:** `cicrjax.plot.corner(post.samples, post.names)`
    """
    import matplotlib.pyplot as plt

    flat = np.asarray(samples, float).reshape(-1, len(names))
    k = len(names)
    fig, grid = plt.subplots(k, k, figsize=(1.0 + 2.0 * k, 1.0 + 2.0 * k), squeeze=False)
    for row in range(k):
        for col in range(k):
            ax = grid[row, col]
            if col > row:
                ax.set_axis_off()
                continue
            if col == row:
                ax.hist(flat[:, col], bins=bins, color="C0")
            else:
                ax.plot(flat[:, col], flat[:, row], ".", ms=1, alpha=0.3, color="C0")
            if truth is not None:
                ax.axvline(float(truth[col]), color="C3", lw=1)
                if col != row:
                    ax.axhline(float(truth[row]), color="C3", lw=1)
            if row == k - 1:
                ax.set_xlabel(names[col])
            if col == 0 and row > 0:
                ax.set_ylabel(names[row])
    return fig
