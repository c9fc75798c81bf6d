"""Renderers that turn a recorded run into text a person can check by hand.

They only read :class:`~glassnet.run.Run` and :class:`~glassnet.trace.Step`
objects (and the :class:`~glassnet.gradcheck.GradientCheck` the core computes
beside a step); none of them trains or recomputes a number.

:func:`explain` is the public entry point: the worked example of one
iteration as plain text, Markdown or terminal output.

Modules
-------
numbers      the post's number style; checking that a printed line is true
document     the format-neutral document (headings, sentences, equations, tables)
worked       builds the document of a worked iteration from a recorded step
text, markdown, terminal
             one output format each
walkthrough  what ``glassnet`` prints with no arguments
summary      what ``glassnet run`` prints
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from glassnet.errors import ConfigError
from glassnet.explain.numbers import count

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.explain.document import Block, Document
    from glassnet.explain.worked import Context, Names
    from glassnet.run import Run
    from glassnet.trace import Step

#: Output formats of :func:`explain`.
FORMATS = ("text", "md", "terminal")

#: Notations of :func:`explain`: glassnet's deltas (the post's), or the chain rule term by
#: term as Matt Mazur's "A Step by Step Backpropagation Example" writes it.
NOTATIONS = ("delta", "chain")

#: Accepted range of ``digits``.
MIN_DIGITS, MAX_DIGITS = 1, 12

__all__ = ["FORMATS", "NOTATIONS", "explain", "explanation", "render"]


def _check(
    format: str, digits: int | None, notation: str = "delta", decimals: int | None = None
) -> None:
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}; got {format!r}.")
    if notation not in NOTATIONS:
        raise ConfigError(
            f"notation must be one of {', '.join(NOTATIONS)} (delta: the post's; chain: Matt "
            f"Mazur's chain rule); got {notation!r}."
        )
    if digits is not None and (
        isinstance(digits, bool)
        or not isinstance(digits, int)
        or not MIN_DIGITS <= digits <= MAX_DIGITS
    ):
        raise ConfigError(
            f"digits must be a whole number from {MIN_DIGITS} to {MAX_DIGITS} "
            f"(significant digits of the largest number of each block); got {digits!r}."
        )
    if decimals is not None and (
        isinstance(decimals, bool)
        or not isinstance(decimals, int)
        or not MIN_DIGITS <= decimals <= MAX_DIGITS
    ):
        raise ConfigError(
            f"decimals must be a whole number from {MIN_DIGITS} to {MAX_DIGITS} "
            f"(decimals of every number in the chain notation); got {decimals!r}."
        )
    # one meaning each: digits are significant digits, decimals fixed decimals
    if notation == "chain" and digits is not None:
        raise ConfigError(
            f"digits (significant digits) are for the delta notation; the chain notation "
            f"prints fixed decimals: give decimals={digits} (--decimals {digits}) instead."
        )
    if notation != "chain" and decimals is not None:
        raise ConfigError(
            f"decimals are for the chain notation (Mazur's fixed decimals); the delta notation "
            f"takes digits, the significant digits of each block: digits={decimals} "
            f"(--digits {decimals})."
        )


def explanation(
    run: Run,
    iteration: int,
    *,
    digits: int | None = None,
    show_all: bool = False,
    notation: str = "delta",
    decimals: int | None = None,
) -> Document:
    """The worked example of iteration ``#iteration`` of ``run`` as a document.

    Reads ``run.step(iteration)`` (and ``run.step(iteration - 1)`` for the
    comparison, ``run.step(iteration + 1)``'s loss for the chain notation's
    error after the update) and the core's gradient check at the step's weights.
    """
    from glassnet.explain import worked
    from glassnet.explain.numbers import DEFAULT_DIGITS

    _check("text", digits, notation, decimals)
    step = run.step(iteration)
    k = step.iteration
    ctx = worked.Context(
        names_of(run),
        DEFAULT_DIGITS if digits is None else digits,
        worked.ALL if show_all else worked.Limits(),
    )
    header: list[worked.Block] = [worked.Paragraph(worked.spans(describe(run)))]
    if notation == "chain":
        return worked.document(_chain(run, step, ctx, header, decimals))
    return worked.document(iteration_blocks(run, k, ctx, header))


def iteration_blocks(run: Run, k: int, ctx: Context, header: Sequence[Block] = ()) -> list[Block]:
    """Every section of the worked iteration ``#k`` of ``run`` in the default notation.

    Beyond the post's method it adds the batch to the header, and a
    mini-batch, whose previous iteration saw other examples, is compared with
    it on the recorded curve of every example.
    """
    from glassnet.explain import worked
    from glassnet.gradcheck import check_step

    step = run.step(k)
    previous = run.step(k - 1) if k > 0 else None
    header = list(header)
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
        blocks = worked.history_comparison_blocks(step, previous, figures, run.data.n_samples, ctx)
        comparison, previous = (k - 1, blocks), None
    return worked.step_document(
        step,
        previous,
        check_step(run.network, step),
        ctx,
        header,
        constant=worked.constant_columns(run.data.X),
        comparison=comparison,
    )


def _chain(
    run: Run, step: Step, ctx: Context, header: list[Block], decimals: int | None
) -> list[Block]:
    """The chain notation's document: Mazur's names, nine decimals, the error after the update."""
    from dataclasses import replace

    from glassnet.explain import chain

    names = chain.ChainNames.of(run.network.sizes, ctx.names.inputs, step)
    ctx = replace(ctx, decimals=chain.CHAIN_DECIMALS if decimals is None else decimals)
    if not step.method.is_plain:
        from glassnet.explain.method import batch_paragraph

        header.append(
            batch_paragraph(
                step,
                [names.example(s) for s in range(len(step.y))],
                run.data.n_samples,
                run.batches.per_epoch,
            )
        )
    k, n = step.iteration, len(step.y)
    after = None
    if step.applied:
        if step.rows is None:
            where = "the same example" if n == 1 else f"the same {n} examples"
            after = (float(step.loss), _figures(run, k + 1)[0], where)
        else:
            after = (
                _figures(run, k)[0],
                _figures(run, k + 1)[0],
                count(run.data.n_samples, "example"),
            )
    return chain.chain_document(step, names, ctx, header, after)


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
        f"Data: {run.data.name}, {run.data.n_samples} example"
        f"{'s' if run.data.n_samples != 1 else ''}. Network: layers "
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
    notation: str = "delta",
    decimals: int | None = None,
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
        the post's ``-.4047``); a line that would not be true at that
        precision gets more.
    show_all : bool
        Write out every example, unit and weight of big layers instead of the
        first few.
    notation : {"delta", "chain"}
        ``"delta"`` (the default): the post's deltas, sums over examples and
        updates. ``"chain"``: each weight's gradient by the chain rule, term by
        term, with Matt Mazur's names and signs ("A Step by Step
        Backpropagation Example"), ending with the error after the update.
    decimals : int, optional
        The chain notation's decimals of every number (default 9, Mazur's);
        refused in the delta notation, as ``digits`` is in the chain notation.

    Returns
    -------
    str
        The explanation, ending with a newline.
    """
    _check(format, digits, notation, decimals)
    document = explanation(
        run, iteration, digits=digits, show_all=show_all, notation=notation, decimals=decimals
    )
    return render(document, format)
