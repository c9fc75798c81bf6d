"""The numpy batch engine: many networks of one architecture trained together, in numpy.

The same arithmetic as :func:`glassnet.engines.batched.train_batch` (and so as a
single run of each network), one numpy call per operation over all networks at
once; the sweep uses it where numba is missing. Networks are the last axis of
every array: ``W[l]`` is ``(n_in, n_out, n_networks)``, one example's
activations ``a[l]`` are ``(n_rows, n_units, n_networks)``.

Every sum runs over an axis other than the networks' (the last), in order
(``a0*w0 + a1*w1 + ...``, one numpy call per term), never through a matrix
product: so a network's numbers do not depend on which other networks share
its batch, and a sweep split into chunks (:mod:`glassnet.sweep_dask`) gives the
same bits as one run of all its networks.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.network import Network
from glassnet.training import Batches, BatchTrained, Method
from glassnet.types import Array


def _forward(network: Network, Ws: list[Array], bs: list[Array | None], X: Array) -> list[Array]:
    """``a[0] = X`` (``(rows, n_in)``) and every layer's ``a[l+1]`` (``(rows, n_out, n_net)``)."""
    acts: list[Array] = [X]
    for layer, act in enumerate(network.activations):
        prev, W = acts[-1], Ws[layer]
        if layer == 0:  # the inputs are the same for every network
            z = X[:, 0, None, None] * W[None, 0]
            for m in range(1, W.shape[0]):
                z = z + X[:, m, None, None] * W[None, m]
        else:
            z = prev[:, 0, None, :] * W[None, 0]
            for m in range(1, W.shape[0]):
                z = z + prev[:, m, None, :] * W[None, m]
        b = bs[layer]
        if b is not None:
            z = z + b[None]
        acts.append(act.fn(z))
    return acts


def _loss(network: Network, y3: Array, out: Array, mean: bool) -> Array:
    """Every network's loss: ``scale * sum of terms`` (divided by the rows for the mean)."""
    total = network.loss.scale * network.loss.terms(y3, out).sum(axis=(0, 1))
    return total / y3.shape[0] if mean else total


def _gradients(
    network: Network, Ws: list[Array], acts: list[Array], y3: Array
) -> tuple[list[Array], list[Array]]:
    """``acc_W[l] = a[l].T @ delta[l]`` and ``acc_b[l] = delta[l].sum(axis=0)`` of every
    network, summed over the rows in order (the gradient is ``-acc``)."""
    L = network.n_layers
    deltas = [network.loss.output_delta(y3, acts[-1], network.activations[-1])]
    for layer in range(L - 2, -1, -1):
        W_next, d_next = Ws[layer + 1], deltas[0]
        back = d_next[:, None, 0, :] * W_next[None, :, 0, :]
        for j in range(1, W_next.shape[1]):
            back = back + d_next[:, None, j, :] * W_next[None, :, j, :]
        deltas.insert(0, back * network.activations[layer].grad(acts[layer + 1]))
    acc_w, acc_b = [], []
    for layer, d in enumerate(deltas):
        a = acts[layer]
        if layer == 0:
            rows = [(a[:, m, None, None] * d).sum(axis=0) for m in range(a.shape[1])]
        else:
            rows = [(a[:, m, None, :] * d).sum(axis=0) for m in range(a.shape[1])]
        acc_w.append(np.stack(rows))
        acc_b.append(d.sum(axis=0))
    return acc_w, acc_b


def train_batch(
    network: Network,
    X: Array,
    y: Array,
    W: Array,
    b: Array,
    learning_rates: Array,
    *,
    iterations: int,
    train_biases: bool,
    target_error: float,
    history_every: int = 0,
    method: Method | None = None,
    threads: int | None = None,
) -> BatchTrained:
    """Train ``n_networks`` networks together in plain vectorized numpy (no compiler needed).

    Same arguments, layout and results as :func:`glassnet.engines.batched.train_batch`
    (up to numpy's own ``exp``, which may round differently in the last bit).
    ``threads`` is accepted for the same signature; numpy trains in this thread.
    """
    method = method or Method()
    W = np.asarray(W, dtype=np.float64)
    n_net = W.shape[1]
    if n_net == 1:
        # numpy sums a reduction over a length-1 last axis along the next one, in
        # another order: train the network twice so that its numbers are the ones it
        # gets in any batch, and keep one.
        twice = train_batch(
            network, X, y, np.repeat(W, 2, axis=1), np.repeat(np.reshape(b, (-1, 1)), 2, axis=1),
            np.repeat(np.broadcast_to(learning_rates, (1,)), 2), iterations=iterations,
            train_biases=train_biases, target_error=target_error, history_every=history_every,
            method=method,
        )  # fmt: skip
        return BatchTrained(
            twice.W[:, :1],
            twice.b[:, :1],
            twice.final_error_sum[:1],
            twice.final_loss[:1],
            twice.reached[:1],
            twice.stopped[:1],
            None if twice.error_history is None else twice.error_history[:1],
        )
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64).reshape(-1, n_net)
    shapes, opt, hyper = network.shapes, method.optimizer, method.hyper
    Ws: list[Array] = []
    bs: list[Array | None] = []
    w_at = b_at = 0
    for (n_in, n_out), has in zip(shapes, network.bias):
        Ws.append(W[w_at : w_at + n_in * n_out].reshape(n_in, n_out, n_net).copy())
        w_at += n_in * n_out
        if has:
            bs.append(b[b_at : b_at + n_out].copy())
            b_at += n_out
        else:
            bs.append(None)
    # the optimizer's state, per slot: like the weights, then like the biases
    state_w = {s: [np.zeros_like(w) for w in Ws] for s in opt.slots}
    state_b = {
        s: [np.zeros((0, n_net)) if bb is None else np.zeros_like(bb) for bb in bs]
        for s in opt.slots
    }
    # one learning rate per network: it broadcasts over the last axis of every step
    rate: float = np.broadcast_to(np.asarray(learning_rates, dtype=np.float64), (n_net,))  # type: ignore[assignment]  # an array that broadcasts like a float
    alive = np.ones(n_net, dtype=bool)
    reach = np.full(n_net, -1, dtype=np.int64)
    stop = np.full(n_net, -1, dtype=np.int64)
    err = loss = np.full(n_net, np.nan)
    hist = (
        np.full((n_net, math.ceil(iterations / history_every)), np.nan) if history_every else None
    )
    batches = Batches(X.shape[0], method.batch_size, method.shuffle_seed)
    y3 = y[:, :, None]
    with np.errstate(all="ignore"):
        for k in range(iterations + 1):
            acts = _forward(network, Ws, bs, X)
            out = acts[-1]
            err = np.abs(y3 - out).sum(axis=(0, 1))
            loss = _loss(network, y3, out, method.mean)
            reach[(reach < 0) & alive & (err <= target_error)] = k
            if k == iterations:
                break
            if hist is not None and k % history_every == 0:
                hist[:, k // history_every] = err
            rows = batches.rows(k)
            ok = np.isfinite(loss)
            if rows is None:
                yb3 = y3
            else:
                yb3 = y3[rows]
                acts = _forward(network, Ws, bs, X[rows])
                ok &= np.isfinite(_loss(network, yb3, acts[-1], method.mean))
            bad = alive & ~ok
            stop[bad] = k
            alive &= ~bad
            acc_w, acc_b = _gradients(network, Ws, acts, yb3)
            n_rows = yb3.shape[0]
            for layer in range(network.n_layers):
                g = -acc_w[layer]
                if method.mean:
                    g = g / n_rows
                if method.l2:
                    g = g + method.l2 * Ws[layer]
                update, after = opt.step(
                    g, {s: state_w[s][layer] for s in opt.slots}, hyper, rate, k + 1
                )
                Ws[layer] = np.where(alive, Ws[layer] + update, Ws[layer])
                for s in opt.slots:
                    state_w[s][layer] = np.where(alive, after[s], state_w[s][layer])
                bias = bs[layer]
                if bias is None or not train_biases:
                    continue
                g = -acc_b[layer]
                if method.mean:
                    g = g / n_rows
                old = {s: state_b[s][layer] for s in opt.slots}
                update, after = opt.step(g, old, hyper, rate, k + 1)
                bs[layer] = np.where(alive, bias + update, bias)
                for s in opt.slots:
                    state_b[s][layer] = np.where(alive, after[s], old[s])
    W_out = np.concatenate([w.reshape(-1, n_net) for w in Ws], axis=0)
    b_out = (
        np.concatenate([bb for bb in bs if bb is not None], axis=0)
        if any(bb is not None for bb in bs)
        else np.zeros((0, n_net))
    )
    return BatchTrained(W_out, b_out, err, loss, reach, stop, hist)
