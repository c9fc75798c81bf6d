"""Analytic gradients against central finite differences, for every activation and loss.

Tolerance: relative 1e-6 (relative to max(|fd|, 1e-3), so gradients near 0 are
compared absolutely),
on random networks of depth 1 to 3, with and without biases.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from glassnet.activations import ACTIVATIONS
from glassnet.losses import LOSSES
from glassnet.network import (
    Network,
    allowed_hidden,
    allowed_output,
    finite_difference_gradient,
    forward,
    init_params,
    loss_gradient,
)

SIZES = [(3, 1), (4, 5, 2), (3, 4, 3, 1)]


#: Finite differences step 2h = 2e-3 on each side; dot products of kinked
#: activations (relu) must stay this far from 0, where the slope jumps.
KINK_MARGIN = 0.05


def random_problem(sizes, act, loss_name, bias, seed):
    """A random network and data; for kinked activations, one whose dot products avoid the kink."""
    for attempt in range(100):
        rng = np.random.default_rng(seed + 1000 * attempt)
        n_layers = len(sizes) - 1
        acts = tuple(ACTIVATIONS[act] for _ in range(n_layers))
        loss = LOSSES[loss_name]
        if loss.requires is not None:
            acts = (*acts[:-1], loss.requires)
        if acts[-1].rowwise:  # a softmax needs two classes or more
            sizes = (*sizes[:-1], max(sizes[-1], 3))
        net = Network(tuple(sizes), acts, (bias,) * n_layers, loss)
        params = init_params(net, seed + attempt)
        if bias:
            noise = rng.normal(scale=0.1, size=params.flat().size)
            params = params.with_flat(params.flat() + noise)
        X = rng.normal(size=(6, sizes[0]))
        y = rng.uniform(0.05, 0.95, size=(6, sizes[-1]))
        if acts[-1].rowwise:  # one class per example
            y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=6)]
        zs, _ = forward(net, params, X)
        if all(np.abs(z).min() > KINK_MARGIN for z, a in zip(zs, acts) if a.kink):
            return net, params, X, y
    raise AssertionError("no random problem keeps away from the kink")


def _allowed(sizes, act, loss_name) -> bool:
    loss = LOSSES[loss_name]
    output = loss.requires or ACTIVATIONS[act]
    hidden_ok = len(sizes) == 2 or allowed_hidden(ACTIVATIONS[act])
    return hidden_ok and allowed_output(output, loss)


@pytest.mark.parametrize(
    "sizes,act,loss_name,bias",
    [
        (s, a, l, b)
        for s, a, l, b in itertools.product(SIZES, ACTIVATIONS, LOSSES, (False, True))
        if _allowed(s, a, l)
    ],
)
def test_gradient_matches_finite_differences(sizes, act, loss_name, bias):
    net, params, X, y = random_problem(sizes, act, loss_name, bias, seed=len(sizes) * 7 + bias)
    analytic = loss_gradient(net, params, X, y).flat()
    numeric = finite_difference_gradient(net, params, X, y).flat()
    scale = np.maximum(np.abs(numeric), 1e-3)
    rel = np.abs(analytic - numeric) / scale
    assert rel.max() < 1e-6, (
        f"max relative difference {rel.max():.2e}\nmine  {analytic}\nfd    {numeric}"
    )


def test_update_is_minus_learning_rate_times_gradient():
    from glassnet.network import backward, forward, updates

    net, params, X, y = random_problem((3, 4, 1), "tanh", "half_squared_error", True, 3)
    _, acts = forward(net, params, X)
    _, deltas = backward(net, params, acts, y)
    dws, dbs = updates(params, acts, deltas, 0.5, train_biases=True)
    grad = loss_gradient(net, params, X, y)
    # atol: a gradient near 0 carries float64 noise of its O(1) terms, not of itself
    for dw, g in zip(dws, grad.weights):
        np.testing.assert_allclose(dw, -0.5 * g, rtol=1e-15, atol=1e-15)
    for db, g in zip(dbs, grad.biases):
        np.testing.assert_allclose(db, -0.5 * g, rtol=1e-15, atol=1e-15)
