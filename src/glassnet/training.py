"""The reference training loop: full-batch gradient descent, recorded.

Iteration numbering (used everywhere in glassnet): iteration ``#k`` is the
forward pass with the weights after ``k`` updates; ``#0`` uses the initial
weights. Training for ``N`` iterations applies ``N`` updates and records, for
every ``k`` in ``0 .. N-1``, the loss and the error sum of iteration ``#k``.

Weights are kept at *checkpoints* (every iteration at first, then every
``every``-th), enough to replay any iteration exactly with the same
arithmetic, in bounded memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.network import Network, Params, apply, backward, error_sum, forward, updates
from glassnet.types import Array

#: A progress callback: called with the number of iterations done so far.
Progress = Callable[[int], None]
PROGRESS_EVERY = 2048


@dataclass(frozen=True)
class CheckpointSchedule:
    """Which iterations' weights are kept: every ``k < dense``, then every ``every``-th."""

    dense: int
    every: int

    @classmethod
    def for_run(cls, iterations: int, max_checkpoints: int) -> CheckpointSchedule:
        """Spend half of ``max_checkpoints`` on the first iterations, spread the rest evenly."""
        dense = min(iterations, max(1, max_checkpoints // 2))
        rest = iterations - dense
        every = max(1, math.ceil(rest / max(1, max_checkpoints - dense))) if rest > 0 else 1
        return cls(dense, every)

    def iterations(self, n_iterations: int) -> Array:
        """The checkpointed iterations below ``n_iterations``, ascending (int64)."""
        dense = np.arange(min(self.dense, n_iterations), dtype=np.int64)
        sparse = np.arange(self.dense, n_iterations, self.every, dtype=np.int64)
        return np.concatenate([dense, sparse])


@dataclass(frozen=True, eq=False)
class Checkpoints:
    """Weights before the update of each checkpointed iteration.

    ``weights[l]`` has shape ``(n_checkpoints, n_in, n_out)``; ``biases[l]``
    ``(n_checkpoints, n_out)`` or ``None``.
    """

    iterations: Array
    weights: tuple[Array, ...]
    biases: tuple[Array | None, ...]

    def at(self, index: int) -> Params:
        """The params stored at position ``index``."""
        return Params(
            tuple(w[index].copy() for w in self.weights),
            tuple(None if b is None else b[index].copy() for b in self.biases),
        )

    def nearest(self, iteration: int) -> tuple[int, Params]:
        """The latest checkpoint at or before ``iteration``: ``(its iteration, params)``."""
        index = int(np.searchsorted(self.iterations, iteration, side="right")) - 1
        return int(self.iterations[index]), self.at(index)

    @classmethod
    def allocate(cls, network: Network, iterations: Array) -> Checkpoints:
        n = len(iterations)
        return cls(
            iterations,
            tuple(np.empty((n, i, o)) for i, o in network.shapes),
            tuple(
                np.empty((n, o)) if has_b else None
                for (_, o), has_b in zip(network.shapes, network.bias)
            ),
        )

    def store(self, index: int, params: Params) -> None:
        for dst, w in zip(self.weights, params.weights):
            dst[index] = w
        for dst_b, b in zip(self.biases, params.biases):
            if dst_b is not None and b is not None:
                dst_b[index] = b

    def truncated(self, n_iterations: int) -> Checkpoints:
        """Only the checkpoints below ``n_iterations`` (for a run that stopped early)."""
        keep = int(np.searchsorted(self.iterations, n_iterations, side="left"))
        return Checkpoints(
            self.iterations[:keep],
            tuple(w[:keep] for w in self.weights),
            tuple(None if b is None else b[:keep] for b in self.biases),
        )


@dataclass(frozen=True)
class Stop:
    """Why a run ended before its last iteration."""

    iteration: int
    layer: int
    reason: str


@dataclass(frozen=True)
class Saturation:
    """The first iteration at which a bounded activation gave exactly an end of its range.

    A sigmoid output of exactly 0.0 or 1.0 (tanh: -1.0 or 1.0) has derivative
    0, so no gradient flows through that unit any more: training has stalled
    there. ``layer`` is the first such layer at that iteration.
    """

    iteration: int
    layer: int


@dataclass(frozen=True, eq=False)
class Trained:
    """What a training engine returns.

    ``loss`` and ``error_sum`` have one entry per iteration run (``0..N-1``;
    for a stopped run they end with the iteration that went bad).
    ``final`` are the params after the last update made. ``test_loss`` and
    ``test_error_sum`` are the same figures on held-out examples, one per
    iteration as well, or ``None`` when there were none.
    """

    loss: Array
    error_sum: Array
    checkpoints: Checkpoints
    final: Params
    updates_applied: int
    stop: Stop | None = None
    saturation: Saturation | None = None
    test_loss: Array | None = None
    test_error_sum: Array | None = None


def saturating_layers(network: Network) -> list[tuple[int, float | None, float | None]]:
    """``(layer, low, high)`` of every layer whose activation can saturate.

    ``low``/``high`` are the ends of the activation's range it only
    approaches (:attr:`~glassnet.activations.Activation.saturation_ends`), or
    ``None`` where that end cannot saturate.
    """
    out: list[tuple[int, float | None, float | None]] = []
    for i, act in enumerate(network.activations):
        ends = act.saturation_ends
        if ends:
            low = act.low if act.low in ends else None
            high = act.high if act.high in ends else None
            out.append((i, low, high))
    return out


def saturated_layer(
    saturating: list[tuple[int, float | None, float | None]], activations: list[Array]
) -> int | None:
    """The first such layer with an output exactly at a saturation end, or ``None``.

    Outputs lie within the range, so an output at the low end is the minimum
    (and at the high end the maximum); a NaN makes both tests false.
    """
    for layer, low, high in saturating:
        a = activations[layer + 1]
        if (low is not None and a.min() == low) or (high is not None and a.max() == high):
            return layer
    return None


def first_bad_layer(network: Network, params: Params, X: Array) -> int:
    """The first layer whose outputs are not finite for ``params`` (or the last)."""
    with np.errstate(all="ignore"):
        _, acts = forward(network, params, X)
    for layer, a in enumerate(acts[1:]):
        if not np.all(np.isfinite(a)):
            return layer
    return network.n_layers - 1


def train_reference(
    network: Network,
    params: Params,
    X: Array,
    y: Array,
    *,
    iterations: int,
    learning_rate: float,
    train_biases: bool,
    schedule: CheckpointSchedule,
    progress: Progress | None = None,
    X_test: Array | None = None,
    y_test: Array | None = None,
) -> Trained:
    """Train with the readable numpy reference arithmetic (the specification).

    Stops at the first iteration whose loss is not finite, recording it, and
    records the first iteration at which a bounded activation saturated.

    With held-out examples ``X_test`` ``(n_test, n_in)`` and ``y_test``
    ``(n_test, n_out)``, each iteration also records their loss and error sum
    under the same weights (a forward pass only; they never affect training).
    """
    held_out = X_test is not None and y_test is not None
    test_loss_hist = np.empty(iterations) if held_out else None
    test_err_hist = np.empty(iterations) if held_out else None
    loss_hist = np.empty(iterations)
    err_hist = np.empty(iterations)
    checkpoints = Checkpoints.allocate(network, schedule.iterations(iterations))
    next_ckpt = 0
    n_ckpt = len(checkpoints.iterations)
    loss_fn = network.loss.fn
    saturating = saturating_layers(network)
    saturation: Saturation | None = None
    with np.errstate(all="ignore"):
        for k in range(iterations):
            if next_ckpt < n_ckpt and checkpoints.iterations[next_ckpt] == k:
                checkpoints.store(next_ckpt, params)
                next_ckpt += 1
            zs, acts = forward(network, params, X)
            loss = loss_fn(y, acts[-1])
            loss_hist[k] = loss
            err_hist[k] = error_sum(y, acts[-1])
            if test_loss_hist is not None and test_err_hist is not None:
                _, test_acts = forward(network, params, X_test)  # type: ignore[arg-type]
                test_loss_hist[k] = loss_fn(y_test, test_acts[-1])  # type: ignore[arg-type]
                test_err_hist[k] = error_sum(y_test, test_acts[-1])  # type: ignore[arg-type]
            if saturation is None and saturating:
                layer = saturated_layer(saturating, acts)
                if layer is not None:
                    saturation = Saturation(k, layer)
            if not math.isfinite(loss):
                stop = Stop(k, first_bad_layer(network, params, X), "loss is not finite")
                return Trained(
                    loss_hist[: k + 1],
                    err_hist[: k + 1],
                    checkpoints.truncated(k + 1),
                    params,
                    k,
                    stop,
                    saturation,
                    None if test_loss_hist is None else test_loss_hist[: k + 1],
                    None if test_err_hist is None else test_err_hist[: k + 1],
                )
            _, deltas = backward(network, params, acts, y)
            dws, dbs = updates(params, acts, deltas, learning_rate, train_biases)
            params = apply(params, dws, dbs)
            if progress is not None and k % PROGRESS_EVERY == 0:
                progress(k)
    if progress is not None:
        progress(iterations)
    return Trained(
        loss_hist,
        err_hist,
        checkpoints,
        params,
        iterations,
        None,
        saturation,
        test_loss_hist,
        test_err_hist,
    )


@dataclass(frozen=True, eq=False)
class BatchTrained:
    """What a batch engine returns (one column or entry per network).

    Attributes
    ----------
    W : (n_weights, n_networks) float64
        Final weights, flat per network (layer by layer, each ``(n_in, n_out)`` row-major).
    b : (n_biases, n_networks) float64
        Final biases (``n_biases`` may be 0).
    final_error_sum, final_loss : (n_networks,) float64
        Of iteration ``#N`` (the forward pass with the final params).
    reached : (n_networks,) int64
        First iteration whose error sum is ``<= target`` (``-1``: never).
    stopped : (n_networks,) int64
        Iteration at which the loss stopped being finite (``-1``: it never did).
    error_history : (n_networks, ceil(N / every)) float64 or None
        The error sum of iterations ``#0, #every, #2 every, ...`` when asked
        for (after a network stopped, its entries are of its frozen params).
    """

    W: Array
    b: Array
    final_error_sum: Array
    final_loss: Array
    reached: Array
    stopped: Array
    error_history: Array | None = None
