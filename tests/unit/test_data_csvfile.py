"""glassnet.data.csvfile: CSV files in the shapes people actually save them, and the fast block
reader against the per-row reference.

The accepted shapes read as the post's data; the bad files are in
``tests/integration/test_validation.py`` (with their messages).

The per-row reader (``_Reader._check_row``) is the specification of every
cell; the fast path converts blocks of quote-free rows column-wise and hands
any block with something unusual back to it. Here both read the same
generated files, with blocks of a few characters so that every file has many
blocks and fallbacks in the middle: the same numbers and names, or the same
message.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassnet
from glassnet.data import csvfile
from glassnet.data.csvfile import read_csv
from glassnet.errors import DataError

EXAMPLES = int(os.environ.get("GLASSNET_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("GLASSNET_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

cell = st.one_of(
    st.integers(-50, 50).map(str),
    st.floats(-1e3, 1e3, allow_nan=False).map(repr),
    st.sampled_from(
        [
            "",
            " 1",
            "2 ",
            "nan",
            "inf",
            "-Infinity",
            "1e999",
            "abc",
            "0,5",
            "1_000",
            "+.5",
            "1e-3",
            "x1",
            "y",
            " ",
            "\x0c1",
            "١",
            "0x10",
            '"1"',
            "1\r2",
            "1\x00",
        ]
    ),
)


@st.composite
def csv_texts(draw) -> str:
    """A numeric table (maybe with a header), then a few edits: a junk cell, a ragged row,
    a blank or separator-only line, odd line ends."""
    cols = draw(st.integers(1, 4))
    rows = draw(st.integers(0, 12))
    number = st.floats(-10, 10, allow_nan=False).map(lambda v: f"{v:.4g}")
    table = [[draw(number) for _ in range(cols)] for _ in range(rows)]
    sep = draw(st.sampled_from([",", ",", ";", "\t", " ", "  ", "|", "§"]))
    edits = draw(st.integers(0, 3))
    for _ in range(edits if table else 0):
        row = draw(st.integers(0, len(table) - 1))
        kind = draw(st.sampled_from(["cell", "cell", "cell", "short", "long"]))
        if kind == "cell" and table[row]:
            table[row][draw(st.integers(0, len(table[row]) - 1))] = draw(cell)
        elif kind == "short" and cols > 1:
            table[row] = table[row][:-1]
        else:
            table[row] = [*table[row], "1"]
    lines = [sep.join(r) for r in table]
    if draw(st.booleans()):
        lines.insert(0, sep.join(["x1", "x2", "x3", "y"][:cols]))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(["", "   ", sep * cols, ",,,", "\t"])))
    if draw(st.integers(0, 5)) == 0:  # Excel's line naming the separator
        lines.insert(0, "sep=" + draw(st.sampled_from([sep, ";", "|", "§", " "])))
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\x0c"]))
    ending = draw(st.sampled_from([newline, ""]))
    return newline.join(lines) + ending


def read(path: Path, fast: bool):
    csvfile._Reader.fast = fast
    try:
        data = csvfile.read_csv(path)
    except DataError as exc:
        return str(exc)
    finally:
        csvfile._Reader.fast = True
    return data.X, data.y, data.input_names, data.target_names


@FUZZ
@given(text=csv_texts(), block=st.sampled_from([1, 7, 30, 1 << 20]))
def test_fast_blocks_read_exactly_what_the_per_row_reader_reads(text, block, monkeypatch):
    monkeypatch.setattr(csvfile, "BLOCK_CHARS", block)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "d.csv")
        path.write_text(text, encoding="utf-8", newline="")
        fast, reference = read(path, True), read(path, False)
    if isinstance(reference, str) or isinstance(fast, str):
        assert fast == reference
        assert "\n" not in reference
        return
    assert np.array_equal(fast[0], reference[0]) and np.array_equal(fast[1], reference[1])
    assert fast[0].dtype == np.float64 and fast[0].shape[0] >= 1
    assert fast[2:] == reference[2:]


def test_a_bad_cell_deep_in_a_big_file_names_its_line(tmp_path):
    lines = ["a,b,c"] + [f"{i},{i * 0.5},1" for i in range(200_000)]
    lines[150_001] = "1,oops,1"
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        csvfile.read_csv(path)
    assert str(info.value) == (
        f"[data] csv {str(path)!r} row 150002, column 2 ('b'): must be a number; got 'oops'."
    )


def test_a_big_file_reads_every_row(tmp_path):
    rng = np.random.RandomState(0)
    values = rng.uniform(-1, 1, size=(50_000, 4))
    path = tmp_path / "big.csv"
    path.write_text(
        "w,x,z,y\n" + "\n".join(",".join(repr(v) for v in row) for row in values.tolist())
    )
    data = csvfile.read_csv(path)
    assert np.array_equal(np.hstack([data.X, data.y]), values)  # repr round-trips exactly


def test_a_quoted_header_keeps_the_fast_body_and_quoted_cells_still_read(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('"a","b"\n1,2\n3,4\n')
    assert csvfile.read_csv(path).input_names == ("a",)
    path.write_text('a,b\n"1",2\n3,"4"\n')
    assert csvfile.read_csv(path).y.ravel().tolist() == [2, 4]


def test_a_file_of_only_separators_is_empty(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(",,,\n,,,\n")
    with pytest.raises(DataError, match="is empty"):
        csvfile.read_csv(path)


def test_the_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile.files, "MAX_CSV_BYTES", 100)
    path = tmp_path / "d.csv"
    path.write_text("1,2\n" * 30)
    with pytest.raises(DataError) as info:
        csvfile.read_csv(path)
    assert str(info.value) == (
        f"[data] csv {str(path)!r}: is 120 bytes, more than the 100 bytes accepted; glassnet "
        f"trains on every row at once, in memory: use a sample of the rows."
    )


# --------------------------------------------------------------------------- the shapes people save


SEED_ROWS = [[0, 0, 1, 0], [0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 1, 1]]


def write(tmp_path, content: str | bytes, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def seed_text(sep: str = ",", header: str | None = "x1,x2,x3,y", newline: str = "\n") -> str:
    lines = ([header.replace(",", sep)] if header else []) + [
        sep.join(str(v) for v in row) for row in SEED_ROWS
    ]
    return newline.join(lines) + newline


@pytest.mark.parametrize(
    "content",
    [
        seed_text(),
        seed_text(header=None),
        seed_text(newline="\r\n"),  # Windows line ends
        "\ufeff" + seed_text(),  # UTF-8 byte-order mark (Excel)
        seed_text().encode("utf-16"),  # UTF-16 with its BOM
        seed_text(sep=";"),
        seed_text(sep="\t"),
        seed_text(sep=" ", header="x1 x2 x3 y").replace(" ", "   "),  # runs of spaces
        "\n\n" + seed_text().replace("\n", "\n\n"),  # blank lines
        seed_text().replace("0,", ' "0" ,'),  # quoted cells, spaces around
        "x1,x2,x3,y\n0.0,0e0,1.000,-0\n0,1,1,0\n1,0,1,1\n1,1,1,1\n",
        "sep=;\n" + seed_text(sep=";"),  # Excel's separator line
    ],
    ids=[
        "header",
        "no-header",
        "crlf",
        "utf8-bom",
        "utf16",
        "semicolons",
        "tabs",
        "spaces",
        "blank-lines",
        "quoted",
        "number-spellings",
        "excel-sep-line",
    ],
)
def test_accepted_shapes_read_as_the_seed_data(tmp_path, content):
    data = read_csv(write(tmp_path, content))
    assert data.X.tolist() == [row[:3] for row in SEED_ROWS]
    assert data.y.ravel().tolist() == [row[3] for row in SEED_ROWS]
    assert data.X.dtype == np.float64


def test_header_names_and_named_targets(tmp_path):
    path = write(tmp_path, "label,a,b,other\n1,0,0,0.5\n0,1,1,0.25\n")
    data = read_csv(path, ["label", "other"])
    assert data.input_names == ("a", "b") and data.target_names == ("label", "other")
    assert data.X.tolist() == [[0, 0], [1, 1]]
    assert data.y.tolist() == [[1, 0.5], [0, 0.25]]


def test_without_a_header_the_last_column_is_the_target(tmp_path):
    data = read_csv(write(tmp_path, "1,2,3\n4,5,6\n"))
    assert data.input_names == ("column1", "column2") and data.target_names == ("column3",)
    assert data.y.ravel().tolist() == [3, 6]


def test_a_single_row_trains(tmp_path):
    write(tmp_path, "x1,x2,y\n0.5,1,1\n")
    run = glassnet.Experiment(csv=str(tmp_path / "data.csv"), iterations=5).run()
    assert run.data.n_samples == 1 and run.network.sizes == (2, 1)
    assert np.all(np.isfinite(run.history.loss))


def test_csv_from_an_experiment_file_is_relative_to_it(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", seed_text())
    (tmp_path / "sub" / "exp.toml").write_text(
        '[data]\ncsv = "data.csv"\n[train]\niterations = 3\n'
    )
    monkeypatch.chdir(tmp_path)
    run = glassnet.Experiment("sub/exp.toml").run()
    assert run.data.X.shape == (4, 3)


def test_error_rows_are_the_line_numbers_an_editor_shows(tmp_path):
    # line 1 header, 2 blank, 3 data, 4 blank, 5 bad
    path = write(tmp_path, "a,b\n\n1,2\n\n3,x\n")
    with pytest.raises(DataError, match=r"row 5, column 2 \('b'\): must be a number; got 'x'"):
        read_csv(path)


def test_quoted_newline_keeps_later_line_numbers_right(tmp_path):
    path = write(tmp_path, 'a,"b\nc"\n1,2\n3,oops\n')
    with pytest.raises(DataError, match=r"row 4, column 2"):
        read_csv(path)
