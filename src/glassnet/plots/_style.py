"""Shared look of every glassnet figure: a colour-blind-safe palette, plain labels, Agg off-screen.

Colours are the Okabe-Ito palette (distinguishable with the common forms of
colour blindness); lines beyond eight also change dash pattern, so a figure
printed in grey still tells them apart. Surfaces use ``viridis`` (perceptually
uniform, readable in grey).

Three habits keep drawing fast and safe:

- fixed margins in inches (:func:`set_margins`) instead of a layout engine,
  which would lay every figure out once more before drawing it;
- plain tick labels on log axes (``1``, ``10``, ``1,000``; :func:`plain_log_axis`)
  rather than matplotlib's ``10^3``, which needs its math-text parser;
- every text that comes from the user (column and data set names) goes
  through :func:`escape`, so a ``$`` in it is shown, never parsed as math.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from glassnet.activations import Array
from glassnet.network import Network

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green,
#: vermillion, reddish purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
DASHES = ("-", "--", ":", "-.")
SURFACE_CMAP = "viridis"


def line_style(index: int) -> dict[str, Any]:
    """Colour and dash pattern of the ``index``-th line of a figure."""
    return {
        "color": PALETTE[index % len(PALETTE)],
        "linestyle": DASHES[(index // len(PALETTE)) % len(DASHES)],
    }


def load_matplotlib() -> type[Figure]:
    """Import matplotlib for drawing without a display; return its ``Figure`` class.

    Matplotlib is imported here, never by ``import glassnet``. Without a display
    (and no backend chosen by ``MPLBACKEND`` or an imported pyplot, as in
    Jupyter) the Agg backend is selected, so nothing tries to open a window.
    The Agg canvas that saves figures is imported too, so that a process
    forked afterwards (:mod:`glassnet.plots._fork`) shares all of it.
    """
    import matplotlib

    chosen = os.environ.get("MPLBACKEND") or "matplotlib.pyplot" in sys.modules
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.name == "nt"
    if not chosen and not display:
        matplotlib.use("Agg")  # never a window, never a GUI toolkit import
    if "ipykernel" in sys.modules:
        import matplotlib.pyplot
    import matplotlib.backends.backend_agg
    from matplotlib.figure import Figure

    return Figure


def new_figure(width: float, height: float, layout: Literal["constrained"] | None = None) -> Figure:
    """A matplotlib Figure that needs no display (drawn with Agg when saved; see
    :func:`load_matplotlib`).

    The figure is not registered with pyplot: it is drawn only when saved or
    displayed. ``layout`` (e.g. ``"constrained"``) is for figures where speed
    does not matter (the sweep's); the others place their axes with
    :func:`set_margins`.
    """
    return load_matplotlib()(figsize=(width, height), dpi=100, layout=layout)


def set_margins(
    fig: Figure,
    *,
    left: float = 0.75,
    right: float = 0.25,
    top: float = 0.75,
    bottom: float = 0.6,
    wgap: float = 0.8,
    hgap: float = 0.95,
    rows: int = 1,
    cols: int = 1,
) -> None:
    """Place a ``rows`` x ``cols`` grid of axes with margins and gaps given in inches.

    The defaults leave room for tick labels and an axis label on the left and
    below, an axes title and a figure title on top; ``wgap`` and ``hgap`` are
    the space between neighbouring axes. Fixed margins replace a layout
    engine's extra pass over the figure; they are the same at every size.
    """
    width, height = fig.get_size_inches()
    axes_width = max(width - left - right - (cols - 1) * wgap, 0.1 * width) / cols
    axes_height = max(height - top - bottom - (rows - 1) * hgap, 0.1 * height) / rows
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wgap / axes_width,
        hspace=hgap / axes_height,
    )


#: Rows of a legend placed under the axes take this many inches each (8 pt text).
LEGEND_ROW = 0.2


def legend_height(n_entries: int, ncol: int) -> float:
    """Inches a figure legend of ``n_entries`` in ``ncol`` columns takes (font size 8)."""
    return 0.15 + LEGEND_ROW * math.ceil(max(n_entries, 1) / max(ncol, 1))


def legend_below(fig: Figure, handles: list[Any], labels: list[str], ncol: int, **kw: Any) -> Any:
    """One legend for the whole figure, centred at its bottom edge (room made by :func:`set_margins`)."""
    return fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncol=ncol,
        fontsize=8,
        **kw,
    )


def plain_log_axis(axis: Any) -> None:
    """Label a log axis ``1, 10, 100, 1,000`` (no minor labels) instead of math-text powers."""
    from matplotlib.ticker import NullFormatter

    axis.set_major_formatter(thousands)
    axis.set_minor_formatter(NullFormatter())


def log_x_range(ax: Axes, iterations: npt.ArrayLike) -> None:
    """Give a log iteration axis the range of ``iterations`` (all >= 1), and its minor ticks.

    The range is what matplotlib's autoscaling gives (5 % margins on the log
    axis), but set from the iterations, whatever the curves hold: a panel
    whose every value is ``nan`` would leave a log axis at ``0 .. 1``, which
    matplotlib cannot draw.

    The minor tick marks (2, 3, ... 9 times each power of ten) are drawn as
    one line of tick-shaped markers rather than as matplotlib ``Tick``
    objects: the same marks (``xtick.minor.size`` long, ``xtick.minor.width``
    wide, pointing out), without 40 ``Tick`` objects of two lines and two
    texts each, which took a quarter of the figure's drawing time.
    """
    import matplotlib as mpl
    from matplotlib.markers import TICKDOWN
    from matplotlib.ticker import NullLocator

    values = np.asarray(iterations, dtype=np.float64)
    first, last = math.log10(float(values[0])), math.log10(float(values[-1]))
    if last <= first:
        last = first + 1.0
    margin = 0.05 * (last - first)  # axes.xmargin, on the log axis
    low, high = 10 ** (first - margin), 10 ** (last + margin)
    ax.set_xlim(low, high)
    ax.xaxis.set_minor_locator(NullLocator())
    minor = [
        k * 10.0**e
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for k in range(2, 10)
        if low <= k * 10.0**e <= high
    ]
    ax.plot(
        minor,
        [0.0] * len(minor),
        transform=ax.get_xaxis_transform(),
        linestyle="none",
        marker=TICKDOWN,
        markersize=mpl.rcParams["xtick.minor.size"],
        markeredgewidth=mpl.rcParams["xtick.minor.width"],
        color=mpl.rcParams["xtick.color"],
        clip_on=False,
        zorder=2.5,
        gid="minor-ticks",
    )


#: Pixels per inch that drawn curves keep full detail for (:func:`glassnet.curves.visible_points`).
DETAIL_DPI = 300


def pixel_columns(ax: Axes, dpi: int = DETAIL_DPI) -> int:
    """How many pixel columns ``ax`` spans when the figure is saved at ``dpi``."""
    width = ax.get_position().width * ax.get_figure(root=True).get_figwidth()  # type: ignore[union-attr]  # an Axes always has a figure here
    return max(1, math.ceil(width * dpi))


def escape(text: object) -> str:
    """``text`` as matplotlib shows it literally: every ``$`` escaped, so no math text is parsed.

    matplotlib reads a label with an even number of unescaped ``$`` as math
    (``$\\foo$`` fails to parse); with each ``$`` written ``\\$`` there is none, and
    matplotlib turns ``\\$`` back into ``$`` when it draws. Every text that comes
    from the user (a CSV column's name, a data set's name) goes through this.
    """
    return str(text).replace("$", r"\$")


#: Largest magnitude an axis limit takes. matplotlib needs ``high - low`` to be a
#: finite float; limits within +-1e307 keep it so with room for the margins.
AXIS_LIMIT = 1e307


def finite_range(values: Iterable[float] | Array) -> tuple[float, float] | None:
    """Lowest and highest finite value of ``values`` (``None`` when none is finite)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None
    return float(finite.min()), float(finite.max())


def safe_limits(ax: Axes, which: str, values: Iterable[float] | Array) -> bool:
    """Give ``ax``'s ``which`` axis (``"x"`` or ``"y"``) limits matplotlib can handle.

    Values within +-:data:`AXIS_LIMIT` leave the axis to matplotlib's own
    scaling. Beyond it (weights of 1e308, an overflowing history) the limits
    are set to the finite values' range, cut to +-:data:`AXIS_LIMIT`, with 5 %
    margins: matplotlib's own limits would make ``high - low`` overflow and fail
    to draw. Returns whether the limits were cut (values lie off the axis).
    """
    found = finite_range(values)
    if found is None:
        return False
    low, high = found
    if low >= -AXIS_LIMIT and high <= AXIS_LIMIT:
        return False
    low, high = max(low, -AXIS_LIMIT), min(high, AXIS_LIMIT)
    if high <= low:  # all of them beyond one end
        low, high = (AXIS_LIMIT / 2, AXIS_LIMIT) if low > 0 else (-AXIS_LIMIT, -AXIS_LIMIT / 2)
    pad = 0.05 * (high - low)  # at most 1e306: no overflow
    limits = (max(low - pad, -1.1 * AXIS_LIMIT), min(high + pad, 1.1 * AXIS_LIMIT))
    (ax.set_xlim if which == "x" else ax.set_ylim)(*limits)
    ax.text(
        0.01,
        0.99,
        f"values beyond ±{AXIS_LIMIT:g} are off this axis",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=7,
        color="#555555",
    )
    return True


def drawable(values: Array) -> Array:
    """``values`` clipped to +-10 :data:`AXIS_LIMIT` (``nan`` stays a gap, ``inf`` becomes a gap).

    matplotlib turns data into pixel positions with ``(value - low) / (high -
    low)``; a value near the float64 maximum overflows there. Values this large
    are off any axis :func:`safe_limits` sets, so clipping them changes nothing
    drawn inside it.
    """
    array = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isfinite(array), np.clip(array, -10 * AXIS_LIMIT, 10 * AXIS_LIMIT), np.nan
        )


def style_axes(ax: Any) -> None:
    """Light grid and no top/right frame: easier to read values off, in print too."""
    ax.grid(True, color="#cccccc", linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def describe_parameter(name: str, network: Network, input_names: tuple[str, ...] = ()) -> str:
    """Plain words for ``"W0[0,0]"``: ``"weight from input x1 to the output"``."""
    kind, rest = name[0], name[1:]
    layer_text, _, index_text = rest.partition("[")
    layer = int(layer_text)
    indices = [int(part) for part in index_text.rstrip("]").split(",")]
    n_out = network.sizes[layer + 1]
    last = layer == network.n_layers - 1
    if last:
        unit = "the output" if n_out == 1 else f"output {indices[-1] + 1}"
    else:
        unit = f"hidden unit {indices[-1] + 1} of layer {layer + 1}"
    if kind == "b":
        return f"bias of {unit}"
    i = indices[0]
    if layer == 0:
        source = f"input {input_names[i]}" if i < len(input_names) else f"input {i + 1}"
    else:
        source = f"hidden unit {i + 1} of layer {layer}"
    return f"weight from {source} to {unit}"


def thousands(value: float, _position: Any = None) -> str:
    """Tick labels like ``10,000``."""
    return f"{value:,.0f}" if abs(value) >= 1 or value == 0 else f"{value:g}"
