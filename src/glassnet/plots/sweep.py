"""Pictures of a sweep: where the final weights end up across seeds.

``plot_weight_histograms(sweep)``
    One histogram per final weight and bias (one colour per learning rate).
``plot_weight_scatter(sweep, first, second)``
    One final weight against another, a dot per network. For the seed's
    experiment, weight 1 (``W0[0,0]``) against weight 3 (``W0[2,0]``, the
    weight of the always-1 input) shows the post's "the third input acts as a
    bias" relationship across seeds: for every seed the two settle with
    ``w3`` close to ``-w1 / 2`` (about ``-0.48 w1``), which puts the decision
    boundary about halfway between input 1 being 0 and being 1.

Both read a :class:`glassnet.sweep.Sweep`; they never train. matplotlib is
imported only here, when a plot is made.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet.explain.numbers import count
from glassnet.plots._style import PALETTE, new_figure, style_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from glassnet.sweep import Sweep


def _rate_rows(sweep: Sweep) -> list[tuple[float, np.ndarray]]:
    return [(rate, sweep.learning_rates == rate) for rate in sweep.rates()]


#: With several learning rates and few parameters (up to this many panels),
#: each rate gets its own row of histograms: the spread across seeds is far
#: narrower than the gaps between rates.
MAX_PANELS = 48


def plot_weight_histograms(sweep: Sweep, bins: int = 50) -> Figure:
    """Histograms of every final parameter: one row per learning rate (one panel per
    parameter, bins fitted to that rate's spread), or with many parameters one
    panel per parameter with the rates overlaid in colour."""
    names = sweep.parameter_names
    groups = _rate_rows(sweep)
    per_rate = len(groups) > 1 and len(names) <= 6 and len(groups) * len(names) <= MAX_PANELS
    if per_rate:
        rows, cols = len(groups), len(names)
        panels = [(g, i) for g in range(len(groups)) for i in range(len(names))]
    else:
        cols = min(4, len(names))
        rows = math.ceil(len(names) / cols)
        panels = [(None, i) for i in range(len(names))]
    fig = new_figure(3.0 * cols, 2.4 * rows)
    from matplotlib.ticker import MaxNLocator  # matplotlib is loaded by new_figure

    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    for ax, (group, index) in zip(axes.ravel(), panels):
        values = sweep.final_params[:, index]
        shown = groups if group is None else [groups[group]]
        finite_all = np.concatenate([values[r][np.isfinite(values[r])] for _, r in shown])
        edges = np.histogram_bin_edges(finite_all, bins=bins) if finite_all.size else bins
        for rate, rows_of_rate in shown:
            g = groups.index((rate, rows_of_rate)) if group is None else group
            v = values[rows_of_rate]
            ax.hist(
                v[np.isfinite(v)],
                bins=edges,
                color=PALETTE[g % len(PALETTE)],
                alpha=0.7,
                label=f"learning rate {rate:g}" if group is None and len(groups) > 1 else None,
            )
        title = f"final {names[index]}"
        if group is not None and len(groups) > 1:
            title += f", rate {groups[group][0]:g}"
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("value")
        ax.set_ylabel("networks")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        style_axes(ax)
        if group is None and len(groups) > 1 and index == 0:
            ax.legend(fontsize="small")
    fig.suptitle(
        f"Final weights of {sweep.n_networks:,} networks after {count(sweep.iterations, 'iteration')}"
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
        ax.scatter(
            sweep.final_params[rows_of_rate, first],
            sweep.final_params[rows_of_rate, second],
            s=4,
            alpha=0.5,
            color=PALETTE[g % len(PALETTE)],
            linewidths=0,
            label=f"learning rate {rate:g}" if len(groups) > 1 else None,
        )
    ax.set_xlabel(f"final {names[first]} (weight {first + 1})")
    ax.set_ylabel(f"final {names[second]} (weight {second + 1})")
    n_seeds = len(set(int(s) for s in sweep.seeds))
    ax.set_title(
        f"{sweep.n_networks:,} networks ({n_seeds:,} seeds), {count(sweep.iterations, 'iteration')}"
    )
    style_axes(ax)
    if len(groups) > 1:
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
