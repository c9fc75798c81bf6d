"""glassnet.training: the reference training loop, its checkpoints and what it records."""

from __future__ import annotations

import numpy as np

import glassnet


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
