"""Decision boundaries: the network's output and each hidden unit's over the input plane.

Two figures of a run whose examples are points of a plane
(:func:`glassnet.boundary.plane_of`):

- ``boundary``: the last layer's output at the final iteration as a heatmap
  on a blue-white-orange scale centred at the decision level (0.5 for a
  sigmoid, :func:`glassnet.boundary.threshold`), that level's contour (the
  decision boundary) and the training points coloured by their targets.
  Outputs read as classes (softmax; :func:`glassnet.boundary.reads_classes`)
  are coloured by the winning class instead, paler where its probability is
  lower, with the borders between classes drawn.
- ``hidden_units``: small multiples, one panel per hidden unit, one row of
  panels per hidden layer (wrapped after :data:`COLUMNS`), each unit's output
  over the same plane.

Every value drawn is :func:`glassnet.boundary.boundary`'s; this module only
maps them to colours (the heatmap's array is that grid, unchanged).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from glassnet.boundary import (
    Boundary,
    boundary,
    classes_of,
    output_scale,
    plane_names,
    plane_of,
    reads_classes,
    value_range,
)
from glassnet.errors import ConfigError
from glassnet.explain.numbers import count
from glassnet.plots._style import (
    AXIS_LIMIT,
    PALETTE,
    drawable,
    escape,
    legend_below,
    legend_height,
    new_figure,
)
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage

#: Grid points per side of the pictures (finer than the report's and the playground's).
RESOLUTION = 101
#: Panels per row of the hidden units' figure.
COLUMNS = 8
#: Units of one hidden layer drawn (the first ones, two rows); more are named in the row's label.
MAX_UNITS = 16
#: Outputs drawn side by side when several outputs are values, not classes.
MAX_OUTPUTS = 4
#: Points drawn (the first ones); more would hide the heatmap.
MAX_POINTS = 2000


def legend_columns(n_entries: int) -> int:
    """Columns of the legend under the map: one row of up to three entries, else two columns."""
    return n_entries if n_entries <= 3 else 2


#: The diverging scale: Okabe-Ito blue (low, class 0) through white (the
#: decision level) to Okabe-Ito orange (high, class 1), the colour-blind-safe
#: pair of the playground. Its ends are tinted towards white so that the
#: points, in the full colours, stand out on the regions they belong to.
LOW_COLOR, HIGH_COLOR = PALETTE[0], PALETTE[1]
TINT = 0.6
#: Edge of every point: dark, so a point shows on the region of its own colour.
POINT_EDGE = "#1a1a1a"
#: Where an output is not finite (a diverged run).
NOT_FINITE = "#bbbbbb"
#: Markers of the classes (shape as well as colour tells them apart in grey).
MARKERS = ("o", "^", "s", "D", "v", "P", "X", "*")


def check_resolution(resolution: Any) -> int:
    """``resolution`` as an int from 2 to 1,001, or a one-line :class:`ConfigError`."""
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ConfigError(
            f"boundary plot option 'resolution' must be a whole number of grid points per side "
            f"from 2 to 1001; got {resolution!r}."
        )
    if not 2 <= int(resolution) <= 1001:
        raise ConfigError(
            f"boundary plot option 'resolution' must be from 2 to 1001 grid points per side; "
            f"got {resolution}."
        )
    return int(resolution)


def final_boundary(run: Run, resolution: int = RESOLUTION) -> Boundary:
    """The grid both figures draw: :func:`glassnet.boundary.boundary` at the run's last iteration.

    Raises
    ------
    ConfigError
        The run's examples are not points of a plane, or a bad ``resolution``.
    """
    if plane_of(run) is None:
        raise ConfigError(
            f"plot kinds 'boundary' and 'hidden_units' need examples in a plane (two inputs, or a "
            f"2-D dataset such as circle or spiral); this run's {run.data.name!r} data has "
            f"{run.data.X.shape[1]} inputs."
        )
    return boundary(run, check_resolution(resolution), [run.iterations])


def _mix(color: str, weight: float) -> tuple[float, float, float]:
    """``color`` blended with white: ``weight`` 1 is the colour, 0 is white."""
    from matplotlib.colors import to_rgb

    r, g, b = (1.0 - weight * (1.0 - channel) for channel in to_rgb(color))
    return (r, g, b)


def diverging_cmap(tint: float = TINT) -> Colormap:
    """Blue -> white -> orange; ``tint`` is how much of the full colour the ends keep."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list(
        "glassnet_boundary", [_mix(LOW_COLOR, tint), (1.0, 1.0, 1.0), _mix(HIGH_COLOR, tint)]
    )
    return cmap.with_extremes(bad=NOT_FINITE)  # a value that is not finite: grey


def _extent(found: Boundary) -> tuple[float, float, float, float]:
    """Image extent with each grid value at the centre of its pixel."""
    dx = (found.x1[-1] - found.x1[0]) / max(len(found.x1) - 1, 1)
    dy = (found.x2[-1] - found.x2[0]) / max(len(found.x2) - 1, 1)
    return (
        float(found.x1[0] - dx / 2),
        float(found.x1[-1] + dx / 2),
        float(found.x2[0] - dy / 2),
        float(found.x2[-1] + dy / 2),
    )


def _ratio(found: Boundary) -> float:
    """Height over width of the plane shown."""
    return float((found.x2[-1] - found.x2[0]) / max(found.x1[-1] - found.x1[0], 1e-300))


def _aspect(found: Boundary) -> Literal["equal", "auto"]:
    """Equal scales on both axes when the ranges are alike (a circle stays round)."""
    return "equal" if 0.5 <= _ratio(found) <= 2 else "auto"


def _box(found: Boundary, size: float) -> tuple[float, float]:
    """Width and height (inches) of a map at most ``size`` square, shaped like the plane shown."""
    if _aspect(found) != "equal":
        return size, size
    ratio = _ratio(found)
    return size * min(1.0, 1.0 / ratio), size * min(1.0, ratio)


def _label_plane(ax: Axes, run: Run) -> None:
    first, second = plane_names(run)
    ax.set_xlabel(escape(first))
    ax.set_ylabel(escape(second))


def _shown_points(found: Boundary) -> slice:
    return slice(0, min(len(found.points), MAX_POINTS))


def _is_binary(values: Any) -> bool:
    finite = np.asarray(values)[np.isfinite(values)]
    return finite.size > 0 and bool(np.all((finite == 0) | (finite == 1)))


def _shown(values: Any) -> Any:
    """``values`` as an image draws them: not finite masked (grey); beyond +-10 ``AXIS_LIMIT``
    clipped there (the colour is the scale's end either way; matplotlib's arithmetic on
    values near the float64 maximum would overflow)."""
    return np.ma.masked_invalid(drawable(values))


def _limits(low: float, high: float) -> tuple[float, float]:
    """A colour scale's ends within +-``AXIS_LIMIT``, so that ``high - low`` stays finite."""
    return max(low, -AXIS_LIMIT), min(high, AXIS_LIMIT)


def _draw_value_panel(
    fig: Figure, ax: Axes, run: Run, found: Boundary, output: int, norm: Any, legend: bool
) -> AxesImage:
    """One output as a heatmap centred at the decision level (``norm``), its contour and the points."""
    from matplotlib.lines import Line2D

    grid = found.output[-1, :, :, output]
    center = float(norm.vcenter)
    cmap = diverging_cmap()
    image = ax.imshow(
        _shown(grid),
        origin="lower",
        extent=_extent(found),
        cmap=cmap,
        norm=norm,
        interpolation="bilinear",
        aspect=_aspect(found),
        gid=f"boundary-output-{output}",
    )
    handles: list[Any] = []
    labels: list[str] = []
    finite = grid[np.isfinite(grid)]
    if finite.size and finite.min() < center < finite.max():
        g1, g2 = np.meshgrid(found.x1, found.x2)
        ax.contour(
            g1,
            g2,
            _shown(grid),
            levels=[center],
            colors="black",
            linewidths=1.6,
        )
    handles.append(Line2D([], [], color="black", linewidth=1.6))
    labels.append(
        f"decision boundary: output = {center:.4g}"
        if run.network.activations[-1].probability
        else f"output = {center:.4g}, halfway between the targets"
    )
    shown = _shown_points(found)
    targets = found.labels[shown, output]
    points = found.points[shown]
    if _is_binary(targets):
        for value, marker in ((0.0, MARKERS[0]), (1.0, MARKERS[1])):
            mask = targets == value
            color = LOW_COLOR if value == 0 else HIGH_COLOR
            ax.scatter(
                points[mask, 0],
                points[mask, 1],
                s=22,
                c=color,
                marker=marker,
                edgecolors=POINT_EDGE,
                linewidths=0.5,
                gid=f"points-target-{value:g}",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    linestyle="none",
                    markerfacecolor=color,
                    markeredgecolor=POINT_EDGE,
                    markersize=6,
                )
            )
            labels.append(f"target {value:g} ({count(int(mask.sum()), 'example')})")
    else:  # targets of any value: coloured on the heatmap's own (untinted) scale
        full = diverging_cmap(1.0)
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=22,
            c=targets,
            cmap=full,
            norm=norm,
            edgecolors="black",
            linewidths=0.5,
            gid="points-target",
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor="black",
            )
        )
        labels.append("example, coloured by its target")
    _label_plane(ax, run)
    if legend:
        legend_below(fig, handles, labels, ncol=legend_columns(len(labels)), frameon=False)
    return image


def _class_colors(n_classes: int) -> list[str]:
    return [PALETTE[k % len(PALETTE)] for k in range(n_classes)]


def class_image(found: Boundary) -> tuple[Any, Any, Any]:
    """The winning class's colour at each grid point, paler where its probability is lower.

    Returns ``(rgb, classes, largest)``: ``rgb`` ``(resolution, resolution,
    3)`` in 0..1, and :func:`glassnet.boundary.classes_of` of the last
    frame's outputs. The colour is the class's blended with white by
    ``TINT * (p - 1/K) / (1 - 1/K)``: white where the ``K`` classes are
    equally likely, :data:`TINT` of the full colour at probability 1 (the
    points keep the full colour); grey where an output is not finite.
    """
    from matplotlib.colors import to_rgb

    output = found.output[-1]
    n_classes = output.shape[-1]
    classes, largest = classes_of(output)
    strength = TINT * np.clip((largest - 1 / n_classes) / (1 - 1 / n_classes), 0, 1)
    palette = np.array([to_rgb(c) for c in _class_colors(n_classes)])
    rgb = 1.0 - strength[..., None] * (1.0 - palette[classes.clip(0)])
    rgb[classes < 0] = to_rgb(NOT_FINITE)
    return rgb, classes, largest


def _draw_class_panel(fig: Figure, ax: Axes, run: Run, found: Boundary) -> None:
    """Outputs read as classes: the winning class's colour, the borders between classes, the points."""
    from matplotlib.lines import Line2D

    rgb, _, _ = class_image(found)
    n_classes = found.output.shape[-1]
    ax.imshow(
        rgb,
        origin="lower",
        extent=_extent(found),
        interpolation="bilinear",
        aspect=_aspect(found),
        gid="boundary-classes",
    )
    g1, g2 = np.meshgrid(found.x1, found.x2)
    output = found.output[-1]
    for k in range(n_classes):
        # class k wins where its output exceeds every other: the border is margin 0
        others = np.delete(output, k, axis=-1).max(axis=-1)
        with np.errstate(invalid="ignore"):  # inf - inf: not finite, masked
            margin = np.ma.masked_invalid(output[..., k] - others)
        if margin.count() and margin.min() < 0 < margin.max():
            ax.contour(g1, g2, margin, levels=[0.0], colors="black", linewidths=1.4)
    handles: list[Any] = [Line2D([], [], color="black", linewidth=1.4)]
    labels = ["decision boundary"]
    shown = _shown_points(found)
    target_class, _ = classes_of(found.labels[shown])
    names = run.data.target_names
    for k, color in enumerate(_class_colors(n_classes)):
        mask = target_class == k
        marker = MARKERS[k % len(MARKERS)]
        ax.scatter(
            found.points[shown][mask, 0],
            found.points[shown][mask, 1],
            s=22,
            c=color,
            marker=marker,
            edgecolors=POINT_EDGE,
            linewidths=0.5,
            gid=f"points-class-{k}",
        )
        name = f" ({escape(names[k])})" if k < len(names) and names[k] else ""
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="none",
                markerfacecolor=color,
                markeredgecolor=POINT_EDGE,
                markersize=6,
            )
        )
        labels.append(f"class {k + 1}{name} ({count(int(mask.sum()), 'example')})")
    _label_plane(ax, run)
    legend_below(fig, handles, labels, ncol=legend_columns(len(labels)), frameon=False)


def plot_boundary(run: Run, resolution: int = RESOLUTION, found: Boundary | None = None) -> Figure:
    """The final output over the input plane, the decision boundary and the training points.

    Parameters
    ----------
    resolution : int
        Grid points per side (2 to 1,001) of :func:`glassnet.boundary.boundary`.
    found : Boundary, optional
        Already computed (its last frame is drawn); ``resolution`` is then unused.

    Raises
    ------
    ConfigError
        The run's examples are not points of a plane, or a bad ``resolution``.
    """
    found = final_boundary(run, resolution) if found is None else found
    k = int(found.iterations[-1])
    n_out = found.output.shape[-1]
    act = run.network.activations[-1].name
    classes = reads_classes(run)
    panels = 1 if classes else min(n_out, MAX_OUTPUTS)
    gap, bar = 0.9, 1.0  # inches: between maps, the colour bar and its label
    size_x, size_y = _box(found, 4.6)
    n_entries = n_out + 1 if classes else 3
    legend = legend_height(n_entries, legend_columns(n_entries))
    maps = 0.85 + panels * size_x + (panels - 1) * gap + (0 if classes else bar) + 0.2
    width = max(maps, 6.4)
    height = 0.85 + size_y + 0.65 + legend
    fig = new_figure(width, height)
    bottom = (0.65 + legend) / height
    start = 0.85 + (width - maps) / 2  # centred when the title is wider than the maps
    if classes:
        ax = fig.add_axes((start / width, bottom, size_x / width, size_y / height))
        _draw_class_panel(fig, ax, run, found)
        what = f"the largest output's class ({act}), paler where less sure"
    else:
        from matplotlib.colors import TwoSlopeNorm

        # one scale for every output shown, centred at the decision level
        low, center, high = output_scale(run, found.output[-1, :, :, :panels])
        low, high = _limits(low, high)
        norm = TwoSlopeNorm(vcenter=center, vmin=low, vmax=high)
        images = []
        for j in range(panels):
            left = start + j * (size_x + gap)
            ax = fig.add_axes((left / width, bottom, size_x / width, size_y / height))
            images.append(_draw_value_panel(fig, ax, run, found, j, norm, legend=j == 0))
            if n_out > 1:
                ax.set_title(f"output {j + 1}", fontsize=10)
        x_bar = start + panels * size_x + (panels - 1) * gap + 0.2
        cax = fig.add_axes((x_bar / width, bottom, 0.18 / width, size_y / height))
        colorbar = fig.colorbar(images[0], cax=cax)
        colorbar.set_label(f"network output ({act})")
        cax.axhline(center, color="black", linewidth=1.6)
        what = f"the network's output ({act}) over the input plane" + (
            f", first {panels} of {n_out} outputs" if n_out > panels else ""
        )
    fig.suptitle(f"Decision boundary at iteration #{k:,}", fontsize=13, y=1 - 0.12 / height)
    fig.text(
        0.5,
        1 - 0.5 / height,
        escape(f"{what}; points: training examples"),
        ha="center",
        va="top",
        fontsize=9,
        color="#333333",
        gid="subtitle",
    )
    return fig


def plot_hidden_units(
    run: Run, resolution: int = RESOLUTION, found: Boundary | None = None
) -> Figure:
    """Each hidden unit's output over the input plane at the final iteration: one panel per unit.

    Hidden layer ``l``'s units fill row(s) of panels titled ``"layer l, unit
    j"`` (:data:`COLUMNS` per row, the first :data:`MAX_UNITS` of a layer);
    a layer's panels share one colour scale (:func:`glassnet.boundary.value_range`
    of its activation), shown by the bar at the row's right. Every panel shows
    the whole plane of the boundary plot (``x1`` across, ``x2`` up).

    A layer's panels are images side by side in one axes without ticks (an
    axes of its own per panel would take most of the drawing time): unit
    ``j`` of layer ``l`` is the image with gid ``hidden-l-j``, its array the
    unit's grid of :func:`glassnet.boundary.boundary`, unchanged.

    Raises
    ------
    ConfigError
        The run's examples are not points of a plane, the network has no
        hidden layer, or a bad ``resolution``.
    """
    from matplotlib.patches import Rectangle

    found = final_boundary(run, resolution) if found is None else found
    if not found.hidden:
        raise ConfigError(
            f"plot kind 'hidden_units' needs a hidden layer; this network's layers are "
            f"{list(run.network.sizes)}."
        )
    k = int(found.iterations[-1])
    shown = [min(layer.shape[-1], MAX_UNITS) for layer in found.hidden]
    cols = min(max(shown), COLUMNS)
    rows = [math.ceil(n / cols) for n in shown]
    # inches: each panel, between columns, between rows (room for a title), between layers
    wgap, hgap, lgap = 0.14, 0.3, 0.2
    panel_w, panel_h = _box(found, 1.3)  # shaped like the plane, as in the boundary plot
    left, right, top, bottom = 1.05, 0.95, 0.75, 0.1
    grid_width = cols * panel_w + (cols - 1) * wgap
    height = top + sum(r * (panel_h + hgap) for r in rows) + (len(rows) - 1) * lgap + bottom
    width = left + grid_width + right
    fig = new_figure(width, height)
    cmap = diverging_cmap(1.0)
    names = plane_names(run)
    # in an axes, a panel is the unit square; neighbours are 1 + gap apart
    step_x, step_y = 1 + wgap / panel_w, 1 + hgap / panel_h
    y_top = height - top + hgap
    for layer, (grid, n_shown) in enumerate(zip(found.hidden, shown)):
        act = run.network.activations[layer]
        values = grid[-1]  # (resolution, resolution, n_units)
        low, high = _limits(*value_range(act, values[..., :n_shown]))
        span = rows[layer] * (panel_h + hgap)  # each row: its panels and their titles above
        ax = fig.add_axes(
            (left / width, (y_top - span) / height, grid_width / width, span / height)
        )
        ax.set_xlim(0, cols * step_x - wgap / panel_w)
        ax.set_ylim(-rows[layer] * step_y, 0)
        ax.set_axis_off()
        images = []
        for j in range(n_shown):
            r, c = divmod(j, cols)
            x0, y1 = c * step_x, -r * step_y - hgap / panel_h
            images.append(
                ax.imshow(
                    _shown(values[..., j]),
                    origin="lower",
                    extent=(x0, x0 + 1, y1 - 1, y1),
                    cmap=cmap,
                    vmin=low,
                    vmax=high,
                    # a grid point per pixel or so: no smoothing needed, and the PNG
                    # (and the report embedding it) is half the size of a smoothed one
                    interpolation="nearest",
                    gid=f"hidden-{layer}-{j}",
                )
            )
            ax.add_patch(
                Rectangle((x0, y1 - 1), 1, 1, fill=False, linewidth=0.8, edgecolor="black")
            )
            ax.text(
                x0 + 0.5,
                y1 + 0.04,
                f"layer {layer + 1}, unit {j + 1}",
                fontsize=8,
                ha="center",
                va="bottom",
            )
        ax.set_aspect("auto")
        more = f"\nfirst {n_shown} of {values.shape[-1]}" if values.shape[-1] > n_shown else ""
        fig.text(
            (left - 0.15) / width,
            (y_top - hgap - panel_h / 2) / height,
            f"layer {layer + 1}\n{act.name}{more}",
            ha="right",
            va="center",
            fontsize=9,
        )
        bar_bottom = y_top - span
        cax = fig.add_axes(
            (
                (left + grid_width + 0.15) / width,
                bar_bottom / height,
                0.14 / width,
                (span - hgap) / height,
            )
        )
        colorbar = fig.colorbar(images[0], cax=cax)
        colorbar.ax.tick_params(labelsize=7)
        y_top -= span + lgap
    fig.suptitle(
        escape(
            f"Each hidden unit's output over the input plane ({names[0]} across, {names[1]} up) "
            f"at iteration #{k:,}"
        ),
        fontsize=12,
        y=1 - 0.15 / height,
    )
    return fig
