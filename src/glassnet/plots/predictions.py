"""Each example's prediction over the iterations, converging to its target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet.curves import visible_points
from glassnet.landscape import PredictionPaths, prediction_paths
from glassnet.plots._style import (
    drawable,
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


def _number(value: float) -> str:
    value = float(value)
    return f"{value:.0f}" if value.is_integer() and abs(value) < 1e16 else f"{value:.3g}"


def example_label(run: Run, sample: int, output: int) -> str:
    """``"inputs [0 0 1], target 0"`` (with the output number when there are several)."""
    inputs = " ".join(_number(v) for v in run.data.X[sample])
    which = f" output {output + 1}" if run.data.y.shape[1] > 1 else ""
    return f"example {sample + 1}: inputs [{inputs}]{which}, target {_number(run.data.y[sample, output])}"


def plot_predictions(
    run: Run, paths: PredictionPaths | None = None, max_examples: int = 12
) -> Figure:
    """The prediction for every example (the first ``max_examples``) at every recorded iteration.

    Each example's target is the dotted line of the same colour; left a linear
    iteration axis, right a log one (iterations ``>= 1``). More recorded
    iterations than a panel has pixel columns are drawn through the points it
    can show (:func:`glassnet.curves.visible_points`).
    """
    paths = prediction_paths(run) if paths is None else paths
    n_samples, n_out = paths.targets.shape
    shown = [(s, o) for s in range(n_samples) for o in range(n_out)][:max_examples]
    legend = legend_height(len(shown), 2)
    fig = new_figure(11, 3.8 + legend)
    set_margins(fig, cols=2, wgap=0.3, bottom=0.6 + legend)
    left, right = fig.subplots(1, 2, sharey=True)
    later = paths.iterations >= 1
    drawn = [paths.predictions[:, s, o] for s, o in shown] + [paths.targets.ravel()]
    safe_limits(left, "y", np.concatenate(drawn))  # the axes share y; before any line is added
    columns = (pixel_columns(left), pixel_columns(right))
    for k, (s, o) in enumerate(shown):
        style = line_style(k)
        values = paths.predictions[:, s, o]
        kept = visible_points(paths.iterations, values, columns[0])
        left.plot(
            paths.iterations[kept],
            drawable(values[kept]),
            linewidth=1.6,
            label=example_label(run, s, o),
            gid=f"prediction-linear-{s}-{o}",
            **style,
        )
        kept = visible_points(paths.iterations[later], values[later], columns[1], log_x=True)
        right.plot(
            paths.iterations[later][kept],
            drawable(values[later][kept]),
            linewidth=1.6,
            gid=f"prediction-log-{s}-{o}",
            **style,
        )
        target = float(drawable(paths.targets[s, o]))
        for ax in (left, right):
            ax.axhline(target, color=style["color"], linestyle=":", linewidth=1.2)
    if np.any(later):
        right.set_xscale("log")
        plain_log_axis(right.xaxis)
        log_x_range(right, paths.iterations[later])  # even when no value on it is finite
    left.set_title("Linear iteration axis")
    right.set_title("Log iteration axis (from iteration 1); dotted: targets")
    for ax in (left, right):
        ax.set_xlabel("iteration")
        style_axes(ax)
    left.set_ylabel("prediction")
    left.xaxis.set_major_formatter(thousands)
    handles, labels = left.get_legend_handles_labels()
    legend_below(fig, handles, labels, ncol=2, frameon=False)
    more = f" (first {len(shown)} of {n_samples * n_out})" if len(shown) < n_samples * n_out else ""
    fig.suptitle(f"Predictions for each example move to their targets{more}", fontsize=13)
    return fig
