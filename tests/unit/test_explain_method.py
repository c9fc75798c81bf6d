"""glassnet.explain.method: each optimizer's printed arithmetic computes what the core recorded.

Every rule of every optimizer's definition (``Optimizer.rules``), filled in with the
recorded numbers at full precision and evaluated by the explainer's checker,
gives the recorded value of its quantity: the new state of the optimizer and
finally the update added to the weight. So the printed lines can only be the
arithmetic the core did.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
from glassnet.explain.formula import filled
from glassnet.explain.method import describe_method, printed, quantities
from glassnet.explain.numbers import evaluate
from glassnet.optimizers import OPTIMIZERS
from glassnet.training import Method


def test_every_optimizer_has_a_printed_form_ending_with_its_update():
    assert all(opt.rules and opt.words for opt in OPTIMIZERS.values())
    for opt in OPTIMIZERS.values():
        rules = printed(opt).rules
        assert rules[-1].result == "update"
        # each slot of its state is computed by one rule, from its value before
        for slot in opt.slots:
            (rule,) = [r for r in rules if r.result == slot]
            assert "{" + slot + "_before}" in rule.template


def _run(optimizer: str, **train: object) -> glassnet.Run:
    return glassnet.Experiment(
        {
            "data": {"dataset": "xor"},
            "network": {"layers": [3, 2, 1], "bias": True},
            "init": {"seed": 4},
            "train": {"iterations": 4, "learning_rate": 0.05, "optimizer": optimizer, **train},
        }
    ).run(engine="numpy")


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("train", [{}, {"l2": 0.01, "batch_size": 3, "reduction": "mean"}])
def test_the_printed_rules_compute_the_recorded_state_and_update(name, train):
    run = _run(name, **train)
    for k in (0, 3):
        step = run.step(k)
        opt, hyper = step.method.optimizer, step.method.hyper
        constants = {"lr": repr(step.learning_rate), "t": str(k + 1)}
        constants.update({s: repr(getattr(hyper, s)) for s in opt.settings})
        for ly in step.layers:
            params = [(i, j) for i in range(ly.W.shape[0]) for j in range(ly.W.shape[1])]
            params += [(None, j) for j in range(ly.W.shape[1])]
            for i, j in params:
                q = quantities(step, ly, i, j)
                texts = {**constants, **{key: repr(value) for key, value in q.items()}}
                for rule in printed(opt).rules:
                    value = evaluate(filled(rule.template, texts))
                    # abs_tol: the state starts at 0; float64 noise of O(1) terms is ~1e-16
                    assert math.isclose(value, q[rule.result], rel_tol=1e-12, abs_tol=1e-15), (
                        name,
                        rule.title,
                        value,
                        q[rule.result],
                    )
                recorded = ly.db[j] if i is None else ly.dW[i, j]
                assert q["update"] == recorded
                if i is not None and ly.l2_term is not None:
                    assert q["g"] == ly.gradient[i, j] + ly.l2_term[i, j]


def test_the_method_is_described_only_when_it_is_not_the_posts():
    assert describe_method(Method()) == ""
    run = _run("adam", l2=0.01, batch_size=2, reduction="mean")
    assert describe_method(run.method) == (
        "Optimizer: adam (b1 .9, b2 .999, eps 1e-8); mini-batches of 2 examples (shuffle seed 0); "
        "loss averaged over the batch (reduction = mean); l2 .01."
    )
    assert describe_method(run.method, short=True) == (
        "optimizer adam (b1 .9, b2 .999, eps 1e-8), batch size 2 (shuffle seed 0), "
        "reduction mean, l2 .01"
    )
    assert describe_method(_run("gd", reduction="mean").method, short=True) == (
        "optimizer gd, full batch, reduction mean"
    )


def test_adams_bias_corrections_are_the_cores():
    run = _run("adam")
    step = run.step(2)
    ly = step.layers[0]
    q = quantities(step, ly, 0, 0)
    t = 3
    assert q["m_hat"] == ly.state_after["m"][0, 0] / (1.0 - 0.9**t)
    assert q["v_hat"] == ly.state_after["v"][0, 0] / (1.0 - 0.999**t)
    assert np.isclose(-0.05 * q["m_hat"] / (np.sqrt(q["v_hat"]) + 1e-8), ly.dW[0, 0], rtol=1e-15)
