"""The network and its reference arithmetic: initialization, forward, backward, update.

This module is the specification. Everything faster (the compiled kernel,
batched sweeps) is tested against it number for number, and every traced step
the explainer prints is computed by these functions.

Notation (used throughout glassnet)
-----------------------------------
``X``          inputs, shape ``(n_samples, n_in)``; ``a[0] = X``
``y``          targets, shape ``(n_samples, n_out_last)``
``W[l]``       weights of layer ``l``, shape ``(n_in, n_out)``
``b[l]``       bias of layer ``l``, shape ``(n_out,)``, or ``None``
``z[l]``       dot products ``a[l] @ W[l] + b[l]``, shape ``(n_samples, n_out)``
``a[l+1]``     activations ``f_l(z[l])``
``delta[l]``   ``-dL/dz[l]``: the output layer's from the loss, hidden layers'
               back-propagated, ``delta[l] = (delta[l+1] @ W[l+1].T) * f_l'(a[l+1])``
``dW[l]``      the update ``learning_rate * a[l].T @ delta[l]`` *added* to ``W[l]``
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.activations import Activation
from glassnet.losses import Loss
from glassnet.types import Array


@dataclass(frozen=True)
class Network:
    """The architecture: layer sizes, one activation and one bias flag per layer.

    ``sizes = (3, 1)`` is the post's network (3 inputs, 1 output, no hidden
    layer); ``(3, 4, 1)`` has a hidden layer of 4 units. There are
    ``len(sizes) - 1`` weight layers.
    """

    sizes: tuple[int, ...]
    activations: tuple[Activation, ...]
    bias: tuple[bool, ...]
    loss: Loss

    @property
    def n_layers(self) -> int:
        """Number of weight layers."""
        return len(self.sizes) - 1

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """``(n_in, n_out)`` of each weight matrix."""
        return list(zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def n_params(self) -> int:
        """Number of weights and biases."""
        return sum(i * o + (o if has_b else 0) for (i, o), has_b in zip(self.shapes, self.bias))


@dataclass(frozen=True, eq=False)
class Params:
    """Weights and biases of every layer (float64 arrays; ``None`` for no bias)."""

    weights: tuple[Array, ...]
    biases: tuple[Array | None, ...]

    def copy(self) -> Params:
        """A deep copy."""
        return Params(
            tuple(w.copy() for w in self.weights),
            tuple(None if b is None else b.copy() for b in self.biases),
        )

    def flat(self) -> Array:
        """All weights then all biases of each layer, layer by layer, as one vector."""
        parts: list[Array] = []
        for w, b in zip(self.weights, self.biases):
            parts.append(w.ravel())
            if b is not None:
                parts.append(b.ravel())
        return np.concatenate(parts) if parts else np.zeros(0)

    def with_flat(self, vector: Array) -> Params:
        """A copy whose values are taken from ``vector`` (the layout of :meth:`flat`)."""
        out_w: list[Array] = []
        out_b: list[Array | None] = []
        i = 0
        for w, b in zip(self.weights, self.biases):
            out_w.append(vector[i : i + w.size].reshape(w.shape).copy())
            i += w.size
            if b is None:
                out_b.append(None)
            else:
                out_b.append(vector[i : i + b.size].reshape(b.shape).copy())
                i += b.size
        return Params(tuple(out_w), tuple(out_b))


def allowed_hidden(activation: Activation) -> bool:
    """Whether ``activation`` may be used on a hidden layer (a row-wise one may not)."""
    return not activation.rowwise


def allowed_output(activation: Activation, loss: Loss) -> bool:
    """Whether ``activation`` may be the output layer's with ``loss``.

    A loss that needs a particular output (cross-entropies: a sigmoid, a
    softmax) gets only that one, and a row-wise output (softmax) only the loss
    whose delta cancels its slope.
    """
    if loss.requires is not None and activation is not loss.requires:
        return False
    return not activation.rowwise or loss.requires is activation


def parameter_names(network: Network) -> tuple[str, ...]:
    """``W0[0,0], W0[0,1], ..., b0[0], W1[0,0], ...``: the order of :meth:`Params.flat`.

    Layers are numbered from 0, like ``params.weights[0]`` and the JSON lists
    (``W0`` holds the weights into the explainer's "Layer 1"); ``W0[i,j]`` is
    the weight from input ``i`` to unit ``j``.
    """
    names: list[str] = []
    for layer, ((n_in, n_out), has_b) in enumerate(zip(network.shapes, network.bias)):
        names += [f"W{layer}[{i},{j}]" for i in range(n_in) for j in range(n_out)]
        if has_b:
            names += [f"b{layer}[{j}]" for j in range(n_out)]
    return tuple(names)


def init_params(network: Network, seed: int) -> Params:
    """Draw initial weights the way the post's notebook and Trask's examples do.

    ``rng = numpy.random.RandomState(seed)``; for each layer, first layer first,
    ``W = 2 * rng.random_sample((n_in, n_out)) - 1`` (uniform on [-1, 1)).
    Biases, where a layer has them, start at 0 and take no draws, so adding a
    bias never changes the weights a seed gives.
    """
    rng = np.random.RandomState(seed)
    weights = tuple(2 * rng.random_sample(shape) - 1 for shape in network.shapes)
    biases = tuple(
        np.zeros(n_out) if has_b else None
        for (_, n_out), has_b in zip(network.shapes, network.bias)
    )
    return Params(weights, biases)


def forward(network: Network, params: Params, X: Array) -> tuple[list[Array], list[Array]]:
    """Forward pass.

    Returns
    -------
    zs : list of arrays
        ``zs[l] = a[l] @ W[l] (+ b[l])``, shape ``(n_samples, n_out_l)``.
    activations : list of arrays
        ``activations[0] = X`` and ``activations[l+1] = f_l(zs[l])``; the last
        one is the prediction.
    """
    activations = [X]
    zs = []
    for act, w, b in zip(network.activations, params.weights, params.biases):
        z = activations[-1] @ w
        if b is not None:
            z = z + b
        zs.append(z)
        activations.append(act.fn(z))
    return zs, activations


def backward(
    network: Network, params: Params, activations: list[Array], y: Array
) -> tuple[list[Array], list[Array]]:
    """Deltas of every layer, output first computed, returned in layer order.

    Returns
    -------
    errors : list of arrays
        The error each layer's delta is built from: ``y - a`` at the output,
        ``delta[l+1] @ W[l+1].T`` (the error back-propagated through the
        outgoing weights) for hidden layers. Shape ``(n_samples, n_out_l)``.
    deltas : list of arrays
        ``delta[l] = -dL/dz[l]``, shape ``(n_samples, n_out_l)``.
    """
    n = network.n_layers
    errors: list[Array] = [np.empty(0)] * n
    deltas: list[Array] = [np.empty(0)] * n
    out = activations[-1]
    errors[-1] = y - out
    deltas[-1] = network.loss.output_delta(y, out, network.activations[-1])
    for layer in range(n - 2, -1, -1):
        errors[layer] = deltas[layer + 1] @ params.weights[layer + 1].T
        deltas[layer] = errors[layer] * network.activations[layer].grad(activations[layer + 1])
    return errors, deltas


def updates(
    params: Params,
    activations: list[Array],
    deltas: list[Array],
    learning_rate: float,
    train_biases: bool,
) -> tuple[list[Array], list[Array | None]]:
    """The gradient-descent update of every layer (to be *added* to the params).

    ``dW[l] = learning_rate * (a[l].T @ delta[l])``, shape ``(n_in, n_out)``;
    ``db[l] = learning_rate * delta[l].sum(axis=0)``, shape ``(n_out,)``, or
    ``None`` where the layer has no bias or biases are not trained.
    """
    dws = [learning_rate * (a.T @ d) for a, d in zip(activations[:-1], deltas)]
    dbs: list[Array | None] = [
        None if (b is None or not train_biases) else learning_rate * d.sum(axis=0)
        for b, d in zip(params.biases, deltas)
    ]
    return dws, dbs


def gradients(
    params: Params, activations: list[Array], deltas: list[Array], train_biases: bool
) -> tuple[list[Array], list[Array | None]]:
    """The gradient of the loss (summed over the examples given) for every layer.

    ``dL/dW[l] = -(a[l].T @ delta[l])``, shape ``(n_in, n_out)``;
    ``dL/db[l] = -delta[l].sum(axis=0)``, shape ``(n_out,)``, or ``None``
    where the layer has no bias or biases are not trained. (A delta is
    ``-dL/dz``, hence the signs.)
    """
    gws = [-(a.T @ d) for a, d in zip(activations[:-1], deltas)]
    gbs: list[Array | None] = [
        None if (b is None or not train_biases) else -d.sum(axis=0)
        for b, d in zip(params.biases, deltas)
    ]
    return gws, gbs


def apply(params: Params, dws: list[Array], dbs: list[Array | None]) -> Params:
    """New params: ``W + dW`` and ``b + db`` (``b`` unchanged where ``db`` is ``None``)."""
    return Params(
        tuple(w + dw for w, dw in zip(params.weights, dws)),
        tuple(b if db is None or b is None else b + db for b, db in zip(params.biases, dbs)),
    )


def error_sum(y: Array, prediction: Array) -> float:
    """The post's error figure: ``sum(|y - prediction|)`` over examples and outputs."""
    return float(np.abs(y - prediction).sum())


def loss_gradient(network: Network, params: Params, X: Array, y: Array) -> Params:
    """The analytic gradient ``dL/dparam`` (note: the *negative* of the update direction).

    Returned as a :class:`Params` of the same shapes; bias entries are ``None``
    where a layer has no bias.
    """
    _, activations = forward(network, params, X)
    _, deltas = backward(network, params, activations, y)
    dws, dbs = updates(params, activations, deltas, 1.0, train_biases=True)
    return Params(tuple(-dw for dw in dws), tuple(None if db is None else -db for db in dbs))


def finite_difference_gradient(
    network: Network, params: Params, X: Array, y: Array, eps: float = 1e-3
) -> Params:
    """The loss gradient by central finite differences, from loss values alone.

    Uses the fourth-order central stencil

    ``dL/dp ~ (L(p-2h) - 8 L(p-h) + 8 L(p+h) - L(p+2h)) / (12 h)``

    whose truncation error is O(h^4) (about 1e-12 at the default ``h = 1e-3``)
    and whose rounding error is about ``1e-16 * L / h``, so it checks the
    analytic gradient to about 1e-9 relative. It uses only the forward pass
    and the loss value, never the derivative formulas, so it is an
    independent check of :func:`loss_gradient`.
    """
    base = params.flat()
    grad = np.empty_like(base)

    def loss_at(i: int, shift: float) -> float:
        vector = base.copy()
        vector[i] += shift
        _, acts = forward(network, params.with_flat(vector), X)
        return network.loss.fn(y, acts[-1])

    for i in range(base.size):
        grad[i] = (
            loss_at(i, -2 * eps) - 8 * loss_at(i, -eps) + 8 * loss_at(i, eps) - loss_at(i, 2 * eps)
        ) / (12 * eps)
    return params.with_flat(grad)
