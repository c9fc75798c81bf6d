"""The post's walkthrough, worked out in full, for any run.

``format_walkthrough(run)`` returns the text ``glassnet`` prints with no
arguments: iterations #0 and #1 as worked examples (every dot product,
sigmoid, error, delta and weight update written out with its numbers, the
gradient check, why each weight moved, OLD versus NEW), the error after 100,
1,000, 10,000 and 100,000 iterations, and the final state as the post's last
section writes it (weights, dot products, sigmoids).
"""

from __future__ import annotations

import numpy as np

from glassnet.explain.document import Block, Document, Heading, Paragraph, Table, Verbatim, spans
from glassnet.explain.numbers import DEFAULT_DIGITS, decimals_for, fmt
from glassnet.run import Run
from glassnet.trace import Step
from glassnet.types import Array

#: The iterations whose error the post quotes, as counts of forward passes.
MILESTONES = (100, 1_000, 10_000, 100_000)


def matrix(values: Array, precision: int = 8, threshold: int = 1000) -> str:
    """A matrix the way numpy prints it (whole numbers without decimals).

    Arrays with more than ``threshold`` entries are summarized with ``...``.
    """
    # Only whole numbers that fit an int64 print as integers (a diverged weight of
    # 1e300 would otherwise print as a garbage integer).
    if (
        np.all(np.isfinite(values))
        and np.all(np.abs(values) < 2**53)
        and np.all(values == np.round(values))
    ):
        return np.array2string(
            values.astype(np.int64), separator=" ", threshold=threshold, edgeitems=3
        )
    return np.array2string(
        values,
        precision=precision,
        floatmode="fixed",
        suppress_small=False,
        threshold=threshold,
        edgeitems=3,
    )


#: Arrays larger than this are left out of the notebook-style print (the JSON has them all).
NOTEBOOK_PRINT_LIMIT = 64


def one_line(values: Array, precision: int = 8) -> str:
    """A matrix as numpy prints it, on one line, as the post quotes it."""
    return " ".join(matrix(values, precision).split())


def notebook_print(step: Step) -> list[Block]:
    """Iteration ``step`` as the post's notebook prints it: numpy arrays at full precision."""
    if max(a.size for ly in step.layers for a in (ly.inputs, ly.W, ly.z)) > NOTEBOOK_PRINT_LIMIT:
        return []
    lines = [f"inputs: {one_line(step.X)}"]
    for ly in step.layers:
        name = f"l{ly.index + 1}"
        lines.append(f"weights W{ly.index}: {one_line(ly.W)}")
        if ly.b is not None:
            lines.append(f"bias b{ly.index}: {one_line(ly.b)}")
        lines += [
            f"{name} dot product results: {one_line(ly.z)}",
            f"{name} probability predictions ({ly.activation}): {one_line(ly.a)}",
        ]
    out = f"l{step.layers[-1].index + 1}"
    lines += [
        f"{out}_error: {one_line(step.error)}",
        f"sum of absolute errors: {step.error_sum:.8f}",
    ]
    for ly in step.layers:
        lines += [
            f"pre-update weights W{ly.index}: {one_line(ly.W)}",
            f"post-update weights W{ly.index}: {one_line(ly.W_after)}",
        ]
    return [Verbatim("As the post's notebook prints it (float64, 8 decimals):", tuple(lines))]


def final_print(run: Run) -> list[Block]:
    """The final weights, predictions and error at full precision, and the milestones' errors."""
    lines = [
        f"error after {count:,} iterations (#{count - 1}): {run.history.error_sum[count - 1]:.8f}"
        for count in MILESTONES
        if count <= len(run.history)
    ]
    for i, (w, b) in enumerate(zip(run.final.weights, run.final.biases)):
        if w.size > NOTEBOOK_PRINT_LIMIT:
            continue
        lines.append(f"weights W{i} (after {run.iterations:,} iterations): {one_line(w)}")
        if b is not None:
            lines.append(f"bias b{i}: {one_line(b)}")
    if run.final_prediction.size <= NOTEBOOK_PRINT_LIMIT:
        lines.append(f"predictions: {one_line(run.final_prediction)}")
    lines.append(f"sum of absolute errors: {run.final_error_sum:.8f}")
    return [Verbatim("At full precision (float64, 8 decimals):", tuple(lines))]


def error_over_time(run: Run, digits: int = DEFAULT_DIGITS) -> list[Block]:
    """The error at the post's milestones, as a table."""
    rows = []
    for count in MILESTONES:
        if count <= len(run.history):
            k = count - 1
            es, loss = float(run.history.error_sum[k]), float(run.history.loss[k])
            rows.append(
                spans(
                    f"{count:,}",
                    f"#{k}",
                    fmt(es, decimals_for([es], digits)),
                    fmt(loss, decimals_for([loss], digits)),
                )
            )
    if not rows:
        return []
    return [
        Heading(1, "ERROR OVER TIME"),
        Table(
            "the error after so many iterations (iteration #k is the (k+1)th forward pass):",
            ("iterations", "iteration", "sum of absolute errors", "loss"),
            tuple(rows),
            ("r", "r", "r", "r"),
        ),
    ]


def walkthrough_document(
    run: Run, digits: int = DEFAULT_DIGITS, show_all: bool = False
) -> Document:
    """#0, #1, the error over time and the final state of ``run`` as one document."""
    from glassnet.explain import describe, iteration_blocks, names_of, worked

    ctx = worked.Context(names_of(run), digits, worked.ALL if show_all else worked.Limits())
    blocks: list[Block] = [
        Paragraph(
            spans(
                describe(run)
                + f" {run.iterations:,} iterations ({run.engine} engine). Iteration #k is "
                "the forward pass with the weights after k updates."
            )
        )
    ]
    blocks += iteration_blocks(run, 0, ctx, notebook_print(run.step(0)))
    if run.iterations >= 1:
        blocks += iteration_blocks(run, 1, ctx, notebook_print(run.step(1)))
    blocks += error_over_time(run, digits)
    blocks += worked.final_document(run.step(run.iterations), run.iterations, ctx)
    blocks += final_print(run)
    if run.stop is not None:
        blocks.append(
            Paragraph(
                spans(
                    f"Training stopped at iteration #{run.stop.iteration} (layer {run.stop.layer}): "
                    f"{run.stop.reason}"
                )
            )
        )
    return Document(tuple(blocks))


def format_walkthrough(run: Run) -> str:
    """The post's walkthrough for ``run`` as plain text (see the module docstring)."""
    from glassnet.explain.text import format_text

    return format_text(walkthrough_document(run))
