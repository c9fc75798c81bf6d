"""glassnet.plots.predictions: each example's prediction from the post's first numbers to the end."""

from __future__ import annotations

import numpy as np

from glassnet.plots import plot


def lines_by_gid(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def test_predictions_plot_starts_at_the_posts_numbers_and_ends_at_the_final_prediction(seed_run):
    fig = plot(seed_run, "predictions")
    lines = lines_by_gid(fig)
    first = [lines[f"prediction-linear-{s}-0"].get_ydata()[1] for s in range(4)]
    np.testing.assert_allclose(first, [0.40018475, 0.32312967, 0.56698066, 0.48370881], atol=1e-8)
    last = [lines[f"prediction-linear-{s}-0"].get_ydata()[-1] for s in range(4)]
    np.testing.assert_array_equal(last, seed_run.final_prediction[:, 0])
    # converged: each final prediction is within 0.01 of its target
    assert np.all(np.abs(np.array(last) - seed_run.data.y[:, 0]) < 0.01)
