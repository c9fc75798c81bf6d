"""Renderers that turn a recorded run into text a person can check by hand.

They only read :class:`~glassnet.run.Run` and :class:`~glassnet.trace.Step`
objects (and the :class:`~glassnet.gradcheck.GradientCheck` the core computes
beside a step); none of them trains or recomputes a number.

:func:`explain` is the public entry point: the worked example of one
iteration as plain text, Markdown or terminal output.

Modules
-------
numbers      the seed's number style; checking that a printed line is true
document     the format-neutral document (headings, sentences, equations, tables)
worked       builds the document of a worked iteration from a recorded step
text, markdown, terminal
             one output format each
walkthrough  what ``glassnet`` prints with no arguments
summary      what ``glassnet run`` prints
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from glassnet.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.explain.document import Document
    from glassnet.explain.worked import Names
    from glassnet.run import Run

#: Output formats of :func:`explain`.
FORMATS = ("text", "md", "terminal")

#: Accepted range of ``digits``.
MIN_DIGITS, MAX_DIGITS = 1, 12

__all__ = ["FORMATS", "explain", "explanation", "render"]


def _check(format: str, digits: int | None) -> None:
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}; got {format!r}.")
    if digits is not None and (
        isinstance(digits, bool)
        or not isinstance(digits, int)
        or not MIN_DIGITS <= digits <= MAX_DIGITS
    ):
        raise ConfigError(
            f"digits must be a whole number from {MIN_DIGITS} to {MAX_DIGITS} "
            f"(significant digits of the largest number of each block); got {digits!r}."
        )


def explanation(
    run: Run, iteration: int, *, digits: int | None = None, show_all: bool = False
) -> Document:
    """The worked example of iteration ``#iteration`` of ``run`` as a document.

    Reads ``run.step(iteration)`` (and ``run.step(iteration - 1)`` for the
    comparison) and the core's gradient check at the step's weights.
    """
    from glassnet.explain import worked
    from glassnet.explain.numbers import DEFAULT_DIGITS
    from glassnet.gradcheck import check_step

    _check("text", digits)
    step = run.step(iteration)
    k = step.iteration
    previous = run.step(k - 1) if k > 0 else None
    ctx = worked.Context(
        names_of(run),
        DEFAULT_DIGITS if digits is None else digits,
        worked.ALL if show_all else worked.Limits(),
    )
    header: list[worked.Block] = [worked.Paragraph(worked.spans(describe(run)))]
    comparison = None
    if not step.method.is_plain:
        from glassnet.explain.method import batch_paragraph

        named = worked.with_rows(ctx, step).names
        header.append(
            batch_paragraph(
                step,
                [named.example(s) for s in range(len(step.y))],
                run.data.n_samples,
                run.batches.per_epoch,
            )
        )
    if previous is not None and step.rows is not None:
        # a mini-batch: the previous iteration saw other examples; compare the recorded curve
        figures = (_figures(run, k - 1), _figures(run, k))
        blocks_ = worked.history_comparison_blocks(step, previous, figures, run.data.n_samples, ctx)
        comparison, previous = (k - 1, blocks_), None
    blocks = worked.step_document(
        step,
        previous,
        check_step(run.network, step),
        ctx,
        header,
        constant=worked.constant_columns(run.data.X),
        comparison=comparison,
    )
    return worked.document(blocks)


def _figures(run: Run, k: int) -> tuple[float, float]:
    """``(loss, error sum)`` over every example at iteration ``#k``, as recorded."""
    if k < len(run.history):
        return float(run.history.loss[k]), float(run.history.error_sum[k])
    return float(run.final_loss), float(run.final_error_sum)


def names_of(run: Run) -> Names:
    """How the explanation names the inputs, units and weights of ``run``."""
    from glassnet.explain.worked import Names

    # names label equation lines ("x1->h2:"), so they lose the characters of the notation
    inputs = tuple(
        re.sub(r"[\s:()|=\[\]*+^/]+", "_", name).strip("_") or f"x{i + 1}"
        for i, name in enumerate(run.data.input_names)
    )
    return Names(inputs, tuple(run.network.sizes))


def describe(run: Run) -> str:
    """One sentence about the data, the network and the training."""
    net = run.network
    acts = sorted({a.name for a in net.activations}, key=[a.name for a in net.activations].index)
    bias = "" if not any(net.bias) else ", with biases"
    from glassnet.explain.method import describe_method

    method = describe_method(run.method)
    return (
        f"Data: {run.data.name}, {run.data.n_samples} examples. Network: layers "
        f"{list(net.sizes)}, {'/'.join(acts)}{bias}. Loss: {net.loss.name}. "
        f"Learning rate {run.learning_rate:g}." + (f" {method}" if method else "")
    )


def render(doc: Document, format: str = "text") -> str:
    """A document in one of :data:`FORMATS`."""
    _check(format, None)
    if format == "md":
        from glassnet.explain.markdown import format_markdown

        return format_markdown(doc)
    if format == "terminal":
        from glassnet.explain.terminal import format_terminal

        return format_terminal(doc)
    from glassnet.explain.text import format_text

    return format_text(doc)


def explain(
    run: Run,
    iteration: int,
    *,
    format: str = "text",
    digits: int | None = None,
    show_all: bool = False,
) -> str:
    """The worked example of iteration ``#iteration`` of ``run``, every number written out.

    Parameters
    ----------
    run : Run
        A finished run; its recorded step ``run.step(iteration)`` is read.
    iteration : int
        ``0`` to ``run.iterations`` (negative counts from the end).
    format : {"text", "md", "terminal"}
        Plain text, Markdown, or rich output for a terminal (coloured only
        when stdout is a terminal and ``NO_COLOR`` is not set).
    digits : int, optional
        Significant digits of the largest number of each block (default 4,
        the seed's ``-.4047``); a line that would not be true at that
        precision gets more.
    show_all : bool
        Write out every example, unit and weight of big layers instead of the
        first few.

    Returns
    -------
    str
        The explanation, ending with a newline.
    """
    _check(format, digits)
    return render(explanation(run, iteration, digits=digits, show_all=show_all), format)
