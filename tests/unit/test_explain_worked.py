"""glassnet.explain.worked: the worked explanation of an iteration, with the post's numbers, for
other networks and losses, big networks and a diverged step.

Equations are checked by the evaluator in tests/helpers/printed.py, written
independently of glassnet.explain.numbers: it parses the printed lines,
evaluates each left side from the printed numbers and compares with the
printed right side.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers.experiments import experiments
from helpers.printed import false_lines, last_digit, printed_equations, section
from hypothesis import HealthCheck, assume, given, settings

import glassnet
from glassnet.explain import explain
from glassnet.explain.method import printed
from glassnet.explain.walkthrough import format_walkthrough

# --------------------------------------------------------------------------- the post's numbers


@pytest.fixture(scope="module")
def seed_1(seed_run) -> str:
    return explain(seed_run, 1)


def test_seed_iteration_1_has_the_seeds_dot_products_predictions_and_weights(seed_1):
    forward = section(seed_1, "1. Forward pass", "2. Error")
    for dot in ["= -.4047", "= -.7394", "=  .2695", "= -.0652"]:
        assert dot in forward, dot
    for a in [".4002", ".3231", ".5670", ".4837"]:
        assert f"= {a}" in forward, a
    # the dot products are written out with the numbers substituted
    assert "(0 * .6742) + (1 * -.3347) + (1 * -.4047) = -.7394" in forward
    assert "1/(1+e^-(-.4047)) = .4002" in forward
    new = section(seed_1, "new weight = old + update", "4. Gradient check")
    for w in [".9095", "-.2765", "-.3362"]:
        assert f"= {w}" in " ".join(new.split()), w
    assert "w1:   .6742 + .2352 =  .9095" in new


def test_seed_iteration_1_error_sum_falls_from_1_82_to_1_67(seed_1):
    assert "sum of absolute errors: 1.82 -> 1.67 (down .15): so there was improvement." in seed_1
    assert "|-.4002| + |-.3231| + |.4330| + |.5163| = 1.6726" in seed_1


def test_seed_iteration_1_backward_pass_is_written_out(seed_1):
    back = section(seed_1, "3. Backward pass", "4. Gradient check")
    assert ".4002 * (1 - .4002) = .2400" in back  # derivative at the prediction
    assert "-.4002 * .2400 = -.0961" in back  # delta = error * derivative
    # the example line, with the numbers of the post's iteration #1
    assert "w1:  (0 * -.0961) + (0 * -.0707) + (1 * .1063) + (1 * .1289) = +.2352" in back


def test_seed_iteration_1_says_why_each_weight_moved(seed_1):
    why = " ".join(section(seed_1, "5. Why each weight moved", "6. Compared").split())
    assert "w1 rose by .2352 (.6742 -> .9095)" in why
    # the example: w1 rose because the two examples whose first input is 1 both had
    # positive error; the examples with first input 0 contribute nothing to it
    assert (
        "Pushed up by ex3 and ex4 (+.1063, +.1289): there x1 = 1 and the error is positive "
        "(the target is above the prediction); nothing pushed it down."
    ) in why
    assert "ex1 and ex2 contribute nothing: x1 is 0 there." in why
    assert "w2 rose by .0583 (-.3347 -> -.2765), toward zero: its size shrank" in why
    assert (
        "x3 is 1 in every example, so w3 moves by the sum of all the deltas, exactly as a bias would"
        in why
    )


def test_seed_iteration_1_compares_old_and_new(seed_1):
    cmp = section(seed_1, "6. Compared with iteration #0")
    assert "they all went up" in cmp
    # the seed: "the first weight is larger and the second two weights got smaller" (in size)
    assert (
        "w1 .3929 -> .6742 (up, size grew); w2 -.4277 -> -.3347 (up, size shrank); "
        "w3 -.5463 -> -.4047 (up, size shrank)."
    ) in " ".join(cmp.split())
    assert re.search(r"ex1\s+0\s+\.3667\s+\.4002\s+\+\.0335 up\s+-\.3667\s+-\.4002", cmp)
    assert "1.673 - 1.820 = -.148" in cmp


def test_constant_input_column_is_named_as_a_bias(seed_1):
    assert (
        "Input x3 is 1 in every example, so it acts like a bias unit: w3 plays the role of a bias."
        in " ".join(seed_1.split())
    )


def test_gradient_check_agrees(seed_1, seed_run):
    from glassnet.gradcheck import check_step

    check = check_step(seed_run.network, seed_run.step(1))
    assert check.max_relative < 1e-8
    np.testing.assert_allclose(
        check.analytic.weights[0], -seed_run.step(1).layers[0].dW, rtol=1e-12
    )
    grad = section(seed_1, "4. Gradient check", "5. Why")
    assert re.search(r"w1\s+-\.23524790\s+-\.23524790\s+\d\.\de-\d+", grad)
    assert "Largest relative difference over all 3 parameters" in " ".join(grad.split())


def test_every_printed_line_of_the_seed_and_xor_is_true(seed_1, seed_run, xor_run):
    for text in [
        seed_1,
        explain(seed_run, 0),
        explain(xor_run, 0),
        explain(xor_run, 7),
        explain(seed_run, seed_run.iterations),
        format_walkthrough(seed_run),
    ]:
        assert len(printed_equations(text)) >= 20
        assert false_lines(text) == []


# --------------------------------------------------------------------------- other networks and losses


def test_last_iteration_says_its_update_was_not_applied():
    run = glassnet.Experiment(iterations=3).run(engine="numpy")
    assert "this update was worked out but not applied" in explain(run, 3)
    assert "not applied" not in explain(run, 2)


def test_biases_learning_rate_and_cross_entropy_are_written_out():
    run = glassnet.Experiment(
        dataset="or",
        layers=[3, 2, 1],
        bias=True,
        seed=4,
        learning_rate=0.5,
        loss="binary_cross_entropy",
        iterations=3,
    ).run(engine="numpy")
    text = explain(run, 2)
    assert "b->h1:" in text and "b->out:" in text
    assert re.search(r"^  x1->h1:\s+\.5 \* \(", text, re.M)
    assert "-(ln(1 - " in text and "delta = error:" in text
    assert false_lines(text) == []


# --------------------------------------------------------------------------- big networks (big_run: tests/conftest.py)


def test_a_64_input_32_hidden_step_renders_fast_and_fits_a_terminal(big_run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # the terminal's width decides where rich wraps the note
    big_run.step(2)  # replaying the step is the run's work, not the renderer's
    for fmt in ("text", "terminal"):  # timed in benchmarks/ (about 0.2 s), never here
        text = explain(big_run, 2, format=fmt)
        assert max(len(line) for line in text.splitlines()) <= 120
    assert (
        "showing 3 of 16 examples, 3 of 32 units and 3 of 64 inputs; --all shows every one" in text
    )
    assert "[61 more terms:" in text
    assert false_lines(explain(big_run, 2)) == []


def test_all_shows_every_unit(big_run):
    text = explain(big_run, 2, show_all=True)
    assert "ex16 h32:" in text and "x64->h32:" in text and "more terms" not in text
    assert false_lines(text) == []


# --------------------------------------------------------------------------- a diverged step


def test_a_diverged_step_is_explained_with_its_infinite_loss():
    run = glassnet.Experiment(learning_rate=1e6, loss="binary_cross_entropy", iterations=5).run(
        engine="numpy"
    )
    assert run.stop is not None and run.iterations == 1
    text = explain(run, 1)
    assert "loss:  -(ln(1 - 1.000) + ln(1 - 1.000) + ln(1.000) + ln(1.000)) = inf" in text
    assert "Largest relative difference over all 3 parameters: inf" in " ".join(text.split())
    assert false_lines(text) == []


# --------------------------------------------------------------------------- property: every printed line holds, for random networks and methods


def _run(config: dict) -> glassnet.Run:
    return glassnet.Experiment(config).run(engine="numpy")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiments())
def test_every_printed_equation_holds_at_its_printed_precision(case):
    config, k, digits = case
    run = _run(config)
    k = min(k, run.iterations)
    step = run.step(k)
    assume(all(np.all(np.isfinite(ly.z)) and np.all(np.abs(ly.z) < 1e6) for ly in step.layers))
    for fmt_ in ("text", "md"):
        text = explain(run, k, format=fmt_, digits=digits)
        n_lines = len(printed_equations(text))
        # at least the dot products, activations and errors of every example shown
        n = step.X.shape[0]
        assert n_lines >= 3 * (n if n <= 8 else 3), text
        assert false_lines(text) == [], "\n".join(false_lines(text))
        chain = explain(run, k, format=fmt_, decimals=digits, notation="chain")
        assert len(printed_equations(chain)) >= 3 * (n if n <= 8 else 3), chain
        assert false_lines(chain) == [], "\n".join(false_lines(chain))
    text = explain(run, k, digits=digits)
    for printed_text in (text, explain(run, k, notation="chain")):
        wide = [line for line in printed_text.splitlines() if len(line) > 100]
        assert not wide, "\n".join(wide)
    if not step.method.is_plain:
        # the gradient, and the optimizer's arithmetic down to its update, are written out
        assert "dL/dw = -(sum over" in text
        assert printed(step.method.optimizer).rules[-1].title in text
    # "w1 rose by .2352 (.6742 -> .9095)": the move is the printed difference, to the coarser digit
    for verb, by, old, new in re.findall(
        r"(rose|fell) by (\S+) \((\S+) -> (\S+)\)", " ".join(text.split())
    ):
        unit = max(last_digit(by), last_digit(old))
        moved = float(new) - float(old)
        noise = 4e-16 * (abs(float(new)) + abs(float(old)))
        assert (
            abs(moved - (float(by) if verb == "rose" else -float(by))) <= unit * (1 + 1e-6) + noise
        ), (verb, by, old, new)
    # the narrative comparison "A -> B (down C)" is true at its precision too
    m = re.search(r"sum of absolute errors: (\S+) -> (\S+) \((down|up) (\S+)\)", text)
    if k > 0:
        assert m is not None
        old, new, word, change = m.groups()
        signed = -float(change) if word == "down" else float(change)
        noise = 4e-16 * (abs(float(new)) + abs(float(old)))
        assert abs((float(new) - float(old)) - signed) <= last_digit(change) * (1 + 1e-6) + noise
