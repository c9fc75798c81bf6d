"""Loss functions, each kept with its output delta and its formula.

Sign convention (the seed's and Trask's): the *delta* of a layer is the
negative gradient of the loss with respect to that layer's dot products,
``delta = -dL/dz``, shape ``(n_samples, n_out)``. Gradient descent then *adds*
``learning_rate * a_prev.T @ delta`` to the weights, which is the seed's
``syn0 += np.dot(l0.T, l1_delta)``.

``half_squared_error``
    ``L = 0.5 * sum((y - a)^2)``; ``delta = (y - a) * f'(a)``.
``binary_cross_entropy`` (sigmoid outputs only)
    ``L = -sum(y*ln(a) + (1-y)*ln(1-a))``; for a sigmoid output
    ``delta = y - a`` (the sigmoid's derivative cancels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.activations import Activation, Array


@dataclass(frozen=True)
class Loss:
    """One loss function with its output delta and formulas.

    Attributes
    ----------
    name : str
        The name used in experiment files.
    fn : callable
        ``fn(y, a) -> float``: the loss summed over examples and outputs.
    output_delta : callable
        ``output_delta(y, a, activation) -> delta``, ``-dL/dz`` at the output
        layer, shape ``(n_samples, n_out)``.
    formula : str
        The loss formula as the explainer prints it.
    delta_formula : str
        The output delta formula as the explainer prints it.
    requires : str or None
        The only output activation this loss supports, if restricted.
    """

    name: str
    fn: Callable[[Array, Array], float]
    output_delta: Callable[[Array, Array, Activation], Array]
    formula: str
    delta_formula: str
    requires: str | None = None


def _half_squared_error(y: Array, a: Array) -> float:
    return float(0.5 * ((y - a) ** 2).sum())


def _half_squared_error_delta(y: Array, a: Array, activation: Activation) -> Array:
    return (y - a) * activation.grad(a)


def _binary_cross_entropy(y: Array, a: Array) -> float:
    # y*ln(a) is taken as 0 where y == 0 (its limit), so that a target of 0
    # with a prediction of exactly 0 costs nothing rather than giving NaN.
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(y > 0.0, y * np.log(a), 0.0)
        neg = np.where(y < 1.0, (1.0 - y) * np.log(1.0 - a), 0.0)
    return float(-np.sum(pos + neg))


def _binary_cross_entropy_delta(y: Array, a: Array, activation: Activation) -> Array:
    return y - a


HALF_SQUARED_ERROR = Loss(
    "half_squared_error",
    _half_squared_error,
    _half_squared_error_delta,
    "0.5*sum((y-a)^2)",
    "(y-a)*f'(a)",
)
BINARY_CROSS_ENTROPY = Loss(
    "binary_cross_entropy",
    _binary_cross_entropy,
    _binary_cross_entropy_delta,
    "-sum(y*ln(a)+(1-y)*ln(1-a))",
    "y-a",
    requires="sigmoid",
)

#: Lookup table from the name used in experiment files to the loss.
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (HALF_SQUARED_ERROR, BINARY_CROSS_ENTROPY)}
