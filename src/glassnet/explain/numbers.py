"""Numbers the way the post writes them, and lines that are true as printed.

The post writes ``.674``, ``-.4047`` and ``12.00``: a few significant digits,
the leading zero dropped. :func:`fmt` does that for a chosen number of
decimals and :func:`decimals_for` picks the decimals that give the largest
value of a group ``digits`` significant digits.

A printed equation must be *true at its own precision*: evaluating its left
side with the numbers exactly as printed must give its right side to within
one unit in the right side's last digit. :func:`holds` checks one line;
:func:`first_true` widens a whole block of lines one decimal at a time until
every line holds. All arithmetic elsewhere is float64; only the display is
rounded.

Notation of a printed left side (evaluated by :func:`evaluate`)
-----------------------------------------------------------------
``(0 * .6742) + (1 * -.4047)``   sums of products
``1/(1+e^-(-.4047))``            the sigmoid
``tanh(.5)``, ``max(0, .5)``     tanh, relu
``e^(.12 - 1.2) / 1.56``         an exponential (the softmax)
``max(.12, -.3, 1.2)``           the largest of several numbers
``sqrt(.0004) + 1e-8``           a square root (Adam, RMSprop)
``.4002 * (1 - .4002)``          a product; ``x^2`` and ``.9^4`` are powers
``|-.4002|``                     an absolute value
``ln(.4002)``                    a natural logarithm
``[61 more terms: -1.2345]``    the sum of the terms not shown, as one number
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

#: Significant digits of the largest number of a group, by default (the post's ``-.4047``).
DEFAULT_DIGITS = 4

#: Never print more decimals than this; a line that is still not true is printed anyway.
MAX_DECIMALS = 340  # float64 reaches 1e-308; 17 digits below that

#: Beyond this many decimals a number is written in scientific notation (``4.98517e-21``),
#: with the significant digits those decimals would give it.
FIXED_DECIMALS = 15

T = TypeVar("T")


def decimals_for(values: Iterable[float] | np.ndarray, digits: int = DEFAULT_DIGITS) -> int:
    """Decimals that show the largest finite ``|value|`` with ``digits`` significant digits.

    ``decimals_for([.674, -.335]) == 4``; ``decimals_for([12.0087, -5.8]) == 2``;
    ``decimals_for([1.82, 1.67], 3) == 2``. Whole numbers still get
    ``digits - 1 - exponent`` decimals when that is positive.
    """
    array = np.abs(
        np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    )
    array = array[np.isfinite(array) & (array > 0)]
    if array.size == 0:
        return max(0, digits - 1)
    exponent = math.floor(math.log10(float(array.max())))
    return int(min(MAX_DECIMALS, max(0, digits - 1 - exponent)))


def fmt(value: float, decimals: int, sign: bool = False) -> str:
    """``value`` with ``decimals`` decimals, the leading zero dropped.

    ``fmt(-0.40469539, 4) == "-.4047"``, ``fmt(12.0087, 2) == "12.01"``,
    ``fmt(0.2352, 4, sign=True) == "+.2352"``. An exact zero is ``"0"``
    (it is exact, so it needs no decimals); infinities and NaN print as
    ``inf``, ``-inf``, ``nan``. Beyond :data:`FIXED_DECIMALS` decimals the
    number is written ``4.98517e-21``, as precise as those decimals would make it.
    """
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0.0:
        return "0"
    if decimals > FIXED_DECIMALS:
        significant = decimals + math.floor(math.log10(abs(value))) + 1
        if significant >= 17 or abs(value) >= 1e-4:
            text = fmt_exact(value)  # all a float64 holds: the value itself
        else:
            text = f"{value:.{max(significant, 1) - 1}e}".replace("e-0", "e-")
        return ("+" + text) if sign and value > 0 else text
    text = f"{value:.{decimals}f}"
    if text.startswith(("-0.", "0.")):
        text = text.replace("0.", ".", 1)
    if sign and not text.startswith("-"):
        text = "+" + text
    return text


def fmt_exact(value: float) -> str:
    """A constant written exactly (a learning rate, an input): ``1``, ``.5``, ``2.25``."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        return text.replace("e-0", "e-").replace("e+", "e")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def fmt_sci(value: float, digits: int = 2) -> str:
    """A small positive figure such as a relative difference: ``3.1e-11``; ``0`` for zero."""
    if value == 0.0:
        return "0"
    if not math.isfinite(value):
        return fmt(value, 0)
    return f"{value:.{max(digits - 1, 0)}e}".replace("e-0", "e-").replace("e+0", "e+")


def is_exact(values: np.ndarray, decimals: int = 4) -> bool:
    """Whether every entry is finite and has at most ``decimals`` decimals (``0``, ``1``, ``2.5``).

    Such numbers (the post's 0/1 inputs, data typed in by hand) print exactly,
    with :func:`fmt_exact`, and add no rounding error to a line.
    """
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.round(values, decimals) == values) and np.all(np.abs(values) < 1e12))


# --------------------------------------------------------------------------- checking lines

_ELIDED = re.compile(r"\[[^\]:]*:\s*([^\]]+)\]")
_ABS = re.compile(r"\|([^|]*)\|")
_EXP = re.compile(r"e\^-\(")
#: ``e^(...)``: the exponential of a parenthesized argument (``e^-(`` is handled apart).
_EXP_OF = re.compile(r"(?<![\w.])e\^\(")


def _exp(x: float) -> float:
    return math.exp(x) if x < 709.0 else math.inf  # 1/(1+e^-(-800)) is 0, not an error


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def _ln(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)  # ln(0) = -inf


_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": _exp,
    "ln": _ln,
    "tanh": math.tanh,
    "sqrt": _sqrt,
    "max": max,
    "abs": abs,
}


def to_python(lhs: str) -> str:
    """The printed notation as a Python expression (``e^-(z)`` -> ``exp(-(z))`` ...)."""
    text = _ELIDED.sub(r"(\1)", lhs)
    text = _ABS.sub(r"abs(\1)", text)
    text = _EXP_OF.sub("exp(", text)
    # e^-(...) -> exp(-(...)): the parenthesis closing the argument closes exp too.
    # One pass, so that a line with thousands of sigmoids takes linear time.
    if "e^-(" not in text:
        return text.replace("^", "**")
    out: list[str] = []
    closes: list[int] = []  # depths at which an e^-( argument opened
    depth = i = 0
    while i < len(text):
        if text.startswith("e^-(", i):
            out.append("exp(-(")
            depth += 1
            closes.append(depth)
            i += 4
            continue
        char = text[i]
        out.append(char)
        if char == "(":
            depth += 1
        elif char == ")":
            if closes and closes[-1] == depth:
                out.append(")")
                closes.pop()
            depth -= 1
        i += 1
    out.append(")" * len(closes))  # an argument never closed: closed at the end
    return "".join(out).replace("^", "**")


#: Tokens of the Python form: numbers, names, operators; ``\S`` catches anything else.
_TOKEN = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z_]\w*|\*\*|>=|<=|[-+*/(),<>]|\S")
#: A whole number written without a point or exponent (made a float before evaluating).
_WHOLE = re.compile(r"(?<![\w.])(?<![eE][-+])(\d+)(?![\w.])")
#: Names in the Python form (exponents such as ``e-21`` are part of their number).
_NAMES = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|([A-Za-z_]\w*)")
#: Anything but numbers, the functions, operators, parentheses, commas and spaces.
_FOREIGN = re.compile(r"[^\w\s.+\-*/(),]")
#: Lines with fewer ``+`` and ``-`` than this are evaluated by Python's compiler; its
#: syntax tree nests one level per term of a sum and overflows the stack on long ones.
PYTHON_TERMS = 200

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_OPS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}

#: A parsed expression: ``("num", value)``, ``("chain", first, [(op, operand), ...])``,
#: ``("neg" | "pos", operand)``, ``("pow", base, exponent)``, ``("call", name, args)``,
#: ``("if", body, op, left, right, orelse)``.
Node = tuple[Any, ...]


class _Parser:
    """A Python expression of the printed notation, parsed into nested tuples (:data:`Node`).

    The grammar is Python's for this subset (``a if x > y else b``; ``+ -``;
    ``* /``; unary ``-``; ``**``; calls; parentheses), every number a float,
    so the value is what Python computes. A chain of ``+`` (the sum of 1,797
    products of a big dataset, say) is one flat node, parsed and evaluated in
    a loop: only parentheses and calls nest, never the length of a line.
    """

    def __init__(self, text: str) -> None:
        self.tokens = [*_TOKEN.findall(text), ""]  # "" marks the end
        self.pos = 0

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.pos]
        if not token or (expected is not None and token != expected):
            raise ValueError(f"expected {expected or 'more'!r}, got {token!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.ternary()
        if self.tokens[self.pos]:
            raise ValueError(f"unexpected {self.tokens[self.pos]!r}")
        return node

    def ternary(self) -> Node:
        body = self.sum()
        if self.tokens[self.pos] != "if":
            return body
        self.pos += 1
        left = self.sum()
        op = self.take()
        if op not in _COMPARE:
            raise ValueError(f"expected a comparison, got {op!r}")
        right = self.sum()
        self.take("else")
        return ("if", body, op, left, right, self.ternary())

    def sum(self) -> Node:
        first = self.term()
        tokens = self.tokens
        if tokens[self.pos] not in ("+", "-"):
            return first
        rest = []
        while tokens[self.pos] in ("+", "-"):
            self.pos += 1
            rest.append((tokens[self.pos - 1], self.term()))
        return ("chain", first, rest)

    def term(self) -> Node:
        first = self.factor()
        tokens = self.tokens
        if tokens[self.pos] not in ("*", "/"):
            return first
        rest = []
        while tokens[self.pos] in ("*", "/"):
            self.pos += 1
            rest.append((tokens[self.pos - 1], self.factor()))
        return ("chain", first, rest)

    def factor(self) -> Node:
        token = self.tokens[self.pos]
        if token == "-" or token == "+":
            self.pos += 1
            return ("neg" if token == "-" else "pos", self.factor())
        base = self.atom()
        if self.tokens[self.pos] == "**":
            self.pos += 1
            return ("pow", base, self.factor())
        return base

    def atom(self) -> Node:
        token = self.take()
        first = token[0]
        if first.isdigit() or (first == "." and len(token) > 1):
            return ("num", float(token))  # a whole number too, as the compiled path reads 2.0
        if token in _FUNCTIONS and self.tokens[self.pos] == "(":
            self.pos += 1
            args = [self.ternary()]
            while self.tokens[self.pos] == ",":
                self.pos += 1
                args.append(self.ternary())
            self.take(")")
            return ("call", token, args)
        if token == "(":
            node = self.ternary()
            self.take(")")
            return node
        raise ValueError(f"cannot evaluate {token!r}")


def _value(node: Node) -> float:
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "chain":
        total = _value(node[1])
        for op, operand in node[2]:
            total = _OPS[op](total, _value(operand))
        return total
    if kind == "neg":
        return -_value(node[1])
    if kind == "pos":
        return +_value(node[1])
    if kind == "pow":
        return float(operator.pow(_value(node[1]), _value(node[2])))
    if kind == "call":
        return float(_FUNCTIONS[node[1]](*(_value(arg) for arg in node[2])))
    if kind == "if":
        _, body, op, left, right, orelse = node
        return _value(body if _COMPARE[op](_value(left), _value(right)) else orelse)
    raise AssertionError(kind)  # pragma: no cover


_NUMBER = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: ``(x * w)`` or a bare number (the first capturing x and w, the second the number).
_PRODUCT_OR_NUMBER = rf"(?:\(\s*({_NUMBER})\s*\*\s*({_NUMBER})\s*\)|({_NUMBER})(?![\w.]))"
#: One term of a sum of products: ``+ (0 * -.2158)`` or ``- .0097``.
_TERM = re.compile(rf"\s*([-+]?)\s*{_PRODUCT_OR_NUMBER}")
#: A whole line of such terms, the first without a sign (the same, without groups).
_TERM_SHAPE = rf"(?:\(\s*{_NUMBER}\s*\*\s*{_NUMBER}\s*\)|{_NUMBER}(?![\w.]))"
_SUM_OF_PRODUCTS = re.compile(rf"\s*{_TERM_SHAPE}(?:\s*[-+]\s*{_TERM_SHAPE})*\s*")


def _sum_of_products(text: str) -> float | None:
    """``(x1 * w1) + (x2 * w2) - b ...`` (almost every line of a big explanation) added up
    left to right as Python would, or ``None`` for a line of another shape."""
    if not _SUM_OF_PRODUCTS.fullmatch(text):
        return None
    terms = _TERM.findall(text)
    sign, x, w, number = terms[0]  # a sign here is the minus of a first number: -.3136
    total = float(number) if number else float(x) * float(w)
    if sign == "-":
        total = -total
    for sign, x, w, number in terms[1:]:
        value = float(number) if number else float(x) * float(w)
        total = total + value if sign == "+" else total - value
    return total


def _plain_arithmetic(text: str) -> bool:
    """Numbers, + - * / **, parentheses and the functions only: Python's own rules apply."""
    if _FOREIGN.search(text) or text.count("+") + text.count("-") >= PYTHON_TERMS:
        return False
    names = set(_NAMES.findall(text))
    names.discard("")
    return names <= _FUNCTIONS.keys()


def evaluate(lhs: str) -> float:
    """The value of a printed left side, computed from the printed numbers.

    Every number is a float and the arithmetic is Python's, left to right:
    short lines of plain arithmetic are compiled by Python itself (after the
    check that they hold nothing else), others go through :class:`_Parser`,
    which has no limit on the length of a sum. Anything that cannot be
    evaluated (or overflows, or divides by zero) is NaN.
    """
    text = to_python(lhs).strip()
    with np.errstate(all="ignore"):
        try:
            value = _sum_of_products(text)
            if value is not None:
                return value
            if _plain_arithmetic(text):
                code = _WHOLE.sub(r"\1.0", text)  # 2 -> 2.0: float arithmetic, as the parser
                return float(eval(code, {"__builtins__": {}}, dict(_FUNCTIONS)))
            return _value(_Parser(text).parse())
        except (
            OverflowError,
            ZeroDivisionError,
            ValueError,
            TypeError,
            RecursionError,
            SyntaxError,
            NameError,
        ):
            return math.nan


def unit(text: str) -> float:
    """One unit in the last printed digit of a number: ``unit("-.4047") == 1e-4``."""
    text = text.strip().lstrip("+-").lower()
    exponent = 0
    if "e" in text:
        text, power = text.split("e")
        exponent = int(power)
    if "." not in text:
        return 10.0**exponent
    return 10.0 ** (exponent - (len(text) - text.index(".") - 1))


def holds(lhs: str, rhs: str) -> bool:
    """Whether ``lhs`` evaluated from its printed numbers is ``rhs`` to within one last digit."""
    try:
        target = float(rhs)
    except ValueError:
        return True  # nothing numeric to check
    value = evaluate(lhs)
    if not (math.isfinite(value) and math.isfinite(target)):
        return math.isnan(value) == math.isnan(target) and (math.isnan(value) or value == target)
    # float64 noise in evaluating the printed numbers, far below any printed digit
    slack = 1e-6 * unit(rhs) + 4e-16 * (abs(target) + abs(value))
    return abs(value - target) <= unit(rhs) + slack


#: The extra decimals :func:`first_true` tries, in order: one at a time, then faster, up to
#: every digit a float64 has (values far below a block's largest need that many).
SHIFTS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, MAX_DECIMALS)


def first_true(build: Callable[[int], T], lines_of: Callable[[T], Sequence[tuple[str, str]]]) -> T:
    """``build(shift)`` for the first ``shift`` of :data:`SHIFTS` whose lines all hold.

    ``lines_of(result)`` lists the ``(lhs, rhs)`` of every equation the result
    prints. If none makes every line true (overflowed values, say), the
    result with the most decimals is returned.
    """
    for shift in SHIFTS:
        result = build(shift)
        if all(holds(lhs, rhs) for lhs, rhs in lines_of(result)):
            return result
    return result


def gain(sensitivity: float) -> int:
    """Extra decimals an operand needs so that rounding it moves a result by at most half a unit.

    If a result ``r = F(p_1, ..., p_m)`` has ``sum_i |dF/dp_i| <= sensitivity``,
    printing every ``p_i`` with ``decimals(r) + gain(sensitivity)`` decimals
    keeps ``F`` of the printed operands within half a unit of ``r``'s last
    digit; with ``r`` itself rounded, the line is off by at most one unit.
    """
    if not math.isfinite(sensitivity) or sensitivity <= 1.0:
        return 0
    return min(MAX_DECIMALS, math.ceil(math.log10(sensitivity) - 1e-12))


class Precision:
    """The decimals of one attempt at printing a block (see :func:`first_true`).

    Attempt 0 prints every number with its own base decimals (the post's
    look, usually true). Attempt ``s >= 1`` gives results ``base + s - 1``
    decimals and operands at least ``gain(sensitivity)`` more than the
    result they feed, which makes every line true by construction.
    """

    def __init__(self, shift: int) -> None:
        self.shift = shift

    def result(self, base: int) -> int:
        return min(MAX_DECIMALS, base + max(self.shift - 1, 0))

    def operand(self, base: int, result: int, sensitivity: float = 1.0) -> int:
        if self.shift == 0:
            return base
        return min(MAX_DECIMALS, max(base + self.shift - 1, result + gain(sensitivity)))


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 example"``, ``"4 examples"``, ``"1,797 examples"``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
