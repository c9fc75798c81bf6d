"""glassnet explain beyond the post's method: optimizers, mini-batches, l2, mean, softmax.

Each explanation is checked by the independent evaluator of tests/helpers/printed.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers.printed import false_lines, printed_equations, section

import glassnet
from glassnet.cli import main
from glassnet.explain import explain
from glassnet.explain.gold import IRIS_LIKE
from glassnet.gradcheck import check_step

#: The issue's command.
ADAM = [
    "explain",
    "--dataset",
    "xor",
    "--layers",
    "3,4,1",
    "--optimizer",
    "adam",
    "--learning-rate",
    "0.05",
    "--batch-size",
    "2",
    "--iterations",
    "20",
    "--iteration",
    "3",
    "--format",
    "text",
]


@pytest.fixture(scope="module")
def adam_run() -> glassnet.Run:
    return glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        optimizer="adam",
        learning_rate=0.05,
        batch_size=2,
        l2=0.01,
        reduction="mean",
        iterations=6,
    ).run(engine="numpy")


def test_the_issues_command_explains_adam_on_a_mini_batch(capsys):
    assert main(ADAM) == 0
    out, _ = capsys.readouterr()
    words = " ".join(out.split())
    assert "Optimizer: adam (b1 .9, b2 .999, eps 1e-8); mini-batches of 2 examples" in words
    assert "Batch: ex2 and ex4 (2 of the 4 examples): batch 2 of 2 of epoch #1." in words
    for title in (
        "g = dL/dw = -(sum over the batch's examples of input * delta):",
        "m = b1 * m + (1 - b1) * g (b1 = .9; m on the right is its value after update 3):",
        "v = b2 * v + (1 - b2) * g^2 (b2 = .999; v on the right is its value after update 3):",
        "m̂ = m / (1 - b1^t) (b1 = .9; t = 4, the number of this update):",
        "update = -lr * m̂ / (sqrt(v̂) + eps) (eps = 1e-8):",
        "new weight = old + update:",
    ):
        assert title in out, title
    # the post's plain update is not claimed for it
    assert "update of each weight = learning rate" not in out
    assert "-update / learning rate" not in out
    assert len(printed_equations(out)) > 150
    assert false_lines(out) == []
    assert max(len(line) for line in out.splitlines()) <= 100


def test_each_new_number_is_written_out_with_the_numbers_substituted(adam_run):
    step = adam_run.step(3)
    text = explain(adam_run, 3)
    out = step.layers[-1]
    # the batch's rows name the examples
    rows = [int(r) + 1 for r in step.rows]
    assert f"Batch: ex{rows[0]} and ex{rows[1]}" in text
    # the gradient of h1->out: -(each example's input * delta, summed) / 2, as recorded
    line = next(line for line in text.splitlines() if line.startswith("  h1->out:  -(("))
    lhs, rhs = line.split(":", 1)[1].rsplit("=", 1)
    assert lhs.strip().endswith("/ 2")
    assert abs(float(rhs) - out.gradient[0, 0]) <= 10.0 ** -len(rhs.strip().split(".")[1])
    assert "g = dL/dw + l2 * w, with l2 = .01: the l2 term pulls every weight toward 0:" in text
    assert re.search(r"h1->out:\s+-\.05 \* -?\.\d+ / \(sqrt\(\.\d+\) \+ 1e-8\) = [+-]\.\d+", text)
    assert "loss, 0.5*sum((y-a)^2) / 2, the mean over the batch's 2 examples:" in text
    assert false_lines(text) == []


def test_a_mini_batch_is_compared_with_the_recorded_curve_not_another_batch(adam_run):
    text = explain(adam_run, 3)
    cmp = " ".join(section(text, "6. Compared with iteration #2").split())
    assert "Iteration #2 used another batch" in cmp
    assert "OLD (#2) and NEW (#3) predictions" not in cmp
    old, new = adam_run.history.error_sum[2], adam_run.history.error_sum[3]
    m = re.search(r"sum of absolute errors: (\S+) -> (\S+) \((down|up) (\S+)\)", cmp)
    assert m is not None
    assert abs(float(m[1]) - old) < 0.01 and abs(float(m[2]) - new) < 0.01


def test_the_gradient_check_checks_the_gradient_the_step_used(adam_run):
    step = adam_run.step(3)
    check = check_step(adam_run.network, step)
    assert check.max_relative < 1e-6
    for ly, g in zip(step.layers, check.analytic.weights):
        assert np.array_equal(g, ly.gradient)  # the batch's, averaged, before l2
    text = " ".join(section(explain(adam_run, 3), "4. Gradient check", "5. Why").split())
    assert "the gradient worked out above (the mean over the batch's 2 examples)" in text
    assert "The l2 term l2 * w is not part of the loss" in text
    assert "what is checked here is the data's part, dL/dw before it" in text


def test_why_each_weight_moved_talks_about_the_gradient_and_the_optimizer(adam_run):
    why = " ".join(section(explain(adam_run, 3), "5. Why each weight moved", "6. Compared").split())
    assert "Each example of the batch adds input * delta / 2 to -dL/dw" in why
    assert "Adam moves each parameter by -lr * m̂ / (sqrt(v̂) + eps)" in why
    assert "On this batch -dL/dw = " in why and "The l2 term adds -l2 * w = " in why
    assert "Each example adds learning rate * input * delta" not in why


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "rmsprop"])
def test_every_optimizer_is_written_out_and_true(optimizer):
    run = glassnet.Experiment(
        dataset="xor",
        layers=[3, 2, 1],
        optimizer=optimizer,
        learning_rate=0.1,
        batch_size=3,
        iterations=3,
    ).run(engine="numpy")
    text = explain(run, 2)
    assert "update = -lr" in text and "new weight = old + update:" in text
    assert false_lines(text) == []


def test_a_softmax_output_is_worked_out_row_by_row():
    run = glassnet.Experiment(IRIS_LIKE, iterations=2).run(engine="numpy")
    text = explain(run, 1)
    forward = section(text, "1. Forward pass", "2. Error")
    assert "the largest dot product of each example, max:" in forward
    assert "sum = the sum over the units of e^(z - max):" in forward
    assert "softmax, a = e^(z - max) / sum:" in forward
    assert re.search(r"ex1 out1:\s+e\^\(\s*-\.\d+ - \.\d+\) / \d\.\d+ = \.\d+", forward)
    back = " ".join(section(text, "3. Backward pass", "4. Gradient check").split())
    assert (
        "dL/dz_j = sum_k dL/da_k * da_k/dz_j = sum_k (-y_k / a_k) * a_k * (1[j=k] - a_j) "
        "= -y_j + a_j * sum_k y_k = a_j - y_j" in back
    )
    assert "-1 + .2012 * (1 + 0 + 0) = -.7988" in back
    # a zero term of categorical cross-entropy is left out of the loss
    assert "loss:  -(ln(.2012) + ln(.2085) + ln(.8713) + ln(.8701) + ln(.0424) + ln(.0696))" in text
    assert false_lines(text) == []


def test_notation_is_checked_at_the_boundary(capsys):
    run = glassnet.Experiment(iterations=2).run(engine="numpy")
    with pytest.raises(glassnet.ConfigError, match="notation must be one of delta, chain"):
        explain(run, 1, notation="mazur")
    code = main(["explain", "--notation", "mazur"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "--notation" in err


def test_the_posts_explanation_names_no_method():
    run = glassnet.Experiment(iterations=2).run(engine="numpy")
    text = explain(run, 1)
    assert "Optimizer" not in text and "Batch:" not in text and "reduction" not in text
