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

Only a regular file of at most :data:`~glassnet.files.MAX_CSV_BYTES` is read.

How it is read
--------------
The specification is the per-row reader :func:`_check_row` (every cell
stripped, checked and converted with ``float``, in file order). Blocks of
about a megabyte of rows without quotes take a faster road with the same
result: split, then converted column-wise by ``float`` in one C-level pass
(``numpy.fromiter``); a block with anything unusual (an empty or non-numeric
cell, a ragged row, NaN) is read again by the per-row reader, which gives
the message for its first bad cell. Time and memory are linear in the size
of the file (about 3 bytes of memory per byte of file, plus the numbers).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import methodcaller
from pathlib import Path

import numpy as np

from glassnet import files
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
            ) from None
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


#: Line breaks as ``str.splitlines`` knows them (the first line, and files split on spaces).
_ANY_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: Line breaks as Python's ``csv`` module counts them (``reader.line_num``).
_NEWLINE = re.compile(r"\n")
#: Characters of rows handed to the fast path at a time.
BLOCK_CHARS = 1 << 20


def _lines(
    text: str, start: int, breaks: re.Pattern[str], stop: int | None = None
) -> Iterator[tuple[int, str]]:
    """``(end offset, line with its line break)`` from ``start`` to ``stop``, lazily."""
    stop = len(text) if stop is None else stop
    while start < stop:
        match = breaks.search(text, start, stop)
        end = stop if match is None else match.end()
        yield end, text[start:end]
        start = end


class _Rows:
    """Non-blank rows from character ``start`` of ``text``, one at a time (the reference).

    ``line`` is the number of lines consumed so far and ``offset`` the
    character where the next row starts.
    """

    def __init__(
        self,
        text: str,
        separator: str | None,
        start: int,
        line: int,
        where: str,
        stop: int | None = None,
    ) -> None:
        self.separator, self.where = separator, where
        self.offset, self.line = start, line
        breaks = _ANY_BREAK if separator is None else _NEWLINE
        self._source = _lines(text, start, breaks, stop)
        if separator is not None:
            self._reader = csv.reader(self._feed(), delimiter=separator, skipinitialspace=True)

    def _feed(self) -> Iterator[str]:
        for end, line in self._source:
            self.offset = end
            yield line

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        """The next non-blank row: ``(line number it starts on, stripped cells)``."""
        if self.separator is None:
            for end, line in self._source:
                self.offset = end
                self.line += 1
                cells = line.split()
                if cells:
                    return self.line, cells
            raise StopIteration
        while True:
            first = self._reader.line_num + 1
            try:
                row = next(self._reader)
            except csv.Error as exc:
                raise DataError(
                    f"{self.where} row {self.line + self._reader.line_num - first + 1}: "
                    f"is not valid CSV ({exc})."
                ) from None
            start = self.line + 1
            self.line += self._reader.line_num - first + 1
            if row and any(cell.strip() for cell in row):
                return start, [cell.strip() for cell in row]


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
        For a missing, empty, binary or non-CSV file, one that is not a
        regular file or is over the size cap, ragged rows, empty, non-numeric
        or non-finite cells (with row and column), duplicate header names,
        and unknown target column names.
    """
    path = files.as_path(path, "[data] csv", DataError)
    where = f"[data] csv {str(path)!r}"
    raw = files.read_file(
        path,
        where=where,
        limit=files.MAX_CSV_BYTES,
        error=DataError,
        accepted="a .csv file",
        missing_hint="give a path relative to the experiment file (or to the current folder for --csv)",
        limit_hint="; glassnet trains on every row at once, in memory: use a sample of the rows",
    )
    text = _decode(raw, where)
    del raw
    first_line = next((line for _, line in _lines(text, 0, _ANY_BREAK) if line.strip()), None)
    if first_line is None:
        raise DataError(f"{where}: is empty; a CSV with at least one row of numbers is accepted.")
    first_line = first_line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    kind = _not_csv_hint(first_line)
    if kind is not None:
        raise DataError(
            f"{where}: looks like {kind}, not CSV (line 1 is {describe(first_line, 40)}); "
            f"give a file of comma-separated numbers."
        )
    separator = _separator(first_line)
    excel_hint = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if excel_hint:  # Excel's "sep=;" first line names the separator
        separator = excel_hint.group(1)
    rows = _Rows(text, separator, 0, 0, where)
    first = next(rows, None)
    if excel_hint:
        first = next(rows, None)
        if first is None:
            raise DataError(f"{where}: is empty after its 'sep=' line; add rows of numbers.")
    if first is None:  # only separators, such as ",,,"
        raise DataError(f"{where}: is empty; a CSV with at least one row of numbers is accepted.")

    header: list[str] | None = None
    if not all(_is_number(cell) or DECIMAL_COMMA.fullmatch(cell) or not cell for cell in first[1]):
        header = [cell or f"column{j + 1}" for j, cell in enumerate(first[1])]
        seen: dict[str, int] = {}
        for j, name in enumerate(header):
            if name in seen:
                raise DataError(
                    f"{where} header: column name {name!r} appears twice (columns {seen[name] + 1} "
                    f"and {j + 1}); header names must be unique."
                )
            seen[name] = j
    width = len(header) if header is not None else len(first[1])
    if width < 2:
        raise DataError(
            f"{where}: has {width} column; at least 2 are needed (inputs, then a target)."
        )
    reader = _Reader(where, width, header)
    if header is None:
        reader.add_row(*first)
    values = reader.read(text, separator, rows.offset, rows.line)
    if values.shape[0] == 0:
        assert header is not None  # without a header the first row is a row of numbers
        raise DataError(
            f"{where}: has a header ({', '.join(header)}) but no rows of numbers; "
            f"add at least one row of numbers."
        )

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


class _Reader:
    """The rows of numbers after the header: checked, converted, collected in blocks."""

    #: Use the fast path for blocks without quotes (tests turn it off to compare).
    fast = True

    def __init__(self, where: str, width: int, header: list[str] | None) -> None:
        self.where, self.width, self.header = where, width, header
        self.blocks: list[np.ndarray] = []
        self.pending: list[list[float]] = []
        self.n_rows = 0

    def read(self, text: str, separator: str | None, start: int, line: int) -> np.ndarray:
        """Every row from character ``start`` (line ``line + 1``) on, as ``(n_rows, width)``."""
        if separator is not None and text.find('"', start) >= 0:
            self.add_rows(_Rows(text, separator, start, line, self.where))  # quotes: the csv module
        else:
            breaks = _ANY_BREAK if separator is None else _NEWLINE
            while start < len(text):
                match = breaks.search(text, min(start + BLOCK_CHARS, len(text)))
                end = len(text) if match is None else match.end()
                block = text[start:end]
                if separator is None:
                    lines = block.splitlines()
                    n_lines = len(lines)
                else:
                    n_lines = block.count("\n") + (not block.endswith("\n"))
                values = self._fast(block, separator) if self.fast else None
                if values is None:
                    self.add_rows(_Rows(text, separator, start, line, self.where, stop=end))
                else:
                    self._flush()
                    self.blocks.append(values)
                    self.n_rows += len(values)
                line += n_lines
                start = end
        self._flush()
        if not self.blocks:
            return np.empty((0, self.width))
        return self.blocks[0] if len(self.blocks) == 1 else np.concatenate(self.blocks)

    def _fast(self, block: str, separator: str | None) -> np.ndarray | None:
        """The numbers of a block of whole lines, or ``None`` if it needs the per-row reader.

        Accepts only blocks the per-row reader reads the same way: every
        non-blank line has ``width`` cells, each a finite number to ``float``
        (which strips the spaces around a cell as the per-row reader does).
        """
        if separator is None:
            rows = list(map(str.split, block.splitlines()))
            rows = [row for row in rows if row]
        else:
            cells = self._cells(block, separator)
            if cells is not None:
                return self._numbers(cells, len(cells) // self.width)
            # blank lines in the block: line by line
            rows = list(
                map(
                    methodcaller("split", separator),
                    filter(None, map(str.strip, block.split("\n"))),
                )
            )
        if set(map(len, rows)) - {self.width}:
            return None
        return self._numbers(chain.from_iterable(rows), len(rows))

    def _cells(self, block: str, separator: str) -> list[str] | None:
        """The cells of a block whose every line has ``width`` cells (counted with numpy), else None."""
        if ord(separator) > 127:  # counted below as one byte
            return None
        raw = np.frombuffer(block.encode("utf-8"), dtype=np.uint8)
        ends = np.flatnonzero(raw == ord("\n"))
        if not block.endswith("\n"):
            ends = np.append(ends, len(raw) - 1)
        seps = np.cumsum(raw == ord(separator), dtype=np.int64)[ends]
        per_line = np.diff(seps, prepend=0)
        if not np.all(per_line == self.width - 1):  # a blank line (none) or a ragged one
            return None
        cells = block.replace("\n", separator).split(separator)
        if block.endswith("\n"):
            cells.pop()
        return cells

    def _numbers(self, cells: Iterable[str], n_rows: int) -> np.ndarray | None:
        try:
            values = np.fromiter(map(float, cells), np.float64, count=n_rows * self.width)
        except ValueError:
            return None
        if not np.isfinite(values).all():
            return None
        return values.reshape(n_rows, self.width)

    def add_rows(self, rows: Iterator[tuple[int, list[str]]]) -> None:
        """Check and add ``rows`` in order (in batches converted at once, when fast)."""
        if not self.fast:
            for line, row in rows:
                self.add_row(line, row)
            return
        batch: list[tuple[int, list[str]]] = []
        try:
            for item in rows:
                batch.append(item)
                if len(batch) == 4096:
                    full, batch = batch, []
                    self._add_batch(full)
        finally:  # rows read before a CSV syntax error are checked before it is reported
            self._add_batch(batch)

    def _add_batch(self, batch: list[tuple[int, list[str]]]) -> None:
        if batch and all(len(row) == self.width for _, row in batch):
            values = self._numbers(chain.from_iterable(row for _, row in batch), len(batch))
            if values is not None:
                self._flush()
                self.blocks.append(values)
                self.n_rows += len(values)
                return
        for line, row in batch:
            self.add_row(line, row)

    def add_row(self, line: int, row: list[str]) -> None:
        self.pending.append(self._check_row(line, row))
        self.n_rows += 1
        if len(self.pending) >= 65536:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.blocks.append(np.array(self.pending, dtype=np.float64).reshape(-1, self.width))
            self.pending = []

    def _column(self, j: int) -> str:
        return f"column {j + 1} ({self.header[j]!r})" if self.header else f"column {j + 1}"

    def _check_row(self, line: int, row: list[str]) -> list[float]:
        """The numbers of one row (the specification of every cell), or the reason it is bad."""
        where, width = self.where, self.width
        if len(row) != width:
            shape = (
                "the header has" if self.header is not None and self.n_rows == 0 else "the file has"
            )
            raise DataError(
                f"{where} row {line}: has {len(row)} cells but {shape} {width} columns; "
                f"every row needs {width} cells (ragged rows are not accepted)."
            )
        if not any(_is_number(cell) for cell in row):
            raise DataError(
                f"{where} row {line}: looks like a header row ({', '.join(row)}); "
                f"a CSV may have one header, in its first row. Delete this row."
            )
        numbers = []
        for j, cell in enumerate(row):
            if not cell:
                trailing = " (a separator at the end of the line?)" if j == len(row) - 1 else ""
                raise DataError(
                    f"{where} row {line}, {self._column(j)}: is empty{trailing}; every cell must be a number."
                )
            try:
                number = float(cell)
            except ValueError:
                hint = ""
                if DECIMAL_COMMA.fullmatch(cell):
                    hint = " Use a point as the decimal separator (0.5, not 0,5)."
                raise DataError(
                    f"{where} row {line}, {self._column(j)}: must be a number; got {cell!r}.{hint}"
                ) from None
            if not np.isfinite(number):
                raise DataError(
                    f"{where} row {line}, {self._column(j)}: must be a finite number "
                    f"(not NaN or infinity); got {cell!r}."
                )
            numbers.append(number)
        return numbers
