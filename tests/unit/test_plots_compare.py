"""glassnet.plots.compare: the error curves of two runs on one axis."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.plots.compare import plot_comparison


def short(**settings: object) -> glassnet.Run:
    return glassnet.Experiment(**{"iterations": 300, **settings}).run(engine="numpy")


@pytest.fixture(scope="module")
def base() -> glassnet.Run:
    return short()


def test_plot_overlays_both_curves(base: glassnet.Run) -> None:
    c = base.compare(short(learning_rate=0.5))
    fig = plot_comparison(c)
    ax = fig.axes[0]
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) == 300]
    assert len(curves) == 2
    np.testing.assert_array_equal(curves[1].get_ydata(), c.error_sum_b)
    assert ax.get_xscale() == "log"
