"""Rich display in Jupyter: HTML for a run, a step, a comparison and a sweep; a scrubber.

Jupyter calls an object's ``_repr_html_`` to show it. :class:`~glassnet.run.Run`,
:class:`~glassnet.trace.Step`, :class:`~glassnet.compare.Comparison` and
:class:`~glassnet.sweep.Sweep` have one-line methods that call the functions here. Like every renderer these only
read recorded numbers: the error curve is the plots module's figure (imported
lazily, inlined as SVG), the worked arithmetic is the step's own ``z``,
``a``, ``delta`` and ``dW``.

:func:`scrubber` gives an ipywidgets slider over a run's iterations (only when
ipywidgets is installed: ``pip install 'glassnet[notebook]'``).
"""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.explain.numbers import count
from glassnet.types import Array

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.compare import Comparison
    from glassnet.run import Run
    from glassnet.trace import Step

#: Examples (rows) and weights written out in full in a step's worked arithmetic.
MAX_ROWS = 8
MAX_TERMS = 8

STYLE = (
    "<style>.glassnet table{border-collapse:collapse;margin:4px 0 10px}"
    ".glassnet td,.glassnet th{border:1px solid #ddd;padding:2px 8px;text-align:right;"
    "font-family:monospace}.glassnet th{background:#f4f4f4}"
    ".glassnet caption{text-align:left;font-weight:bold;padding:4px 0;white-space:nowrap}"
    ".glassnet .row{display:flex;flex-wrap:wrap;gap:0 18px;align-items:flex-start}"
    ".glassnet table.summary td{text-align:left}"
    ".glassnet pre{background:#fafafa;padding:6px}</style>"
)


def _num(value: float, digits: int = 8) -> str:
    return f"{value:.{digits}f}" if np.isfinite(value) else str(value)


def _table(
    rows: list[list[str]], header: list[str] | None = None, caption: str = "", css: str = ""
) -> str:
    parts = [f'<table class="{css}">' if css else "<table>"]
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    if header:
        parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def matrix_html(array: Array, caption: str, row_label: str = "", digits: int = 8) -> str:
    """A 2-d array as an HTML table (first :data:`MAX_ROWS` rows)."""
    array = np.atleast_2d(array)
    shown = array[:MAX_ROWS]
    rows = [
        ([f"{row_label}{i}"] if row_label else []) + [_num(v, digits) for v in row]
        for i, row in enumerate(shown)
    ]
    if len(array) > MAX_ROWS:
        rows.append(["…"] * (len(rows[0])))
    return _table(rows, caption=f"{caption}  {array.shape}")


def figure_svg(fig: Any) -> str:
    """A matplotlib figure as inline ``<svg>`` markup (no XML prolog)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def error_curve_svg(run: Run) -> str:
    """The plots module's error figure over the whole run, one panel, as SVG ('' if unavailable)."""
    if len(run.history) == 0:
        return ""
    try:
        fig = run.plot("error")
    except ImportError:  # pragma: no cover - the plots module or matplotlib missing
        return ""
    return figure_svg(fig)


def summary_rows(run: Run) -> list[list[str]]:
    """``[label, value]`` rows describing a run."""
    net = run.network
    rows = [
        [
            "data",
            f"{run.data.name}: {count(run.data.n_samples, 'example')}, "
            f"{count(run.data.X.shape[1], 'input')}, {count(run.data.y.shape[1], 'target')}",
        ],
        [
            "network",
            f"layers {list(net.sizes)}, {', '.join(a.name for a in net.activations)}, "
            f"bias {list(net.bias)}",
        ],
        ["loss", f"{net.loss.name} = {net.loss.formula}"],
        [
            "training",
            f"{count(run.iterations, 'update')}, learning rate {run.learning_rate:g}, {run.engine} engine",
        ],
    ]
    n = len(run.history)
    if n:
        rows.append(["error sum #0", _num(float(run.history.error_sum[0]))])
    rows.append([f"error sum #{run.iterations} (final)", _num(run.final_error_sum)])
    rows.append([f"loss #{run.iterations} (final)", _num(run.final_loss)])
    if run.test is not None and run.final_test_error_sum is not None:
        rows.append(["held-out examples", f"{run.test.n_samples}"])
        if run.history.test_error_sum is not None and n:
            rows.append(["test error sum #0", _num(float(run.history.test_error_sum[0]))])
        rows.append([f"test error sum #{run.iterations} (final)", _num(run.final_test_error_sum)])
    if run.stop is not None:
        rows.append(
            [
                "stopped",
                f"iteration #{run.stop.iteration}, layer {run.stop.layer}: {run.stop.reason}",
            ]
        )
    if run.saturation is not None:
        rows.append(
            ["saturated", f"iteration #{run.saturation.iteration}, layer {run.saturation.layer}"]
        )
    return rows


def run_html(run: Run, iteration: int | None = None) -> str:
    """A run: its summary, its error curve, its final weights and one worked step.

    ``iteration`` is the step worked out (default ``#1``, the post's, or
    ``#0`` for a run of no updates).
    """
    k = min(1, run.iterations) if iteration is None else iteration
    parts = [
        STYLE,
        '<div class="glassnet">',
        _table(summary_rows(run), caption="glassnet run", css="summary"),
    ]
    from glassnet.diagnosis import hints

    for hint in hints(run):
        parts.append(f'<p class="hint"><b>Not learning:</b> {html.escape(hint)}</p>')
    svg = error_curve_svg(run)
    if svg:
        parts.append(f"<details open><summary>error curve</summary>{svg}</details>")
    weights = "".join(matrix_html(w, f"final W{i}", "in ") for i, w in enumerate(run.final.weights))
    parts.append(f"<details><summary>final weights</summary>{weights}</details>")
    parts.append(
        f"<details><summary>iteration #{k} worked by hand</summary>"
        f"{step_body(run.step(k), names=run.data.input_names)}</details>"
    )
    parts.append("</div>")
    return "".join(parts)


def dot_line(x: Array, w: Array, b: float | None, z: float, digits: int = 4) -> str:
    """One dot product written out: ``(0 * 0.6742) + (1 * -0.3347) + ... = z``."""
    terms = [f"({xi:.{digits}g} * {wi:.{digits}g})" for xi, wi in zip(x[:MAX_TERMS], w[:MAX_TERMS])]
    if len(x) > MAX_TERMS:
        terms.append(f"… {len(x) - MAX_TERMS} more")
    if b is not None:
        terms.append(f"{b:.{digits}g}")
    return " + ".join(terms) + f" = {z:.{digits + 2}g}"


def _grad_formula(name: str) -> str:
    from glassnet.activations import ACTIVATIONS

    if name not in ACTIVATIONS:
        return "f'(z)"
    act = ACTIVATIONS[name]
    return "not elementwise (row-wise; its loss cancels it)" if act.rowwise else act.grad_formula


def _rowwise(name: str) -> bool:
    from glassnet.activations import ACTIVATIONS

    return name in ACTIVATIONS and ACTIVATIONS[name].rowwise


def _method_line(step: Step) -> str:
    """The batch and the method of a step other than the post's, as one paragraph ('' else)."""
    from glassnet.explain.method import describe_method

    method = step.method
    if method.is_plain:
        return ""
    if step.rows is None:
        batch = f"the full batch ({count(len(step.y), 'example')})"
    else:
        rows = ", ".join(str(int(r)) for r in step.rows[:MAX_ROWS])
        more = f" … {len(step.rows) - MAX_ROWS} more" if len(step.rows) > MAX_ROWS else ""
        batch = f"data rows {rows}{more} (epoch {step.epoch})"
    return (
        f"<p>batch: {html.escape(batch)}; {html.escape(describe_method(method, short=True))}; "
        f"update number t = {step.iteration + 1}; the optimizer: "
        f"{html.escape(method.optimizer.formula)}</p>"
    )


def step_body(step: Step, names: tuple[str, ...] = ()) -> str:
    """Every number of one iteration, layer by layer, with the arithmetic written out.

    Beyond the post's method: the batch, and per layer the gradient, the l2
    term, the optimizer's state before and after, and the update it made.
    """
    plain = step.method.is_plain
    parts = [
        f"<p>iteration #{step.iteration}: loss {step.loss_name} = {_num(step.loss)}, "
        f"error sum sum(|y - a|) = {_num(step.error_sum)}; learning rate "
        f"{step.learning_rate:g}{'' if step.applied else ' (update shown, not applied by the run)'}"
        f"</p>",
        _method_line(step),
    ]
    n = len(step.y)
    for ly in step.layers:
        parts.append(f"<h4>layer {ly.index} ({ly.activation})</h4>")
        parts.append('<div class="row">')
        parts.append(matrix_html(ly.W, f"W{ly.index} before", "in "))
        if ly.b is not None:
            parts.append(matrix_html(ly.b.reshape(1, -1), f"b{ly.index} before"))
        parts.append("</div>")
        lines = []
        for s in range(min(MAX_ROWS, ly.inputs.shape[0])):
            for j in range(min(MAX_TERMS, ly.W.shape[1])):
                b = None if ly.b is None else float(ly.b[j])
                lines.append(
                    f"z[{s},{j}] = " + dot_line(ly.inputs[s], ly.W[:, j], b, float(ly.z[s, j]))
                )
        parts.append("<p>dot products (inputs @ W" + ("" if ly.b is None else " + b") + "):</p>")
        parts.append("<pre>" + html.escape("\n".join(lines)) + "</pre>")
        parts.append('<div class="row">')
        rowwise = _rowwise(ly.activation)
        arrays = [
            (f"a = {ly.activation}(z)", ly.a),
            (f"derivative f'(z) = {_grad_formula(ly.activation)}", ly.derivative),
            (
                "error"
                + (" y - a" if ly.index == len(step.layers) - 1 else " delta_next @ W_next.T"),
                ly.error,
            ),
            ("delta = error" if rowwise else "delta = error * f'(a)", ly.delta),
        ]
        if rowwise:
            arrays.pop(1)  # a row-wise activation has no elementwise slope (NaN in the trace)
        for name, array in arrays:
            parts.append(matrix_html(array, name, "example "))
        parts.append('</div><div class="row">')
        if plain:
            parts.append(matrix_html(ly.dW, "update dW = learning_rate * inputs.T @ delta", "in "))
        else:
            per = f" / {n}" if step.method.mean and n != 1 else ""
            if ly.gradient is not None:
                parts.append(
                    matrix_html(ly.gradient, f"gradient dL/dW = -inputs.T @ delta{per}", "in ")
                )
            if ly.l2_term is not None:
                parts.append(matrix_html(ly.l2_term, f"l2 term {step.method.l2:g} * W", "in "))
            for slot, before in ly.state_before.items():
                parts.append(matrix_html(before, f"{slot} before", "in "))
                parts.append(matrix_html(ly.state_after[slot], f"{slot} after", "in "))
            parts.append(matrix_html(ly.dW, f"update dW ({step.method.optimizer.name})", "in "))
        parts.append(matrix_html(ly.W_after, f"W{ly.index} after = W + dW", "in "))
        if ly.db is not None and ly.b_after is not None:
            caption = "bias update db = learning_rate * sum(delta)" if plain else "bias update db"
            if not plain and ly.gradient_b is not None:
                parts.append(matrix_html(ly.gradient_b.reshape(1, -1), "gradient dL/db"))
            parts.append(matrix_html(ly.db.reshape(1, -1), caption))
            parts.append(matrix_html(ly.b_after.reshape(1, -1), f"b{ly.index} after"))
        parts.append("</div>")
    return "".join(parts)


def step_html(step: Step) -> str:
    """A step on its own (what ``run.step(k)`` shows in a notebook)."""
    return f'{STYLE}<div class="glassnet">{step_body(step)}</div>'


def comparison_html(comparison: Comparison) -> str:
    """A comparison: its text and the overlaid error curves."""
    from glassnet.explain.compare import format_comparison
    from glassnet.plots.compare import plot_comparison

    return (
        f'{STYLE}<div class="glassnet"><pre>{html.escape(format_comparison(comparison))}</pre>'
        f"{figure_svg(plot_comparison(comparison))}</div>"
    )


#: Parameters listed one by one in a sweep's weight table.
MAX_PARAMETERS = 24


def _spread(d: Any, digits: int = 4) -> str:
    """``median [p05, p95]`` of a :class:`~glassnet.sweep.Distribution` (or ``–`` if empty)."""
    if d.count == 0:
        return "–"
    return f"{d.median:.{digits}f} [{d.p05:.{digits}f}, {d.p95:.{digits}f}]"


def sweep_html(sweep: Any) -> str:
    """A sweep: per (optimizer, batch size, learning rate), how the networks ended and how
    fast they got there, and where each weight ended up over the seeds.

    Reads only :meth:`glassnet.sweep.Sweep.summaries` and the sweep's own fields.
    """
    summaries = sweep.summaries()
    seeds = np.unique(sweep.seeds)
    net = sweep.network
    head = (
        f"sweep: {sweep.n_networks:,} networks, layers {list(net.sizes)}, "
        f"{len(seeds):,} seeds ({int(seeds.min())} … {int(seeds.max())}) x "
        f"{len(sweep.rates())} learning rate(s)"
        + "".join(
            f" x {len(set(column.tolist()))} {what}"
            for column, what in (
                (sweep.optimizer_column(), "optimizers"),
                (sweep.batch_size_column(), "batch sizes"),
            )
            if len(set(column.tolist())) > 1
        )
        + f", {sweep.iterations:,} updates each, {sweep.engine} engine"
    )

    def label(s: Any) -> str:  # the combination: "adam, batch size 8, learning rate 0.5"
        return str(sweep.label(s.optimizer, s.batch_size, s.learning_rate))

    rows = [
        [
            label(s),
            f"{s.n_networks:,}",
            f"{s.n_stopped:,}",
            _spread(s.final_error_sum, 6),
            f"{s.n_reached:,} of {s.n_networks:,}",
            _spread(s.iterations_to_target, 0),
        ]
        for s in summaries
    ]
    parts = [
        STYLE,
        '<div class="glassnet">',
        _table(
            rows,
            [
                "combination",
                "networks",
                "stopped",
                "final error sum: median [5%, 95%]",
                f"reached error sum <= {sweep.target_error:g}",
                "iterations to reach it: median [5%, 95%]",
            ],
            caption=head,
        ),
    ]
    for s in summaries:
        shown = s.weights[:MAX_PARAMETERS]
        weight_rows = [
            [
                d.name,
                _num(d.mean, 4),
                _num(d.std, 4),
                _num(d.min, 4),
                _num(d.median, 4),
                _num(d.max, 4),
            ]
            for d in shown
        ]
        if len(s.weights) > MAX_PARAMETERS:
            weight_rows.append([f"… {len(s.weights) - MAX_PARAMETERS} more"] + [""] * 5)
        parts.append(
            _table(
                weight_rows,
                ["parameter", "mean", "std", "min", "median", "max"],
                caption=f"final weights over {s.n_networks:,} seeds, {label(s)}",
            )
        )
    parts.append("</div>")
    return "".join(parts)


def scrubber(run: Run) -> Any:
    """An ipywidgets slider over iterations ``#0 .. #N`` showing each step's numbers.

    Returns an ``ipywidgets.VBox``; display it (it is the last expression of a
    cell). Raises ImportError when ipywidgets is not installed.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError(
            "glassnet.notebook.scrubber needs ipywidgets: pip install 'glassnet[notebook]'"
        ) from None
    slider = widgets.IntSlider(
        value=min(1, run.iterations),
        min=0,
        max=run.iterations,
        description="iteration",
        continuous_update=False,
    )
    view = widgets.HTML(value=step_html(run.step(slider.value)))

    def show(change: dict[str, Any]) -> None:
        view.value = step_html(run.step(int(change["new"])))

    slider.observe(show, names="value")
    return widgets.VBox([slider, view])
