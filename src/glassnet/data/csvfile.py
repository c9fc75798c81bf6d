"""Loading a CSV file of numbers, checked once, at the boundary.

What is accepted
----------------
* UTF-8 text (a byte-order mark is fine), or UTF-16 with its byte-order mark
  (what spreadsheet programs write as "Unicode text").
* Cells separated by commas; a file whose first line has no comma but has
  semicolons, tabs or runs of spaces is read with that separator instead
  (and ``0,5;1`` is read as semicolon-separated).
* An optional header row: the first row is a header when any of its
  non-empty cells is not a number. Blank lines are skipped, and so is Excel's ``sep=;`` line
  (which names the separator).
* Every other cell a finite number (``1``, ``-0.5``, ``2e-3``); rows all the
  same length; at least two columns and one row of numbers.

The target columns are the ones named by ``target_columns`` (which needs a
header), or else the last column; every other column is an input.

Every problem is a one-line :class:`~glassnet.errors.DataError` naming the
file, the row (as the line number a text editor shows) and the column where
it helps, the rule, the value found and what is accepted.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from glassnet.data import Dataset
from glassnet.errors import DataError, describe, did_you_mean

#: Separators tried, in order, when the first line has no comma.
OTHER_SEPARATORS = (";", "\t")
#: A number written with a decimal comma ("0,5"): refused with a hint, never a header.
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _decode(raw: bytes, where: str) -> str:
    """The file's text: UTF-8 (optional BOM) or UTF-16 with a BOM."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(
                f"{where}: starts like UTF-16 text but cannot be decoded; save it as UTF-8 CSV."
            )
    if b"\x00" in raw[:4096]:
        raise DataError(
            f"{where}: is a binary file (a spreadsheet, archive or image?), not CSV; "
            f"save it as CSV (comma-separated numbers, UTF-8)."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{where}: is not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x}); "
            f"save it as UTF-8 CSV."
        ) from None


def _not_csv_hint(first_line: str) -> str | None:
    """What a non-CSV text file looks like, from its first line, or ``None``."""
    stripped = first_line.lstrip()
    if stripped.startswith(("{", "[")) and not _is_number(stripped.split(",")[0].strip("[] ")):
        return "JSON or TOML"
    if stripped.startswith("<"):
        return "HTML or XML"
    return None


def _separator(first_line: str) -> str | None:
    """The separator of the file from its first line; ``None`` means runs of spaces."""
    if ";" in first_line and all(
        re.fullmatch(r".*\d,\d.*", part) for part in first_line.split(";") if "," in part
    ):
        return ";"  # "0,5;1" is semicolon-separated with decimal commas, caught per cell
    if "," in first_line:
        return ","
    for sep in OTHER_SEPARATORS:
        if sep in first_line:
            return sep
    if re.search(r"\S\s+\S", first_line.strip()):
        return None
    return ","


def _rows(text: str, separator: str | None) -> list[tuple[int, list[str]]]:
    """Non-blank rows, each with the line number it starts on (1-based)."""
    if separator is None:
        return [
            (line, cells)
            for line, cells in ((i + 1, ln.split()) for i, ln in enumerate(text.splitlines()))
            if cells
        ]
    reader = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append((line, [cell.strip() for cell in row]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"row {reader.line_num}: is not valid CSV ({exc}).") from None
    return rows


def read_csv(path: Path, target_columns: list[str] | None = None) -> Dataset:
    """Load a CSV file of numbers.

    Parameters
    ----------
    path : Path
        The file.
    target_columns : list of str, optional
        Header names of the target columns; default: the last column.

    Returns
    -------
    Dataset
        ``X`` ``(n_rows, n_columns - n_targets)`` and ``y`` ``(n_rows, n_targets)``.

    Raises
    ------
    DataError
        For a missing, empty, binary or non-CSV file, ragged rows, empty,
        non-numeric or non-finite cells (with row and column), duplicate
        header names, and unknown target column names.
    """
    path = Path(path)
    where = f"[data] csv {str(path)!r}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            f"{where}: file not found; give a path relative to the experiment file "
            f"(or to the current folder for --csv)."
        ) from None
    except IsADirectoryError:
        raise DataError(f"{where}: is a folder; give the path of a .csv file.") from None
    except OSError as exc:
        raise DataError(f"{where}: cannot be read ({exc.strerror}).") from None
    text = _decode(raw, where)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError(f"{where}: is empty; a CSV with at least one row of numbers is accepted.")
    kind = _not_csv_hint(lines[0])
    if kind is not None:
        raise DataError(
            f"{where}: looks like {kind}, not CSV (line 1 is {describe(lines[0], 40)}); "
            f"give a file of comma-separated numbers."
        )
    separator = _separator(lines[0])
    excel_hint = re.fullmatch(r"\s*sep=(.)\s*", lines[0])
    if excel_hint:  # Excel's "sep=;" first line names the separator
        separator = excel_hint.group(1)
    try:
        rows = _rows(text, separator)
    except DataError as exc:
        raise DataError(f"{where} {exc}") from None
    if excel_hint:
        rows = rows[1:]
        if not rows:
            raise DataError(f"{where}: is empty after its 'sep=' line; add rows of numbers.")

    header: list[str] | None = None
    if not all(
        _is_number(cell) or DECIMAL_COMMA.fullmatch(cell) or not cell for cell in rows[0][1]
    ):
        header = [cell or f"column{j + 1}" for j, cell in enumerate(rows[0][1])]
        rows = rows[1:]
        seen: dict[str, int] = {}
        for j, name in enumerate(header):
            if name in seen:
                raise DataError(
                    f"{where} header: column name {name!r} appears twice (columns {seen[name] + 1} "
                    f"and {j + 1}); header names must be unique."
                )
            seen[name] = j
        if not rows:
            raise DataError(
                f"{where}: has a header ({', '.join(header)}) but no rows of numbers; "
                f"add at least one row of numbers."
            )
    width = len(header) if header is not None else len(rows[0][1])
    if width < 2:
        raise DataError(
            f"{where}: has {width} column; at least 2 are needed (inputs, then a target)."
        )
    values = np.empty((len(rows), width))

    def column(j: int) -> str:
        return f"column {j + 1} ({header[j]!r})" if header else f"column {j + 1}"

    for i, (line, row) in enumerate(rows):
        if len(row) != width:
            shape = "the header has" if header is not None and i == 0 else "the file has"
            raise DataError(
                f"{where} row {line}: has {len(row)} cells but {shape} {width} columns; "
                f"every row needs {width} cells (ragged rows are not accepted)."
            )
        if not any(_is_number(cell) for cell in row):
            raise DataError(
                f"{where} row {line}: looks like a header row ({', '.join(row)}); "
                f"a CSV may have one header, in its first row. Delete this row."
            )
        for j, cell in enumerate(row):
            if not cell:
                trailing = " (a separator at the end of the line?)" if j == len(row) - 1 else ""
                raise DataError(
                    f"{where} row {line}, {column(j)}: is empty{trailing}; every cell must be a number."
                )
            try:
                number = float(cell)
            except ValueError:
                hint = ""
                if DECIMAL_COMMA.fullmatch(cell):
                    hint = " Use a point as the decimal separator (0.5, not 0,5)."
                raise DataError(
                    f"{where} row {line}, {column(j)}: must be a number; got {cell!r}.{hint}"
                ) from None
            if not np.isfinite(number):
                raise DataError(
                    f"{where} row {line}, {column(j)}: must be a finite number "
                    f"(not NaN or infinity); got {cell!r}."
                )
            values[i, j] = number

    names = header if header is not None else [f"column{j + 1}" for j in range(width)]
    if target_columns:
        if header is None:
            raise DataError(
                f"[data] targets names columns {list(target_columns)} but {str(path)!r} has no "
                f"header row; add a header or drop 'targets' to use the last column."
            )
        for t in target_columns:
            if t not in names:
                raise DataError(
                    f"[data] targets column {t!r} is not in {str(path)!r}; its columns are "
                    f"{', '.join(names)}.{did_you_mean(t, names)}"
                )
        if len(set(target_columns)) != len(target_columns):
            raise DataError(
                f"[data] targets names a column more than once: {list(target_columns)}; name each once."
            )
        if len(target_columns) >= width:
            raise DataError(
                f"[data] targets names every column of {str(path)!r} ({', '.join(names)}); "
                f"leave at least one column as an input."
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
