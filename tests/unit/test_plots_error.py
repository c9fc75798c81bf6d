"""The error plot's texts never overlap: the legend sits under the panels, the elbow's label inside
its axes (checked on the renderer's extents, for the seed run and Trask's xor network)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from glassnet.plots import plot


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
