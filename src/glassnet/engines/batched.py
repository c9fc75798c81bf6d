"""The batched kernel: many networks of one architecture and one method trained together.

Every network sees the same data ``X``, ``y`` and the same :class:`~glassnet.training.Method`
(optimizer and its settings, mini-batches drawn by the method's one shuffle,
reduction, l2); networks differ in their initial params (their seed) and their
learning rate. Each does exactly the arithmetic of a single run (of
:mod:`glassnet.engines.compiled`, hence of the reference), but the innermost
loop of every operation runs over the *networks*, so the compiler turns it
into vector instructions; exponentials use :func:`glassnet.engines.fastexp.exp`
(within 1 ulp of the C library's) so that they vectorize too. Networks are
processed in chunks; the kernel releases the GIL, and one Python thread per
core trains its own share of the networks.

Only summaries are kept (bounded memory): final params, the error sum and
loss of iteration ``#N`` (the final params' forward pass), the first
iteration whose error sum is at most a target, and the iteration a network
stopped at (its loss, or its batch's loss, was not finite; like a single run
it then keeps the params it had and applies no more updates).

Two forms, one arithmetic
-------------------------
*fused*   (small networks on small data) one vector loop over the networks
          does a whole iteration of each: every number of the forward pass,
          the loss, the deltas and the updates lives in a local variable
          (named after the math: ``fa1_0_2`` is ``a[1][0, 2]`` of the full
          data, ``bd0_1_0`` is ``delta[0][1, 0]`` of the batch). Memory traffic
          per network and iteration is just its params and optimizer state.
*looped*  (larger ones) one example at a time through the layers, each
          operation a vector loop over the networks, the gradient summed over
          the examples into a buffer; then one loop per parameter updates it.

Both do the same operations in the same order and give the same bits.

What keeps the hot loop vectorized (on AVX2, AVX-512 and generic x86-64 alike):

* every per-network buffer of a chunk is a view into one block, its rows at
  fixed distances from each other, so the compiler proves that no two overlap
  (with one array per buffer it needs a run-time check per pair, allows 8, and
  leaves a 3-4-1 network's loop scalar);
* no load sits under a condition (every value a branch-free select picks from
  is loaded first), and flags are combined with ``&``, not short-circuit ``and``;
* networks whose loss stopped being finite (rare) leave the chunk on a slow
  path outside the hot loop instead of being masked in it (the chunk's live
  networks are kept contiguous; ``idx`` maps them back), and the rest of the
  bookkeeping lives in :mod:`glassnet.engines.batched_chunks`.

The activation, its slope, the loss term, the output delta and one parameter's
update are small functions written once per kernel from their definitions;
LLVM inlines them into the loop, and numba checks each once instead of at
every use (about half the compile time).

Layout: params are ``(n_params, n_networks)`` arrays, ``W[w_off[l] + m *
n_out + j, t]`` being ``W[l][m, j]`` of network ``t`` (see
:class:`glassnet.engines.codegen.Spec`); the optimizer's state ``S`` holds
slot after slot, each laid out like ``W`` then ``b``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from glassnet.engines.codegen import Spec, Writer, load_module, record_compiled, stem_of
from glassnet.network import Network
from glassnet.optimizers import HYPER_NAMES
from glassnet.training import Batches, BatchTrained, Method
from glassnet.types import Array, IntArray

#: Sums over at most this many terms are written out term by term in the looped
#: kernel (kept in a register); longer ones loop over a buffer.
UNROLL = 16

#: A written-out sum gets at most this many terms per statement.
TERMS_PER_LINE = 16

#: The fused kernel writes out ``rows * (n_weights + n_units)`` operations per
#: pass, where ``rows`` counts every example of the full data and of each batch
#: size it trains on; above this it is the looped kernel.
FUSE_LIMIT = 1200

#: Bytes of per-network work buffers a chunk may hold (within a core's L2 cache).
CHUNK_BYTES = 256 * 1024

#: At most this many entries of shuffled example order per kernel call (mini-batches).
MAX_ORDER_ENTRIES = 2**20

#: The kernels' arguments.
ARGUMENTS = (
    "X, y, perms, e0, W, b, S, rates, hyper, k0, k1, iterations, train_biases, target,"
    " chunk, first, end, out_err, out_loss, reach, stop, every, hist"
)


# --------------------------------------------------------------------------- writing source


def emit_sum(w: Writer, name: str, terms: Sequence[str]) -> None:
    """``name = t0 + t1 + ...``, added left to right (long sums over several statements)."""
    w(f"{name} = {' + '.join(terms[:TERMS_PER_LINE])}")
    for at in range(TERMS_PER_LINE, len(terms), TERMS_PER_LINE):
        w(f"{name} = {name} + {' + '.join(terms[at : at + TERMS_PER_LINE])}")


#: The modules a generated kernel calls into (numba's cache does not notice their changes).
CALLED = ("fastexp.py", "batched_chunks.py")


def called_digest() -> str:
    """A hash of the source of the modules in :data:`CALLED` (16 hex digits)."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    for name in CALLED:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.hexdigest()[:16]


def batch_rows(spec: Spec) -> tuple[int, ...]:
    """The sizes of the batches a spec trains on: ``(n,)`` for the full batch, else the
    batch size and, when it does not divide ``n``, the size of each epoch's last batch."""
    N, B = spec.n_samples, spec.batch_size
    if B == 0:
        return (N,)
    return (B, N % B) if N % B else (B,)


def fusable(spec: Spec) -> bool:
    """Whether :func:`fused_kernel_source` suits ``spec`` (small enough to write out)."""
    n_weights = spec.w_offsets()[-1]
    rows = spec.n_samples + (sum(batch_rows(spec)) if spec.batch_size else 0)
    return rows * (n_weights + sum(spec.sizes[1:])) <= FUSE_LIMIT


def kernel_source(spec: Spec) -> str:
    """The numba source of the batched training kernel for ``spec``: the fused form for
    small networks on small data (:func:`fused_kernel_source`), else the looped one
    (:func:`looped_kernel_source`). Both do the same arithmetic."""
    if fusable(spec):
        return fused_kernel_source(spec)
    return looped_kernel_source(spec)


#: The optimizer's settings and Adam's corrections, as every parameter's update reads them.
SETTINGS = "l2, " + ", ".join(HYPER_NAMES) + ", c1, c2"


def _helpers(w: Writer, spec: Spec) -> None:
    """The small functions the kernel calls, each written once from its definition
    (LLVM inlines them into the vector loop): every layer's activation and its
    slope, the loss term and the output delta, and one parameter's update."""
    loss, last = spec.loss_fn, spec.activation(spec.n_layers - 1)
    jit = '@njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)'
    for l in range(spec.n_layers):
        act = spec.activation(l)
        if act.rowwise:
            w(jit)
            w(f"def numerator{l}(z, top):  # {act.name}: a_j = numerator_j / sum of numerators")
            w(f"    return {act.kernel('z', exp='fexp', max='top')}")
        else:
            w(jit)
            w(f"def act{l}(z):  # {act.name}")
            w(f"    return {act.kernel('z', exp='fexp')}")
            w(jit)
            w(f"def slope{l}(a):  # {act.name}' from its output")
            w(f"    return {act.kernel_grad('a')}")
        w()
    w(jit)
    w(f"def term(y, a, e):  # one term of {loss.name} (e = y - a)")
    w(f"    return {loss.kernel_term('y', 'a', 'e')}")
    w(jit)
    w("def delta(y, a, e):  # the output delta -dL/dz")
    w(f"    return {loss.kernel_delta('y', 'a', 'e', last.kernel_grad('a'))}")
    w()
    opt = spec.optimizer_fn
    slots = [f"st{s}" for s in range(len(opt.slots))]
    for kind, weight in (("weight", True), ("bias", False)):
        w(jit)
        w(
            f"def step_{kind}(acc, value, lr, good, rows, {''.join(s + ', ' for s in slots)}{SETTINGS}):"
        )
        w.indent()
        w(
            f'"""{kind}: from acc = a.T @ delta to its new value and state ({opt.name}: {opt.formula})."""'
        )
        w("g = -acc")
        if spec.mean:
            w("g = g / rows")
        if weight and spec.l2:
            w("g = g + l2 * value")
        for s in slots:
            w(f"so{s[2:]} = {s}")
        for line in opt.kernel_lines(lambda slot: slots[opt.slots.index(slot)]):
            w(line)
        results = ["(value + upd) if good else value"] + [
            f"{s} if good else so{s[2:]}" for s in slots
        ]
        w(f"return {', '.join(results)}")
        w.dedent()
        w()


def _step(
    w: Writer,
    spec: Spec,
    kind: str,
    acc: str,
    value: str,
    row: str,
    rows: str,
    store: str,
    good: str,
) -> None:
    """``store`` (and the optimizer's state of parameter ``row``) from ``step_<kind>``."""
    n_params = spec.w_offsets()[-1] + spec.b_offsets()[-1]
    state = [f"Sc[{s * n_params} + {row}, net]" for s in range(len(spec.optimizer_fn.slots))]
    targets = ", ".join([store, *state])
    args = ", ".join([acc, value, "lr", good, rows, *state, SETTINGS])
    w(f"{targets} = step_{kind}({args})")


def _header(w: Writer, spec: Spec, form: str) -> None:
    w(f"# Generated by glassnet.engines.batched ({form}) for {spec!r}. Do not edit.")
    # numba's cache does not notice a change in a called module; naming their
    # source's hash here makes a changed one a new kernel file.
    w(f"# {', '.join(CALLED)} source sha256 {called_digest()}")
    w("import math")
    w("import numpy as np")
    w("from numba import njit")
    w("from glassnet.engines.batched_chunks import gather, leave, record, scatter")
    w("from glassnet.engines.fastexp import exp as fexp")
    w()
    w()
    _helpers(w, spec)
    w()
    w('@njit(cache=True, error_model="numpy", nogil=True, no_cfunc_wrapper=True)')
    w(f"def train_batch({ARGUMENTS}):")
    w.indent()
    w("l2 = hyper[0]")
    for i, name in enumerate(HYPER_NAMES, 1):
        w(f"{name} = hyper[{i}]")
    w("n_samples = X.shape[0]")


def _chunk_buffers(
    w: Writer, spec: Spec, floats: Sequence[tuple[str, int | None]] = (), ints: Sequence[str] = ()
) -> None:
    """The work buffers of one chunk: its live networks' params, state and figures, one
    column per network, in the layout of :mod:`glassnet.engines.batched_chunks`. Each is
    a view into one block of :func:`capacity` columns, so that its rows lie at fixed
    distances from each other: the compiler then knows no two overlap and vectorizes
    the hot loop without run-time overlap checks (with a separate array per buffer it
    needs a check per pair and gives up)."""
    n_w, n_b = spec.w_offsets()[-1], spec.b_offsets()[-1]
    n_s = len(spec.optimizer_fn.slots) * (n_w + n_b)
    named: list[tuple[str, int | None]] = [
        ("rates_c", None),
        ("errs", None),
        ("losses", None),
        ("blosses", None),
        ("Wc", n_w),
        ("bc", n_b),
        ("Sc", n_s),
        *floats,
    ]
    cap = capacity(spec)
    w("# the work buffers of one chunk, one column per network, as rows of one block")
    w(f"C = np.empty(({sum(rows or 1 for _, rows in named)}, {cap}))")
    at = 0
    for name, rows in named:
        w(f"{name} = C[{at}]" if rows is None else f"{name} = C[{at}:{at + rows}]")
        at += rows or 1
    int_names = ["reach_c", "idx", *ints]
    w(f"I = np.empty(({len(int_names)}, {cap}), dtype=np.int64)")
    for row, name in enumerate(int_names):
        w(f"{name} = I[{row}]")


def _chunk_in(w: Writer) -> None:
    """Start a chunk: its live networks (``stop < 0``) into the work buffers."""
    w("# networks first .. end-1, a chunk at a time (threads take disjoint ranges)")
    w("n_chunks = (end - first + chunk - 1) // chunk")
    w("for c in range(n_chunks):")
    w.indent()
    w("lo = first + c * chunk")
    w("n = gather(W, b, S, rates, reach, stop, lo, min(lo + chunk, end), C, I)")


def _iteration_head(w: Writer) -> None:
    w("# passes k0 .. k1-1: #0 .. #N-1 train, #N is the final params' forward pass only")
    w("for k in range(k0, k1):")
    w.indent()
    w("train = k < iterations")
    w("# Adam's bias corrections (unused by the other optimizers)")
    w("t = k + 1.0")
    w("c1 = 1.0 - beta1 ** t")
    w("c2 = 1.0 - beta2 ** t")
    w("nbad = 0")


def _iteration_tail(w: Writer, spec: Spec) -> None:
    """History; then, rarely, the networks that stopped leave the chunk (the slow path)."""
    w("if every > 0 and k % every == 0 and train:")
    w("    record(hist, k // every, n, C, I)")
    w("if nbad > 0 and train:  # rare: a loss that is not finite")
    batched = "True" if spec.batch_size else "False"
    w(f"    n = leave(k, n, {batched}, every, W, b, S, reach, stop, out_err, out_loss, hist, C, I)")
    w.dedent()


def _chunk_out(w: Writer) -> None:
    w("scatter(W, b, S, reach, out_err, out_loss, n, k1 > iterations, C, I)")
    w.dedent()


def _network_loop(w: Writer) -> None:
    """Open the hot loop over the chunk's live networks (the loop the compiler vectorizes)."""
    w("for net in range(n):")
    w.indent()


def _reach(w: Writer, err: str) -> None:
    """The first pass whose error sum is at most the target (branch-free)."""
    w("r = reach_c[net]")
    w(f"reach_c[net] = k if (r < 0) & ({err} <= target) else r")


def _batch_position(w: Writer, spec: Spec) -> None:
    """This iteration's batch: examples ``perms[ep, start:start + nb]``."""
    w(f"ep = k // {math.ceil(spec.n_samples / spec.batch_size)} - e0")
    w(f"start = (k % {math.ceil(spec.n_samples / spec.batch_size)}) * {spec.batch_size}")
    w(f"nb = min({spec.batch_size}, n_samples - start)")


# --------------------------------------------------------------------------- the fused form


def fused_kernel_source(spec: Spec) -> str:
    """The batched kernel with one iteration of one network written out as straight code.

    Per iteration, one vector loop over the networks of a chunk does the whole
    step (with mini-batches: one loop over the full data for the recorded
    figures, then one over the batch for the update). Every number is a local
    variable named after the math and assigned once, prefixed by its pass:
    ``f`` for the full data, ``b0`` for a batch (``b1`` for an epoch's
    shorter last batch).
    """
    N, sizes, L, B = spec.n_samples, spec.sizes, spec.n_layers, spec.batch_size
    w_off, b_off = spec.w_offsets(), spec.b_offsets()
    n_w = w_off[-1]
    loss = spec.loss_fn

    def wv(l: int, m: int, j: int) -> str:
        return f"w{l}_{m}_{j}"

    def bv(l: int, j: int) -> str:
        return f"b{l}_{j}"

    def a(P: str, l: int, i: int, j: int) -> str:
        return f"{P}x{i}_{j}" if l == 0 else f"{P}a{l}_{i}_{j}"

    def d(P: str, l: int, i: int, j: int) -> str:
        return f"{P}d{l}_{i}_{j}"

    def load_params() -> None:
        for l in range(L):
            for m in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    w(f"{wv(l, m, j)} = Wc[{w_off[l] + m * sizes[l + 1] + j}, net]")
            if spec.bias[l]:
                for j in range(sizes[l + 1]):
                    w(f"{bv(l, j)} = bc[{b_off[l] + j}, net]")

    def forward(P: str, rows: int) -> None:
        for l in range(L):
            act = spec.activation(l)
            n_out = sizes[l + 1]
            bias = f" + b[{l}]" if spec.bias[l] else ""
            w(f"# layer {l} forward: a[{l + 1}] = {act.name}(a[{l}] @ W[{l}]{bias})")
            for i in range(rows):
                for j in range(n_out):
                    z = f"{P}z{l}_{i}_{j}"
                    terms = [f"{a(P, l, i, m)} * {wv(l, m, j)}" for m in range(sizes[l])]
                    emit_sum(w, z, terms + ([bv(l, j)] if spec.bias[l] else []))
                    if not act.rowwise:
                        w(f"{a(P, l + 1, i, j)} = act{l}({z})")
                if act.rowwise:
                    # a_j = n_j / sum_k n_k, n_j the numerator given the row's largest z (a NaN wins)
                    top = f"{P}top{l}_{i}"
                    w(f"{top}_0 = {P}z{l}_{i}_0")
                    for j in range(1, n_out):
                        z = f"{P}z{l}_{i}_{j}"
                        w(
                            f"{top}_{j} = {z} if ({z} > {top}_{j - 1}) | ({z} != {z}) else {top}_{j - 1}"
                        )
                    for j in range(n_out):
                        w(f"{P}n{l}_{i}_{j} = numerator{l}({P}z{l}_{i}_{j}, {top}_{n_out - 1})")
                    emit_sum(w, f"{P}sum{l}_{i}", [f"{P}n{l}_{i}_{j}" for j in range(n_out)])
                    for j in range(n_out):
                        w(f"{a(P, l + 1, i, j)} = {P}n{l}_{i}_{j} / {P}sum{l}_{i}")

    def loss_and_deltas(P: str, rows: int, deltas: bool, err: bool) -> None:
        w(f"# loss {loss.name}" + (", the post's error sum" if err else "") + " (in order)")
        terms, errors = [], []
        for i in range(rows):
            for j in range(sizes[L]):
                out, target, e = a(P, L, i, j), f"{P}y{i}_{j}", f"{P}e{i}_{j}"
                w(f"{e} = {target} - {out}")
                terms.append(f"term({target}, {out}, {e})")
                errors.append(f"abs({e})")
                if deltas:
                    w(f"{d(P, L - 1, i, j)} = delta({target}, {out}, {e})")
        emit_sum(w, f"{P}terms", terms)
        total = loss.kernel_total(f"{P}terms")
        w(f"{P}loss = {total} / {float(rows)!r}" if spec.mean else f"{P}loss = {total}")
        if err:
            emit_sum(w, "err_sum", errors)
        if not deltas:
            return
        for l in range(L - 2, -1, -1):
            act = spec.activation(l)
            w(f"# layer {l} delta = (delta[{l + 1}] @ W[{l + 1}].T) * {act.name}'(a[{l + 1}])")
            for i in range(rows):
                for m in range(sizes[l + 1]):
                    back = f"{P}h{l}_{i}_{m}"
                    terms = [
                        f"{d(P, l + 1, i, j)} * {wv(l + 1, m, j)}" for j in range(sizes[l + 2])
                    ]
                    emit_sum(w, back, terms)
                    w(f"{d(P, l, i, m)} = {back} * slope{l}({a(P, l + 1, i, m)})")

    def update(P: str, rows: int) -> None:
        opt = spec.optimizer_fn
        for l in range(L):
            w(f"# layer {l} update from g = dL/dW = -(a[{l}].T @ delta[{l}]): {opt.formula}")
            for m in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    p = w_off[l] + m * sizes[l + 1] + j
                    acc = f"{P}g{p}"
                    emit_sum(w, acc, [f"{a(P, l, i, m)} * {d(P, l, i, j)}" for i in range(rows)])
                    _step(
                        w,
                        spec,
                        "weight",
                        acc,
                        wv(l, m, j),
                        str(p),
                        repr(float(rows)),
                        f"Wc[{p}, net]",
                        f"{P}good",
                    )
            if spec.bias[l]:
                w(f"# b[{l}] from g = -delta[{l}].sum(axis=0) (where biases train)")
                for j in range(sizes[l + 1]):
                    p = b_off[l] + j
                    acc = f"{P}g{n_w + p}"
                    emit_sum(w, acc, [d(P, l, i, j) for i in range(rows)])
                    _step(
                        w,
                        spec,
                        "bias",
                        acc,
                        bv(l, j),
                        str(n_w + p),
                        repr(float(rows)),
                        f"bc[{p}, net]",
                        f"{P}bgood",
                    )

    def load_rows(P: str, rows: int, source: Callable[[int], str]) -> None:
        for i in range(rows):
            for m in range(sizes[0]):
                w(f"{a(P, 0, i, m)} = X[{source(i)}, {m}]")
            for j in range(sizes[L]):
                w(f"{P}y{i}_{j} = y[{source(i)}, {j}]")

    w = Writer()
    _header(w, spec, "fused")
    w("# the full data, in local variables")
    load_rows("f", N, str)
    _chunk_buffers(w, spec)
    _chunk_in(w)
    _iteration_head(w)
    if not B:
        _network_loop(w)
        w("lr = rates_c[net]")
        load_params()
        forward("f", N)
        loss_and_deltas("f", N, deltas=True, err=True)
        w("fok = abs(floss) < math.inf  # the loss is finite: the update applies")
        w("fgood = fok & train")
        w("fbgood = fgood & train_biases")
        update("f", N)
        w("errs[net] = err_sum")
        w("losses[net] = floss")
        _reach(w, "err_sum")
        w("nbad += 0 if fok else 1")
        w.dedent()
    else:
        w("# the full data: the recorded error sum and loss")
        _network_loop(w)
        load_params()
        forward("f", N)
        loss_and_deltas("f", N, deltas=False, err=True)
        w("errs[net] = err_sum")
        w("losses[net] = floss")
        _reach(w, "err_sum")
        w.dedent()
        w("if train:")
        w.indent()
        w("# the batch of iteration #k: its forward pass, loss, deltas and the update")
        _batch_position(w, spec)
        sizes_of_batches = batch_rows(spec)
        for number, rows in enumerate(sizes_of_batches):
            P = f"b{number}"
            if len(sizes_of_batches) > 1:
                w(f"if nb == {rows}:" if number == 0 else "else:")
                w.indent()
            load_rows(P, rows, lambda i: f"perms[ep, start + {i}]")
            _network_loop(w)
            w("lr = rates_c[net]")
            load_params()
            forward(P, rows)
            loss_and_deltas(P, rows, deltas=True, err=False)
            w(f"{P}ok = (abs(losses[net]) < math.inf) & (abs({P}loss) < math.inf)")
            w(f"{P}good = {P}ok")
            w(f"{P}bgood = {P}ok & train_biases")
            update(P, rows)
            w(f"blosses[net] = {P}loss")
            w(f"nbad += 0 if {P}ok else 1")
            w.dedent()
            if len(sizes_of_batches) > 1:
                w.dedent()
        w.dedent()
    _iteration_tail(w, spec)
    _chunk_out(w)
    return w.text()


# --------------------------------------------------------------------------- the looped form


def looped_kernel_source(spec: Spec) -> str:
    """The batched kernel one example at a time: each operation a vector loop over the
    networks, the gradient summed over the examples into ``G``, then the updates."""
    N, sizes, L = spec.n_samples, spec.sizes, spec.n_layers
    w_off, b_off = spec.w_offsets(), spec.b_offsets()
    n_w, n_b = w_off[-1], b_off[-1]
    loss = spec.loss_fn
    # H holds one example's a[1] .. a[L] (h_off[l] is where a[l+1] starts), R its deltas
    h_off = [0]
    for s in sizes[1:]:
        h_off.append(h_off[-1] + s)

    def big(count: int) -> bool:
        return count > UNROLL

    def row_pass(src: str, lsum: str, esum: str | None, backward: bool) -> None:
        """Example ``src``: forward, loss terms into ``lsum`` (and ``esum``), and, with
        ``backward``, its deltas and its share of the gradient into ``G``."""
        for l in range(L):
            n_in, n_out, act = sizes[l], sizes[l + 1], spec.activation(l)
            bias = f" + b[{l}]" if spec.bias[l] else ""
            w(f"# layer {l} forward: a[{l + 1}] = {act.name}(a[{l}] @ W[{l}]{bias})")

            def a_in(m: str, l: int = l) -> str:
                return f"x{m}" if l == 0 else f"H[{h_off[l - 1]} + {m}, net]"

            if l == 0 and not big(n_in):
                for m in range(n_in):
                    w(f"x{m} = X[{src}, {m}]")
            w(f"for j in range({n_out}):")
            w.indent()
            weight = f"Wc[{w_off[l]} + {{m}} * {n_out} + j, net]"
            if not big(n_in):
                w("for net in range(n):")
                w.indent()
                emit_sum(w, "z", [f"{a_in(str(m))} * {weight.format(m=m)}" for m in range(n_in)])
            else:
                w("for net in range(n):")
                w("    Z[net] = 0.0")
                w(f"for m in range({n_in}):")
                w.indent()
                if l == 0:
                    w(f"xm = X[{src}, m]")
                w("for net in range(n):")
                w(f"    Z[net] += {'xm' if l == 0 else a_in('m')} * {weight.format(m='m')}")
                w.dedent()
                w("for net in range(n):")
                w.indent()
                w("z = Z[net]")
            if spec.bias[l]:
                w(f"z = z + bc[{b_off[l]} + j, net]")
            w(f"H[{h_off[l]} + j, net] = {'z' if act.rowwise else f'act{l}(z)'}")
            w.dedent()
            w.dedent()
            if act.rowwise:
                o = h_off[l]
                w("# a_j = n_j / sum_k n_k, n_j the numerator given the row's largest z")
                w("for net in range(n):")
                w.indent()
                w(f"top = H[{o}, net]")
                w(f"for j in range(1, {n_out}):")
                w(f"    z = H[{o} + j, net]")
                w("    top = z if (z > top) | (z != z) else top")
                w("total = 0.0")
                w(f"for j in range({n_out}):")
                w(f"    z = numerator{l}(H[{o} + j, net], top)")
                w(f"    H[{o} + j, net] = z")
                w("    total += z")
                w(f"for j in range({n_out}):")
                w(f"    H[{o} + j, net] = H[{o} + j, net] / total")
                w.dedent()
        out = h_off[L - 1]
        w(
            "# the loss terms"
            + (", the post's error sum" if esum else "")
            + (" and the output delta" if backward else "")
        )
        w(f"for j in range({sizes[L]}):")
        w.indent()
        w(f"yj = y[{src}, j]")
        w("for net in range(n):")
        w.indent()
        w(f"av = H[{out} + j, net]")
        w("e = yj - av")
        w(f"{lsum}[net] += term(yj, av, e)")
        if esum:
            w(f"{esum}[net] += abs(e)")
        if backward:
            w(f"R[{out} + j, net] = delta(yj, av, e)")
        w.dedent()
        w.dedent()
        if not backward:
            return
        for l in range(L - 2, -1, -1):
            n_mid, n_next, act = sizes[l + 1], sizes[l + 2], spec.activation(l)
            w(f"# layer {l} delta = (delta[{l + 1}] @ W[{l + 1}].T) * {act.name}'(a[{l + 1}])")
            w(f"for m in range({n_mid}):")
            w.indent()
            weight = f"Wc[{w_off[l + 1]} + m * {n_next} + {{j}}, net]"
            delta = f"R[{h_off[l + 1]} + {{j}}, net]"
            if not big(n_next):
                w("for net in range(n):")
                w.indent()
                emit_sum(
                    w,
                    "e",
                    [f"{delta.format(j=j)} * {weight.format(j=j)}" for j in range(n_next)],
                )
            else:
                w("for net in range(n):")
                w("    Z[net] = 0.0")
                w(f"for j in range({n_next}):")
                w("    for net in range(n):")
                w(f"        Z[net] += {delta.format(j='j')} * {weight.format(j='j')}")
                w("for net in range(n):")
                w.indent()
                w("e = Z[net]")
            w(f"av = H[{h_off[l]} + m, net]")
            w(f"R[{h_off[l]} + m, net] = e * slope{l}(av)")
            w.dedent()
            w.dedent()
        w("# this example's share of the gradient sums a[l].T @ delta[l]")
        for l in range(L):
            n_in, n_out = sizes[l], sizes[l + 1]
            w(f"for m in range({n_in}):")
            w.indent()
            if l == 0:
                w(f"xm = X[{src}, m]")
            w(f"for j in range({n_out}):")
            w("    for net in range(n):")
            a_m = "xm" if l == 0 else f"H[{h_off[l - 1]} + m, net]"
            w(f"        G[{w_off[l]} + m * {n_out} + j, net] += {a_m} * R[{h_off[l]} + j, net]")
            w.dedent()
            if spec.bias[l]:
                w(f"for j in range({n_out}):")
                w("    for net in range(n):")
                w(f"        G[{n_w + b_off[l]} + j, net] += R[{h_off[l]} + j, net]")

    def update(rows: str, bad: str) -> None:
        opt = spec.optimizer_fn
        w("# which networks update: those whose loss is finite")
        w("for net in range(n):")
        w(f"    ok = {bad}")
        w("    goodc[net] = 1 if ok else 0")
        w("    nbad += 0 if ok else 1")
        w(f"# every weight from g = dL/dW = -(a.T @ delta): {opt.formula}")
        w(f"for p in range({n_w}):")
        w("    for net in range(n):")
        w.indent().indent()
        w("lr = rates_c[net]")
        w("good = goodc[net] != 0")
        _step(w, spec, "weight", "G[p, net]", "Wc[p, net]", "p", rows, "Wc[p, net]", "good")
        w.dedent()
        w.dedent()
        if n_b:
            w("if train_biases:")
            w(f"    for p in range({n_b}):")
            w("        for net in range(n):")
            w.indent().indent().indent()
            w("lr = rates_c[net]")
            w("good = goodc[net] != 0")
            _step(
                w, spec, "bias", f"G[{n_w} + p, net]", "bc[p, net]", f"{n_w} + p", rows,
                "bc[p, net]", "good",
            )  # fmt: skip
            w.dedent()
            w.dedent()
            w.dedent()

    def zero(*names: str) -> None:
        w("for net in range(n):")
        for name in names:
            w(f"    {name}[net] = 0.0")

    def zero_gradient() -> None:
        w(f"for p in range({n_w + n_b}):")
        w("    for net in range(n):")
        w("        G[p, net] = 0.0")

    def finish_full_pass() -> None:
        w("for net in range(n):")
        w.indent()
        w(f"floss = {loss.kernel_total('lsum[net]')}")
        if spec.mean:
            w(f"floss = floss / {float(N)!r}")
        w("errs[net] = esum[net]")
        w("losses[net] = floss")
        _reach(w, "esum[net]")
        w.dedent()

    w = Writer()
    _header(w, spec, "looped")
    n_units = h_off[-1]
    _chunk_buffers(
        w,
        spec,
        [
            ("H", n_units),
            ("R", n_units),
            ("G", n_w + n_b),
            ("Z", None),
            ("lsum", None),
            ("esum", None),
        ],
        ["goodc"],
    )
    _chunk_in(w)
    _iteration_head(w)
    if not spec.batch_size:
        w("# every example, one at a time: the loss, the error sum and the gradient")
        zero("lsum", "esum")
        zero_gradient()
        w(f"for i in range({N}):")
        w.indent()
        row_pass("i", "lsum", "esum", backward=True)
        w.dedent()
        finish_full_pass()
        w("if train:")
        w.indent()
        update(repr(float(N)), "abs(losses[net]) < math.inf")
        w.dedent()
    else:
        w("# every example, one at a time: the recorded loss and error sum")
        zero("lsum", "esum")
        w(f"for i in range({N}):")
        w.indent()
        row_pass("i", "lsum", "esum", backward=False)
        w.dedent()
        finish_full_pass()
        w("if train:")
        w.indent()
        w("# the batch of iteration #k, one example at a time: its loss and gradient")
        _batch_position(w, spec)
        zero("lsum")
        zero_gradient()
        w("for i in range(nb):")
        w.indent()
        w("row = perms[ep, start + i]")
        row_pass("row", "lsum", None, backward=True)
        w.dedent()
        w("for net in range(n):")
        w.indent()
        w(f"bloss = {loss.kernel_total('lsum[net]')}")
        if spec.mean:
            w("bloss = bloss / nb")
        w("blosses[net] = bloss")
        w.dedent()
        update("nb", "(abs(losses[net]) < math.inf) & (abs(blosses[net]) < math.inf)")
        w.dedent()
    _iteration_tail(w, spec)
    _chunk_out(w)
    return w.text()


# --------------------------------------------------------------------------- training


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


def capacity(spec: Spec) -> int:
    """Columns (networks) of a chunk's work buffers: the per-network buffers within
    :data:`CHUNK_BYTES`, a multiple of 8 (whole vectors), from 8 to 512. A literal in
    the kernel's source (see :func:`_chunk_buffers`)."""
    n_params = spec.w_offsets()[-1] + spec.b_offsets()[-1]
    per_network = (1 + len(spec.optimizer_fn.slots)) * n_params + 8
    if not fusable(spec):  # the example's activations, deltas and the gradient sums
        per_network += 2 * sum(spec.sizes[1:]) + n_params
    size = CHUNK_BYTES // (8 * per_network)
    return max(8, min(512, size - size % 8))


def chunk_size(spec: Spec, n_networks: int, threads: int) -> int:
    """Networks per chunk: up to :func:`capacity`, and at least one chunk per thread."""
    per_thread = math.ceil(n_networks / max(threads, 1))
    return max(1, min(capacity(spec), per_thread))


def _segments(batches: Batches, iterations: int) -> list[tuple[int, int, IntArray, int]]:
    """``(k0, k1, perms, e0)`` of each kernel call: passes ``k0 .. k1-1`` (``#N`` included
    in the last) and the shuffled order of the epochs they train on, at most
    :data:`MAX_ORDER_ENTRIES` numbers at a time."""
    if batches.full:
        return [(0, iterations + 1, np.zeros((1, 1), dtype=np.int64), 0)]
    epochs = max(1, MAX_ORDER_ENTRIES // batches.n_samples)
    step = epochs * batches.per_epoch
    out = []
    for k0 in range(0, iterations + 1, step):
        k1 = min(k0 + step, iterations + 1)
        trained = min(k1, iterations)
        if trained > k0:
            e0, e1 = batches.epoch(k0), batches.epoch(trained - 1)
            orders = [batches._permutation(e) for e in range(e0, e1 + 1)]
            perms = np.stack(orders).astype(np.int64)
        else:
            e0, perms = 0, np.zeros((1, 1), dtype=np.int64)
        out.append((k0, k1, perms, e0))
    return out


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
    method : Method, optional
        How every network updates its weights (default: the post's). With
        mini-batches, every network trains on the same batches, those of a
        single run with this method (:class:`~glassnet.training.Batches`).
    threads : int, optional
        Threads to train with (default: one per core this process may use).
    """
    method = method or Method()
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = X.shape[0]
    spec = Spec.of(network, n, method)
    module = kernel_module(spec)
    kernel = module.train_batch
    W = np.array(W, dtype=np.float64, order="C")
    n_net = W.shape[1]
    b = np.array(b, dtype=np.float64, order="C").reshape(-1, n_net)
    S = np.zeros((len(method.optimizer.slots) * (W.shape[0] + b.shape[0]), n_net))
    rates = np.ascontiguousarray(np.broadcast_to(learning_rates, (n_net,)), dtype=np.float64)
    hyper = np.array([float(method.l2), *method.hyper.values()])
    err = np.full(n_net, np.nan)
    loss = np.full(n_net, np.nan)
    reached = np.full(n_net, -1, dtype=np.int64)
    stopped = np.full(n_net, -1, dtype=np.int64)
    every = max(0, int(history_every))
    hist = np.full((n_net, math.ceil(iterations / every)), np.nan) if every else np.empty((1, 1))
    if threads is None:
        threads = max(1, min(n_threads(), math.ceil(n_net / 64)))
    chunk = chunk_size(spec, n_net, threads)
    # A few parts per thread, handed out as threads free up: a core slowed by
    # other work then takes fewer parts instead of holding everyone up.
    n_parts = threads if threads == 1 else min(4 * threads, math.ceil(n_net / chunk))
    bounds = np.linspace(0, n_net, n_parts + 1).round().astype(int)
    batches = Batches(n, method.batch_size, method.shuffle_seed)

    def call(k0: int, k1: int, perms: IntArray, e0: int, part: int) -> None:
        kernel(
            X, y, perms, e0, W, b, S, rates, hyper, k0, k1, int(iterations),
            bool(train_biases), float(target_error), chunk, int(bounds[part]),
            int(bounds[part + 1]), err, loss, reached, stopped, every, hist,
        )  # fmt: skip

    pool = None
    if threads > 1:  # the kernel releases the GIL (nogil): one thread per core, disjoint networks
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(threads)
    try:
        for k0, k1, perms, e0 in _segments(batches, int(iterations)):
            if pool is None:
                for part in range(n_parts):
                    call(k0, k1, perms, e0, part)
            else:
                list(pool.map(lambda part: call(k0, k1, perms, e0, part), range(n_parts)))  # noqa: B023  (map finishes within this iteration)
    finally:
        if pool is not None:
            pool.shutdown()
    record_compiled(module)
    return BatchTrained(W, b, err, loss, reached, stopped, hist if every else None)
