"""The report of a mini-batch run embeds each step's own examples: its batch's rows, inputs and targets.

A step traces only its batch, and the last batch of an epoch may be shorter;
the per-example columns stay rectangular (rows past a short batch are null)
and the page reads each step's examples from the step, not from the data's
first rows.
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.report.data import MAX_EXAMPLES, numbers_per_step, report_data

X = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5]]
Y = [[0], [1], [1], [0], [1]]


def test_each_step_embeds_its_batch_and_short_batches_are_padded_with_null():
    run = glassnet.Experiment(
        inputs=X, targets=Y, layers=[2, 3, 1], batch_size=2, iterations=7
    ).run(engine="numpy")
    steps = report_data(run)["steps"]
    assert steps["iteration"] == list(range(8))
    for t, k in enumerate(steps["iteration"]):
        step = run.step(k)
        assert steps["batch"][t] == len(step.X) == (1 if k % 3 == 2 else 2)  # 5 = 2 + 2 + 1
        assert steps["rows"][t] == step.rows.tolist()
        np.testing.assert_array_equal(
            steps["X"][t][: 2 * len(step.X)], run.data.X[step.rows].ravel()
        )
        np.testing.assert_array_equal(steps["y"][t][: len(step.X)], run.data.y[step.rows].ravel())
        z = steps["layers"][0]["z"][t]
        assert len(z) == 3 * min(MAX_EXAMPLES, 5)  # one row per shown example, padded
        np.testing.assert_allclose(z[: 3 * len(step.X)], step.layers[0].z.ravel(), rtol=1e-11)
        assert set(z[3 * len(step.X) :]) <= {None}
    # the budget counts the batch columns: 5 rows, 1 index + 2 inputs + 1 target each, and the size
    full = glassnet.Experiment(inputs=X, targets=Y, layers=[2, 3, 1], iterations=1).run(
        engine="numpy"
    )
    assert numbers_per_step(run, 5) == numbers_per_step(full, 5) + 5 * 4 + 1


def test_a_full_batch_run_embeds_no_batch_columns():
    run = glassnet.Experiment(inputs=X, targets=Y, layers=[2, 3, 1], iterations=3).run(
        engine="numpy"
    )
    assert not {"batch", "rows", "X", "y"} & set(report_data(run)["steps"])
