"""The gradient of the loss two ways: from the backward pass and by finite differences.

The backward pass (:func:`glassnet.network.loss_gradient`) gives
``dL/dparam`` from the deltas; the central finite difference gives it from
loss values alone. Where the two agree, the derivative formulas are right.
:func:`check_step` checks the gradient a recorded step used: of its batch's
loss (the mean with ``reduction = "mean"``), before the l2 term, which is
added by its formula and is not part of the loss.
The explainer prints this record beside each worked step; it never computes it.

Relative difference of one parameter::

    |analytic - numeric| / max(|analytic|, |numeric|, floor)
    floor = FLOOR * max(1, the largest |analytic| of any parameter)

The floor keeps gradients too small for a finite difference to resolve
(saturated units, dead relus, an input that is always 0) from looking like
disagreements.

Every parameter is checked when that costs at most :data:`BUDGET`
(``n_params * n_samples * n_params`` multiply-adds, roughly); beyond, the
parameters the explainer shows first plus an evenly spaced sample, so a
check of a big network still takes a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.network import Network, Params, finite_difference_gradient, forward, loss_gradient
from glassnet.trace import Step
from glassnet.training import loss_value
from glassnet.types import Array, IntArray

#: Gradients smaller than this (relative to the largest) are compared in absolute terms.
FLOOR = 1e-5

#: The finite-difference step ``h``.
EPS = 1e-3

#: Work allowed for one check, in multiply-adds (see the module docstring).
BUDGET = 1e8

#: At least this many parameters are checked.
MIN_CHECKED = 64

#: Per layer, the first rows and columns of the weights always checked (those shown first).
SHOWN_FIRST = 3


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """The analytic and finite-difference gradients of the loss at one set of params.

    Attributes
    ----------
    analytic : Params
        ``dL/dW`` and ``dL/db`` from the backward pass, the shapes of the
        params (with the post's method, ``-update / learning_rate``).
    numeric : Params
        The same by the fourth-order central difference with step ``eps``;
        NaN for a parameter that was not checked.
    relative : Params
        ``|analytic - numeric| / max(|analytic|, |numeric|, floor)`` per
        parameter (see the module docstring); NaN where not checked.
    eps : float
        The finite-difference step ``h``.
    n_checked : int
        How many parameters were checked (all of them for small networks).
    max_relative : float
        The largest relative difference over the checked parameters.
    worst : (layer, "W" or "b", index)
        Where it is: the layer, whether a weight or a bias, and its index
        (``(i, j)`` for a weight, ``(j,)`` for a bias).
    """

    analytic: Params
    numeric: Params
    relative: Params
    eps: float
    n_checked: int
    max_relative: float
    worst: tuple[int, str, tuple[int, ...]]


def check_gradient(
    network: Network,
    params: Params,
    X: Array,
    y: Array,
    eps: float = EPS,
    budget: float = BUDGET,
    *,
    mean: bool = False,
    analytic: Params | None = None,
) -> GradientCheck:
    """Compare :func:`loss_gradient` with central finite differences at ``params``.

    Parameters
    ----------
    network : Network
    params : Params
        The weights (and biases) at which to take the gradient.
    X : (n_samples, n_in)
    y : (n_samples, n_out)
    eps : float
        Finite-difference step.
    budget : float
        Multiply-adds allowed; beyond, a sample of the parameters is checked.
    mean : bool
        The loss is the mean over the examples (``reduction = "mean"``): the
        finite differences are taken of that mean, and the default analytic
        gradient is divided by ``n_samples``.
    analytic : Params, optional
        The gradient to check (a recorded one); default :func:`loss_gradient`'s.
    """
    with np.errstate(all="ignore"):
        if analytic is None:
            analytic = loss_gradient(network, params, X, y)
            if mean:
                analytic = _scaled(analytic, 1.0 / len(y))
        a_flat = analytic.flat()
        n_params = a_flat.size
        chosen = _chosen(params, n_params, X.shape[0], budget)
        if chosen is None and not mean:
            n_flat = finite_difference_gradient(network, params, X, y, eps).flat()
        elif chosen is None:
            n_flat = finite_difference_at(network, params, X, y, np.arange(n_params), eps, mean)
        else:
            n_flat = np.full(n_params, np.nan)
            n_flat[chosen] = finite_difference_at(network, params, X, y, chosen, eps, mean)
        floor = max(FLOOR, FLOOR * float(np.max(np.abs(a_flat), initial=0.0)))
        if not np.isfinite(floor):
            floor = FLOOR
        scale = np.maximum(np.maximum(np.abs(a_flat), np.abs(n_flat)), floor)
        rel_flat = np.abs(a_flat - n_flat) / scale
    checked = (
        np.ones(n_params, dtype=bool) if chosen is None else np.isin(np.arange(n_params), chosen)
    )
    # a NaN or infinite gradient on a checked parameter is the worst disagreement there is
    rel_flat = np.where(checked & ~np.isfinite(rel_flat), np.inf, rel_flat)
    candidates = np.where(checked, rel_flat, -1.0)
    index = int(np.argmax(candidates)) if n_params else 0
    return GradientCheck(
        analytic,
        params.with_flat(n_flat),
        params.with_flat(rel_flat),
        eps,
        int(checked.sum()),
        float(candidates[index]) if n_params else 0.0,
        _locate(params, index),
    )


def check_step(network: Network, step: Step, eps: float = EPS) -> GradientCheck:
    """The check of the gradient a recorded step used, at the weights it started from.

    The step's examples (its batch), its loss (the mean over them with
    ``reduction = "mean"``) and its recorded ``dL/dW`` and ``dL/db`` (of a
    frozen bias, the one :func:`loss_gradient` gives). The l2 term
    ``l2 * w`` is not part of the loss: it is added by its formula, and what
    is checked is the gradient of the data's loss, before it.
    """
    mean = step.method.mean
    with np.errstate(all="ignore"):
        full = loss_gradient(network, step.before, step.X, step.y)
        if mean:
            full = _scaled(full, 1.0 / len(step.y))
    analytic = Params(
        tuple(
            w if ly.gradient is None else ly.gradient for w, ly in zip(full.weights, step.layers)
        ),
        tuple(
            b if ly.gradient_b is None else ly.gradient_b for b, ly in zip(full.biases, step.layers)
        ),
    )
    return check_gradient(network, step.before, step.X, step.y, eps, mean=mean, analytic=analytic)


def _scaled(params: Params, factor: float) -> Params:
    return Params(
        tuple(w * factor for w in params.weights),
        tuple(None if b is None else b * factor for b in params.biases),
    )


def finite_difference_at(
    network: Network,
    params: Params,
    X: Array,
    y: Array,
    indices: Array | IntArray,
    eps: float = EPS,
    mean: bool = False,
) -> Array:
    """The finite-difference gradient at some positions of :meth:`Params.flat` only.

    The same fourth-order stencil as
    :func:`glassnet.network.finite_difference_gradient` (the tests check that
    the two agree number for number),
    ``(L(p-2h) - 8 L(p-h) + 8 L(p+h) - L(p+2h)) / (12 h)``, of the loss summed
    over the examples, or of its mean with ``mean``.
    """
    base = params.flat()

    def loss_at(i: int, shift: float) -> float:
        vector = base.copy()
        vector[i] += shift
        _, acts = forward(network, params.with_flat(vector), X)
        return loss_value(network, y, acts[-1], mean)

    return np.array(
        [
            (
                loss_at(int(i), -2 * eps)
                - 8 * loss_at(int(i), -eps)
                + 8 * loss_at(int(i), eps)
                - loss_at(int(i), 2 * eps)
            )
            / (12 * eps)
            for i in indices
        ]
    )


def _chosen(params: Params, n_params: int, n_samples: int, budget: float) -> Array | None:
    """Positions to check, or ``None`` for all of them."""
    affordable = int(budget // max(1, n_params * max(n_samples, 1)))
    if affordable >= n_params:
        return None
    first: list[int] = []
    start = 0
    for w, b in zip(params.weights, params.biases):
        rows, cols = min(SHOWN_FIRST, w.shape[0]), min(SHOWN_FIRST, w.shape[1])
        first += [start + i * w.shape[1] + j for i in range(rows) for j in range(cols)]
        start += w.size
        if b is not None:
            first += [start + j for j in range(cols)]
            start += b.size
    spread = np.linspace(0, n_params - 1, max(affordable, MIN_CHECKED)).round().astype(int)
    return np.unique(np.concatenate([np.array(first, dtype=int), spread]))


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
