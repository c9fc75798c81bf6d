"""A :class:`~glassnet.compare.Comparison` of two runs as text.

Only reads the comparison (:func:`glassnet.compare.compare_runs` computes it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.compare import Comparison
from glassnet.explain.numbers import count
from glassnet.types import Array


def _short(value: Any, limit: int = 60) -> str:
    text = "(not set)" if value is None else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _matrix(array: Array, decimals: int) -> str:
    return np.array2string(array, precision=decimals, suppress_small=False, max_line_width=100)


def milestones(n: int) -> list[int]:
    """Iterations ``#0, #1, #10, #100, ...`` below ``n``, plus ``#n-1``."""
    marks = [0, 1] + [10**p for p in range(1, 10) if 10**p < n]
    marks = [k for k in marks if k < n]
    if n - 1 not in marks and n > 0:
        marks.append(n - 1)
    return marks


def format_comparison(c: Comparison, decimals: int = 8) -> str:
    """The comparison as text: settings, first difference, error table, weight differences."""
    A, B = c.label_a, c.label_b
    f = f"{{:.{decimals}f}}".format
    lines = [f"comparing {A} with {B}"]
    if c.settings:
        lines.append("settings that differ:")
        width = max(len(s.key) for s in c.settings)
        for s in c.settings:
            lines.append(f"  {s.key:<{width}}  {A}: {_short(s.a)}   {B}: {_short(s.b)}")
    else:
        lines.append("settings: identical")
    lines.append(f"iterations: {A} {c.iterations_a:,}, {B} {c.iterations_b:,}")
    first = c.first_difference
    if first is None:
        if c.identical:
            lines.append(
                "the runs are identical: every recorded number agrees"
                + (f" (tolerance {c.tolerance:g})" if c.tolerance else " bit for bit")
                + "."
            )
        else:
            lines.append(
                f"no iteration differs over the {count(c.common_iterations, 'iteration')} both ran; "
                f"{A if c.iterations_a > c.iterations_b else B} ran longer."
            )
    else:
        lines.append(f"first difference: iteration #{first.iteration}: {first.reason}")
        if first.error_sum_a is not None and first.error_sum_b is not None:
            lines.append(
                f"  error sum of #{first.iteration}: {A} {f(first.error_sum_a)}, "
                f"{B} {f(first.error_sum_b)}"
            )
        for ld in c.layers:
            if ld.at_first is not None and first.iteration > 0:
                lines.append(
                    f"  layer {ld.layer} weights of #{first.iteration}, {B} - {A}: "
                    f"largest |difference| {float(np.max(np.abs(ld.at_first))):.3g}"
                )
    lines.append("")
    lines.append(f"error sum sum(|y - a|) by iteration ({A} | {B} | {B} - {A}):")
    marks = milestones(c.common_iterations)
    for k in marks:
        ea, eb = float(c.error_sum_a[k]), float(c.error_sum_b[k])
        lines.append(f"  #{k:<10} {f(ea):>16} {f(eb):>16} {eb - ea:>+16.{decimals}f}")
    lines.append(
        f"  {'final':<11} {f(c.final_error_sum_a):>16} {f(c.final_error_sum_b):>16} "
        f"{c.final_error_sum_b - c.final_error_sum_a:>+16.{decimals}f}"
        f"   (#{c.iterations_a} | #{c.iterations_b})"
    )
    lines.append("")
    for ld in c.layers:
        if ld.final is None:
            lines.append(
                f"layer {ld.layer}: shapes differ ({A} {ld.shape_a}, {B} {ld.shape_b}); "
                f"no weight difference"
            )
            continue
        lines.append(f"layer {ld.layer} final weights (n_in, n_out) = {ld.shape_a}:")
        if ld.final.size <= 24:
            lines.append(f"  {A}:")
            lines.append("  " + _matrix(ld.final_a, decimals).replace("\n", "\n  "))  # type: ignore[arg-type]  # set when the shapes match
            lines.append(f"  {B}:")
            lines.append("  " + _matrix(ld.final_b, decimals).replace("\n", "\n  "))  # type: ignore[arg-type]  # set when the shapes match
            lines.append(f"  {B} - {A}:")
            lines.append("  " + _matrix(ld.final, decimals).replace("\n", "\n  "))
        lines.append(
            f"  largest |{B} - {A}|: initial {ld.initial_largest:.{decimals}f}, "
            f"final {ld.final_largest:.{decimals}f}"
        )
    return "\n".join(lines) + "\n"
