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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from glassnet.network import (
    Network,
    Params,
    apply,
    backward,
    error_sum,
    forward,
    gradients,
    parameter_names,
)
from glassnet.optimizers import GD, Hyper, Optimizer
from glassnet.types import Array, IntArray

#: A progress callback: called with the number of iterations done so far.
Progress = Callable[[int], None]
PROGRESS_EVERY = 2048

#: The optimizer's state: one :class:`Params`-shaped array set per slot (``{"v": ...}``).
OptimizerState = dict[str, Params]


@dataclass(frozen=True)
class Method:
    """How the weights are updated, beyond the learning rate: the post's is the default.

    Attributes
    ----------
    optimizer : Optimizer
        How a gradient becomes an update (:mod:`glassnet.optimizers`).
    hyper : Hyper
        Its settings (momentum, beta1, beta2, epsilon, alpha).
    batch_size : int or None
        Examples per update; ``None``: all of them, in order (the post's).
    shuffle_seed : int
        With ``batch_size``: ``numpy.random.RandomState(shuffle_seed)`` draws
        ``permutation(n_samples)`` at the start of every epoch, and the
        batches are consecutive slices of it, the last one shorter when the
        batch size does not divide the number of examples.
    mean : bool
        The loss (and so its gradient) is the mean over the batch's examples
        (``reduction = "mean"``, torch's and scikit-learn's default) instead of
        the sum (the post's).
    l2 : float
        Adds ``l2 * w`` to the gradient of every weight (never of a bias), as
        torch's ``weight_decay``.
    """

    optimizer: Optimizer = GD
    hyper: Hyper = field(default_factory=Hyper)
    batch_size: int | None = None
    shuffle_seed: int = 0
    mean: bool = False
    l2: float = 0.0

    @property
    def is_plain(self) -> bool:
        """The post's method: gradient descent on all examples, summed, no l2."""
        return self.optimizer is GD and self.batch_size is None and not self.mean and not self.l2


@dataclass(frozen=True)
class Edit:
    """A change made by hand before iteration ``#iteration`` (in the playground).

    ``target`` is ``"learning_rate"`` or a parameter's name as
    :func:`glassnet.network.parameter_names` gives it (``"W0[0,0]"``,
    ``"b1[2]"``); ``value`` replaces it. The forward pass of ``#iteration``
    uses the edited value.
    """

    iteration: int
    target: str
    value: float


class Batches:
    """Which examples each iteration uses (see :class:`Method`).

    ``rows(k)`` is ``None`` for the full batch (every example, in order),
    else the indices of iteration ``#k``'s batch. Permutations are drawn in
    order from one ``RandomState``; to look one up out of order its state is
    kept every :data:`KEEP_STATE_EVERY` epochs and replayed from there.
    """

    KEEP_STATE_EVERY = 64

    def __init__(self, n_samples: int, batch_size: int | None, shuffle_seed: int = 0) -> None:
        self.n_samples = n_samples
        self.full = batch_size is None
        self.batch_size = n_samples if batch_size is None else min(batch_size, n_samples)
        self.per_epoch = math.ceil(n_samples / self.batch_size)
        self._rng = np.random.RandomState(shuffle_seed)
        self._states: list[Any] = []  # RandomState.get_state() tuples
        self._epoch = -1
        self._order: IntArray | None = None

    def epoch(self, k: int) -> int:
        """The epoch iteration ``#k`` belongs to (with the full batch, every iteration is one)."""
        return k // self.per_epoch

    def _permutation(self, epoch: int) -> IntArray:
        if epoch != self._epoch:
            if epoch < self._epoch or epoch > self._epoch + self.KEEP_STATE_EVERY:
                # jump: restore the last kept state at or before this epoch
                keep = min(epoch // self.KEEP_STATE_EVERY, len(self._states) - 1)
                if keep >= 0 and keep * self.KEEP_STATE_EVERY <= epoch:
                    self._rng.set_state(self._states[keep])
                    self._epoch = keep * self.KEEP_STATE_EVERY - 1
            while self._epoch < epoch:
                self._epoch += 1
                if self._epoch % self.KEEP_STATE_EVERY == 0:
                    index = self._epoch // self.KEEP_STATE_EVERY
                    if index == len(self._states):
                        self._states.append(self._rng.get_state())
                self._order = self._rng.permutation(self.n_samples)
        assert self._order is not None
        return self._order

    def rows(self, k: int) -> IntArray | None:
        """The examples of iteration ``#k``'s batch (``None``: all of them, in order)."""
        if self.full:
            return None
        order = self._permutation(k // self.per_epoch)
        start = (k % self.per_epoch) * self.batch_size
        return order[start : start + self.batch_size]


def initial_state(method: Method, params: Params) -> OptimizerState:
    """The optimizer's state before the first update: every slot at 0."""
    return {
        slot: Params(
            tuple(np.zeros_like(w) for w in params.weights),
            tuple(None if b is None else np.zeros_like(b) for b in params.biases),
        )
        for slot in method.optimizer.slots
    }


def optimizer_updates(
    method: Method,
    params: Params,
    state: OptimizerState,
    grads: tuple[list[Array], list[Array | None]],
    learning_rate: float,
    iteration: int,
) -> tuple[list[Array], list[Array | None], OptimizerState, list[Array]]:
    """The updates the optimizer makes from the gradients of iteration ``#iteration``.

    ``grads`` are ``dL/dW`` and ``dL/db`` of the batch (already divided by
    its size for ``mean``; ``None`` for absent or frozen biases). Returns
    ``(dW, db, new_state, g)``: the updates added to the params, the
    optimizer's new state (a frozen bias keeps its state) and the gradients
    the optimizer saw, ``g = dL/dW + l2 * W``.
    """
    opt, hyper, t = method.optimizer, method.hyper, iteration + 1
    gw, gb = grads
    if method.l2:
        gw = [g + method.l2 * w for g, w in zip(gw, params.weights)]
    dws: list[Array] = []
    dbs: list[Array | None] = []
    new_w: dict[str, list[Array]] = {slot: [] for slot in opt.slots}
    new_b: dict[str, list[Array | None]] = {slot: [] for slot in opt.slots}
    for layer, g in enumerate(gw):
        update, after = opt.step(
            g, {s: state[s].weights[layer] for s in opt.slots}, hyper, learning_rate, t
        )
        dws.append(update)
        for slot in opt.slots:
            new_w[slot].append(after[slot])
    for layer, g_b in enumerate(gb):
        if g_b is None:
            dbs.append(None)
            for slot in opt.slots:
                new_b[slot].append(state[slot].biases[layer])
            continue
        slots_b = {s: cast(Array, state[s].biases[layer]) for s in opt.slots}  # biased layer
        update, after = opt.step(g_b, slots_b, hyper, learning_rate, t)
        dbs.append(update)
        for slot in opt.slots:
            new_b[slot].append(after[slot])
    new_state = {slot: Params(tuple(new_w[slot]), tuple(new_b[slot])) for slot in opt.slots}
    return dws, dbs, new_state, gw


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

    def iterations(self, n_iterations: int) -> IntArray:
        """The checkpointed iterations below ``n_iterations``, ascending (int64)."""
        dense = np.arange(min(self.dense, n_iterations), dtype=np.int64)
        sparse = np.arange(self.dense, n_iterations, self.every, dtype=np.int64)
        return np.concatenate([dense, sparse])


@dataclass(frozen=True, eq=False)
class Checkpoints:
    """Weights (and the optimizer's state) before the update of each checkpointed iteration.

    ``weights[l]`` has shape ``(n_checkpoints, n_in, n_out)``; ``biases[l]``
    ``(n_checkpoints, n_out)`` or ``None``. ``slots`` holds one
    :class:`Checkpoints` of the same iterations per state array of the
    optimizer (``{"m": ..., "v": ...}`` for Adam; empty for plain gradient
    descent), laid out like the weights.
    """

    iterations: IntArray
    weights: tuple[Array, ...]
    biases: tuple[Array | None, ...]
    slots: dict[str, Checkpoints] = field(default_factory=dict)

    def at(self, index: int) -> Params:
        """The params stored at position ``index``."""
        return Params(
            tuple(w[index].copy() for w in self.weights),
            tuple(None if b is None else b[index].copy() for b in self.biases),
        )

    def state_at(self, index: int) -> OptimizerState:
        """The optimizer's state stored at position ``index``."""
        return {name: ck.at(index) for name, ck in self.slots.items()}

    def nearest(self, iteration: int) -> tuple[int, Params]:
        """The latest checkpoint at or before ``iteration``: ``(its iteration, params)``."""
        index = self.index_before(iteration)
        return int(self.iterations[index]), self.at(index)

    def index_before(self, iteration: int) -> int:
        """Position of the latest checkpoint at or before ``iteration``."""
        return int(np.searchsorted(self.iterations, iteration, side="right")) - 1

    @classmethod
    def allocate(
        cls, network: Network, iterations: IntArray, slots: tuple[str, ...] = ()
    ) -> Checkpoints:
        n = len(iterations)
        return cls(
            iterations,
            tuple(np.empty((n, i, o)) for i, o in network.shapes),
            tuple(
                np.empty((n, o)) if has_b else None
                for (_, o), has_b in zip(network.shapes, network.bias)
            ),
            {name: cls.allocate(network, iterations) for name in slots},
        )

    def store(self, index: int, params: Params, state: OptimizerState | None = None) -> None:
        for dst, w in zip(self.weights, params.weights):
            dst[index] = w
        for dst_b, b in zip(self.biases, params.biases):
            if dst_b is not None and b is not None:
                dst_b[index] = b
        for name, ck in self.slots.items():
            ck.store(index, (state or {})[name])

    def truncated(self, n_iterations: int) -> Checkpoints:
        """Only the checkpoints below ``n_iterations`` (for a run that stopped early)."""
        keep = int(np.searchsorted(self.iterations, n_iterations, side="left"))
        return Checkpoints(
            self.iterations[:keep],
            tuple(w[:keep] for w in self.weights),
            tuple(None if b is None else b[:keep] for b in self.biases),
            {name: ck.truncated(n_iterations) for name, ck in self.slots.items()},
        )


def merge_checkpoints(
    first: Checkpoints, second: Checkpoints, iterations: int, max_checkpoints: int
) -> Checkpoints:
    """The checkpoints of a run continued (``second`` starts where ``first`` ended), thinned
    to at most ``max_checkpoints``: for each iteration a fresh run of ``iterations`` would
    checkpoint, the latest one kept at or before it."""
    ks = np.concatenate([first.iterations, second.iterations])

    def cat(a: Array | None, b: Array | None) -> Array | None:
        return None if a is None or b is None else np.concatenate([a, b])

    wanted = CheckpointSchedule.for_run(iterations, max_checkpoints).iterations(iterations)
    keep = np.unique(np.searchsorted(ks, wanted, side="right") - 1)
    keep = keep[keep >= 0]

    def pick(a: Array | None, b: Array | None) -> Array | None:
        both = cat(a, b)
        return None if both is None else both[keep]

    return Checkpoints(
        ks[keep],
        tuple(pick(a, b) for a, b in zip(first.weights, second.weights)),  # type: ignore[misc]  # weights are never None
        tuple(pick(a, b) for a, b in zip(first.biases, second.biases)),
        {
            name: merge_checkpoints(first.slots[name], ck, iterations, max_checkpoints)
            for name, ck in second.slots.items()
            if name in first.slots
        },
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

    ``loss`` and ``error_sum`` have one entry per iteration run (``start ..
    start + N - 1``; for a stopped run they end with the iteration that went
    bad); ``updates_applied`` is ``N``.
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
    batch_loss: Array | None = None
    final_state: OptimizerState = field(default_factory=dict)
    #: The first iteration trained (the histories' entry 0 is iteration ``#start``).
    start: int = 0


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


def loss_value(network: Network, y: Array, a: Array, mean: bool) -> float:
    """The loss of predictions ``a`` for targets ``y``: summed, or divided by ``len(y)`` if ``mean``."""
    loss = network.loss.fn(y, a)
    return loss / len(y) if mean else loss


def apply_edit(
    network: Network, params: Params, learning_rate: float, edit: Edit
) -> tuple[Params, float]:
    """``(params, learning_rate)`` after ``edit``."""
    if edit.target == "learning_rate":
        return params, float(edit.value)
    flat = params.flat()
    flat[parameter_names(network).index(edit.target)] = edit.value
    return params.with_flat(flat), learning_rate


def learning_rate_at(learning_rate: float, edits: Sequence[Edit], iteration: int) -> float:
    """The learning rate iteration ``#iteration`` uses, after the edits up to it."""
    for edit in sorted(edits, key=lambda e: e.iteration):
        if edit.iteration <= iteration and edit.target == "learning_rate":
            learning_rate = float(edit.value)
    return learning_rate


def reference_step(
    network: Network,
    params: Params,
    state: OptimizerState,
    X: Array,
    y: Array,
    rows: IntArray | None,
    *,
    iteration: int,
    learning_rate: float,
    train_biases: bool,
    method: Method,
    activations: list[Array] | None = None,
) -> tuple[Params, OptimizerState]:
    """Iteration ``#iteration``'s update from ``params``: the new params and optimizer state.

    The batch is ``X[rows]``, ``y[rows]`` (all of ``X`` and ``y`` where
    ``rows`` is ``None``; then ``activations``, the forward pass already
    made, is used if given). This is what :func:`train_reference` does each
    iteration after recording; :class:`~glassnet.run.Run` replays with it.
    With the post's method the update is ``lr * (a.T @ delta)`` to the last
    bit (``-(lr * -(a.T @ delta))``: negation is exact).
    """
    Xb, yb = (X, y) if rows is None else (X[rows], y[rows])
    acts = (
        activations if rows is None and activations is not None else forward(network, params, Xb)[1]
    )
    _, deltas = backward(network, params, acts, yb)
    gw, gb = gradients(params, acts, deltas, train_biases)
    if method.mean:
        gw = [g / len(yb) for g in gw]
        gb = [None if g is None else g / len(yb) for g in gb]
    dws, dbs, state, _ = optimizer_updates(
        method, params, state, (gw, gb), learning_rate, iteration
    )
    return apply(params, dws, dbs), state


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
    method: Method = Method(),
    edits: Sequence[Edit] = (),
    start: int = 0,
    state: OptimizerState | None = None,
) -> Trained:
    """Train with the readable numpy reference arithmetic (the specification).

    ``iterations`` updates are made, of iterations ``#start .. #start + iterations
    - 1``: a run continues from ``params`` and the optimizer's ``state`` of
    iteration ``#start`` (default: a new run). Histories hold those iterations;
    checkpoints are numbered from 0 (the schedule's) plus ``start``.

    Each iteration ``#k``: apply the edits made before it, keep the
    checkpoint, run the forward pass on *all* examples (the recorded loss
    and error sum: the curve), then on the batch (the same pass for the full
    batch), and let the optimizer update the params from the batch's
    gradient (:func:`reference_step`).

    Stops at the first iteration whose loss (or batch loss) is not finite,
    recording it, and records the first iteration at which a bounded
    activation saturated.

    With held-out examples ``X_test`` ``(n_test, n_in)`` and ``y_test``
    ``(n_test, n_out)``, each iteration also records their loss and error sum
    under the same weights (a forward pass only; they never affect training).
    """
    held_out = X_test is not None and y_test is not None
    test_loss_hist = np.empty(iterations) if held_out else None
    test_err_hist = np.empty(iterations) if held_out else None
    loss_hist = np.empty(iterations)
    err_hist = np.empty(iterations)
    batches = Batches(len(X), method.batch_size, method.shuffle_seed)
    batch_hist = None if batches.full else np.empty(iterations)
    checkpoints = Checkpoints.allocate(
        network, start + schedule.iterations(iterations), method.optimizer.slots
    )
    state = initial_state(method, params) if state is None else state
    pending = sorted((e for e in edits if e.iteration >= start), key=lambda e: e.iteration)
    next_ckpt = 0
    n_ckpt = len(checkpoints.iterations)
    saturating = saturating_layers(network)
    saturation: Saturation | None = None

    def stopped(k: int, stop: Stop) -> Trained:
        assert state is not None  # set above; a closure does not see the narrowing
        done = k - start
        return Trained(
            loss_hist[: done + 1],
            err_hist[: done + 1],
            checkpoints.truncated(k + 1),
            params,
            done,
            stop,
            saturation,
            None if test_loss_hist is None else test_loss_hist[: done + 1],
            None if test_err_hist is None else test_err_hist[: done + 1],
            None if batch_hist is None else batch_hist[: done + 1],
            state,
            start,
        )

    with np.errstate(all="ignore"):
        for k in range(start, start + iterations):
            h = k - start  # this iteration's entry in the histories
            while pending and pending[0].iteration == k:
                params, learning_rate = apply_edit(network, params, learning_rate, pending.pop(0))
            if next_ckpt < n_ckpt and checkpoints.iterations[next_ckpt] == k:
                checkpoints.store(next_ckpt, params, state)
                next_ckpt += 1
            _, acts = forward(network, params, X)
            loss = loss_value(network, y, acts[-1], method.mean)
            loss_hist[h] = loss
            err_hist[h] = error_sum(y, acts[-1])
            if test_loss_hist is not None and test_err_hist is not None:
                assert X_test is not None and y_test is not None  # held_out: both given
                _, test_acts = forward(network, params, X_test)
                test_loss_hist[h] = loss_value(network, y_test, test_acts[-1], method.mean)
                test_err_hist[h] = error_sum(y_test, test_acts[-1])
            if saturation is None and saturating:
                layer = saturated_layer(saturating, acts)
                if layer is not None:
                    saturation = Saturation(k, layer)
            rows = batches.rows(k)
            batch_ok = True
            if batch_hist is not None and rows is not None:
                _, batch_acts = forward(network, params, X[rows])
                batch_hist[h] = loss_value(network, y[rows], batch_acts[-1], method.mean)
                batch_ok = math.isfinite(batch_hist[h])
            if not (math.isfinite(loss) and batch_ok):
                return stopped(
                    k, Stop(k, first_bad_layer(network, params, X), "loss is not finite")
                )
            params, state = reference_step(
                network,
                params,
                state,
                X,
                y,
                rows,
                iteration=k,
                learning_rate=learning_rate,
                train_biases=train_biases,
                method=method,
                activations=acts,
            )
            if progress is not None and h % PROGRESS_EVERY == 0:
                progress(h)
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
        batch_hist,
        state,
        start,
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
    reached: IntArray
    stopped: IntArray
    error_history: Array | None = None
