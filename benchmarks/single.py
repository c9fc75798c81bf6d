"""One network trained once: ``python -m benchmarks.single [--quick]``.

The seed experiment (100,000 iterations, recording the loss and error sum of
every one) and Trask's three-layer xor network (60,000), each best-of-N,
side by side in one process:

1. the tutorial's plain numpy loop (written below, as the post's notebook
   writes it), the baseline of the ``vs numpy loop`` column;
2. glassnet's numpy reference (:func:`glassnet.training.train_reference`);
3. glassnet's compiled kernels (:func:`glassnet.engines.compiled.train`):
   the unrolled kernel from numba's JIT, the same from its ahead-of-time
   module (no numba at run time), and the table-driven kernel;
4. the same arithmetic as a plain C loop (``seed_loop.c``) compiled with
   ``gcc -O2`` when this benchmark runs, the baseline of ``vs C``.

Under ``NUMBA_CPU_NAME`` (how :mod:`benchmarks.run` measures an AVX2
compile, with ``NUMBA_CPU_FEATURES=""``) only the numba kernels and the C
loop are measured: the numpy rows do not depend on it, and the AOT module is
built for this CPU.
Each row carries its final weights' largest difference from the
reference's, relative to the weights' size: every implementation computes
the same run.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import HERE, ROOT, Rows, best_of, section_main, speedup, target_label

sys.path.insert(0, str(ROOT / "src"))

import glassnet
from glassnet.engines import aot, compiled, runtime
from glassnet.engines.codegen import Spec
from glassnet.training import CheckpointSchedule, train_reference

SEED_ITERATIONS = 100_000
XOR_ITERATIONS = 60_000


def nonlin(x: np.ndarray, deriv: bool = False) -> np.ndarray:
    """The tutorial's sigmoid (and its derivative from the output)."""
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def post_loop(X: np.ndarray, y: np.ndarray, syn0: np.ndarray, iterations: int) -> np.ndarray:
    """The post's training loop, plus the error-sum history its graphs plot."""
    errors = np.empty(iterations)
    for it in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l1_error = y - l1
        errors[it] = np.sum(np.abs(l1_error))
        l1_delta = l1_error * nonlin(l1, True)
        syn0 += np.dot(l0.T, l1_delta)
    return syn0


def trask_three_layer_loop(
    X: np.ndarray, y: np.ndarray, syn0: np.ndarray, syn1: np.ndarray, iterations: int
) -> np.ndarray:
    """Trask's three-layer xor network, plain numpy, recording the error sum."""
    errors = np.empty(iterations)
    for it in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y - l2
        errors[it] = np.sum(np.abs(l2_error))
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    return np.concatenate([syn0.ravel(), syn1.ravel()])


def build_c_loop(folder: Path) -> Callable[..., np.ndarray] | None:
    """``seed_loop.c`` compiled with ``gcc -O2`` into ``folder``; ``None`` without gcc."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    library = folder / "seed_loop.so"
    source = str(HERE / "seed_loop.c")
    subprocess.run([gcc, "-O2", "-shared", "-fPIC", source, "-o", str(library), "-lm"], check=True)
    lib = ctypes.CDLL(str(library))
    double_p = ctypes.POINTER(ctypes.c_double)
    lib.seed_loop.restype = ctypes.c_long
    lib.seed_loop.argtypes = [double_p, double_p, ctypes.c_long, ctypes.c_long, double_p]
    lib.seed_loop.argtypes += [ctypes.c_double, ctypes.c_long, double_p, double_p]

    def run(X: np.ndarray, y: np.ndarray, W: np.ndarray, lr: float, iterations: int) -> np.ndarray:
        X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
        W = np.ascontiguousarray(W).ravel().copy()
        loss, err = np.empty(iterations), np.empty(iterations)
        ptr = [a.ctypes.data_as(double_p) for a in (X, y, W, loss, err)]
        lib.seed_loop(ptr[0], ptr[1], X.shape[0], X.shape[1], ptr[2], lr, iterations, *ptr[3:])
        return W

    return run


def _case(
    name: str,
    exp: glassnet.Experiment,
    iterations: int,
    plain: Callable[[], np.ndarray],
    repeat: int,
    slow_repeat: int,
    c_loop: Callable[..., np.ndarray] | None,
) -> Rows:
    X, y = exp.data.X, exp.data.y
    schedule = CheckpointSchedule.for_run(iterations, exp.config.train.checkpoints)
    args: dict[str, Any] = dict(
        iterations=iterations, learning_rate=1.0, train_biases=True, schedule=schedule
    )
    target = os.environ.get("NUMBA_CPU_NAME")
    reference = train_reference(exp.network, exp.initial.copy(), X, y, **args).final.flat()

    def kernel(**how: Any) -> Callable[[], np.ndarray]:
        return lambda: compiled.train(exp.network, exp.initial.copy(), X, y, **args, **how)

    timed: dict[str, tuple[int, Callable[[], Any]]] = {}
    if target is None:
        timed["plain numpy loop (the tutorial's code)"] = (slow_repeat, plain)
        timed["glassnet numpy reference"] = (
            slow_repeat,
            lambda: train_reference(exp.network, exp.initial.copy(), X, y, **args),
        )
    timed["glassnet compiled kernel (numba JIT)"] = (
        repeat,
        kernel(specialize=True, ahead_of_time=False),
    )
    if target is None and aot.kernel(Spec.of(exp.network, X.shape[0])) is not None:
        timed["same, from its ahead-of-time module (no numba)"] = (
            repeat,
            kernel(specialize=True, ahead_of_time=True),
        )
    timed["glassnet table-driven kernel (any depth)"] = (repeat, kernel(specialize=False))
    if c_loop is not None and len(exp.network.sizes) == 2:
        W0 = exp.initial.weights[0]
        timed["C loop, gcc -O2"] = (repeat, lambda: c_loop(X, y, W0, 1.0, iterations))
    rows: Rows = []
    for label, (n, func) in timed.items():
        func()  # compile, load, warm caches
        seconds, result = best_of(n, func)
        final = result if isinstance(result, np.ndarray) else result.final.flat()
        scale = float(np.max(np.abs(reference)))
        rows.append(
            {
                "case": name,
                "implementation": label,
                "target": target_label(),
                "seconds": seconds,
                "repeats": n,
                "largest difference from the reference": float(
                    np.max(np.abs(np.ravel(final) - reference)) / scale
                ),
            }
        )
    return rows


def run(quick: bool) -> Rows:
    """Rows of both cases: case, implementation, target, seconds, repeats, difference."""
    runtime.prefer_lean_startup()
    repeat, slow_repeat = (3, 1) if quick else (7, 3)
    seed = glassnet.Experiment(iterations=SEED_ITERATIONS)
    xor = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=XOR_ITERATIONS)
    w0, w1 = xor.initial.weights
    with tempfile.TemporaryDirectory() as folder:
        c_loop = build_c_loop(Path(folder))
        rows = _case(
            f"the post's network, {SEED_ITERATIONS:,} iterations",
            seed,
            SEED_ITERATIONS,
            lambda: post_loop(
                seed.data.X, seed.data.y, seed.initial.weights[0].copy(), SEED_ITERATIONS
            ),
            repeat,
            slow_repeat,
            c_loop,
        )
    rows += _case(
        f"Trask's three-layer xor [3, 4, 1], {XOR_ITERATIONS:,} iterations",
        xor,
        XOR_ITERATIONS,
        lambda: trask_three_layer_loop(
            xor.data.X, xor.data.y, w0.copy(), w1.copy(), XOR_ITERATIONS
        ),
        repeat,
        slow_repeat,
        None,
    )
    return rows


def _difference(d: float) -> str:
    return "0 (same bits)" if d == 0 else f"{d:.0e}"


def format_rows(rows: Rows) -> str:
    """One Markdown table per case; ratios against the numpy loop (measured once, with
    the native rows) and against the C loop of the row's own target (measured in the same
    process as the row: other work on the machine moves them together)."""
    lines: list[str] = []
    for case in dict.fromkeys(r["case"] for r in rows):
        mine = [r for r in rows if r["case"] == case]
        plain = next((r["seconds"] for r in mine if r["implementation"].startswith("plain")), None)
        c_times = {r["target"]: r["seconds"] for r in mine if r["implementation"].startswith("C")}
        lines += [
            f"{case}, recording the error history of every iteration",
            "",
            "| implementation | numba target | time | vs numpy loop | vs C loop | difference |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in mine:
            s, c_time = r["seconds"], c_times.get(r["target"])
            lines.append(
                f"| {r['implementation']} | {r['target']} | {s * 1e3:,.1f} ms | "
                f"{speedup(plain, s) if plain else '-'} | "
                f"{f'{s / c_time:.2f}x its time' if c_time else '-'} | "
                f"{_difference(r['largest difference from the reference'])} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip()


def summary(rows: Rows) -> list[tuple[str, str, str, str]]:
    """Headline figures: each compiled kernel (JIT, AOT module, table-driven) against the C
    loop of its own target (the post's network), else against the tutorial's numpy loop
    (Trask's xor, which has no C loop); numpy rows serve every target."""
    out: list[tuple[str, str, str, str]] = []
    for case in dict.fromkeys(r["case"] for r in rows):
        mine = [r for r in rows if r["case"] == case]
        plain = next((r for r in mine if r["implementation"].startswith("plain")), None)
        for r in mine:
            if r["implementation"].startswith(("plain", "glassnet numpy", "C loop")):
                continue  # the baselines, and the numpy reference (not a compiled kernel)
            c_loop = next(
                (c for c in mine if c["implementation"].startswith("C loop")
                 and c["target"] == r["target"]),
                None,
            )  # fmt: skip
            what = (
                f"{case}: {r['implementation'].replace('same, from', 'the compiled kernel from')}"
            )
            figure = f"{r['seconds'] * 1e3:,.1f} ms"
            if c_loop is not None:
                base = f"C loop, gcc -O2: {c_loop['seconds'] * 1e3:,.1f} ms"
                figure += f" ({r['seconds'] / c_loop['seconds']:.2f}x its time)"
            elif plain is not None:
                base = f"numpy loop: {plain['seconds'] * 1e3:,.0f} ms"
                figure += f" ({speedup(plain['seconds'], r['seconds'])})"
            else:
                continue
            out.append((what, r["target"], figure, base))
    return out


main = section_main(__doc__ or "", run, format_rows)

if __name__ == "__main__":
    sys.exit(main(None))
