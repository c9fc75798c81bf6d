"""Shared look of every glassnet figure: a colour-blind-safe palette, plain labels, Agg off-screen.

Colours are the Okabe-Ito palette (distinguishable with the common forms of
colour blindness); lines beyond eight also change dash pattern, so a figure
printed in grey still tells them apart. Surfaces use ``viridis`` (perceptually
uniform, readable in grey).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from glassnet.network import Network

if TYPE_CHECKING:  # pragma: no cover
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


def new_figure(width: float, height: float) -> Figure:
    """A matplotlib Figure that needs no display (drawn with Agg when saved).

    Matplotlib is imported here, never by ``import glassnet``. Without a display
    (and no backend chosen by ``MPLBACKEND`` or an imported pyplot, as in
    Jupyter) the Agg backend is selected, so nothing tries to open a window.
    The figure is not registered with pyplot: it is drawn only when saved or
    displayed.
    """
    import matplotlib

    chosen = os.environ.get("MPLBACKEND") or "matplotlib.pyplot" in sys.modules
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.name == "nt"
    if not chosen and not display:
        matplotlib.use("Agg")  # never a window, never a GUI toolkit import
    if "ipykernel" in sys.modules:
        import matplotlib.pyplot
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


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
