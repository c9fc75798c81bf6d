"""Independent verification: glassnet's gradients and updates against PyTorch autograd.

Nobody here wrote torch's differentiation, so agreement with it checks the
hand-written backward pass (``network.backward``, the loss deltas and the
activation derivatives) from outside. For random networks of several depths,
every activation, both losses, with and without biases, in float64:

* the gradient ``dL/dparam`` of every weight and bias, and
* the loss of each of 10 iterations and the weights after 10 updates (by the
  reference loop and by every other registered engine),

must agree with torch to a relative 1e-10. "Relative" is measured against the
largest magnitude of the compared array, so an entry that is ~0 in both (a
dead ReLU) compares against the array's scale, not against itself. On failure
the message prints mine versus theirs.

Skipped where torch is not installed (``pip install glassnet[torch]``);
``.ci/run`` installs it, and under ``CI=true`` a missing torch is an error.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

if os.environ.get("CI") == "true":
    import torch  # .ci/run installs it: in CI a missing torch fails instead of skipping
else:
    torch = pytest.importorskip("torch")
F = torch.nn.functional

from glassnet.activations import ACTIVATIONS  # noqa: E402
from glassnet.losses import LOSSES  # noqa: E402
from glassnet.network import (  # noqa: E402
    Network,
    Params,
    allowed_hidden,
    allowed_output,
    loss_gradient,
)
from glassnet.training import CheckpointSchedule  # noqa: E402

RTOL = 1e-10
ITERATIONS = 10

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "linear": lambda z: z,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    # torch's own softplus (threshold: above it, torch returns z itself, which
    # differs from ln(1 + e^z) by e^-z < 1e-17 relative)
    "softplus": lambda z: F.softplus(z, beta=1.0, threshold=40.0),
    "softmax": lambda z: torch.softmax(z, dim=1),
}


def torch_loss(name: str, y, a):
    """The losses as torch computes them (its own implementations, summed)."""
    if name == "half_squared_error":
        return 0.5 * F.mse_loss(a, y, reduction="sum")
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy(a, y, reduction="sum")
    if name == "categorical_cross_entropy":
        return -(y * torch.log(a)).sum()  # of torch's softmax, through autograd
    raise AssertionError(name)


def test_every_activation_and_loss_is_covered():
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)
    for name in LOSSES:
        torch_loss(
            name, torch.zeros(1, dtype=torch.float64), torch.full((1,), 0.5, dtype=torch.float64)
        )


def random_case(depth: int, activation: str, loss: str, bias: bool, seed: int):
    """A random network, params and data. BCE needs a sigmoid output; other
    layers use ``activation``."""
    rng = np.random.default_rng(seed)
    sizes = (
        int(rng.integers(2, 5)),
        *(int(rng.integers(2, 6)) for _ in range(depth - 1)),
        int(rng.integers(1, 3)),
    )
    names = [activation] * depth
    required = LOSSES[loss].requires
    if required is not None:
        names[-1] = required.name
    if ACTIVATIONS[names[-1]].rowwise:  # a softmax needs two classes or more
        sizes = (*sizes[:-1], max(sizes[-1], 3))
    network = Network(sizes, tuple(ACTIVATIONS[n] for n in names), (bias,) * depth, LOSSES[loss])
    weights = tuple(rng.uniform(-1, 1, shape) for shape in network.shapes)
    biases = tuple(rng.uniform(-0.5, 0.5, n_out) if bias else None for _, n_out in network.shapes)
    n_samples = int(rng.integers(3, 8))
    X = rng.uniform(-1, 1, (n_samples, sizes[0]))
    if ACTIVATIONS[names[-1]].rowwise:  # one class per example, and one soft target
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n_samples)]
        y[0] = 1.0 / sizes[-1]
    elif LOSSES[loss].bounded_targets:
        y = rng.integers(0, 2, (n_samples, sizes[-1])).astype(np.float64)
        y[0, 0] = 0.3  # a soft target too
    else:
        y = rng.uniform(-1, 1, (n_samples, sizes[-1]))
        if activation in ("sigmoid", "relu"):
            y = np.abs(y)
    return network, Params(weights, biases), X, y


def torch_forward(network: Network, ws, bs, X):
    a = torch.tensor(X, dtype=torch.float64)
    for act, w, b in zip(network.activations, ws, bs):
        z = a @ w
        if b is not None:
            z = z + b
        a = TORCH_ACTIVATIONS[act.name](z)
    return a


def torch_tensors(params: Params):
    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in params.weights]
    bs = [
        None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
        for b in params.biases
    ]
    return ws, bs


def assert_close(what: str, mine, theirs) -> None:
    mine = np.asarray(mine, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert mine.shape == theirs.shape, f"{what}: shape mine {mine.shape} vs torch {theirs.shape}"
    scale = max(float(np.max(np.abs(theirs))) if theirs.size else 0.0, 1e-300)
    worst = float(np.max(np.abs(mine - theirs))) / scale if mine.size else 0.0
    assert worst <= RTOL, (
        f"{what}: relative difference {worst:.3e} > {RTOL:g}\n"
        f"mine:\n{np.array2string(mine, precision=17)}\n"
        f"torch:\n{np.array2string(theirs, precision=17)}"
    )


CASES = [
    (depth, activation, loss, bias)
    for depth in (1, 2, 3)
    for activation in ACTIVATIONS
    for loss in LOSSES
    for bias in (False, True)
    if (depth == 1 or allowed_hidden(ACTIVATIONS[activation]))
    and allowed_output(LOSSES[loss].requires or ACTIVATIONS[activation], LOSSES[loss])
]


def case_id(case) -> str:
    depth, activation, loss, bias = case
    return f"{depth}layer-{activation}-{loss}-{'bias' if bias else 'nobias'}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradients_match_torch_autograd(case):
    depth, activation, loss, bias = case
    for seed in range(3):
        network, params, X, y = random_case(depth, activation, loss, bias, seed + 100 * depth)
        mine = loss_gradient(network, params, X, y)
        ws, bs = torch_tensors(params)
        a = torch_forward(network, ws, bs, X)
        torch_loss(loss, torch.tensor(y, dtype=torch.float64), a).backward()
        for i, w in enumerate(ws):
            assert_close(
                f"dL/dW{i} (seed {seed}, sizes {network.sizes})", mine.weights[i], w.grad.numpy()
            )
            if bs[i] is not None:
                assert_close(f"dL/db{i} (seed {seed})", mine.biases[i], bs[i].grad.numpy())
            else:
                assert mine.biases[i] is None


def engines() -> list[str]:
    return ["compiled", "numpy"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_ten_updates_match_torch(case):
    depth, activation, loss, bias = case
    network, params, X, y = random_case(depth, activation, loss, bias, 7 + depth)
    # Unbounded activations with a large step diverge within 10 updates; keep it moderate.
    learning_rate = 0.05 if activation in ("linear", "relu") else 0.3
    # torch: plain gradient descent, W <- W - lr * dL/dW, 10 times.
    ws, bs = torch_tensors(params)
    y_t = torch.tensor(y, dtype=torch.float64)
    their_losses = []
    for _ in range(ITERATIONS):
        for t in [*ws, *(b for b in bs if b is not None)]:
            t.grad = None
        value = torch_loss(loss, y_t, torch_forward(network, ws, bs, X))
        their_losses.append(float(value.detach()))
        value.backward()
        with torch.no_grad():
            for t in [*ws, *(b for b in bs if b is not None)]:
                t -= learning_rate * t.grad
    from glassnet.engines import trainer

    schedule = CheckpointSchedule.for_run(ITERATIONS, 4)
    for engine in engines():
        train = trainer(engine)
        trained = train(
            network,
            params.copy(),
            X,
            y,
            iterations=ITERATIONS,
            learning_rate=learning_rate,
            train_biases=True,
            schedule=schedule,
        )
        assert trained.stop is None
        assert_close(f"[{engine}] loss of iterations #0..#9", trained.loss, their_losses)
        for i, w in enumerate(ws):
            assert_close(
                f"[{engine}] W{i} after {ITERATIONS} updates",
                trained.final.weights[i],
                w.detach().numpy(),
            )
            if bs[i] is not None:
                assert_close(
                    f"[{engine}] b{i} after {ITERATIONS} updates",
                    trained.final.biases[i],
                    bs[i].detach().numpy(),
                )


def test_the_comparison_can_fail():
    """A wrong gradient (the sigmoid's derivative off by 1e-8) is caught and printed."""
    network, params, X, y = random_case(2, "sigmoid", "half_squared_error", True, 0)
    mine = loss_gradient(network, params, X, y)
    ws, bs = torch_tensors(params)
    torch_loss(
        "half_squared_error",
        torch.tensor(y, dtype=torch.float64),
        torch_forward(network, ws, bs, X),
    ).backward()
    with pytest.raises(AssertionError, match="mine:") as info:
        assert_close("dL/dW0", mine.weights[0] * (1 + 1e-8), ws[0].grad.numpy())
    assert "torch:" in str(info.value)
