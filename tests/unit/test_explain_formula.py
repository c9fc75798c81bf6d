"""glassnet.explain.formula and the wrapping of wide equations in glassnet.explain.text."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from glassnet.explain.document import Equation, Equations
from glassnet.explain.formula import Row, fill, filled, formula_block
from glassnet.explain.numbers import evaluate, holds
from glassnet.explain.text import EQUATION_WIDTH, equation_lines, format_text


def test_a_negative_number_is_parenthesized_before_a_power_and_not_subtracted_twice():
    assert filled("{b} * {v} + (1 - {b}) * {g}^2", {"b": ".999", "v": "0", "g": "-.0034"}) == (
        ".999 * 0 + (1 - .999) * (-.0034)^2"
    )
    assert filled("e^({z} - {m})", {"z": "-.3", "m": "-.52"}) == "e^(-.3 + .52)"
    assert evaluate("e^(-.3 + .52)") == math.exp(-0.3 + 0.52)
    pieces = fill("-{lr} * {g}", {"lr": ".05", "g": "-.2"})
    assert pieces == [("-", False), (".05", True), (" * ", False), ("-.2", True)]


values = st.floats(-50, 50, allow_nan=False).filter(lambda v: abs(v) > 1e-6)


@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=5), st.integers(1, 8))
def test_every_line_of_a_formula_block_holds_as_printed(triples, digits):
    rows = [
        Row(
            f"w{i}",
            "-{lr} * {m} / (sqrt({v}) + {eps})",
            {"m": m, "v": v * v},
            -(0.05 * m / (math.sqrt(v * v) + 1e-8)),
            {"lr": ".05", "eps": "1e-8"},
        )
        for i, (m, v, _) in enumerate(triples)
    ]
    block = formula_block("update:", rows, digits)
    for eq in block.lines:
        assert holds(eq.lhs, eq.rhs), (eq.lhs, eq.rhs)
    rows = [
        Row(
            f"w{i}",
            "{b} * {s} + (1 - {b}) * {g}^2",
            {"s": a * a, "g": g},
            0.9 * a * a + 0.1 * g * g,
            {"b": ".9"},
        )
        for i, (a, g, _) in enumerate(triples)
    ]
    for eq in formula_block("s:", rows, digits).lines:
        assert holds(eq.lhs, eq.rhs), (eq.lhs, eq.rhs)


def test_fixed_decimals_give_every_number_that_many_unless_a_line_needs_more():
    rows = [Row("x", "{a} * {b}", {"a": 0.74136507, "b": 0.186815602}, 0.74136507 * 0.186815602)]
    (eq,) = formula_block("p:", rows, 4, decimals=9).lines
    assert eq.lhs == ".741365070 * .186815602" and eq.rhs == ".138498562"


def test_a_wide_equation_wraps_before_a_plus_and_joins_back():
    terms = " + ".join(f"({i}.123456789 * -.987654321)" for i in range(9))
    block = Equations("t:", (Equation("h1->out", terms, "-.1234"), Equation("b", "1 + 2", "3")))
    lines = equation_lines(block)
    assert all(len(line) <= EQUATION_WIDTH for line in lines)
    assert lines[-1] == "  b:        1 + 2 = 3"
    wrapped = lines[:-1]
    indent = " " * len("  h1->out:  ")
    assert len(wrapped) > 1 and all(line.startswith(indent + "+ ") for line in wrapped[1:])
    joined = wrapped[0] + "".join(" " + line.strip() for line in wrapped[1:])
    assert joined == f"  h1->out:  {terms} = -.1234"
    # breaks fall outside parentheses when one fits
    assert all(line.rstrip().endswith(")") for line in wrapped[:-1])


def test_a_wide_max_wraps_after_a_comma():
    args = ", ".join(f"-{i}4604.265754222" for i in range(1, 9))
    block = Equations("max:", (Equation("ex1 max", f"max({args})", "-14604.265754222"),))
    lines = equation_lines(block)
    assert len(lines) > 1 and all(len(line) <= EQUATION_WIDTH for line in lines)
    assert all(line.endswith(",") for line in lines[:-1])
    assert lines[0] + "".join(" " + line.strip() for line in lines[1:]) == (
        f"  ex1 max:  max({args}) = -14604.265754222"
    )


def test_a_wide_title_wraps_and_a_short_document_is_unchanged():
    doc_blocks = (Equations("x" * 40 + " " + "y" * 70 + ":", (Equation("a", "1", "1"),)),)
    from glassnet.explain.document import Document

    text = format_text(Document(doc_blocks))
    assert max(len(line) for line in text.splitlines()) <= EQUATION_WIDTH
    short = Document((Equations("t:", (Equation("a", "1 + 2", "3"),)),))
    assert format_text(short) == "t:\n  a:  1 + 2 = 3\n"
