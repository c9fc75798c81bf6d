"""glassnet.plots.landscape: the loss surface over the two weights that moved most, with the path."""

from __future__ import annotations

import numpy as np

from glassnet.landscape import loss_landscape
from glassnet.plots import plot


def lines_by_gid(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def test_landscape_plot_uses_the_two_weights_that_moved_most_and_draws_the_path(seed_run):
    land = loss_landscape(seed_run, resolution=21)
    assert land.names == ("W0[0,0]", "W0[2,0]")  # 0.67 -> 12.0 and -0.40 -> -5.8 moved most
    path = land.path
    np.testing.assert_array_equal(path[-1], seed_run.final.weights[0][[0, 2], 0])
    # at the final weights the surface is the final loss
    r = np.argmin(np.abs(land.v - path[-1, 1]))
    c = np.argmin(np.abs(land.u - path[-1, 0]))
    assert land.u[0] < path[:, 0].min() and land.u[-1] > path[:, 0].max()
    assert land.loss.shape == (21, 21) and np.all(np.isfinite(land.loss))
    fig = plot(seed_run, "landscape", landscape=land)
    np.testing.assert_array_equal(lines_by_gid(fig)["path"].get_xydata(), path)
    assert "W0[0,0]" in fig.axes[0].get_xlabel() and "input x1" in fig.axes[0].get_xlabel()
    assert land.loss[r, c] > 0
