"""glassnet.resolve: an experiment's settings made into data, the held-out split and its standardization."""

from __future__ import annotations

import numpy as np
from helpers import needs_sklearn
from numpy.testing import assert_allclose

import glassnet
from glassnet.config import parse
from glassnet.resolve import load_split


@needs_sklearn
def test_split_is_seeded_stratified_and_disjoint() -> None:
    cfg = parse({"data": {"dataset": "iris", "test_fraction": 0.2, "split_seed": 3}})
    parts = load_split(cfg)
    assert parts.test is not None
    assert parts.train.X.shape == (120, 4) and parts.test.X.shape == (30, 4)
    # 10 of each class of 50 held out
    np.testing.assert_array_equal(parts.test.y.sum(axis=0), [10, 10, 10])
    rows = {tuple(r) for r in np.hstack([parts.train.X, parts.train.y])}
    held = {tuple(r) for r in np.hstack([parts.test.X, parts.test.y])}
    assert len(rows) + len(held) == len(rows | held)  # no example in both parts
    again = load_split(cfg)
    np.testing.assert_array_equal(again.test.X, parts.test.X)  # type: ignore[union-attr]
    other = load_split(parse({"data": {"dataset": "iris", "test_fraction": 0.2, "split_seed": 4}}))
    assert not np.array_equal(other.test.X, parts.test.X)  # type: ignore[union-attr]


@needs_sklearn
def test_standardize_uses_training_rows_only() -> None:
    cfg = parse({"data": {"dataset": "breast_cancer", "test_fraction": 0.25, "standardize": True}})
    parts = load_split(cfg)
    assert parts.test is not None
    np.testing.assert_allclose(parts.train.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(parts.train.X.std(axis=0), 1.0, atol=1e-12)
    # the test rows are scaled with the training figures, so they are not exactly 0/1
    assert np.abs(parts.test.X.mean(axis=0)).max() > 1e-3
    raw = load_split(parse({"data": {"dataset": "breast_cancer", "test_fraction": 0.25}}))
    mean, std = raw.train.X.mean(axis=0), raw.train.X.std(axis=0)
    np.testing.assert_allclose(parts.test.X, (raw.test.X - mean) / std, atol=1e-12)  # type: ignore[union-attr]


@needs_sklearn
def test_standardize_centers_constant_columns() -> None:
    parts = load_split(parse({"data": {"dataset": "digits", "standardize": True}}))
    assert np.all(np.isfinite(parts.train.X))
    assert parts.test is None and parts.train.X.shape == (1797, 64)


def test_regression_targets_split_without_classes() -> None:
    cfg = parse(
        {
            "data": {
                "inputs": [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]],
                "targets": [[0.1], [0.2], [0.3], [0.4], [0.5], [0.6]],
                "test_fraction": 0.5,
                "split_seed": 1,
            }
        }
    )
    parts = load_split(cfg)
    assert parts.test is not None and parts.test.n_samples == 3 and parts.train.n_samples == 3
    assert sorted(np.concatenate([parts.train.X, parts.test.X]).ravel()) == [0, 1, 2, 3, 4, 5]
    # rows keep their order and their targets
    np.testing.assert_allclose(parts.test.y.ravel(), parts.test.X.ravel() / 10 + 0.1)
    assert np.all(np.diff(parts.train.X.ravel()) > 0)


# --------------------------------------------------------------------------- initial weights


def test_explicit_weights_reproduce_seeded_run(seed_run):
    """Giving the post's initial weights explicitly gives the same numbers."""
    w0 = seed_run.initial.weights[0].tolist()
    run = glassnet.Experiment({"init": {"weights": [w0]}, "train": {"iterations": 2}}).run()
    assert_allclose(run.final.weights[0], seed_run.step(2).before.weights[0], rtol=0, atol=0)
