"""Predictions of a trained run for new inputs, and their forward pass worked out.

The core of ``glassnet predict``: :func:`predict` feeds raw inputs (scaled as
the run's training inputs were, ``[data] standardize``) through the run's final
weights with the reference forward pass; :func:`explain_prediction` writes that
pass out with the explainer's forward blocks (dot products and activations,
every line true at its printed precision).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.errors import DataError
from glassnet.network import forward
from glassnet.run import Run
from glassnet.types import Array, IntArray


@dataclass(frozen=True, eq=False)
class Prediction:
    """The run's outputs for some inputs.

    Attributes
    ----------
    inputs : (n, n_in)
        As given (before scaling).
    scaled : (n, n_in)
        What the network reads (the run's scaling applied, if it had one).
    outputs : (n, n_out)
        The last layer's activations.
    classes : (n,) int64 or None
        The predicted class for class targets (the larger side of 0.5 for one
        sigmoid output, the largest output of several), else ``None``.
    """

    inputs: Array
    scaled: Array
    outputs: Array
    classes: IntArray | None


def parse_rows(text: str, n_in: int) -> Array:
    """``"0,1,1"`` or ``"0,1,1; 1,1,1"`` -> rows of ``n_in`` numbers (one-line errors)."""
    rows = []
    for i, part in enumerate(p for p in text.replace("\n", ";").split(";") if p.strip()):
        try:
            row = [float(v) for v in part.split(",")]
        except ValueError:
            raise DataError(
                f"--inputs row {i + 1} must be {n_in} numbers separated by commas (rows by ;), "
                f"e.g. {','.join(['0'] * n_in)}; got {part.strip()!r}."
            ) from None
        if len(row) != n_in:
            raise DataError(
                f"--inputs row {i + 1} has {len(row)} numbers but the network has {n_in} "
                f"inputs; got {part.strip()!r}."
            )
        if not all(np.isfinite(row)):
            raise DataError(f"--inputs row {i + 1} must be finite numbers; got {part.strip()!r}.")
        rows.append(row)
    if not rows:
        raise DataError(f"--inputs needs at least one row of {n_in} numbers; got {text!r}.")
    return np.array(rows, dtype=np.float64)


def predict(run: Run, inputs: Array) -> Prediction:
    """The run's final network on ``inputs`` ``(n, n_in)`` (raw, as its data was given)."""
    X = np.asarray(inputs, dtype=np.float64)
    n_in = run.network.sizes[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise DataError(f"inputs must be rows of {n_in} numbers; got shape {X.shape}.")
    scaled = X if run.data.scaling is None else run.data.scaling.apply(X)
    with np.errstate(all="ignore"):
        outputs = forward(run.network, run.final, scaled)[1][-1]
    y = run.data.y
    classes = None
    if run.network.activations[-1].probability and np.all((y == 0) | (y == 1)):
        classes = (
            (outputs[:, 0] > 0.5).astype(np.int64)
            if outputs.shape[1] == 1
            else np.argmax(outputs, axis=1)
        )
    return Prediction(X, scaled, outputs, classes)


def explain_prediction(run: Run, prediction: Prediction, format: str = "text") -> str:
    """The forward pass of ``prediction`` written out, layer by layer."""
    from glassnet.explain import names_of, render
    from glassnet.explain.document import Heading, Paragraph, spans
    from glassnet.explain.worked import Context, document, forward_blocks
    from glassnet.trace import trace_step

    dummy = np.zeros((len(prediction.scaled), run.network.sizes[-1]))
    step = trace_step(
        run.network, run.final, prediction.scaled, dummy, run.learning_rate, True,
        run.iterations, applied=False,
    )  # fmt: skip
    ctx = Context(names_of(run))
    blocks: list = [
        Heading(
            1, f"the forward pass of new inputs, with the weights after {run.iterations:,} updates"
        ),
    ]
    if run.data.scaling is not None:
        blocks.append(
            Paragraph(
                spans(
                    "The inputs are first standardized as the training inputs were: "
                    "(x - mean) / standard deviation of each training column."
                )
            )
        )
    for ly in step.layers:
        blocks += forward_blocks(ly, ctx, title="weights W{index} (final)")
    return render(document(blocks), format)
