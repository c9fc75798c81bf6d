"""Activation functions, each kept with its derivative and its formula.

An activation maps a layer's dot products ``z`` (shape ``(n_samples, n_out)``)
to its outputs ``a = f(z)``. Its derivative is written *in terms of the output*
``a``, the way the tutorials write it (``a * (1 - a)`` for the sigmoid), which
is also what backpropagation has at hand.

=========  ======================  ===============  ==============
name       f(z)                    f'(z) from a     range of a
=========  ======================  ===============  ==============
sigmoid    1 / (1 + e^-z)          a * (1 - a)      (0, 1)
tanh       tanh(z)                 1 - a^2          (-1, 1)
relu       max(0, z)               1 if a > 0 else 0 [0, inf)
linear     z                       1                (-inf, inf)
=========  ======================  ===============  ==============
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Activation:
    """One activation function with everything the engine and explainer need.

    Attributes
    ----------
    name : str
        The name used in experiment files (``"sigmoid"``).
    fn : callable
        ``a = fn(z)``, elementwise.
    grad : callable
        ``f'(z)`` computed from the output ``a`` (not from ``z``), elementwise.
    formula : str
        The formula of ``f`` in terms of ``z``, as the explainer prints it.
    grad_formula : str
        The formula of the derivative in terms of ``a``.
    low, high : float
        The range of outputs the function can produce (open or closed as
        stated by ``closed``); used to reject targets a network cannot reach.
    closed : tuple of bool
        Whether ``low`` and ``high`` themselves can be produced.
    """

    name: str
    fn: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    formula: str
    grad_formula: str
    low: float
    high: float
    closed: tuple[bool, bool]

    def can_produce(self, value: float) -> bool:
        """Whether some finite ``z`` gives ``f(z) == value``."""
        lo_ok = value > self.low or (self.closed[0] and value == self.low)
        hi_ok = value < self.high or (self.closed[1] and value == self.high)
        return lo_ok and hi_ok


def _sigmoid(z: Array) -> Array:
    # Written exactly as the seed's notebook and Trask's examples write it, so
    # that their numbers reproduce bit for bit.
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_grad(a: Array) -> Array:
    return a * (1.0 - a)


def _tanh_grad(a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_grad(a: Array) -> Array:
    return (a > 0.0).astype(np.float64)


def _linear(z: Array) -> Array:
    return z.copy()


def _linear_grad(a: Array) -> Array:
    return np.ones_like(a)


SIGMOID = Activation(
    "sigmoid", _sigmoid, _sigmoid_grad, "1/(1+e^-z)", "a*(1-a)", 0.0, 1.0, (False, False)
)
TANH = Activation("tanh", np.tanh, _tanh_grad, "tanh(z)", "1-a^2", -1.0, 1.0, (False, False))
RELU = Activation(
    "relu", _relu, _relu_grad, "max(0,z)", "1 if a>0 else 0", 0.0, np.inf, (True, False)
)
LINEAR = Activation("linear", _linear, _linear_grad, "z", "1", -np.inf, np.inf, (False, False))

#: Lookup table from the name used in experiment files to the activation.
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LINEAR)}
