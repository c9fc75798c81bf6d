"""glassnet.plots: every kind is saved as PNG and SVG, an unknown kind is one line, no display is
needed; and valid runs with extreme numbers draw without an error: 1e308, inf and nan, all-equal
values.

The extreme runs are a real short run whose recorded arrays are replaced by
generated ones (renderers only read them), plus real runs trained from
weights of +-1e308, which train fine. Each kind's drawing of the post's run is
checked in its own file (test_plots_error.py, test_plots_weights.py, ...).
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet
from glassnet.errors import ConfigError
from glassnet.plots import kinds_of, plot, write_plots


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


# --------------------------------------------------------------------------- extreme numbers


ITERATIONS = 40


#: Numbers a run can record: ordinary ones, the float64 extremes, inf and nan.
EXTREME = st.one_of(
    st.floats(-10, 10),
    st.sampled_from([1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324]),
    st.sampled_from([np.inf, -np.inf, np.nan]),
    st.floats(allow_nan=True, allow_infinity=True),
)


@pytest.fixture(scope="module")
def short_run() -> glassnet.Run:
    return glassnet.Experiment(iterations=ITERATIONS).run(engine="numpy")


def draw(fig) -> None:
    """Render ``fig`` as a small PNG, as saving it would (any error surfaces here)."""
    fig.savefig(io.BytesIO(), format="png", dpi=30)


def with_history(run: glassnet.Run, error: np.ndarray, loss: np.ndarray) -> glassnet.Run:
    return dataclasses.replace(
        run, history=dataclasses.replace(run.history, loss=loss, error_sum=error)
    )


def with_weights(run: glassnet.Run, values: np.ndarray) -> glassnet.Run:
    """``run`` whose every checkpoint and final weights are rows of ``values`` (n_checkpoints + 1, 3)."""
    checkpoints = dataclasses.replace(
        run.checkpoints, weights=(values[:-1].reshape(-1, 3, 1).copy(),)
    )
    final = run.final.with_flat(values[-1])
    return dataclasses.replace(run, checkpoints=checkpoints, final=final)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_error_plot_survives_any_history(short_run, data):
    n = len(short_run.history)
    error = data.draw(hnp.arrays(np.float64, n, elements=EXTREME), label="error")
    loss = data.draw(hnp.arrays(np.float64, n, elements=EXTREME), label="loss")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's own overflow notes
        draw(plot(with_history(short_run, error, loss), "error"))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_weights_landscape_and_predictions_survive_any_weights(short_run, data):
    rows = len(short_run.checkpoints.iterations) + 1
    values = data.draw(hnp.arrays(np.float64, (rows, 3), elements=EXTREME), label="weights")
    run = with_weights(short_run, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for kind in ("weights", "predictions"):
            draw(plot(run, kind))
        draw(plot(run, "landscape", resolution=5))


@pytest.mark.parametrize("value", [1e308, -1e308, 0.0, 5.0])
def test_all_equal_values_draw(short_run, value):
    n = len(short_run.history)
    rows = len(short_run.checkpoints.iterations) + 1
    run = with_weights(
        with_history(short_run, np.full(n, value), np.full(n, value)), np.full((rows, 3), value)
    )
    for kind in kinds_of(run):
        options = {"resolution": 5} if kind == "landscape" else {}
        draw(plot(run, kind, **options))


@pytest.mark.parametrize("weight", [1e308, -1e308])
def test_a_run_trained_from_weights_of_1e308_draws_every_plot(weight):
    run = glassnet.Experiment(weights=[[[weight], [-weight], [0.3]]], iterations=300).run(
        engine="numpy"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings from matplotlib either
        for kind in kinds_of(run):
            draw(plot(run, kind))


def test_history_entries_inf_are_gaps_and_the_axis_keeps_its_finite_range(short_run):
    error = short_run.history.error_sum.copy()
    error[10:15] = np.inf
    fig = plot(with_history(short_run, error, short_run.history.loss), "error")
    draw(fig)
    low, high = fig.axes[0].get_ylim()
    assert np.isfinite(low) and np.isfinite(high) and high < 10


def test_huge_history_gets_limits_cut_to_the_axis_range_with_a_note(short_run):
    error = np.linspace(0, 1.7e308, len(short_run.history))
    fig = plot(with_history(short_run, error, error / 2), "error")
    draw(fig)
    ax = fig.axes[0]
    assert ax.get_ylim()[1] <= 1.1e307
    assert any("off this axis" in t.get_text() for t in ax.texts)
