"""The gradient of the loss two ways: from the backward pass and by finite differences.

The backward pass (:func:`glassnet.network.loss_gradient`) gives
``dL/dparam`` from the deltas; the central finite difference
(:func:`glassnet.network.finite_difference_gradient`) gives it from loss
values alone. Where the two agree, the derivative formulas are right. The
explainer prints this record beside each worked step; it never computes it.

Relative difference of one parameter::

    |analytic - numeric| / max(|analytic|, |numeric|, floor)
    floor = FLOOR * max(1, the largest |analytic| of any parameter)

The floor keeps gradients too small for a finite difference to resolve
(saturated units, dead relus, an input that is always 0) from looking like
disagreements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.activations import Array
from glassnet.network import Network, Params, finite_difference_gradient, loss_gradient
from glassnet.trace import Step

#: Gradients smaller than this are compared in absolute, not relative, terms.
FLOOR = 1e-6

#: The finite-difference step ``h``.
EPS = 1e-3


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """The analytic and finite-difference gradients of the loss at one set of params.

    Attributes
    ----------
    analytic : Params
        ``dL/dW`` and ``dL/db`` from the backward pass, the shapes of the
        params (``-update / learning_rate``).
    numeric : Params
        The same by the fourth-order central difference with step ``eps``.
    relative : Params
        ``|analytic - numeric| / max(|analytic|, |numeric|, floor)`` per parameter
        (see the module docstring for ``floor``).
    eps : float
        The finite-difference step ``h``.
    max_relative : float
        The largest relative difference over every parameter.
    worst : (layer, "W" or "b", index)
        Where it is: the layer, whether a weight or a bias, and its index
        (``(i, j)`` for a weight, ``(j,)`` for a bias).
    """

    analytic: Params
    numeric: Params
    relative: Params
    eps: float
    max_relative: float
    worst: tuple[int, str, tuple[int, ...]]


def check_gradient(network: Network, params: Params, X: Array, y: Array, eps: float = EPS
                   ) -> GradientCheck:
    """Compare :func:`loss_gradient` with :func:`finite_difference_gradient` at ``params``.

    Parameters
    ----------
    network : Network
    params : Params
        The weights (and biases) at which to take the gradient.
    X : (n_samples, n_in)
    y : (n_samples, n_out)
    eps : float
        Finite-difference step.
    """
    with np.errstate(all="ignore"):
        analytic = loss_gradient(network, params, X, y)
        numeric = finite_difference_gradient(network, params, X, y, eps)
    # loss_gradient returns None for absent biases; compare on the same layout.
    a_flat, n_flat = analytic.flat(), numeric.flat()
    with np.errstate(all="ignore"):
        floor = max(FLOOR, FLOOR * float(np.max(np.abs(a_flat), initial=0.0)))
    if not np.isfinite(floor):
        floor = FLOOR
    scale = np.maximum(np.maximum(np.abs(a_flat), np.abs(n_flat)), floor)
    with np.errstate(all="ignore"):
        rel_flat = np.abs(a_flat - n_flat) / scale
    rel_flat = np.where(np.isnan(rel_flat), np.inf, rel_flat)
    relative = analytic.with_flat(rel_flat)
    index = int(np.argmax(rel_flat)) if rel_flat.size else 0
    return GradientCheck(analytic, numeric, relative, eps,
                         float(rel_flat.max()) if rel_flat.size else 0.0,
                         _locate(analytic, index))


def check_step(network: Network, step: Step, eps: float = EPS) -> GradientCheck:
    """The check at the weights a recorded step started from (``step.before``)."""
    return check_gradient(network, step.before, step.X, step.y, eps)


def _locate(params: Params, flat_index: int) -> tuple[int, str, tuple[int, ...]]:
    """Which layer, kind and index a position of :meth:`Params.flat` belongs to."""
    start = 0
    for layer, (w, b) in enumerate(zip(params.weights, params.biases)):
        if flat_index < start + w.size:
            i, j = np.unravel_index(flat_index - start, w.shape)
            return layer, "W", (int(i), int(j))
        start += w.size
        if b is not None:
            if flat_index < start + b.size:
                return layer, "b", (flat_index - start,)
            start += b.size
    return 0, "W", (0, 0)
