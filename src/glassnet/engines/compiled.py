"""The compiled single-network engine: :func:`train`.

Same inputs and the same numbers as :func:`glassnet.training.train_reference`
(the specification), as explicit loops that numba compiles and that do no
Python-level work per iteration.

One strategy, two ways to write it
----------------------------------
The kernel's source is generated (:func:`kernel_source`) by one set of
emitters, in one of two forms that do the same operations in the same order
and give the same bits:

*unrolled*  every size, offset and activation of one architecture is a
            literal, so the compiler unrolls the tiny loops of small networks
            (3 inputs, 1 output) and drops every branch: about twice as fast
            as the table-driven form on the post's network. It costs a compile
            (about a second) per architecture, once per machine.
*table*     sizes, offsets, activations and loss are read from small integer
            tables at run time, and the layers are a loop: one kernel for every
            architecture, compiled once per machine. Short runs use it (they
            never wait for a compile), and so do deep networks, whose unrolled
            source would take the compiler minutes (:data:`MAX_UNROLLED_LAYERS`).

The unrolled form may also come from an ahead-of-time compiled module
(:mod:`glassnet.engines.aot`, an optional layer: same source, same bits, no
numba in the process).

Layout. The params are two flat float64 vectors: ``W`` holds every layer's
weights row-major (``W[l][m, j]`` at ``w_off[l] + m * n_out + j``), ``b``
every present bias. Work buffers ``A`` (activations ``a[0] = X .. a[L]``,
row-major ``(n_samples, n_l)`` each, one after the other) and ``D`` (deltas
``delta[l] = -dL/dz[l]``, laid out like ``A`` without ``a[0]``).

``state`` (int64, 4) carries between calls of the kernel: the index of the next
checkpoint, the saturation (iteration, layer) and the stop iteration (-1
where none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.engines.codegen import (
    Spec,
    Writer,
    activation_code,
    dispatch,
    each_activation,
    literal,
    load_module,
    loss_code,
    record_compiled,
    stem_of,
)
from glassnet.losses import LOSSES
from glassnet.network import Network, Params
from glassnet.training import (
    PROGRESS_EVERY,
    Checkpoints,
    CheckpointSchedule,
    Progress,
    Saturation,
    Stop,
    Trained,
    first_bad_layer,
)
from glassnet.types import Array

#: Iterations per kernel call when a progress callback wants to hear from us.
CHUNK = 16 * PROGRESS_EVERY

#: Runs at least this long get an unrolled kernel compiled for their architecture
#: (about 1 s once per architecture and machine, then loaded from numba's disk
#: cache); shorter runs use the table-driven kernel unless the unrolled one is ready.
SPECIALIZE_FROM = 50_000

#: Networks with more weight layers than this always use the table-driven kernel.
MAX_UNROLLED_LAYERS = 8

# state[] slots shared between calls of the kernel
_NEXT_CKPT, _SAT_ITER, _SAT_LAYER, _STOP_ITER = 0, 1, 2, 3

#: The arguments of every kernel, after the table-driven kernel's tables.
ARGUMENTS = (
    "X, y, learning_rate, train_biases, W, b, A, D, k_start, k_end,"
    " ckpt_iters, ckpt_W, ckpt_b, loss_hist, err_hist, state"
)
#: The table-driven kernel's leading arguments (see :func:`tables`).
TABLES = "sizes, act, has_b, loss_code, w_off, b_off, a_off"


# --------------------------------------------------------------------------- the emitters
# Each emitter writes one part of an iteration for one layer. ``v`` names the
# layer's sizes and offsets: numbers in the unrolled form, the table-driven
# form's local variables otherwise; ``f`` writes the layer's activation (or its
# derivative) of a source expression.


def _forward(w: Writer, v: dict[str, str], has_b: bool | str, f: Callable[[str], str]) -> None:
    """``z = a[l] @ W[l] (+ b[l])``; ``a[l+1] = f(z)``."""
    w(f"for i in range({v['N']}):")
    w(f"    for j in range({v['n_out']}):")
    w("        z = 0.0")
    w(f"        for m in range({v['n_in']}):")
    w(
        f"            z += A[{v['a_in']} + i * {v['n_in']} + m] * W[{v['w0']} + m * {v['n_out']} + j]"
    )
    if has_b is True:
        w(f"        z = z + b[{v['b0']} + j]")
    elif has_b:
        w(f"        if {has_b}:")
        w(f"            z = z + b[{v['b0']} + j]")
    w(f"        A[{v['a_out']} + i * {v['n_out']} + j] = {f('z')}")


def _saturation(w: Writer, v: dict[str, str], at_end: Callable[[str], str], layer: str) -> None:
    """Record the first iteration at which an output lands exactly on a saturation end.

    No NaN may be among the outputs: the reference's test is false then.
    """
    w("if sat_iter < 0:")
    w("    at_end = False")
    w("    nan = False")
    w(f"    for m in range({v['a_out']}, {v['a_out']} + {v['N']} * {v['n_out']}):")
    w(f"        at_end = at_end or {at_end('A[m]')}")
    w("        nan = nan or A[m] != A[m]")
    w("    if at_end and not nan:")
    w("        sat_iter = k")
    w(f"        sat_layer = {layer}")


def _loss(w: Writer, v: dict[str, str], term: str, delta: str, total: str) -> None:
    """The loss, the post's error sum ``sum(|y - a|)`` and the output delta ``-dL/dz``."""
    w("loss_sum = 0.0")
    w("err_sum = 0.0")
    w(f"for i in range({v['N']}):")
    w(f"    for j in range({v['n_last']}):")
    w(f"        a = A[{v['out0']} + i * {v['n_last']} + j]")
    w("        t = y[i, j]")
    w("        e = t - a")
    w(f"        loss_sum += {term}")
    w("        err_sum += abs(e)")
    w(f"        D[{v['dout0']} + i * {v['n_last']} + j] = {delta}")
    w(f"loss = {total}")


def _hidden_delta(w: Writer, v: dict[str, str], grad: Callable[[str], str]) -> None:
    """``delta[l] = (delta[l+1] @ W[l+1].T) * f_l'(a[l+1])``."""
    w(f"for i in range({v['N']}):")
    w(f"    for m in range({v['n_mid']}):")
    w("        e = 0.0")
    w(f"        for j in range({v['n_next']}):")
    w(
        f"            e += D[{v['d_next']} + i * {v['n_next']} + j]"
        f" * W[{v['w_next']} + m * {v['n_next']} + j]"
    )
    w(f"        a = A[{v['a_mid']} + i * {v['n_mid']} + m]")
    w(f"        D[{v['d_mid']} + i * {v['n_mid']} + m] = e * {grad('a')}")


def _update(w: Writer, v: dict[str, str], has_b: bool | str) -> None:
    """``W[l] += lr * (a[l].T @ delta[l])``; ``b[l] += lr * delta[l].sum(axis=0)``."""
    w(f"for m in range({v['n_in']}):")
    w(f"    for j in range({v['n_out']}):")
    w("        g = 0.0")
    w(f"        for i in range({v['N']}):")
    w(
        f"            g += A[{v['a_in']} + i * {v['n_in']} + m] * D[{v['d0']} + i * {v['n_out']} + j]"
    )
    w(f"        W[{v['w0']} + m * {v['n_out']} + j] += learning_rate * g")
    if not has_b:
        return
    condition = "train_biases" if has_b is True else f"train_biases and {has_b}"
    w(f"if {condition}:")
    w(f"    for j in range({v['n_out']}):")
    w(f"        g = D[{v['d0']} + j]")
    w(f"        for i in range(1, {v['N']}):")
    w(f"            g += D[{v['d0']} + i * {v['n_out']} + j]")
    w(f"        b[{v['b0']} + j] += learning_rate * g")


def _checkpoint(w: Writer, n_w: str, n_b: str) -> None:
    w("# checkpoint: the weights before the update of iteration #k")
    w("if k == next_at:")
    w(f"    for m in range({n_w}):")
    w("        ckpt_W[next_ckpt, m] = W[m]")
    w(f"    for m in range({n_b}):")
    w("        ckpt_b[next_ckpt, m] = b[m]")
    w("    next_ckpt += 1")
    w("    next_at = ckpt_iters[next_ckpt] if next_ckpt < n_ckpt else -1")


def _save_state(w: Writer) -> None:
    w(f"state[{_NEXT_CKPT}] = next_ckpt")
    w(f"state[{_SAT_ITER}] = sat_iter")
    w(f"state[{_SAT_LAYER}] = sat_layer")


def _prologue(w: Writer, signature: str, n_in: str) -> None:
    w("import math")
    w("from numba import njit")
    w()
    w()
    w('@njit(cache=True, error_model="numpy")')
    w(f"def train_kernel({signature}):")
    w.indent()
    w("n_ckpt = ckpt_iters.shape[0]")
    w("# the state lives in local variables (registers) while the loop runs")
    w(f"next_ckpt = state[{_NEXT_CKPT}]")
    w("next_at = ckpt_iters[next_ckpt] if next_ckpt < n_ckpt else -1")
    w(f"sat_iter = state[{_SAT_ITER}]")
    w(f"sat_layer = state[{_SAT_LAYER}]")
    w("n_samples = X.shape[0]")
    w("for i in range(n_samples):")
    w(f"    for m in range({n_in}):")
    w(f"        A[i * {n_in} + m] = X[i, m]")


def _stop_if_not_finite(w: Writer) -> None:
    w("loss_hist[k] = loss")
    w("err_hist[k] = err_sum")
    w("if not math.isfinite(loss):")
    w(f"    state[{_STOP_ITER}] = k")
    w.indent()
    _save_state(w)
    w.dedent()
    w("    return k")


def _ends_test(ends: tuple[float, ...], x: str) -> str:
    return " or ".join(f"{x} == {literal(e)}" for e in ends) or "False"


# --------------------------------------------------------------------------- the two forms


def unrolled_source(spec: Spec) -> str:
    """The kernel for one architecture: every size a literal, the layers written out."""
    N, sizes, L = spec.n_samples, spec.sizes, spec.n_layers
    w_off, b_off = spec.w_offsets(), spec.b_offsets()
    a_off = [0]
    for s in sizes:
        a_off.append(a_off[-1] + N * s)
    d_off = [a - a_off[1] for a in a_off[1:]]  # delta[l] starts at d_off[l]
    loss = spec.loss_fn
    w = Writer()
    w(f"# Generated by glassnet.engines.compiled for {spec!r}. Do not edit.")
    _prologue(w, ARGUMENTS, str(sizes[0]))
    w("for k in range(k_start, k_end):")
    w.indent()
    _checkpoint(w, str(w_off[-1]), str(b_off[-1]))
    for l in range(L):
        act = spec.activation(l)
        v = {
            "N": str(N),
            "n_in": str(sizes[l]),
            "n_out": str(sizes[l + 1]),
            "a_in": str(a_off[l]),
            "a_out": str(a_off[l + 1]),
            "w0": str(w_off[l]),
            "b0": str(b_off[l]),
        }
        bias = f" + b[{l}]" if spec.bias[l] else ""
        w(f"# layer {l} forward: z = a[{l}] @ W[{l}]{bias}; a[{l + 1}] = {act.name}(z)")
        _forward(w, v, spec.bias[l], act.kernel)
        if act.saturation_ends:
            w(f"# saturation: an output exactly {' or '.join(map(literal, act.saturation_ends))}")
            _saturation(w, v, lambda x, e=act.saturation_ends: _ends_test(e, x), str(l))  # type: ignore[misc]
    last = spec.activation(L - 1)
    v = {
        "N": str(N),
        "n_last": str(sizes[L]),
        "out0": str(a_off[L]),
        "dout0": str(d_off[L - 1]),
    }
    w(f"# loss {loss.name}, the post's error sum sum(|y - a|), and the output delta -dL/dz")
    _loss(
        w,
        v,
        loss.kernel_term("t", "a", "e"),
        loss.kernel_delta("t", "a", "e", last.kernel_grad("a")),
        loss.kernel_total("loss_sum"),
    )
    _stop_if_not_finite(w)
    for l in range(L - 2, -1, -1):
        act = spec.activation(l)
        v = {
            "N": str(N),
            "n_mid": str(sizes[l + 1]),
            "n_next": str(sizes[l + 2]),
            "d_mid": str(d_off[l]),
            "d_next": str(d_off[l + 1]),
            "a_mid": str(a_off[l + 1]),
            "w_next": str(w_off[l + 1]),
        }
        w(f"# layer {l} delta = (delta[{l + 1}] @ W[{l + 1}].T) * {act.name}'(a[{l + 1}])")
        _hidden_delta(w, v, act.kernel_grad)
    for l in range(L):
        v = {
            "N": str(N),
            "n_in": str(sizes[l]),
            "n_out": str(sizes[l + 1]),
            "a_in": str(a_off[l]),
            "d0": str(d_off[l]),
            "w0": str(w_off[l]),
            "b0": str(b_off[l]),
        }
        w(f"# layer {l} update: W[{l}] += lr * (a[{l}].T @ delta[{l}])")
        _update(w, v, spec.bias[l])
    w.dedent()
    _save_state(w)
    w("return k_end")
    return w.text()


def table_source() -> str:
    """The kernel for every architecture: sizes, activations and loss read from tables.

    Generated from every definition in :data:`~glassnet.activations.ACTIVATIONS`
    and :data:`~glassnet.losses.LOSSES`; each layer's activation is chosen by
    its code (:func:`~glassnet.engines.codegen.activation_code`).
    """
    w = Writer()
    w("# Generated by glassnet.engines.compiled: the table-driven kernel. Do not edit.")
    w("# Activations: " + ", ".join(f"{activation_code(a)} {a.name}" for a in ACTIVATIONS.values()))
    w("# Losses: " + ", ".join(f"{loss_code(x)} {x.name}" for x in LOSSES.values()))
    _prologue(w, f"{TABLES}, {ARGUMENTS}", "sizes[0]")
    w("n_layers = sizes.shape[0] - 1")
    w("d_base = a_off[1]")
    w("n_last = sizes[n_layers]")
    w("out0 = a_off[n_layers]")
    w("dout0 = out0 - d_base")
    w("last = act[n_layers - 1]")
    w("for k in range(k_start, k_end):")
    w.indent()
    _checkpoint(w, "W.shape[0]", "b.shape[0]")
    w("# forward: z[l] = a[l] @ W[l] (+ b[l]);  a[l+1] = f_l(z[l])")
    w("for l in range(n_layers):")
    w.indent()
    for name, value in (
        ("n_in", "sizes[l]"),
        ("n_out", "sizes[l + 1]"),
        ("a_in", "a_off[l]"),
        ("a_out", "a_off[l + 1]"),
        ("w0", "w_off[l]"),
        ("b0", "b_off[l]"),
        ("hb", "has_b[l]"),
        ("code", "act[l]"),
    ):
        w(f"{name} = {value}")
    v = {k: k for k in ("n_in", "n_out", "a_in", "a_out", "w0", "b0")} | {"N": "n_samples"}
    _forward(w, v, "hb", lambda z: each_activation("code", lambda a: a.kernel(z)))
    saturating = [(activation_code(a), "True") for a in ACTIVATIONS.values() if a.saturation_ends]
    if saturating:
        w("# saturation: an output exactly at an end its activation only approaches")
        w(f"if {dispatch('code', [*saturating, (-1, 'False')])}:")
        w.indent()
        _saturation(
            w,
            v,
            lambda x: each_activation("code", lambda a: _ends_test(a.saturation_ends, x)),
            "l",
        )
        w.dedent()
    w.dedent()
    w("# the loss, the post's error sum and the output delta -dL/dz")
    v = {"N": "n_samples", "n_last": "n_last", "out0": "out0", "dout0": "dout0"}
    grad = each_activation("last", lambda a: a.kernel_grad("a"))
    losses = list(LOSSES.values())
    _loss(
        w,
        v,
        dispatch("loss_code", [(loss_code(x), x.kernel_term("t", "a", "e")) for x in losses]),
        dispatch(
            "loss_code", [(loss_code(x), x.kernel_delta("t", "a", "e", grad)) for x in losses]
        ),
        dispatch("loss_code", [(loss_code(x), x.kernel_total("loss_sum")) for x in losses]),
    )
    _stop_if_not_finite(w)
    w("# hidden deltas: delta[l] = (delta[l+1] @ W[l+1].T) * f_l'(a[l+1])")
    w("for l in range(n_layers - 2, -1, -1):")
    w.indent()
    for name, value in (
        ("n_mid", "sizes[l + 1]"),
        ("n_next", "sizes[l + 2]"),
        ("d_mid", "a_off[l + 1] - d_base"),
        ("d_next", "a_off[l + 2] - d_base"),
        ("a_mid", "a_off[l + 1]"),
        ("w_next", "w_off[l + 1]"),
        ("code", "act[l]"),
    ):
        w(f"{name} = {value}")
    v = {k: k for k in ("n_mid", "n_next", "d_mid", "d_next", "a_mid", "w_next")} | {
        "N": "n_samples"
    }
    _hidden_delta(w, v, lambda a: each_activation("code", lambda x: x.kernel_grad(a)))
    w.dedent()
    w("# updates: W[l] += lr * (a[l].T @ delta[l]);  b[l] += lr * delta[l].sum(axis=0)")
    w("for l in range(n_layers):")
    w.indent()
    for name, value in (
        ("n_in", "sizes[l]"),
        ("n_out", "sizes[l + 1]"),
        ("a_in", "a_off[l]"),
        ("d0", "a_off[l + 1] - d_base"),
        ("w0", "w_off[l]"),
        ("b0", "b_off[l]"),
        ("hb", "has_b[l]"),
    ):
        w(f"{name} = {value}")
    v = {k: k for k in ("n_in", "n_out", "a_in", "d0", "w0", "b0")} | {"N": "n_samples"}
    _update(w, v, "hb")
    w.dedent()
    w.dedent()
    _save_state(w)
    w("return k_end")
    return w.text()


def kernel_source(spec: Spec) -> str:
    """The unrolled kernel's source for ``spec`` (what the AOT modules compile too)."""
    return unrolled_source(spec)


def tables(network: Network, n_samples: int) -> tuple[Array, ...]:
    """The int64 tables of the table-driven kernel: ``sizes, act, has_b, loss_code, w_off, b_off, a_off``."""
    sizes = np.array(network.sizes, dtype=np.int64)
    act = np.array([activation_code(a) for a in network.activations], dtype=np.int64)
    has_b = np.array(network.bias, dtype=np.int64)
    shapes = network.shapes
    w_off = np.concatenate([[0], np.cumsum([i * o for i, o in shapes])]).astype(np.int64)
    b_off = np.concatenate(
        [[0], np.cumsum([o if hb else 0 for (_, o), hb in zip(shapes, network.bias)])]
    ).astype(np.int64)
    a_off = np.concatenate([[0], np.cumsum([n_samples * s for s in network.sizes])]).astype(
        np.int64
    )
    return sizes, act, has_b, np.int64(loss_code(network.loss)), w_off, b_off, a_off  # type: ignore[return-value]


# --------------------------------------------------------------------------- choosing a kernel


def unrollable(spec: Spec) -> bool:
    """Whether the unrolled form suits ``spec`` (small enough to compile quickly)."""
    return spec.n_layers <= MAX_UNROLLED_LAYERS


def unrolled_kernel(spec: Spec) -> Callable[..., int]:
    """The compiled unrolled kernel for ``spec`` (generated, imported and compiled once)."""
    return load_module(unrolled_source(spec), "single_" + stem_of(spec)).train_kernel  # type: ignore[no-any-return]


def table_kernel(network: Network, n_samples: int) -> Callable[..., int]:
    """The table-driven kernel with this network's tables bound: the unrolled kernel's call."""
    module = load_module(table_source(), "single_tables")
    bound = tables(network, n_samples)

    def kernel(*args: Any) -> int:
        return module.train_kernel(*bound, *args)  # type: ignore[no-any-return]

    kernel.module = module  # type: ignore[attr-defined]
    return kernel


def use_unrolled(spec: Spec, iterations: int) -> bool:
    """Whether to train with the unrolled kernel rather than the table-driven one."""
    from glassnet.engines import aot
    from glassnet.engines.codegen import is_compiled

    if not unrollable(spec):
        return False
    return (
        iterations >= SPECIALIZE_FROM
        or aot.is_built(spec)
        or is_compiled(unrolled_source(spec), "single_" + stem_of(spec))
    )


# --------------------------------------------------------------------------- training


def flatten(params: Params) -> tuple[Array, Array]:
    """``(W, b)``: every layer's weights (row-major), then every present bias, as vectors."""
    W = np.concatenate([w.ravel() for w in params.weights])
    bs = [bb.ravel() for bb in params.biases if bb is not None]
    return W, (np.concatenate(bs) if bs else np.zeros(0))


def unflatten(network: Network, W: Array, b: Array, spec: Spec) -> Params:
    """The :class:`Params` stored in flat vectors ``W`` ``(..., n_w)`` and ``b`` ``(..., n_b)``."""
    w_off, b_off = spec.w_offsets(), spec.b_offsets()
    weights = tuple(
        W[..., w_off[l] : w_off[l + 1]].reshape(W.shape[:-1] + shape).copy()
        for l, shape in enumerate(network.shapes)
    )
    biases = tuple(
        b[..., b_off[l] : b_off[l + 1]].copy() if has else None
        for l, has in enumerate(network.bias)
    )
    return Params(weights, biases)


def train(
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
    specialize: bool | None = None,
    ahead_of_time: bool | None = None,
) -> Trained:
    """Train with the compiled kernel; same arguments and numbers as ``train_reference``.

    ``specialize`` picks the unrolled kernel (``True``) or the table-driven
    one (``False``); by default :func:`use_unrolled` decides. Both compute
    the same numbers. The unrolled kernel comes from its ahead-of-time
    compiled module where one is built (:mod:`glassnet.engines.aot`; no numba
    import, identical bits), else from numba's JIT; after a run with the JIT
    kernel a background build of the module is started.
    ``ahead_of_time=False`` always uses the JIT kernel (and starts no build).
    Without ``progress`` the whole run is one kernel call; with it, the run is
    cut into calls of :data:`CHUNK` iterations and ``progress`` is called
    between them.
    """
    from glassnet.engines import aot, runtime, warn_fallback

    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    spec = Spec.of(network, X.shape[0])
    if specialize is None:
        specialize = use_unrolled(spec, iterations)
    specialize = specialize and unrollable(spec)
    kernel = aot.kernel(spec) if specialize and ahead_of_time is not False else None
    jit = kernel is None
    if jit:
        try:
            runtime.start_numba()
        except runtime.KernelUnavailable as exc:  # numba broke after AOT modules were built here
            from glassnet.training import train_reference

            warn_fallback(str(exc))
            return train_reference(
                network,
                params,
                X,
                y,
                iterations=iterations,
                learning_rate=learning_rate,
                train_biases=train_biases,
                schedule=schedule,
                progress=progress,
            )
        kernel = unrolled_kernel(spec) if specialize else table_kernel(network, X.shape[0])
    W, b = flatten(params)
    A = np.empty(X.shape[0] * sum(spec.sizes))
    D = np.empty(X.shape[0] * sum(spec.sizes[1:]))
    ckpt_iters = np.ascontiguousarray(schedule.iterations(iterations), dtype=np.int64)
    ckpt_W = np.empty((len(ckpt_iters), W.size))
    ckpt_b = np.empty((len(ckpt_iters), b.size))
    loss_hist = np.empty(iterations)
    err_hist = np.empty(iterations)
    state = np.array([0, -1, -1, -1], dtype=np.int64)
    step = iterations if progress is None else CHUNK
    done = 0
    while done < iterations:
        end = min(done + step, iterations)
        reached = kernel(
            X,
            y,
            float(learning_rate),
            bool(train_biases),
            W,
            b,
            A,
            D,
            done,
            end,
            ckpt_iters,
            ckpt_W,
            ckpt_b,
            loss_hist,
            err_hist,
            state,
        )
        if jit:
            record_compiled(getattr(kernel, "module", None) or _module_of(kernel))
        if reached < end:
            break
        done = end
        if progress is not None:
            progress(done)
    if jit and specialize and ahead_of_time is None:
        aot.build_in_background(spec)  # for later runs of this architecture
    ck = unflatten(network, ckpt_W, ckpt_b, spec)
    checkpoints = Checkpoints(ckpt_iters, ck.weights, ck.biases)
    final = unflatten(network, W, b, spec)
    saturation = (
        Saturation(int(state[_SAT_ITER]), int(state[_SAT_LAYER])) if state[_SAT_ITER] >= 0 else None
    )
    k = int(state[_STOP_ITER])
    if k >= 0:
        stop = Stop(k, first_bad_layer(network, final, X), "loss is not finite")
        return Trained(
            loss_hist[: k + 1],
            err_hist[: k + 1],
            checkpoints.truncated(k + 1),
            final,
            k,
            stop,
            saturation,
        )
    return Trained(loss_hist, err_hist, checkpoints, final, iterations, None, saturation)


def _module_of(kernel: Any) -> Any:
    import sys

    return sys.modules[kernel.py_func.__module__]
