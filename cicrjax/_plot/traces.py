"""Figures of time series: trajectories, a fit with its residuals, and overlaid beats."""

import numpy as np

from .._errors import InputError
from .._preprocess.beats import Beats
from .._solution import Solution
from .axes import new_axes, thin


def trajectories(
    solution: Solution,
    states=None,
    *,
    ax=None,
    title: str | None = None,
    time_unit: str = "s",
):
    """Plot states of a simulated trajectory against time; returns the Figure.

    **Arguments:** `solution` an unbatched [`cicrjax.Solution`][]; `states` names to draw (default all); `ax` one
    Axes to draw them all on (with a legend), else a new figure with one panel per state; `title`; `time_unit` the
    axis label's unit (an SBML model keeps its own).

    **Example:** `cicrjax.plot.trajectories(cj.simulate(cj.GDB1990(), ts), ["Z"])`
    """
    states = list(solution.states if states is None else states)
    ts = np.asarray(solution.ts)
    if ax is None:
        fig, axes = new_axes(nrows=len(states), figsize=(7.0, 1.6 + 1.2 * len(states)), sharex=True)
        axes = np.atleast_1d(axes)
        for a, name in zip(axes, states, strict=True):
            a.plot(ts, np.asarray(solution[name]), lw=1)
            a.set_ylabel(name)
        axes[-1].set_xlabel(f"t ({time_unit})")
        if title:
            axes[0].set_title(title)
        fig.tight_layout()
        return fig
    fig, ax = new_axes(ax)
    for name in states:
        ax.plot(ts, np.asarray(solution[name]), lw=1, label=name)
    ax.set_xlabel(f"t ({time_unit})")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def fit(
    ts,
    data,
    prediction,
    *,
    mask=None,
    names=(),
    title: str | None = None,
    ax=None,
    max_points: int | None = 5000,
):
    """Data as points, the fit as lines and, below, the residuals; returns the Figure.

    **Arguments:** `ts` save times (s); `data` and `prediction` one trace or `(traces, times)` arrays (e.g.
    `problem.data` and `FitResult.prediction`); `mask` 1 where a point counts (default all); `names` one label per
    trace; `ax` a pair of Axes (signal, residual), or one Axes for the signal alone; `max_points` per trace drawn.

    **Example:** `cicrjax.plot.fit(problem.ts, problem.data, result.prediction, mask=problem.mask)`
    """
    ts = np.asarray(ts)
    data, prediction = np.atleast_2d(np.asarray(data)), np.atleast_2d(np.asarray(prediction))
    mask = np.ones(data.shape) if mask is None else np.atleast_2d(np.asarray(mask))
    names = tuple(names) or tuple(f"trace{i}" for i in range(data.shape[0]))
    if ax is None:
        fig, (top, bottom) = new_axes(nrows=2, figsize=(7.0, 5.0), sharex=True, height_ratios=(3, 1))
    else:
        fig, ax = new_axes(ax)
        top, bottom = ax if isinstance(ax, tuple | list | np.ndarray) else (ax, None)
    k = thin(ts.shape[0], max_points)
    ts, data, prediction, mask = ts[::k], data[:, ::k], prediction[:, ::k], mask[:, ::k]
    for c, name in enumerate(names[:12]):
        keep = mask[c] > 0
        (line,) = top.plot(ts[keep], data[c, keep], ".", ms=3, label=name if len(names) > 1 else "data")
        top.plot(ts, prediction[c], "-", lw=1.2, color=line.get_color())
        if bottom is not None:
            bottom.plot(ts[keep], data[c, keep] - prediction[c, keep], ".", ms=2, color=line.get_color())
    top.set_ylabel("signal")
    top.legend(fontsize=7, ncol=3)
    if title:
        top.set_title(title)
    if bottom is not None:
        bottom.axhline(0.0, color="k", lw=0.8)
        bottom.set_ylabel("residual")
        bottom.set_xlabel("t (s)")
    else:
        top.set_xlabel("t (s)")
    if ax is None:
        fig.tight_layout()
    return fig


def beats(time, y, beats: Beats, *, ax=None, align: str = "start", ylabel: str = "signal"):
    """Every beat of one trace overlaid (grey) with their mean (black), aligned at their starts or peaks; returns
    the Figure.

    **Arguments:** `time` (s) and `y` one trace; `beats` from [`cicrjax.detect_beats`][]; `align` `"start"` or
    `"peak"` (time 0 of each beat).

    **Example:** `cicrjax.plot.beats(rec.time, rec.traces[0], cj.detect_beats(rec.time, rec.traces[0]))`
    """
    if align not in ("start", "peak"):
        raise InputError(f"align must be 'start' or 'peak', got {align!r}")
    time, y = np.asarray(time, float), np.asarray(y, float)
    fig, ax = new_axes(ax)
    zero = beats.start if align == "start" else beats.peak
    before = int(np.min(zero - beats.start))
    length = int(np.min(beats.stop - zero))
    dt = float(np.median(np.diff(time)))
    rel = np.arange(-before, length) * dt
    stack = np.stack([y[z - before : z + length] for z in zero]) if len(beats) else np.zeros((0, rel.size))
    for row in stack:
        ax.plot(rel, row, color="0.6", lw=0.8)
    if len(beats):
        ax.plot(rel, stack.mean(axis=0), color="k", lw=1.6, label=f"mean of {len(beats)}")
        ax.legend(fontsize=8)
    ax.set(xlabel=f"t from beat {align} (s)", ylabel=ylabel)
    return fig
