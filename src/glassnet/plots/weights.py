"""Every weight over the iterations, on a linear and on a log iteration axis."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet.explain.numbers import count
from glassnet.landscape import WeightPaths, weight_paths
from glassnet.plots._style import describe_parameter, line_style, new_figure, style_axes, thousands
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
    ``>= 1`` (the first few hundred, where most of the change happens).
    """
    paths = weight_paths(run) if paths is None else paths
    n = len(paths.names)
    fig = new_figure(11, 4.4 if n <= DESCRIBED or n > MAX_LEGEND else 5.4)
    left, right = fig.subplots(1, 2)
    later = paths.iterations >= 1
    for p, name in enumerate(paths.names):
        label = (
            f"{name}: {describe_parameter(name, run.network, run.data.input_names)}"
            if n <= DESCRIBED
            else name
        )
        style = line_style(p)
        left.plot(
            paths.iterations,
            paths.values[:, p],
            linewidth=1.5,
            label=label,
            gid=f"weight-linear-{p}",
            **style,
        )
        right.plot(
            paths.iterations[later],
            paths.values[later, p],
            linewidth=1.5,
            gid=f"weight-log-{p}",
            **style,
        )
        if n <= DESCRIBED and np.isfinite(paths.values[-1, p]):
            right.annotate(
                f"{paths.values[-1, p]:.4g}",
                (paths.iterations[-1], paths.values[-1, p]),
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
    for ax in (left, right):
        ax.set_xlabel("iteration")
        ax.set_ylabel("weight value")
        ax.axhline(0, color="#555555", linewidth=0.8)
        style_axes(ax)
    left.xaxis.set_major_formatter(thousands)
    if n <= MAX_LEGEND:
        fig.legend(
            loc="outside lower center",
            ncol=min(n, 3 if n <= DESCRIBED else 8),
            fontsize=8,
            frameon=False,
        )
        fig.suptitle(f"Every weight over {count(run.iterations, 'iteration')}", fontsize=13)
    else:
        fig.suptitle(
            f"Every weight over {count(run.iterations, 'iteration')} ({n:,} weights and biases, "
            f"too many to name in a legend)",
            fontsize=13,
        )
    return fig
