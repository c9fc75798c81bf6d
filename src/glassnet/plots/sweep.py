"""Pictures of a sweep: where the final weights end up across seeds.

``plot_weight_histograms(sweep)``
    One histogram per final weight and bias (one colour per learning rate).
``plot_weight_scatter(sweep, first, second)``
    One final weight against another, a dot per network. For the seed's
    experiment, weight 1 (``W0[0,0]``) against weight 3 (``W0[2,0]``, the
    weight of the always-1 input) shows the post's "the third input acts as a
    bias" relationship across seeds: the two settle near ``w3 = -w1 / 2``,
    putting the decision boundary halfway between input 1 being 0 and 1.

Both read a :class:`glassnet.sweep.Sweep`; they never train. matplotlib is
imported only here, when a plot is made.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet.plots._style import PALETTE, new_figure, style_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from glassnet.sweep import Sweep


def _rate_rows(sweep: Sweep) -> list[tuple[float, np.ndarray]]:
    return [(rate, sweep.learning_rates == rate) for rate in sweep.rates()]


def plot_weight_histograms(sweep: Sweep, bins: int = 50) -> Figure:
    """A grid of histograms, one per final parameter, one colour per learning rate."""
    names = sweep.parameter_names
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig = new_figure(3.2 * cols, 2.6 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    groups = _rate_rows(sweep)
    for index, ax in enumerate(axes.ravel()):
        if index >= len(names):
            ax.set_visible(False)
            continue
        values = sweep.final_params[:, index]
        finite = values[np.isfinite(values)]
        edges = np.histogram_bin_edges(finite, bins=bins) if finite.size else bins
        for g, (rate, rows_of_rate) in enumerate(groups):
            v = values[rows_of_rate]
            v = v[np.isfinite(v)]
            ax.hist(v, bins=edges, color=PALETTE[g % len(PALETTE)], alpha=0.6,
                    label=f"learning rate {rate:g}" if len(groups) > 1 else None)
        ax.set_title(f"final {names[index]}")
        ax.set_xlabel("value")
        ax.set_ylabel("networks")
        style_axes(ax)
        if len(groups) > 1 and index == 0:
            ax.legend(fontsize="small")
    fig.suptitle(
        f"Final weights of {sweep.n_networks:,} networks after {sweep.iterations:,} iterations"
    )
    return fig


def plot_weight_scatter(sweep: Sweep, first: int = 0, second: int | None = None) -> Figure:
    """Final parameter ``first`` against ``second`` (default: weight 1 against weight 3)."""
    names = sweep.parameter_names
    if second is None:
        second = 2 if len(names) > 2 else len(names) - 1
    fig = new_figure(5.5, 4.5)
    ax = fig.add_subplot()
    groups = _rate_rows(sweep)
    for g, (rate, rows_of_rate) in enumerate(groups):
        ax.scatter(sweep.final_params[rows_of_rate, first], sweep.final_params[rows_of_rate, second],
                   s=4, alpha=0.5, color=PALETTE[g % len(PALETTE)], linewidths=0,
                   label=f"learning rate {rate:g}" if len(groups) > 1 else None)
    if (first, second) == (0, 2) and names[:3] == ("W0[0,0]", "W0[1,0]", "W0[2,0]"):
        # the guide for the seed's question: a bias-like third weight sits at -w1/2
        x = sweep.final_params[:, first]
        x = x[np.isfinite(x)]
        if x.size:
            span = np.array([x.min(), x.max()])
            ax.plot(span, -span / 2, color="#555555", linestyle="--", linewidth=1,
                    label="w3 = -w1/2 (boundary halfway)")
            ax.legend(fontsize="small", markerscale=3)
    ax.set_xlabel(f"final {names[first]} (weight {first + 1})")
    ax.set_ylabel(f"final {names[second]} (weight {second + 1})")
    n_seeds = len(set(int(s) for s in sweep.seeds))
    ax.set_title(f"{sweep.n_networks:,} networks ({n_seeds:,} seeds), "
                 f"{sweep.iterations:,} iterations")
    style_axes(ax)
    if len(groups) > 1 and ax.get_legend() is None:
        ax.legend(fontsize="small", markerscale=3)
    return fig


def write_sweep_plots(sweep: Sweep, folder: str | Path) -> list[Path]:
    """Save ``weights_histograms.png`` and ``weight1_vs_weight3.png`` in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in (
        ("weights_histograms.png", plot_weight_histograms(sweep)),
        ("weight1_vs_weight3.png", plot_weight_scatter(sweep)),
    ):
        path = folder / name
        fig.savefig(path)
        written.append(path)
    return written
