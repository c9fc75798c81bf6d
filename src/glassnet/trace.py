"""One traced training step: every number of one iteration, recorded for the renderers.

:func:`trace_step` computes iteration ``#k`` from the weights after ``k``
updates with the reference arithmetic of :mod:`glassnet.network` and keeps
every intermediate value. It is the worked example that the explainer, the
JSON output and the report print; none of them recompute anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.activations import Array
from glassnet.network import Network, Params, apply, backward, error_sum, forward, updates


@dataclass(frozen=True, eq=False)
class LayerStep:
    """Every number of one weight layer in one step.

    Shapes use ``n`` for ``n_samples``.

    Attributes
    ----------
    index : int
        Layer number, 0 for the layer that reads the inputs.
    activation : str
        Name of the layer's activation.
    inputs : (n, n_in)
        ``a[l]``, what the layer reads (``X`` for layer 0).
    W, b : (n_in, n_out), (n_out,) or None
        Weights and bias before the update.
    z : (n, n_out)
        Dot products ``inputs @ W + b``.
    a : (n, n_out)
        Activations ``f(z)``.
    derivative : (n, n_out)
        ``f'(z)``, computed from ``a`` (``a*(1-a)`` for the sigmoid).
    error : (n, n_out)
        What the delta is built from: ``y - a`` at the output layer;
        ``delta[l+1] @ W[l+1].T`` for a hidden layer.
    delta : (n, n_out)
        ``-dL/dz``.
    contributions : (n, n_in, n_out)
        ``learning_rate * inputs[s, i] * delta[s, j]``: example ``s``'s share of
        the update of ``W[i, j]``; summed over ``s`` it is ``dW``.
    dW, db : (n_in, n_out), (n_out,) or None
        The update added to ``W`` and ``b`` (``None``: bias absent or frozen).
    W_after, b_after : arrays
        ``W + dW`` and ``b + db``.
    """

    index: int
    activation: str
    inputs: Array
    W: Array
    b: Array | None
    z: Array
    a: Array
    derivative: Array
    error: Array
    delta: Array
    contributions: Array
    dW: Array
    db: Array | None
    W_after: Array
    b_after: Array | None


@dataclass(frozen=True, eq=False)
class Step:
    """Iteration ``#iteration``: the forward pass with the weights after that many updates,
    the error, the backward pass and the update it produces.

    ``applied`` is ``False`` for the step at a run's last iteration ``N``
    (its update was computed for display but not made by the run).
    """

    iteration: int
    learning_rate: float
    loss_name: str
    X: Array
    y: Array
    layers: tuple[LayerStep, ...]
    loss: float
    error_sum: float
    applied: bool = True

    def _repr_html_(self) -> str:
        from glassnet.notebook import step_html

        return step_html(self)

    @property
    def prediction(self) -> Array:
        """The network's output, shape ``(n_samples, n_out)``."""
        return self.layers[-1].a

    @property
    def error(self) -> Array:
        """``y - prediction``, shape ``(n_samples, n_out)``."""
        return self.layers[-1].error

    @property
    def before(self) -> Params:
        """Weights and biases before the update."""
        return Params(tuple(ly.W for ly in self.layers), tuple(ly.b for ly in self.layers))

    @property
    def after(self) -> Params:
        """Weights and biases after the update."""
        return Params(
            tuple(ly.W_after for ly in self.layers), tuple(ly.b_after for ly in self.layers)
        )


def trace_step(
    network: Network,
    params: Params,
    X: Array,
    y: Array,
    learning_rate: float,
    train_biases: bool,
    iteration: int,
    applied: bool = True,
) -> Step:
    """Compute iteration ``#iteration`` from ``params`` and keep every number."""
    with np.errstate(all="ignore"):
        zs, acts = forward(network, params, X)
        errors, deltas = backward(network, params, acts, y)
        dws, dbs = updates(params, acts, deltas, learning_rate, train_biases)
        after = apply(params, dws, dbs)
        layers = tuple(
            LayerStep(
                index=i,
                activation=network.activations[i].name,
                inputs=acts[i],
                W=params.weights[i],
                b=params.biases[i],
                z=zs[i],
                a=acts[i + 1],
                derivative=network.activations[i].grad(acts[i + 1]),
                error=errors[i],
                delta=deltas[i],
                contributions=learning_rate * acts[i][:, :, None] * deltas[i][:, None, :],
                dW=dws[i],
                db=dbs[i],
                W_after=after.weights[i],
                b_after=after.biases[i],
            )
            for i in range(network.n_layers)
        )
        loss = network.loss.fn(y, acts[-1])
    return Step(
        iteration=iteration,
        learning_rate=learning_rate,
        loss_name=network.loss.name,
        X=X,
        y=y,
        layers=layers,
        loss=loss,
        error_sum=error_sum(y, acts[-1]),
        applied=applied,
    )
