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
