"""glassnet.sweep: every network of a batch ends where a single run of its seed and settings ends.

The batched kernel does a single run's arithmetic with a vectorizable exp
(within 1 ulp of the C library's), so final weights agree with single runs
(numpy reference) to relative 1e-12 on the post's network; for xor's hidden
layer (and for the numpy batch engine, whose matrix products round like
OpenBLAS's) the test bound is relative 1e-10 (below 1e-3 in size, the same
bounds times 1e-3 as absolute ones: :func:`rel`). The tests of optimizers,
mini-batches, the mean and l2 compare every number with the tolerance policy
of :mod:`glassnet.engines.tolerance`, in settings kept out of chaotic regimes
(small learning rates, a few hundred updates), as tests/unit/test_optimizers.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.cli.sweep import parse_seeds
from glassnet.engines.tolerance import assert_close
from glassnet.errors import ConfigError
from glassnet.network import init_params
from glassnet.sweep import Distribution, initial_weights, sweep

pytest.importorskip("numba")

ITERATIONS = 2000


def rel(a, b):
    """The largest difference relative to ``b``; entries of ``b`` under 1e-3 in size count as
    1e-3, so a value near 0 (where float64 noise is absolute, not relative) is compared
    absolutely: ``rel <= 1e-12`` is then ``|a - b| <= 1e-15``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3)))


def first_reach(run, target):
    below = np.nonzero(run.history.error_sum <= target)[0]
    if below.size:
        return int(below[0])
    return run.iterations if run.final_error_sum <= target else -1


@pytest.fixture(scope="module")
def seed_sweep():
    return sweep(
        glassnet.Experiment(iterations=ITERATIONS), range(40), [0.5, 1.0], target_error=0.3
    )


@pytest.mark.parametrize("index", [0, 1, 14, 79])
def test_final_weights_equal_single_runs_of_the_same_seed(seed_sweep, index):
    seed, rate = int(seed_sweep.seeds[index]), float(seed_sweep.learning_rates[index])
    assert (seed, rate) == (index // 2, (0.5, 1.0)[index % 2])  # seed-major order
    run = glassnet.Experiment(iterations=ITERATIONS, seed=seed, learning_rate=rate).run(
        engine="numpy"
    )
    assert seed_sweep.engine == "compiled"
    assert rel(seed_sweep.final_params[index], run.final.flat()) <= 1e-12
    assert rel(seed_sweep.final_error_sum[index], run.final_error_sum) <= 1e-12
    assert rel(seed_sweep.final_loss[index], run.final_loss) <= 1e-12
    assert seed_sweep.iterations_to_target[index] == first_reach(run, 0.3)
    assert seed_sweep.stopped_at[index] == -1
    np.testing.assert_array_equal(
        seed_sweep.params(index).weights[0], seed_sweep.final_params[index].reshape(3, 1)
    )


def test_summaries_are_the_distributions_of_the_table(seed_sweep):
    summaries = seed_sweep.summaries()
    assert [s.learning_rate for s in summaries] == [0.5, 1.0]
    s = summaries[1]
    rows = seed_sweep.learning_rates == 1.0
    w1 = seed_sweep.final_params[rows, 0]
    assert s.n_networks == 40 and s.weights[0].name == "W0[0,0]"
    assert s.weights[0].mean == pytest.approx(w1.mean(), rel=1e-15)
    assert s.weights[0].median == pytest.approx(np.median(w1), rel=1e-15)
    assert s.weights[2].max == seed_sweep.final_params[rows, 2].max()
    reach = seed_sweep.iterations_to_target[rows]
    assert s.n_reached == int((reach >= 0).sum())
    # the post's relationship: the always-1 input's weight settles near -w1/2
    assert np.all(
        np.abs(seed_sweep.final_params[:, 2] / seed_sweep.final_params[:, 0] + 0.5) < 0.05
    )


def test_xor_hidden_layer_with_biases_matches_single_runs():
    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], bias=True, iterations=ITERATIONS)
    result = sweep(exp, [1, 5, 9], [0.5, 2.0], target_error=1.0)
    for index in range(result.n_networks):
        run = glassnet.Experiment(
            dataset="xor",
            layers=[3, 4, 1],
            bias=True,
            iterations=ITERATIONS,
            seed=int(result.seeds[index]),
            learning_rate=float(result.learning_rates[index]),
        ).run(engine="numpy")
        assert rel(result.final_params[index], run.final.flat()) <= 1e-10
        assert result.iterations_to_target[index] == first_reach(run, 1.0)


def test_diverging_networks_stop_where_single_runs_stop():
    settings = {
        "dataset": "xor",
        "layers": [3, 1],
        "activation": "linear",
        "bias": True,
        "iterations": 400,
    }
    result = sweep(glassnet.Experiment(**settings), [5, 6], [0.1, 3.0])
    for index in range(result.n_networks):
        run = glassnet.Experiment(
            **settings,
            seed=int(result.seeds[index]),
            learning_rate=float(result.learning_rates[index]),
        ).run(engine="numpy")
        assert result.stopped_at[index] == (run.stop.iteration if run.stop else -1)
        # weights that shrink to ~1e-15 are compared on the scale of the largest
        ref = run.final.flat()
        assert np.max(np.abs(result.final_params[index] - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert (result.stopped_at[result.learning_rates == 3.0] >= 0).all()
    assert result.summaries()[1].n_stopped == 2


def test_the_numpy_engine_gives_the_same_sweep():
    exp = glassnet.Experiment(dataset="xor", layers=[3, 4, 1], bias=True, iterations=500)
    compiled = sweep(exp, range(8), [0.5, 1.0], target_error=1.5)
    plain = sweep(exp, range(8), [0.5, 1.0], target_error=1.5, engine="numpy")
    assert plain.engine == "numpy"
    assert rel(plain.final_params, compiled.final_params) <= 1e-10
    np.testing.assert_array_equal(plain.iterations_to_target, compiled.iterations_to_target)


def test_initial_weights_are_init_params_draws():
    network = glassnet.Experiment(dataset="xor", layers=[3, 4, 1]).network
    per_layer = initial_weights(network, [0, 17, 2**32 - 1])
    for s, seed in enumerate([0, 17, 2**32 - 1]):
        expected = init_params(network, seed)
        for layer in range(2):
            np.testing.assert_array_equal(per_layer[layer][s], expected.weights[layer])


def test_distribution_leaves_out_non_finite_values():
    d = Distribution.of("w", np.array([1.0, 2.0, np.inf, np.nan, 3.0]))
    assert (d.count, d.n_nonfinite, d.mean, d.median, d.min, d.max) == (3, 2, 2.0, 2.0, 1.0, 3.0)
    assert np.isnan(Distribution.of("w", np.array([np.nan])).mean)


def test_settings_are_checked_once_with_clear_messages():
    assert list(parse_seeds("0:5")) == [0, 1, 2, 3, 4] and parse_seeds("1,5,9") == [1, 5, 9]
    assert list(parse_seeds("0:10:5")) == [0, 5]
    assert parse_seeds("0:10000000000") == range(10_000_000_000)  # a range, not a list
    with pytest.raises(ConfigError, match="--seeds must be START:STOP"):
        parse_seeds("a:b")
    with pytest.raises(ConfigError, match="from 0 to 4294967295"):
        sweep(None, [-1])
    with pytest.raises(ConfigError, match="learning rates must be finite numbers > 0"):
        sweep(None, [1], [0.0])
    with pytest.raises(ConfigError, match="remove them to sweep over seeds"):
        sweep(glassnet.Experiment(weights=[[[0.1], [0.2], [0.3]]]), [1])


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_an_asked_for_error_history_is_the_single_runs_history(engine):
    result = sweep(
        glassnet.Experiment(iterations=1000), [3, 4], [1.0], history_every=100, engine=engine
    )
    assert result.error_history.shape == (2, 10) and result.history_every == 100
    for index, seed in enumerate([3, 4]):
        run = glassnet.Experiment(iterations=1000, seed=seed).run(engine="numpy")
        assert rel(result.error_history[index], run.history.error_sum[::100]) <= 1e-12
    assert sweep(glassnet.Experiment(iterations=10), [1]).error_history is None
    with pytest.raises(ConfigError, match="--history-every 1 would keep"):
        sweep(glassnet.Experiment(iterations=10**6), range(200), history_every=1)


# --------------------------------------------------------------------------- every method


def assert_like_single_runs(result, settings, target):
    """Every network of ``result`` against a single run (numpy reference) of its seed, learning
    rate, optimizer and batch size: final params, error sum and loss under the tolerance
    policy; the iteration it reached the target and where it stopped, exactly."""
    optimizers, batch_sizes = result.optimizer_column(), result.batch_size_column()
    for index in range(result.n_networks):
        batch = int(batch_sizes[index])
        run = glassnet.Experiment(
            **settings,
            seed=int(result.seeds[index]),
            learning_rate=float(result.learning_rates[index]),
            optimizer=str(optimizers[index]),
            **({"batch_size": batch} if batch else {}),
        ).run(engine="numpy")
        where = f"network {index} ({optimizers[index]}, batch {batch})"
        assert_close(result.final_params[index], run.final.flat(), f"{where} final params")
        assert_close([result.final_error_sum[index]], [run.final_error_sum], f"{where} error sum")
        assert_close([result.final_loss[index]], [run.final_loss], f"{where} loss")
        assert result.stopped_at[index] == (run.stop.iteration if run.stop else -1), where
        assert result.iterations_to_target[index] == first_reach(run, target), where


#: xor with a hidden layer, biases, the mean over the batch and l2: every part of a method
METHOD = {
    "dataset": "xor", "layers": [3, 4, 1], "activation": "tanh", "bias": True, "iterations": 200,
    "reduction": "mean", "l2": 0.001,
}  # fmt: skip


@pytest.mark.parametrize(
    ("engine", "optimizers", "batch_sizes"),
    [
        # 3 does not divide the 4 examples: each epoch ends with a batch of 1
        ("compiled", ["momentum", "adam"], [3]),
        ("numpy", ["gd", "momentum", "nesterov", "adam", "rmsprop"], ["full", 3]),
    ],
)
def test_every_optimizer_and_batch_size_ends_where_its_single_run_ends(
    engine, optimizers, batch_sizes
):
    result = sweep(
        glassnet.Experiment(**METHOD),
        [1, 2],
        [0.01, 0.03],
        optimizers=optimizers,
        batch_sizes=batch_sizes,
        target_error=1.9,
        engine=engine,
    )
    assert result.engine == engine
    n_sizes = len(batch_sizes)
    assert result.n_networks == len(optimizers) * n_sizes * 4
    # optimizer-major, then batch size, then seed, then learning rate
    assert list(result.optimizer_column()[:: 4 * n_sizes]) == optimizers
    assert list(result.seeds[:4]) == [1, 1, 2, 2] and list(result.learning_rates[:2]) == [
        0.01,
        0.03,
    ]
    assert_like_single_runs(result, METHOD, 1.9)


def test_a_softmax_output_on_mini_batches_ends_where_its_single_run_ends():
    pytest.importorskip("sklearn")
    settings = {
        "dataset": "iris", "layers": [4, 5, 3], "activation": ["tanh", "softmax"],
        "loss": "categorical_cross_entropy", "bias": True, "iterations": 60, "reduction": "mean",
    }  # fmt: skip
    # 150 examples: the looped kernel, one example at a time; batches of 64 leave 22
    result = sweep(glassnet.Experiment(**settings), [3], [0.05], batch_sizes=[64], target_error=10)
    assert result.engine == "compiled"
    assert_like_single_runs(result, settings, 10)


def test_a_sweep_of_the_experiments_own_method_keeps_its_columns_implicit():
    result = sweep(glassnet.Experiment(iterations=20, optimizer="momentum"), [0, 1], engine="numpy")
    assert result.optimizers is None and result.batch_sizes is None
    assert list(result.optimizer_column()) == ["momentum", "momentum"]
    assert list(result.batch_size_column()) == [0, 0]
    assert result.label("momentum", 0, 1.0) == "learning rate 1"
    other = sweep(glassnet.Experiment(iterations=20), [0], optimizers=["adam"], engine="numpy")
    assert list(other.optimizers) == ["adam"] and other.summaries()[0].optimizer == "adam"
    one = sweep(None, [0], iterations=20, optimizers="adam", batch_sizes=2, engine="numpy")
    assert (list(one.optimizer_column()), list(one.batch_size_column())) == (["adam"], [2])


def test_the_new_settings_are_checked_with_clear_messages(capsys):
    with pytest.raises(
        ConfigError, match=r"optimizers must be among gd, momentum.*Did you mean 'adam'"
    ):
        sweep(None, [1], optimizers=["adamm"])
    with pytest.raises(ConfigError, match="optimizers must not repeat"):
        sweep(None, [1], optimizers=["gd", "gd"])
    with pytest.raises(ConfigError, match=r"batch sizes must be whole numbers >= 1.*got -2"):
        sweep(None, [1], batch_sizes=[-2])
    with pytest.raises(ConfigError, match="0 and 'full' are the same"):
        sweep(None, [1], batch_sizes=[0, "full"])
    with pytest.raises(ConfigError, match="remove them to sweep"):
        sweep(glassnet.Experiment(edits=[{"iteration": 1, "set": "W0[0,0]", "value": 1.0}]), [1])
    with pytest.raises(ConfigError, match="--dask must be a Dask scheduler's address"):
        sweep(None, [1], dask="local:0")
    assert main(["sweep", "--batch-sizes", "full,x"]) == 2
    assert main(["sweep", "--optimizers", "sgd"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert (
        err[0].startswith("glassnet: error: --batch-sizes must be whole numbers >= 1")
        and "'full,x'" in err[0]
    )
    assert "optimizers must be among" in err[1]


def test_optimizer_settings_given_on_the_command_line_reach_the_optimizers_that_read_them(capsys):
    code = main(
        [
            "sweep", "--seeds", "0:2", "--iterations", "30", "--optimizers", "gd,momentum",
            "--momentum", "0.5", "--engine", "numpy",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = glassnet.Experiment(seed=1, iterations=30, optimizer="momentum", momentum=0.5).run(
        engine="numpy"
    )
    text = capsys.readouterr().out
    assert "momentum, learning rate 1:" in text
    result = sweep(
        glassnet.Experiment(iterations=30, optimizer="momentum", momentum=0.5),
        [0, 1],
        optimizers=["gd", "momentum"],
        engine="numpy",
    )
    assert_close(result.final_params[3], run.final.flat(), "momentum 0.5")
