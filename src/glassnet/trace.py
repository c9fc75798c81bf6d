"""One traced training step: every number of one iteration, recorded for the renderers.

:func:`trace_step` computes iteration ``#k`` from the weights after ``k``
updates with the reference arithmetic of :mod:`glassnet.network` and keeps
every intermediate value. It is the worked example that the explainer, the
JSON output and the report print; none of them recompute anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet.network import Network, Params, apply, backward, error_sum, forward, gradients
from glassnet.training import Method, OptimizerState, initial_state, optimizer_updates
from glassnet.types import Array, IntArray


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
        the plain gradient-descent update of ``W[i, j]``; summed over ``s`` it is
        ``dW`` for the post's method.
    gradient, gradient_b : (n_in, n_out), (n_out,) or None
        ``dL/dW`` and ``dL/db`` of the batch, ``-(inputs.T @ delta)`` (divided
        by the batch's size for ``reduction = "mean"``), before the l2 term.
    l2_term : (n_in, n_out) or None
        ``l2 * W``, added to ``gradient`` before the optimizer sees it.
    state_before, state_after : dict of str to array
        The optimizer's state for ``W`` (``{"v": ...}``) before and after.
    state_b_before, state_b_after : dict of str to array
        The same for ``b`` (empty where it is absent or frozen).
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
    gradient: Array | None = None
    gradient_b: Array | None = None
    l2_term: Array | None = None
    state_before: dict[str, Array] = field(default_factory=dict)
    state_after: dict[str, Array] = field(default_factory=dict)
    state_b_before: dict[str, Array] = field(default_factory=dict)
    state_b_after: dict[str, Array] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Step:
    """Iteration ``#iteration``: the forward pass with the weights after that many updates,
    the error, the backward pass and the update it produces.

    ``applied`` is ``False`` for the step at a run's last iteration ``N``
    (its update was computed for display but not made by the run).

    ``X`` and ``y`` are the examples of the iteration's batch: every example
    for the full batch (``rows`` is ``None``), else ``rows`` of the data, in
    the batch's order; ``loss`` and ``error_sum`` are the batch's. ``method``
    is how the update was made (optimizer, settings, reduction, l2).
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
    rows: IntArray | None = None
    epoch: int = 0
    method: Method = field(default_factory=Method)

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
    *,
    method: Method | None = None,
    state: OptimizerState | None = None,
    rows: IntArray | None = None,
    epoch: int = 0,
) -> Step:
    """Compute iteration ``#iteration`` from ``params`` (and the optimizer's ``state``) and keep
    every number.

    ``rows`` are the batch's examples (``None``: all of ``X``). The update is
    :func:`glassnet.training.reference_step`'s, computed the same way.
    """
    method = method or Method()
    state = initial_state(method, params) if state is None else state
    Xb, yb = (X, y) if rows is None else (X[rows], y[rows])
    n = len(yb)
    with np.errstate(all="ignore"):
        zs, acts = forward(network, params, Xb)
        errors, deltas = backward(network, params, acts, yb)
        gw, gb = gradients(params, acts, deltas, train_biases)
        if method.mean:
            gw = [g / n for g in gw]
            gb = [None if g is None else g / n for g in gb]
        dws, dbs, after_state, _ = optimizer_updates(
            method, params, state, (gw, gb), learning_rate, iteration
        )
        after = apply(params, dws, dbs)
        slots = method.optimizer.slots
        layers = tuple(
            LayerStep(
                index=i,
                activation=network.activations[i].name,
                inputs=acts[i],
                W=params.weights[i],
                b=params.biases[i],
                z=zs[i],
                a=acts[i + 1],
                derivative=_derivative(network, i, acts[i + 1]),
                error=errors[i],
                delta=deltas[i],
                contributions=learning_rate * acts[i][:, :, None] * deltas[i][:, None, :],
                dW=dws[i],
                db=dbs[i],
                W_after=after.weights[i],
                b_after=after.biases[i],
                gradient=gw[i],
                gradient_b=gb[i],
                l2_term=method.l2 * params.weights[i] if method.l2 else None,
                state_before={s: state[s].weights[i] for s in slots},
                state_after={s: after_state[s].weights[i] for s in slots},
                state_b_before={} if gb[i] is None else {s: state[s].biases[i] for s in slots},  # type: ignore[misc]  # biases[i] is set where gb[i] is
                state_b_after={} if gb[i] is None else {s: after_state[s].biases[i] for s in slots},  # type: ignore[misc]  # biases[i] is set where gb[i] is
            )
            for i in range(network.n_layers)
        )
        loss = network.loss.fn(yb, acts[-1])
        if method.mean:
            loss /= n
    return Step(
        iteration=iteration,
        learning_rate=learning_rate,
        loss_name=network.loss.name,
        X=Xb,
        y=yb,
        layers=layers,
        loss=loss,
        error_sum=error_sum(yb, acts[-1]),
        applied=applied,
        rows=rows,
        epoch=epoch,
        method=method,
    )


def _derivative(network: Network, layer: int, a: Array) -> Array:
    """``f'`` at the outputs of ``layer`` (NaN for a row-wise output activation, whose
    slope is not elementwise; its loss cancels it)."""
    act = network.activations[layer]
    if act.rowwise:
        return np.full_like(a, np.nan)
    return act.grad(a)
