"""The example experiments in examples/ reach what their comments promise (issue 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import glassnet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def accuracy(y: np.ndarray, prediction: np.ndarray) -> float:
    if y.shape[1] > 1:
        return float((np.argmax(prediction, axis=1) == np.argmax(y, axis=1)).mean())
    return float(((prediction > 0.5) == (y > 0.5)).mean())


def test_the_spiral_with_adam_reaches_95_percent_on_its_training_points():
    run = glassnet.Experiment(EXAMPLES / "spiral.toml").run()
    assert run.config.train.optimizer == "adam" and run.config.data.data_seed == 0
    assert accuracy(run.data.y, run.final_prediction) >= 0.95


def test_the_circle_with_four_hidden_units_gets_every_training_point():
    run = glassnet.Experiment(EXAMPLES / "circle.toml").run()
    assert run.network.sizes == (2, 4, 1)
    assert accuracy(run.data.y, run.final_prediction) == 1.0


def test_iris_with_a_softmax_reaches_95_percent_on_the_held_out_30_percent():
    run = glassnet.Experiment(EXAMPLES / "iris.toml").run()
    assert run.network.activations[-1].rowwise and run.test is not None
    assert run.test.n_samples == 45
    assert accuracy(run.test.y, run.final_test_prediction) >= 0.95
