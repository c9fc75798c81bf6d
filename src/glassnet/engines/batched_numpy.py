"""The numpy batch engine: many networks of one architecture trained together, in numpy.

The same arithmetic as :func:`glassnet.engines.batched.train_batch` (and so as a
single run of each network), one numpy call per operation over all networks at
once; the sweep uses it where numba is missing. Networks are the last axis of
every array: ``W[l]`` is ``(n_in, n_out, n_networks)``.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.network import Network
from glassnet.training import BatchTrained
from glassnet.types import Array


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
) -> BatchTrained:
    """Train ``n_networks`` networks together in plain vectorized numpy (no compiler needed).

    Same arguments, layout and results as :func:`glassnet.engines.batched.train_batch`
    (up to numpy's own ``exp`` and matrix products, which may round differently
    in the last bit), one numpy call per operation over all networks at once.
    """
    # Networks last, as in the kernel: W[l] is (n_in, n_out, n_net), b[l] (n_out, n_net).
    n_net = W.shape[1]
    n_samples = X.shape[0]
    shapes, acts, loss = network.shapes, network.activations, network.loss
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
    rate = np.asarray(learning_rates, dtype=np.float64)
    alive = np.ones(n_net, dtype=bool)
    reach = np.full(n_net, -1, dtype=np.int64)
    stop = np.full(n_net, -1, dtype=np.int64)
    err = loss_value = np.empty(n_net)
    hist = (
        np.full((n_net, math.ceil(iterations / history_every)), np.nan) if history_every else None
    )
    y3 = y[:, :, None]
    with np.errstate(all="ignore"):
        for k in range(iterations + 1):
            a: list[Array] = []  # a[l+1], (n_samples, n_out, n_net); a[0] is X
            for layer, act in enumerate(acts):
                n_in, n_out = shapes[layer]
                if layer == 0:  # the inputs are shared: one matrix product for all networks
                    z = (X @ Ws[0].reshape(n_in, -1)).reshape(n_samples, n_out, n_net)
                else:
                    prev = a[-1]
                    z = prev[:, 0, None, :] * Ws[layer][None, 0]
                    for m in range(1, n_in):
                        z = z + prev[:, m, None, :] * Ws[layer][None, m]
                if bs[layer] is not None:
                    z = z + bs[layer][None]
                a.append(act.fn(z))
            out = a[-1]
            err = np.abs(y3 - out).sum(axis=(0, 1))
            loss_value = loss.scale * loss.terms(y3, out).sum(axis=(0, 1))
            delta = loss.output_delta(y3, out, acts[-1])
            reach[(reach < 0) & alive & (err <= target_error)] = k
            if k == iterations:
                break
            if hist is not None and k % history_every == 0:
                hist[:, k // history_every] = err
            bad = alive & ~np.isfinite(loss_value)
            stop[bad] = k
            alive &= ~bad
            deltas = [delta]
            for layer in range(len(acts) - 2, -1, -1):
                W_next, d_next = Ws[layer + 1], deltas[0]
                back = d_next[:, None, 0, :] * W_next[None, :, 0, :]
                for j in range(1, W_next.shape[1]):
                    back = back + d_next[:, None, j, :] * W_next[None, :, j, :]
                deltas.insert(0, back * acts[layer].grad(a[layer]))
            for layer in range(len(acts)):
                n_in, n_out = shapes[layer]
                d = deltas[layer]
                if layer == 0:
                    g = (X.T @ d.reshape(n_samples, -1)).reshape(n_in, n_out, n_net)
                else:
                    prev = a[layer - 1]
                    g = prev[0, :, None, :] * d[0, None, :, :]
                    for i in range(1, n_samples):
                        g = g + prev[i, :, None, :] * d[i, None, :, :]
                Ws[layer] = np.where(alive, Ws[layer] + rate * g, Ws[layer])
                if bs[layer] is not None and train_biases:
                    bs[layer] = np.where(alive, bs[layer] + rate * d.sum(axis=0), bs[layer])
    W_out = np.concatenate([w.reshape(-1, n_net) for w in Ws], axis=0)
    b_out = (
        np.concatenate([bb for bb in bs if bb is not None], axis=0)
        if any(bb is not None for bb in bs)
        else np.zeros((0, n_net))
    )
    return BatchTrained(W_out, b_out, err, loss_value, reach, stop, hist)
