"""glassnet.data.real: the real datasets (scikit-learn's bundled files) as inputs and one-hot targets."""

from __future__ import annotations

import numpy as np
import pytest

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
