"""glassnet.compare: the first differing iteration, the settings and the weight differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.compare import Comparison, compare_runs
from glassnet.explain.compare import format_comparison


def short(**settings: object) -> glassnet.Run:
    return glassnet.Experiment(**{"iterations": 300, **settings}).run(engine="numpy")


@pytest.fixture(scope="module")
def base() -> glassnet.Run:
    return short()


def test_a_run_is_identical_to_itself_and_to_its_reloaded_json(
    base: glassnet.Run, tmp_path: Path
) -> None:
    same = base.compare(short())
    assert isinstance(same, Comparison)
    assert same.first_difference is None and same.identical and same.settings == ()
    path = tmp_path / "a.json"
    base.to_json(str(path))
    loaded = glassnet.load(path)
    assert compare_runs(base, loaded).identical
    assert all(ld.final_largest == 0.0 for ld in base.compare(loaded).layers)


def test_learning_rate_first_differs_at_iteration_1(base: glassnet.Run) -> None:
    other = short(learning_rate=0.5)
    c = base.compare(other)
    first = c.first_difference
    assert first is not None and first.iteration == 1 and first.reason == "the weights differ"
    assert first.error_sum_a == pytest.approx(1.67262494, abs=5e-9)  # the post's #1
    assert [(s.key, s.a, s.b) for s in c.settings] == [("train.learning_rate", 1.0, 0.5)]
    # independent check: #0 agrees exactly, #1 does not
    assert base.history.error_sum[0] == other.history.error_sum[0]
    assert base.history.error_sum[1] != other.history.error_sum[1]
    layer = c.layers[0]
    np.testing.assert_array_equal(layer.initial, 0.0)
    np.testing.assert_array_equal(
        layer.at_first, other.weights_at(1).weights[0] - base.weights_at(1).weights[0]
    )
    np.testing.assert_array_equal(layer.final, other.final.weights[0] - base.final.weights[0])


@pytest.mark.parametrize("k", [3, 57, 299])
def test_first_difference_is_the_exact_iteration(base: glassnet.Run, k: int) -> None:
    """A copy of the run whose recorded figures, or whose weights, change from #k on."""
    from dataclasses import replace

    from glassnet.run import History
    from glassnet.training import Checkpoints

    loss = base.history.loss.copy()
    loss[k:] += 1e-12
    by_figures = replace(base, history=History(loss, base.history.error_sum), _steps={})
    first = base.compare(by_figures).first_difference
    assert first is not None and first.iteration == k
    assert first.loss_b == loss[k] and first.loss_a == base.history.loss[k]
    assert first.reason == "the recorded loss differs (the weights are equal)"

    assert list(base.checkpoints.iterations[: k + 1]) == list(range(k + 1))  # dense here
    weights = base.checkpoints.weights[0].copy()
    weights[k:, 1, 0] += 1e-12
    by_weights = replace(
        base,
        checkpoints=Checkpoints(base.checkpoints.iterations, (weights,), base.checkpoints.biases),
        _steps={},
    )
    first = base.compare(by_weights).first_difference
    assert first is not None and (first.iteration, first.reason) == (k, "the weights differ")


def test_tolerance_ignores_tiny_differences(base: glassnet.Run) -> None:
    nudged = short(learning_rate=1.0 + 1e-12)
    assert base.compare(nudged).first_difference is not None
    c = base.compare(nudged, tolerance=1e-6)
    assert c.first_difference is None and c.identical
    with pytest.raises(glassnet.ConfigError, match="tolerance"):
        base.compare(nudged, tolerance=-1.0)


def test_seed_and_architecture_differ_at_iteration_0(base: glassnet.Run) -> None:
    seed = base.compare(short(seed=1)).first_difference
    assert seed is not None and (seed.iteration, seed.reason) == (0, "the initial weights differ")
    deeper = base.compare(short(layers=[3, 4, 1], seed=1))
    assert deeper.first_difference is not None and deeper.first_difference.iteration == 0
    assert "layer sizes differ ([3, 1] vs [3, 4, 1])" in deeper.first_difference.reason
    assert deeper.layers[0].final is None and deeper.layers[1].shape_a is None
    text = format_comparison(deeper)
    assert "layer 0: shapes differ (A (3, 1), B (3, 4)); no weight difference" in text


def test_longer_run_has_no_differing_iteration(base: glassnet.Run) -> None:
    c = base.compare(short(iterations=500))
    assert c.first_difference is None and not c.identical
    assert c.common_iterations == 300
    assert "B ran longer" in format_comparison(c)


def test_a_setting_left_out_counts_with_its_default(base: glassnet.Run, tmp_path: Path) -> None:
    """A file that spells out the defaults (and the layers the data gave) is the same run."""
    spelled = tmp_path / "spelled.toml"
    spelled.write_text(
        '[data]\ndataset = "seed"\n[network]\nlayers = [3, 1]\nactivation = "sigmoid"\n'
        '[train]\niterations = 300\nlearning_rate = 1.0\noptimizer = "gd"\n[init]\nseed = 123\n'
    )
    other = glassnet.Experiment(spelled).run(engine="numpy")
    assert base.compare(other).settings == ()
    changed = glassnet.Experiment(iterations=300, layers=[3, 2, 1]).run(engine="numpy")
    assert [(s.key, s.a, s.b) for s in base.compare(changed).settings] == [
        ("network.layers", [3, 1], [3, 2, 1])
    ]
