"""glassnet.plots.error: the post's run's error history in the post's four windows, its elbow marked
and named; the texts never overlap: the legend sits under the panels, the elbow's label inside
its axes (checked on the renderer's extents, for the post's run and Trask's xor network)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from glassnet.curves import error_elbow
from glassnet.plots import plot
from glassnet.plots._style import PALETTE
from glassnet.plots.error import ERROR_LABEL, TEST_COLOR, TRAIN_COLOR, windows_for


def rendered(fig):
    FigureCanvasAgg(fig)
    fig.set_dpi(110)  # as the files are written
    fig.canvas.draw()
    return fig.canvas.get_renderer()


@pytest.mark.parametrize("which", ["seed_run", "xor_run"])
def test_legend_and_elbow_labels_do_not_overlap(which, request):
    run = request.getfixturevalue(which)
    fig = plot(run, "error")
    renderer = rendered(fig)
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legends) == 1
    legend_box = legends[0].get_window_extent(renderer)
    labels = [
        (ax, text)
        for ax in fig.axes
        for text in ax.texts
        if str(text.get_gid()).startswith("elbow-label")
    ]
    assert len(labels) >= 2
    figure_box = fig.bbox
    for ax, label in labels:
        box = label.get_window_extent(renderer)
        assert not box.overlaps(legend_box), (label.get_text(), box, legend_box)
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1), label
        assert figure_box.contains(box.x0, box.y0) and figure_box.contains(box.x1, box.y1)
        assert not box.overlaps(ax.title.get_window_extent(renderer))
    # the legend is inside the figure, below every panel
    assert figure_box.contains(legend_box.x0, legend_box.y0)
    assert all(legend_box.y1 < ax.bbox.y0 for ax in fig.axes if ax.get_visible())


def test_xor_elbow_is_marked_after_the_drop_and_named_in_the_title(xor_run):
    fig = plot(xor_run, "error")
    assert "elbow near iteration ~950" in fig.get_suptitle()
    marks = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    assert "elbow-100" not in marks  # iteration 946 is not in the first 100
    for window in (1_000, 10_000, 60_000):
        assert marks[f"elbow-{window}"].get_xdata()[0] == 946
    assert marks["elbow-1000"].get_ydata()[0] == xor_run.history.error_sum[946]


def test_an_elbow_near_the_right_edge_gets_its_label_on_the_left(xor_run):
    fig = plot(xor_run, "error")
    renderer = rendered(fig)
    panel = fig.axes[1]  # first 1,000 iterations: the elbow at 946 is near its right edge
    (label,) = [t for t in panel.texts if t.get_gid() == "elbow-label-1000"]
    box = label.get_window_extent(renderer)
    x_elbow = panel.transData.transform((946, 0))[0]
    assert box.x1 <= x_elbow + 1 and panel.bbox.contains(box.x0, box.y0)


def test_the_drawn_error_curve_is_recorded_points_only(xor_run):
    fig = plot(xor_run, "error")
    line = next(
        line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == "error_sum-60000"
    )
    x = line.get_xdata().astype(int)
    np.testing.assert_array_equal(line.get_ydata(), xor_run.history.error_sum[x])
    assert x[0] == 0 and x[-1] == 59_999 and 946 in x


# --------------------------------------------------------------------------- the post's run's error plot


def lines_by_gid(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def test_error_plot_shows_exactly_the_history_in_the_posts_four_windows(seed_run):
    fig = plot(seed_run, "error")
    lines = lines_by_gid(fig)
    found = error_elbow(seed_run.history.error_sum)
    for window in (100, 1_000, 10_000, 100_000):
        for key in ("error_sum", "loss"):
            line = lines[f"{key}-{window}"]
            recorded = getattr(seed_run.history, key)[:window]
            x = line.get_xdata()
            if window <= 1_000:  # fewer points than the panel has pixel columns: every one
                np.testing.assert_array_equal(x, np.arange(window))
            else:  # the points a line that wide can show: recorded ones, ends, extremes, elbow
                assert len(x) < min(window / 3, 6_000)
                assert x[0] == 0 and x[-1] == window - 1 and found.index in x
                assert recorded.argmin() in x and recorded.argmax() in x
                assert np.all(np.diff(x) > 0)
            np.testing.assert_array_equal(line.get_ydata(), recorded[x])
        assert lines[f"error_sum-{window}"].get_label() == ERROR_LABEL
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == [
        "First 100 iterations",
        "First 1,000 iterations",
        "First 10,000 iterations",
        "First 100,000 iterations",
    ]


def test_error_plot_marks_and_names_the_elbow(seed_run):
    fig = plot(seed_run, "error")
    found = error_elbow(seed_run.history.error_sum)
    assert 50 <= found.x <= 250
    assert found.describe() in fig.get_suptitle()
    lines = lines_by_gid(fig)
    assert "elbow-100" not in lines  # iteration ~180 is outside the first 100
    for window in (1_000, 10_000, 100_000):
        marker = lines[f"elbow-{window}"]
        assert marker.get_xdata()[0] == found.x
        assert marker.get_ydata()[0] == seed_run.history.error_sum[found.index]


def test_error_windows_are_cut_to_a_short_run():
    assert windows_for(1_500) == [100, 1_000, 1_500]
    assert windows_for(50) == [50]
    assert windows_for(0) == []


# --------------------------------------------------------------------------- a held-out split (split_run: tests/conftest.py)


def test_error_plot_draws_the_recorded_test_series_exactly(split_run):
    history = split_run.history
    fig = plot(split_run, "error", per_example=False)
    lines = lines_by_gid(fig)
    for window in (100, 300):
        test = lines[f"test_error_sum-{window}"]
        np.testing.assert_array_equal(test.get_xdata(), np.arange(window))
        np.testing.assert_array_equal(test.get_ydata(), history.test_error_sum[:window])
        np.testing.assert_array_equal(
            lines[f"error_sum-{window}"].get_ydata(), history.error_sum[:window]
        )
        np.testing.assert_array_equal(
            lines[f"test_loss-{window}"].get_ydata(), history.test_loss[:window]
        )
        np.testing.assert_array_equal(lines[f"loss-{window}"].get_ydata(), history.loss[:window])
        assert test.get_label().startswith("held-out test: sum of |target - prediction|")
        assert (
            lines[f"error_sum-{window}"]
            .get_label()
            .startswith("training: sum of |target - prediction|")
        )
    assert "elbow-300" in lines


def test_error_plot_per_example_by_default_divides_by_each_parts_size(split_run):
    history = split_run.history
    fig = plot(split_run, "error")
    lines = lines_by_gid(fig)
    train, test = lines["error_sum-300"], lines["test_error_sum-300"]
    np.testing.assert_array_equal(test.get_ydata(), history.test_error_sum / 142)
    np.testing.assert_array_equal(train.get_ydata(), history.error_sum / 427)
    np.testing.assert_array_equal(lines["test_loss-300"].get_ydata(), history.test_loss / 142)
    assert (
        test.get_label() == "held-out test: mean |target - prediction| per example (142 examples)"
    )
    assert train.get_label() == "training: mean |target - prediction| per example (427 examples)"
    # the elbow sits on the training curve as drawn
    elbow = lines["elbow-300"]
    assert elbow.get_ydata()[0] == train.get_ydata()[int(elbow.get_xdata()[0])]
    # colour-blind-safe and told apart: Okabe-Ito blue and orange; error solid, loss dashed
    assert (
        (train.get_color(), test.get_color())
        == (TRAIN_COLOR, TEST_COLOR)
        == (PALETTE[0], PALETTE[1])
    )
    assert train.get_linestyle() == test.get_linestyle() == "-"
    assert lines["test_loss-300"].get_linestyle() == "--"
    # one legend for the figure names both parts; the title says what is compared
    legend_texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert train.get_label() in legend_texts and test.get_label() in legend_texts
    assert "held-out test (142 examples)" in fig.get_suptitle()
    assert [ax.get_ylabel() for ax in fig.axes if ax.get_visible()] == ["error per example"] * 2


def test_error_plot_of_a_run_without_a_split_has_no_test_lines(xor_run):
    lines = lines_by_gid(plot(xor_run, "error"))
    assert not [gid for gid in lines if gid.startswith("test_")]
    assert any(gid.startswith("error_sum-") for gid in lines)
