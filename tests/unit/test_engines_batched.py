"""glassnet.engines.batched: the kernel's hot loop over networks is vectorized for every x86-64 CPU
it may meet.

Each case compiles the kernel of Trask's 3-4-1 network (the one that stayed scalar
when the compiler had to check at run time that its buffers do not overlap) in a
fresh process, with a fresh numba cache, for one target, and reads LLVM's optimized
code: a vectorized loop (LLVM names its body ``vector.body``) must hold the whole
step of a network, the sigmoid's ``1 / (1 + e^-z)`` for every unit and example
(20 packed divisions), the bookkeeping (a packed select of the first iteration
that reached the target) and the stores of the updated params. (LLVM's
loop-vectorize remarks would say the same, but numba's last optimization pass,
where the kernel's helpers are inlined and the loop is vectorized, emits none.)

The sweeps at the end check the looped kernel (networks too big to fuse) and
long mini-batch runs cut into several kernel calls: the same bits as the
fused kernel and one call.

``NUMBA_CPU_NAME=haswell`` alone keeps the host's CPU *features* (numba clears
them only for ``generic``), so on an AVX-512 machine it still emits AVX-512
code; a plain AVX2 CPU is ``NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=""``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet.sweep import sweep

pytest.importorskip("numba")

PROBE = r"""
import json, re
import numpy as np
import glassnet
from glassnet.engines import batched, runtime
from glassnet.engines.codegen import Spec
runtime.start_numba()
exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], bias=True, iterations=2)
batched.train_batch(exp.network, exp.data.X, exp.data.y, np.ones((16, 32)), np.zeros((5, 32)),
                    np.ones(32), iterations=2, train_biases=True, target_error=0.5)
kernel = batched.kernel_module(Spec.of(exp.network, 4)).train_batch
ir = list(kernel.inspect_llvm().values())[0]
loops = []
for block in re.split(r"\n(?=[\w.$-]+:)", ir):
    if block.split(":", 1)[0].startswith("vector.body"):
        widths = re.findall(r"fdiv (?:\w+ )*<(\d+) x double>", block)
        loops.append({
            "divisions": len(widths),
            "width": int(widths[0]) if widths else 0,
            "selects": len(re.findall(r"select (?:\w+ )*<\d+ x i1> [^\n]*<\d+ x i64>", block)),
            "stores": len(re.findall(r"store <\d+ x double>", block)),
        })
asm = list(kernel.inspect_asm().values())[0]
print(json.dumps({"loops": loops, "zmm": "%zmm" in asm}))
"""


#: The targets: numba's environment for each.
TARGETS = {
    "avx2": {"NUMBA_CPU_NAME": "haswell", "NUMBA_CPU_FEATURES": ""},
    "generic": {"NUMBA_CPU_NAME": "generic"},
    "this cpu": {},
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, dict[str, object]]:
    """For every target, the kernel's vectorized loops (their packed divisions, i64 selects
    and stores, and vector width) and whether it uses 512-bit registers. The three
    compiles run at once, each in its own process with its own fresh numba cache."""
    running = {}
    for name, env in TARGETS.items():
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")  # this test chooses the target
        }
        environment.update(env, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp("numba")))
        running[name] = subprocess.Popen(
            [sys.executable, "-c", PROBE],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    found = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        found[name] = json.loads(out.strip().splitlines()[-1])
    return found


def hot_loop(found: dict[str, object]) -> dict[str, int]:
    """The vectorized loop that trains: every sigmoid, the bookkeeping and the updates."""
    loops = [
        loop
        for loop in found["loops"]  # type: ignore[attr-defined]
        if loop["divisions"] >= 20 and loop["selects"] >= 1 and loop["stores"] >= 21
    ]
    assert loops, f"no vectorized loop does a whole step: {found['loops']}"
    return loops[0]  # type: ignore[no-any-return]


@pytest.mark.slow
def test_the_hot_loop_is_vectorized_for_a_plain_avx2_cpu(compiled):
    found = compiled["avx2"]
    assert hot_loop(found)["width"] == 4  # 4 networks per 256-bit instruction
    assert not found["zmm"]  # and nothing an AVX2 CPU lacks


@pytest.mark.slow
def test_the_hot_loop_is_vectorized_for_generic_x86_64(compiled):
    assert hot_loop(compiled["generic"])["width"] == 2  # SSE2: 2 networks per instruction


@pytest.mark.slow
def test_the_hot_loop_is_vectorized_for_this_cpu(compiled):
    assert hot_loop(compiled["this cpu"])["width"] >= 2


# --------------------------------------------------------------------------- the looped kernel and long runs cut into calls, through sweeps


#: xor with a hidden layer, biases, the mean over the batch and l2: every part of a method
METHOD = {
    "dataset": "xor", "layers": [3, 4, 1], "activation": "tanh", "bias": True, "iterations": 200,
    "reduction": "mean", "l2": 0.001,
}  # fmt: skip


def test_the_looped_kernel_for_bigger_networks_gives_the_same_numbers(monkeypatch):
    from glassnet.engines import batched

    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], bias=True, iterations=300)
    fused = sweep(exp, range(10), [1.0], history_every=7)
    monkeypatch.setattr(batched, "FUSE_LIMIT", 0)
    assert "(fused)" not in batched.kernel_source(batched.Spec.of(exp.network, 4))
    looped = sweep(exp, range(10), [1.0], history_every=7)
    np.testing.assert_array_equal(fused.final_params, looped.final_params)
    np.testing.assert_array_equal(fused.final_error_sum, looped.final_error_sum)
    np.testing.assert_array_equal(fused.error_history, looped.error_history)


def test_the_looped_kernel_gives_the_fused_kernels_bits_with_every_part_of_a_method(monkeypatch):
    from glassnet.engines import batched

    exp = glassnet.Experiment(**METHOD)
    args = {"optimizers": ["adam"], "batch_sizes": [3], "history_every": 7, "target_error": 1.9}
    fused = sweep(exp, range(10), [0.01], **args)
    monkeypatch.setattr(batched, "FUSE_LIMIT", 0)
    looped = sweep(exp, range(10), [0.01], **args)
    for name in ("final_params", "final_error_sum", "final_loss", "error_history"):
        np.testing.assert_array_equal(getattr(fused, name), getattr(looped, name), name)
    np.testing.assert_array_equal(fused.iterations_to_target, looped.iterations_to_target)


def test_a_long_run_cut_into_several_kernel_calls_gives_the_same_bits(monkeypatch):
    """Mini-batch runs hand the kernel the shuffled order of a bounded number of epochs
    per call; stops, the target and the history carry over from call to call."""
    from glassnet.engines import batched

    exp = glassnet.Experiment(
        dataset="xor", layers=[3, 1], activation="linear", bias=True, iterations=300
    )
    args = {"batch_sizes": [3], "history_every": 7, "target_error": 2.05}
    whole = sweep(exp, range(4), [0.05, 1.0, 3.0], **args)
    assert (whole.stopped_at >= 0).any() and (whole.stopped_at < 0).any()
    assert (whole.iterations_to_target >= 0).any()
    monkeypatch.setattr(batched, "MAX_ORDER_ENTRIES", 12)  # 3 epochs (6 iterations) a call
    cut = sweep(exp, range(4), [0.05, 1.0, 3.0], **args)
    for name in ("final_params", "final_error_sum", "final_loss", "error_history"):
        np.testing.assert_array_equal(getattr(cut, name), getattr(whole, name), name)
    np.testing.assert_array_equal(cut.iterations_to_target, whole.iterations_to_target)
    np.testing.assert_array_equal(cut.stopped_at, whole.stopped_at)
