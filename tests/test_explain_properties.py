"""Property tests: for random small networks, every printed line is true at its printed precision,
and the finite-difference gradient agrees with the backward pass.

The networks are trained by every optimizer, with and without l2, on the full
batch and on mini-batches, with the loss summed or averaged, with sigmoid,
tanh, relu and linear layers and softmax outputs; each is explained in both
notations (the post's deltas and Mazur's chain rule).

The lines are parsed from the printed output and evaluated by the independent
checker in tests/helpers/printed.py (not by glassnet.explain.numbers).
"""

from __future__ import annotations

import math
import re

import numpy as np
from helpers.printed import false_lines, last_digit, printed_equations
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import glassnet
from glassnet.explain import explain
from glassnet.explain.method import printed
from glassnet.explain.numbers import decimals_for, fmt, holds
from glassnet.gradcheck import check_step
from glassnet.optimizers import OPTIMIZERS

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]


@st.composite
def experiments(draw: st.DrawFn) -> tuple[dict, int, int]:
    big = draw(st.booleans())  # big enough that the explanation leaves rows and terms out
    n_in = draw(st.integers(1, 10 if big else 4))
    hidden = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    n_out = draw(st.integers(1, 2))
    sizes = [n_in, *hidden, n_out]
    n_layers = len(sizes) - 1
    acts = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=n_layers, max_size=n_layers))
    n_samples = draw(st.integers(1, 10 if big else 5))
    value = draw(
        st.sampled_from(
            [
                st.integers(0, 1),  # the seed's kind of inputs
                st.floats(-3, 3).map(lambda v: round(v, 2)),  # typed-in data, printed exactly
                st.floats(-3, 3),  # measured data, rounded for print
            ]
        )
    )
    X = draw(
        st.lists(
            st.lists(value, min_size=n_in, max_size=n_in), min_size=n_samples, max_size=n_samples
        )
    )
    y = draw(
        st.lists(
            st.lists(st.sampled_from([0.0, 1.0, 0.25, 0.7]), min_size=n_out, max_size=n_out),
            min_size=n_samples,
            max_size=n_samples,
        )
    )
    loss = "half_squared_error"
    if acts[-1] == "sigmoid" and draw(st.booleans()):
        loss = "binary_cross_entropy"
    if n_out >= 2 and draw(st.booleans()):
        # a softmax output, trained on one-hot targets
        acts[-1], loss = "softmax", "categorical_cross_entropy"
        hot = draw(st.lists(st.integers(0, n_out - 1), min_size=n_samples, max_size=n_samples))
        y = [[1.0 if j == c else 0.0 for j in range(n_out)] for c in hot]
    method: dict = {
        "optimizer": draw(st.sampled_from(sorted(OPTIMIZERS))),
        "l2": draw(st.sampled_from([0.0, 0.01])),
        "reduction": draw(st.sampled_from(["sum", "mean"])),
    }
    batch_size = draw(st.one_of(st.none(), st.integers(1, n_samples)))
    if batch_size is not None:
        method["batch_size"] = batch_size
    config = {
        "data": {"inputs": X, "targets": y},
        "network": {
            "layers": sizes,
            "activation": acts,
            "bias": draw(st.lists(st.booleans(), min_size=n_layers, max_size=n_layers)),
        },
        "init": {"seed": draw(st.integers(0, 10_000))},
        "train": {
            "iterations": 3,
            "learning_rate": draw(st.sampled_from([0.1, 0.5, 1.0, 2.0])),
            "loss": loss,
            "train_biases": draw(st.booleans()),
            **method,
        },
    }
    return config, draw(st.integers(0, 3)), draw(st.integers(1, 6))


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
        chain = explain(run, k, format=fmt_, digits=digits, notation="chain")
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


@given(st.floats(-1e4, 1e4, allow_nan=False), st.integers(0, 8))
def test_a_printed_number_is_the_value_rounded_with_the_leading_zero_dropped(value, decimals):
    text = fmt(value, decimals)
    assert not re.match(r"-?0\.", text)
    assert abs(float(text) - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12 * abs(value)


@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=6), st.integers(1, 6))
def test_decimals_give_the_largest_value_its_significant_digits(values, digits):
    d = decimals_for(values, digits)
    biggest = max(abs(v) for v in values)
    assume(biggest >= 1e-9)
    significant = f"{biggest:.{d}f}".replace(".", "").lstrip("0")
    assert len(significant) >= digits  # 9.996 at 3 digits shows 10.00: one more
    assert d == 0 or len(significant) <= digits + 1


def test_holds_uses_one_unit_of_the_last_digit():
    assert holds("(1 * .6742) + (1 * -.3347) + (1 * -.4047)", "-.0652")
    assert holds("1/(1+e^-(-.4047))", ".4002")
    assert not holds("(1 * .6742) + (1 * -.3347)", ".3397")
    assert holds("|-.4002| + |.5163| + [2 more examples: .7561]", "1.6726")
    assert math.isclose(last_digit("12.01"), 0.01)
