"""glassnet.engines: one list of engine names, one selection, one fallback warning, and
every engine computing every activation and loss as the reference does.

The parametrized test at the bottom runs every activation x loss x engine
(numpy and compiled, single and batch) against the numpy reference, under the
tolerance policy of :mod:`glassnet.engines.tolerance`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import engines
from glassnet.activations import ACTIVATIONS
from glassnet.engines.tolerance import RTOL, assert_close, mismatch
from glassnet.errors import ConfigError
from glassnet.losses import LOSSES
from glassnet.network import Network, allowed_hidden, allowed_output, init_params
from glassnet.training import CheckpointSchedule, train_reference

pytest.importorskip("numba")


def test_the_engine_names_are_listed_once_and_checked():
    assert engines.ENGINES == ("auto", "numpy", "compiled")
    for name in engines.ENGINES:
        assert engines.check(name) == name
    with pytest.raises(ConfigError, match="engine must be one of auto, numpy, compiled; got 'gpu'"):
        engines.check("gpu")
    with pytest.raises(ConfigError, match="engine must be one of"):
        glassnet.Experiment(iterations=3).run(engine="fast")


def test_auto_uses_numpy_for_short_runs_and_the_compiled_engine_for_long_ones():
    network = glassnet.Experiment().network
    assert engines.select("auto", network, 100) == "numpy"
    assert engines.select("auto", network, 100_000) == "compiled"
    assert engines.select("numpy", network, 10**6) == "numpy"
    assert engines.select("compiled", network, 1) == "compiled"


def test_the_choice_does_not_depend_on_what_the_process_did_before():
    """Issue: with numba already imported, auto once picked another engine for the same run."""
    code = (
        "import sys, glassnet\n"
        "from glassnet import engines\n"
        "net = glassnet.Experiment().network\n"
        "before = [engines.select('auto', net, n) for n in (100, 5000, 40000, 100000)]\n"
        "import numba\n"
        "glassnet.Experiment(iterations=100000).run(engine='compiled')\n"
        "after = [engines.select('auto', net, n) for n in (100, 5000, 40000, 100000)]\n"
        "print(before == after, before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("True"), done.stdout


def test_the_same_experiment_gives_the_same_bytes_in_any_order_of_calls():
    from glassnet.serialize import dumps, run_to_dict

    first = dumps(run_to_dict(glassnet.Experiment(iterations=5000).run()))
    glassnet.Experiment(iterations=100_000).run(engine="compiled")  # numba is loaded now
    second = dumps(run_to_dict(glassnet.Experiment(iterations=5000).run()))
    assert first == second


def test_the_fallback_warning_is_one_and_the_same_everywhere(monkeypatch):
    monkeypatch.setattr(engines, "unavailable_reason", lambda: "numba is not installed")
    with pytest.warns(engines.EngineFallback) as caught:
        assert engines.select("compiled", glassnet.Experiment().network, 10) == "numpy"
        assert engines.select_batch("compiled") == "numpy"
    assert [str(w.message) for w in caught] == [
        "the compiled engine is not available here (numba is not installed); training with numpy."
    ] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert engines.select("auto", glassnet.Experiment().network, 10**6) == "numpy"


def test_trainers_are_found_by_name():
    assert engines.trainer("numpy") is train_reference
    assert engines.trainer("compiled").__module__ == "glassnet.engines.compiled"
    assert engines.batch_trainer("numpy").__module__ == "glassnet.engines.batched_numpy"
    assert engines.batch_trainer("compiled").__module__ == "glassnet.engines.batched"
    with pytest.raises(ConfigError):
        engines.trainer("auto")


def test_importing_the_engines_does_not_import_numba():
    code = "import sys, glassnet, glassnet.engines; print('numba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


# --------------------------------------------------------------------------- the tolerance policy


def test_the_policy_scales_the_absolute_tolerance_by_the_array():
    weights = np.array([12.0, -0.2, 5e-16])
    # an entry near zero may be off by far more than its own size (3e-12 relative to
    # itself is nothing next to 12)...
    assert mismatch(weights + np.array([0, 0, 1e-15]), weights) is None
    # ... but not by more than RTOL of the array's largest entry
    assert mismatch(weights + np.array([0, 0, 13 * RTOL]), weights) is not None
    assert mismatch(weights + np.array([12 * RTOL * 0.9, 0, 0]), weights) is None
    assert "infinities or NaNs differ" in str(mismatch([1.0, np.inf], [1.0, 2.0]))
    assert mismatch([np.nan, 1.0], [np.nan, 1.0]) is None
    assert "shape" in str(mismatch([1.0], [1.0, 2.0]))
    with pytest.raises(AssertionError, match="entry"):
        assert_close([1.0, 2.0], [1.0, 2.5], "w")


# --------------------------------------------------------------------------- every activation x loss x engine


def _network(activation: str, loss: str) -> Network:
    definition = LOSSES[loss]
    last = definition.requires or ACTIVATIONS[activation]
    return Network((3, 4, 2), (ACTIVATIONS[activation], last), (True, False), definition)


def _data(network: Network) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, size=(5, 3))
    y = rng.uniform(0.1, 0.9, size=(5, 2))
    if network.activations[-1].rowwise:  # one class per example
        y = np.eye(2)[[0, 1, 1, 0, 1]]
    return X, y


#: Every activation (as the hidden layer's, and as the output's where the loss allows
#: it) with every loss.
COMBINATIONS = [
    (activation, loss)
    for activation in sorted(ACTIVATIONS)
    for loss in sorted(LOSSES)
    if allowed_hidden(ACTIVATIONS[activation])
    and allowed_output(LOSSES[loss].requires or ACTIVATIONS[activation], LOSSES[loss])
]


ITERATIONS = 400


@pytest.mark.parametrize("engine", ["numpy", "compiled", "batch-numpy", "batch-compiled"])
@pytest.mark.parametrize(("activation", "loss"), COMBINATIONS)
def test_every_engine_trains_every_activation_and_loss_like_the_reference(activation, loss, engine):
    network = _network(activation, loss)
    X, y = _data(network)
    params = init_params(network, 3)
    params = params.with_flat(params.flat() * 0.5)
    rate = 0.05
    schedule = CheckpointSchedule.for_run(ITERATIONS, 50)
    ref = train_reference(
        network,
        params.copy(),
        X,
        y,
        iterations=ITERATIONS,
        learning_rate=rate,
        train_biases=True,
        schedule=schedule,
    )
    assert ref.stop is None
    if engine in ("numpy", "compiled"):
        # the table-driven kernel (the unrolled one gives its bits: test_engines_compiled.py)
        for specialize in (False,) if engine == "compiled" else (None,):
            kwargs = (
                {} if specialize is None else {"specialize": specialize, "ahead_of_time": False}
            )
            mine = engines.trainer(engine)(
                network,
                params.copy(),
                X,
                y,
                iterations=ITERATIONS,
                learning_rate=rate,
                train_biases=True,
                schedule=schedule,
                **kwargs,
            )
            assert_close(mine.loss, ref.loss, f"{engine} loss history")
            assert_close(mine.error_sum, ref.error_sum, f"{engine} error-sum history")
            assert_close(mine.final.flat(), ref.final.flat(), f"{engine} final params")
            assert mine.saturation == ref.saturation
        return
    from glassnet.engines.compiled import flatten

    W, b = flatten(params)
    batch = engines.batch_trainer(engine.removeprefix("batch-"))(
        network,
        X,
        y,
        W[:, None],
        b[:, None],
        np.array([rate]),
        iterations=ITERATIONS,
        train_biases=True,
        target_error=-np.inf,
    )
    ref_W, ref_b = flatten(ref.final)
    assert_close(batch.W[:, 0], ref_W, f"{engine} final weights")
    assert_close(batch.b[:, 0], ref_b, f"{engine} final biases")


def test_the_cpu_the_kernels_are_compiled_for_can_be_chosen():
    """.ci/run also runs the engine tests with NUMBA_CPU_NAME=haswell and =generic."""
    env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CACHE_DIR="")
    env.pop("NUMBA_CACHE_DIR")
    code = (
        "import glassnet\n"
        "r = glassnet.Experiment(iterations=2000).run(engine='compiled')\n"
        "print(r.engine, repr(float(r.final.weights[0][0, 0])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    engine, value = done.stdout.split()
    reference = glassnet.Experiment(iterations=2000).run(engine="numpy").final.weights[0][0, 0]
    assert engine == "compiled"
    assert_close([float(value)], [reference], "W0[0,0] compiled for a generic x86-64 CPU")


# --------------------------------------------------------------------------- diverging runs


DIVERGING = [
    {"learning_rate": 1e6},
    {"learning_rate": 1e6, "loss": "binary_cross_entropy"},
    {"learning_rate": 1e3, "activation": "linear", "layers": [3, 4, 1]},
    {"learning_rate": 1e6, "activation": ["tanh", "sigmoid"], "layers": [3, 4, 1], "bias": True},
    {"learning_rate": 1e300, "activation": "linear", "layers": [3, 4, 1]},
]


@pytest.mark.parametrize(
    "settings", DIVERGING, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items())
)
def test_every_engine_records_the_same_stop_and_saturation(settings):
    runs = {
        engine: glassnet.Experiment(iterations=200, **settings).run(engine=engine)
        for engine in ("numpy", "compiled")
    }
    reference = runs["numpy"]
    for engine, run in runs.items():
        assert (run.stop, run.saturation, run.iterations) == (
            reference.stop,
            reference.saturation,
            reference.iterations,
        ), engine
        # Same infinities in the same places; finite losses to rounding (a faster kernel may
        # sum in another order: 1 ulp at 1e164 has been seen).
        assert np.array_equal(np.isfinite(run.history.loss), np.isfinite(reference.history.loss))
        finite = np.isfinite(reference.history.loss)
        np.testing.assert_allclose(
            run.history.loss[finite], reference.history.loss[finite], rtol=1e-12, err_msg=engine
        )


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_a_networks_numbers_do_not_depend_on_the_networks_beside_it(engine):
    """What makes a sweep split into chunks (threads, Dask workers) give the same bits."""
    from glassnet import engines
    from glassnet.engines.compiled import flatten

    exp = glassnet.Experiment(
        dataset="xor", layers=[3, 1], activation="linear", bias=True, iterations=300
    )
    params = [init_params(exp.network, seed) for seed in range(13)]
    W = np.stack([flatten(p)[0] for p in params], axis=1)
    b = np.stack([flatten(p)[1] for p in params], axis=1)
    rates = np.linspace(0.1, 3.0, 13)  # all but the two smallest diverge: stops in the mix
    train = engines.batch_trainer(engine)
    args = {"iterations": 300, "train_biases": True, "target_error": 0.5, "history_every": 50}
    together = train(exp.network, exp.data.X, exp.data.y, W, b, rates, **args)
    assert (together.stopped >= 0).any() and (together.stopped < 0).any()
    for lo, hi in ((0, 1), (1, 6), (6, 13)):
        part = train(
            exp.network, exp.data.X, exp.data.y, W[:, lo:hi], b[:, lo:hi], rates[lo:hi], **args
        )
        for name in (
            "W",
            "b",
            "final_error_sum",
            "final_loss",
            "reached",
            "stopped",
            "error_history",
        ):
            np.testing.assert_array_equal(
                getattr(part, name),
                getattr(together, name)[..., lo:hi]
                if name in "Wb"
                else getattr(together, name)[lo:hi],
                name,
            )
