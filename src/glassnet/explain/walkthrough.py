"""The seed post's walkthrough, worked out in full, for any run.

``format_walkthrough(run)`` returns the text ``glassnet`` prints with no
arguments: iterations #0 and #1 as worked examples (every dot product,
sigmoid, error, delta and weight update written out with its numbers, the
gradient check, why each weight moved, OLD versus NEW), the error after 100,
1,000, 10,000 and 100,000 iterations, and the final state as the seed's last
section writes it (weights, dot products, sigmoids).
"""

from __future__ import annotations

import numpy as np

from glassnet.activations import Array
from glassnet.explain.document import Block, Document, Heading, Paragraph, Table, spans
from glassnet.explain.numbers import DEFAULT_DIGITS, decimals_for, fmt
from glassnet.run import Run

#: The iterations whose error the seed post quotes, as counts of forward passes.
MILESTONES = (100, 1_000, 10_000, 100_000)


def matrix(values: Array, precision: int = 8) -> str:
    """A matrix the way numpy prints it (whole numbers without decimals)."""
    # Only whole numbers that fit an int64 print as integers (a diverged weight of
    # 1e300 would otherwise print as a garbage integer).
    if np.all(np.isfinite(values)) and np.all(np.abs(values) < 2**53) and np.all(values == np.round(values)):
        return np.array2string(values.astype(np.int64), separator=" ")
    return np.array2string(values, precision=precision, floatmode="fixed", suppress_small=False)


def error_over_time(run: Run, digits: int = DEFAULT_DIGITS) -> list[Block]:
    """The error at the seed's milestones, as a table."""
    rows = []
    for count in MILESTONES:
        if count <= len(run.history):
            k = count - 1
            es, loss = float(run.history.error_sum[k]), float(run.history.loss[k])
            rows.append(spans(f"{count:,}", f"#{k}", fmt(es, decimals_for([es], digits)),
                              fmt(loss, decimals_for([loss], digits))))
    if not rows:
        return []
    return [Heading(1, "ERROR OVER TIME"),
            Table("the error after so many iterations (iteration #k is the (k+1)th forward pass):",
                  ("iterations", "iteration", "sum of absolute errors", "loss"),
                  tuple(rows), ("r", "r", "r", "r"))]


def walkthrough_document(run: Run, digits: int = DEFAULT_DIGITS, show_all: bool = False) -> Document:
    """#0, #1, the error over time and the final state of ``run`` as one document."""
    from glassnet.explain import describe, names_of
    from glassnet.explain import worked
    from glassnet.gradcheck import check_step

    ctx = worked.Context(names_of(run), digits, worked.ALL if show_all else worked.Limits())
    blocks: list[Block] = [Paragraph(spans(
        describe(run) + f" {run.iterations:,} iterations ({run.engine} engine). Iteration #k is "
        "the forward pass with the weights after k updates."))]
    first = run.step(0)
    blocks += worked.step_document(first, None, check_step(run.network, first), ctx)
    if run.iterations >= 1:
        second = run.step(1)
        blocks += worked.step_document(second, first, check_step(run.network, second), ctx)
    blocks += error_over_time(run, digits)
    blocks += worked.final_document(run.step(run.iterations), run.iterations, ctx)
    if run.stop is not None:
        blocks.append(Paragraph(spans(
            f"Training stopped at iteration #{run.stop.iteration} (layer {run.stop.layer}): "
            f"{run.stop.reason}")))
    return Document(tuple(blocks))


def format_walkthrough(run: Run) -> str:
    """The seed post's walkthrough for ``run`` as plain text (see the module docstring)."""
    from glassnet.explain.text import format_text

    return format_text(walkthrough_document(run))
