"""One self-contained, offline HTML page for a run: numbers, plots, walkthrough and a scrubber.

``write_report(run, path)`` writes a single HTML file that needs no network
and no other file: the CSS and the script are inlined, the plots are PNG
``data:`` URIs, and the recorded numbers (see :mod:`glassnet.report.data`)
are a JSON block the script formats. The page has no ``http://`` or
``https://`` reference at all, uses only system fonts, and never trains or
recomputes: it shows what the Python run recorded.

The template, stylesheet and script are package data files next to this
module (``template.html``, ``report.css``, ``report.js``). A run whose
examples are points of a plane also gets its decision boundary animated with
the scrubber (:func:`glassnet.report.data.boundary_data`, drawn by
``boundary.js`` with ``boundary.css``); other runs' pages do not contain them.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.errors import ConfigError
from glassnet.explain.numbers import count
from glassnet.report.data import boundary_data, report_data

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.plots import Progress
    from glassnet.run import Run

#: Plots shown in the report, with their captions.
PLOTS = (
    (
        "error",
        "The post's four graphs: the error sum (solid) and the loss (dashed) over the first 100, 1,000, "
        "10,000 and 100,000 iterations, with the elbow marked.",
    ),
    (
        "weights",
        "Every weight at each recorded iteration, on a linear and on a log iteration axis.",
    ),
    (
        "landscape",
        "The loss over the plane of the two weights that moved most (the others at their final "
        "values) and the path training took across it.",
    ),
    ("predictions", "Each example's prediction over the iterations; dotted lines are the targets."),
    (
        "boundary",
        "The decision boundary at the last iteration: the network's output over the input plane (blue "
        "low, orange high, white at the decision level), the boundary as a black line, and the training "
        "examples coloured by their targets.",
    ),
    (
        "hidden_units",
        "Each hidden unit's output over the same plane at the last iteration: one panel per unit, a row "
        "per hidden layer.",
    ),
)
#: The error plot's caption for a run with held-out examples.
SPLIT_ERROR_CAPTION = (
    "The error per example (solid) and the loss per example (dashed) of the training examples (blue) and of "
    "the held-out test examples (orange, never trained on) over the first 100, 1,000, 10,000 and 100,000 "
    "iterations, with the training curve's elbow marked. Each recorded sum is divided by its number of examples."
)
#: Resolution of the report's PNG plots.
PLOT_DPI = 80

_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")


def _resource(name: str) -> str:
    return resources.files("glassnet.report").joinpath(name).read_text(encoding="utf-8")


def plots_html(run: Run, images: Mapping[str, bytes]) -> str:
    """The report's figures as ``<figure>`` elements with inline PNG images.

    ``images`` maps each plot kind of :func:`glassnet.plots.kinds_of` to its
    PNG bytes.
    """
    from glassnet.plots import kinds_of

    kinds = kinds_of(run)
    parts = []
    for kind, caption in PLOTS:
        if kind not in kinds:
            continue
        if kind == "error" and run.test is not None:
            caption = SPLIT_ERROR_CAPTION
        uri = "data:image/png;base64," + base64.b64encode(images[kind]).decode("ascii")
        parts.append(
            f'<figure id="plot-{kind}"><img alt="{html.escape(caption)}" src="{uri}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return "\n".join(parts)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def format_config(run: Run) -> str:
    """The normalized experiment as TOML text (what ``glassnet run`` would read back)."""
    lines: list[str] = []
    for section, body in run.config.to_dict().items():
        if not body:
            continue
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in body.items()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _subtitle(run: Run) -> str:
    net = run.network
    acts = ", ".join(dict.fromkeys(a.name for a in net.activations))
    held_out = "" if run.test is None else f", {len(run.test.X):,} more held out for testing"
    return (
        f"{run.data.name} data ({count(len(run.data.X), 'example')}{held_out}), layers {list(net.sizes)}, {acts}, "
        f"learning rate {run.learning_rate:g}, {count(run.iterations, 'iteration')} ({run.engine} engine)"
    )


def _summary(run: Run, data: dict[str, Any]) -> str:
    part = "" if run.test is None else "training "
    rows = [
        (f"final {part}error sum (sum of |y - a|)", f"{run.final_error_sum:.8f}"),
        (f"final {part}loss ({run.network.loss.name.replace('_', ' ')})", f"{run.final_loss:.8g}"),
        (f"where the {part}curve bends", data["elbow_text"]),
    ]
    if (
        run.test is not None
        and run.final_test_error_sum is not None
        and run.final_test_loss is not None
    ):
        n_train, n_test = len(run.data.X), len(run.test.X)
        rows += [
            (
                "held-out test examples",
                f"{n_test} of {n_train + n_test} (test_fraction "
                f"{run.config.data.test_fraction:g}, split_seed {run.config.data.split_seed}), never trained on",
            ),
            ("final held-out test error sum", f"{run.final_test_error_sum:.8f}"),
            ("final held-out test loss", f"{run.final_test_loss:.8g}"),
            (
                "final error per example",
                f"training {run.final_error_sum / n_train:.8f}, "
                f"held-out test {run.final_test_error_sum / n_test:.8f}",
            ),
        ]
    for layer, W in enumerate(run.final.weights):  # W0, W1 ... as every table names them
        rows.append(
            (
                f"final weights W{layer} ({W.shape[0]} x {W.shape[1]})",
                " ".join(f"{v:.8f}" for v in W.ravel()[:24]) + (" ..." if W.size > 24 else ""),
            )
        )
    if run.stop is not None:
        rows.append(("stopped", f"at iteration #{run.stop.iteration}: {run.stop.reason}"))
    return (
        '<dl class="summary">'
        + "".join(
            f'<dt>{html.escape(k)}</dt><dd class="num">{html.escape(v)}</dd>' for k, v in rows
        )
        + "</dl>"
    )


def _recorded_text(iterations: list[int]) -> str:
    dense = 0
    while dense < len(iterations) and iterations[dense] == dense:
        dense += 1
    total = count(len(iterations), "iteration")
    if dense == len(iterations):
        return f"every iteration from #0 to #{iterations[-1]:,} ({total})"
    return (
        f"#0 to #{dense - 1:,} one by one, then {len(iterations) - dense:,} more up to "
        f"#{iterations[-1]:,} ({total}; the arrow keys move between them)"
    )


def json_for_script(data: dict[str, Any]) -> str:
    """JSON that is safe inside ``<script>``: no ``</`` and no ``<!--``."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def _swatch(rgb: str) -> str:
    return f'<span class="swatch" style="background:{rgb}"></span>'


def boundary_html(boundary: dict[str, Any] | None) -> str:
    """The animated decision boundary's canvas, key and embedded pictures; ``""`` for none.

    ``boundary`` is :func:`glassnet.report.data.boundary_data`'s; ``boundary.js``
    paints it at the iteration the scrubber shows.
    """
    if boundary is None:
        return ""
    names = boundary["names"]
    frames = boundary["iterations"]
    if boundary["kind"] == "classes":
        class_names = boundary["class_names"]
        colors = (
            "#0072B2",
            "#E69F00",
            "#009E73",
            "#D55E00",
            "#CC79A7",
            "#56B4E9",
            "#F0E442",
            "#000000",
        )
        classes = " ".join(
            f"{_swatch(colors[k % len(colors)])}class {k + 1}"
            + (f" ({html.escape(class_names[k])})" if k < len(class_names) else "")
            for k in range(boundary["n_classes"])
        )
        key = (
            f"Each point of the plane takes the colour of the class whose output ({html.escape(boundary['activation'])}) "
            f"is largest there, paler where that output is lower (white: all classes equally likely): {classes}. "
            "Points: the training examples in their class's colour."
        )
    else:
        center = boundary["center"]
        key = (
            f"The network's output ({html.escape(boundary['activation'])}): {_swatch('#0072B2')}low, "
            f"{_swatch('#ffffff')}{center:g} (the decision boundary), {_swatch('#E69F00')}high, "
            f"on a scale from {boundary['low']:g} to {boundary['high']:g}. "
            "Points: the training examples coloured by their targets (circles below the decision level, "
            "triangles above)."
        )
    tolerance = boundary["step"] / 2
    return (
        '<div id="boundary" class="boundary">'
        '<canvas id="boundary-canvas" width="460" height="460" role="img" '
        'aria-label="the decision boundary over the input plane at the iteration shown"></canvas>'
        '<div class="boundary-key"><p class="headline" id="boundary-label"></p>'
        f'<p class="hint">{key}</p>'
        f'<p class="hint">{html.escape(names[0])} across, {html.escape(names[1])} up; '
        f"{boundary['resolution']} &times; {boundary['resolution']} grid points, computed by the Python run at "
        f"{count(len(frames), 'recorded iteration')} from #0 to #{frames[-1]:,} (spaced on a log scale); "
        "each iteration shows the latest picture at or before it. Embedded as one byte per point: within "
        f"{tolerance:.2g} of the output.</p></div></div>\n"
        '<script type="application/json" id="glassnet-boundary">'
        f"{json_for_script(boundary)}</script>"
    )


def _text_fields(run: Run) -> dict[str, str]:
    """Every part of the page but the plots: the numbers, the walkthrough, the configuration."""
    import glassnet
    from glassnet.explain.walkthrough import format_walkthrough

    data = report_data(run)
    boundary = boundary_data(run, data["steps"]["iteration"])
    title = f"glassnet report: {run.data.name}, {count(run.iterations, 'iteration')}"
    return {
        "TITLE": html.escape(title),
        "SUBTITLE": html.escape(_subtitle(run)),
        "SUMMARY": _summary(run, data),
        "RECORDED": html.escape(_recorded_text(data["steps"]["iteration"])),
        "CONFIG": html.escape(format_config(run)),
        "WALKTHROUGH": html.escape(format_walkthrough(run)),
        "FOOTER": html.escape(
            f"Written by glassnet {glassnet.__version__}. This page works offline: everything it shows is "
            "inside this one file. Embedded numbers are the run's, rounded to 12 significant digits."
        ),
        "CSS": _resource("report.css") + ("" if boundary is None else _resource("boundary.css")),
        "JS": ("" if boundary is None else _resource("boundary.js")) + _resource("report.js"),
        "DATA": json_for_script(data),
        "BOUNDARY": boundary_html(boundary),
    }


def render_report(
    run: Run,
    *,
    formats: Sequence[str] = ("png",),
    dpi: int = PLOT_DPI,
    images: Mapping[str, Mapping[str, bytes]] | None = None,
    progress: Progress | None = None,
) -> tuple[str, dict[str, dict[str, bytes]]]:
    """The report page and its plots, ``(page, {kind: {format: bytes}})``; no I/O.

    Plots not in ``images`` are drawn in ``formats`` (PNG always, for the
    page) at ``dpi`` by :func:`glassnet.plots.render_plots`. Before that, a
    forked process computes the page's numbers and text and the figures'
    numbers (:func:`glassnet.plots.figure_options`) while this one imports
    matplotlib (:func:`glassnet.plots._fork.meanwhile`). ``glassnet`` uses
    the plots for its files too.
    """
    from glassnet.plots import figure_options, kinds_of, render_plots
    from glassnet.plots._fork import meanwhile
    from glassnet.plots._style import load_matplotlib

    drawn = {kind: dict(files) for kind, files in (images or {}).items()}
    missing = [kind for kind in kinds_of(run) if kind not in drawn]
    if not missing:
        fields = _text_fields(run)
    else:
        # Nothing of the page's text nor of the figures' numbers needs matplotlib: a forked
        # process computes them while this one imports it (half a second in which a second
        # core would be idle); then the figures are drawn, in two processes.
        fields, options = meanwhile(
            lambda: (_text_fields(run), figure_options(run, missing)), here=load_matplotlib
        )
        wanted = list(dict.fromkeys(["png", *formats]))
        drawn.update(
            render_plots(run, wanted, dpi=dpi, kinds=missing, progress=progress, options=options)
        )
    fields["PLOTS"] = plots_html(run, {kind: files["png"] for kind, files in drawn.items()})
    # One pass over the template: inserted text is never scanned for placeholders.
    page = _PLACEHOLDER.sub(lambda m: fields[m.group(1)], _resource("template.html"))
    return page, drawn


def format_report(
    run: Run, images: Mapping[str, bytes] | None = None, progress: Progress | None = None
) -> str:
    """The whole report page as one string (no I/O).

    ``images`` maps a plot kind to PNG bytes already drawn (e.g. by
    :func:`glassnet.plots.render_plots`); missing kinds are drawn at
    :data:`PLOT_DPI`, each reported to ``progress``.
    """
    given = {kind: {"png": png} for kind, png in (images or {}).items()}
    return render_report(run, images=given, progress=progress)[0]


def report_path_problem(path: str | Path) -> str | None:
    """Why the report cannot go to ``path`` (``None``: it can): its folder must exist."""
    target = Path(path)
    if not target.parent.is_dir():
        return (
            f"cannot write the report to {str(target)!r}: the folder {str(target.parent)!r} "
            "does not exist."
        )
    return None


def write_report(
    run: Run,
    path: str | Path,
    *,
    images: Mapping[str, bytes] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the report of ``run`` to ``path`` atomically; return the path.

    The folder must exist. The file is one self-contained HTML page (see the
    module docstring); the post's run's is about 1.4 MB. ``images`` optionally
    gives PNG bytes of plots already drawn, by kind (see :func:`plots_html`).

    Raises
    ------
    ConfigError
        A folder that does not exist, a path that cannot be written (checked
        before anything is drawn) or an error while writing, as one line
        naming the path; a failed write leaves no file behind.
    """
    from glassnet.plots._files import check_outputs, write_files

    target = Path(path)
    check_outputs([target])
    problem = report_path_problem(target)
    if problem is not None:
        raise ConfigError(problem)
    write_files({target: format_report(run, images, progress).encode("utf-8")})
    return target


__all__ = ["format_report", "render_report", "write_report"]
