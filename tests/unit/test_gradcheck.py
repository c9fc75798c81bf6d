"""glassnet.gradcheck: the gradient check a worked step prints, sampled on big networks."""

from __future__ import annotations

import re

import numpy as np
from helpers.printed import false_lines

import glassnet
from glassnet.explain import explain


def test_finite_differences_of_a_sample_match_the_reference_number_for_number(xor_run, big_run):
    from glassnet.gradcheck import check_gradient, finite_difference_at
    from glassnet.network import finite_difference_gradient

    step = xor_run.step(3)
    full = finite_difference_gradient(xor_run.network, step.before, step.X, step.y).flat()
    some = np.array([0, 5, 11, 15])
    assert np.array_equal(
        finite_difference_at(xor_run.network, step.before, step.X, step.y, some), full[some]
    )
    step = big_run.step(1)
    sampled = check_gradient(big_run.network, step.before, step.X, step.y, budget=1e6)
    full = sampled.analytic.flat()
    assert 64 <= sampled.n_checked < full.size
    assert np.isnan(sampled.numeric.flat()).sum() == full.size - sampled.n_checked
    assert sampled.max_relative < 1e-6


def test_a_big_data_set_checks_a_sample_of_the_parameters():
    rng = np.random.RandomState(1)
    X = rng.rand(1500, 64).round(3).tolist()
    y = (rng.rand(1500, 10) > 0.5).astype(float).tolist()
    run = glassnet.Experiment(
        {
            "data": {"inputs": X, "targets": y},
            "network": {"layers": [64, 32, 10]},
            "train": {"iterations": 2},
        }
    ).run(engine="numpy")
    run.step(1), run.step(0)
    text = explain(run, 1)
    # what keeps it fast (timed in benchmarks/, never here): the gradient check samples
    # a few dozen of the 2,368 parameters, and the tables show a few rows
    checked = re.search(r"over the (\d+) parameters checked", text)
    assert checked is not None and int(checked.group(1)) <= 128
    assert "showing 18 of 2368 parameters" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert false_lines(text) == []
