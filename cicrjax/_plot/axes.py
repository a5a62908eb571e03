"""Where a figure function draws: the caller's Axes, or a new figure of its own."""

import numpy as np


def new_axes(ax=None, *, nrows: int = 1, figsize=(6.0, 3.0), **kw):
    """`(figure, axes)`: the figure of `ax` and `ax` itself when given, else a new figure with `nrows` stacked Axes
    (an array of them when `nrows > 1`), made through pyplot so that notebooks show it."""
    if ax is not None:
        first = ax[0] if isinstance(ax, tuple | list | np.ndarray) else ax
        return first.figure, ax
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, 1, figsize=figsize, squeeze=nrows == 1, **kw)
    return fig, axes if nrows == 1 else axes[:, 0]


def thin(n: int, limit: int | None) -> int:
    """The stride that keeps at most `limit` of `n` points (1 keeps every point; `None` means no limit)."""
    return 1 if limit is None else max(1, -(-n // limit))
