"""What a run records: checkpoints, exact replay, JSON round trip, bounded memory."""

from __future__ import annotations

import json

import numpy as np

import glassnet
from glassnet.training import CheckpointSchedule


def test_replay_is_bit_identical_to_training():
    """Replaying any iteration from a sparse checkpoint gives the training loop's own numbers."""
    run = glassnet.Experiment(
        dataset="xor", layers=[3, 4, 1], seed=1, iterations=5000, checkpoints=100
    ).run(engine="numpy")
    for k in (0, 49, 50, 51, 1234, 4999):
        step = run.step(k)
        assert step.loss == run.history.loss[k]
        assert step.error_sum == run.history.error_sum[k]
    assert all(
        np.array_equal(a, b) for a, b in zip(run.step(4999).after.weights, run.final.weights)
    )


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


def test_json_round_trip(tmp_path, seed_run):
    path = tmp_path / "run.json"
    seed_run.to_json(str(path), trace=[0, 1])
    doc = json.loads(path.read_text())
    assert list(doc)[:3] == ["glassnet", "config", "data"]
    assert doc["iterations"] == 100_000
    assert len(doc["history"]["loss"]) == 100_000
    np.testing.assert_allclose(
        doc["steps"][1]["layers"][0]["a"], seed_run.step(1).prediction, rtol=0, atol=0
    )
    assert doc["steps"][1]["weights_after"][0] == seed_run.step(1).after.weights[0].tolist()
    assert doc["final"]["weights"][0] == seed_run.final.weights[0].tolist()
    loaded = glassnet.load(path)
    assert np.array_equal(loaded.history.error_sum, seed_run.history.error_sum)
    assert np.array_equal(loaded.step(777).prediction, seed_run.step(777).prediction)


def test_same_experiment_same_bytes(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    glassnet.Experiment(iterations=50).run().to_json(str(a), trace=[0, 49])
    glassnet.Experiment(iterations=50).run().to_json(str(b), trace=[0, 49])
    assert a.read_bytes() == b.read_bytes()


def test_biases_are_trained_and_can_be_frozen():
    trained = glassnet.Experiment(dataset="xor", layers=[3, 3, 1], bias=True, iterations=20).run()
    frozen = glassnet.Experiment(
        dataset="xor", layers=[3, 3, 1], bias=True, iterations=20, train_biases=False
    ).run()
    assert np.any(trained.final.biases[0] != 0)
    assert np.all(frozen.final.biases[0] == 0)
