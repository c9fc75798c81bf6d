"""The boundary and hidden-unit plots draw glassnet.boundary's grid, unchanged, for runs in a plane only.

The heatmaps are read back from the figure (each AxesImage's array), not
from pixels: they must be the numbers :func:`glassnet.boundary.boundary`
computed, bit for bit, on the same grid.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

import glassnet
from glassnet.boundary import boundary, output_scale, threshold
from glassnet.errors import ConfigError
from glassnet.plots import kinds_of, plot, write_plots
from glassnet.plots._style import PALETTE
from glassnet.plots.boundary import NOT_FINITE, TINT

RES = 21


@pytest.fixture(scope="module")
def circle_run() -> glassnet.Run:
    """A small circle run with one hidden layer of 3 tanh units (trains in a fraction of a second)."""
    return glassnet.Experiment(
        dataset="circle",
        n=40,
        noise=0.0,
        layers=[2, 3, 1],
        activation=["tanh", "sigmoid"],
        loss="binary_cross_entropy",
        optimizer="adam",
        learning_rate=0.05,
        iterations=300,
    ).run(engine="numpy")


@pytest.fixture(scope="module")
def softmax_run() -> glassnet.Run:
    """Three blobs of two inputs, one-hot targets, a softmax output (no hidden layer)."""
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 3.0], [-3.0, -2.0], [3.0, -2.0]])
    X = np.concatenate([c + rng.normal(0, 1.0, (8, 2)) for c in centers])
    y = np.repeat(np.eye(3), 8, axis=0)
    return glassnet.Experiment(
        inputs=X.tolist(),
        targets=y.tolist(),
        layers=[2, 3],
        activation=["softmax"],
        loss="categorical_cross_entropy",
        optimizer="adam",
        learning_rate=0.1,
        iterations=200,
    ).run(engine="numpy")


def image(fig, gid: str):
    found = [im for ax in fig.axes for im in ax.images if im.get_gid() == gid]
    assert len(found) == 1, [im.get_gid() for ax in fig.axes for im in ax.images]
    return found[0]


def rendered(fig):
    FigureCanvasAgg(fig)
    fig.set_dpi(110)  # as the files are written
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def bilinear(grid: np.ndarray, x1: np.ndarray, x2: np.ndarray, x: float, y: float) -> float:
    """``grid[i, j]`` (at ``(x1[j], x2[i])``) interpolated linearly at ``(x, y)``."""
    j = int(np.clip(np.searchsorted(x1, x) - 1, 0, len(x1) - 2))
    i = int(np.clip(np.searchsorted(x2, y) - 1, 0, len(x2) - 2))
    u = (x - x1[j]) / (x1[j + 1] - x1[j])
    v = (y - x2[i]) / (x2[i + 1] - x2[i])
    return float(
        (1 - u) * (1 - v) * grid[i, j]
        + u * (1 - v) * grid[i, j + 1]
        + (1 - u) * v * grid[i + 1, j]
        + u * v * grid[i + 1, j + 1]
    )


def test_the_heatmap_is_the_boundary_grid_of_the_last_iteration(circle_run):
    fig = plot(circle_run, "boundary", resolution=RES)
    expected = boundary(circle_run, RES, [circle_run.iterations])
    heat = image(fig, "boundary-output-0")
    np.testing.assert_array_equal(heat.get_array(), expected.output[0, :, :, 0])
    # each value sits at the centre of its pixel: the extent is the grid's, half a step wider
    dx, dy = expected.x1[1] - expected.x1[0], expected.x2[1] - expected.x2[0]
    np.testing.assert_allclose(
        heat.get_extent(),
        [
            expected.x1[0] - dx / 2,
            expected.x1[-1] + dx / 2,
            expected.x2[0] - dy / 2,
            expected.x2[-1] + dy / 2,
        ],
        rtol=1e-12,
    )
    # the colour scale is centred at the decision level 0.5, over the sigmoid's range 0..1
    norm = heat.norm
    assert (
        (norm.vmin, norm.vcenter, norm.vmax)
        == (0.0, 0.5, 1.0)
        == output_scale(circle_run, expected.output)
    )
    assert threshold(circle_run) == 0.5
    assert "iteration #300" in fig.get_suptitle()
    ax = heat.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")


def test_the_contour_is_where_the_output_crosses_one_half(circle_run):
    fig = plot(circle_run, "boundary", resolution=RES)
    expected = boundary(circle_run, RES, [circle_run.iterations])
    grid = expected.output[0, :, :, 0]
    (contour,) = [
        c for c in image(fig, "boundary-output-0").axes.collections if hasattr(c, "levels")
    ]
    assert list(contour.levels) == [0.5]
    vertices = np.concatenate([path.vertices for path in contour.get_paths()])
    assert len(vertices) > 10
    # matplotlib places each vertex on a grid edge by linear interpolation: the grid is 0.5 there
    values = [bilinear(grid, expected.x1, expected.x2, x, y) for x, y in vertices]
    np.testing.assert_allclose(values, 0.5, atol=1e-9)


def test_points_are_the_training_examples_coloured_by_target(circle_run):
    fig = plot(circle_run, "boundary", resolution=RES)
    ax = image(fig, "boundary-output-0").axes
    scatters = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    plane, y = circle_run.data.plane, circle_run.data.y[:, 0]
    for value, color in ((0, PALETTE[0]), (1, PALETTE[1])):
        points = scatters[f"points-target-{value}"]
        np.testing.assert_array_equal(points.get_offsets(), plane[y == value])
        np.testing.assert_allclose(points.get_facecolor()[0, :3], to_rgb(color))
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[0] == "decision boundary: output = 0.5"
    assert labels[1:] == [
        f"target 0 ({int((y == 0).sum())} examples)",
        f"target 1 ({int((y == 1).sum())} examples)",
    ]


def test_every_hidden_unit_has_its_panel_with_its_own_grid(circle_run):
    fig = plot(circle_run, "hidden_units", resolution=RES)
    expected = boundary(circle_run, RES, [circle_run.iterations])
    for j in range(3):
        panel = image(fig, f"hidden-0-{j}")
        np.testing.assert_array_equal(panel.get_array(), expected.hidden[0][0, :, :, j])
        assert (panel.norm.vmin, panel.norm.vmax) == (-1.0, 1.0)  # tanh's range
    titles = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert titles == ["layer 1, unit 1", "layer 1, unit 2", "layer 1, unit 3"]
    assert "layer 1\ntanh" in [t.get_text() for t in fig.texts]


def test_hidden_units_wrap_into_rows_per_layer_and_titles_do_not_overlap():
    run = glassnet.Experiment(
        dataset="xor2d",
        n=20,
        layers=[2, 20, 3, 1],
        activation=["relu", "tanh", "sigmoid"],
        iterations=5,
    ).run(engine="numpy")
    fig = plot(run, "hidden_units", resolution=9)
    renderer = rendered(fig)
    texts = [t for ax in fig.axes for t in ax.texts]
    # the first MAX_UNITS (16) of layer 1's 20 units, in two rows of 8; the row label says so
    assert [t.get_text() for t in texts] == [f"layer 1, unit {j}" for j in range(1, 17)] + [
        f"layer 2, unit {j}" for j in range(1, 4)
    ]
    assert "layer 1\nrelu\nfirst 16 of 20" in [t.get_text() for t in fig.texts]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for a in range(len(boxes)):
        assert fig.bbox.contains(boxes[a].x0, boxes[a].y0) and fig.bbox.contains(
            boxes[a].x1, boxes[a].y1
        )
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (texts[a].get_text(), texts[b].get_text())
    # unit 9 of layer 1 starts its second row, below unit 1
    first, ninth = (image(fig, f"hidden-0-{j}").get_extent() for j in (0, 8))
    assert ninth[0] == first[0] and ninth[3] < first[2]
    # a relu layer's scale runs from 0 to the largest output of the units shown
    values = boundary(run, 9, [run.iterations]).hidden[0][0, :, :, :16]
    assert image(fig, "hidden-0-0").norm.vmin == 0.0
    assert image(fig, "hidden-0-0").norm.vmax == np.max(values)


def test_labels_do_not_overlap_and_stay_in_the_figure(circle_run):
    fig = plot(circle_run, "boundary", resolution=RES)
    renderer = rendered(fig)
    ax = image(fig, "boundary-output-0").axes
    axes_box = ax.get_tightbbox(renderer)
    legend_box = fig.legends[0].get_window_extent(renderer)
    title_box = fig._suptitle.get_window_extent(renderer)
    (subtitle,) = [t for t in fig.texts if t.get_gid() == "subtitle"]
    subtitle_box = subtitle.get_window_extent(renderer)
    for box in (axes_box, legend_box, title_box, subtitle_box):
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1), box
    assert legend_box.y1 < axes_box.y0 and axes_box.y1 < subtitle_box.y0 < title_box.y0


def test_softmax_outputs_are_coloured_by_the_winning_class(softmax_run):
    fig = plot(softmax_run, "boundary", resolution=RES)
    output = boundary(softmax_run, RES, [softmax_run.iterations]).output[0]
    rgb = image(fig, "boundary-classes").get_array()
    winner, p = np.argmax(output, axis=-1), np.max(output, axis=-1)
    palette = np.array([to_rgb(c) for c in PALETTE[:3]])
    strength = TINT * np.clip((p - 1 / 3) / (2 / 3), 0, 1)
    np.testing.assert_allclose(rgb, 1 - strength[..., None] * (1 - palette[winner]), atol=1e-12)
    assert len(set(winner.ravel().tolist())) == 3  # all three classes have a region
    assert "hidden_units" not in kinds_of(softmax_run)  # no hidden layer
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["decision boundary"] + [f"class {k} (y{k}) (8 examples)" for k in (1, 2, 3)]


def test_a_diverged_run_in_a_plane_draws_grey_where_the_output_is_not_finite():
    huge = 1e308  # the first forward pass overflows: inf and nan over the plane
    run = glassnet.Experiment(
        dataset="gauss",
        n=20,
        layers=[2, 2, 1],
        activation=["linear", "linear"],
        loss="half_squared_error",
        weights=[[[huge, -huge], [huge, huge]], [[huge], [huge]]],
        iterations=3,
    ).run(engine="numpy")
    grid = boundary(run, 7, [run.iterations]).output[0, :, :, 0]
    assert not np.any(np.isfinite(grid))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing for matplotlib to complain about either
        for kind in ("boundary", "hidden_units"):
            fig = plot(run, kind, resolution=7)
            fig.savefig(io.BytesIO(), format="png", dpi=30)
    heat = image(plot(run, "boundary", resolution=7), "boundary-output-0")
    assert heat.get_array().mask.all()  # every cell masked: drawn in the "bad" colour
    np.testing.assert_allclose(heat.cmap.get_bad(), (*to_rgb(NOT_FINITE), 1.0))


def test_only_runs_in_a_plane_get_the_boundary_plots(circle_run, tmp_path):
    seed = glassnet.Experiment(iterations=50).run(engine="numpy")
    assert kinds_of(seed) == ["error", "weights", "landscape", "predictions"]
    with pytest.raises(ConfigError, match=r"need examples in a plane .* has 3 inputs"):
        plot(seed, "boundary")
    assert kinds_of(circle_run)[-2:] == ["boundary", "hidden_units"]
    # a 2-D set read through other features is still in its plane
    squares = glassnet.Experiment(
        dataset="circle", n=20, features=["x1^2", "x2^2"], layers=[2, 1], iterations=5
    ).run(engine="numpy")
    assert kinds_of(squares)[-1] == "boundary"
    written = write_plots(circle_run, tmp_path / "plots")
    names = [p.name for p in written]
    assert names[-2:] == ["boundary.png", "hidden_units.png"]
    for path in written[-2:]:
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("bad", [1, 1002, 2.5, "41", True])
def test_a_bad_resolution_is_a_one_line_error(circle_run, bad):
    with pytest.raises(ConfigError, match="'resolution' must") as caught:
        plot(circle_run, "boundary", resolution=bad)
    message = str(caught.value)
    assert "\n" not in message and str(bad) in message and "from 2 to 1001" in message
