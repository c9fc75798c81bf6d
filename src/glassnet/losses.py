"""Loss functions: each one defined once, with its output delta and its formulas.

Sign convention (the post's and Trask's): the *delta* of a layer is the
negative gradient of the loss with respect to that layer's dot products,
``delta = -dL/dz``, shape ``(n_samples, n_out)``. Gradient descent then *adds*
``learning_rate * a_prev.T @ delta`` to the weights, which is the post's
``syn0 += np.dot(l0.T, l1_delta)``.

Every loss is a scaled sum of one term per example and output,
``L = scale * sum(term(y, a))``:

========================  ================================  =====  =================
name                      term(y, a)                        scale  delta = -dL/dz
========================  ================================  =====  =================
half_squared_error        (y - a)^2                         0.5    (y - a) * f'(a)
binary_cross_entropy      y ln(a) + (1 - y) ln(1 - a)       -1     y - a  (sigmoid)
categorical_cross_entropy y ln(a)                           -1     y - a  (softmax)
========================  ================================  =====  =================

With a softmax output and one-hot targets (each row sums to 1), the delta of
categorical cross-entropy is ``y - a``: ``dL/dz_j = sum_k (-y_k / a_k) *
a_k (1[j=k] - a_j) = -y_j + a_j sum_k y_k = a_j - y_j``.

The engines, the code generators, the explainer and the diagnosis read these
definitions; none of them compares a loss's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.activations import SIGMOID, SOFTMAX, Activation
from glassnet.types import Array

__all__ = ["LOSSES", "Loss", "loss"]


@dataclass(frozen=True, repr=False)
class Loss:
    """One loss function with its output delta, its formulas and its kernel source.

    Attributes
    ----------
    name : str
        The name used in experiment files.
    terms : callable
        ``terms(y, a)``: the summand of every example and output, shape of ``y``.
    scale : float
        ``L = scale * terms(y, a).sum()``.
    output_delta : callable
        ``output_delta(y, a, activation) -> delta``, ``-dL/dz`` at the output
        layer, shape ``(n_samples, n_out)``.
    formula, delta_formula : str
        The loss and its output delta as the explainer prints them.
    requires : Activation or None
        The only output activation this loss supports, if restricted.
    slope_cancels : bool
        The output activation's slope cancels out of the delta (cross-entropy
        of a sigmoid): ``delta = y - a``.
    bounded_targets : bool
        Targets outside the output activation's range leave the loss without
        a lower bound (cross-entropies), so they are refused even when the
        user allows unreachable targets.
    one_hot : bool
        Targets are one class per example: a single column of class numbers
        (0, 1, 2, ...) is one-hot encoded, and every row must sum to 1.
    why_infinite : callable
        ``why_infinite(y, a, activation, layer)``: for the diagnosis of a
        stopped run, why this loss of the output layer's outputs ``a`` (its
        activation's name and its index) is not finite, or ``None`` if it
        cannot tell.
    term_source : str
        One term as a numba-Python expression of ``{y}``, ``{a}`` and
        ``{e}`` (``= y - a``, already computed), same operations as ``terms``.
    delta_source : str
        The output delta as an expression of ``{y}``, ``{a}``, ``{e}`` and
        ``{grad}`` (the activation's slope at ``a``).
    printed_term : callable
        ``printed_term(y, a_text, e_text, y_text) -> str``: one term as the
        explainer writes it, with printed numbers (``y_text`` formats a target).
    printed_total : str
        The loss from the printed sum of terms ``{terms}``.
    slope : callable
        ``slope(y, a)``: ``d term / d a`` up to a constant factor, elementwise;
        how much the printed loss moves per unit of rounding in ``a``.
    """

    name: str
    terms: Callable[[Array, Array], Array]
    scale: float
    output_delta: Callable[[Array, Array, Activation], Array]
    formula: str
    delta_formula: str
    term_source: str
    delta_source: str
    printed_term: Callable[[float, str, str, Callable[[float], str]], str]
    printed_total: str
    slope: Callable[[Array, Array], Array]
    why_infinite: Callable[[Array, Array, str, int], str | None]
    requires: Activation | None = None
    slope_cancels: bool = False
    bounded_targets: bool = False
    one_hot: bool = False

    def __repr__(self) -> str:
        return f"loss({self.name!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # A definition is one object per name: pickle (and copy) it by name.
        return (loss, (self.name,))

    def fn(self, y: Array, a: Array) -> float:
        """The loss, summed over examples and outputs."""
        return float(self.scale * self.terms(y, a).sum())

    def kernel_term(self, y: str, a: str, e: str) -> str:
        """One term as source text for the compiled engines."""
        return "(" + self.term_source.format(y=y, a=a, e=e) + ")"

    def kernel_delta(self, y: str, a: str, e: str, grad: str) -> str:
        """The output delta as source text for the compiled engines."""
        return "(" + self.delta_source.format(y=y, a=a, e=e, grad=grad) + ")"

    def kernel_total(self, total: str) -> str:
        """The loss from the sum of terms ``total``, as source text."""
        return f"({self.scale!r} * {total})"

    def sensitivity(self, y: Array, a: Array) -> float:
        """How much the loss moves per unit of rounding in the printed ``a`` (for the printer).

        The sum over examples of ``|dterm/da|``, up to a constant factor.
        """
        with np.errstate(all="ignore"):
            return float(np.abs(self.slope(y, a)).sum())


# --------------------------------------------------------------------------- the definitions


def _squared_terms(y: Array, a: Array) -> Array:
    return (y - a) ** 2


def _squared_delta(y: Array, a: Array, activation: Activation) -> Array:
    return (y - a) * activation.grad(a)


def _largest(values: Array) -> str:
    finite = values[np.isfinite(values)]
    return f"{float(np.max(np.abs(finite))):.3g}" if finite.size else "not finite"


def _squared_infinite(y: Array, a: Array, activation: str, layer: int) -> str | None:
    return (
        f"the outputs of layer {layer} reached {_largest(a)}, and the square of the "
        "error (y - a)^2 overflows float64"
    )


def _squared_slope(y: Array, a: Array) -> Array:
    return y - a


def _printed_squared(y: float, a: str, e: str, y_text: Callable[[float], str]) -> str:
    return f"({e})^2"


HALF_SQUARED_ERROR = Loss(
    name="half_squared_error",
    terms=_squared_terms,
    scale=0.5,
    output_delta=_squared_delta,
    formula="0.5*sum((y-a)^2)",
    delta_formula="(y-a)*f'(a)",
    term_source="{e} * {e}",
    delta_source="{e} * {grad}",
    printed_term=_printed_squared,
    printed_total=".5 * ({terms})",
    slope=_squared_slope,
    why_infinite=_squared_infinite,
)


def _cross_entropy_terms(y: Array, a: Array) -> Array:
    # y*ln(a) is taken as 0 where y == 0 (its limit), so that a target of 0
    # with a prediction of exactly 0 costs nothing rather than giving NaN.
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(y > 0.0, y * np.log(a), 0.0)
        neg = np.where(y < 1.0, (1.0 - y) * np.log(1.0 - a), 0.0)
    return pos + neg


def _cross_entropy_delta(y: Array, a: Array, activation: Activation) -> Array:
    return y - a


def _cross_entropy_infinite(y: Array, a: Array, activation: str, layer: int) -> str | None:
    bad = np.argwhere(((a == 0.0) & (y > 0.0)) | ((a == 1.0) & (y < 1.0)))
    if not bad.size:
        return None
    i, j = (int(v) for v in bad[0])
    term = "ln(a)" if a[i, j] == 0.0 else "ln(1 - a)"
    return (
        f"the {activation} output of layer {layer} saturated: example {i + 1} gives exactly "
        f"{a[i, j]:g} while its target is {y[i, j]:g}, so {term} = ln(0) = -inf and binary "
        "cross-entropy is infinite"
    )


def _cross_entropy_slope(y: Array, a: Array) -> Array:
    return 1.0 / np.minimum(a, 1.0 - a)


def _printed_cross_entropy(y: float, a: str, e: str, y_text: Callable[[float], str]) -> str:
    if y == 1.0:
        return f"ln({a})"
    if y == 0.0:
        return f"ln(1 - {a})"
    return f"({y_text(y)} * ln({a}) + {y_text(1.0 - y)} * ln(1 - {a}))"


BINARY_CROSS_ENTROPY = Loss(
    name="binary_cross_entropy",
    terms=_cross_entropy_terms,
    scale=-1.0,
    output_delta=_cross_entropy_delta,
    formula="-sum(y*ln(a)+(1-y)*ln(1-a))",
    delta_formula="y-a",
    term_source=(
        "({y} * math.log({a}) if {y} > 0.0 else 0.0)"
        " + ((1.0 - {y}) * math.log(1.0 - {a}) if {y} < 1.0 else 0.0)"
    ),
    delta_source="{e}",
    printed_term=_printed_cross_entropy,
    printed_total="-({terms})",
    slope=_cross_entropy_slope,
    why_infinite=_cross_entropy_infinite,
    requires=SIGMOID,
    slope_cancels=True,
    bounded_targets=True,
)


def _categorical_terms(y: Array, a: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0.0, y * np.log(a), 0.0)


def _categorical_infinite(y: Array, a: Array, activation: str, layer: int) -> str | None:
    bad = np.argwhere((a == 0.0) & (y > 0.0))
    if not bad.size:
        return None
    i, j = (int(v) for v in bad[0])
    return (
        f"the {activation} output {j + 1} of layer {layer} underflowed to exactly 0 for example "
        f"{i + 1}, whose target there is {y[i, j]:g}, so ln(a) = ln(0) = -inf and categorical "
        "cross-entropy is infinite"
    )


def _printed_categorical(y: float, a: str, e: str, y_text: Callable[[float], str]) -> str:
    if y == 0.0:
        return ""  # a term of 0: the explainer leaves it out
    if y == 1.0:
        return f"ln({a})"
    return f"{y_text(y)} * ln({a})"


def _categorical_slope(y: Array, a: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0.0, y / a, 0.0)


CATEGORICAL_CROSS_ENTROPY = Loss(
    name="categorical_cross_entropy",
    terms=_categorical_terms,
    scale=-1.0,
    output_delta=_cross_entropy_delta,
    formula="-sum(y*ln(a))",
    delta_formula="y-a",
    term_source="({y} * math.log({a}) if {y} > 0.0 else 0.0)",
    delta_source="{e}",
    printed_term=_printed_categorical,
    printed_total="-({terms})",
    slope=_categorical_slope,
    why_infinite=_categorical_infinite,
    requires=SOFTMAX,
    slope_cancels=True,
    bounded_targets=True,
    one_hot=True,
)

#: Every loss, by the name used in experiment files. The order is fixed: the
#: compiled engines number losses by their position here.
LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (HALF_SQUARED_ERROR, BINARY_CROSS_ENTROPY, CATEGORICAL_CROSS_ENTROPY)
}


def loss(name: str) -> Loss:
    """The loss called ``name``; raises ``KeyError`` naming the known ones."""
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
