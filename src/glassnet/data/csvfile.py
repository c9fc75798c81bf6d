"""Loading a CSV file of numbers, checked once, at the boundary."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from glassnet.data import Dataset
from glassnet.errors import DataError


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
