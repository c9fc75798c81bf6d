"""``glassnet plot``, ``glassnet report`` and ``glassnet`` (demo) writing pictures and the page."""

from __future__ import annotations

import re

from glassnet.cli import COMMANDS, main


def test_plot_and_report_are_commands():
    assert COMMANDS["plot"] == "plot:plot" and COMMANDS["report"] == "report:report"


def test_plot_command_writes_every_kind(tmp_path, capsys):
    out = tmp_path / "plots"
    code = main(["plot", "--iterations", "1000", "--engine", "numpy", "--out", str(out)])
    assert code == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{k}.png" for k in ("error", "weights", "landscape", "predictions"))
    stdout = capsys.readouterr().out
    assert re.search(r"elbow near iteration ~\d+", stdout)
    assert stdout.count("wrote ") == 4


def test_plot_command_writes_svg_on_request(tmp_path, capsys):
    out = tmp_path / "plots"
    assert main(["plot", "--iterations", "300", "--engine", "numpy", "-o", str(out), "--svg"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        f"{k}.{f}" for k in ("error", "weights", "landscape", "predictions") for f in ("png", "svg")
    )
    assert f"wrote {out / 'error.svg'}" in capsys.readouterr().out


def test_report_command_from_a_saved_run(tmp_path, capsys):
    saved = tmp_path / "run.json"
    assert main(["run", "--iterations", "300", "--engine", "numpy", "--json", str(saved)]) == 0
    capsys.readouterr()
    page = tmp_path / "r.html"
    assert main(["report", str(saved), "-o", str(page)]) == 0
    assert "wrote" in capsys.readouterr().out
    text = page.read_text(encoding="utf-8")
    assert '"iterations":300' in text and "http://" not in text and "https://" not in text


def test_saved_run_cannot_take_overrides(tmp_path, capsys):
    saved = tmp_path / "run.json"
    main(["run", "--iterations", "50", "--engine", "numpy", "--json", str(saved)])
    capsys.readouterr()
    assert main(["plot", str(saved), "--seed", "3", "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--seed" in err


def test_report_refuses_a_missing_folder_before_training(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "missing" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet: error: cannot write the report") and err.count("\n") == 1


def test_demo_writes_the_seed_runs_plots_and_report(tmp_path, capsys):
    out = tmp_path / "glassnet-output"
    assert main(["demo", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "ITERATION #1" in stdout.upper()
    assert f"{out}/report.html" in stdout
    assert (out / "report.html").stat().st_size < 2_000_000
    assert {p.name for p in out.iterdir()} == {
        "report.html",
        "error.png",
        "weights.png",
        "landscape.png",
        "predictions.png",
    }
    assert f"  {out}/error.png\n" in stdout  # PNG only: no "(and error.svg)"
    assert ".svg" not in stdout
