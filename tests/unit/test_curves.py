"""The elbow detector: exact on curves with a known corner, ~180 on the post's run, after the drop on
a plateau-then-drop curve (xor); and the thinning of long curves to what a panel can show."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.curves import (
    chord_distances,
    elbow,
    error_elbow,
    knee_side_distances,
    round_to_significant,
    split_curves,
    visible_points,
)


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


# ---- a plateau, then a drop: the elbow is the knee after the drop -----------------------


def plateau_then_drop(n: int = 60_000, start: float = 100.0, end: float = 500.0) -> np.ndarray:
    """An error curve on a log axis: flat at 2 until ``start``, a steep fall to 0.2 by ``end``,
    then slow shaving to 0.01 (the shape of Trask's xor network)."""
    x = np.arange(n, dtype=float)
    t = np.clip((np.log10(np.maximum(x, 1)) - np.log10(start)) / np.log10(end / start), 0, 1)
    drop = 2.0 - 1.8 * (3 * t**2 - 2 * t**3)  # smooth step from 2 to 0.2
    tail = np.where(x > end, 0.19 * (1 - np.log10(np.maximum(x, end) / end) / np.log10(n / end)), 0)
    return np.where(x > end, 0.01 + tail, drop)


def test_the_elbow_of_a_plateau_then_a_drop_is_the_knee_after_the_drop():
    curve = plateau_then_drop()
    found = error_elbow(curve)
    assert found is not None
    assert 400 <= found.x <= 1_500, found  # the knee, not the plateau's end (~100)
    assert found.y < 0.25  # the drop (from 2.0 to 0.2) is behind it
    # measured on both sides of the chord, the plateau's shoulder is farther away
    x = np.arange(1, len(curve), dtype=float)
    assert x[np.argmax(chord_distances(np.log10(x), curve[1:]))] < 200


def test_xor_elbow_is_after_its_drop(xor_run):
    error = xor_run.history.error_sum
    found = error_elbow(error)
    assert found is not None and found.x == 946
    assert error[found.index] < 0.2 * error[0]  # after the drop, not on the plateau (~2.0)
    assert found.describe() == "elbow near iteration ~950"


def test_seed_run_elbow_stays_at_iteration_180(seed_run):
    found = error_elbow(seed_run.history.error_sum)
    assert found.x == 180


def test_a_rising_curve_has_its_knee_above_the_chord():
    x = np.arange(1000, dtype=float)
    rising = 1 - two_lines(200, 1000)  # steep rise to 0.9 at 200, then slow
    assert elbow(rising).index == 200
    assert knee_side_distances(x, rising)[200] > 0


def test_a_curve_with_no_knee_has_no_elbow():
    # flat, then falling only at the end: every point lies above the chord (the shoulder's side)
    y = np.where(np.arange(100) < 90, 1.0, 1.0 - (np.arange(100) - 89) / 10)
    assert elbow(y) is None


# ---- thinning a long curve to what a panel can show --------------------------------------


def test_visible_points_keep_ends_extremes_kept_points_and_gap_edges():
    rng = np.random.default_rng(1)
    y = rng.standard_normal(100_000).cumsum()
    y[40_000:40_010] = np.nan
    y[70_000] = np.inf
    x = np.arange(len(y), dtype=float)
    kept = visible_points(x, y, 500, keep=(12_345,))
    assert kept[0] == 0 and kept[-1] == len(y) - 1 and 12_345 in kept
    assert np.all(np.diff(kept) > 0) and len(kept) <= 4 * 500 + 10
    finite = np.isfinite(y)
    assert np.nanargmin(np.where(finite, y, np.nan)) in kept
    assert np.nanargmax(np.where(finite, y, np.nan)) in kept
    for edge in (39_999, 40_000, 40_009, 40_010, 69_999, 70_000, 70_001):
        assert edge in kept
    # every column keeps its lowest and highest value: the thinned line spans the same heights
    column = (x / x[-1] * 500).astype(int).clip(max=499)
    for c in (0, 137, 499):
        inside = column == c
        values = y[inside & finite]
        kept_values = y[kept][(column[kept] == c) & finite[kept]]
        assert kept_values.min() == values.min() and kept_values.max() == values.max()


def test_visible_points_keep_every_point_of_a_short_curve():
    np.testing.assert_array_equal(
        visible_points(np.arange(100.0), np.ones(100), 25), np.arange(100)
    )


def test_visible_points_on_a_log_axis_use_log_columns():
    x = np.arange(1, 100_001, dtype=float)
    kept = visible_points(x, np.log(x), 100, log_x=True)
    # equal columns in log10(x): the first decade (x < 10) has its own 20 columns, all 9 points kept
    assert set(range(9)) <= set(kept.tolist())
    assert len(kept) < 600


def test_a_thinned_curve_draws_the_same_picture():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    y = np.exp(-np.arange(100_000) / 3_000) + 0.05 * rng.standard_normal(100_000)
    x = np.arange(len(y))
    pictures = []
    for shown in (x, visible_points(x, y, 1_300)):
        fig = Figure(figsize=(5.2, 3.6), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot(x[shown], y[shown], linewidth=1.6)
        ax.set_xlim(0, len(y) - 1)
        ax.set_ylim(y.min(), y.max())
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int))
    difference = np.abs(pictures[0] - pictures[1]).max(axis=2)
    # antialiasing may shade an edge pixel a little differently; nothing a reader can see
    assert (difference > 64).mean() < 0.001, (difference > 64).sum()


# --------------------------------------------------------------------------- a held-out split (split_run: tests/conftest.py)


def test_split_curves_are_the_recorded_history_and_the_final_figures(split_run):
    history = split_run.history
    curves = split_curves(split_run)
    assert (curves.n_train, curves.n_test) == (427, 142)  # 569 examples, a quarter held out
    n = split_run.iterations
    assert len(curves.test_error_sum) == n + 1
    np.testing.assert_array_equal(curves.test_error_sum[:n], history.test_error_sum)
    np.testing.assert_array_equal(curves.test_loss[:n], history.test_loss)
    np.testing.assert_array_equal(curves.error_sum[:n], history.error_sum)
    assert curves.test_error_sum[n] == split_run.final_test_error_sum
    assert curves.error_sum[n] == split_run.final_error_sum
    np.testing.assert_array_equal(curves.test_mean_error, curves.test_error_sum / 142)
    np.testing.assert_array_equal(curves.mean_error, curves.error_sum / 427)
    # the split is real: the held-out examples were never trained on, yet their error fell too
    assert history.test_error_sum[-1] < 0.2 * history.test_error_sum[0]


def test_runs_without_a_split_have_no_split_curves(xor_run):
    assert split_curves(xor_run) is None
