"""Real datasets (scikit-learn's bundled files), the seeded held-out split and standardization."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.config import parse
from glassnet.errors import ConfigError, DataError
from glassnet.network import error_sum, forward
from glassnet.resolve import load_split

pytest.importorskip("sklearn")

from glassnet.data.real import class_labels, load_real


@pytest.mark.parametrize(
    ("name", "n_samples", "n_in", "n_out"),
    [("iris", 150, 4, 3), ("breast_cancer", 569, 30, 1), ("digits", 1797, 64, 10)],
)
def test_real_dataset_shapes_and_targets(name: str, n_samples: int, n_in: int, n_out: int) -> None:
    data = load_real(name)
    assert data.X.shape == (n_samples, n_in)
    assert data.y.shape == (n_samples, n_out)
    assert len(data.input_names) == n_in and len(data.target_names) == n_out
    if n_out > 1:  # one-hot: exactly one 1 per row
        assert set(np.unique(data.y)) == {0.0, 1.0}
        np.testing.assert_array_equal(data.y.sum(axis=1), 1.0)
    else:
        assert set(np.unique(data.y)) == {0.0, 1.0}


def test_iris_one_hot_matches_sklearn_labels() -> None:
    from sklearn.datasets import load_iris

    labels = load_iris().target
    data = load_real("iris")
    np.testing.assert_array_equal(np.argmax(data.y, axis=1), labels)
    assert data.target_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(class_labels(data.y), labels)


def test_breast_cancer_target_is_benign_column() -> None:
    from sklearn.datasets import load_breast_cancer

    data = load_real("breast_cancer")
    np.testing.assert_array_equal(data.y[:, 0], load_breast_cancer().target)
    assert data.target_names == ("benign",)


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
    np.testing.assert_allclose(parts.test.X, (raw.test.X - mean) / std)  # type: ignore[union-attr]


def test_standardize_centers_constant_columns() -> None:
    parts = load_split(parse({"data": {"dataset": "digits", "standardize": True}}))
    assert np.all(np.isfinite(parts.train.X))
    assert parts.test is None and parts.train.X.shape == (1797, 64)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dataset": "iris", "test_fraction": 1}, "test_fraction must be a number from 0"),
        ({"dataset": "iris", "test_fraction": -0.1}, "test_fraction must be a number from 0"),
        ({"dataset": "iris", "test_fraction": "0.2"}, "got '0.2'"),
        ({"dataset": "iris", "standardize": "yes"}, "standardize must be true or false"),
        ({"dataset": "iris", "split_seed": -1}, "split_seed must be a whole number"),
        ({"dataset": "iriss"}, "Did you mean 'iris'?"),
        ({"dataset": "breast-cancer"}, "Did you mean 'breast_cancer'?"),
    ],
)
def test_data_settings_are_validated(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        parse({"data": data})


def test_a_split_must_leave_examples_on_both_sides() -> None:
    with pytest.raises(DataError, match="both need at least one"):
        glassnet.Experiment(test_fraction=0.01)  # 4 seed rows: nothing held out


def test_flat_settings_keep_split_options_in_any_order() -> None:
    exp = glassnet.Experiment(standardize=True, test_fraction=0.25, dataset="iris", layers=[4, 3])
    assert exp.config.data.standardize and exp.config.data.test_fraction == 0.25
    assert exp.test is not None and exp.test.X.shape == (36, 4)  # round(0.25 * 50) = 12 per class


@pytest.fixture(scope="module")
def iris_run() -> glassnet.Run:
    return glassnet.Experiment(
        dataset="iris",
        layers=[4, 5, 3],
        bias=True,
        standardize=True,
        test_fraction=0.25,
        iterations=60,
        learning_rate=0.01,
        seed=7,
    ).run()


def test_run_records_test_figures_every_iteration(iris_run: glassnet.Run) -> None:
    run = iris_run
    assert run.test is not None
    assert run.history.test_loss is not None and run.history.test_error_sum is not None
    assert len(run.history.test_loss) == len(run.history.loss) == 60
    for k in (0, 1, 37, 59):
        _, acts = forward(run.network, run.weights_at(k), run.test.X)
        assert run.history.test_loss[k] == run.network.loss.fn(run.test.y, acts[-1])
        assert run.history.test_error_sum[k] == error_sum(run.test.y, acts[-1])
    _, acts = forward(run.network, run.final, run.test.X)
    np.testing.assert_array_equal(run.final_test_prediction, acts[-1])
    assert run.final_test_error_sum == error_sum(run.test.y, acts[-1])
    # the training history is exactly the one a run without a split on the same rows gives
    assert run.history.loss[-1] < run.history.loss[0]
    assert run.history.test_loss[-1] < run.history.test_loss[0]


def test_training_numbers_do_not_depend_on_recording_test_figures(iris_run: glassnet.Run) -> None:
    from glassnet.training import CheckpointSchedule, train_reference

    run = iris_run
    plain = train_reference(
        run.network,
        run.initial.copy(),
        run.data.X,
        run.data.y,
        iterations=60,
        learning_rate=0.01,
        train_biases=True,
        schedule=CheckpointSchedule(60, 1),
    )
    np.testing.assert_array_equal(plain.loss, run.history.loss)
    np.testing.assert_array_equal(plain.final.weights[1], run.final.weights[1])
    assert plain.test_loss is None


def test_run_with_split_roundtrips_through_json(iris_run: glassnet.Run, tmp_path) -> None:
    path = tmp_path / "iris.json"
    iris_run.to_json(str(path))
    loaded = glassnet.load(path)
    assert loaded.test is not None
    np.testing.assert_array_equal(loaded.test.X, iris_run.test.X)  # type: ignore[union-attr]
    np.testing.assert_array_equal(loaded.history.test_loss, iris_run.history.test_loss)  # type: ignore[arg-type]
    np.testing.assert_array_equal(loaded.history.test_error_sum, iris_run.history.test_error_sum)  # type: ignore[arg-type]
    assert loaded.final_test_loss == iris_run.final_test_loss
    assert loaded.config == iris_run.config
    np.testing.assert_array_equal(loaded.step(13).layers[0].dW, iris_run.step(13).layers[0].dW)


def test_history_to_pandas_has_test_columns(iris_run: glassnet.Run) -> None:
    pytest.importorskip("pandas")
    frame = iris_run.history.to_pandas()
    assert list(frame.columns) == ["loss", "error_sum", "test_loss", "test_error_sum"]
    assert frame.index.name == "iteration" and len(frame) == 60


def test_seed_run_has_no_test_figures(seed_run: glassnet.Run) -> None:
    assert seed_run.test is None and seed_run.history.test_loss is None
    assert "test" not in seed_run.to_dict()
    assert "standardize" not in seed_run.to_dict()["config"]["data"]


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
