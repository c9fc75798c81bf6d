"""glassnet.diagnosis.hints: a network that does not learn gets a word, with its evidence and a
fix (issue 15); the published examples, which learn, get none."""

from __future__ import annotations

from pathlib import Path

import pytest

import glassnet
from glassnet.diagnosis import format_saturation, hints

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

NOT_LEARNING = {
    "a one-column CSV with no bias: the loss rises": (
        dict(
            inputs=[[1], [2], [3], [4], [5], [6]],
            targets=[[0], [0], [0], [1], [1], [1]],
            iterations=100_000,
        ),
        ["the loss went up, from 0.7326 at #0 to 1.254 at #99999", "bias = true"],
    ),
    "xor without a hidden layer": (
        dict(dataset="xor", iterations=20_000),
        [
            "no straight line separates the two classes",
            "--layers 3,4,1",
            "the error sum stays at 2, what predicting 0.5 for every example gives (2)",
        ],
    ),
    "digits with unscaled inputs": (
        dict(dataset="digits", layers=[64, 32, 10], iterations=200),
        ["the inputs are not scaled (column 'pixel_0_2' reaches 16)", "--standardize"],
    ),
    "no bias and no constant column (nor: the origin must be a 1)": (
        dict(
            inputs=[[0, 0], [0, 1], [1, 0], [1, 1]],
            targets=[[1], [0], [0], [0]],
            layers=[2, 1],
            iterations=3000,
        ),
        ["no bias and no input column is constant", "bias = true"],
    ),
    "a learning rate far too small": (
        dict(iterations=10_000, learning_rate=1e-5),
        ["the loss fell only 2.3 % in 10,000 iterations, and steadily", "try 0.0001"],
    ),
    "a learning rate far too large": (
        dict(dataset="xor", layers=[3, 4, 1], seed=1, iterations=5000, learning_rate=200),
        ["what predicting 0.5 for every example gives", "a learning rate nearer 1 than 200"],
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_LEARNING))
def test_each_way_of_not_learning_gets_its_hint(name):
    settings, fragments = NOT_LEARNING[name]
    found = " | ".join(hints(glassnet.Experiment(**settings).run()))
    for fragment in fragments:
        assert fragment in found, found


LEARNING = {
    "the post's": glassnet.Experiment,
    "Trask's two layers": lambda: glassnet.Experiment(
        dataset="xor", layers=[3, 4, 1], seed=1, iterations=60_000
    ),
    "Mazur's": lambda: glassnet.Experiment(EXAMPLES / "mazur.toml"),
    "iris": lambda: glassnet.Experiment(EXAMPLES / "iris.toml"),
    "spiral": lambda: glassnet.Experiment(EXAMPLES / "spiral.toml"),
    "circle": lambda: glassnet.Experiment(EXAMPLES / "circle.toml"),
    "breast_cancer": lambda: glassnet.Experiment(
        dataset="breast_cancer",
        layers=[30, 16, 1],
        activation=["tanh", "sigmoid"],
        loss="binary_cross_entropy",
        standardize=True,
        bias=True,
        learning_rate=0.01,
        iterations=2000,
        test_fraction=0.25,
    ),
}


@pytest.mark.parametrize("name", sorted(LEARNING))
def test_runs_that_learn_get_no_hint(name):
    assert hints(LEARNING[name]().run()) == []


def test_a_standardized_run_whose_loss_keeps_falling_is_not_called_stalled():
    """Issue: a standardized run with a few saturated units got 'training stalled'."""
    run = glassnet.Experiment(
        dataset="digits", layers=[64, 32, 10], standardize=True, learning_rate=0.01, iterations=300
    ).run()
    assert run.saturation is not None
    text = format_saturation(run)
    assert "stalled" not in text and "the other units kept learning" in text


def test_saturated_unscaled_inputs_point_to_standardize_not_smaller_weights():
    run = glassnet.Experiment(
        dataset="digits", layers=[64, 32, 10], learning_rate=5.0, iterations=50
    ).run()
    text = format_saturation(run)
    assert ("standardize" in text and "smaller weights" not in text) or "kept learning" in text


@pytest.mark.parametrize(
    "settings",
    [
        dict(learning_rate=1e6, iterations=300),  # sigmoid saturates at #1 and stalls
        dict(learning_rate=1e6, iterations=300, loss="binary_cross_entropy"),  # ln(0): a stop
    ],
    ids=["stalled saturation", "stop"],
)
def test_a_warned_run_gets_no_hint_repeating_its_warning(settings):
    """The saturation warning (or the stop) already names the cause and the fix."""
    run = glassnet.Experiment(**settings).run()
    assert run.saturation is not None or run.stop is not None
    assert hints(run) == []


# --------------------------------------------------------------------------- a stopped run's message


def test_weights_that_overflow_name_the_update():
    # A linear layer with a step so large the weights themselves reach inf.
    run = glassnet.Experiment(
        learning_rate=1e300, activation="linear", layers=[3, 4, 1], iterations=50
    ).run(engine="numpy")
    assert run.stop is not None
    from glassnet.diagnosis import format_stop

    message = format_stop(run)
    assert message.startswith(f"training stopped at iteration #{run.stop.iteration} (layer ")
    assert "float64" in message and "learning rate 1e+300 is likely too large" in message


def test_initial_weights_that_already_saturate_blame_the_weights_not_the_rate():
    # z = 1000 for every example: the sigmoid gives exactly 1.0, and example 1's target is 0.
    run = glassnet.Experiment(
        weights=[[[0.0], [0.0], [1000.0]]], loss="binary_cross_entropy", iterations=10
    ).run(engine="numpy")
    from glassnet.diagnosis import format_stop

    assert run.stop is not None and run.stop.iteration == 0 and run.iterations == 0
    message = format_stop(run)
    assert message.startswith("training stopped at iteration #0 (layer 0, sigmoid)")
    assert "example 1 gives exactly 1 while its target is 0" in message
    assert "the initial weights already do this" in message and "learning rate" not in message
