"""glassnet.plots.sweep: plain, readable tick labels; a density view of many networks; a chosen
pair; and extreme final weights (1e308, -inf, nan, all equal) still draw.

The problem cases are 30,000 networks whose final weights differ only in the
fifth decimal (the post's experiment: ``W0[0,0]`` about 12.00868 +- 3e-5),
under one learning rate and under three.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib.backends.backend_agg import FigureCanvasAgg

import glassnet
from glassnet.errors import ConfigError
from glassnet.plots.sweep import (
    bin_edges,
    plot_weight_histograms,
    plot_weight_scatter,
    scatter_file_name,
    tick_label_overlaps,
    widest_pair,
    write_sweep_plots,
)
from glassnet.sweep import sweep

#: Centre and spread of each final parameter per learning rate, like the post's experiment's.
CENTRES = {
    0.5: (8.9589, -0.2114, -4.2703),
    1.0: (9.6729, -0.2085, -4.6292),
    2.0: (10.3805, -0.2068, -4.9844),
}
SPREADS = (3e-5, 4e-5, 2.8e-5)


@pytest.fixture(scope="module")
def template():
    return sweep(glassnet.Experiment(iterations=20), [0, 1], [0.5, 1.0])


def many(template, rates=(1.0,), n=30_000, seed=0):
    """A sweep of ``n`` networks spread over ``rates`` with the post's experiment's tight spreads."""
    rng = np.random.default_rng(seed)
    per = n // len(rates)
    learning_rates = np.repeat(np.array(rates, dtype=float), per)
    centres = np.array([CENTRES[r] for r in learning_rates])
    params = centres + rng.standard_normal((len(learning_rates), 3)) * np.array(SPREADS)
    count = len(learning_rates)
    return dataclasses.replace(
        template,
        seeds=np.arange(count, dtype=np.int64) // len(rates),
        learning_rates=learning_rates,
        final_params=params,
        final_error_sum=np.full(count, 0.01),
        final_loss=np.full(count, 1e-5),
        iterations_to_target=np.full(count, 100, dtype=np.int64),
        stopped_at=np.full(count, -1, dtype=np.int64),
    )


def renderer_of(fig):
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def assert_readable_ticks(fig):
    renderer = renderer_of(fig)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
            assert not tick_label_overlaps(axis, renderer, gap=0.0), (ax.get_title(), labels)
            assert axis.get_major_formatter().get_offset() == "", labels  # no "+1.2008e1"
            assert all("e" not in label.lower() for label in labels), labels


@pytest.mark.parametrize("rates", [(1.0,), (0.5, 1.0, 2.0)])
def test_histograms_have_plain_tick_labels_that_do_not_overlap(template, rates):
    fig = plot_weight_histograms(many(template, rates))
    assert_readable_ticks(fig)
    labels = [t.get_text() for t in fig.axes[0].xaxis.get_ticklabels() if t.get_text()]
    assert any(label.startswith(("8.95", "12.00", "9.67")) for label in labels), labels


@pytest.mark.parametrize("rates", [(1.0,), (0.5, 1.0, 2.0)])
def test_scatter_of_30000_networks_is_a_density_per_learning_rate(template, rates):
    data = many(template, rates)
    fig = plot_weight_scatter(data)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    assert len(panels) == len(rates)  # each rate's networks in their own panel, at their own scale
    for ax, rate in zip(panels, rates):
        hexagons = [c for c in ax.collections if c.get_array() is not None]
        assert len(hexagons) == 1  # a hexbin: counts per cell, not 10,000 dots on a few pixels
        assert hexagons[0].get_array().sum() == len(data.seeds) // len(rates)
        assert f"learning rate {rate:g}" in ax.get_title()
        first, second = widest_pair(data)
        names = data.parameter_names
        assert names[first] in ax.get_xlabel() and names[second] in ax.get_ylabel()
        # the cloud fills the panel: the axis spans about the spread, not the gaps between rates
        low, high = ax.get_xlim()
        assert high - low < 20 * SPREADS[first]
    assert_readable_ticks(fig)


def test_the_default_pair_is_the_two_that_vary_most_and_a_pair_can_be_asked_for(template):
    data = many(template)
    assert widest_pair(data) == (0, 1)  # spreads 3e-5 and 4e-5 beat 2.8e-5
    assert scatter_file_name(data) == "weight1_vs_weight2.png"
    fig = plot_weight_scatter(data, pair=("W0[0,0]", "W0[2,0]"))
    assert "W0[0,0]" in fig.axes[0].get_xlabel() and "W0[2,0]" in fig.axes[0].get_ylabel()
    assert scatter_file_name(data, ("W0[0,0]", 2)) == "weight1_vs_weight3.png"
    with pytest.raises(ConfigError, match="Did you mean 'W0\\[2,0\\]'"):
        plot_weight_scatter(data, pair=("W0[0,0]", "W0[2.0]"))
    with pytest.raises(ConfigError, match="from 0 to 2"):
        plot_weight_scatter(data, pair=(0, 5))


def test_a_few_networks_are_points(template):
    fig = plot_weight_scatter(many(template, n=300))
    ax = fig.axes[0]
    assert len(ax.collections) == 1 and len(ax.collections[0].get_offsets()) == 300


def test_many_learning_rates_share_one_panel_in_colours(template):
    rates = [0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0]
    base = many(template, n=700)
    data = dataclasses.replace(base, learning_rates=np.repeat(rates, 100))
    fig = plot_weight_scatter(data)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    assert len(fig.axes[0].collections) == len(rates)


def test_write_sweep_plots_names_the_scatter_after_its_pair(template, tmp_path):
    written = write_sweep_plots(many(template, n=600), tmp_path)
    assert [p.name for p in written] == ["weights_histograms.png", "weight1_vs_weight2.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in written)


# --------------------------------------------------------------------------- extreme numbers


#: Numbers a run can record: ordinary ones, the float64 extremes, inf and nan.
EXTREME = st.one_of(
    st.floats(-10, 10),
    st.sampled_from([1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324]),
    st.sampled_from([np.inf, -np.inf, np.nan]),
    st.floats(allow_nan=True, allow_infinity=True),
)


def draw(fig) -> None:
    """Render ``fig`` as a small PNG, as saving it would (any error surfaces here)."""
    fig.savefig(io.BytesIO(), format="png", dpi=30)


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
