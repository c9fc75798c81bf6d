"""The compiled kernel computes the reference's numbers (glassnet.network is the specification).

Tolerances: the seed run must match to relative 1e-12 on its final weights and
on every history entry (the issue's acceptance bar). The kernel sums in the
reference's order; what remains is numpy's own vectorized ``exp``/``tanh`` and
OpenBLAS's fused multiply-adds, which differ from the C library's by an ulp
here and there (measured: 4e-14 on the seed's history). Other networks are
held to relative 1e-10 (plus, for histories that fall to rounding noise, an
absolute 1e-12 of the largest value).

Compiled specializations are kept few: the seed and xor shapes get their own
kernels (as ``auto`` gives them); every other case runs the one generic kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

import glassnet
from glassnet.experiment import choose_engine
from glassnet.kernels import load
from glassnet.training import CheckpointSchedule, train_reference

single = load("single")


def assert_rel(name, mine, ref, rtol, atol_frac=0.0):
    """``|mine - ref| <= rtol * |ref| + atol_frac * max|ref|`` everywhere (NaN == NaN)."""
    mine, ref = np.asarray(mine, dtype=float), np.asarray(ref, dtype=float)
    assert mine.shape == ref.shape, f"{name}: shape {mine.shape} != {ref.shape}"
    finite = np.isfinite(ref)
    assert np.array_equal(np.isfinite(mine), finite), f"{name}: non-finite entries differ"
    assert np.array_equal(mine[~finite], ref[~finite], equal_nan=True), f"{name}: inf/nan differ"
    m, r = mine[finite], ref[finite]
    if r.size == 0:
        return
    bound = rtol * np.abs(r) + atol_frac * np.max(np.abs(r))
    worst = np.argmax(np.abs(m - r) - bound)
    assert np.all(np.abs(m - r) <= bound), (
        f"{name}: entry {worst}: mine {m[worst]!r} vs reference {r[worst]!r} "
        f"(relative {abs(m[worst] - r[worst]) / max(abs(r[worst]), 1e-300):.2e} > {rtol})"
    )


def assert_same_training(mine, ref, rtol, atol_frac=0.0):
    """Histories, checkpoints, final params, stop and saturation all agree."""
    assert mine.updates_applied == ref.updates_applied
    assert mine.stop == ref.stop
    assert mine.saturation == ref.saturation
    assert_rel("loss history", mine.loss, ref.loss, rtol, atol_frac)
    assert_rel("error-sum history", mine.error_sum, ref.error_sum, rtol, atol_frac)
    assert np.array_equal(mine.checkpoints.iterations, ref.checkpoints.iterations)
    for l, (w, r) in enumerate(zip(mine.checkpoints.weights, ref.checkpoints.weights)):
        assert_rel(f"checkpointed W{l}", w, r, rtol, atol_frac)
    for l, (b, r) in enumerate(zip(mine.checkpoints.biases, ref.checkpoints.biases)):
        assert (b is None) == (r is None)
        if r is not None:
            assert_rel(f"checkpointed b{l}", b, r, rtol, atol_frac)
    for l, (w, r) in enumerate(zip(mine.final.weights, ref.final.weights)):
        assert_rel(f"final W{l}", w, r, rtol)
    for l, (b, r) in enumerate(zip(mine.final.biases, ref.final.biases)):
        assert (b is None) == (r is None)
        if r is not None:
            assert_rel(f"final b{l}", b, r, rtol, atol_frac)


def train_both(exp, specialize=False, **kernel_args):
    cfg = exp.config.train
    args = dict(
        iterations=cfg.iterations,
        learning_rate=cfg.learning_rate,
        train_biases=cfg.train_biases,
        schedule=CheckpointSchedule.for_run(cfg.iterations, cfg.checkpoints),
    )
    ref = train_reference(exp.network, exp.initial.copy(), exp.data.X, exp.data.y, **args)
    mine = single.train_compiled(
        exp.network,
        exp.initial.copy(),
        exp.data.X,
        exp.data.y,
        specialize=specialize,
        **args,
        **kernel_args,
    )
    return mine, ref


def test_seed_100000_iterations_match_the_reference_to_1e_12(seed_run):
    run = glassnet.Experiment().run(engine="compiled")
    assert run.engine == "compiled"
    assert run.iterations == seed_run.iterations == 100_000
    for mine, ref in zip(run.final.weights, seed_run.final.weights):
        assert_rel("final weights", mine, ref, 1e-12)
    np.testing.assert_allclose(
        run.final.weights[0].ravel(), [12.00871622, -0.20447873, -5.80024997], atol=5e-9
    )
    assert_rel("loss history", run.history.loss, seed_run.history.loss, 1e-12)
    assert_rel("error-sum history", run.history.error_sum, seed_run.history.error_sum, 1e-12)
    assert np.array_equal(run.checkpoints.iterations, seed_run.checkpoints.iterations)
    assert_rel("checkpoints", run.checkpoints.weights[0], seed_run.checkpoints.weights[0], 1e-12)
    assert run.saturation == seed_run.saturation and run.stop is None
    # traces still come from the reference, replayed from the kernel's checkpoints
    step = run.step(1)
    np.testing.assert_allclose(
        step.prediction.ravel(), [0.40018475, 0.32312967, 0.56698066, 0.48370881], atol=5e-9
    )


def test_xor_three_layers_60000_iterations(xor_run):
    run = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=60_000).run(
        engine="compiled"
    )
    assert run.engine == "compiled"
    for mine, ref in zip(run.final.weights, xor_run.final.weights):
        assert_rel("final weights", mine, ref, 1e-12)
    assert_rel("loss history", run.history.loss, xor_run.history.loss, 1e-12)
    assert_rel("error-sum history", run.history.error_sum, xor_run.history.error_sum, 1e-12)


CASES = {
    "tanh hidden, biases": dict(
        dataset="xor",
        layers=[3, 5, 1],
        activation=["tanh", "sigmoid"],
        bias=True,
        seed=2,
        iterations=3000,
        learning_rate=0.5,
    ),
    "relu, tanh, linear; mixed biases": dict(
        dataset="xor",
        layers=[3, 6, 4, 1],
        activation=["relu", "tanh", "linear"],
        bias=[True, False, True],
        seed=3,
        iterations=3000,
        learning_rate=0.05,
    ),
    "binary cross-entropy": dict(
        dataset="xor",
        layers=[3, 4, 1],
        loss="binary_cross_entropy",
        bias=True,
        seed=4,
        iterations=3000,
        learning_rate=0.5,
    ),
    "biases not trained": dict(
        dataset="xor",
        layers=[3, 4, 1],
        bias=True,
        train_biases=False,
        seed=6,
        iterations=2000,
    ),
    "two outputs, four layers": dict(
        inputs=[[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0.5, 0.2, 1]],
        targets=[[0, 1], [1, 0], [1, 0], [0, 1], [0.3, 0.6]],
        layers=[3, 4, 3, 3, 2],
        activation=["tanh", "relu", "sigmoid", "sigmoid"],
        bias=True,
        seed=8,
        iterations=2000,
        learning_rate=0.3,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_networks_match_the_reference(name):
    mine, ref = train_both(glassnet.Experiment(**CASES[name]))
    assert_same_training(mine, ref, rtol=1e-10, atol_frac=1e-12)


def test_a_diverging_run_stops_where_the_reference_stops():
    exp = glassnet.Experiment(
        dataset="xor",
        layers=[3, 1],
        activation="linear",
        bias=True,
        seed=5,
        iterations=5000,
        learning_rate=3.0,
    )
    mine, ref = train_both(exp)
    assert ref.stop is not None and ref.stop.iteration < 5000
    assert len(mine.loss) == ref.stop.iteration + 1 and not np.isfinite(mine.loss[-1])
    assert_same_training(mine, ref, rtol=1e-10)


def test_saturation_is_recorded_at_the_same_iteration_and_layer():
    exp = glassnet.Experiment(seed=123, iterations=300, learning_rate=500.0)
    mine, ref = train_both(exp)
    assert ref.saturation is not None
    assert_same_training(mine, ref, rtol=1e-10)


def test_generic_and_specialized_kernels_give_identical_bits():
    exp = glassnet.Experiment(**CASES["tanh hidden, biases"])
    generic, _ = train_both(exp, specialize=False)
    special, _ = train_both(exp, specialize=True)
    assert np.array_equal(generic.loss, special.loss)
    assert np.array_equal(generic.error_sum, special.error_sum)
    for a, b in zip(
        generic.final.weights + generic.final.biases, special.final.weights + special.final.biases
    ):
        assert np.array_equal(a, b)


def test_progress_is_reported_in_chunks_with_the_same_numbers(monkeypatch):
    monkeypatch.setattr(single, "CHUNK", 700)
    seen: list[int] = []
    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=2000)
    mine, ref = train_both(exp, progress=seen.append)
    assert seen == [700, 1400, 2000]
    assert_same_training(mine, ref, rtol=1e-12)


def test_the_kernel_source_is_generated_readable_and_exact_about_the_math():
    spec = single.Spec.of(glassnet.Experiment().network, 4)
    source = single.kernel_source(spec)
    assert "1.0 / (1.0 + math.exp(-z))" in source  # the sigmoid, written as the reference writes it
    assert "# layer 0 update: W[0] += lr * (a[0].T @ delta[0])" in source
    compile(source, "<kernel>", "exec")


def test_auto_uses_numpy_for_short_runs_and_the_kernel_for_long_ones():
    network = glassnet.Experiment().network
    assert choose_engine("auto", network, 100) == "numpy"
    assert choose_engine("auto", network, 100_000) == "compiled"
    assert choose_engine("numpy", network, 10**6) == "numpy"


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_numba_cache_goes_to_the_users_cache_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = (
        "import glassnet\n"
        "from glassnet.kernels import load, cache_dir\n"
        "e = glassnet.Experiment(iterations=50)\n"
        "single = load('single')\n"
        "from glassnet.training import CheckpointSchedule\n"
        "t = single.train_compiled(e.network, e.initial, e.data.X, e.data.y, iterations=50,"
        " learning_rate=1.0, train_biases=True, schedule=CheckpointSchedule.for_run(50, 10),"
        " specialize=True)\n"
        "print(cache_dir())\n"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder == tmp_path / "glassnet" / "numba"
    assert list(folder.glob("generated*/*.nbc")), "numba wrote no machine code to the cache folder"
    package = Path(glassnet.__file__).parent / "kernels"
    assert not list(package.rglob("*.nbi")), "numba wrote its cache into the installed package"


def test_without_numba_compiled_falls_back_to_numpy_with_one_note(tmp_path):
    # sys.modules["numba"] = None makes `import numba` fail, as where it is not installed.
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['numba'] = None\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    code = "from glassnet.cli import main; raise SystemExit(main(['run', '--engine', 'compiled', '--iterations', '20']))"
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and notes[0].startswith(
        "glassnet: note: the compiled engine is not available"
    )
    assert "numpy engine" in result.stdout
    code = (
        "import glassnet; print(glassnet.Experiment(iterations=20).run(engine='compiled').engine)"
    )
    assert run_python(code, env).stdout.strip() == "numpy"
