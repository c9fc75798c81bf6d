"""A :class:`~glassnet.compare.Comparison` of two runs as a figure: both error curves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet.compare import Comparison

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def plot_comparison(c: Comparison) -> Figure:
    """Both error curves overlaid (log iteration axis), the first difference marked."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    for label, curve, test, style in (
        (c.label_a, c.error_sum_a, c.test_error_sum_a, "-"),
        (c.label_b, c.error_sum_b, c.test_error_sum_b, "--"),
    ):
        k = np.arange(len(curve))
        has_test = c.test_error_sum_a is not None or c.test_error_sum_b is not None
        (line,) = ax.plot(k + 1, curve, style, label=f"{label}: training" if has_test else label)
        if test is not None:
            ax.plot(k + 1, test, style, color=line.get_color(), alpha=0.5, label=f"{label}: test")
    if c.first_difference is not None:
        ax.axvline(
            c.first_difference.iteration + 1,
            color="grey",
            lw=0.8,
            ls=":",
            label=f"first difference #{c.first_difference.iteration}",
        )
    ax.set_xscale("log")
    ax.set_xlabel("iteration k + 1 (log scale)")
    ax.set_ylabel("error sum  sum(|y - a|)")
    ax.set_title(f"{c.label_a} vs {c.label_b}")
    ax.legend()
    return fig
