"""glassnet compare: two saved runs compared on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

import glassnet
from glassnet.cli import main


def short(**settings: object) -> glassnet.Run:
    return glassnet.Experiment(**{"iterations": 300, **settings}).run(engine="numpy")


@pytest.fixture(scope="module")
def base() -> glassnet.Run:
    return short()


def test_cli_compare(
    base: glassnet.Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, png = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "curves.png"
    base.to_json(str(a))
    short(learning_rate=0.5).to_json(str(b))
    assert main(["compare", str(a), str(b), "--out", str(png), "--decimals", "4"]) == 0
    out = capsys.readouterr().out
    assert "first difference: iteration #1: the weights differ" in out
    assert "error sum of #1: a.json 1.6726, b.json 1.7469" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "x.gif")]) == 2
    assert "--out must end in .png, .svg or .pdf" in capsys.readouterr().err
    # the old spelling still works, with a note on stderr
    assert main(["compare", str(a), str(b), "--digits", "4"]) == 0
    out, err = capsys.readouterr()
    assert "error sum of #1: a.json 1.6726, b.json 1.7469" in out
    assert err == (
        "glassnet: note: --digits is now --decimals (--digits means significant digits in "
        "glassnet explain); --digits still works.\n"
    )
    assert main(["compare", str(a), str(tmp_path / "missing.json")]) == 2
    assert "not found" in capsys.readouterr().err
