"""CSV files that are fine, in the shapes people actually save them.

The bad ones are in ``tests/test_validation.py`` (with their messages);
here: what is accepted and what it reads as.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.data.csvfile import read_csv
from glassnet.errors import DataError

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
