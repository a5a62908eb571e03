"""`cicrjax.plot`: every figure draws without error, returns its Figure, and its artists hold the data given.

Nothing here compiles a JAX program: the inputs are built directly (a `Solution`, a `GainResult`, `Beats`).
"""

import diffrax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import cicrjax as cj  # noqa: E402
import cicrjax.plot as cplot  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def solution():
    ts = jnp.linspace(0.0, 2.0, 21)
    ys = jnp.stack([jnp.sin(ts), jnp.cos(ts)], axis=-1)
    return cj.Solution(ts, ys, diffrax.RESULTS.successful, jnp.asarray(20), ("Z", "Y"))


def test_public_names():
    assert cj.plot is cplot
    names = {"trajectories", "fit", "intervals", "waterfall", "gain_voltage", "beats", "sensitivity", "kymograph"}
    assert names | {"profile"} <= set(dir(cplot))


def test_trajectories_one_panel_per_state_or_all_on_one_axes():
    sol = solution()
    fig = cplot.trajectories(sol, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), np.cos(np.linspace(0, 2, 21)))
    assert [a.get_ylabel() for a in fig.axes] == ["Z", "Y"] and fig.axes[1].get_xlabel() == "t (s)"
    _, ax = plt.subplots()
    assert cplot.trajectories(sol, ["Y"], ax=ax, time_unit="min") is ax.figure
    assert len(ax.lines) == 1 and ax.get_xlabel() == "t (min)"
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.linspace(0, 2, 21))


def test_fit_draws_data_fit_and_residuals_and_thins():
    ts = np.linspace(0, 1, 11)
    data = np.stack([ts, 2 * ts])
    pred = data + 0.1
    mask = np.ones_like(data)
    mask[0, 3] = 0  # a missing point is neither drawn nor a residual
    fig = cplot.fit(ts, data, pred, mask=mask, names=("a", "b"), title="T")
    top, bottom = fig.axes
    assert top.get_title() == "T"
    points, line = top.lines[0], top.lines[1]
    assert len(points.get_xdata()) == 10 and 0.3 not in points.get_xdata()
    np.testing.assert_allclose(line.get_ydata(), ts + 0.1)
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), -0.1)  # residual = data - fit
    _, ax = plt.subplots()
    cplot.fit(ts, ts, ts, ax=ax, max_points=4)  # one trace, one Axes, every third point
    assert len(ax.lines[0].get_xdata()) == 4


def test_intervals_forest():
    fig = cplot.intervals(["a", "b"], [1.0, 10.0], [0.5, 8.0], [2.0, 11.0], reference=[1.0, 5.0])
    ax = fig.axes[0]
    rows = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=True))
    assert rows == {"a": 1, "b": 0}  # first parameter on top
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "estimate / reference"
    est = ax.lines[0]
    np.testing.assert_allclose(est.get_xdata(), [1.0, 2.0])  # estimates over the references
    np.testing.assert_allclose(ax.lines[-1].get_xdata(), [1.0, 1.0])  # the references themselves


def test_waterfall_sorts_and_marks_failures():
    fig = cplot.waterfall([3.0, 1.0, np.inf, 2.0], failed=[False, False, False, True], tol=0.5)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 3.0])
    np.testing.assert_allclose(ax.lines[1].get_xdata(), [2, 3])  # the two failed starts come last
    band = ax.patches[0]
    assert (band.get_y(), band.get_height()) == (1.0, 0.5)  # from the best NLL up by tol


def test_profile_relative_to_minimum():
    fig = cplot.profile([1.0, 2.0, 3.0], [5.0, 3.0, 6.0], name="v3", estimate=2.0)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 0.0, 3.0])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1.920729)  # chi2(1, 0.95) / 2 = 3.841459 / 2
    assert ax.get_xlabel() == "v3"


def test_gain_voltage_drops_failed_steps():
    gain = cj.GainResult(
        voltage=jnp.array([-20.0, 0.0, 20.0]),
        peak_gain=jnp.array([20.0, 18.0, 12.0]),
        integrated_gain=jnp.ones(3),
        released_per_entered=jnp.ones(3),
        peak_ca=jnp.array([0.5, 1.0, 0.8]),
        success=jnp.array([True, True, False]),
    )
    ax = cplot.gain_voltage(gain).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xydata(), [[-20.0, 20.0], [0.0, 18.0]])
    assert cplot.gain_voltage(gain, quantity="peak_ca").axes[0].get_ylabel() == "peak Ca (µM)"
    with pytest.raises(cj.InputError, match="quantity must name a GainResult field"):
        cplot.gain_voltage(gain, quantity="gain")


def test_beats_overlay_and_mean():
    t = np.arange(30) * 0.1
    y = np.tile([0.0, 2.0, 1.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 3) + np.repeat([0.0, 1.0, 2.0], 10)
    beats = cj.Beats(np.array([0, 10, 20]), np.array([1, 11, 21]), np.array([10, 20, 30]))
    ax = cplot.beats(t, y, beats, align="peak").axes[0]
    assert len(ax.lines) == 4  # three beats and their mean
    np.testing.assert_allclose(ax.lines[3].get_ydata()[:3], [1.0, 3.0, 2.0])  # mean of the offsets 0, 1, 2
    np.testing.assert_allclose(ax.lines[0].get_xdata()[:2], [-0.1, 0.0])
    with pytest.raises(cj.InputError, match="align must be"):
        cplot.beats(t, y, beats, align="end")


def test_sensitivity_heatmap_symmetric_scale():
    m = np.array([[0.5, -2.0], [1.0, 0.0]])
    fig = cplot.sensitivity(m, ["period", "amplitude"], ["beta", "k"])
    image = fig.axes[0].images[0]
    np.testing.assert_allclose(image.get_array(), m)
    assert image.get_clim() == (-2.0, 2.0)
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.5", "-2", "1", "0"]
    with pytest.raises(cj.InputError, match=r"matrix has shape \(2, 2\), expected \(1, 2\)"):
        cplot.sensitivity(m, ["period"], ["beta", "k"])


def test_kymograph_space_by_time():
    x, ts = np.arange(4.0), np.arange(3.0)
    v = np.arange(12.0).reshape(3, 4)
    ax = cplot.kymograph(x, ts, v, title="wave").axes[0]
    image = ax.images[0]
    np.testing.assert_allclose(image.get_array(), v.T)  # space up, time across
    assert image.get_extent() == [-0.5, 2.5, -0.5, 3.5] and ax.get_title() == "wave"
    with pytest.raises(cj.InputError, match="values has shape"):
        cplot.kymograph(x, ts, v.T)


def test_frame_y_up_x_across():
    x = np.array([-1.0, 0.0, 1.0])
    v = np.arange(9.0).reshape(3, 3)
    ax = cplot.frame(x, v, title="spark").axes[0]
    image = ax.images[0]
    np.testing.assert_allclose(image.get_array(), v)
    assert image.get_extent() == [-1.5, 1.5, -1.5, 1.5] and ax.get_title() == "spark"
    assert ax.get_xlabel() == "x (µm)" and ax.get_ylabel() == "y (µm)"
    with pytest.raises(cj.InputError, match=r"image has shape \(3, 2\), expected \(len\(x\), len\(x\)\)"):
        cplot.frame(x, v[:, :2])
