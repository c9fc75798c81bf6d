"""Ahead-of-time compiled kernels (glassnet.engines.aot): same bits as the JIT kernel, no numba at run time.

The seed architecture's module is built once per session, by the same detached
``python -m glassnet.engines.aot build`` process a run starts (waited for here),
into a temporary cache folder.
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
from glassnet.engines import aot
from glassnet.engines import cache as kernel_cache
from glassnet.engines import compiled as single
from glassnet.engines.cache import CacheWarning
from glassnet.engines.codegen import Spec
from glassnet.training import CheckpointSchedule

SEED = glassnet.Experiment()
SPEC = Spec.of(SEED.network, SEED.data.X.shape[0])
#: Deeper networks, other activations, mixed biases, the other loss (as in test_engines_compiled.py).
OTHERS = {
    "relu, tanh, linear; mixed biases": glassnet.Experiment(
        dataset="xor",
        layers=[3, 6, 4, 1],
        activation=["relu", "tanh", "linear"],
        bias=[True, False, True],
        seed=3,
        iterations=3000,
        learning_rate=0.05,
    ),
    "binary cross-entropy, biases": glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        loss="binary_cross_entropy",
        bias=True,
        seed=4,
        iterations=3000,
        learning_rate=0.5,
    ),
}

pytestmark = pytest.mark.skipif(
    aot.can_build() is not None, reason="no C compiler or Python headers"
)


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder whose ``aot/`` holds the seed architecture's module."""
    root = tmp_path_factory.mktemp("cache")
    where = root / "aot"
    specs = [SPEC] + [Spec.of(e.network, e.data.X.shape[0]) for e in OTHERS.values()]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(aot.ENV, "1")
        procs = [aot.build_in_background(spec, where) for spec in specs]
        assert None not in procs
        assert aot.build_in_background(SPEC, where) is None, "a second build started while one runs"
        for spec, proc in zip(specs, procs):
            assert proc is not None and proc.wait(timeout=120) == 0, aot.failure(spec, where)
    assert all(aot.path_of(spec, where).exists() for spec in specs)
    assert not list(where.glob("*.building")) and not list(where.glob(".build-*"))
    return root


@pytest.fixture
def use_aot(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(aot.ENV, "1")
    monkeypatch.setattr(aot, "folder", lambda: cache / "aot")
    return cache / "aot"


def train(iterations: int, **kwargs):  # type: ignore[no-untyped-def]
    schedule = CheckpointSchedule.for_run(iterations, SEED.config.train.checkpoints)
    return single.train(
        SEED.network,
        SEED.initial.copy(),
        SEED.data.X,
        SEED.data.y,
        iterations=iterations,
        learning_rate=1.0,
        train_biases=True,
        schedule=schedule,
        **kwargs,
    )


def same_bits(a, b) -> None:  # type: ignore[no-untyped-def]
    """Every recorded number identical (relative difference 0)."""
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.error_sum, b.error_sum)
    for x, y in zip(
        a.final.weights + a.checkpoints.weights, b.final.weights + b.checkpoints.weights
    ):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.checkpoints.iterations, b.checkpoints.iterations)
    assert (a.updates_applied, a.stop, a.saturation) == (b.updates_applied, b.stop, b.saturation)


def test_the_seed_run_is_bit_identical_to_the_jit_kernel(use_aot):
    assert aot.kernel(SPEC) is not None
    with_aot = train(100_000)
    assert str(aot.path_of(SPEC)) in aot._loaded
    jit = train(100_000, ahead_of_time=False)
    same_bits(with_aot, jit)
    np.testing.assert_allclose(
        with_aot.final.weights[0].ravel(), [12.00871622, -0.20447873, -5.80024997], atol=5e-9
    )
    # cut into chunks for a progress callback: the same bits again
    seen: list[int] = []
    same_bits(train(100_000, progress=seen.append), jit)
    assert seen[-1] == 100_000


@pytest.mark.parametrize("name", sorted(OTHERS))
@pytest.mark.parametrize("train_biases", [True, False])
def test_other_architectures_are_bit_identical_to_the_jit_kernel(use_aot, name, train_biases):
    exp = OTHERS[name]
    spec = Spec.of(exp.network, exp.data.X.shape[0])
    assert aot.kernel(spec) is not None
    n = exp.config.train.iterations
    args = dict(
        iterations=n,
        learning_rate=exp.config.train.learning_rate,
        train_biases=train_biases,
        schedule=CheckpointSchedule.for_run(n, exp.config.train.checkpoints),
        specialize=True,
    )
    with_aot = single.train(exp.network, exp.initial.copy(), exp.data.X, exp.data.y, **args)
    jit = single.train(
        exp.network, exp.initial.copy(), exp.data.X, exp.data.y, ahead_of_time=False, **args
    )
    same_bits(with_aot, jit)
    for x, y in zip(with_aot.final.biases, jit.final.biases):
        assert (x is None and y is None) or np.array_equal(x, y)


def test_short_runs_use_the_built_module_instead_of_the_table_driven_kernel(use_aot):
    assert single.use_unrolled(SPEC, 10)
    same_bits(train(10), train(10, ahead_of_time=False, specialize=True))


def test_a_run_with_the_module_does_not_import_numba(cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), **{aot.ENV: "1"})
    code = (
        "import sys\n"
        "from glassnet.cli import main\n"
        "code = main(['run', '--iterations', '1000000'])\n"
        "print('numba' in sys.modules, code, file=sys.stderr)\n"
        "import glassnet\n"
        "run = glassnet.Experiment().run()\n"
        "print(run.engine, 'numba' in sys.modules, *[v.hex() for v in run.final.weights[0].ravel()])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False 0"
    assert "compiled engine" in done.stdout
    engine, numba_loaded, *weights = done.stdout.strip().splitlines()[-1].split()
    assert (engine, numba_loaded) == ("compiled", "False")
    jit = train(100_000, ahead_of_time=False)
    assert weights == [v.hex() for v in jit.final.weights[0].ravel()]


def test_disabled_by_the_environment(use_aot, monkeypatch):
    monkeypatch.setenv(aot.ENV, "0")
    assert aot.kernel(SPEC) is None and not aot.numba_known_to_work() and not aot.is_built(SPEC)
    assert aot.build_in_background(SPEC) is None


def test_numba_is_trusted_without_importing_it_only_as_installed_when_the_module_was_built(use_aot):
    assert aot.numba_known_to_work()
    key = (use_aot / "numba-ok").read_text()
    assert "numpy " + np.__version__ in key
    (use_aot / "numba-ok").write_text(
        key.replace(np.__version__, "0.0.0")
    )  # as after a numpy upgrade
    try:
        assert not aot.numba_known_to_work()
    finally:
        (use_aot / "numba-ok").write_text(key)


def test_a_damaged_module_is_moved_aside_with_a_warning_and_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv(aot.ENV, "1")
    monkeypatch.setattr(aot, "folder", lambda: tmp_path)
    good = aot.path_of(SPEC, tmp_path)
    # a module cut short (as by a full disk), whose recorded SHA-256 no longer matches
    good.write_bytes(b"\x7fELF" + bytes(4092))
    (tmp_path / (good.name + ".sha256")).write_text("0" * 64 + "\n")
    with pytest.warns(CacheWarning, match="moved aside a damaged kernel module"):
        assert aot.kernel(SPEC) is None
    assert not good.exists() and (tmp_path / (good.name + ".bad")).exists()
    assert aot.failure(SPEC) is None  # damage is not a failure: the module is rebuilt
    proc = aot.build_in_background(SPEC)
    assert proc is not None and proc.wait(timeout=120) == 0, aot.failure(SPEC)
    assert aot.kernel(SPEC) is not None
    same_bits(train(1_000), train(1_000, ahead_of_time=False))


def test_a_module_that_does_not_import_falls_back_to_jit_and_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv(aot.ENV, "1")
    monkeypatch.setattr(aot, "folder", lambda: tmp_path)
    path = aot.path_of(SPEC)
    path.write_bytes(b"not a shared library")
    (tmp_path / (path.name + ".sha256")).write_text(kernel_cache.digest(path) + "\n")
    assert aot.kernel(SPEC) is None
    assert "import failed" in (aot.failure(SPEC) or "")
    # the run trains with the JIT kernel, and no build is retried for a failed module
    same_bits(train(1_000), train(1_000, ahead_of_time=False))
    assert not list(tmp_path.glob("*.building"))
    assert any(line.startswith("failed") for line in aot.status(tmp_path))


def test_without_numba_pycc_nothing_is_built_and_runs_use_the_jit_kernel(tmp_path, monkeypatch):
    # numba.pycc is deprecated upstream; a numba without it must still train.
    monkeypatch.setenv(aot.ENV, "1")
    monkeypatch.setattr(aot, "folder", lambda: tmp_path)
    monkeypatch.setitem(sys.modules, "numba.pycc", None)
    assert aot.can_build() == "numba.pycc is not available (it is deprecated upstream)"
    assert aot.build_in_background(SPEC) is None
    assert "numba.pycc" in (aot.failure(SPEC) or "")
    jit = train(1_000, ahead_of_time=False)
    same_bits(train(1_000), jit)
    assert not list(tmp_path.glob("*.so"))


def test_a_build_that_died_does_not_block_the_next_one(tmp_path, monkeypatch):
    monkeypatch.setenv(aot.ENV, "1")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    marker = tmp_path / (aot.module_name(SPEC) + ".building")
    marker.write_text(f"{dead.pid}\n")
    proc = aot.build_in_background(SPEC, tmp_path)
    assert proc is not None and proc.wait(timeout=120) == 0, aot.failure(SPEC, tmp_path)
    assert aot.path_of(SPEC, tmp_path).exists() and not marker.exists()
    # nothing is left behind: no build folder, no temporary folder of the toolchain
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def test_no_compiler_means_no_build_and_one_recorded_reason(tmp_path, monkeypatch):
    monkeypatch.setenv(aot.ENV, "1")
    monkeypatch.setattr(aot, "can_build", lambda: "no C compiler (gcc) found")
    assert aot.build_in_background(SPEC, tmp_path) is None
    assert aot.failure(SPEC, tmp_path) == "no C compiler (gcc) found"
    assert not list(tmp_path.glob("*.building"))
    assert aot.build_in_background(SPEC, tmp_path) is None  # not tried again


def test_module_names_follow_the_architecture():
    other = Spec((3, 4, 1), ("sigmoid", "sigmoid"), (False, False), "half_squared_error", 4)
    assert aot.module_name(SPEC).startswith("_glassnet_aot_3x1_sigmoid_")
    assert aot.module_name(other) != aot.module_name(SPEC)
    assert aot.module_name(SPEC).isidentifier()


def test_the_build_check_catches_a_kernel_that_differs_by_one_ulp():
    from glassnet.engines.codegen import load_module, stem_of

    jit = load_module(single.kernel_source(SPEC), "single_" + stem_of(SPEC)).train_kernel

    def off_by_one_ulp(*args):  # type: ignore[no-untyped-def]
        reached = jit(*args)
        args[21][7] = np.nextafter(args[21][7], np.inf)  # one loss entry (loss_hist)
        return reached

    assert aot._same_bits(jit, jit, SPEC)
    assert not aot._same_bits(jit, off_by_one_ulp, SPEC)
