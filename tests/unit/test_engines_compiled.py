"""The compiled engine computes the reference's numbers (glassnet.network is the specification).

Every comparison follows the one tolerance policy of
:mod:`glassnet.engines.tolerance` (each array within ``RTOL`` of its largest
magnitude), which holds on any x86-64 CPU; ``.ci/run`` runs this file again
with numba compiling for a plain AVX2 CPU and for generic x86-64. Where two
kernels must agree exactly (unrolled and table-driven) the test compares bits.
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
from glassnet.engines import compiled as single
from glassnet.engines.codegen import Spec
from glassnet.engines.tolerance import assert_close
from glassnet.training import CheckpointSchedule, train_reference


def assert_same_training(mine, ref):
    """Histories, checkpoints, final params, stop and saturation all agree (the policy)."""
    assert mine.updates_applied == ref.updates_applied
    assert mine.stop == ref.stop
    assert mine.saturation == ref.saturation
    assert_close(mine.loss, ref.loss, "loss history")
    assert_close(mine.error_sum, ref.error_sum, "error-sum history")
    assert np.array_equal(mine.checkpoints.iterations, ref.checkpoints.iterations)
    for l, (w, r) in enumerate(zip(mine.checkpoints.weights, ref.checkpoints.weights)):
        assert_close(w, r, f"checkpointed W{l}")
    for l, (b, r) in enumerate(zip(mine.checkpoints.biases, ref.checkpoints.biases)):
        assert (b is None) == (r is None)
        if r is not None:
            assert_close(b, r, f"checkpointed b{l}")
    for l, (w, r) in enumerate(zip(mine.final.weights, ref.final.weights)):
        assert_close(w, r, f"final W{l}")
    for l, (b, r) in enumerate(zip(mine.final.biases, ref.final.biases)):
        assert (b is None) == (r is None)
        if r is not None:
            assert_close(b, r, f"final b{l}")


def train_both(exp, specialize=False, **kernel_args):
    cfg = exp.config.train
    args = dict(
        iterations=cfg.iterations,
        learning_rate=cfg.learning_rate,
        train_biases=cfg.train_biases,
        schedule=CheckpointSchedule.for_run(cfg.iterations, cfg.checkpoints),
    )
    ref = train_reference(exp.network, exp.initial.copy(), exp.data.X, exp.data.y, **args)
    mine = single.train(
        exp.network,
        exp.initial.copy(),
        exp.data.X,
        exp.data.y,
        specialize=specialize,
        **args,
        **kernel_args,
    )
    return mine, ref


def test_the_posts_100000_iterations_match_the_reference(seed_run):
    run = glassnet.Experiment().run(engine="compiled")
    assert run.engine == "compiled"
    assert run.iterations == seed_run.iterations == 100_000
    for mine, ref in zip(run.final.weights, seed_run.final.weights):
        assert_close(mine, ref, "final weights")
    # the post's printed weights, to its 8 decimals
    np.testing.assert_allclose(
        run.final.weights[0].ravel(), [12.00871622, -0.20447873, -5.80024997], atol=5e-9
    )
    assert_close(run.history.loss, seed_run.history.loss, "loss history")
    assert_close(run.history.error_sum, seed_run.history.error_sum, "error-sum history")
    assert np.array_equal(run.checkpoints.iterations, seed_run.checkpoints.iterations)
    assert_close(run.checkpoints.weights[0], seed_run.checkpoints.weights[0], "checkpoints")
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
        assert_close(mine, ref, "final weights")
    assert_close(run.history.loss, xor_run.history.loss, "loss history")
    assert_close(run.history.error_sum, xor_run.history.error_sum, "error-sum history")


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
    assert_same_training(mine, ref)


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
    assert_same_training(mine, ref)


def test_saturation_is_recorded_at_the_same_iteration_and_layer():
    exp = glassnet.Experiment(seed=123, iterations=300, learning_rate=500.0)
    mine, ref = train_both(exp)
    assert ref.saturation is not None
    assert_same_training(mine, ref)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_table_driven_and_unrolled_kernels_give_identical_bits(name):
    exp = glassnet.Experiment(**CASES[name])
    table, _ = train_both(exp, specialize=False)
    unrolled, _ = train_both(exp, specialize=True)
    assert np.array_equal(table.loss, unrolled.loss)
    assert np.array_equal(table.error_sum, unrolled.error_sum)
    for a, b in zip(
        table.final.weights + table.final.biases + table.checkpoints.weights,
        unrolled.final.weights + unrolled.final.biases + unrolled.checkpoints.weights,
    ):
        assert (a is None and b is None) or np.array_equal(a, b)
    assert (table.saturation, table.stop) == (unrolled.saturation, unrolled.stop)


def test_progress_is_reported_in_chunks_with_the_same_numbers(monkeypatch):
    monkeypatch.setattr(single, "FIRST_SLICE", 700)
    monkeypatch.setattr(single, "_next_slice", lambda length, ran, seconds: 700)
    seen: list[int] = []
    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=2000)
    mine, ref = train_both(exp, progress=seen.append)
    assert seen == [700, 1400, 2000]
    assert_same_training(mine, ref)


def test_the_kernel_source_is_generated_readable_and_exact_about_the_math():
    spec = Spec.of(glassnet.Experiment().network, 4)
    source = single.kernel_source(spec)
    assert "1.0 / (1.0 + math.exp(-z))" in source  # the sigmoid, written as the reference writes it
    assert "# layer 0 update from g = dL/dW = -(a[0].T @ delta[0]): update = -lr * g" in source
    compile(source, "<kernel>", "exec")
    table = single.table_source(glassnet.optimizers.GD, False)
    for activation in glassnet.activations.ACTIVATIONS.values():
        if activation.rowwise:
            assert activation.kernel("A[a_out + i * n_out + j]", max="top") in table
        else:
            assert activation.kernel("A[m]") in table, activation.name
    compile(table, "<kernel>", "exec")


def test_deep_networks_use_the_table_driven_kernel():
    deep = Spec(
        (2,) * 12 + (1,), ("tanh",) * 11 + ("sigmoid",), (True,) * 12, "half_squared_error", 4
    )
    assert not single.unrollable(deep)
    assert not single.use_unrolled(deep, 10**6)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_numba_cache_goes_to_the_users_cache_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = (
        "import glassnet\n"
        "from glassnet.engines import cache, compiled\n"
        "e = glassnet.Experiment(iterations=50)\n"
        "from glassnet.training import CheckpointSchedule\n"
        "t = compiled.train(e.network, e.initial, e.data.X, e.data.y, iterations=50,"
        " learning_rate=1.0, train_biases=True, schedule=CheckpointSchedule.for_run(50, 10),"
        " specialize=True)\n"
        "print(cache.folder())\n"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder == tmp_path / "glassnet" / "numba"
    assert list(folder.glob("numba/**/*.nbc")), "numba wrote no machine code to the cache folder"
    assert (folder.stat().st_mode & 0o777) == 0o700
    package = Path(glassnet.__file__).parent
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


@pytest.mark.parametrize("hidden", [50, 130])
def test_any_depth_compiles_and_trains_like_the_reference(hidden):
    """Deep networks use the table-driven kernel: compiled once for every depth (before,
    50 hidden layers took 33 s and 2.3 GB to compile, then hit a RecursionError in numba;
    at 130 the kernel's file name was too long for the file system)."""
    exp = glassnet.Experiment(
        dataset="xor",
        layers=[3] + [2] * hidden + [1],
        activation="tanh",
        bias=True,
        iterations=300,
        learning_rate=0.05,
    )
    spec = Spec.of(exp.network, 4)
    assert not single.unrollable(spec)
    from glassnet.engines.codegen import MAX_STEM, module_name, stem_of

    assert len(module_name(single.unrolled_source(spec), stem_of(spec))) <= MAX_STEM + 30
    mine, ref = train_both(exp)
    assert_same_training(mine, ref)
