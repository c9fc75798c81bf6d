"""glassnet's speed benchmark: ``.venv/bin/python -m benchmarks`` (or ``benchmarks/run.py``).

Measures, side by side in one process and one run, on the seed experiment
(100,000 iterations, recording the error history):

1. the seed notebook's plain numpy loop (written below, as the post's
   notebook writes it),
2. glassnet's numpy reference (:func:`glassnet.training.train_reference`),
3. glassnet's compiled kernel (:func:`glassnet.kernels.single.train_compiled`),
4. the same arithmetic as a plain C loop compiled with ``gcc -O2`` at
   benchmark time (``benchmarks/seed_loop.c``), when gcc is present,

each best-of-N, with ratios; then Trask's three-layer xor network (60,000
iterations) the same way; the batched sweep's network-iterations per second
(10,000 networks x 10,000 iterations) against a plain vectorized numpy
sweep; whole-process wall time of ``glassnet run`` on the seed experiment with
a warm numba cache, the start-up broken down, and the compile cost with a cold
cache; and the peak memory of a 10^6-iteration seed run. The compiled engine
is measured both ways: with the seed kernel's ahead-of-time compiled module
(:mod:`glassnet.kernels.aot`, built first if missing; no numba at run time)
and with numba's JIT kernel (``GLASSNET_AOT=0``).

Not a test: nothing here fails on a slow machine. ``--quick`` runs fewer
repeats (for trying it out); ``--json PATH`` also writes the numbers.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

import glassnet  # noqa: E402
from glassnet.kernels import aot, load  # noqa: E402
from glassnet.kernels.codegen import Spec  # noqa: E402
from glassnet.training import CheckpointSchedule, train_reference  # noqa: E402

SEED_ITERATIONS = 100_000
XOR_ITERATIONS = 60_000


# -- (1) the baselines, written as the tutorials write them ------------------


def speedup(baseline: float, seconds: float) -> str:
    """``baseline / seconds`` in words: "190x faster", "1x (the baseline)", "0.49x (2.0x slower)"."""
    ratio = baseline / seconds
    if abs(ratio - 1) < 1e-9:
        return "1x (the baseline)"
    if ratio < 1:
        return f"{ratio:.2f}x ({1 / ratio:.1f}x slower)"
    return f"{ratio:,.0f}x faster" if ratio >= 10 else f"{ratio:.1f}x faster"


def nonlin(x: np.ndarray, deriv: bool = False) -> np.ndarray:
    """The seed notebook's sigmoid (and its derivative from the output)."""
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def seed_notebook_loop(
    X: np.ndarray, y: np.ndarray, syn0: np.ndarray, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """The seed post's training loop (plus the error-sum history its graphs plot)."""
    errors = np.empty(iterations)
    for it in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l1_error = y - l1
        errors[it] = np.sum(np.abs(l1_error))
        l1_delta = l1_error * nonlin(l1, True)
        syn0 += np.dot(l0.T, l1_delta)
    return syn0, errors


def trask_three_layer_loop(
    X: np.ndarray, y: np.ndarray, syn0: np.ndarray, syn1: np.ndarray, iterations: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return syn0, syn1, errors


def plain_numpy_sweep(X: np.ndarray, y: np.ndarray, W: np.ndarray, iterations: int) -> np.ndarray:
    """The seed's network for many seeds at once, plain vectorized numpy.

    ``W`` is ``(3, n_networks)``: column ``t`` is network ``t``'s weights, so
    each step is two ordinary matrix products and elementwise numpy calls
    over all networks together.
    """
    for _ in range(iterations):
        l1 = 1 / (1 + np.exp(-(X @ W)))  # (4, n_networks)
        err = y - l1
        np.abs(err).sum(axis=0)  # the error sums a sweep records
        W += X.T @ (err * (l1 * (1 - l1)))
    return W


# -- helpers -----------------------------------------------------------------


def best_of(n: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``n`` calls (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def build_c_loop(folder: Path) -> Callable[..., Any] | None:
    """Compile ``seed_loop.c`` with ``gcc -O2`` into ``folder``; ``None`` without gcc."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    library = folder / "seed_loop.so"
    subprocess.run(
        [gcc, "-O2", "-shared", "-fPIC", str(HERE / "seed_loop.c"), "-o", str(library), "-lm"],
        check=True,
    )
    lib = ctypes.CDLL(str(library))
    double_p = ctypes.POINTER(ctypes.c_double)
    lib.seed_loop.restype = ctypes.c_long
    lib.seed_loop.argtypes = [
        double_p,
        double_p,
        ctypes.c_long,
        ctypes.c_long,
        double_p,
        ctypes.c_double,
        ctypes.c_long,
        double_p,
        double_p,
    ]

    def run(
        X: np.ndarray, y: np.ndarray, W: np.ndarray, lr: float, iterations: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        X = np.ascontiguousarray(X)
        y = np.ascontiguousarray(y)
        W = np.ascontiguousarray(W).ravel().copy()
        loss, err = np.empty(iterations), np.empty(iterations)
        lib.seed_loop(
            X.ctypes.data_as(double_p),
            y.ctypes.data_as(double_p),
            X.shape[0],
            X.shape[1],
            W.ctypes.data_as(double_p),
            lr,
            iterations,
            loss.ctypes.data_as(double_p),
            err.ctypes.data_as(double_p),
        )
        return W, loss, err

    return run


def jit_env() -> dict[str, str]:
    """This process's environment with ahead-of-time modules turned off (numba's JIT kernel)."""
    return dict(os.environ, **{aot.ENV: "0"})


def aot_env() -> dict[str, str]:
    """This process's environment with ahead-of-time modules on."""
    return dict(os.environ, **{aot.ENV: "1"})


def ensure_aot_module() -> str | None:
    """Build the seed kernel's AOT module (synchronously) if missing; why not, or ``None``."""
    os.environ[aot.ENV] = "1"
    exp = glassnet.Experiment()
    spec = Spec.of(exp.network, exp.data.X.shape[0])
    if aot.kernel(spec) is not None and aot.numba_known_to_work():
        return None
    reason = aot.can_build()
    if reason is not None:
        return reason
    try:
        aot.build(spec)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if aot.kernel(spec) is not None else "the built module does not import"


def wall(cmd: list[str], env: dict[str, str] | None = None, repeat: int = 1) -> tuple[float, str]:
    """Best wall time of running ``cmd`` as a whole process, and its stdout."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        best = min(best, time.perf_counter() - start)
        out = done.stdout
    return best, out


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numba

    gcc = shutil.which("gcc")
    gcc_version = (
        subprocess.run([gcc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        if gcc
        else "none"
    )
    return {
        "cpu": f"{model}, {len(os.sched_getaffinity(0))} cores available",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "gcc": gcc_version,
        "load average at start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


# -- the measurements --------------------------------------------------------


def seed_loops(repeat: int, slow_repeat: int, results: dict[str, Any]) -> list[str]:
    exp = glassnet.Experiment()
    X, y, W0 = exp.data.X, exp.data.y, exp.initial.weights[0]
    single = load("single")
    schedule = CheckpointSchedule.for_run(SEED_ITERATIONS, exp.config.train.checkpoints)
    args = dict(iterations=SEED_ITERATIONS, learning_rate=1.0, train_biases=True, schedule=schedule)
    single.train_compiled(
        exp.network, exp.initial.copy(), X, y, specialize=True, ahead_of_time=False, **args
    )  # load/compile

    times: dict[str, float] = {}
    finals: dict[str, np.ndarray] = {}
    times["plain numpy loop (the seed notebook)"], (w, _) = best_of(
        slow_repeat, lambda: seed_notebook_loop(X, y, W0.copy(), SEED_ITERATIONS)
    )
    finals["plain numpy loop (the seed notebook)"] = w
    times["glassnet numpy reference"], t = best_of(
        slow_repeat, lambda: train_reference(exp.network, exp.initial.copy(), X, y, **args)
    )
    finals["glassnet numpy reference"] = t.final.weights[0]
    times["glassnet compiled kernel"], t = best_of(
        repeat,
        lambda: single.train_compiled(
            exp.network, exp.initial.copy(), X, y, specialize=True, ahead_of_time=False, **args
        ),
    )
    finals["glassnet compiled kernel"] = t.final.weights[0]
    if aot.kernel(Spec.of(exp.network, X.shape[0])) is not None:
        name = "glassnet compiled kernel, AOT module (no numba)"
        times[name], t = best_of(
            repeat,
            lambda: single.train_compiled(
                exp.network, exp.initial.copy(), X, y, specialize=True, **args
            ),
        )
        finals[name] = t.final.weights[0]
    times["glassnet generic compiled kernel (short runs)"], t = best_of(
        repeat,
        lambda: single.train_compiled(
            exp.network, exp.initial.copy(), X, y, specialize=False, **args
        ),
    )
    finals["glassnet generic compiled kernel (short runs)"] = t.final.weights[0]
    with tempfile.TemporaryDirectory() as folder:
        c_loop = build_c_loop(Path(folder))
        if c_loop is not None:
            times["C loop, gcc -O2"], (w, _, _) = best_of(
                repeat, lambda: c_loop(X, y, W0, 1.0, SEED_ITERATIONS)
            )
            finals["C loop, gcc -O2"] = w
    plain = times["plain numpy loop (the seed notebook)"]
    c_time = times.get("C loop, gcc -O2")
    lines = [
        f"Seed experiment, {SEED_ITERATIONS:,} iterations recording the error history "
        f"(best of {repeat}; numpy loops best of {slow_repeat})",
        "",
        "| implementation | time | vs plain numpy loop | vs C loop | final weights |",
        "|---|---:|---:|---:|---|",
    ]
    for name, seconds in times.items():
        vs_c = f"{seconds / c_time:.2f}x the time" if c_time else "-"
        lines.append(
            f"| {name} | {seconds * 1e3:,.1f} ms | {speedup(plain, seconds)} | {vs_c} | "
            f"{np.array2string(np.asarray(finals[name]).ravel(), precision=8)} |"
        )
    results["seed"] = {k: v for k, v in times.items()}
    return lines


def xor_loops(repeat: int, slow_repeat: int, results: dict[str, Any]) -> list[str]:
    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=XOR_ITERATIONS)
    X, y = exp.data.X, exp.data.y
    single = load("single")
    schedule = CheckpointSchedule.for_run(XOR_ITERATIONS, exp.config.train.checkpoints)
    args = dict(iterations=XOR_ITERATIONS, learning_rate=1.0, train_biases=True, schedule=schedule)
    single.train_compiled(
        exp.network, exp.initial.copy(), X, y, specialize=True, ahead_of_time=False, **args
    )
    w0, w1 = exp.initial.weights
    plain, _ = best_of(
        slow_repeat, lambda: trask_three_layer_loop(X, y, w0.copy(), w1.copy(), XOR_ITERATIONS)
    )
    reference, _ = best_of(
        slow_repeat, lambda: train_reference(exp.network, exp.initial.copy(), X, y, **args)
    )
    compiled, _ = best_of(
        repeat,
        lambda: single.train_compiled(
            exp.network, exp.initial.copy(), X, y, specialize=True, ahead_of_time=False, **args
        ),
    )
    results["xor"] = {
        "plain numpy loop": plain,
        "numpy reference": reference,
        "compiled kernel": compiled,
    }
    return [
        f"Three-layer xor (layers [3, 4, 1], seed 1), {XOR_ITERATIONS:,} iterations with history",
        "",
        "| implementation | time | vs plain numpy loop |",
        "|---|---:|---:|",
        f"| plain numpy loop (Trask's three-layer code) | {plain * 1e3:,.0f} ms | 1x |",
        f"| glassnet numpy reference | {reference * 1e3:,.0f} ms | {speedup(plain, reference)} |",
        f"| glassnet compiled kernel | {compiled * 1e3:,.1f} ms | {speedup(plain, compiled)} |",
    ]


def sweeps(quick: bool, results: dict[str, Any]) -> list[str]:
    from glassnet.kernels import batched
    from glassnet.sweep import initial_weights, sweep

    n_networks, iterations = (2_000, 2_000) if quick else (10_000, 10_000)
    exp = glassnet.Experiment(iterations=iterations)
    per_layer = initial_weights(exp.network, range(n_networks))
    W = per_layer[0].reshape(n_networks, -1).T.copy()
    b = np.zeros((0, n_networks))
    rates = np.ones(n_networks)
    kwargs = dict(iterations=iterations, train_biases=True, target_error=0.05)
    batched.train_batch(
        exp.network, exp.data.X, exp.data.y, W, b, rates, **dict(kwargs, iterations=10)
    )
    cpu0 = time.process_time()
    kernel_time, result = best_of(
        3, lambda: batched.train_batch(exp.network, exp.data.X, exp.data.y, W, b, rates, **kwargs)
    )
    cpu_per_run = (time.process_time() - cpu0) / 3
    total = n_networks * iterations
    start = time.perf_counter()
    whole = sweep(exp, range(n_networks))
    whole_time = time.perf_counter() - start
    numpy_iterations = 1_000 if not quick else 200
    numpy_time, _ = best_of(
        2, lambda: plain_numpy_sweep(exp.data.X, exp.data.y, W.copy(), numpy_iterations)
    )
    glassnet_numpy_time, _ = best_of(
        1, lambda: sweep(exp, range(n_networks), iterations=numpy_iterations, engine="numpy")
    )
    worst = 0.0
    for seed in (0, 1, n_networks // 2, n_networks - 1):
        run = glassnet.Experiment(iterations=iterations, seed=seed).run()
        worst = max(
            worst,
            float(np.max(np.abs(result.W[:, seed] - run.final.flat()) / np.abs(run.final.flat()))),
        )
    results["sweep"] = {
        "networks": n_networks,
        "iterations": iterations,
        "kernel network-iterations/s": total / kernel_time,
        "kernel network-iterations per CPU-second": total / cpu_per_run,
        "whole sweep() seconds": whole_time,
        "plain numpy sweep network-iterations/s": n_networks * numpy_iterations / numpy_time,
        "glassnet numpy engine network-iterations/s": n_networks
        * numpy_iterations
        / glassnet_numpy_time,
        "max relative difference from single runs": worst,
    }
    return [
        f"Sweep: {n_networks:,} seed networks x {iterations:,} iterations (seed experiment)",
        "",
        "| | network-iterations/s |",
        "|---|---:|",
        f"| batched compiled kernel, wall clock (best of 3) | {total / kernel_time / 1e6:,.0f} M ({kernel_time:.2f} s) |",
        f"| same, per CPU-second used (all threads) | {total / cpu_per_run / 1e6:,.0f} M |",
        f"| whole `glassnet.sweep.sweep()` incl. drawing {n_networks:,} seeds' weights | {total / whole_time / 1e6:,.0f} M ({whole_time:.2f} s) |",
        f"| plain vectorized numpy sweep ({numpy_iterations:,} iterations) | {n_networks * numpy_iterations / numpy_time / 1e6:,.0f} M |",
        f"| glassnet's numpy sweep engine (fallback; {numpy_iterations:,} iterations) | {n_networks * numpy_iterations / glassnet_numpy_time / 1e6:,.0f} M |",
        "",
        f"Final weights vs single runs of seeds 0, 1, {n_networks // 2}, {n_networks - 1}: "
        f"max relative difference {worst:.1e}.",
    ]


STARTUP_PROBE = r"""
import time, sys
t0 = time.perf_counter()
import glassnet, glassnet.cli, glassnet.cli.run, glassnet.explain.summary
t1 = time.perf_counter()
exp = glassnet.Experiment()
import numba
t2 = time.perf_counter()
from glassnet.kernels import load, prefer_lean_startup
prefer_lean_startup()  # as the command line does
single = load("single")
# the first call loads the machine code from numba's cache (and sets up numba's code generator)
exp.run(iterations=1, engine="compiled")
t3 = time.perf_counter()
run = exp.run(engine="compiled")
t4 = time.perf_counter()
from glassnet.explain.summary import format_summary
text = format_summary(run, [])
t5 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
"""


AOT_PROBE = r"""
import time, sys
t0 = time.perf_counter()
import glassnet, glassnet.cli, glassnet.cli.run, glassnet.explain.summary
t1 = time.perf_counter()
exp = glassnet.Experiment()
# the first call imports the seed kernel's ahead-of-time compiled module (no numba)
first = exp.run(iterations=1, engine="compiled")
t2 = time.perf_counter()
run = exp.run(engine="compiled")
t3 = time.perf_counter()
from glassnet.explain.summary import format_summary
text = format_summary(run, [])
t4 = time.perf_counter()
assert "numba" not in sys.modules and first.engine == "compiled"
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def wait_for_module(where: Path, timeout: float = 120.0) -> float | None:
    """Seconds until a background build in ``where`` finished with a module (``None``: it did not)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        done = not list(where.glob("*.building"))
        if done and list(where.glob(f"_glassnet_aot_*{aot.SUFFIX}")):
            return time.perf_counter() - start
        if done and list(where.glob("*.failed")):
            return None
        time.sleep(0.05)
    return None


def startup(repeat: int, results: dict[str, Any], aot_ready: bool) -> list[str]:
    python = sys.executable
    glassnet_cmd = [str(Path(python).with_name("glassnet"))]
    if not Path(glassnet_cmd[0]).exists():
        glassnet_cmd = [python, "-m", "glassnet"]
    wall(glassnet_cmd + ["run"], env=jit_env())  # warm the cache
    interpreter, _ = wall([python, "-c", "pass"], repeat=repeat)
    whole, _ = wall(glassnet_cmd + ["run"], env=jit_env(), repeat=repeat)
    whole_aot = wall(glassnet_cmd + ["run"], env=aot_env(), repeat=repeat)[0] if aot_ready else None
    whole_numpy, _ = wall(glassnet_cmd + ["run", "--engine", "numpy"], repeat=max(1, repeat // 2))
    parts, aot_parts = [], []
    for _ in range(repeat):
        _, out = wall([python, "-c", STARTUP_PROBE], env=jit_env())
        parts.append([float(v) for v in out.split()])
        if aot_ready:
            _, out = wall([python, "-c", AOT_PROBE], env=aot_env())
            aot_parts.append([float(v) for v in out.split()])
    best = np.min(np.array(parts), axis=0)
    with tempfile.TemporaryDirectory() as cold:
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
        env["XDG_CACHE_HOME"] = cold
        cold_time, _ = wall(glassnet_cmd + ["run"], env=dict(env, **{aot.ENV: "0"}))
    with tempfile.TemporaryDirectory() as cold:
        # the first run of a new machine as a user sees it: JIT compile, then a background AOT build
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
        env.update({"XDG_CACHE_HOME": cold, aot.ENV: "1"})
        cold_aot, _ = wall(glassnet_cmd + ["run"], env=env)
        build_time = wait_for_module(Path(cold) / "glassnet" / "numba" / "aot")
        next_run = wall(glassnet_cmd + ["run"], env=env)[0] if build_time is not None else None
    results["startup"] = {
        "interpreter": interpreter,
        "glassnet run warm (JIT)": whole,
        "glassnet run warm (AOT)": whole_aot,
        "glassnet run --engine numpy": whole_numpy,
        "glassnet run cold cache (JIT, no AOT)": cold_time,
        "glassnet run cold cache (AOT on)": cold_aot,
        "background AOT build after it, s": build_time,
        "the run after that": next_run,
        "imports": best[0],
        "numba import": best[1],
        "kernel cache load": best[2],
        "run": best[3],
        "summary": best[4],
    }
    lines = [
        f"`glassnet run` on the seed experiment as a whole process (best of {repeat})",
        "",
        "| | wall time |",
        "|---|---:|",
        f"| `glassnet run` (auto -> compiled kernel), warm numba cache, JIT kernel (`GLASSNET_AOT=0`) | {whole:.2f} s |",
    ]
    if whole_aot is not None:
        lines.append(
            f"| `glassnet run`, the seed kernel's AOT module (no numba imported) | {whole_aot:.2f} s |"
        )
    lines += [
        f"| `glassnet run`, cold cache (first run on a machine: numba compiles the kernel) | {cold_time:.2f} s |",
        f"| same, AOT on: first run {cold_aot:.2f} s; background build of the module done "
        f"{'%.1f s' % build_time if build_time is not None else 'never (failed)'} later; next run | "
        f"{'%.2f s' % next_run if next_run is not None else '-'} |",
        f"| `glassnet run --engine numpy` | {whole_numpy:.2f} s |",
        "",
        "Start-up breakdown of the warm JIT run (each part best of the repeats):",
        "",
        "| part | time |",
        "|---|---:|",
        f"| Python interpreter start (`python -c pass`) | {interpreter * 1e3:.0f} ms |",
        f"| imports: glassnet, numpy, click, the run command and summary | {best[0] * 1e3:.0f} ms |",
        f"| `import numba` | {best[1] * 1e3:.0f} ms |",
        f"| numba's one-time start-up and loading the seed kernel from its cache | {best[2] * 1e3:.0f} ms |",
        f"| the run itself (100,000 iterations + replay-ready Run) | {best[3] * 1e3:.0f} ms |",
        f"| the text summary | {best[4] * 1e3:.0f} ms |",
    ]
    if aot_parts:
        a = np.min(np.array(aot_parts), axis=0)
        results["startup"]["AOT breakdown"] = {
            "imports": a[0],
            "AOT module load": a[1],
            "run": a[2],
            "summary": a[3],
        }
        lines += [
            "",
            "Start-up breakdown with the AOT module:",
            "",
            "| part | time |",
            "|---|---:|",
            f"| imports: glassnet, numpy, click, the run command and summary | {a[0] * 1e3:.0f} ms |",
            f"| importing the seed kernel's AOT module (and a 1-iteration run) | {a[1] * 1e3:.0f} ms |",
            f"| the run itself (100,000 iterations + replay-ready Run) | {a[2] * 1e3:.0f} ms |",
            f"| the text summary | {a[3] * 1e3:.0f} ms |",
        ]
    return lines


MEMORY_PROBE = r"""
import resource, tracemalloc, glassnet
from glassnet.kernels import prefer_lean_startup
prefer_lean_startup()
glassnet.Experiment(iterations=1).run(engine="compiled")  # numba and the kernel loaded
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
run = glassnet.Experiment(iterations=1_000_000).run()
traced = tracemalloc.get_traced_memory()[1]
print(run.engine, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, traced)
"""


CLI_MEMORY_PROBE = r"""
import resource, sys
from glassnet.cli import main
code = main(sys.argv[1:])
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def fresh(cmd: list[str]) -> list[str]:
    """``cmd`` started from a small ``sh``, not forked from this (large) process.

    Linux carries a forked child's memory high-water mark (this benchmark's,
    with numba loaded) across ``exec``, so a child's own ``ru_maxrss`` is only
    its own when its parent was small.
    """
    return ["/bin/sh", "-c", '"$@"; exit $?', "sh", *cmd]


def peak_rss_of(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Peak resident set size (MiB) of ``python -c code args`` as reported by itself."""
    done = subprocess.run(
        fresh([sys.executable, "-c", code, *args]),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("MAXRSS")][-1]
    return int(line.split()[1]) / 1024, done.stdout


def memory(results: dict[str, Any], aot_ready: bool, quick: bool) -> list[str]:
    cli_run = ("run", "--iterations", "1000000")
    whole, _ = peak_rss_of(CLI_MEMORY_PROBE, *cli_run, env=jit_env())
    whole_aot = peak_rss_of(CLI_MEMORY_PROBE, *cli_run, env=aot_env())[0] if aot_ready else None
    start = time.perf_counter()
    whole_numpy = None if quick else peak_rss_of(CLI_MEMORY_PROBE, *cli_run, "--engine", "numpy")[0]
    numpy_seconds = time.perf_counter() - start
    numpy_only, _ = peak_rss_of(
        "import resource, sys, glassnet\nglassnet.Experiment(iterations=10).run(engine='numpy')\n"
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    out = subprocess.run(
        fresh([sys.executable, "-c", MEMORY_PROBE]),
        capture_output=True,
        text=True,
        check=True,
        env=jit_env(),
    ).stdout.split()
    engine, before, peak, traced = (
        out[0],
        int(out[1]) / 1024,
        int(out[2]) / 1024,
        int(out[3]) / 2**20,
    )
    results["memory"] = {
        "glassnet run --iterations 1000000 peak RSS MiB, JIT kernel": whole,
        "glassnet run --iterations 1000000 peak RSS MiB, AOT module": whole_aot,
        "glassnet run --iterations 1000000 --engine numpy peak RSS MiB": whole_numpy,
        "python + glassnet (numpy engine, 10 iterations) peak RSS MiB": numpy_only,
        "RSS with numba and the kernel loaded, before the run, MiB": before,
        "peak RSS after the run MiB": peak,
        "run's own allocations (tracemalloc peak) MiB": traced,
    }
    lines = [
        f"Peak memory of a 10^6-iteration seed run ({engine} engine)",
        "",
        "| | MiB |",
        "|---|---:|",
    ]
    if whole_aot is not None:
        lines.append(
            f"| `glassnet run --iterations 1000000`, whole process (max RSS), AOT module | {whole_aot:.0f} |"
        )
    lines += [
        f"| `glassnet run --iterations 1000000`, whole process (max RSS), JIT kernel (`GLASSNET_AOT=0`) | {whole:.0f} |",
    ]
    if whole_numpy is not None:
        lines.append(
            f"| `glassnet run --iterations 1000000 --engine numpy` (took {numpy_seconds:.0f} s) | {whole_numpy:.0f} |"
        )
    lines += [
        f"| of which: Python + numpy + glassnet (a 10-iteration numpy-engine process) | {numpy_only:.0f} |",
        f"| of which: numba and LLVM, loaded (RSS before the run in a probe, minus the above) | {before - numpy_only:.0f} |",
        f"| the run's own data: history, checkpoints, Run (tracemalloc peak) | {traced:.1f} |",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sweep")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)
    repeat, slow_repeat = (3, 1) if args.quick else (7, 3)
    results: dict[str, Any] = {"machine": machine()}
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in results["machine"].items()))
    start = time.perf_counter()
    why_not = ensure_aot_module()
    results["aot"] = (
        why_not or f"seed module ready ({time.perf_counter() - start:.1f} s, incl. any build)"
    )
    print(
        f"Ahead-of-time seed kernel: {results['aot'] if why_not is None else 'not available: ' + why_not}"
    )
    aot_ready = why_not is None
    sections = [
        lambda: seed_loops(repeat, slow_repeat, results),
        lambda: xor_loops(repeat, slow_repeat, results),
        lambda: sweeps(args.quick, results),
        lambda: startup(repeat, results, aot_ready),
        lambda: memory(results, aot_ready, args.quick),
    ]
    for section in sections:
        print()
        print("\n".join(section()), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
