"""glassnet.explain.numbers.evaluate: Python's arithmetic on printed lines, without recursion.

The reference is Python itself: ``eval`` of the same expression
(:func:`~glassnet.explain.numbers.to_python`) gives the same float, bit for
bit, or both fail. Lines of any length evaluate (a sum of 1,797 terms nests
1,797 deep in Python's own parser).
"""

from __future__ import annotations

import math
import re

import pytest
from helpers.printed import last_digit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import glassnet
from glassnet.explain.numbers import _FUNCTIONS, decimals_for, evaluate, fmt, holds, to_python

NUMBER = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|inf)"
EQUATION = re.compile(rf"^\s*[^\s:()|][^:()|]*:\s+(?P<lhs>.+) =\s+(?P<rhs>{NUMBER})\s*$")


def python(lhs: str) -> float:
    """What Python's own ``eval`` makes of the line (NaN where it fails, as evaluate does)."""
    try:
        return float(eval(to_python(lhs).strip(), {"__builtins__": {}}, dict(_FUNCTIONS)))
    except (OverflowError, ZeroDivisionError, ValueError, TypeError, SyntaxError, NameError):
        return math.nan


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize(
    "settings_",
    [
        {},
        {"dataset": "xor", "layers": [3, 4, 1], "activation": ["relu", "sigmoid"], "bias": True},
        {"dataset": "xor", "layers": [3, 2, 1], "activation": ["tanh", "linear"]},
        {"loss": "binary_cross_entropy", "bias": True},
    ],
)
def test_every_printed_line_evaluates_as_python_does(settings_):
    run = glassnet.Experiment(iterations=3, **settings_).run(engine="numpy")
    lines = [
        (m["lhs"], m["rhs"])
        for k in (0, 2)
        for m in map(EQUATION.match, run.explain(k).splitlines())
        if m
    ]
    assert len(lines) > 20
    for lhs, rhs in lines:
        assert same(evaluate(lhs), python(lhs)), lhs
        assert holds(lhs, rhs) or math.isnan(python(lhs)), (lhs, rhs)


number = st.one_of(
    st.integers(0, 99).map(str),
    st.floats(0, 100, allow_nan=False).map(lambda v: f"{v:.4f}".replace("0.", ".", 1)),
    st.sampled_from(["4.98517e-21", "1e-3", "2.5e10", "0", "1e400"]),
)


@st.composite
def expressions(draw, depth: int = 0) -> str:
    """Expressions in the printed notation's grammar, as fmt and the explainer write them."""
    if depth >= 3:
        return draw(number)
    kind = draw(st.sampled_from(["num", "num", "sum", "neg", "call", "pow", "if", "paren", "exp"]))
    sub = expressions(depth + 1)
    if kind == "num":
        return draw(number)
    if kind == "sum":
        terms = draw(st.lists(sub, min_size=2, max_size=5))
        ops = draw(st.lists(st.sampled_from([" + ", " - ", " * ", " / "]), min_size=4, max_size=4))
        return terms[0] + "".join(op + t for op, t in zip(ops, terms[1:]))
    if kind == "neg":
        return "-" + draw(sub)
    if kind == "call":
        name = draw(st.sampled_from(["tanh", "ln", "max", "abs"]))
        if name == "max":
            return f"max(0, {draw(sub)})"
        return f"{name}({draw(sub)})"
    if kind == "pow":
        return f"({draw(sub)})^2"
    if kind == "if":
        return f"(1 if {draw(sub)} > 0 else 0)"
    if kind == "exp":
        return f"1/(1+e^-({draw(sub)}))"
    return f"({draw(sub)})"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(lhs=expressions())
def test_random_expressions_evaluate_as_python_does(lhs):
    assert same(evaluate(lhs), python(lhs)), lhs


def test_a_sum_of_thousands_of_terms_has_no_recursion_limit():
    terms = [f"(1 * .{i % 97:04d})" for i in range(20_000)]
    lhs = " + ".join(terms) + " + [61 more terms: 1.5]"
    expected = 0.0
    for i in range(20_000):
        expected += 1 * float(f".{i % 97:04d}")
    assert evaluate(lhs) == expected + 1.5
    sigmoids = " + ".join(["1/(1+e^-(.5))"] * 5000)
    assert evaluate(sigmoids) == pytest.approx(5000 / (1 + math.exp(-0.5)))


@pytest.mark.parametrize("lhs", ["", "1 +", "(1", "foo(1)", "inf", "1 2", "1 if 2 else 3", "$"])
def test_what_cannot_be_evaluated_is_nan(lhs):
    assert math.isnan(evaluate(lhs))


@st.composite
def sums_of_products(draw) -> str:
    """Lines shaped like the dot products and gradients: ``(x * w) + (x * w) - b``."""
    value = st.floats(-100, 100, allow_nan=False).map(
        lambda v: draw(st.sampled_from([f"{v:.4f}", f"{v:.6g}", repr(v)])).replace("0.", ".", 1)
    )
    terms = []
    for i in range(draw(st.integers(1, 30))):
        term = f"({draw(value)} * {draw(value)})" if draw(st.integers(0, 4)) else draw(value)
        gap = draw(st.sampled_from(["", " ", "  "]))
        terms.append(term if i == 0 else f"{gap}{draw(st.sampled_from('+-'))}{gap}{term}")
    return "".join(terms)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(lhs=sums_of_products())
def test_sums_of_products_add_up_left_to_right_as_python_does(lhs):
    assert same(evaluate(lhs), python(lhs)), lhs


# --------------------------------------------------------------------------- the post's style of number


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
