"""During training: saturation and divergence are reported once, clearly, and nothing is lost.

* A learning rate of 1e6 on the seed data saturates the sigmoid at iteration
  #1: reported once (iteration, layer, "exactly 0 or 1", gradients vanished,
  a smaller learning rate), recorded in ``--json`` as ``saturated``, exit 0,
  and no raw numpy warning even under ``-W error``.
* Binary cross-entropy on that saturated output has an infinite loss: the
  run stops at that first bad iteration (exit 3) with the cause in words,
  the loss is recorded as ``Infinity`` (never NaN), and the run up to there
  is printed and saved.
* Overflowing weights (linear layers, a huge step) stop the run the same
  way, naming the layer.
* The same experiment gives byte-identical JSON in separate processes.

Each module's own part is a unit test: the saturated iteration in
unit/test_training.py, the stop's message in unit/test_diagnosis.py, the
versions a run file records in unit/test_serialize.py and the same stop on
every engine in unit/test_engines.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.errors import EXIT_DIVERGED, EXIT_OK
from glassnet.network import forward


def run_cli(*args: str) -> tuple[int, str, str]:
    """The command line in-process with every warning turned into an error."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with (
            np.errstate(all="raise", under="ignore"),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def subprocess_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "glassnet", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


# --------------------------------------------------------------------------- saturation


def test_learning_rate_1e6_reports_saturation_once(tmp_path):
    out_json = tmp_path / "run.json"
    code, out, err = run_cli(
        "run", "--learning-rate", "1e6", "--iterations", "300", "--json", str(out_json)
    )
    assert code == EXIT_OK, err
    assert err.count("saturated") == 1 and (out + err).count("saturated") == 1, err
    assert err.count("\n") == 1 and err.startswith(
        "glassnet: warning: sigmoid saturated at iteration #1 (layer 0)"
    )
    for fragment in [
        "4 of 4 outputs are exactly 0 or 1",
        "a*(1-a) is 0",
        "gradients",
        "vanished",
        "learning rate 1e+06 is likely too large",
        "learning_rate = 1",
    ]:
        assert fragment in err, fragment
    assert "Warning" not in err and "RuntimeWarning" not in out
    doc = json.loads(out_json.read_text())
    assert doc["saturated"] == {"iteration": 1, "layer": 0}
    assert doc["stopped"] is None


def test_raw_numpy_warnings_never_leak_in_a_fresh_process(tmp_path):
    proc = subprocess_cli(
        "run", "--learning-rate", "1e6", "--iterations", "200", "--json", str(tmp_path / "r.json")
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "Warning" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "saturated at iteration #1" in proc.stderr


def test_python_api_is_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for settings in [
            {"learning_rate": 1e6},
            {"learning_rate": 1e6, "loss": "binary_cross_entropy"},
            {"learning_rate": 1e3, "activation": "linear", "layers": [3, 4, 1]},
            {
                "learning_rate": 1e6,
                "activation": ["tanh", "sigmoid"],
                "layers": [3, 4, 1],
                "bias": True,
            },
        ]:
            run = glassnet.Experiment(iterations=100, **settings).run(engine="numpy")
            run.step(run.iterations)  # replaying the last iteration is quiet too
            from glassnet.diagnosis import format_saturation, format_stop
            from glassnet.explain.summary import format_summary
            from glassnet.serialize import dumps, run_to_dict

            doc = run_to_dict(run, [0, run.iterations])
            dumps(doc)
            # The recorded losses are numbers or an honest Infinity, never NaN (the traced
            # step of a stopped iteration may show inf * 0 = NaN in its unapplied update).
            assert "NaN" not in json.dumps([doc["history"], doc["final"]["loss"]])
            format_summary(run, [0, run.iterations]), format_saturation(run), format_stop(run)


# --------------------------------------------------------------------------- stopping


def test_binary_cross_entropy_on_a_saturated_output_stops_with_an_infinite_loss(tmp_path):
    out_json = tmp_path / "run.json"
    code, out, err = run_cli(
        "run",
        "--learning-rate",
        "1e6",
        "--loss",
        "binary_cross_entropy",
        "--iterations",
        "1000",
        "--json",
        str(out_json),
    )
    assert code == EXIT_DIVERGED == 3
    assert err.count("\n") == 1, err  # the stop, caused by the saturation, is reported once
    for fragment in [
        "training stopped at iteration #1 (layer 0, sigmoid)",
        "the loss (binary_cross_entropy) is inf",
        "saturated",
        "exactly 1 while its target is 0",
        "ln(1 - a) = ln(0) = -inf",
        "learning_rate = 1",
        "iterations #0..#1 are recorded",
    ]:
        assert fragment in err, fragment
    assert "nan" not in (out + err).lower()
    assert "wrote" in out and "#1" in out  # the summary of the partial run is still printed
    doc = json.loads(out_json.read_text())
    assert doc["stopped"] == {"iteration": 1, "layer": 0, "reason": "loss is not finite"}
    assert doc["saturated"] == {"iteration": 1, "layer": 0}
    assert doc["iterations"] == 1
    assert doc["history"]["loss"][0] == pytest.approx(2.5752413867262463, rel=1e-15)
    assert doc["history"]["loss"][1] == "Infinity"
    assert doc["final"]["loss"] == "Infinity"
    again = glassnet.load(out_json)
    assert (
        again.stop
        == glassnet.Experiment(learning_rate=1e6, loss="binary_cross_entropy", iterations=1000)
        .run(engine="numpy")
        .stop
    )


def test_overflow_stops_at_the_first_bad_iteration_naming_the_layer(tmp_path):
    out_json = tmp_path / "run.json"
    code, _out, err = run_cli(
        "run",
        "--learning-rate",
        "1000",
        "--activation",
        "linear",
        "--layers",
        "3,4,1",
        "--iterations",
        "1000",
        "--json",
        str(out_json),
    )
    assert code == EXIT_DIVERGED
    assert "training stopped at iteration #4 (layer 1, linear)" in err
    assert "overflows float64" in err and "learning rate 1000 is likely too large" in err
    doc = json.loads(out_json.read_text())
    loss = doc["history"]["loss"]
    assert len(loss) == 5 and all(isinstance(v, float) and math.isfinite(v) for v in loss[:4])
    assert loss[4] == "Infinity"
    # Independently: iteration #3's weights (after 3 updates) give a finite loss, #4's do not.
    run = glassnet.load(out_json)
    for k, finite in [(3, True), (4, False)]:
        with np.errstate(all="ignore"):
            _, acts = forward(run.network, run.weights_at(k), run.data.X)
            value = run.network.loss.fn(run.data.y, acts[-1])
        assert math.isfinite(value) is finite


def test_stopped_run_exit_code_in_a_fresh_process(tmp_path):
    proc = subprocess_cli(
        "run",
        "--learning-rate",
        "1e6",
        "--loss",
        "binary_cross_entropy",
        "--iterations",
        "10",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    assert (tmp_path / "r.json").exists()


# --------------------------------------------------------------------------- determinism


def test_json_is_byte_identical_across_processes_and_hash_seeds(tmp_path):
    args = [
        "run",
        "--dataset",
        "xor",
        "--layers",
        "3,4,1",
        "--activation",
        "tanh,sigmoid",
        "--bias",
        "--seed",
        "7",
        "--iterations",
        "500",
        "--trace",
        "0,1,499",
    ]
    outputs = []
    for i, hash_seed in enumerate(["0", "12345"]):
        path = tmp_path / f"{i}.json"
        proc = subprocess_cli(*args, "--json", str(path), env={"PYTHONHASHSEED": hash_seed})
        assert proc.returncode == 0, proc.stderr
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    # ... and the same bytes as this process makes, and as a save of the loaded run.
    run = glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        activation=["tanh", "sigmoid"],
        bias=True,
        seed=7,
        iterations=500,
    ).run()
    here = tmp_path / "here.json"
    run.to_json(str(here), trace=[0, 1, 499])
    assert here.read_bytes() == outputs[0]
    reloaded = tmp_path / "reloaded.json"
    glassnet.load(here).to_json(str(reloaded), trace=[0, 1, 499])
    assert reloaded.read_bytes() == outputs[0]


def test_a_stopped_run_is_deterministic_too(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for p in paths:
        subprocess_cli(
            "run",
            "--learning-rate",
            "1000",
            "--activation",
            "linear",
            "--layers",
            "3,4,1",
            "--iterations",
            "100",
            "--json",
            str(p),
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
