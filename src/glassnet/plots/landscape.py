"""The loss landscape over two weights, with the training path drawn on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.landscape import Landscape, loss_landscape
from glassnet.plots._style import (
    AXIS_LIMIT,
    PALETTE,
    SURFACE_CMAP,
    describe_parameter,
    drawable,
    escape,
    new_figure,
)
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Iterations labelled along the path (those the run has).
PATH_LABELS = (0, 1, 10, 100, 1_000, 10_000, 100_000)


def plot_landscape(
    run: Run, pair: Any = None, resolution: int = 61, landscape: Landscape | None = None
) -> Figure:
    """Filled contours of the loss over the plane of two parameters, and the path training took.

    ``pair`` names the two parameters (default: the two that moved most, see
    :func:`glassnet.landscape.loss_landscape`); all others are held at their
    final values. A loss spanning more than two powers of ten gets a log colour
    scale.
    """
    land = loss_landscape(run, pair, resolution=resolution) if landscape is None else landscape
    fig = new_figure(7.6, 6.2)
    width, height = fig.get_size_inches()
    # Fixed places in inches: the map, then its colour bar with its labels on the right.
    ax = fig.add_axes((0.8 / width, 0.65 / height, 5.3 / width, 1 - 1.05 / height))
    cax = fig.add_axes((6.3 / width, 0.65 / height, 0.25 / width, 1 - 1.05 / height))
    loss = np.where(np.isfinite(land.loss) & (np.abs(land.loss) <= AXIS_LIMIT), land.loss, np.nan)
    if not np.any(np.isfinite(loss)):  # e.g. a diverged run: infinite loss everywhere
        loss = np.zeros_like(land.loss)
        ax.text(
            0.5,
            0.5,
            "the loss is not finite anywhere in this plane",
            ha="center",
            va="center",
            transform=ax.transAxes,
            bbox={"fc": "white"},
        )
    positive = loss[loss > 0]
    log_scale = bool(positive.size) and np.nanmax(loss) / np.nanmin(positive) > 100
    levels: Any
    if log_scale:
        # Contours of log10(loss): equal steps are equal ratios of the loss.
        shown = np.log10(np.maximum(loss, np.nanmin(positive)))
        levels = np.linspace(np.nanmin(shown), np.nanmax(shown), 25)
    else:
        shown = loss
        levels = (
            np.linspace(np.nanmin(loss), np.nanmax(loss), 25)
            if np.nanmax(loss) > np.nanmin(loss)
            else 25
        )
    filled = ax.contourf(land.u, land.v, shown, levels=levels, cmap=SURFACE_CMAP)
    ax.contour(
        land.u,
        land.v,
        shown,
        levels=np.asarray(filled.levels)[::3],
        colors="white",
        linewidths=0.5,
        negative_linestyles="solid",
        alpha=0.6,
    )
    bar = fig.colorbar(filled, cax=cax)
    what = f"loss ({land.loss_name.replace('_', ' ')})"
    if log_scale:
        low, high = int(np.ceil(levels[0])), int(np.floor(levels[-1]))
        bar.set_ticks(range(low, high + 1), labels=[f"{10.0**e:g}" for e in range(low, high + 1)])
        what += ", log scale"
    bar.set_label(what)
    path = drawable(land.path)
    ax.plot(path[:, 0], path[:, 1], color="white", linewidth=3.2, gid="path-halo")
    ax.plot(
        path[:, 0],
        path[:, 1],
        color=PALETTE[3],
        linewidth=1.6,
        label="training path",
        gid="path",
    )
    ax.plot(
        *path[0],
        marker="o",
        markersize=9,
        color=PALETTE[1],
        markeredgecolor="black",
        linestyle="none",
        label=f"start (iteration {land.path_iterations[0]:,})",
    )
    ax.plot(
        *path[-1],
        marker="*",
        markersize=14,
        color=PALETTE[6],
        markeredgecolor="black",
        linestyle="none",
        label=f"end (iteration {land.path_iterations[-1]:,})",
    )
    for k in PATH_LABELS[1:-1]:
        hit = np.flatnonzero(land.path_iterations == k)
        if hit.size and k < land.path_iterations[-1]:
            x, y = land.path[hit[0]]
            if not (abs(x) <= AXIS_LIMIT and abs(y) <= AXIS_LIMIT):  # off the map
                continue
            ax.annotate(
                f"#{k:,}",
                (x, y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                color="black",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.8},
            )
    if not np.all(np.abs(land.path[np.isfinite(land.path)]) <= AXIS_LIMIT):
        ax.text(
            0.01,
            0.01,
            f"part of the path is beyond ±{AXIS_LIMIT:g}, off this map",
            transform=ax.transAxes,
            fontsize=7,
            color="white",
        )
    names = run.data.input_names
    ax.set_xlabel(
        escape(f"{land.names[0]}: {describe_parameter(land.names[0], run.network, names)}")
    )
    ax.set_ylabel(
        escape(f"{land.names[1]}: {describe_parameter(land.names[1], run.network, names)}")
    )
    ax.set_xlim(land.u[0], land.u[-1])
    ax.set_ylim(land.v[0], land.v[-1])
    ax.legend(loc="best", fontsize=8, framealpha=0.9)
    ax.set_title(
        f"Loss over {land.names[0]} and {land.names[1]}, other weights at their final values",
        fontsize=11,
    )
    return fig
