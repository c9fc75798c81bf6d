"""Real datasets from scikit-learn's bundled files, and the split and scaling they need.

``iris``, ``breast_cancer`` and ``digits`` ship inside scikit-learn (no
download). They are loaded only when named, so glassnet does not need
scikit-learn unless they are used.

Targets
-------
Two classes give one target column of 0/1 (``breast_cancer``: 1 = benign,
0 = malignant, scikit-learn's coding). More classes give one-hot targets,
one column per class: ``y[s, c] = 1`` where example ``s`` is of class ``c``.

Held-out split and standardization
----------------------------------
:func:`split` keeps ``test_fraction`` of the examples of each class aside
(stratified, ``numpy.random.RandomState(seed)``); :func:`standardize` rescales
every input column to ``(x - mean) / std`` with the mean and standard
deviation of the *training* rows only, so nothing of the test rows leaks into
training. A constant column (``std = 0``, e.g. digits' corner pixels) is only
centered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from glassnet.data import Dataset, Scaling
from glassnet.errors import DataError
from glassnet.types import Array, IntArray

#: Real datasets by name -> the scikit-learn loader function name.
REAL_DATASETS: dict[str, str] = {
    "iris": "load_iris",
    "breast_cancer": "load_breast_cancer",
    "digits": "load_digits",
}


def load_real(name: str) -> Dataset:
    """One of :data:`REAL_DATASETS`, from scikit-learn's bundled data.

    Returns a :class:`Dataset` with ``X`` ``(n_samples, n_features)`` as
    published (not standardized) and ``y`` either ``(n_samples, 1)`` of 0/1 for
    two classes or one-hot ``(n_samples, n_classes)``.
    """
    if name not in REAL_DATASETS:
        raise DataError(
            f"[data] dataset must be one of {', '.join(repr(n) for n in REAL_DATASETS)} "
            f"for real data; got {name!r}."
        )
    try:
        from sklearn import datasets
    except ImportError:
        raise DataError(
            f"[data] dataset {name!r} is read from scikit-learn's bundled data, and "
            f"scikit-learn is not installed; pip install 'glassnet[sklearn]'."
        ) from None
    bunch = getattr(datasets, REAL_DATASETS[name])()
    X = np.asarray(bunch.data, dtype=np.float64)
    labels = np.asarray(bunch.target, dtype=np.int64)
    class_names = tuple(str(c) for c in bunch.target_names)
    y, target_names = encode_targets(labels, class_names)
    input_names = tuple(str(f) for f in getattr(bunch, "feature_names", ())) or tuple(
        f"x{i + 1}" for i in range(X.shape[1])
    )
    return Dataset(X, y, name, input_names, target_names)


def encode_targets(labels: IntArray, class_names: tuple[str, ...]) -> tuple[Array, tuple[str, ...]]:
    """Class indices ``(n_samples,)`` -> targets and their column names.

    Two classes: one column, ``y = label`` (named after class 1). More: one-hot,
    ``y[s, c] = 1.0 if labels[s] == c``, one column per class.
    """
    n_classes = len(class_names)
    if n_classes == 2:
        return labels.astype(np.float64).reshape(-1, 1), (class_names[1],)
    return np.eye(n_classes)[labels], class_names


def class_labels(y: Array) -> Array | None:
    """The class of each example if ``y`` holds class targets, else ``None``.

    One column of only 0s and 1s: the value. Several columns, each row one-hot:
    the column of the 1. Anything else (regression targets): ``None``.
    """
    if y.shape[1] == 1:
        column = y[:, 0]
        return column.astype(np.int64) if np.all((column == 0) | (column == 1)) else None
    if np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1):
        return np.argmax(y, axis=1)
    return None


@dataclass(frozen=True, eq=False)
class Split:
    """The examples a run trains on and the ones it holds out (``None``: no split)."""

    train: Dataset
    test: Dataset | None = None


def split(data: Dataset, test_fraction: float, seed: int) -> Split:
    """Hold out ``test_fraction`` of the examples, the same share of every class.

    For each class (or for all examples, when the targets are not classes),
    the example indices are shuffled with ``RandomState(seed)`` and the first
    ``round(test_fraction * n_class)`` go to the test set. Both parts keep the
    original order of their rows.
    """
    if test_fraction == 0:
        return Split(data)
    labels = class_labels(data.y)
    groups = (
        [np.arange(data.n_samples)]
        if labels is None
        else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    )
    rng = np.random.RandomState(seed)
    test_rows: list[IntArray] = []
    for rows in groups:
        shuffled = rows[rng.permutation(len(rows))]
        test_rows.append(shuffled[: round(test_fraction * len(rows))])
    is_test = np.zeros(data.n_samples, dtype=bool)
    is_test[np.concatenate(test_rows)] = True
    n_test = int(is_test.sum())
    if n_test == 0 or n_test == data.n_samples:
        raise DataError(
            f"[data] test_fraction = {test_fraction} leaves {data.n_samples - n_test} training "
            f"and {n_test} test examples of {data.n_samples}; both need at least one. "
            f"Choose a fraction between {1 / data.n_samples:.3g} and "
            f"{1 - 1 / data.n_samples:.3g}, or 0 for no split."
        )

    return Split(
        data.rows(~is_test, f"{data.name} (train)"), data.rows(is_test, f"{data.name} (test)")
    )


def fit_scaling(X: Array) -> Scaling:
    """Mean and standard deviation of each column of ``X`` ``(n_samples, n_in)``.

    A column with standard deviation 0 gets ``scale = 1`` (centered only).
    """
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return Scaling(mean, np.where(std > 0, std, 1.0))


def standardize(parts: Split) -> Split:
    """Both parts rescaled with the training part's column means and deviations."""
    scaling = fit_scaling(parts.train.X)

    def scaled(d: Dataset) -> Dataset:
        return replace(d, X=scaling.apply(d.X), scaling=scaling)

    return Split(scaled(parts.train), None if parts.test is None else scaled(parts.test))
