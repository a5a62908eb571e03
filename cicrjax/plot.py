"""Matplotlib figures: the one home for the figures of the CLI, the notebooks and the docs.

Every function returns a `matplotlib.figure.Figure` and takes an optional `ax` to draw into; without one it makes a
new figure through pyplot. matplotlib is imported only when a figure is drawn.

**Example:** `import cicrjax.plot as cplot; cplot.trajectories(cj.simulate(cj.GDB1990(), ts))`
"""

from ._plot.estimates import intervals as intervals, profile as profile, waterfall as waterfall
from ._plot.maps import (
    frame as frame,
    gain_voltage as gain_voltage,
    kymograph as kymograph,
    sensitivity as sensitivity,
)
from ._plot.samples import chains as chains, corner as corner, sobol as sobol
from ._plot.traces import beats as beats, fit as fit, trajectories as trajectories
