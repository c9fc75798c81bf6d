"""The elbow detector: exact on curves with a known corner, and ~100-200 on the seed run."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.curves import chord_distances, elbow, error_elbow, round_to_significant


def two_lines(corner: int, n: int, drop: float = 0.9) -> np.ndarray:
    """A curve falling steeply from 1 to 1-drop at ``corner``, then slowly to 0 at ``n - 1``."""
    x = np.arange(n, dtype=float)
    steep = 1 - drop * x / corner
    slow = (1 - drop) * (1 - (x - corner) / (n - 1 - corner))
    return np.where(x <= corner, steep, slow)


@pytest.mark.parametrize("corner, n", [(200, 1000), (37, 100), (5_000, 60_000)])
def test_two_straight_pieces_linear_axis(corner, n):
    found = elbow(two_lines(corner, n))
    assert found is not None and found.index == corner and found.x == corner


def test_two_straight_pieces_on_a_log_axis():
    # Straight pieces in log10(x): a corner at x = 10**2.5 (about 316).
    log_x = np.linspace(0, 5, 501)
    y = np.where(log_x <= 2.5, 1 - 0.36 * log_x, 0.1 - 0.04 * (log_x - 2.5))
    found = elbow(y, 10**log_x, log_x=True)
    assert found is not None and found.index == 250
    assert found.x == pytest.approx(10**2.5)


def test_exponential_decay_elbow_scales_with_the_time_constant():
    # y = exp(-x / tau) on [0, 10 tau], scaled: u = x / (10 tau), v = (y - e^-10) / (1 - e^-10).
    # The chord is u + v = 1; 1 - u - v is largest where dv/du = -1, i.e.
    # exp(-x / tau) = (1 - e^-10) / 10, so x = tau * ln(10 / (1 - e^-10)) (about 2.30 tau).
    for tau in (10.0, 100.0):
        x = np.arange(0, 10 * tau + 1)
        found = elbow(np.exp(-x / tau), x)
        expected = tau * np.log(10 / (1 - np.exp(-10)))
        assert abs(found.x - expected) <= 1


def test_scale_and_shift_of_y_do_not_move_the_elbow():
    y = two_lines(120, 800) + 0.01 * np.sin(np.arange(800))
    assert elbow(y).index == elbow(5 * y + 3).index


def test_no_elbow_for_lines_short_or_nonfinite_curves():
    assert elbow(np.linspace(1, 0, 50)) is None
    assert elbow(np.array([1.0, 0.5])) is None
    assert elbow(np.array([1.0, np.nan, 0.2, 0.1])) is None
    assert error_elbow(np.ones(10)) is None


def test_bad_x_is_refused():
    with pytest.raises(ValueError, match="strictly increasing"):
        elbow(np.array([1.0, 0.5, 0.2]), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="x > 0"):
        elbow(np.array([1.0, 0.5, 0.2]), np.array([0.0, 1.0, 2.0]), log_x=True)


def test_chord_distance_is_zero_at_the_ends():
    d = chord_distances(np.arange(10.0), two_lines(3, 10))
    assert d[0] == pytest.approx(0) and d[-1] == pytest.approx(0)


def test_seed_run_elbow_is_near_the_posts_iteration_100(seed_run):
    found = error_elbow(seed_run.history.error_sum)
    assert found is not None
    assert 50 <= found.x <= 250
    assert found.y == seed_run.history.error_sum[found.index]
    assert found.describe() == f"elbow near iteration ~{round_to_significant(found.x, 2):,}"


def test_round_to_significant():
    assert round_to_significant(180.4, 2) == 180
    assert round_to_significant(111, 1) == 100
    assert round_to_significant(2051, 2) == 2100
    assert round_to_significant(0, 2) == 0
