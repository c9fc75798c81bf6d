"""glassnet.optimizers against torch.optim, in float64: every optimizer, with and without l2,
full batches and batches of 2 with the documented shuffle, on the numpy and compiled engines.

Tolerance: after 100 updates, every weight, bias and state array agrees with
torch's to 1e-10 of its array's largest entry. The runs are kept out of
chaotic regimes (small learning rates, 100 steps): where a 1-ulp change of one
initial weight changes the result by more than that, no two implementations
could agree (RMSprop near an l2 equilibrium is such a case).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from glassnet import engines
from glassnet.activations import ACTIVATIONS
from glassnet.losses import LOSSES
from glassnet.network import Network, Params
from glassnet.optimizers import OPTIMIZERS, Hyper
from glassnet.training import Batches, CheckpointSchedule, Method

torch = pytest.importorskip("torch")

STEPS = 100
RTOL = 1e-10
RATES = {"gd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adam": 0.01, "rmsprop": 0.005}
#: glassnet's slot name -> torch's state key, per optimizer
TORCH_STATE = {
    "gd": {},
    "momentum": {"v": "momentum_buffer"},
    "nesterov": {"v": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "rmsprop": {"s": "square_avg"},
}


def torch_optimizer(name: str, groups: list[dict], lr: float, hyper: Hyper):
    if name == "gd":
        return torch.optim.SGD(groups, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=lr, momentum=hyper.momentum, nesterov=name == "nesterov")
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=(hyper.beta1, hyper.beta2), eps=hyper.epsilon)
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=hyper.alpha, eps=hyper.epsilon)
    raise AssertionError(name)


def documented_batches(n: int, batch_size: int | None, seed: int, steps: int):
    """The README's rule, written out: a permutation per epoch, consecutive slices of it."""
    if batch_size is None:
        return [np.arange(n)] * steps
    rng = np.random.RandomState(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        order = rng.permutation(n)
        out += [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return out[:steps]


def random_case(depth: int, bias: bool, seed: int, softmax: bool = False):
    rng = np.random.default_rng(seed)
    sizes = (3, *(int(rng.integers(2, 5)) for _ in range(depth - 1)), 3 if softmax else 2)
    acts = (
        *tuple(ACTIVATIONS["tanh"] for _ in range(depth - 1)),
        ACTIVATIONS["softmax"] if softmax else ACTIVATIONS["sigmoid"],
    )
    loss = LOSSES["categorical_cross_entropy" if softmax else "half_squared_error"]
    network = Network(sizes, acts, (bias,) * depth, loss)
    weights = tuple(rng.uniform(-1, 1, shape) for shape in network.shapes)
    biases = tuple(rng.uniform(-0.5, 0.5, o) if bias else None for _, o in network.shapes)
    X = rng.uniform(-1, 1, (7, 3))
    y = np.eye(3)[rng.integers(0, 3, 7)] if softmax else rng.uniform(0.1, 0.9, (7, 2))
    return network, Params(weights, biases), X, y


def torch_run(network, params, X, y, name, lr, hyper, l2, batch_size, mean, seed):
    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in params.weights]
    bs = [
        None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
        for b in params.biases
    ]
    groups = [{"params": ws, "weight_decay": l2}]
    if any(b is not None for b in bs):
        groups.append({"params": [b for b in bs if b is not None], "weight_decay": 0.0})
    opt = torch_optimizer(name, groups, lr, hyper)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    for rows in documented_batches(len(X), batch_size, seed, STEPS):
        opt.zero_grad()
        a = X_t[rows]
        for act, w, b in zip(network.activations, ws, bs):
            z = a @ w + (b if b is not None else 0.0)
            a = (
                torch.softmax(z, dim=1)
                if act.rowwise
                else (torch.tanh(z) if act.name == "tanh" else torch.sigmoid(z))
            )
        target = y_t[rows]
        if network.loss.name == "half_squared_error":
            loss = 0.5 * ((target - a) ** 2).sum()
        else:
            loss = -(target * torch.log(a)).sum()
        if mean:
            loss = loss / len(rows)
        loss.backward()
        opt.step()
    return ws, bs, opt


def compare(what: str, mine, theirs) -> None:
    mine, theirs = np.asarray(mine, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = max(float(np.max(np.abs(theirs))), 1e-300)
    worst = float(np.max(np.abs(mine - theirs))) / scale
    assert worst <= RTOL, f"{what}: relative difference {worst:.3e}\nmine {mine}\ntorch {theirs}"


CASES = list(
    itertools.product(sorted(OPTIMIZERS), (0.0, 0.01), (None, 2), (1, 2, 3), (False, True))
)


@pytest.mark.parametrize(("name", "l2", "batch_size", "depth", "bias"), CASES)
def test_100_updates_equal_torch_optim(name, l2, batch_size, depth, bias):
    network, params, X, y = random_case(depth, bias, seed=depth * 10 + bias)
    hyper = Hyper()
    method = Method(OPTIMIZERS[name], hyper, batch_size, 7, False, l2)
    ws, bs, opt = torch_run(
        network, params, X, y, name, RATES[name], hyper, l2, batch_size, False, 7
    )
    for engine in ("numpy", "compiled"):
        trained = engines.trainer(engine)(
            network,
            params.copy(),
            X,
            y,
            iterations=STEPS,
            learning_rate=RATES[name],
            train_biases=True,
            schedule=CheckpointSchedule.for_run(STEPS, 10),
            method=method,
        )
        assert trained.stop is None
        for i, (w, b) in enumerate(zip(ws, bs)):
            compare(f"[{engine}] W{i}", trained.final.weights[i], w.detach().numpy())
            if b is not None:
                compare(f"[{engine}] b{i}", trained.final.biases[i], b.detach().numpy())
            assert set(trained.final_state) == set(TORCH_STATE[name])
            for slot, key in TORCH_STATE[name].items():
                compare(
                    f"[{engine}] {slot} of W{i}",
                    trained.final_state[slot].weights[i],
                    opt.state[w][key].numpy(),
                )
                if b is not None:
                    compare(
                        f"[{engine}] {slot} of b{i}",
                        trained.final_state[slot].biases[i],
                        opt.state[b][key].numpy(),
                    )


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("batch_size", [None, 2])
def test_the_mean_reduction_and_a_softmax_output_equal_torch(name, batch_size):
    network, params, X, y = random_case(2, True, seed=5, softmax=True)
    hyper = Hyper()
    method = Method(OPTIMIZERS[name], hyper, batch_size, 3, True, 0.0)
    ws, bs, _ = torch_run(network, params, X, y, name, RATES[name], hyper, 0.0, batch_size, True, 3)
    for engine in ("numpy", "compiled"):
        trained = engines.trainer(engine)(
            network,
            params.copy(),
            X,
            y,
            iterations=STEPS,
            learning_rate=RATES[name],
            train_biases=True,
            schedule=CheckpointSchedule.for_run(STEPS, 10),
            method=method,
        )
        for i, (w, b) in enumerate(zip(ws, bs)):
            compare(f"[{engine}] W{i}", trained.final.weights[i], w.detach().numpy())
            compare(f"[{engine}] b{i}", trained.final.biases[i], b.detach().numpy())


def test_the_batches_follow_the_documented_shuffle():
    batches = Batches(7, 3, 11)
    expected = documented_batches(7, 3, 11, 40)
    assert batches.per_epoch == 3
    for k in range(40):
        np.testing.assert_array_equal(batches.rows(k), expected[k])
        assert batches.epoch(k) == k // 3
    # out of order (a replay jumps back), and far ahead, the same rows
    np.testing.assert_array_equal(batches.rows(4), expected[4])
    far = Batches(7, 3, 11)
    np.testing.assert_array_equal(far.rows(39), expected[39])
    assert [len(batches.rows(k)) for k in range(3)] == [3, 3, 1]  # the last batch is shorter
    assert Batches(7, None).rows(5) is None and Batches(7, None).per_epoch == 1


def test_the_compiled_engine_replays_jumps_across_many_epochs():
    # more epochs than one kernel call takes, and a batch size that does not divide
    network, params, X, y = random_case(2, True, seed=9)
    method = Method(OPTIMIZERS["momentum"], Hyper(), 3, 2, False, 0.0)
    args = dict(
        iterations=30_000,
        learning_rate=0.01,
        train_biases=True,
        schedule=CheckpointSchedule.for_run(30_000, 50),
        method=method,
    )
    ref = engines.trainer("numpy")(network, params.copy(), X, y, **args)
    mine = engines.trainer("compiled")(network, params.copy(), X, y, **args)
    from glassnet.engines.tolerance import assert_close

    assert_close(mine.final.flat(), ref.final.flat(), "final params")
    assert_close(mine.batch_loss, ref.batch_loss, "batch losses")
    assert_close(mine.checkpoints.slots["v"].weights[0], ref.checkpoints.slots["v"].weights[0], "v")


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_a_run_continued_is_the_run_trained_at_once(engine):
    """Run.extend (and the engines' start/state) continue exactly: optimizer state, batch
    order and edits; the playground trains this way, a slice at a time."""
    import glassnet
    from glassnet.training import Edit

    settings = dict(
        dataset="xor",
        layers=[3, 4, 1],
        bias=True,
        optimizer="adam",
        learning_rate=0.05,
        batch_size=3,
        checkpoints=50,
    )
    edit = {"iteration": 700, "set": "learning_rate", "value": 0.01}
    first = glassnet.Experiment(**settings, iterations=400).run(engine=engine)
    continued = first.extend(600, edits=[Edit(700, "learning_rate", 0.01)])
    whole = glassnet.Experiment(**settings, iterations=1000, edits=[edit]).run(engine=engine)
    assert continued.iterations == 1000 and continued.edits == whole.edits
    np.testing.assert_array_equal(continued.final.flat(), whole.final.flat())
    np.testing.assert_array_equal(continued.history.loss, whole.history.loss)
    np.testing.assert_array_equal(continued.history.batch_loss, whole.history.batch_loss)
    for slot in ("m", "v"):
        np.testing.assert_array_equal(
            continued.final_state[slot].flat(), whole.final_state[slot].flat()
        )
    assert len(continued.checkpoints.iterations) <= 50
    assert continued.config.to_dict() == whole.config.to_dict()
    if engine == "numpy":  # replayed by the reference from other checkpoints: the same bits
        for k in (399, 650, 701):
            np.testing.assert_array_equal(
                continued.weights_at(k).flat(), whole.weights_at(k).flat()
            )
