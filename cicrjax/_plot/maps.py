"""Figures over a second axis: the gain–voltage curve, sensitivity heatmaps and kymographs."""

import numpy as np

from .._errors import InputError
from .._gain import GainResult
from .axes import new_axes


def gain_voltage(gain: GainResult, *, quantity: str = "peak_gain", ax=None, label: str | None = None):
    """One gain of a voltage-clamp series against the test voltage; returns the Figure.

    **Arguments:** `gain` from [`cicrjax.voltage_clamp_gain`][]; `quantity` `"peak_gain"`, `"integrated_gain"`,
    `"released_per_entered"` or `"peak_ca"`; `label` for a legend (several models on one `ax`).

    **Example:** `cicrjax.plot.gain_voltage(cj.voltage_clamp_gain(cj.Hinch2004(), [-20.0, 0.0, 20.0]))`
    """
    if quantity not in ("peak_gain", "integrated_gain", "released_per_entered", "peak_ca"):
        raise InputError(f"quantity must name a GainResult field such as 'peak_gain', got {quantity!r}")
    ok = np.asarray(gain.success, bool)
    v, y = np.asarray(gain.voltage)[ok], np.asarray(getattr(gain, quantity))[ok]
    fig, ax = new_axes(ax, figsize=(4.5, 3.0))
    ax.plot(v, y, "o-", ms=4, label=label)
    ax.set(xlabel="test voltage (mV)", ylabel="peak Ca (µM)" if quantity == "peak_ca" else quantity.replace("_", " "))
    if label:
        ax.legend(fontsize=8)
    return fig


def sensitivity(matrix, rows, columns, *, ax=None, title: str | None = None, annotate: bool = True):
    """A heatmap of sensitivities (rows: outputs, columns: parameters) on a symmetric diverging scale; returns the
    Figure.

    **Arguments:** `matrix` (len(rows), len(columns)), e.g. normalised local sensitivities ∂log y/∂log p or Sobol
    indices; `annotate` writes each value in its cell.

    **Example:** `cicrjax.plot.sensitivity(S, ["period", "amplitude"], ["beta", "VM2"])`
    """
    m = np.asarray(matrix, float)
    if m.shape != (len(rows), len(columns)):
        raise InputError(f"matrix has shape {m.shape}, expected ({len(rows)}, {len(columns)}) from rows and columns")
    fig, ax = new_axes(ax, figsize=(1.0 + 0.7 * len(columns), 1.0 + 0.5 * len(rows)))
    bound = float(np.nanmax(np.abs(m))) or 1.0
    image = ax.imshow(m, cmap="RdBu_r", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(columns)), list(columns), rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), list(rows))
    if annotate:
        for (i, j), value in np.ndenumerate(m):
            ax.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax)
    if title:
        ax.set_title(title)
    return fig


def _edges(u):
    """Pixel edges half a step beyond the first and last centre of the evenly spaced centres `u`."""
    half = 0.5 * (u[-1] - u[0]) / max(u.size - 1, 1)
    return float(u[0] - half), float(u[-1] + half)


def kymograph(x, ts, values, *, ax=None, label: str = "Ca (µM)", title: str | None = None):
    """Concentration over space (vertical, µm) and time (horizontal, s), as a line-scan image; returns the Figure.

    **Arguments:** `x` positions (µm); `ts` times (s); `values` of shape (len(ts), len(x)) (a
    [`cicrjax.SpatialSolution`][]'s `sol["c"]`); `label` of the colour bar; `title`.

    **Example:** `cicrjax.plot.kymograph(sol.x, sol.ts, sol["c"])`
    """
    x, ts, v = np.asarray(x, float), np.asarray(ts, float), np.asarray(values, float)
    if v.shape != (ts.size, x.size):
        raise InputError(f"values has shape {v.shape}, expected (len(ts), len(x)) = ({ts.size}, {x.size})")
    fig, ax = new_axes(ax, figsize=(7.0, 3.0))
    image = ax.imshow(v.T, origin="lower", aspect="auto", extent=(*_edges(ts), *_edges(x)), cmap="magma")
    fig.colorbar(image, ax=ax, label=label)
    ax.set(xlabel="t (s)", ylabel="x (µm)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def frame(x, image, *, ax=None, label: str = "ΔF/F0", title: str | None = None):
    """One confocal 2-D frame (y up, x across, µm); returns the Figure.

    **Arguments:** `x` pixel centres (µm, the same along both axes); `image` of shape (len(x), len(x)) (y × x, one
    frame of [`cicrjax.LineScan.frames`][]); `label` of the colour bar; `title`.

    **Example:** `x, frames = cj.LineScan().frames(sol, ts); cicrjax.plot.frame(x, frames[1])`
    """
    x, v = np.asarray(x, float), np.asarray(image, float)
    if v.shape != (x.size, x.size):
        raise InputError(f"image has shape {v.shape}, expected (len(x), len(x)) = ({x.size}, {x.size})")
    fig, ax = new_axes(ax, figsize=(4.5, 4.0))
    shown = ax.imshow(v, origin="lower", extent=(*_edges(x), *_edges(x)), cmap="magma")
    fig.colorbar(shown, ax=ax, label=label)
    ax.set(xlabel="x (µm)", ylabel="y (µm)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig
