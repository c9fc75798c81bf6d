"""Training data: the built-in toy datasets, inline arrays and CSV files.

Every loader returns a :class:`Dataset` of float64 arrays, ``X`` of shape
``(n_samples, n_in)`` and ``y`` of shape ``(n_samples, n_out)``, after
checking it once here, at the boundary.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet.activations import Array
from glassnet.errors import DataError, describe

#: The seed post's inputs: two real inputs and a constant third column of 1s.
SEED_INPUTS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]

#: Built-in datasets: name -> (inputs, targets as one column).
TOY_DATASETS: dict[str, tuple[list[list[int]], list[int]]] = {
    "seed": (SEED_INPUTS, [0, 0, 1, 1]),
    "xor": (SEED_INPUTS, [0, 1, 1, 0]),
    "and": (SEED_INPUTS, [0, 0, 0, 1]),
    "or": (SEED_INPUTS, [0, 1, 1, 1]),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs ``X`` ``(n_samples, n_in)`` and targets ``y`` ``(n_samples, n_out)``."""

    X: Array
    y: Array
    name: str
    input_names: tuple[str, ...] = field(default=())
    target_names: tuple[str, ...] = field(default=())

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])


def builtin(name: str) -> Dataset:
    """One of the built-in datasets (see :data:`TOY_DATASETS`)."""
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
        if len(row) != width or width == 0:
            raise DataError(
                f"{where} rows must all have the same length; row {i} has {len(row)} "
                f"values but row 0 has {width}."
            )
        for j, cell in enumerate(row):
            if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                raise DataError(
                    f"{where}[{i}][{j}] must be a number; got {describe(cell)}."
                )
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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(path: Path, target_columns: list[str] | None = None) -> Dataset:
    """Load a CSV file of numbers.

    The first row is a header when any of its cells is not a number. The
    target columns are the named ``target_columns`` (which needs a header), or
    else the last column. Every other column is an input.

    Raises
    ------
    DataError
        For a missing or empty file, ragged rows, non-numeric or non-finite
        cells (with row and column), and unknown target column names.
    """
    where = f"[data] csv {str(path)!r}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{where}: file not found; give a path relative to the experiment file.")
    except OSError as exc:
        raise DataError(f"{where}: cannot be read ({exc.strerror}).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{where}: is not a UTF-8 text file; a CSV of numbers is accepted.")
    if "\x00" in text:
        raise DataError(f"{where}: is a binary file, not CSV; a CSV of numbers is accepted.")
    rows = [
        [cell.strip() for cell in row]
        for row in csv.reader(io.StringIO(text))
        if row and any(cell.strip() for cell in row)
    ]
    if not rows:
        raise DataError(f"{where}: is empty; a CSV with at least one row of numbers is accepted.")
    header: list[str] | None = None
    first_data_line = 1
    if not all(_is_number(cell) for cell in rows[0]):
        header, rows = rows[0], rows[1:]
        first_data_line = 2
        if not rows:
            raise DataError(f"{where}: has a header but no rows of numbers.")
    width = len(header) if header is not None else len(rows[0])
    if width < 2:
        raise DataError(
            f"{where}: has {width} column; at least 2 are needed (inputs and a target)."
        )
    values = np.empty((len(rows), width))
    for i, row in enumerate(rows):
        line = i + first_data_line
        if len(row) != width:
            raise DataError(
                f"{where} row {line}: has {len(row)} cells but the file has {width} columns."
            )
        for j, cell in enumerate(row):
            try:
                number = float(cell)
            except ValueError:
                col = header[j] if header else str(j + 1)
                raise DataError(
                    f"{where} row {line}, column {col!r}: must be a number; got {cell!r}."
                )
            if not np.isfinite(number):
                col = header[j] if header else str(j + 1)
                raise DataError(
                    f"{where} row {line}, column {col!r}: must be a finite number; got {cell!r}."
                )
            values[i, j] = number
    names = header if header is not None else [f"column{j + 1}" for j in range(width)]
    if target_columns:
        if header is None:
            raise DataError(
                f"[data] targets names columns {target_columns} but {str(path)!r} has no "
                f"header row; add a header or drop 'targets' to use the last column."
            )
        missing = [t for t in target_columns if t not in names]
        if missing:
            raise DataError(
                f"[data] targets column {missing[0]!r} is not in {str(path)!r}; "
                f"its columns are {', '.join(names)}."
            )
        target_idx = [names.index(t) for t in target_columns]
    else:
        target_idx = [width - 1]
    input_idx = [j for j in range(width) if j not in target_idx]
    return Dataset(
        values[:, input_idx],
        values[:, target_idx],
        path.name,
        tuple(names[j] for j in input_idx),
        tuple(names[j] for j in target_idx),
    )
