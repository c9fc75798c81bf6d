"""Every weight over the iterations, on a linear and on a log iteration axis."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet.curves import visible_points
from glassnet.explain.numbers import count
from glassnet.landscape import WeightPaths, weight_paths
from glassnet.plots._style import (
    AXIS_LIMIT,
    describe_parameter,
    drawable,
    escape,
    legend_below,
    legend_height,
    line_style,
    log_x_range,
    new_figure,
    pixel_columns,
    plain_log_axis,
    safe_limits,
    set_margins,
    style_axes,
    thousands,
)
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: More parameters than this get a legend without plain-word descriptions.
DESCRIBED = 8
#: More parameters than this get no legend: its rows would squeeze the axes to nothing
#: (breast_cancer's [30, 8, 1] network has 257 weights and biases).
MAX_LEGEND = 48


def plot_weights(run: Run, paths: WeightPaths | None = None) -> Figure:
    """Each weight and bias at every recorded iteration (the checkpoints and ``#N``).

    Left: linear iteration axis (the long climb); right: log axis, iterations
    ``>= 1`` (the first few hundred, where most of the change happens). More
    recorded iterations than a panel has pixel columns are drawn through the
    points it can show (:func:`glassnet.curves.visible_points`).
    """
    paths = weight_paths(run) if paths is None else paths
    n = len(paths.names)
    legend_cols = min(n, 3 if n <= DESCRIBED else 8)
    legend = legend_height(n, legend_cols) if n <= MAX_LEGEND else 0.0
    fig = new_figure(11, 3.8 + legend)
    set_margins(fig, cols=2, right=0.65, bottom=0.6 + legend)
    left, right = fig.subplots(1, 2)
    later = paths.iterations >= 1
    for ax, values in ((left, paths.values), (right, paths.values[later])):
        safe_limits(ax, "y", values)  # before any line asks matplotlib for limits
    columns = (pixel_columns(left), pixel_columns(right))
    for p, name in enumerate(paths.names):
        label = (
            f"{name}: {describe_parameter(name, run.network, run.data.input_names)}"
            if n <= DESCRIBED
            else name
        )
        style = line_style(p)
        values = paths.values[:, p]
        shown = visible_points(paths.iterations, values, columns[0])
        left.plot(
            paths.iterations[shown],
            drawable(values[shown]),
            linewidth=1.5,
            label=escape(label),
            gid=f"weight-linear-{p}",
            **style,
        )
        shown = visible_points(paths.iterations[later], values[later], columns[1], log_x=True)
        right.plot(
            paths.iterations[later][shown],
            drawable(values[later][shown]),
            linewidth=1.5,
            gid=f"weight-log-{p}",
            **style,
        )
        final = paths.values[-1, p]
        if n <= DESCRIBED and np.isfinite(final) and abs(final) <= AXIS_LIMIT:
            right.annotate(
                f"{final:.4g}",
                (paths.iterations[-1], final),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=style["color"],
            )
    left.set_title("Linear iteration axis")
    right.set_title("Log iteration axis (from iteration 1)")
    if np.any(later):
        right.set_xscale("log")
        plain_log_axis(right.xaxis)
        log_x_range(right, paths.iterations[later])  # even when no value on it is finite
    for ax in (left, right):
        ax.set_xlabel("iteration")
        ax.set_ylabel("weight value")
        ax.axhline(0, color="#555555", linewidth=0.8)
        style_axes(ax)
    left.xaxis.set_major_formatter(thousands)
    if n <= MAX_LEGEND:
        handles, labels = left.get_legend_handles_labels()
        legend_below(fig, handles, labels, ncol=legend_cols, frameon=False)
        fig.suptitle(f"Every weight over {count(run.iterations, 'iteration')}", fontsize=13)
    else:
        fig.suptitle(
            f"Every weight over {count(run.iterations, 'iteration')} ({n:,} weights and biases, "
            f"too many to name in a legend)",
            fontsize=13,
        )
    return fig
