"""Pictures of a run (matplotlib; imported only when used, never by ``import glassnet``).

``plot(run, kind, **options)`` returns one matplotlib Figure;
``render_plots`` draws every kind into PNG (and, asked for, SVG) bytes and
``write_plots`` saves them, all files or none. The plots read what the run
recorded and what :mod:`glassnet.landscape` and :mod:`glassnet.curves`
computed from it; they never train or run a forward pass themselves.

Kinds
-----
``"error"``
    The post's four graphs: the error sum and the loss over the first 100,
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
``"boundary"``
    Only for a run whose examples are points of a plane (a 2-D set, or two
    inputs): the final output over that plane, centred at the decision level,
    the decision boundary and the training points. Options: ``resolution``
    (grid points per side, default 101), ``found`` (a
    :class:`~glassnet.boundary.Boundary` already computed).
``"hidden_units"``
    The same plane for a network with a hidden layer: every hidden unit's
    output, one small panel each, a row per layer. Options as ``"boundary"``.

Every figure uses the Okabe-Ito colour-blind-safe palette (and dash patterns
past eight lines) and ``viridis`` for surfaces.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.errors import ConfigError
from glassnet.plots._files import check_outputs, write_files

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from glassnet.run import Run

#: kind -> "module:function" inside this package.
KINDS: dict[str, str] = {
    "error": "error:plot_error",
    "weights": "weights:plot_weights",
    "landscape": "landscape:plot_landscape",
    "predictions": "predictions:plot_predictions",
    "boundary": "boundary:plot_boundary",
    "hidden_units": "boundary:plot_hidden_units",
}

#: File formats :func:`write_plots` can save.
FORMATS = ("png", "svg")
#: What it saves unless asked: SVG takes as long again to write and is rarely opened.
DEFAULT_FORMATS = ("png",)
#: Resolution of the PNG files.
PLOT_DPI = 110

#: ``progress(done, total, kind)``: called after each figure is drawn.
Progress = Callable[[int, int, str], None]


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
    """One figure of ``run``: ``kind`` is ``"error"``, ``"weights"``, ``"landscape"``, ``"predictions"``,
    or for a run in a plane ``"boundary"`` or ``"hidden_units"``.

    See the module docstring for what each shows and its options.
    """
    import matplotlib

    function = _function(kind)
    # Each axes title sits just above its axes (``axes.titley`` set to matplotlib's own 1.0),
    # where automatic placement puts it when no tick label is on top, as on every glassnet
    # axes; automatic placement would measure every tick label before drawing (a third of
    # the error figure's time). The figures' bytes are the same.
    with matplotlib.rc_context({"axes.titley": 1.0}):
        return function(run, **options)


def figure_bytes(fig: Figure, fmt: str, dpi: int = PLOT_DPI) -> bytes:
    """``fig`` as PNG (at ``dpi``) or SVG bytes, without dates or software names (reproducible)."""
    if fmt not in FORMATS:
        raise ConfigError(f"plot format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
    import matplotlib

    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    # A fixed salt for the SVG's element ids (else random per process): the same figure, the same bytes.
    with matplotlib.rc_context({"svg.hashsalt": "glassnet"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def save_figure(fig: Figure, stem: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (110 dpi) and the other ``formats``, all or none; return the paths."""
    contents = {stem.with_suffix(f".{fmt}"): figure_bytes(fig, fmt) for fmt in formats}
    return write_files(contents)


def kinds_of(run: Run) -> list[str]:
    """The kinds drawn for ``run``, in :data:`KINDS` order: the landscape only with two parameters
    or more, the boundary only for examples in a plane, the hidden units only then and with a
    hidden layer."""
    from glassnet.boundary import plane_of
    from glassnet.network import parameter_names

    wanted = {
        "landscape": len(parameter_names(run.network)) >= 2,
        "boundary": plane_of(run) is not None,
        "hidden_units": plane_of(run) is not None and run.network.n_layers >= 2,
    }
    return [kind for kind in KINDS if wanted.get(kind, True)]


def plot_paths(out_dir: str | Path, formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """Every file :func:`write_plots` may write into ``out_dir`` (to check them before training)."""
    return [Path(out_dir) / f"{kind}.{fmt}" for kind in KINDS for fmt in formats]


#: Each kind's time to draw and encode, in tenths of a second, as ``glassnet`` takes it (the
#: post's run, 110 dpi; the boundary kinds for examples/circle.toml): how
#: :func:`glassnet.plots._fork.split` shares the figures between two processes.
COSTS: dict[str, float] = {
    "error": 6.0,
    "weights": 3.0,
    "landscape": 3.0,
    "predictions": 2.0,
    "boundary": 3.0,
    "hidden_units": 2.0,
}


def _checked(run: Run, formats: Sequence[str], kinds: Sequence[str] | None) -> list[str]:
    """The kinds to draw (``kinds_of(run)`` unless given), after refusing an unknown format or
    kind with a :class:`~glassnet.errors.ConfigError` (before any work)."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise ConfigError(f"plot format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
    chosen = kinds_of(run) if kinds is None else list(kinds)
    for kind in chosen:
        _function(kind)
    return chosen


def figure_options(
    run: Run, kinds: Sequence[str], shared: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """The numbers each kind's figure shows, as its :func:`plot` options: ``{kind: options}``.

    Computed without matplotlib (weight paths, the loss landscape, prediction
    paths, the boundary's grid), each once for the kinds that share it;
    ``shared`` keeps them across calls.
    """
    from glassnet.landscape import loss_landscape, prediction_paths, weight_paths
    from glassnet.plots.boundary import final_boundary

    cache = {} if shared is None else shared

    def once(name: str, compute: Callable[[], Any]) -> Any:
        if name not in cache:
            cache[name] = compute()
        return cache[name]

    def weights() -> Any:
        return once("weights", lambda: weight_paths(run))

    def options(kind: str) -> dict[str, Any]:
        if kind == "weights":
            return {"paths": weights()}
        if kind == "landscape":
            return {"landscape": once("landscape", lambda: loss_landscape(run, weights=weights()))}
        if kind == "predictions":
            return {"paths": once("predictions", lambda: prediction_paths(run, weights()))}
        if kind in ("boundary", "hidden_units"):
            return {"found": once("plane", lambda: final_boundary(run))}
        return {}

    return {kind: options(kind) for kind in kinds}


def plot_tasks(
    run: Run,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    dpi: int = PLOT_DPI,
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Callable[[], dict[str, bytes]]]:
    """One task per kind (``kinds_of(run)`` unless given): ``tasks[kind]()`` draws that kind
    into ``{format: bytes}``.

    ``options`` are :func:`figure_options` already computed; a kind missing
    from them computes its own when drawn (once per process for the figures
    that share them). Matplotlib is imported now, so that a process forked
    afterwards shares it (see :mod:`glassnet.plots._fork`, which runs these
    with :data:`COSTS`). ``progress`` hears of each figure drawn in this process.
    """
    from glassnet.plots._style import load_matplotlib

    chosen = _checked(run, formats, kinds)
    given = dict(options or {})
    shared: dict[str, Any] = {}  # per process: a forked child computes its own
    parent, here = os.getpid(), []

    def task(kind: str) -> Callable[[], dict[str, bytes]]:
        def draw() -> dict[str, bytes]:
            settings = given[kind] if kind in given else figure_options(run, [kind], shared)[kind]
            fig = plot(run, kind, **settings)
            files = {fmt: figure_bytes(fig, fmt, dpi) for fmt in formats}
            if progress is not None and os.getpid() == parent:
                here.append(kind)
                progress(len(here), len(chosen), kind)
            return files

        return draw

    load_matplotlib()
    return {kind: task(kind) for kind in chosen}


def render_plots(
    run: Run,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    dpi: int = PLOT_DPI,
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, bytes]]:
    """Draw every kind of plot of ``run`` into memory: ``{kind: {format: bytes}}``.

    Nothing is written. On a machine with two cores or more, a forked
    process computes the figures' numbers (:func:`figure_options`, unless
    ``options`` gives them) while this one imports matplotlib, and some of
    the figures are drawn in a forked process at the same time as the others
    (:mod:`glassnet.plots._fork`: the same bytes, in about half the time).
    ``progress`` hears of the figures drawn in this process.
    """
    from glassnet.plots._fork import in_two, meanwhile
    from glassnet.plots._style import load_matplotlib

    chosen = _checked(run, formats, kinds)
    if options is None:
        options = meanwhile(lambda: figure_options(run, chosen), here=load_matplotlib)
    tasks = plot_tasks(run, formats, dpi=dpi, kinds=chosen, progress=progress, options=options)
    return in_two(tasks, COSTS)


def write_plots(
    run: Run,
    out_dir: str | Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    images: Mapping[str, Mapping[str, bytes]] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write every kind of plot of ``run`` into ``out_dir`` (created if missing): all files or none.

    Parameters
    ----------
    formats : sequence of str
        ``("png",)`` by default; add ``"svg"`` for vector files.
    images : mapping, optional
        ``{kind: {format: bytes}}`` already drawn by :func:`render_plots`.

    Returns
    -------
    list of Path
        ``error.png, weights.png, ...`` in :data:`KINDS` order (each kind's
        formats in the order given).

    Raises
    ------
    ConfigError
        A path that cannot be written (checked before drawing) or an error
        while writing (a full disk): one line naming the path; no file of the
        set is left behind.
    """
    check_outputs(plot_paths(out_dir, formats))
    if images is None:
        images = render_plots(run, formats, progress=progress)
    out = Path(out_dir)
    contents = {
        out / f"{kind}.{fmt}": images[kind][fmt]
        for kind in KINDS
        if kind in images
        for fmt in formats
    }
    return write_files(contents)


__all__ = [
    "COSTS",
    "DEFAULT_FORMATS",
    "FORMATS",
    "KINDS",
    "check_outputs",
    "figure_bytes",
    "figure_options",
    "plot",
    "plot_paths",
    "plot_tasks",
    "render_plots",
    "save_figure",
    "write_plots",
]
