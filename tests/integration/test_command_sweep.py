"""glassnet sweep: the distributions printed, the table, history and plots written, bad settings
refused in one line, and a compiled sweep without numba.
"""

from __future__ import annotations

import csv
import json

import pytest

import glassnet
from glassnet.cli import main

pytest.importorskip("numba")


def test_cli_prints_distributions_and_writes_table_and_plots(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "sweep",
            "--seeds",
            "0:30",
            "--iterations",
            "300",
            "--learning-rates",
            "0.5,1",
            "--target-error",
            "0.9",
            "--out",
            str(out),
            "--history-every",
            "100",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "sweep: 60 networks (30 seeds 0..29 x 2 learning rates), 300 iterations each" in text
    assert "W0[0,0]" in text and "iterations to target" in text and "learning rate 0.5:" in text
    with open(out / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60 and rows[1]["seed"] == "0" and rows[1]["learning_rate"] == "1.0"
    document = json.loads((out / "sweep.json").read_text())
    assert document["iterations"] == 300 and len(document["networks"]["seed"]) == 60
    assert document["summaries"][0]["weights"][0]["name"] == "W0[0,0]"
    assert float(rows[3]["W0[0,0]"]) == document["networks"]["W0[0,0]"][3]
    with open(out / "error_history.csv", newline="") as handle:
        history = list(csv.reader(handle))
    assert history[0] == [
        "seed", "learning_rate", "optimizer", "batch_size", "#0", "#100", "#200",
    ]  # fmt: skip
    assert len(history) == 61 and history[1][2:4] == ["gd", "0"]
    first = glassnet.Experiment(seed=0, iterations=1, learning_rate=0.5).run(engine="numpy")
    assert float(history[1][4]) == pytest.approx(first.history.error_sum[0], rel=1e-12)
    for png in ("weights_histograms.png", "weight1_vs_weight3.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_rejects_seed_and_bad_seeds(capsys):
    assert main(["sweep", "--seed", "3"]) == 2
    assert main(["sweep", "--seeds", "x"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "--seeds" in err[0] and "--seeds must be START:STOP" in err[1]


def test_without_numba_a_compiled_sweep_trains_with_numpy_after_one_note(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['numba'] = None\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    code = (
        "from glassnet.cli import main; raise SystemExit(main(['sweep', '--seeds', '0:3', "
        "'--iterations', '50', '--engine', 'compiled']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and notes[0].startswith(
        "glassnet: note: the compiled engine is not available"
    )
    assert "numpy engine" in result.stdout.splitlines()[0]


def test_summaries_and_outputs_name_the_optimizer_and_the_batch_size(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "sweep", "--seeds", "0:3", "--iterations", "50", "--learning-rates", "0.5,1",
            "--optimizers", "gd,adam", "--batch-sizes", "full,2", "--engine", "numpy",
            "--out", str(out), "--history-every", "25",
        ]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0
    assert "(3 seeds 0..2 x 2 learning rates x 2 optimizers x 2 batch sizes)" in text
    assert "\ngd, full batch, learning rate 0.5: 3 networks" in text
    assert "\nadam, batch size 2, learning rate 1: 3 networks" in text
    with open(out / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24
    assert [(r["optimizer"], r["batch_size"]) for r in rows[::6]] == [
        ("gd", "0"), ("gd", "2"), ("adam", "0"), ("adam", "2"),
    ]  # fmt: skip
    document = json.loads((out / "sweep.json").read_text())
    assert [(s["optimizer"], s["batch_size"], s["learning_rate"]) for s in document["summaries"]][
        :3
    ] == [("gd", 0, 0.5), ("gd", 0, 1.0), ("gd", 2, 0.5)]
    assert (
        document["networks"]["optimizer"][6] == "gd" and document["networks"]["batch_size"][6] == 2
    )
    with open(out / "error_history.csv", newline="") as handle:
        history = list(csv.reader(handle))
    assert history[0][:5] == ["seed", "learning_rate", "optimizer", "batch_size", "#0"]
    assert history[13][2:4] == ["adam", "0"]
