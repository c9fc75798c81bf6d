"""Each example's prediction over the iterations, converging to its target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet.landscape import PredictionPaths, prediction_paths
from glassnet.plots._style import line_style, new_figure, style_axes, thousands
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def _number(value: float) -> str:
    return f"{value:.0f}" if value == round(value) else f"{value:.3g}"


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
    iteration axis, right a log one (iterations ``>= 1``).
    """
    paths = prediction_paths(run) if paths is None else paths
    n_samples, n_out = paths.targets.shape
    shown = [(s, o) for s in range(n_samples) for o in range(n_out)][:max_examples]
    fig = new_figure(11, 4.6 if len(shown) <= 6 else 5.6)
    left, right = fig.subplots(1, 2, sharey=True)
    later = paths.iterations >= 1
    for k, (s, o) in enumerate(shown):
        style = line_style(k)
        left.plot(
            paths.iterations,
            paths.predictions[:, s, o],
            linewidth=1.6,
            label=example_label(run, s, o),
            gid=f"prediction-linear-{s}-{o}",
            **style,
        )
        right.plot(
            paths.iterations[later],
            paths.predictions[later, s, o],
            linewidth=1.6,
            gid=f"prediction-log-{s}-{o}",
            **style,
        )
        for ax in (left, right):
            ax.axhline(paths.targets[s, o], color=style["color"], linestyle=":", linewidth=1.2)
    if np.any(later):
        right.set_xscale("log")
    left.set_title("Linear iteration axis")
    right.set_title("Log iteration axis (from iteration 1); dotted: targets")
    for ax in (left, right):
        ax.set_xlabel("iteration")
        style_axes(ax)
    left.set_ylabel("prediction")
    left.xaxis.set_major_formatter(thousands)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    more = f" (first {len(shown)} of {n_samples * n_out})" if len(shown) < n_samples * n_out else ""
    fig.suptitle(f"Predictions for each example move to their targets{more}", fontsize=13)
    return fig
