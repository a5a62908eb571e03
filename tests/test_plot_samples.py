"""`cicrjax.plot.sobol`, `chains` and `corner`: each draws, returns its Figure, and its artists hold the data given
(no JAX program is compiled: the inputs are built directly)."""

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


def test_sobol_bars_are_the_indices_and_the_error_bars_their_intervals():
    S1, ST = np.array([[0.3, 0.6]]), np.array([[0.35, 0.7]])
    result = cj.SobolResult(
        n=64, S1=S1, ST=ST, S1_low=S1 - 0.05, S1_high=S1 + 0.1, ST_low=ST - 0.02, ST_high=ST + 0.03,
        level=0.95, n_failed=np.zeros(1, int), n_evaluations=256, convergence=(),
    )  # fmt: skip
    fig = cplot.sobol(result, ["beta", "k"], title="period")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, [0.3, 0.6, 0.35, 0.7])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["beta", "k"]
    # each error bar spans the interval: S1 of "beta" from 0.25 to 0.4
    segments = np.concatenate([c.get_segments() for c in ax.collections])
    spans = sorted((round(float(s[:, 1].min()), 6), round(float(s[:, 1].max()), 6)) for s in segments)
    assert spans == [(0.25, 0.4), (0.33, 0.38), (0.55, 0.7), (0.68, 0.73)]
    assert ax.get_title() == "period" and "S1 (95%)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_chains_draws_every_chain_of_every_parameter():
    samples = np.random.default_rng(0).normal(size=(3, 50, 2))
    fig = cplot.chains(samples, ["v3", "d5"])
    assert len(fig.axes) == 2 and [a.get_ylabel() for a in fig.axes] == ["v3", "d5"]
    for i, ax in enumerate(fig.axes):
        assert len(ax.lines) == 3
        for c, line in enumerate(ax.lines):
            np.testing.assert_array_equal(line.get_ydata(), samples[c, :, i])


def test_corner_has_marginals_on_the_diagonal_and_pairs_below():
    samples = np.random.default_rng(1).normal(size=(2, 100, 3))
    fig = cplot.corner(samples, ["a", "b", "c"], bins=10, truth=[0.0, 0.1, 0.2])
    grid = np.array(fig.axes).reshape(3, 3)
    flat = samples.reshape(-1, 3)
    for i in range(3):
        counts = [p.get_height() for p in grid[i, i].patches]
        assert sum(counts) == 200 and len(counts) == 10  # every pooled draw in the marginal
        assert not grid[0, 2].axison  # above the diagonal: empty
    pair = grid[2, 0].lines[0]  # c against a
    np.testing.assert_array_equal(pair.get_xdata(), flat[:, 0])
    np.testing.assert_array_equal(pair.get_ydata(), flat[:, 2])
    assert grid[2, 0].get_xlabel() == "a" and grid[2, 0].get_ylabel() == "c"
