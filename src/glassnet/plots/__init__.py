"""Pictures of a run (matplotlib; imported only when used, never by ``import glassnet``).

``plot(run, kind, **options)`` returns one matplotlib Figure; ``write_plots``
saves every kind as PNG and SVG. The plots read what the run recorded and
what :mod:`glassnet.landscape` and :mod:`glassnet.curves` computed from it;
they never train or run a forward pass themselves.

Kinds
-----
``"error"``
    The seed's four graphs: the error sum and the loss over the first 100,
    1,000, 10,000 and 100,000 iterations (cut to the run's length), with the
    elbow marked. Options: ``windows`` (sequence of ints), ``show_loss`` (bool).
    A run with held-out examples (``[data] test_fraction``) also shows the
    held-out test curves beside the training ones, per example unless
    ``per_example=False``.
``"weights"``
    Every weight and bias at each recorded iteration, linear and log iteration
    axes.
``"landscape"``
    The loss over the plane through two parameters (default: the two that
    moved most), the others at their final values, with the training path.
    Options: ``pair`` (two names like ``"W0[0,0]"`` or positions),
    ``resolution`` (grid points per axis, default 61).
``"predictions"``
    Each example's prediction over the iterations with its target. Option:
    ``max_examples`` (default 12).

Every figure uses the Okabe-Ito colour-blind-safe palette (and dash patterns
past eight lines) and ``viridis`` for surfaces.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from glassnet.run import Run

#: kind -> "module:function" inside this package.
KINDS: dict[str, str] = {
    "error": "error:plot_error",
    "weights": "weights:plot_weights",
    "landscape": "landscape:plot_landscape",
    "predictions": "predictions:plot_predictions",
}

#: File formats :func:`write_plots` saves.
FORMATS = ("png", "svg")


def _function(kind: str) -> Callable[..., Figure]:
    import importlib

    if kind not in KINDS:
        import difflib

        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"plot kind must be one of {', '.join(KINDS)}; got {kind!r}.{hint}")
    module, name = KINDS[kind].split(":")
    return getattr(importlib.import_module(f"glassnet.plots.{module}"), name)


def plot(run: Run, kind: str = "error", **options: Any) -> Figure:
    """One figure of ``run``: ``kind`` is ``"error"``, ``"weights"``, ``"landscape"`` or ``"predictions"``.

    See the module docstring for what each shows and its options.
    """
    return _function(kind)(run, **options)


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (110 dpi) and ``stem.svg``; return the paths."""
    paths = []
    for fmt in FORMATS:
        path = stem.with_suffix(f".{fmt}")
        metadata = {"Software": None} if fmt == "png" else {"Date": None}
        fig.savefig(path, format=fmt, dpi=110, metadata=metadata)
        paths.append(path)
    return paths


def write_plots(run: Run, out_dir: str | Path) -> list[Path]:
    """Write every kind of plot of ``run`` into ``out_dir`` (created if missing).

    Returns
    -------
    list of Path
        ``error.png, error.svg, weights.png, ...`` in :data:`KINDS` order.
    """
    from glassnet.landscape import loss_landscape, prediction_paths, weight_paths

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the plot folder {str(out)!r}: {exc.strerror}.") from None
    weights = weight_paths(run)
    shared: dict[str, dict[str, Any]] = {"error": {}, "weights": {"paths": weights}}
    if len(weights.names) >= 2:
        shared["landscape"] = {"landscape": loss_landscape(run, weights=weights)}
    shared["predictions"] = {"paths": prediction_paths(run, weights)}
    paths: list[Path] = []
    for kind, options in shared.items():
        fig = plot(run, kind, **options)
        paths += save_figure(fig, out / kind)
    return paths


__all__ = ["FORMATS", "KINDS", "plot", "save_figure", "write_plots"]
