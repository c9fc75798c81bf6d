"""glassnet.explain.compare: a comparison of two runs as text."""

from __future__ import annotations

import pytest

import glassnet
from glassnet.explain.compare import format_comparison


def short(**settings: object) -> glassnet.Run:
    return glassnet.Experiment(**{"iterations": 300, **settings}).run(engine="numpy")


@pytest.fixture(scope="module")
def base() -> glassnet.Run:
    return short()


def test_format_lists_settings_first_difference_and_error_table(base: glassnet.Run) -> None:
    text = format_comparison(base.compare(short(learning_rate=0.5)))
    assert "train.learning_rate  A: 1.0   B: 0.5" in text
    assert "first difference: iteration #1: the weights differ" in text
    assert "error sum of #1: A 1.67262494, B 1.74690970" in text
    assert "#0                1.82038481       1.82038481      +0.00000000" in text
    assert "largest |B - A|: initial 0.00000000, final 0.81311835" in text
