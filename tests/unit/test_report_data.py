"""glassnet.report.data: the embedded numbers, every float exactly ``float(f"{v:.12g}")``, non-finite
as null; the scrubber's iterations thinned to a budget; plain JSON."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet.report.data import (
    DIGITS,
    MAX_NUMBERS,
    numbers,
    numbers_per_step,
    report_data,
    round_significant,
    scrubber_iterations,
)


def by_text(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 200), elements=st.floats(allow_nan=False)))
def test_vectorised_rounding_is_the_text_rounding(values):
    rounded = round_significant(values)
    expected = np.array([by_text(v) for v in values.tolist()])
    np.testing.assert_array_equal(rounded, expected)
    assert np.array_equal(np.signbit(rounded), np.signbit(expected))


def test_rounding_near_ties_and_at_the_edges_of_the_fast_path():
    base = np.array([0.5, 2.5, 1.0000000000005, 999999999999.5, 123456789012.5, 1e-11, 1e11])
    values = np.concatenate([base, np.nextafter(base, 0), np.nextafter(base, np.inf), -base])
    np.testing.assert_array_equal(round_significant(values), [by_text(v) for v in values])


def test_numbers_are_nested_lists_with_null_for_non_finite():
    values = np.array([[0.1 + 0.2, np.nan], [np.inf, -1e308]])
    assert numbers(values) == [[0.3, None], [None, -1e308]]
    assert numbers(np.float64(2 / 3)) == 0.666666666667
    assert numbers(np.float64(np.nan)) is None
    assert numbers(np.zeros((0, 3))) == []
    json.dumps(numbers(values), allow_nan=False)


def test_scrubber_iterations_are_thinned_to_the_budget(xor_run):
    per_step = numbers_per_step(xor_run, 4)
    chosen = scrubber_iterations(xor_run, max_numbers=200 * per_step)
    assert len(chosen) <= 200 and chosen[0] == 0 and chosen[-1] == xor_run.iterations
    assert chosen[:100] == list(range(100))  # the first iterations stay one by one
    assert chosen == sorted(set(chosen))
    full = scrubber_iterations(xor_run)
    assert len(full) * per_step <= MAX_NUMBERS or len(full) == 2


def test_report_data_is_plain_json(seed_run):
    data = report_data(seed_run, max_numbers=5_000)
    json.dumps(data, allow_nan=False)
    assert len(data["steps"]["iteration"]) <= 5_000 // numbers_per_step(seed_run, 4) + 1
