"""Valid input never crashes ``plot``, ``report`` or ``glassnet`` (issue 11, the renderer side).

- User text reaches matplotlib escaped: a CSV column named ``$\\foo$`` (math
  text matplotlib cannot parse) or any other odd name draws as written.
- Every output path is checked before training: a target that is a folder,
  a folder that is a file, a folder that cannot be written; each a one-line
  ``glassnet: error: ...`` naming the path, exit code 2, nothing trained.
- Writing is all or nothing: a full disk halfway leaves no plot behind and
  no temporary file, and is the same one line.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

import glassnet
from glassnet.cli import main
from glassnet.plots import _files

NAMES = [
    r"$\foo$",
    "$x$",
    "_",
    "%",
    "{",
    "a\nb",
    "^",
    "\\",
    "x" * 2_000,
    "naïve €",
]


def csv_with_columns(folder: Path, first: str, second: str = "b") -> Path:
    def cell(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    path = folder / "data.csv"
    rows = ["0,0,0", "0,1,1", "1,0,1", "1,1,0"]
    path.write_text(",".join([cell(first), cell(second), "target"]) + "\n" + "\n".join(rows) + "\n")
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.match(r"glassnet( \w+)?: error: ", err), err
    assert "Traceback" not in err
    return err


@pytest.fixture
def no_training(monkeypatch):
    """Training fails loudly: a check that happens after it shows up as this error."""

    def refuse(*args, **kwargs):
        raise AssertionError("trained before checking the outputs")

    monkeypatch.setattr(glassnet.Experiment, "run", refuse)


# ---- user text is escaped ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES, ids=lambda n: repr(n[:12]))
def test_plot_and_report_draw_any_column_name(tmp_path, capsys, name):
    data = csv_with_columns(tmp_path, name)
    out = tmp_path / "plots"
    args = ["--csv", str(data), "--iterations", "200", "--engine", "numpy"]
    assert main(["plot", *args, "-o", str(out)]) == 0, capsys.readouterr().err
    # two input columns: a plane, whose boundary plot names its axes after them
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{k}.png" for k in ("error", "weights", "landscape", "predictions", "boundary")
    )
    page = tmp_path / "report.html"
    assert main(["report", *args, "-o", str(page)]) == 0, capsys.readouterr().err
    assert page.stat().st_size > 10_000


def test_an_escaped_name_is_shown_as_written(tmp_path):
    from glassnet.plots import plot

    data = csv_with_columns(tmp_path, r"$\foo$", "50$ and 20$")
    run = glassnet.Experiment(csv=str(data), iterations=50).run(engine="numpy")
    fig = plot(run, "weights")
    import io

    fig.savefig(io.BytesIO(), format="png", dpi=30)
    shown = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    # matplotlib's text keeps the escapes; what it draws is the name itself
    assert any(r"input \$\foo\$" in text for text in shown), shown
    # the boundary plot's axes are the two columns, named as written
    fig = plot(run, "boundary", resolution=5)
    fig.savefig(io.BytesIO(), format="png", dpi=30)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (r"\$\foo\$", r"50\$ and 20\$")
    from glassnet.plots._style import escape

    assert escape(r"$\foo$") == r"\$\foo\$" and escape("no dollars") == "no dollars"


# ---- outputs are checked before training ------------------------------------------------


def test_plot_refuses_a_target_that_is_a_folder_before_training(tmp_path, capsys, no_training):
    out = tmp_path / "plots"
    (out / "error.png").mkdir(parents=True)
    assert main(["plot", "-o", str(out)]) == 2
    err = one_error_line(capsys)
    assert f"{out / 'error.png'}" in err and "is a folder" in err
    assert sorted(p.name for p in out.iterdir()) == ["error.png"]


def test_plot_refuses_a_folder_under_a_file_before_training(tmp_path, capsys, no_training):
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["plot", "-o", str(tmp_path / "a-file" / "plots")]) == 2
    err = one_error_line(capsys)
    assert "a-file" in err and "is a file, not a folder" in err


def test_report_refuses_a_folder_as_its_file_before_training(tmp_path, capsys, no_training):
    assert main(["report", "-o", str(tmp_path)]) == 2  # click's own check of --out
    err = one_error_line(capsys)
    assert str(tmp_path) in err and "is a directory" in err


def test_report_takes_its_old_spelling_output_with_a_note(tmp_path, capsys, no_training):
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["report", "--output", str(tmp_path / "a-file" / "r.html")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "glassnet: note: --output is now --out; --output still works."
    assert "a-file" in err[1] and "is a file, not a folder" in err[1] and len(err) == 2


def test_report_refuses_a_file_as_its_folder_before_training(tmp_path, capsys, no_training):
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["report", "-o", str(tmp_path / "a-file" / "r.html")]) == 2
    err = one_error_line(capsys)
    assert "a-file" in err and "is a file, not a folder" in err


def test_demo_refuses_an_output_that_is_a_file_before_training(tmp_path, capsys, no_training):
    (tmp_path / "out").write_text("a file where the folder should be")
    assert main(["demo", "--out", str(tmp_path / "out")]) == 2  # click's own check of --out
    assert "is a file" in one_error_line(capsys)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "report.html").mkdir()
    assert main(["demo", "--out", str(tmp_path / "folder")]) == 2
    err = one_error_line(capsys)
    assert "report.html" in err and "is a folder" in err


@pytest.fixture
def unwritable(monkeypatch):
    """Creating a file fails as in a read-only folder (EACCES), even for root, who may write anywhere."""
    real = _files.tempfile.mkstemp

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(_files.tempfile, "mkstemp", refuse)
    return real


@pytest.mark.parametrize(
    "command",
    [
        ["plot", "-o", "{dir}/plots"],
        ["plot", "-o", "{dir}"],
        ["report", "-o", "{dir}/r.html"],
        ["demo", "--out", "{dir}/out"],
        ["plot", "--svg", "-o", "{dir}/new/deeper"],
    ],
)
def test_a_read_only_folder_is_refused_before_training(
    tmp_path, capsys, no_training, unwritable, command
):
    args = [part.format(dir=tmp_path) for part in command]
    assert main(args) == 2
    err = one_error_line(capsys)
    assert str(tmp_path) in err and "Permission denied" in err


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_a_real_read_only_folder_is_refused_before_training(tmp_path, capsys, no_training):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["report", "-o", str(locked / "r.html")]) == 2
        assert "Permission denied" in one_error_line(capsys)
        assert main(["plot", "-o", str(locked / "plots")]) == 2
        assert str(locked) in one_error_line(capsys)
    finally:
        locked.chmod(0o755)


# ---- writing is all or nothing ----------------------------------------------------------


class FullDisk:
    """A file object whose writes fail once ``after`` files were written, like a disk filling up."""

    def __init__(self, after: int) -> None:
        self.left = after
        self.real = os.fdopen

    def __call__(self, fd, mode="r", *args, **kwargs):
        handle = self.real(fd, mode, *args, **kwargs)
        if "w" not in mode:
            return handle
        if self.left > 0:
            self.left -= 1
            return handle

        class Failing:
            def __enter__(self_inner):
                return self_inner

            def __exit__(self_inner, *exc):
                handle.close()
                return False

            def write(self_inner, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        return Failing()


@pytest.mark.parametrize("after", [0, 2])
def test_a_full_disk_leaves_no_partial_set_and_is_one_line(tmp_path, capsys, monkeypatch, after):
    monkeypatch.setattr(_files.os, "fdopen", FullDisk(after))
    out = tmp_path / "plots"
    assert main(["plot", "--iterations", "100", "--engine", "numpy", "-o", str(out)]) == 2
    err = one_error_line(capsys)
    assert "No space left on device" in err and str(out) in err
    assert list(out.iterdir()) == []  # neither plots nor temporary files


def test_a_full_disk_while_writing_the_report_leaves_the_old_report(tmp_path, capsys, monkeypatch):
    page = tmp_path / "r.html"
    page.write_text("the old report")
    monkeypatch.setattr(_files.os, "fdopen", FullDisk(0))
    assert main(["report", "--iterations", "100", "--engine", "numpy", "-o", str(page)]) == 2
    assert "No space left on device" in one_error_line(capsys)
    assert page.read_text() == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_a_failed_rename_is_one_line_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        os.rename(src, dst)

    monkeypatch.setattr(_files.os, "replace", replace)
    from glassnet.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cannot write '.*b\.png': Input/output error\."):
        _files.write_files({tmp_path / "a.png": b"a", tmp_path / "b.png": b"b"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_check_outputs_accepts_new_nested_folders_and_existing_files(tmp_path):
    (tmp_path / "old.png").write_bytes(b"old")
    _files.check_outputs([tmp_path / "old.png", tmp_path / "new" / "deeper" / "x.png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.png"]  # the probe left nothing
