"""Every plot kind is drawn for the seed run from the recorded numbers, and saved as PNG and SVG."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from glassnet.curves import error_elbow
from glassnet.errors import ConfigError
from glassnet.landscape import loss_landscape, most_moved, prediction_paths, weight_paths
from glassnet.network import parameter_names
from glassnet.plots import kinds_of, plot, write_plots
from glassnet.plots._style import PALETTE, describe_parameter
from glassnet.plots.error import ERROR_LABEL, windows_for


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


def test_weights_plot_has_every_weight_at_every_recorded_iteration(seed_run):
    fig = plot(seed_run, "weights")
    lines = lines_by_gid(fig)
    iterations = np.append(seed_run.checkpoints.iterations, seed_run.iterations)
    for p in range(3):
        line = lines[f"weight-linear-{p}"]
        np.testing.assert_array_equal(line.get_xdata(), iterations)
        values = line.get_ydata()
        np.testing.assert_array_equal(values[-1], seed_run.final.weights[0][p, 0])
        np.testing.assert_array_equal(values[0], seed_run.initial.weights[0][p, 0])
        assert values[1] == seed_run.weights_at(1).weights[0][p, 0]
        assert lines[f"weight-log-{p}"].get_xdata()[0] == 1
    np.testing.assert_allclose(lines["weight-linear-0"].get_ydata()[-1], 12.00871622, atol=1e-8)
    assert [ax.get_xscale() for ax in fig.axes[:2]] == ["linear", "log"]
    assert lines["weight-linear-0"].get_color() == PALETTE[0]


def test_predictions_plot_starts_at_the_posts_numbers_and_ends_at_the_final_prediction(seed_run):
    fig = plot(seed_run, "predictions")
    lines = lines_by_gid(fig)
    first = [lines[f"prediction-linear-{s}-0"].get_ydata()[1] for s in range(4)]
    np.testing.assert_allclose(first, [0.40018475, 0.32312967, 0.56698066, 0.48370881], atol=1e-8)
    last = [lines[f"prediction-linear-{s}-0"].get_ydata()[-1] for s in range(4)]
    np.testing.assert_array_equal(last, seed_run.final_prediction[:, 0])
    # converged: each final prediction is within 0.01 of its target
    assert np.all(np.abs(np.array(last) - seed_run.data.y[:, 0]) < 0.01)


def test_landscape_plot_uses_the_two_weights_that_moved_most_and_draws_the_path(seed_run):
    land = loss_landscape(seed_run, resolution=21)
    assert land.names == ("W0[0,0]", "W0[2,0]")  # 0.67 -> 12.0 and -0.40 -> -5.8 moved most
    path = land.path
    np.testing.assert_array_equal(path[-1], seed_run.final.weights[0][[0, 2], 0])
    # at the final weights the surface is the final loss
    r = np.argmin(np.abs(land.v - path[-1, 1]))
    c = np.argmin(np.abs(land.u - path[-1, 0]))
    assert land.u[0] < path[:, 0].min() and land.u[-1] > path[:, 0].max()
    assert land.loss.shape == (21, 21) and np.all(np.isfinite(land.loss))
    fig = plot(seed_run, "landscape", landscape=land)
    np.testing.assert_array_equal(lines_by_gid(fig)["path"].get_xydata(), path)
    assert "W0[0,0]" in fig.axes[0].get_xlabel() and "input x1" in fig.axes[0].get_xlabel()
    assert land.loss[r, c] > 0


def test_landscape_surface_point_equals_a_forward_pass(seed_run):
    from glassnet.network import forward

    land = loss_landscape(seed_run, ("W0[1,0]", 2), resolution=5)
    theta = seed_run.final.flat()
    theta[1], theta[2] = land.u[3], land.v[1]
    prediction = forward(seed_run.network, seed_run.final.with_flat(theta), seed_run.data.X)[1][-1]
    assert land.loss[1, 3] == seed_run.network.loss.fn(seed_run.data.y, prediction)


def test_landscape_refuses_bad_pairs(seed_run):
    with pytest.raises(ConfigError, match="Did you mean 'W0\\[0,0\\]'"):
        loss_landscape(seed_run, ("W0[0.0]", "W0[1,0]"), resolution=3)
    with pytest.raises(ConfigError, match="two different"):
        loss_landscape(seed_run, (0, 0), resolution=3)
    with pytest.raises(ConfigError, match="from 0 to 2"):
        loss_landscape(seed_run, (0, 7), resolution=3)


def test_parameter_names_and_descriptions_for_a_hidden_layer(xor_run):
    names = parameter_names(xor_run.network)
    assert names[:2] == ("W0[0,0]", "W0[0,1]") and len(names) == xor_run.network.n_params
    assert (
        describe_parameter("W1[3,0]", xor_run.network)
        == "weight from hidden unit 4 of layer 1 to the output"
    )
    assert describe_parameter("W0[0,2]", xor_run.network, ("a", "b", "c")) == (
        "weight from input a to hidden unit 3 of layer 1"
    )
    paths = weight_paths(xor_run)
    assert len(most_moved(paths)) == 2
    np.testing.assert_array_equal(
        xor_run.final.with_flat(xor_run.final.flat()).weights[1], xor_run.final.weights[1]
    )
    preds = prediction_paths(xor_run, paths)
    np.testing.assert_array_equal(preds.predictions[-1], xor_run.final_prediction)


def test_write_plots_saves_png_of_every_kind_and_svg_on_request(seed_run, tmp_path):
    paths = write_plots(seed_run, tmp_path / "out")
    # the post's run is not in a plane: its four plots, no boundary
    assert kinds_of(seed_run) == ["error", "weights", "landscape", "predictions"]
    assert [p.name for p in paths] == [f"{k}.png" for k in kinds_of(seed_run)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    paths = write_plots(seed_run, tmp_path / "both", ("png", "svg"))
    assert [p.name for p in paths] == [
        f"{k}.{fmt}" for k in kinds_of(seed_run) for fmt in ("png", "svg")
    ]
    for p in paths:
        data = p.read_bytes()
        assert len(data) > 10_000
        assert data.startswith(b"\x89PNG") if p.suffix == ".png" else b"<svg" in data[:2000]
    # the long curves are thinned to what a panel shows: the SVG stays small
    assert (tmp_path / "both" / "error.svg").stat().st_size < 1_000_000


def test_unknown_kind_is_a_one_line_error(seed_run):
    with pytest.raises(ConfigError, match="Did you mean 'weights'"):
        plot(seed_run, "weight")


def test_plots_work_without_a_display_and_import_glassnet_stays_light():
    code = (
        "import os, sys; os.environ.pop('DISPLAY', None)\n"
        "import glassnet\n"
        "assert 'matplotlib' not in sys.modules\n"
        "from glassnet.plots import plot\n"
        "fig = plot(glassnet.Experiment(iterations=300).run(engine='numpy'), 'error')\n"
        "import matplotlib; print(matplotlib.get_backend().lower())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "agg"
