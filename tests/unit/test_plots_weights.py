"""glassnet.plots.weights: every weight at every recorded iteration, on a linear and a log axis."""

from __future__ import annotations

import numpy as np

from glassnet.plots import plot
from glassnet.plots._style import PALETTE


def lines_by_gid(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def test_weights_plot_has_every_weight_at_every_recorded_iteration(seed_run):
    fig = plot(seed_run, "weights")
    lines = lines_by_gid(fig)
    iterations = np.append(seed_run.checkpoints.iterations, seed_run.iterations)
    for p in range(3):
        line = lines[f"weight-linear-{p}"]
        np.testing.assert_array_equal(line.get_xdata(), iterations)
        values = line.get_ydata()
        np.testing.assert_array_equal(values[-1], seed_run.final.weights[0][p, 0])
        np.testing.assert_array_equal(values[0], seed_run.initial.weights[0][p, 0])
        assert values[1] == seed_run.weights_at(1).weights[0][p, 0]
        assert lines[f"weight-log-{p}"].get_xdata()[0] == 1
    np.testing.assert_allclose(lines["weight-linear-0"].get_ydata()[-1], 12.00871622, atol=1e-8)
    assert [ax.get_xscale() for ax in fig.axes[:2]] == ["linear", "log"]
    assert lines["weight-linear-0"].get_color() == PALETTE[0]


def test_weights_plot_of_a_big_network_keeps_its_axes(split_run):
    import io
    import warnings

    fig = plot(split_run, "weights")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied": a legend of 257 entries
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    assert fig.legends == [] and "257 weights and biases" in fig.get_suptitle()
    assert all(ax.get_position().height > 0.3 for ax in fig.axes)
