"""glassnet.landscape: the loss surface is forward passes of the final weights with two of them moved."""

from __future__ import annotations

import pytest

from glassnet.errors import ConfigError
from glassnet.landscape import loss_landscape


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
