"""Activation functions: each one defined once, with everything that differs between them.

An activation maps a layer's dot products ``z`` (shape ``(n_samples, n_out)``)
to its outputs ``a = f(z)``. Its derivative is written *in terms of the output*
``a``, the way the tutorials write it (``a * (1 - a)`` for the sigmoid), which
is also what backpropagation has at hand.

==========  =========================  ======================  ===============
name        f(z)                       f'(z), from a           range of a
==========  =========================  ======================  ===============
sigmoid     1 / (1 + e^-z)             a * (1 - a)             (0, 1)
tanh        tanh(z)                    1 - a^2                 (-1, 1)
relu        max(0, z)                  1 if a > 0 else 0       [0, inf)
leaky_relu  z if z > 0 else 0.01 z     1 if a > 0 else 0.01    (-inf, inf)
softplus    ln(1 + e^z)                1 - e^-a  (= sigmoid z) (0, inf)
linear      z                          1                       (-inf, inf)
softmax     e^z_j / sum_k e^z_k        (a whole row; output    (0, 1), rows
            (per row)                  only, with categorical  sum to 1
                                       cross-entropy)
==========  =========================  ======================  ===============

Every part of glassnet that needs to know something about an activation reads
it from its :class:`Activation` here (the numpy reference, the code generators
of the compiled engines, the explainer, the diagnosis); none of them compares
an activation's name. Adding one is adding one definition to :data:`ACTIVATIONS`
(and its tests).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.types import Array

__all__ = ["ACTIVATIONS", "Activation", "Array", "activation"]


@dataclass(frozen=True, repr=False)
class Activation:
    """One activation function with everything the engines and the explainer need.

    Attributes
    ----------
    name : str
        The name used in experiment files (``"sigmoid"``).
    fn : callable
        ``a = fn(z)``, elementwise, numpy. This is the reference arithmetic.
    grad : callable
        ``f'(z)`` computed from the output ``a`` (not from ``z``), elementwise.
    formula : str
        ``f`` in terms of ``z``, as the explainer prints it (``1/(1+e^-z)``).
    grad_formula : str
        The derivative in terms of ``a`` (``a*(1-a)``).
    low, high : float
        The range of outputs the function can produce, open or closed at each
        end as ``closed`` says; used to reject targets a network cannot reach.
    closed : tuple of bool
        Whether ``low`` and ``high`` themselves are values of ``f``.
    source : str
        ``f(z)`` as a numba-Python expression of ``{z}``, for the code
        generators of the compiled engines; ``{exp}`` names the exponential to
        call (``math.exp``, or a vectorizable one in the batched kernels). It
        must compute the numbers of ``fn`` (same operations, same order).
    grad_source : str
        ``f'`` as a numba-Python expression of the output ``{a}``.
    printed : str
        ``f(z)`` as the explainer writes it with a number for ``{z}``
        (``1/(1+e^-({z}))``); every printed line is checked by evaluating it,
        so it uses only the notation :mod:`glassnet.explain.numbers` reads.
    grad_printed : str
        ``f'(a)`` as the explainer writes it with a number for ``{a}``.
    printed_large, large_above : str or None, float
        Another way to write ``f(z)`` for ``z > large_above``, where the
        plain one cannot be evaluated in float64 (``e^800`` overflows).
    kink : bool
        ``f`` has a corner at ``z = 0`` (relu): a finite difference that
        straddles it averages two slopes, and ``a > 0`` must read true as
        printed.
    probability : bool
        Its outputs read as the probability of class 1 (the sigmoid).
    rowwise : bool
        Each output depends on the whole row of dot products (softmax): allowed
        on the output layer only, with a loss whose delta does not need its
        slope (categorical cross-entropy); ``grad`` is not elementwise there.
        Its ``source`` is then the numerator of ``z`` given the row's largest
        ``{max}``, and an output is its numerator divided by the row's sum of
        numerators.
    """

    name: str
    fn: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    formula: str
    grad_formula: str
    low: float
    high: float
    closed: tuple[bool, bool]
    source: str
    grad_source: str
    printed: str
    grad_printed: str
    printed_large: str | None = None
    large_above: float = math.inf
    kink: bool = False
    probability: bool = False
    rowwise: bool = False

    def __repr__(self) -> str:
        return f"activation({self.name!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # A definition is one object per name: pickle (and copy) it by name.
        return (activation, (self.name,))

    def can_produce(self, value: float) -> bool:
        """Whether some finite ``z`` gives ``f(z) == value``."""
        lo_ok = value > self.low or (self.closed[0] and value == self.low)
        hi_ok = value < self.high or (self.closed[1] and value == self.high)
        return lo_ok and hi_ok

    @property
    def saturation_ends(self) -> tuple[float, ...]:
        """The finite ends ``f`` only approaches, where float64 rounding can land exactly.

        There the derivative is exactly 0 (a sigmoid output of exactly 1.0
        has ``a*(1-a) == 0``) and no gradient flows through the unit: it has
        *saturated*. Empty for unbounded or closed-range activations, and for
        a row-wise one (softmax), whose loss's delta ``y - a`` does not vanish.
        """
        if self.rowwise:
            return ()
        ends = []
        if math.isfinite(self.low) and not self.closed[0]:
            ends.append(self.low)
        if math.isfinite(self.high) and not self.closed[1]:
            ends.append(self.high)
        return tuple(ends)

    @property
    def bounded(self) -> bool:
        """Both ends of the range are finite (sigmoid, tanh)."""
        return math.isfinite(self.low) and math.isfinite(self.high)

    def range_text(self) -> str:
        """The range in interval notation: ``(0, 1)``, ``[0, inf)``."""
        return (
            ("[" if self.closed[0] else "(")
            + f"{self.low:g}, {self.high:g}"
            + ("]" if self.closed[1] else ")")
        )

    def gap_to_range_end(self, a: Array) -> Array:
        """How far each output is from the nearest saturation end (``inf`` where none)."""
        gap = np.full_like(a, np.inf)
        for end in self.saturation_ends:
            gap = np.minimum(gap, np.abs(a - end))
        return gap

    def kernel(self, z: str, exp: str = "math.exp", max: str = "0.0") -> str:
        """``f(z)`` as source text for the compiled engines (a row-wise one's numerator,
        given the row's largest dot product ``max``)."""
        return "(" + self.source.format(z=z, exp=exp, max=max) + ")"

    def kernel_grad(self, a: str) -> str:
        """``f'`` at the output ``a`` as source text for the compiled engines."""
        return "(" + self.grad_source.format(a=a) + ")"


# --------------------------------------------------------------------------- the definitions
# Each numpy function is written exactly as the post's notebook and Trask's
# examples write it (the sigmoid as 1 / (1 + np.exp(-z))) so that their
# numbers reproduce bit for bit; each `source` does the same operations.


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_grad(a: Array) -> Array:
    return a * (1.0 - a)


SIGMOID = Activation(
    name="sigmoid",
    fn=_sigmoid,
    grad=_sigmoid_grad,
    formula="1/(1+e^-z)",
    grad_formula="a*(1-a)",
    low=0.0,
    high=1.0,
    closed=(False, False),
    source="1.0 / (1.0 + {exp}(-{z}))",
    grad_source="{a} * (1.0 - {a})",
    printed="1/(1+e^-({z}))",
    grad_printed="{a} * (1 - {a})",
    probability=True,
)


def _tanh_grad(a: Array) -> Array:
    return 1.0 - a * a


TANH = Activation(
    name="tanh",
    fn=np.tanh,
    grad=_tanh_grad,
    formula="tanh(z)",
    grad_formula="1-a^2",
    low=-1.0,
    high=1.0,
    closed=(False, False),
    source="math.tanh({z})",
    grad_source="1.0 - {a} * {a}",
    printed="tanh({z})",
    grad_printed="1 - {a}^2",
)


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_grad(a: Array) -> Array:
    return (a > 0.0).astype(np.float64)


RELU = Activation(
    name="relu",
    fn=_relu,
    grad=_relu_grad,
    formula="max(0,z)",
    grad_formula="1 if a>0 else 0",
    low=0.0,
    high=np.inf,
    closed=(True, False),
    # NaN stays NaN, like np.maximum (a NaN compares false)
    source="0.0 if {z} < 0.0 else {z}",
    grad_source="1.0 if {a} > 0.0 else 0.0",
    printed="max(0, {z})",
    grad_printed="1 if {a} > 0 else 0",
    kink=True,
)

#: The slope of the leaky relu below zero.
LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array) -> Array:
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_relu_grad(a: Array) -> Array:
    # a and z have the same sign, so the slope can be read off the output;
    # at 0 it is the slope below (torch's choice too).
    return np.where(a > 0.0, 1.0, LEAKY_SLOPE)


LEAKY_RELU = Activation(
    name="leaky_relu",
    fn=_leaky_relu,
    grad=_leaky_relu_grad,
    formula="z if z>0 else 0.01*z",
    grad_formula="1 if a>0 else 0.01",
    low=-np.inf,
    high=np.inf,
    closed=(False, False),
    source=f"{{z}} if {{z}} > 0.0 else {LEAKY_SLOPE!r} * {{z}}",
    grad_source=f"1.0 if {{a}} > 0.0 else {LEAKY_SLOPE!r}",
    printed="max(.01 * {z}, {z})",
    grad_printed="1 if {a} > 0 else .01",
    kink=True,
)


def _softplus(z: Array) -> Array:
    # ln(1 + e^z) without overflow: numpy's logaddexp(0, z) computes
    # z + ln(1 + e^-z) for z > 0 and ln(1 + e^z) otherwise.
    return np.logaddexp(0.0, z)


def _softplus_grad(a: Array) -> Array:
    # f'(z) = sigmoid(z) = 1 - e^-a, since e^a = 1 + e^z; expm1 keeps the
    # digits of small a (a tiny softplus output has slope ~ a).
    return -np.expm1(-a)


SOFTPLUS = Activation(
    name="softplus",
    fn=_softplus,
    grad=_softplus_grad,
    formula="ln(1+e^z)",
    grad_formula="1-e^-a (the sigmoid of z)",
    low=0.0,
    high=np.inf,
    closed=(False, False),
    # numpy's logaddexp(0, z), operation for operation (the C library's exp and log1p)
    source="{z} + math.log1p({exp}(-{z})) if {z} > 0.0 else math.log1p({exp}({z}))",
    grad_source="-math.expm1(-{a})",
    printed="ln(1+e^({z}))",
    grad_printed="1 - e^-({a})",
    printed_large="{z} + ln(1+e^-({z}))",
    large_above=700.0,
)


def _linear(z: Array) -> Array:
    return z.copy()


def _linear_grad(a: Array) -> Array:
    return np.ones_like(a)


LINEAR = Activation(
    name="linear",
    fn=_linear,
    grad=_linear_grad,
    formula="z",
    grad_formula="1",
    low=-np.inf,
    high=np.inf,
    closed=(False, False),
    source="{z}",
    grad_source="1.0",
    printed="{z}",
    grad_printed="1",
)


def _softmax(z: Array) -> Array:
    # shifted by each row's largest dot product: the same values, no overflow
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_grad(a: Array) -> Array:
    raise ValueError(
        "softmax has no elementwise derivative; it is used on the output layer only, with "
        "categorical_cross_entropy, whose delta y - a needs none"
    )


SOFTMAX = Activation(
    name="softmax",
    fn=_softmax,
    grad=_softmax_grad,
    formula="e^z_j / sum_k e^z_k",
    grad_formula="(not elementwise: da_j/dz_k = a_j * (1[j=k] - a_k))",
    low=0.0,
    high=1.0,
    closed=(False, False),
    source="{exp}({z} - {max})",
    grad_source="0.0",
    printed="e^({z} - {max}) / {sum}",
    grad_printed="",
    probability=True,
    rowwise=True,
)

#: Every activation, by the name used in experiment files. The order is
#: fixed: the compiled engines number activations by their position here.
ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (SIGMOID, TANH, RELU, LINEAR, LEAKY_RELU, SOFTPLUS, SOFTMAX)
}


def activation(name: str) -> Activation:
    """The activation called ``name``; raises ``KeyError`` naming the known ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None
