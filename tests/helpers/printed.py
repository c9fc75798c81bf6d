"""An evaluator of printed equations, written independently of glassnet.explain.numbers.

It parses the printed lines, evaluates each left side from the printed numbers
and compares it with the printed right side: a line is true when they agree
within one unit of the right side's last printed digit. The explanation tests
(tests/unit/test_explain_*.py, tests/integration/test_explain_methods.py and
test_mazur.py) check glassnet's output with it.
"""

from __future__ import annotations

import math
import re

NUMBER = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|inf)"
EQUATION = re.compile(rf"^\s*(?P<label>[^\s:()|][^:()|]*):\s+(?P<lhs>.+) =\s+(?P<rhs>{NUMBER})\s*$")
SAFE = {
    "exp": lambda x: math.exp(x) if x < 709 else math.inf,
    "log": lambda x: math.log(x) if x > 0 else -math.inf,
    "tanh": math.tanh,
    "sqrt": math.sqrt,
    "max": max,
    "abs": abs,
}
#: The end of an equation: ``= number``. A line without it continues on the next lines,
#: which start with an operator (an equation wider than the page, broken before a + or -)
#: or follow a comma.
ENDS = re.compile(rf"=\s+{NUMBER}\s*$")
CONTINUES = re.compile(r"^\s+[-+] ")


def logical_lines(text: str) -> list[str]:
    """The printed lines, each wrapped equation joined back into one line."""
    lines: list[str] = []
    for line in text.splitlines():
        after_comma = lines and lines[-1].endswith(",") and line.startswith(" ")
        joins = lines and (CONTINUES.match(line) or after_comma) and EQUATION_START.match(lines[-1])
        if joins and not ENDS.search(lines[-1]):
            lines[-1] += " " + line.strip()
            continue
        lines.append(line)
    return lines


EQUATION_START = re.compile(r"^\s*[^\s:()|][^:()|]*:\s+\S")


def printed_equations(text: str) -> list[tuple[str, str, str]]:
    """Every ``label: lhs = rhs`` line whose left side is arithmetic on printed numbers."""
    found = []
    for line in logical_lines(text):
        m = EQUATION.match(line)
        if m and not re.search(
            r"[a-df-z]",
            re.sub(r"1/\(1\+e\^-|e\^\(|sqrt|tanh|max|ln|if|else|\[[^\]]*:", "", m["lhs"]),
        ):
            found.append((m["label"], m["lhs"], m["rhs"]))
    return found


def evaluate(lhs: str) -> float:
    expr = re.sub(r"\[\d+ more [a-z]+: *([^\]]+)\]", r"(\1)", lhs)
    expr = re.sub(r"\|([^|]+)\|", r"abs(\1)", expr)
    expr = re.sub(r"e\^-\(([^()]*)\)", r"exp(-(\1))", expr)
    expr = re.sub(r"(?<![\w.])e\^\(", "exp(", expr)
    expr = expr.replace("^", "**").replace("ln(", "log(")
    return float(eval(expr.strip(), {"__builtins__": {}}, SAFE))


def last_digit(number: str) -> float:
    digits, _, exponent = number.lstrip("+-").partition("e")
    scale = 10.0 ** int(exponent or 0)
    return scale if "." not in digits else scale * 10.0 ** -len(digits.split(".")[1])


def false_lines(text: str) -> list[str]:
    bad = []
    for label, lhs, rhs in printed_equations(text):
        value, target = evaluate(lhs), float(rhs)
        if math.isinf(target) and value == target:
            continue
        # one unit of the last printed digit, plus float64 noise far below it
        if not abs(value - target) <= last_digit(rhs) * (1 + 1e-6) + 4e-16 * (
            abs(target) + abs(value)
        ):
            bad.append(f"{label}: {lhs} = {rhs}  (the printed numbers give {value!r})")
    return bad


def shown_numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])-?(?:\d+\.\d+|\.\d+|\d+)(?![\w.])", text)]


def agrees_with_seed(numbers: list[float], seed: str) -> bool:
    """Some printed number agrees with the post's figure within the post's last digit.

    The seed truncates as often as it rounds (".997" for 0.99754, "12.00" for
    12.0087), so "agrees" means closer than one unit of the post's last digit.
    """
    unit = last_digit(seed)
    return any(abs(v - float(seed)) < unit * (1 - 1e-9) for v in numbers)


def section(text: str, start: str, end: str | None = None) -> str:
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]
