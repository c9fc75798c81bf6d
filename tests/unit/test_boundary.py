"""glassnet.boundary: the network's outputs over its input plane, from the recorded weights."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.boundary import boundary, frames, plane_of
from glassnet.network import forward


@pytest.fixture(scope="module")
def circle_run():
    return glassnet.Experiment("examples/circle.toml").run()


def test_the_grid_values_are_the_forward_pass_of_the_replayed_weights(circle_run):
    b = boundary(circle_run, resolution=9, iterations=[0, 100, circle_run.iterations])
    assert b.output.shape == (3, 9, 9, 1) and b.hidden[0].shape == (3, 9, 9, 4)
    i, j = 4, 7
    point = np.array([[b.x1[j], b.x2[i]]])
    for f, k in enumerate(b.iterations):
        _, acts = forward(circle_run.network, circle_run.weights_at(int(k)), point)
        # (one point or a grid of them: BLAS may sum in another order, a last bit apart;
        # a hidden unit near 0 keeps the noise of its terms, hence the absolute floor)
        np.testing.assert_allclose(b.output[f, i, j], acts[-1][0], rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(b.hidden[0][f, i, j], acts[1][0], rtol=1e-14, atol=1e-14)
    assert b.points.shape == (200, 2) and plane_of(circle_run) is circle_run.data.plane


def test_the_trained_circle_separates_its_points(circle_run):
    b = boundary(circle_run, resolution=61, iterations=[circle_run.iterations])
    inside = np.hypot(*np.meshgrid(b.x1, b.x2)) < 1.5
    far = np.hypot(*np.meshgrid(b.x1, b.x2)) > 4.5
    assert (b.output[0, inside, 0] > 0.5).mean() > 0.95
    assert (b.output[0, far, 0] < 0.5).mean() > 0.95


def test_frames_start_at_0_end_at_the_last_and_are_recorded(circle_run):
    chosen = frames(circle_run, 20)
    assert chosen[0] == 0 and chosen[-1] == circle_run.iterations and len(chosen) <= 22
    recorded = set(circle_run.checkpoints.iterations.tolist()) | {circle_run.iterations}
    assert set(chosen.tolist()) <= recorded


def test_only_a_plane_has_a_boundary():
    with pytest.raises(ValueError, match="needs examples in a plane"):
        boundary(glassnet.Experiment(iterations=3).run())
    two = glassnet.Experiment(
        inputs=[[0, 0], [0, 1], [1, 0], [1, 1]], targets=[[0], [1], [1], [1]], iterations=50
    ).run()
    assert boundary(two, resolution=5).output.shape == (len(frames(two)), 5, 5, 1)


def test_how_outputs_read_and_their_colour_scales():
    from glassnet.activations import ACTIVATIONS
    from glassnet.boundary import classes_of, output_scale, reads_classes, threshold, value_range

    values = np.array([[-3.0, 0.5], [2.0, np.nan]])
    assert value_range(ACTIVATIONS["tanh"], values) == (-1.0, 1.0)  # the activation's own range
    assert value_range(ACTIVATIONS["relu"], values) == (0.0, 3.0)  # never negative: 0 .. max |v|
    assert value_range(ACTIVATIONS["linear"], values) == (-3.0, 3.0)
    assert value_range(ACTIVATIONS["linear"], np.array([np.nan])) == (0.0, 1.0)
    classes, largest = classes_of(np.array([[0.2, 0.7, 0.1], [0.5, np.nan, 0.4], [0.3, 0.3, 0.4]]))
    assert classes.tolist() == [1, -1, 2]
    np.testing.assert_array_equal(largest, [0.7, np.nan, 0.4])
    # tanh outputs with -1/1 targets: the level halfway between them, 0
    two = [[0, 0], [0, 1], [1, 0], [1, 1]]
    tanh = glassnet.Experiment(
        inputs=two, targets=[[-1], [1], [1], [1]], layers=[2, 1], activation=["tanh"],
        loss="half_squared_error", iterations=3,
    ).run(engine="numpy")  # fmt: skip
    assert threshold(tanh) == 0.0 and not reads_classes(tanh)
    assert output_scale(tanh, np.array([0.2, -0.4])) == (-1.0, 0.0, 1.0)
    soft = glassnet.Experiment(
        inputs=two, targets=[[1, 0], [0, 1], [0, 1], [0, 1]], layers=[2, 2], activation=["softmax"],
        loss="categorical_cross_entropy", iterations=3,
    ).run(engine="numpy")  # fmt: skip
    assert reads_classes(soft) and threshold(soft) == 0.5


def test_frames_among_given_iterations_and_the_planes_names(circle_run):
    from glassnet.boundary import plane_names

    among = [0, 3, 7, 50, 400, 1000, circle_run.iterations]
    chosen = frames(circle_run, 4, among=among)
    assert (
        chosen[0] == 0
        and chosen[-1] == circle_run.iterations
        and set(chosen.tolist()) <= set(among)
    )
    assert frames(circle_run, 10, among=among).tolist() == among  # few enough: all of them
    assert plane_names(circle_run) == ("x1", "x2")
    two = glassnet.Experiment(
        inputs=[[0, 0], [0, 1], [1, 0], [1, 1]], targets=[[0], [1], [1], [1]], iterations=2
    ).run(engine="numpy")
    assert plane_names(two) == two.data.input_names == ("x1", "x2")
    scaled = glassnet.Experiment(
        inputs=[[0, 0], [0, 1], [1, 0], [1, 3]], targets=[[0], [1], [1], [1]], standardize=True,
        iterations=2,
    ).run(engine="numpy")  # fmt: skip
    # the plane drawn is the one the network reads: the standardized inputs
    assert plane_names(scaled) == ("x1 (standardized)", "x2 (standardized)")
    np.testing.assert_array_equal(plane_of(scaled), scaled.data.X)
