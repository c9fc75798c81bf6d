"""Pictures of a sweep: where the final weights end up across seeds.

``plot_weight_histograms(sweep)``
    One histogram per final weight and bias (one row per learning rate, or
    the rates overlaid in colour when there are many parameters).
``plot_weight_scatter(sweep, pair=None)``
    One final parameter against another, as a density: hexagons shaded by how
    many networks ended in them (points for a few hundred networks), one panel
    per learning rate (each rate's networks settle in their own small region,
    far from the others'). The default pair is the two parameters whose final
    values vary most across the sweep (the widest spread between the 5th and
    95th percentile, so a few diverged networks do not decide); ``pair`` picks
    any other, by name (``"W0[0,0]"``) or position. For the post's experiment,
    weight 1 (``W0[0,0]``) against weight 3 (``W0[2,0]``, the weight of the
    always-1 input) shows the post's "the third input acts as a bias"
    relationship: for every seed the two settle with ``w3`` close to
    ``-w1 / 2``.

Tick labels are plain numbers (never matplotlib's offset notation, "+1.2008e1"
in a corner, which a newcomer reads as part of the last label), and
:func:`untangle_tick_labels` keeps them apart. Both figures read a
:class:`glassnet.sweep.Sweep`; they never train. matplotlib is imported only
here, when a plot is made.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.activations import Array
from glassnet.errors import ConfigError
from glassnet.explain.numbers import count
from glassnet.plots._style import AXIS_LIMIT, PALETTE, SURFACE_CMAP, new_figure, style_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from glassnet.sweep import Sweep


def _rate_rows(sweep: Sweep) -> list[tuple[str, np.ndarray]]:
    """One ``(label, rows)`` per (optimizer, batch size, learning rate) combination, labelled
    by what the sweep varies (``"learning rate 0.5"``, ``"adam, learning rate 0.01"``)."""
    return [(sweep.label(*combo), sweep.rows_of(*combo)) for combo in sweep.combinations()]


#: With several learning rates and few parameters (up to this many panels),
#: each rate gets its own row of histograms: the spread across seeds is far
#: narrower than the gaps between rates.
MAX_PANELS = 48
#: Up to this many learning rates, the scatter has one panel per rate.
MAX_SCATTER_PANELS = 6
#: From this many networks in a panel on, the scatter is drawn as hexagons.
HEXBIN_FROM = 2000


def shown_values(values: Array) -> Array:
    """The finite values of ``values`` within +-:data:`~glassnet.plots._style.AXIS_LIMIT`
    (an axis cannot span more)."""
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values) & (np.abs(values) <= AXIS_LIMIT)]


def bin_edges(values: Array, bins: int) -> Array:
    """``bins + 1`` increasing edges covering the shown values (any finite values, all equal, none)."""
    shown = shown_values(values)
    if shown.size == 0:
        return np.linspace(0.0, 1.0, bins + 1)
    low, high = float(shown.min()), float(shown.max())
    if high - low <= 1e-12 * max(abs(low), abs(high)):  # one value: a bin around it
        pad = max(abs(low) * 1e-3, 0.5)
        low, high = low - pad, high + pad
    return np.linspace(low, high, bins + 1)


def spread(values: Array) -> float:
    """The width between the 5th and 95th percentile of the finite values (0 with fewer than 2)."""
    finite = shown_values(values)
    if finite.size < 2:
        return 0.0
    p05, p95 = np.percentile(finite, [5, 95])
    return float(p95 - p05)


def widest_pair(sweep: Sweep) -> tuple[int, int]:
    """Positions of the two parameters whose final values spread most across the sweep, in order.

    Spread is :func:`spread` over all networks; ties keep the earlier parameter.
    """
    n = len(sweep.parameter_names)
    if n < 2:
        return 0, 0
    spreads = np.array([spread(sweep.final_params[:, i]) for i in range(n)])
    first, second = np.argsort(-spreads, kind="stable")[:2]
    return (int(first), int(second)) if first < second else (int(second), int(first))


def _position(names: Sequence[str], which: str | int) -> int:
    if isinstance(which, (int, np.integer)) and not isinstance(which, bool):
        if 0 <= which < len(names):
            return int(which)
        raise ConfigError(
            f"scatter parameter positions must be from 0 to {len(names) - 1}; got {which}."
        )
    if which in names:
        return list(names).index(str(which))
    import difflib

    close = difflib.get_close_matches(str(which), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"unknown scatter parameter {which!r}; this network has {', '.join(names)}.{hint}"
    )


def scatter_pair(sweep: Sweep, pair: Sequence[str | int] | None = None) -> tuple[int, int]:
    """The two parameters the scatter shows: ``pair`` (names or positions) or :func:`widest_pair`."""
    if pair is None:
        return widest_pair(sweep)
    if len(pair) != 2:
        raise ConfigError(f"the scatter needs two parameters; got {list(pair)!r}.")
    first, second = (_position(sweep.parameter_names, p) for p in pair)
    return first, second


def plain_ticks(ax: Any, nbins: int = 4) -> None:
    """Plain tick labels (no offset, no scientific corner text), at most ``nbins + 1`` per axis."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    for axis in (ax.xaxis, ax.yaxis):
        formatter = ScalarFormatter(useOffset=False)
        formatter.set_scientific(False)
        axis.set_major_formatter(formatter)
        axis.set_major_locator(MaxNLocator(nbins))


def tick_label_overlaps(axis: Any, renderer: Any, gap: float = 2.0) -> bool:
    """Whether two visible tick labels of ``axis`` overlap (or come closer than ``gap`` pixels)."""
    boxes = [
        label.get_window_extent(renderer)
        for label in axis.get_ticklabels()
        if label.get_visible() and label.get_text()
    ]
    horizontal = axis.axis_name == "x"
    boxes.sort(key=lambda b: b.x0 if horizontal else b.y0)
    for a, b in itertools.pairwise(boxes):
        if (a.x1 + gap > b.x0) if horizontal else (a.y1 + gap > b.y0):
            return True
    return False


def untangle_tick_labels(fig: Figure, nbins: Sequence[int] = (4, 3, 2, 1)) -> None:
    """Take ticks away from every axis of ``fig`` whose tick labels overlap; rotate as a last resort.

    Each try draws the figure once without rendering (so the labels have their
    text and size), then checks the labels' extents on the renderer.
    """
    from matplotlib.ticker import MaxNLocator

    def tangled() -> list[Any]:
        fig.draw_without_rendering()
        renderer = fig._get_renderer()  # type: ignore[attr-defined]  # matplotlib's renderer has no public getter
        return [
            axis
            for ax in fig.axes
            if ax.get_visible() and ax.get_label() != "<colorbar>"
            for axis in (ax.xaxis, ax.yaxis)
            if tick_label_overlaps(axis, renderer)
        ]

    crowded = tangled()
    for n in nbins[1:]:
        if not crowded:
            return
        for axis in crowded:
            axis.set_major_locator(MaxNLocator(n))
        crowded = tangled()
    for axis in crowded:
        for label in axis.get_ticklabels():
            label.set_rotation(30 if axis.axis_name == "x" else 0)
            label.set_horizontalalignment("right" if axis.axis_name == "x" else "left")


def plot_weight_histograms(sweep: Sweep, bins: int = 50) -> Figure:
    """Histograms of every final parameter: one row per learning rate (one panel per
    parameter, bins fitted to that rate's spread), or with many parameters one
    panel per parameter with the rates overlaid in colour."""
    names = sweep.parameter_names
    groups = _rate_rows(sweep)
    per_rate = len(groups) > 1 and len(names) <= 6 and len(groups) * len(names) <= MAX_PANELS
    panels: list[
        tuple[int | None, int]
    ]  # (learning-rate row or None: all rates overlaid, parameter)
    if per_rate:
        rows, cols = len(groups), len(names)
        panels = [(g, i) for g in range(len(groups)) for i in range(len(names))]
    else:
        cols = min(4, len(names))
        rows = math.ceil(len(names) / cols)
        panels = [(None, i) for i in range(len(names))]
    fig = new_figure(3.2 * cols, 2.5 * rows + 0.4, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    for ax, (group, index) in zip(axes.ravel(), panels):
        values = sweep.final_params[:, index]
        shown = groups if group is None else [groups[group]]
        edges = bin_edges(np.concatenate([values[r] for _, r in shown]), bins)
        for label, rows_of_label in shown:
            g = groups.index((label, rows_of_label)) if group is None else group
            ax.hist(
                shown_values(values[rows_of_label]),
                bins=edges,
                color=PALETTE[g % len(PALETTE)],
                alpha=0.7,
                label=label if group is None and len(groups) > 1 else None,
            )
        title = f"final {names[index]}"
        if group is not None and len(groups) > 1:
            title += f", {groups[group][0]}"
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("value")
        ax.set_ylabel("networks")
        plain_ticks(ax)
        style_axes(ax)
        if group is None and len(groups) > 1 and index == 0:
            ax.legend(fontsize="small")
    fig.suptitle(
        f"Final weights of {sweep.n_networks:,} networks after {count(sweep.iterations, 'iteration')}"
    )
    untangle_tick_labels(fig)
    return fig


def plot_weight_scatter(sweep: Sweep, pair: Sequence[str | int] | None = None) -> Figure:
    """Final parameter ``pair[0]`` against ``pair[1]`` across the sweep, as a density.

    Parameters
    ----------
    sweep : Sweep
    pair : two names (``"W0[0,0]"``) or positions, optional
        Default :func:`widest_pair`: the two that vary most.

    One panel per (optimizer, batch size, learning rate) combination (up to
    :data:`MAX_SCATTER_PANELS`; beyond, one panel with a colour per combination); a panel of :data:`HEXBIN_FROM`
    networks or more shades hexagons by the number of networks in each (a
    point per network would pile 30,000 dots into a few specks), fewer are
    drawn as translucent points.
    """
    names = sweep.parameter_names
    if len(names) < 2:
        raise ConfigError(f"a weight scatter needs two parameters; this network has {len(names)}.")
    first, second = scatter_pair(sweep, pair)
    groups = _rate_rows(sweep)
    panels: list[list[tuple[int, str, np.ndarray]]]
    if len(groups) <= MAX_SCATTER_PANELS:
        panels = [[(g, label, rows)] for g, (label, rows) in enumerate(groups)]
    else:
        panels = [[(g, label, rows) for g, (label, rows) in enumerate(groups)]]
    cols = min(len(panels), 3)
    n_rows = math.ceil(len(panels) / cols)
    fig = new_figure(4.6 * cols + 0.4, 4.0 * n_rows + 0.5, layout="constrained")
    axes = fig.subplots(n_rows, cols, squeeze=False).ravel()
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    hidden = 0
    for ax, panel in zip(axes, panels):
        for g, label, rows in panel:
            x, y = sweep.final_params[rows, first], sweep.final_params[rows, second]
            keep = (
                np.isfinite(x)
                & np.isfinite(y)
                & (np.abs(x) <= AXIS_LIMIT)
                & (np.abs(y) <= AXIS_LIMIT)
            )
            hidden += int((~keep).sum())
            x, y = x[keep], y[keep]
            if len(panel) == 1 and x.size >= HEXBIN_FROM:
                grid = int(np.clip(math.sqrt(x.size) / 3, 15, 50))  # about 10 networks a hexagon
                cells = ax.hexbin(x, y, gridsize=grid, mincnt=1, cmap=SURFACE_CMAP, linewidths=0.2)
                ax.set_axisbelow(True)  # the grid under the hexagons
                fig.colorbar(cells, ax=ax, label="networks per hexagon", shrink=0.9)
            else:
                ax.scatter(
                    x,
                    y,
                    s=8 if x.size < HEXBIN_FROM else 3,
                    alpha=0.6 if x.size < HEXBIN_FROM else 0.25,
                    color=PALETTE[g % len(PALETTE)],
                    linewidths=0,
                    label=label if len(panel) > 1 else None,
                )
        if len(panel) == 1:
            g, label, rows = panel[0]
            ax.set_title(f"{label}: {int(rows.sum()):,} networks", fontsize="medium")
        else:
            ax.legend(fontsize="small", markerscale=3)
        ax.set_xlabel(f"final {names[first]} (weight {first + 1})")
        ax.set_ylabel(f"final {names[second]} (weight {second + 1})")
        plain_ticks(ax)
        style_axes(ax)
    n_seeds = len({int(s) for s in sweep.seeds})
    left_out = f"; {hidden:,} not shown (not finite or beyond ±{AXIS_LIMIT:g})" if hidden else ""
    fig.suptitle(
        f"Final {names[first]} against {names[second]}\n{sweep.n_networks:,} networks "
        f"({n_seeds:,} seeds), {count(sweep.iterations, 'iteration')}{left_out}"
    )
    untangle_tick_labels(fig)
    return fig


def scatter_file_name(sweep: Sweep, pair: Sequence[str | int] | None = None) -> str:
    """``weight1_vs_weight3.png``: the scatter's file, named by the pair's positions from 1."""
    first, second = scatter_pair(sweep, pair)
    return f"weight{first + 1}_vs_weight{second + 1}.png"


def write_sweep_plots(
    sweep: Sweep, folder: str | Path, pair: Sequence[str | int] | None = None
) -> list[Path]:
    """Save ``weights_histograms.png`` and the scatter (:func:`scatter_file_name`) in ``folder``,
    both or neither; a network with one parameter gets only the histograms."""
    from glassnet.plots import figure_bytes
    from glassnet.plots._files import check_outputs, write_files

    folder = Path(folder)
    figures = {"weights_histograms.png": plot_weight_histograms(sweep)}
    if len(sweep.parameter_names) >= 2:
        figures[scatter_file_name(sweep, pair)] = plot_weight_scatter(sweep, pair)
    check_outputs(folder / name for name in figures)
    return write_files(
        {folder / name: figure_bytes(fig, "png", dpi=100) for name, fig in figures.items()}
    )
