"""Blocks of one formula applied to many parameters, printed true at their own precision.

An optimizer's arithmetic (``m = .9 * m + (1 - .9) * g`` for every weight),
the l2 term and the chain rule's products are each one *template* filled in
per line::

    Row("x1->h1", "{beta1} * {m_before} + (1 - {beta1}) * {g}",
        values={"m_before": 0.0123, "g": -0.0034}, result=0.01073,
        constants={"beta1": ".9"})

:func:`formula_block` prints a block of such rows with the fewest decimals
that make every line hold as printed (:func:`~glassnet.explain.numbers.first_true`):
each slot (``m_before``, ``g``) is a group of numbers that share their
decimals, the result another. How much rounding a slot can move a line's
result is measured on the template itself (its slope, by a central
difference of :func:`~glassnet.explain.numbers.evaluate`), so that any
notation the checker reads can be used without writing its derivative here.

Constants (a learning rate, Adam's ``beta1``, the update number ``t``) are
printed exactly, as text, and never rounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from glassnet.explain.document import Equation, Equations
from glassnet.explain.numbers import (
    Precision,
    decimals_for,
    evaluate,
    first_true,
    fmt,
    fmt_exact,
    is_exact,
)

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Row:
    """One line of a formula block: ``label: template filled in = result``.

    Attributes
    ----------
    label : str
        What the line is about (a weight's name).
    template : str
        The left side with ``{slot}`` for each number (``"{m} / (1 - {beta1}^{t})"``).
    values : mapping of str to float
        The value of each rounded slot.
    result : float
        The right side: the recorded value the line computes.
    constants : mapping of str to str
        Slots filled with text as given (settings, written exactly).
    style : str or None
        ``"up"``/``"down"`` for a line about a parameter's move.
    """

    label: str
    template: str
    values: Mapping[str, float]
    result: float
    constants: Mapping[str, str] = field(default_factory=dict)
    style: str | None = None
    #: ``sum |d(left side) / d(slot)|`` over the rounded slots where the caller knows it (a
    #: long sum of products); ``None``: measured on the template (see :func:`slope`).
    sensitivity: float | None = None


def fill(template: str, texts: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``template`` with each ``{slot}`` replaced, as ``(text, is a number)`` pieces.

    A negative number is put in parentheses before a power (``(-.0034)^2``),
    where ``-.0034^2`` would read as ``-(.0034^2)``; subtracting a negative
    number is written as adding it (``z + .52``, not ``z - -.52``).
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _SLOT.finditer(template):
        if match.start() > position:
            pieces.append((template[position : match.start()], False))
        text = texts[match.group(1)]
        if text.startswith("-") and template.startswith("^", match.end()):
            text = f"({text})"
        elif text.startswith("-") and pieces and pieces[-1][0].endswith(" - "):
            # z - -m is written z + m: the same number (subtracting a negative adds it)
            pieces[-1] = (pieces[-1][0][:-3] + " + ", False)
            text = text[1:]
        pieces.append((text, True))
        position = match.end()
    if position < len(template):
        pieces.append((template[position:], False))
    return pieces


def filled(template: str, texts: Mapping[str, str]) -> str:
    """``template`` filled in, as one string."""
    return "".join(text for text, _ in fill(template, texts))


def slope(row: Row, slot: str) -> float:
    """``|d(left side) / d(slot)|`` at the row's values, by a central difference."""
    value = float(row.values[slot])
    if value == 0.0 or not math.isfinite(value):
        return 0.0  # a zero prints exactly; a non-finite value has no slope to speak of
    h = 1e-6 * abs(value)
    if h == 0.0:  # a subnormal value: step by the value itself
        h = abs(value)
    texts = {**row.constants, **{k: repr(float(v)) for k, v in row.values.items()}}

    def at(v: float) -> float:
        return evaluate(filled(row.template, {**texts, slot: repr(v)}))

    try:
        derivative = (at(value + h) - at(value - h)) / (2 * h)
    except (ZeroDivisionError, OverflowError):
        return math.inf
    return abs(derivative) if math.isfinite(derivative) else math.inf


def _aligned(rows: Sequence[Sequence[tuple[str, bool]]]) -> list[str]:
    """Pieces joined, numbers at the same position right-aligned to one width."""
    widths: dict[int, int] = {}
    for row in rows:
        for k, (text, number) in enumerate(row):
            if number:
                widths[k] = max(widths.get(k, 0), len(text))
    return [
        "".join(text.rjust(widths[k]) if number else text for k, (text, number) in enumerate(row))
        for row in rows
    ]


def formula_block(
    title: str,
    rows: Sequence[Row],
    digits: int,
    *,
    sign: bool = False,
    note: str = "",
    decimals: int | None = None,
) -> Equations:
    """The rows as one block of equations, each true at its printed precision.

    ``digits`` are the significant digits of the largest number of each
    slot and of the results (:func:`~glassnet.explain.numbers.decimals_for`);
    ``decimals``, if given, fixes the decimals instead (the chain notation's
    nine) before any widening. A slot whose values all print exactly (``0``,
    ``1``, ``.15``) is written exactly. ``sign`` writes results with their
    sign (an update: ``+.0012``).
    """
    slots = sorted({s for row in rows for s in row.values})

    def base(values: list[float]) -> int:
        return decimals if decimals is not None else decimals_for(values, digits)

    exact = {s for s in slots if is_exact(np.array([r.values[s] for r in rows if s in r.values]))}
    bases = {s: base([r.values[s] for r in rows if s in r.values]) for s in slots}
    base_result = base([r.result for r in rows])
    # how far rounding every slot of a line by one unit can move its result, at most
    sensitivity = max(
        (
            r.sensitivity
            if r.sensitivity is not None
            else sum(slope(r, s) for s in r.values if s not in exact)
            for r in rows
        ),
        default=0.0,
    )
    sensitivity *= 2.0  # room for the curvature a first-order slope leaves out

    def build(shift: int) -> Equations:
        p = Precision(shift)
        d_result = p.result(base_result)
        places = {s: p.operand(bases[s], d_result, sensitivity) for s in slots}
        pieces = []
        for r in rows:
            texts = dict(r.constants)
            for s, v in r.values.items():
                texts[s] = fmt_exact(v) if s in exact else fmt(v, places[s])
            pieces.append(fill(r.template, texts))
        lhs = _aligned(pieces)
        rhs = [fmt(r.result, d_result, sign=sign) for r in rows]
        width = max((len(t) for t in rhs), default=0)
        return Equations(
            title,
            tuple(
                Equation(r.label, left, right.rjust(width), r.style)
                for r, left, right in zip(rows, lhs, rhs)
            ),
            note,
        )

    return first_true(build, lambda block: [(eq.lhs, eq.rhs) for eq in block.lines])
