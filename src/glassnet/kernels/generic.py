"""The generic compiled kernel: one machine-code function for every architecture.

Sizes, activations, biases and the loss are read from small int64 tables at
run time, so this kernel is compiled once (and cached on disk) and serves any
network at once. It does the reference's arithmetic in the reference's order,
like the per-architecture kernels of :mod:`glassnet.kernels.single`, and gives
bit-for-bit the same numbers as they do; it is about half as fast as them on
the seed's tiny network (the compiler cannot unroll loops whose trip counts it
does not know), and it is what short runs use, so that they never wait for a
new architecture to compile.

Tables (see :func:`layout`): ``sizes`` ``(L+1,)``; ``act`` ``(L,)`` activation
codes; ``has_b`` ``(L,)``; ``w_off``/``b_off`` ``(L+1,)`` starts of each
layer's weights/bias in the flat ``W``/``b``; ``a_off`` ``(L+2,)`` starts of
each ``a[l]`` in the activation buffer ``A``. ``D`` holds the deltas laid out
like ``A`` without ``a[0]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from glassnet.activations import Array
from glassnet.network import Network

#: Activation codes used inside the kernel.
SIGMOID, TANH, RELU, LINEAR = 0, 1, 2, 3
ACTIVATION_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}
#: Loss codes used inside the kernel.
HALF_SQUARED_ERROR, BINARY_CROSS_ENTROPY = 0, 1
LOSS_CODES = {
    "half_squared_error": HALF_SQUARED_ERROR,
    "binary_cross_entropy": BINARY_CROSS_ENTROPY,
}

# state[] slots (the same as glassnet.kernels.single's)
_NEXT_CKPT, _SAT_ITER, _SAT_LAYER, _STOP_ITER = 0, 1, 2, 3


@njit(cache=True, error_model="numpy")
def train_kernel(
    X,
    y,
    sizes,
    act,
    has_b,
    loss_code,
    learning_rate,
    train_biases,
    W,
    b,
    w_off,
    b_off,
    a_off,
    A,
    D,
    k_start,
    k_end,
    ckpt_iters,
    ckpt_W,
    ckpt_b,
    loss_hist,
    err_hist,
    state,
):  # pragma: no cover - compiled
    """Run iterations ``k_start .. k_end-1`` in place; return the iterations done.

    ``W`` and ``b`` hold the current params and are updated in place. ``A`` and
    ``D`` are work buffers (``D`` is laid out like ``A`` without ``a[0]``).
    ``state`` carries the next checkpoint index, the saturation (iteration,
    layer) and the stop iteration (-1 where none) between calls. Returns
    ``k_end`` or, for a run whose loss stopped being finite at iteration
    ``k``, ``k`` (and sets ``state[_STOP_ITER] = k``).

    Branches on the activation and the loss sit outside the loops over
    elements, so each loop is as plain as the C one.
    """
    n_samples = X.shape[0]
    n_layers = sizes.shape[0] - 1
    d_base = a_off[1]
    n_ckpt = ckpt_iters.shape[0]
    n_last = sizes[n_layers]
    out0 = a_off[n_layers]
    dout0 = out0 - d_base
    last_code = act[n_layers - 1]
    for i in range(n_samples):
        for j in range(sizes[0]):
            A[i * sizes[0] + j] = X[i, j]
    for k in range(k_start, k_end):
        # checkpoint: the weights before the update of iteration #k
        c = state[_NEXT_CKPT]
        if c < n_ckpt and ckpt_iters[c] == k:
            for m in range(W.shape[0]):
                ckpt_W[c, m] = W[m]
            for m in range(b.shape[0]):
                ckpt_b[c, m] = b[m]
            state[_NEXT_CKPT] = c + 1
        # forward: z[l] = a[l] @ W[l] (+ b[l]);  a[l+1] = f_l(z[l])
        for l in range(n_layers):
            n_in = sizes[l]
            n_out = sizes[l + 1]
            a_in = a_off[l]
            a_out = a_off[l + 1]
            a_end = a_off[l + 2]
            w0 = w_off[l]
            for i in range(n_samples):
                for j in range(n_out):
                    z = 0.0
                    for m in range(n_in):
                        z += A[a_in + i * n_in + m] * W[w0 + m * n_out + j]
                    A[a_out + i * n_out + j] = z
            if has_b[l]:
                b0 = b_off[l]
                for i in range(n_samples):
                    for j in range(n_out):
                        A[a_out + i * n_out + j] = A[a_out + i * n_out + j] + b[b0 + j]
            code = act[l]
            if code == SIGMOID:
                for m in range(a_out, a_end):
                    A[m] = 1.0 / (1.0 + math.exp(-A[m]))
            elif code == TANH:
                for m in range(a_out, a_end):
                    A[m] = math.tanh(A[m])
            elif code == RELU:
                for m in range(a_out, a_end):
                    A[m] = 0.0 if A[m] < 0.0 else A[m]  # NaN stays NaN, like np.maximum
            # saturation: a sigmoid/tanh output exactly at an end of its range
            # (and no NaN, which makes the reference's a.min()/a.max() test false)
            if state[_SAT_ITER] < 0 and (code == SIGMOID or code == TANH):
                low = 0.0 if code == SIGMOID else -1.0
                at_end = False
                nan = False
                for m in range(a_out, a_end):
                    at_end = at_end or A[m] == low or A[m] == 1.0
                    nan = nan or A[m] != A[m]
                if at_end and not nan:
                    state[_SAT_ITER] = k
                    state[_SAT_LAYER] = l
        # loss, the seed's error sum, and the output delta -dL/dz
        loss_sum = 0.0
        err_sum = 0.0
        if loss_code == HALF_SQUARED_ERROR:
            # L = 0.5 * sum((y - a)^2);  delta = (y - a) * f'(a)
            for i in range(n_samples):
                for j in range(n_last):
                    e = y[i, j] - A[out0 + i * n_last + j]
                    loss_sum += e * e
                    err_sum += abs(e)
                    D[dout0 + i * n_last + j] = e
            loss = 0.5 * loss_sum
            if last_code == SIGMOID:
                for m in range(n_samples * n_last):
                    a = A[out0 + m]
                    D[dout0 + m] = D[dout0 + m] * (a * (1.0 - a))
            elif last_code == TANH:
                for m in range(n_samples * n_last):
                    a = A[out0 + m]
                    D[dout0 + m] = D[dout0 + m] * (1.0 - a * a)
            elif last_code == RELU:
                for m in range(n_samples * n_last):
                    D[dout0 + m] = D[dout0 + m] * (1.0 if A[out0 + m] > 0.0 else 0.0)
            else:
                for m in range(n_samples * n_last):
                    D[dout0 + m] = D[dout0 + m] * 1.0
        else:
            # L = -sum(y ln a + (1 - y) ln(1 - a));  delta = y - a
            for i in range(n_samples):
                for j in range(n_last):
                    t = y[i, j]
                    a = A[out0 + i * n_last + j]
                    pos = t * math.log(a) if t > 0.0 else 0.0
                    neg = (1.0 - t) * math.log(1.0 - a) if t < 1.0 else 0.0
                    loss_sum += pos + neg
                    err_sum += abs(t - a)
                    D[dout0 + i * n_last + j] = t - a
            loss = -loss_sum
        loss_hist[k] = loss
        err_hist[k] = err_sum
        if not math.isfinite(loss):
            state[_STOP_ITER] = k
            return k
        # hidden deltas: delta[l] = (delta[l+1] @ W[l+1].T) * f_l'(a[l+1])
        for l in range(n_layers - 2, -1, -1):
            n_mid = sizes[l + 1]
            n_next = sizes[l + 2]
            d_mid = a_off[l + 1] - d_base
            d_next = a_off[l + 2] - d_base
            a_mid = a_off[l + 1]
            w_next = w_off[l + 1]
            for i in range(n_samples):
                for m in range(n_mid):
                    e = 0.0
                    for j in range(n_next):
                        e += D[d_next + i * n_next + j] * W[w_next + m * n_next + j]
                    D[d_mid + i * n_mid + m] = e
            code = act[l]
            n_el = n_samples * n_mid
            if code == SIGMOID:
                for m in range(n_el):
                    a = A[a_mid + m]
                    D[d_mid + m] = D[d_mid + m] * (a * (1.0 - a))
            elif code == TANH:
                for m in range(n_el):
                    a = A[a_mid + m]
                    D[d_mid + m] = D[d_mid + m] * (1.0 - a * a)
            elif code == RELU:
                for m in range(n_el):
                    D[d_mid + m] = D[d_mid + m] * (1.0 if A[a_mid + m] > 0.0 else 0.0)
            else:
                for m in range(n_el):
                    D[d_mid + m] = D[d_mid + m] * 1.0
        # updates: W[l] += lr * (a[l].T @ delta[l]);  b[l] += lr * delta[l].sum(axis=0)
        for l in range(n_layers):
            n_in = sizes[l]
            n_out = sizes[l + 1]
            a_in = a_off[l]
            d0 = a_off[l + 1] - d_base
            w0 = w_off[l]
            for m in range(n_in):
                for j in range(n_out):
                    g = 0.0
                    for i in range(n_samples):
                        g += A[a_in + i * n_in + m] * D[d0 + i * n_out + j]
                    W[w0 + m * n_out + j] += learning_rate * g
            if has_b[l] and train_biases:
                b0 = b_off[l]
                for j in range(n_out):
                    g = D[d0 + j]
                    for i in range(1, n_samples):
                        g += D[d0 + i * n_out + j]
                    b[b0 + j] += learning_rate * g
    return k_end


def layout(network: Network, n_samples: int) -> tuple[Array, Array, Array, Array, Array, Array]:
    """The int64 tables the kernels use: ``sizes, act, has_b, w_off, b_off, a_off``."""
    sizes = np.array(network.sizes, dtype=np.int64)
    act = np.array([ACTIVATION_CODES[a.name] for a in network.activations], dtype=np.int64)
    has_b = np.array(network.bias, dtype=np.int64)
    shapes = network.shapes
    w_off = np.concatenate([[0], np.cumsum([i * o for i, o in shapes])]).astype(np.int64)
    b_off = np.concatenate(
        [[0], np.cumsum([o if hb else 0 for (_, o), hb in zip(shapes, network.bias)])]
    ).astype(np.int64)
    a_off = np.concatenate([[0], np.cumsum([n_samples * s for s in network.sizes])]).astype(
        np.int64
    )
    return sizes, act, has_b, w_off, b_off, a_off
