"""glassnet.gradcheck: the gradient check a worked step prints, sampled on big networks."""

from __future__ import annotations

import re

import numpy as np
from helpers.experiments import experiments
from helpers.printed import false_lines
from hypothesis import assume, given, settings

import glassnet
from glassnet.explain import explain
from glassnet.gradcheck import check_step


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


# --------------------------------------------------------------------------- property: finite differences agree with the backward pass


def _run(config: dict) -> glassnet.Run:
    return glassnet.Experiment(config).run(engine="numpy")


@settings(max_examples=40, deadline=None)
@given(experiments())
def test_finite_differences_agree_with_the_backward_pass(case):
    config, k, _ = case
    run = _run(config)
    step = run.step(min(k, run.iterations))
    # a relu's kink within a finite-difference step of some z makes the slope two-sided
    for ly in step.layers:
        if ly.activation == "relu":
            assume(np.all(np.abs(ly.z) > 0.05))
    assume(all(np.all(np.abs(ly.z) < 30) for ly in step.layers))
    # within 1e-4 of the end of a sigmoid's or tanh's range, 1 - a cancels and the loss itself
    # has too few digits to difference (the explanation says so)
    out = step.layers[-1]
    if out.activation in ("sigmoid", "tanh"):
        gap = np.minimum(out.a, 1 - out.a) if out.activation == "sigmoid" else 1 - np.abs(out.a)
        assume(np.all(gap > 1e-4))
    check = check_step(run.network, step)
    assert check.max_relative < 1e-5, (check.max_relative, check.worst)
    lr = step.learning_rate
    for ly, g in zip(step.layers, check.analytic.weights):
        # the gradient checked is the one the step used (its batch, the mean, before l2)
        assert np.array_equal(g, ly.gradient)
        if step.method.is_plain:
            np.testing.assert_allclose(g, -ly.dW / lr, rtol=1e-9, atol=1e-12)
