"""The report's animated decision boundary: which pictures it embeds, their values, and the page's size.

Each grid value is embedded as one byte over the colour scale ``low .. high``
(254 steps), so a decoded value is within half a step, ``(high - low) / 508``,
of :func:`glassnet.boundary.boundary`'s output; the tests check exactly that
bound (plus 1e-12 for the decoding's own rounding).
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

import glassnet
from glassnet.boundary import boundary
from glassnet.plots import kinds_of
from glassnet.report import format_report, write_report
from glassnet.report.data import (
    BOUNDARY_FRAMES,
    BOUNDARY_RESOLUTION,
    NOT_FINITE,
    STEPS,
    boundary_data,
    quantize,
    report_data,
    scrubber_iterations,
)


def embedded(text: str, block: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', text, re.S)
    assert found, block
    return json.loads(found.group(1))


def decode(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8)


@pytest.fixture(scope="module")
def circle_run() -> glassnet.Run:
    return glassnet.Experiment(
        dataset="circle",
        n=60,
        noise=0.0,
        layers=[2, 4, 1],
        activation=["tanh", "sigmoid"],
        loss="binary_cross_entropy",
        optimizer="adam",
        learning_rate=0.05,
        iterations=400,
    ).run(engine="numpy")


def test_quantize_maps_the_scale_to_0_254_and_marks_non_finite_values_255():
    values = np.array(
        [0.0, 0.5, 1.0, 1 / 508 - 1e-9, 1 / 508 + 1e-9, -3.0, 7.0, np.nan, np.inf, -np.inf]
    )
    assert decode(quantize(values, 0.0, 1.0)).tolist() == [0, 127, 254, 0, 1, 0, 254, 255, 255, 255]
    grid = np.random.RandomState(0).uniform(-2, 3, (9, 9))
    q = decode(quantize(grid, -2.0, 3.0)).reshape(9, 9)
    assert np.all(np.abs(-2.0 + q * 5.0 / STEPS - grid) <= 5.0 / (2 * STEPS) + 1e-12)


def test_pictures_are_the_boundary_at_recorded_iterations_within_half_a_step(circle_run):
    iterations = scrubber_iterations(circle_run)
    data = boundary_data(circle_run, iterations)
    assert (
        data is not None and data["kind"] == "value" and data["resolution"] == BOUNDARY_RESOLUTION
    )
    frames = data["iterations"]
    assert frames[0] == 0 and frames[-1] == circle_run.iterations == iterations[-1]
    assert set(frames) <= set(iterations) and frames == sorted(frames)
    assert len(frames) <= BOUNDARY_FRAMES + 2 and len(data["frames"]) == len(frames)
    assert (data["low"], data["center"], data["high"]) == (0.0, 0.5, 1.0)
    expected = boundary(circle_run, BOUNDARY_RESOLUTION, frames)
    assert data["x1"] == [expected.x1[0], expected.x1[-1]]
    assert data["x2"] == [expected.x2[0], expected.x2[-1]]
    for f in range(len(frames)):
        q = decode(data["frames"][f]).reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        assert q.max() <= STEPS  # every value finite
        values = data["low"] + q * data["step"]
        np.testing.assert_array_less(
            np.abs(values - expected.output[f, :, :, 0]), data["step"] / 2 + 1e-12
        )
    # the pictures change as the network learns: the first is near 0.5 everywhere, the last is not
    first, last = (decode(data["frames"][f]).astype(int) for f in (0, -1))
    assert np.abs(first - 127).max() < np.abs(last - 127).max()
    assert data["points"] == circle_run.data.plane.round(4).tolist()
    assert data["targets"] == circle_run.data.y[:, 0].tolist()
    assert data["names"] == ["x1", "x2"]


def test_frames_are_thinned_on_a_log_scale_when_the_scrubber_has_many():
    run = glassnet.Experiment(
        dataset="xor2d", n=20, layers=[2, 3, 1], activation=["tanh", "sigmoid"], iterations=1500
    ).run(engine="numpy")
    iterations = scrubber_iterations(run)
    assert len(iterations) > 2 * BOUNDARY_FRAMES
    frames = boundary_data(run, iterations)["iterations"]
    assert BOUNDARY_FRAMES // 2 < len(frames) <= BOUNDARY_FRAMES + 2
    assert frames[0] == 0 and frames[-1] == 1500 and set(frames) <= set(iterations)
    assert sum(k < 100 for k in frames) > sum(k >= 1000 for k in frames)  # denser early on


def test_softmax_pictures_embed_the_winning_class_and_its_probability():
    rng = np.random.RandomState(1)
    centers = np.array([[0.0, 3.0], [-3.0, -2.0], [3.0, -2.0]])
    X = np.concatenate([c + rng.normal(0, 1.0, (6, 2)) for c in centers])
    run = glassnet.Experiment(
        inputs=X.tolist(),
        targets=np.repeat(np.eye(3), 6, axis=0).tolist(),
        layers=[2, 3],
        activation=["softmax"],
        loss="categorical_cross_entropy",
        iterations=60,
        learning_rate=0.1,
    ).run(engine="numpy")
    data = boundary_data(run, scrubber_iterations(run))
    assert data["kind"] == "classes" and data["n_classes"] == 3
    expected = boundary(run, BOUNDARY_RESOLUTION, data["iterations"]).output
    for f in (0, -1):
        classes = decode(data["classes"][f]).reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        np.testing.assert_array_equal(classes, np.argmax(expected[f], axis=-1))
        p = decode(data["frames"][f]).reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION) / STEPS
        np.testing.assert_array_less(np.abs(p - expected[f].max(axis=-1)), 1 / (2 * STEPS) + 1e-12)
    assert data["targets"] == [0] * 6 + [1] * 6 + [2] * 6


def test_not_finite_outputs_are_marked_and_the_scale_stays_finite():
    huge = 1e308
    run = glassnet.Experiment(
        dataset="gauss",
        n=10,
        layers=[2, 2, 1],
        activation=["linear", "linear"],
        loss="half_squared_error",
        weights=[[[huge, -huge], [huge, huge]], [[huge], [huge]]],
        iterations=2,
    ).run(engine="numpy")
    data = boundary_data(run, scrubber_iterations(run))
    assert set(decode(data["frames"][-1]).tolist()) == {NOT_FINITE}
    json.dumps(data, allow_nan=False)  # the scale's ends and step are finite numbers


def drawn(run: glassnet.Run) -> dict[str, bytes]:
    """Stand-ins for the plots' PNG bytes (the page's numbers, not its pictures, are tested here)."""
    return dict.fromkeys(kinds_of(run), b"\x89PNG")


def test_the_report_of_a_run_in_a_plane_has_the_canvas_and_its_pictures(circle_run):
    text = format_report(circle_run, drawn(circle_run))
    data = embedded(text, "glassnet-boundary")
    assert data == json.loads(
        json.dumps(boundary_data(circle_run, report_data(circle_run)["steps"]["iteration"]))
    )
    assert 'id="boundary-canvas"' in text and "window.glassnetBoundary = " in text
    assert 'id="plot-boundary"' in text and 'id="plot-hidden_units"' in text
    assert "#boundary-canvas {" in text  # its stylesheet
    assert (
        "11 recorded iterations" not in text
        and f"{len(data['iterations'])} recorded iterations" in text
    )


def test_a_report_not_in_a_plane_has_no_boundary():
    run = glassnet.Experiment(iterations=30).run(engine="numpy")
    text = format_report(run, drawn(run))
    assert boundary_data(run, [0, 30]) is None
    for part in (
        'id="boundary',
        "glassnet-boundary",
        "window.glassnetBoundary = ",
        "#boundary-canvas",
        "plot-hidden",
    ):
        assert part not in text, part


def test_the_seed_report_stays_under_2_mb_without_a_boundary(seed_run, tmp_path):
    seed = write_report(seed_run, tmp_path / "seed.html")
    assert seed.stat().st_size < 2_000_000, f"seed report: {seed.stat().st_size:,} bytes"
    assert "glassnet-boundary" not in seed.read_text(encoding="utf-8")


def test_a_spiral_report_stays_under_3_mb(tmp_path):
    spiral = glassnet.Experiment(
        dataset="spiral",
        n=200,
        noise=0.0,
        layers=[2, 8, 8, 1],
        activation=["tanh", "tanh", "sigmoid"],
        loss="binary_cross_entropy",
        optimizer="adam",
        learning_rate=0.01,
        iterations=3000,
    ).run()
    page = write_report(spiral, tmp_path / "spiral.html")
    size = page.stat().st_size
    assert size < 3_000_000, f"spiral report: {size:,} bytes"
    assert len(embedded(page.read_text(encoding="utf-8"), "glassnet-boundary")["frames"]) > 20
