"""Training data: the built-in toy datasets, inline arrays and CSV files (:mod:`.csvfile`).

Every loader returns a :class:`Dataset` of float64 arrays, ``X`` of shape
``(n_samples, n_in)`` and ``y`` of shape ``(n_samples, n_out)``, after
checking it once here, at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet.errors import DataError, describe
from glassnet.types import Array

#: The post's inputs: two real inputs and a constant third column of 1s.
SEED_INPUTS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]

#: Built-in datasets: name -> (inputs, targets as one column). ``trask`` is the post's
#: (the first example of Andrew Trask's "A Neural Network in 11 lines of Python").
TOY_DATASETS: dict[str, tuple[list[list[int]], list[int]]] = {
    "trask": (SEED_INPUTS, [0, 0, 1, 1]),
    "xor": (SEED_INPUTS, [0, 1, 1, 0]),
    "and": (SEED_INPUTS, [0, 0, 0, 1]),
    "or": (SEED_INPUTS, [0, 1, 1, 1]),
}

#: Other names accepted for a built-in dataset: ``"seed"``, the name it had before it got
#: its own (``dataset = "seed"`` next to ``seed = 123`` read as two meanings of one word).
DATASET_ALIASES: dict[str, str] = {"seed": "trask"}


@dataclass(frozen=True, eq=False)
class Scaling:
    """``x' = (x - mean) / scale`` per input column; ``mean``, ``scale``: ``(n_in,)``."""

    mean: Array
    scale: Array

    def apply(self, X: Array) -> Array:
        return (X - self.mean) / self.scale


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs ``X`` ``(n_samples, n_in)`` and targets ``y`` ``(n_samples, n_out)``.

    A 2-D set (:mod:`glassnet.data.planar`) also keeps its points ``plane``
    ``(n_samples, 2)``, the ``features`` its inputs are computed from, and the
    ``scaling`` applied to them (``[data] standardize``), so that any point of
    the plane can be fed to the network (:meth:`inputs_at`).
    """

    X: Array
    y: Array
    name: str
    input_names: tuple[str, ...] = field(default=())
    target_names: tuple[str, ...] = field(default=())
    plane: Array | None = None
    features: tuple[str, ...] = ()
    scaling: Scaling | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    def inputs_at(self, points: Array) -> Array:
        """The network's inputs ``(m, n_in)`` at points ``(m, 2)`` of a 2-D set's plane."""
        from glassnet.data.planar import feature_matrix

        if self.plane is None:
            raise ValueError(f"dataset {self.name!r} has no plane of points")
        X = feature_matrix(points, self.features)
        return X if self.scaling is None else self.scaling.apply(X)

    def rows(self, mask: Array, name: str) -> Dataset:
        """The examples ``mask`` selects (boolean or indices), as a dataset called ``name``."""
        return Dataset(
            self.X[mask],
            self.y[mask],
            name,
            self.input_names,
            self.target_names,
            None if self.plane is None else self.plane[mask],
            self.features,
            self.scaling,
        )


def planar_dataset(
    name: str, n: int, noise: float, seed: int, features: tuple[str, ...]
) -> Dataset:
    """2-D set ``name`` (:mod:`glassnet.data.planar`) with ``features`` as its inputs."""
    from glassnet.data.planar import feature_matrix, planar_points

    points, labels = planar_points(name, n, noise, seed)
    return Dataset(
        feature_matrix(points, features),
        labels.reshape(-1, 1),
        name,
        tuple(features),
        ("class",),
        points,
        tuple(features),
    )


def builtin(name: str) -> Dataset:
    """One of the built-in datasets (see :data:`TOY_DATASETS`; aliases accepted)."""
    name = DATASET_ALIASES.get(name, name)
    if name not in TOY_DATASETS:
        raise DataError(
            f"[data] dataset must be one of {', '.join(repr(n) for n in TOY_DATASETS)}; "
            f"got {name!r}."
        )
    inputs, targets = TOY_DATASETS[name]
    X = np.array(inputs, dtype=np.float64)
    y = np.array(targets, dtype=np.float64).reshape(-1, 1)
    return Dataset(X, y, name, _default_names("x", X.shape[1]), ("y",))


def _default_names(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i + 1}" for i in range(n))


def as_matrix(value: object, where: str) -> Array:
    """Check and convert an inline table of numbers (a list of rows) to float64.

    A flat list of numbers is taken as one column. Raises :class:`DataError`
    naming ``where`` for ragged rows, non-numbers and NaN/inf.
    """
    if not isinstance(value, list) or not value:
        raise DataError(
            f"{where} must be a non-empty list of rows of numbers, "
            f"e.g. [[0, 0, 1], [0, 1, 1]]; got {describe(value)}."
        )
    rows = [row if isinstance(row, list) else [row] for row in value]
    width = len(rows[0])
    for i, row in enumerate(rows):
        if not row:
            raise DataError(
                f"{where} row {i} is empty; each row needs at least one number, "
                f"e.g. [[0, 0, 1], [0, 1, 1]]."
            )
        if len(row) != width:
            raise DataError(
                f"{where} rows must all have the same length; row {i} has {len(row)} "
                f"values but row 0 has {width}."
            )
        for j, cell in enumerate(row):
            if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                raise DataError(f"{where}[{i}][{j}] must be a number; got {describe(cell)}.")
            if not np.isfinite(cell):
                raise DataError(f"{where}[{i}][{j}] must be a finite number; got {cell}.")
    return np.array(rows, dtype=np.float64)


def from_arrays(inputs: object, targets: object, name: str = "inline") -> Dataset:
    """A dataset from inline inputs and targets (``[data] inputs`` / ``targets``)."""
    X = as_matrix(inputs, "[data] inputs")
    y = as_matrix(targets, "[data] targets")
    if X.shape[0] != y.shape[0]:
        raise DataError(
            f"[data] targets must have one row per row of inputs; inputs has "
            f"{X.shape[0]} rows, targets has {y.shape[0]}."
        )
    return Dataset(X, y, name, _default_names("x", X.shape[1]), _default_names("y", y.shape[1]))


from glassnet.data.csvfile import read_csv  # noqa: E402, F401  (re-exported)
