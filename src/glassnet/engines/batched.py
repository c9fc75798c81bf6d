"""The batched kernel: many networks of one architecture trained together.

Every network sees the same data ``X``, ``y`` and differs in its initial
params (its seed) and its learning rate. Each does exactly the arithmetic of a
single run (:mod:`glassnet.engines.single`, hence of the reference), but the
innermost loop of every operation runs over the *networks*, so the compiler
turns it into vector instructions; the sigmoid uses
:func:`glassnet.engines.fastexp.exp` (within 1 ulp of the C library's) so
that it vectorizes too. Networks are processed in chunks small enough to stay
in the CPU's caches; the kernel releases the GIL, and one Python thread per
core trains its own share of the networks.

Only summaries are kept (bounded memory): final params, the error sum and
loss of iteration ``#N`` (the final params' forward pass), the first
iteration whose error sum is at most a target, and the iteration a network
stopped at (its loss was not finite; like a single run it then keeps the
params it had, and applies no more updates).

Layout: params are ``(n_params, n_networks)`` arrays, ``W[w_off[l] + m *
n_out + j, t]`` being ``W[l][m, j]`` of network ``t`` (see
:class:`glassnet.engines.codegen.Spec`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.engines.codegen import (
    Spec,
    Writer,
    load_module,
    record_compiled,
    stem_of,
)
from glassnet.network import Network
from glassnet.training import BatchTrained
from glassnet.types import Array

#: Sums over at most this many terms are written out term by term (kept in a
#: register); longer ones loop over a buffer.
UNROLL = 16

#: Bytes of work buffers per chunk of networks (about half the L1 data cache).
CHUNK_BYTES = 16 * 1024


def copy_chunk_in(w: Writer, w_off: list[int], b_off: list[int]) -> None:
    """Emit the per-chunk state (alive/reached/stopped flags) and copy the chunk's
    networks' params and learning rates into the contiguous work arrays."""
    w("alive = np.ones(n, dtype=np.bool_)")
    w("reach = np.full(n, -1, dtype=np.int64)")
    w("stop = np.full(n, -1, dtype=np.int64)")
    w(f"for p in range({w_off[-1]}):")
    w("    for t in range(n):")
    w("        Wc[p, t] = W[p, lo + t]")
    w(f"for p in range({b_off[-1]}):")
    w("    for t in range(n):")
    w("        bc[p, t] = b[p, lo + t]")
    w("for t in range(n):")
    w("    lr[t] = rate[lo + t]")


def emit_sum(w: Writer, acc: str, terms: list[tuple[str, str]], first_plain: bool = False) -> None:
    """``acc = 0.0; acc += a * b ...`` in order (or ``acc = a0; acc += a1 ...`` if ``first_plain``).

    ``terms`` are ``(a, b)`` source pairs; with ``first_plain`` each is
    ``(a, "")`` and summed without products.
    """
    if first_plain:
        w(f"{acc} = {terms[0][0]}")
        for a, _ in terms[1:]:
            w(f"{acc} += {a}")
        return
    w(f"{acc} = 0.0")
    for a, b in terms:
        w(f"{acc} += {a} * {b}")


def fastexp_digest() -> str:
    """A hash of :mod:`glassnet.engines.fastexp`'s source (16 hex digits)."""
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(__file__).with_name("fastexp.py").read_bytes()).hexdigest()[:16]


def kernel_source(spec: Spec) -> str:
    """The numba source of the batched training kernel for one architecture.

    Small networks on small data get the *fused* kernel
    (:func:`fused_kernel_source`); others the looped one
    (:func:`looped_kernel_source`). Both do the same arithmetic.
    """
    if fusable(spec):
        return fused_kernel_source(spec)
    return looped_kernel_source(spec)


#: The fused kernel holds ``n_samples * (n_weights + n_units)`` numbers per
#: network in local variables; above this it is the looped kernel.
FUSE_LIMIT = 1200


def fusable(spec: Spec) -> bool:
    """Whether :func:`fused_kernel_source` suits ``spec`` (small enough to write out)."""
    n_weights = spec.w_offsets()[-1]
    return spec.n_samples * (n_weights + sum(spec.sizes[1:])) <= FUSE_LIMIT


def fused_kernel_source(spec: Spec) -> str:
    """The batched kernel with one iteration of one network written out as straight code.

    Per iteration, one vector loop over the networks of a chunk does the
    whole step: it loads each network's params, runs the forward pass, the
    loss, the deltas and the updates with every number in a local variable
    (named after the math: ``a1_i0_j0`` is ``a[1][0, 0]``, ``d0_i2_j1`` is
    ``delta[0][2, 1]``), and stores the new params. Memory traffic per
    network and iteration is just its params, which is what makes the batch
    fast.
    """
    N, sizes, L = spec.n_samples, spec.sizes, spec.n_layers
    w_off, b_off = spec.w_offsets(), spec.b_offsets()

    def a(l: int, i: int, j: int) -> str:
        return f"x_i{i}_j{j}" if l == 0 else f"a{l}_i{i}_j{j}"

    def wv(l: int, m: int, j: int) -> str:
        return f"w{l}_m{m}_j{j}"

    def bv(l: int, j: int) -> str:
        return f"b{l}_j{j}"

    def d(l: int, i: int, j: int) -> str:
        return f"d{l}_i{i}_j{j}"

    w = Writer()
    w(f"# Generated by glassnet.engines.batched (fused) for {spec!r}. Do not edit.")
    # numba's cache does not notice a change in a called module; naming the
    # exp's source hash here makes a changed exp a new kernel file.
    w(f"# glassnet.engines.fastexp source sha256 {fastexp_digest()}")
    w("import math")
    w("import numpy as np")
    w("from numba import njit")
    w("from glassnet.engines.fastexp import exp as fexp")
    w()
    w()

    def forward_and_loss() -> None:
        """Emit, inside the loop over networks ``t``: load params, forward, loss, error sum."""
        for l in range(L):
            for m in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    w(f"{wv(l, m, j)} = Wc[{w_off[l] + m * sizes[l + 1] + j}, t]")
            if spec.bias[l]:
                for j in range(sizes[l + 1]):
                    w(f"{bv(l, j)} = bc[{b_off[l] + j}, t]")
        for l in range(L):
            act = spec.activation(l)
            w(
                f"# layer {l} forward: a[{l + 1}] = {act.name}(a[{l}] @ W[{l}]"
                f"{' + b[%d]' % l if spec.bias[l] else ''})"
            )
            for i in range(N):
                for j in range(sizes[l + 1]):
                    w("z = 0.0")
                    for m in range(sizes[l]):
                        w(f"z += {a(l, i, m)} * {wv(l, m, j)}")
                    if spec.bias[l]:
                        w(f"z = z + {bv(l, j)}")
                    w(f"{a(l + 1, i, j)} = {act.kernel('z', exp='fexp')}")
        last, loss = spec.activation(L - 1), spec.loss_fn
        w(f"# loss {loss.name} and the post's error sum, summed in the reference's order")
        w("loss_sum = 0.0")
        w("err_sum = 0.0")
        for i in range(N):
            for j in range(sizes[L]):
                out, t = a(L, i, j), f"y_i{i}_j{j}"
                w(f"e = {t} - {out}")
                w(f"loss_sum += {loss.kernel_term(t, out, 'e')}")
                w("err_sum += abs(e)")
                w(f"{d(L - 1, i, j)} = {loss.kernel_delta(t, out, 'e', last.kernel_grad(out))}")
        w(f"loss = {loss.kernel_total('loss_sum')}")

    w('@njit(cache=True, error_model="numpy", nogil=True)')
    w("def train_batch(X, y, W, b, rate, iterations, train_biases, target, chunk, first, end,")
    w("                out_err, out_loss, out_reach, out_stop, every, hist):")
    w.indent()
    for i in range(N):
        for m in range(sizes[0]):
            w(f"x_i{i}_j{m} = X[{i}, {m}]")
        for j in range(sizes[L]):
            w(f"y_i{i}_j{j} = y[{i}, {j}]")
    w("# networks first .. end-1, a chunk at a time (threads take disjoint ranges)")
    w("n_chunks = (end - first + chunk - 1) // chunk")
    w("for c in range(n_chunks):")
    w.indent()
    w("lo = first + c * chunk")
    w("n = min(chunk, end - lo)")
    w(f"Wc = np.empty(({w_off[-1]}, n))")
    w(f"bc = np.empty(({max(b_off[-1], 1)}, n))")
    w("lr = np.empty(n)")
    w("last_err = np.empty(n)")
    copy_chunk_in(w, w_off, b_off)
    w("for k in range(iterations):")
    w("    rec = k // every if every > 0 and k % every == 0 else -1  # error-history column")
    w("    for t in range(n):")
    w.indent().indent()
    forward_and_loss()
    w("last_err[t] = err_sum  # (a contiguous store keeps this loop vectorized)")
    w("# bookkeeping, branch-free so that it vectorizes")
    w("live = alive[t]")
    w("reached = live and reach[t] < 0 and err_sum <= target")
    w("reach[t] = k if reached else reach[t]")
    w("bad = live and not abs(loss) < math.inf  # not finite (inf or nan)")
    w("stop[t] = k if bad else stop[t]")
    w("live = live and not bad")
    w("alive[t] = live")
    for l in range(L - 2, -1, -1):
        act = spec.activation(l)
        w(f"# layer {l} delta = (delta[{l + 1}] @ W[{l + 1}].T) * {act.name}'(a[{l + 1}])")
        for i in range(N):
            for m in range(sizes[l + 1]):
                w("e = 0.0")
                for j in range(sizes[l + 2]):
                    w(f"e += {d(l + 1, i, j)} * {wv(l + 1, m, j)}")
                w(f"{d(l, i, m)} = e * {act.kernel_grad(a(l + 1, i, m))}")
    for l in range(L):
        w(f"# layer {l} update: W[{l}] += lr * (a[{l}].T @ delta[{l}]) (none after a stop)")
        for m in range(sizes[l]):
            for j in range(sizes[l + 1]):
                w("g = 0.0")
                for i in range(N):
                    w(f"g += {a(l, i, m)} * {d(l, i, j)}")
                old = wv(l, m, j)
                w(
                    f"Wc[{w_off[l] + m * sizes[l + 1] + j}, t] = {old} + lr[t] * g if live else {old}"
                )
        if spec.bias[l]:
            w(f"if train_biases:  # b[{l}] += lr * delta[{l}].sum(axis=0)")
            w.indent()
            for j in range(sizes[l + 1]):
                w(f"g = {d(l, 0, j)}")
                for i in range(1, N):
                    w(f"g += {d(l, i, j)}")
                w(f"bc[{b_off[l] + j}, t] = {bv(l, j)} + lr[t] * g if live else {bv(l, j)}")
            w.dedent()
    w.dedent()
    w("if rec >= 0:")
    w("    for t in range(n):")
    w("        hist[lo + t, rec] = last_err[t]")
    w.dedent()
    w("# pass #N: the final params' forward pass, error sum and loss")
    w("for t in range(n):")
    w.indent()
    forward_and_loss()
    w("if alive[t] and reach[t] < 0 and err_sum <= target:")
    w("    reach[t] = iterations")
    w("out_err[lo + t] = err_sum")
    w("out_loss[lo + t] = loss")
    w.dedent()
    w(f"for p in range({w_off[-1]}):")
    w("    for t in range(n):")
    w("        W[p, lo + t] = Wc[p, t]")
    w(f"for p in range({b_off[-1]}):")
    w("    for t in range(n):")
    w("        b[p, lo + t] = bc[p, t]")
    w("for t in range(n):")
    w("    out_reach[lo + t] = reach[t]")
    w("    out_stop[lo + t] = stop[t]")
    return w.text()


def looped_kernel_source(spec: Spec) -> str:
    """The batched kernel as loops over samples and units, each over the networks inside."""
    N, sizes, L = spec.n_samples, spec.sizes, spec.n_layers
    w_off, b_off = spec.w_offsets(), spec.b_offsets()
    # rows of A: a[1] .. a[L] (a[0] is X, shared by every network); D like A
    a_off = [0]
    for s in sizes[1:]:
        a_off.append(a_off[-1] + N * s)

    def a_row(l: int, i: str, m: str) -> str:
        """Source for ``a[l][i, m]`` of network ``t`` (``X[i, m]`` for ``l == 0``)."""
        if l == 0:
            return f"X[{i}, {m}]"
        return f"A[{a_off[l - 1]} + {i} * {sizes[l]} + {m}, t]"

    def big(n: int) -> bool:
        return n > UNROLL

    w = Writer()
    w(f"# Generated by glassnet.engines.batched for {spec!r}. Do not edit.")
    # numba's cache does not notice a change in a called module; naming the
    # exp's source hash here makes a changed exp a new kernel file.
    w(f"# glassnet.engines.fastexp source sha256 {fastexp_digest()}")
    w("import math")
    w("import numpy as np")
    w("from numba import njit")
    w("from glassnet.engines.fastexp import exp as fexp")
    w()
    w()
    w('@njit(cache=True, error_model="numpy", nogil=True)')
    w("def train_batch(X, y, W, b, rate, iterations, train_biases, target, chunk, first, end,")
    w("                out_err, out_loss, out_reach, out_stop, every, hist):")
    w.indent()
    w("# networks first .. end-1, a chunk at a time (threads take disjoint ranges)")
    w("n_chunks = (end - first + chunk - 1) // chunk")
    w("for c in range(n_chunks):")
    w.indent()
    w("lo = first + c * chunk")
    w("n = min(chunk, end - lo)")
    w(f"Wc = np.empty(({w_off[-1]}, n))")
    w(f"bc = np.empty(({max(b_off[-1], 1)}, n))")
    w(f"A = np.empty(({a_off[-1]}, n))")
    w(f"D = np.empty(({a_off[-1]}, n))")
    w("Z = np.empty(n)")
    w("lsum = np.empty(n)")
    w("esum = np.empty(n)")
    w("lr = np.empty(n)")
    copy_chunk_in(w, w_off, b_off)
    w("# iterations #0 .. #N-1 train; pass #N is the final params' forward pass only")
    w("for k in range(iterations + 1):")
    w.indent()
    w("rec = k // every if every > 0 and k % every == 0 and k < iterations else -1")
    for l in range(L):
        n_in, n_out, act = sizes[l], sizes[l + 1], spec.activation(l)
        w(
            f"# layer {l} forward: a[{l + 1}] = {act.name}(a[{l}] @ W[{l}]"
            f"{' + b[%d]' % l if spec.bias[l] else ''})"
        )
        w(f"for i in range({N}):")
        w(f"    for j in range({n_out}):")
        w.indent().indent()
        if not big(n_in):
            w("for t in range(n):")
            w.indent()
            emit_sum(
                w,
                "z",
                [
                    (a_row(l, "i", str(m)), f"Wc[{w_off[l]} + {m * n_out} + j, t]")
                    for m in range(n_in)
                ],
            )
        else:
            w("for t in range(n):")
            w("    Z[t] = 0.0")
            w(f"for m in range({n_in}):")
            w("    for t in range(n):")
            w(f"        Z[t] += {a_row(l, 'i', 'm')} * Wc[{w_off[l]} + m * {n_out} + j, t]")
            w("for t in range(n):")
            w.indent()
            w("z = Z[t]")
        if spec.bias[l]:
            w(f"z = z + bc[{b_off[l]} + j, t]")
        w(f"A[{a_off[l]} + i * {n_out} + j, t] = {act.kernel('z', exp='fexp')}")
        w.dedent()
        w.dedent()
        w.dedent()
    n_last, last, loss = sizes[L], spec.activation(L - 1), spec.loss_fn
    out0 = a_off[L - 1]
    w("# loss, the seed's error sum, and the output delta -dL/dz")
    w("for t in range(n):")
    w("    lsum[t] = 0.0")
    w("    esum[t] = 0.0")
    w(f"for i in range({N}):")
    w(f"    for j in range({n_last}):")
    w("        yij = y[i, j]")
    w("        for t in range(n):")
    w(f"            a = A[{out0} + i * {n_last} + j, t]")
    w("            e = yij - a")
    w(f"            lsum[t] += {loss.kernel_term('yij', 'a', 'e')}")
    w("            esum[t] += abs(e)")
    w(
        f"            D[{out0} + i * {n_last} + j, t] = "
        f"{loss.kernel_delta('yij', 'a', 'e', last.kernel_grad('a'))}"
    )
    loss_expr = loss.kernel_total("lsum[t]")
    w("if k == iterations:")
    w("    break")
    w("# bookkeeping, branch-free so that it vectorizes too")
    w("if rec >= 0:")
    w("    for t in range(n):")
    w("        hist[lo + t, rec] = esum[t]")
    w("for t in range(n):")
    w(f"    loss = {loss_expr}")
    w("    reached = alive[t] and reach[t] < 0 and esum[t] <= target")
    w("    reach[t] = k if reached else reach[t]")
    w("    bad = alive[t] and not abs(loss) < math.inf  # not finite (inf or nan)")
    w("    stop[t] = k if bad else stop[t]")
    w("    alive[t] = alive[t] and not bad")
    for l in range(L - 2, -1, -1):
        n_mid, n_next, act = sizes[l + 1], sizes[l + 2], spec.activation(l)
        w(f"# layer {l} delta = (delta[{l + 1}] @ W[{l + 1}].T) * {act.name}'(a[{l + 1}])")
        w(f"for i in range({N}):")
        w(f"    for m in range({n_mid}):")
        w.indent().indent()
        if not big(n_next):
            w("for t in range(n):")
            w.indent()
            emit_sum(
                w,
                "e",
                [
                    (
                        f"D[{a_off[l + 1]} + i * {n_next} + {j}, t]",
                        f"Wc[{w_off[l + 1]} + m * {n_next} + {j}, t]",
                    )
                    for j in range(n_next)
                ],
            )
        else:
            w("for t in range(n):")
            w("    Z[t] = 0.0")
            w(f"for j in range({n_next}):")
            w("    for t in range(n):")
            w(
                f"        Z[t] += D[{a_off[l + 1]} + i * {n_next} + j, t] * "
                f"Wc[{w_off[l + 1]} + m * {n_next} + j, t]"
            )
            w("for t in range(n):")
            w.indent()
            w("e = Z[t]")
        w(f"a = A[{a_off[l]} + i * {n_mid} + m, t]")
        w(f"D[{a_off[l]} + i * {n_mid} + m, t] = e * {act.kernel_grad('a')}")
        w.dedent()
        w.dedent()
        w.dedent()
    for l in range(L):
        n_in, n_out = sizes[l], sizes[l + 1]
        d0 = a_off[l]
        w(f"# layer {l} update: W[{l}] += lr * (a[{l}].T @ delta[{l}]) (not after a stop)")
        w(f"for m in range({n_in}):")
        w(f"    for j in range({n_out}):")
        w.indent().indent()
        if not big(N):
            w("for t in range(n):")
            w.indent()
            emit_sum(
                w, "g", [(a_row(l, str(i), "m"), f"D[{d0} + {i * n_out} + j, t]") for i in range(N)]
            )
        else:
            w("for t in range(n):")
            w("    Z[t] = 0.0")
            w(f"for i in range({N}):")
            w("    for t in range(n):")
            w(f"        Z[t] += {a_row(l, 'i', 'm')} * D[{d0} + i * {n_out} + j, t]")
            w("for t in range(n):")
            w.indent()
            w("g = Z[t]")
        w(f"old = Wc[{w_off[l]} + m * {n_out} + j, t]")
        w(f"Wc[{w_off[l]} + m * {n_out} + j, t] = old + lr[t] * g if alive[t] else old")
        w.dedent()
        w.dedent()
        w.dedent()
        if spec.bias[l]:
            w(f"if train_biases:  # b[{l}] += lr * delta[{l}].sum(axis=0)")
            w(f"    for j in range({n_out}):")
            w.indent().indent()
            if not big(N):
                w("for t in range(n):")
                w.indent()
                emit_sum(
                    w,
                    "g",
                    [(f"D[{d0} + {i * n_out} + j, t]", "") for i in range(N)],
                    first_plain=True,
                )
            else:
                w("for t in range(n):")
                w(f"    Z[t] = D[{d0} + j, t]")
                w(f"for i in range(1, {N}):")
                w("    for t in range(n):")
                w(f"        Z[t] += D[{d0} + i * {n_out} + j, t]")
                w("for t in range(n):")
                w.indent()
                w("g = Z[t]")
            w(f"old = bc[{b_off[l]} + j, t]")
            w(f"bc[{b_off[l]} + j, t] = old + lr[t] * g if alive[t] else old")
            w.dedent()
            w.dedent()
            w.dedent()
    w.dedent()
    w("# after pass #N: its error sum and loss, and whether it reached the target")
    w("for t in range(n):")
    w(f"    loss = {loss_expr}")
    w("    if alive[t] and reach[t] < 0 and esum[t] <= target:")
    w("        reach[t] = iterations")
    w("    out_err[lo + t] = esum[t]")
    w("    out_loss[lo + t] = loss")
    w(f"for p in range({w_off[-1]}):")
    w("    for t in range(n):")
    w("        W[p, lo + t] = Wc[p, t]")
    w(f"for p in range({b_off[-1]}):")
    w("    for t in range(n):")
    w("        b[p, lo + t] = bc[p, t]")
    w("for t in range(n):")
    w("    out_reach[lo + t] = reach[t]")
    w("    out_stop[lo + t] = stop[t]")
    return w.text()


def kernel_module(spec: Spec) -> Any:
    """The module of the compiled batched kernel for ``spec`` (generated and imported once)."""
    return load_module(kernel_source(spec), "batched_" + stem_of(spec))


def n_threads() -> int:
    """Cores this process may use."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def chunk_size(spec: Spec, n_networks: int, threads: int) -> int:
    """Networks per chunk: work buffers within :data:`CHUNK_BYTES`, a multiple of 8, and
    at least one chunk per thread."""
    floats_per_network = (
        2 * spec.n_samples * sum(spec.sizes[1:])
        + sum(i * o for i, o in zip(spec.sizes[:-1], spec.sizes[1:]))
        + sum(spec.sizes[1:])
        + 8
    )
    # the fused kernel keeps only params and a few flags per network in memory
    size = 512 if fusable(spec) else CHUNK_BYTES // (8 * floats_per_network)
    size = max(8, min(512, size - size % 8))
    per_thread = math.ceil(n_networks / max(threads, 1))
    return max(1, min(size, per_thread))


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
    """Train ``n_networks`` networks together; see :class:`BatchTrained`.

    Parameters
    ----------
    W : (n_weights, n_networks) float64
        Initial weights, flat per network. Not modified.
    b : (n_biases, n_networks) float64
        Initial biases.
    learning_rates : (n_networks,) float64
        One learning rate per network.
    target_error : float
        For :attr:`BatchTrained.reached` (``-inf`` to skip).
    history_every : int
        Record every network's error sum every this many iterations (0: not at all).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    spec = Spec.of(network, X.shape[0])
    module = kernel_module(spec)
    kernel = module.train_batch
    W = np.array(W, dtype=np.float64, order="C")
    b = np.array(b, dtype=np.float64, order="C").reshape(-1, W.shape[1])
    n_net = W.shape[1]
    rates = np.ascontiguousarray(np.broadcast_to(learning_rates, (n_net,)), dtype=np.float64)
    err = np.empty(n_net)
    loss = np.empty(n_net)
    reached = np.empty(n_net, dtype=np.int64)
    stopped = np.empty(n_net, dtype=np.int64)
    every = max(0, int(history_every))
    hist = np.full((n_net, math.ceil(iterations / every)), np.nan) if every else np.empty((1, 1))
    threads = max(1, min(n_threads(), math.ceil(n_net / 64)))
    chunk = chunk_size(spec, n_net, threads)
    # A few parts per thread, handed out as threads free up: a core slowed by
    # other work then takes fewer parts instead of holding everyone up.
    n_parts = threads if threads == 1 else min(4 * threads, math.ceil(n_net / chunk))
    bounds = np.linspace(0, n_net, n_parts + 1).round().astype(int)

    def part(p: int) -> None:
        kernel(
            X,
            y,
            W,
            b,
            rates,
            int(iterations),
            bool(train_biases),
            float(target_error),
            chunk,
            int(bounds[p]),
            int(bounds[p + 1]),
            err,
            loss,
            reached,
            stopped,
            every,
            hist,
        )

    if threads == 1:
        part(0)
    else:  # the kernel releases the GIL (nogil): one thread per core, disjoint networks
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(part, range(n_parts)))
    record_compiled(module)
    return BatchTrained(W, b, err, loss, reached, stopped, hist if every else None)
