"""Valid runs with extreme numbers draw without an error: 1e308, inf and nan, all-equal values.

The runs are a real short run whose recorded arrays are replaced by generated
ones (renderers only read them), plus real runs trained from weights of
+-1e308, which train fine.
"""

from __future__ import annotations

import dataclasses
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet
from glassnet.plots import kinds_of, plot
from glassnet.plots.sweep import bin_edges, plot_weight_histograms, plot_weight_scatter

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


# ---- sweeps ---------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 50), elements=EXTREME), st.integers(1, 60))
def test_histogram_edges_always_increase(values, bins):
    edges = bin_edges(values, bins)
    assert len(edges) == bins + 1 and np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0)


@pytest.fixture(scope="module")
def small_sweep():
    from glassnet.sweep import sweep

    return sweep(glassnet.Experiment(iterations=50), list(range(12)), [0.5, 1.0])


@pytest.mark.parametrize(
    "fill",
    [
        lambda p: p.__setitem__((slice(0, 3), 0), 1e308),
        lambda p: p.__setitem__((slice(0, 3), 1), -np.inf),
        lambda p: p.__setitem__((slice(None), 2), np.nan),
        lambda p: p.__setitem__((slice(None), slice(None)), 7.0),
    ],
    ids=["1e308", "-inf", "nan column", "all equal"],
)
def test_sweep_plots_survive_extreme_final_weights(small_sweep, fill):
    params = small_sweep.final_params.copy()
    fill(params)
    extreme = dataclasses.replace(small_sweep, final_params=params)
    draw(plot_weight_histograms(extreme))
    draw(plot_weight_scatter(extreme))
