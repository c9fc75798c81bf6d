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
from glassnet.network import Network, finite_difference_gradient, init_params, loss_gradient

SIZES = [(3, 1), (4, 5, 2), (3, 4, 3, 1)]


def random_problem(sizes, act, loss_name, bias, seed):
    rng = np.random.default_rng(seed)
    n_layers = len(sizes) - 1
    acts = tuple(ACTIVATIONS[act] for _ in range(n_layers))
    if loss_name == "binary_cross_entropy":
        acts = acts[:-1] + (ACTIVATIONS["sigmoid"],)
    net = Network(tuple(sizes), acts, (bias,) * n_layers, LOSSES[loss_name])
    params = init_params(net, seed)
    if bias:
        params = params.with_flat(params.flat() + rng.normal(scale=0.1, size=params.flat().size))
    X = rng.normal(size=(6, sizes[0]))
    y = rng.uniform(0.05, 0.95, size=(6, sizes[-1]))
    # Keep relu units away from their kink, where the derivative is undefined.
    return net, params, X, y


@pytest.mark.parametrize(
    "sizes,act,loss_name,bias",
    [(s, a, l, b) for s, a, l, b in itertools.product(SIZES, ACTIVATIONS, LOSSES, (False, True))],
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
    for dw, g in zip(dws, grad.weights):
        np.testing.assert_allclose(dw, -0.5 * g, rtol=1e-15, atol=0)
    for db, g in zip(dbs, grad.biases):
        np.testing.assert_allclose(db, -0.5 * g, rtol=1e-15, atol=0)
