"""glassnet.training: the reference training loop, its checkpoints and what it records."""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.training import CheckpointSchedule


def test_training_numbers_do_not_depend_on_recording_test_figures(iris_run: glassnet.Run) -> None:
    from glassnet.training import CheckpointSchedule, train_reference

    run = iris_run
    plain = train_reference(
        run.network,
        run.initial.copy(),
        run.data.X,
        run.data.y,
        iterations=60,
        learning_rate=0.01,
        train_biases=True,
        schedule=CheckpointSchedule(60, 1),
    )
    np.testing.assert_array_equal(plain.loss, run.history.loss)
    np.testing.assert_array_equal(plain.final.weights[1], run.final.weights[1])
    assert plain.test_loss is None


# --------------------------------------------------------------------------- saturation


def test_saturation_is_the_first_iteration_with_an_exact_end_value():
    run = glassnet.Experiment(learning_rate=1e6, iterations=50).run(engine="numpy")
    k = run.saturation.iteration
    assert k == 1
    for i in range(k):
        a = run.step(i).prediction
        assert np.all((a > 0) & (a < 1)), i
    a = run.step(k).prediction
    assert np.any((a == 0) | (a == 1))


def test_ordinary_runs_do_not_saturate(seed_run):
    assert seed_run.saturation is None and seed_run.stop is None


# --------------------------------------------------------------------------- progress


def test_training_calls_the_progress_callback():
    import glassnet

    seen: list[int] = []
    glassnet.Experiment(iterations=5_000).run(engine="numpy", progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 5_000 and seen == sorted(seen)


# --------------------------------------------------------------------------- checkpoints and biases


def test_checkpoint_schedule_is_dense_then_sparse():
    s = CheckpointSchedule.for_run(1_000_000, 2000)
    its = s.iterations(1_000_000)
    assert its[0] == 0 and np.all(np.diff(its[:1000]) == 1)
    assert len(its) <= 2000 and its[-1] >= 1_000_000 - s.every
    assert CheckpointSchedule.for_run(10, 2000).iterations(10).tolist() == list(range(10))


def test_memory_of_a_long_run_is_bounded():
    """10^6 iterations of the seed network: the run's arrays stay far under 100 MB."""
    exp = glassnet.Experiment(iterations=1_000_000)
    s = CheckpointSchedule.for_run(1_000_000, exp.config.train.checkpoints)
    n_ckpt = len(s.iterations(1_000_000))
    recorded = 2 * 8 * 1_000_000 + n_ckpt * exp.network.n_params * 8
    assert recorded < 20 * 2**20


def test_biases_are_trained_and_can_be_frozen():
    trained = glassnet.Experiment(dataset="xor", layers=[3, 3, 1], bias=True, iterations=20).run()
    frozen = glassnet.Experiment(
        dataset="xor", layers=[3, 3, 1], bias=True, iterations=20, train_biases=False
    ).run()
    assert np.any(trained.final.biases[0] != 0)
    assert np.all(frozen.final.biases[0] == 0)
