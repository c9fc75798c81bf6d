"""glassnet.data.planar: the 2-D sets as the playground draws them, their features, their settings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
from glassnet.data.planar import FEATURES, PLANAR_DATASETS, feature_matrix, planar_points
from glassnet.errors import ConfigError


@pytest.mark.parametrize("name", sorted(PLANAR_DATASETS))
def test_each_set_is_seeded_balanced_and_in_the_plane(name):
    points, labels = planar_points(name, 200, 0.1, 7)
    again, _ = planar_points(name, 200, 0.1, 7)
    other, _ = planar_points(name, 200, 0.1, 8)
    assert points.shape == (200, 2) and labels.shape == (200,)
    np.testing.assert_array_equal(points, again)
    assert not np.array_equal(points, other)  # the seed draws them (moons: its noise)
    assert set(np.unique(labels)) <= {0.0, 1.0}
    assert 0.3 < labels.mean() < 0.7
    assert np.all(np.abs(points) < 6.5)


def test_the_formulas_without_noise():
    points, labels = planar_points("circle", 200, 0.0, 0)
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.all(radius[labels == 1] < 2.5) and np.all(radius[labels == 0] >= 3.5)
    points, labels = planar_points("xor2d", 200, 0.0, 0)
    assert np.all((points[:, 0] * points[:, 1] >= 0) == (labels == 1))
    assert np.all(np.abs(points) >= 0.3)  # pushed 0.3 away from the axes
    points, labels = planar_points("spiral", 200, 0.0, 0)
    i = np.arange(100)
    r, t = i / 100 * 5.0, 1.75 * i / 100 * 2 * math.pi
    np.testing.assert_allclose(
        points[:100], np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12
    )  # the arm starts at the origin
    np.testing.assert_allclose(points[100:], -points[:100], atol=1e-12)  # the other arm, d = pi
    points, labels = planar_points("gauss", 2000, 0.0, 0)
    np.testing.assert_allclose(points[labels == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(points[labels == 1].std(axis=0), np.sqrt(0.5), rtol=0.1)
    points, labels = planar_points("moons", 200, 0.0, 0)
    u = np.linspace(0, math.pi, 100)
    np.testing.assert_allclose(points[:100, 0], 3 * (np.cos(u) - 0.5), atol=1e-12)


def test_features_are_the_playgrounds_inputs():
    points = np.array([[1.0, 2.0], [-0.5, 3.0]])
    X = feature_matrix(points, list(FEATURES))
    np.testing.assert_allclose(X[1], [-0.5, 3.0, 0.25, 9.0, -1.5, math.sin(-0.5), math.sin(3.0)])
    exp = glassnet.Experiment(dataset="xor2d", features=["x1", "x2", "x1*x2"], layers=[3, 1])
    assert exp.data.input_names == ("x1", "x2", "x1*x2")
    np.testing.assert_allclose(
        exp.data.X[:, 2], exp.data.plane[:, 0] * exp.data.plane[:, 1], atol=1e-12
    )
    # one product feature is enough for xor without a hidden layer
    run = exp.run(iterations=3000)
    assert ((run.final_prediction > 0.5) == run.data.y).mean() > 0.95


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"dataset": "xor", "noise": 0.1}, "[data] noise is for the 2-D sets"),
        (
            {"dataset": "spiral", "n": 1},
            "[data] n must be a whole number from 2 to 100,000; got 1.",
        ),
        ({"dataset": "spiral", "noise": 2}, "[data] noise must be a number from 0 to 1"),
        ({"dataset": "spiral", "features": ["x3"]}, "('x3' is not one)"),
        ({"dataset": "spiral", "features": ["x1", "x1"]}, "a list of different inputs"),
        ({"dataset": "spiral", "data_seed": -1}, "[data] data_seed must be a whole number"),
    ],
)
def test_bad_settings_get_one_line(settings, message):
    with pytest.raises(ConfigError) as info:
        glassnet.Experiment(**settings)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_settings_are_recorded_and_the_post_is_untouched():
    doc = glassnet.Experiment(dataset="moons", noise=0.2, n=50).config.to_dict()["data"]
    assert doc == {
        "dataset": "moons",
        "n": 50,
        "noise": 0.2,
        "data_seed": 0,
        "features": ["x1", "x2"],
    }
    assert glassnet.Experiment().config.to_dict()["data"] == {"dataset": "trask"}
