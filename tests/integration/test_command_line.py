"""The command line: the default walkthrough, `run`, JSON output, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from glassnet.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_no_arguments_prints_the_seed_walkthrough(capsys):
    code, out, err = run_cli(capsys)
    assert code == 0, err
    for text in [
        "ITERATION #0",
        "ITERATION #1",
        "w1 (from x1)   .3929",
        "1/(1+e^-(-.5463)) = .3667",  # initial weight, a #0 prediction
        "w1 (from x1)   .6742",  # #1 weights
        "(0 * .6742) + (1 * -.3347) + (1 * -.4047) = -.7394",  # a #1 dot product
        "1/(1+e^-(-.4047)) = .4002",
        "1 - .4837 =  .5163",  # a #1 prediction and an error
        "= 1.8204",
        "= 1.6726",  # the sums of absolute errors
        "sum of absolute errors: 1.82 -> 1.67 (down .15)",
        "they all went up",
        "w1:   .6742 + .2352 =  .9095",  # post-update weight of #1
        "w1:  (0 * -.0961) + (0 * -.0707) + (1 * .1063) + (1 * .1289) = +.2352",
        "10,000      #9999                  .03182",
        "100,000     #99999                 .009950",
        "(1 * 12.01) + (1 * -.20) + (1 * -5.80) =  6.00",  # the final state
        "1/(1+e^-( 6.21)) = .9980",
        # The notebook-style print at full precision (the post's own numbers, 1e-8).
        "weights W0: [[ 0.39293837] [-0.42772133] [-0.54629709]]",
        "l1 probability predictions (sigmoid): [[0.36672394] [0.27408027] [0.46173529] [0.35868411]]",
        "post-update weights W0: [[ 0.67423821] [-0.33473064] [-0.40469539]]",
        "l1 dot product results: [[-0.40469539] [-0.73942603] [ 0.26954282] [-0.06518782]]",
        "l1 probability predictions (sigmoid): [[0.40018475] [0.32312967] [0.56698066] [0.48370881]]",
        "l1_error: [[-0.40018475] [-0.32312967] [ 0.43301934] [ 0.51629119]]",
        "sum of absolute errors: 1.82038481",
        "sum of absolute errors: 1.67262494",
        "post-update weights W0: [[ 0.90948611] [-0.27646878] [-0.33618051]]",
        "error after 10,000 iterations (#9999): 0.03181991",
        "error after 100,000 iterations (#99999): 0.00994979",
        "weights W0 (after 100,000 iterations): [[12.00871622] [-0.20447873] [-5.80024997]]",
    ]:
        assert text in out, text


def test_run_with_a_file_and_json(tmp_path, capsys):
    exp = tmp_path / "xor.toml"
    exp.write_text(
        '[data]\ndataset = "xor"\n[network]\nlayers = [3, 4, 1]\n'
        "[init]\nseed = 1\n[train]\niterations = 600\n"
    )
    out_json = tmp_path / "out.json"
    code, out, err = run_cli(capsys, "run", str(exp), "--trace", "0,1,599", "--json", str(out_json))
    assert code == 0, err
    assert "iteration #599" in out
    doc = json.loads(out_json.read_text())
    assert set(doc) >= {"config", "iterations", "initial", "final", "history", "steps"}
    assert doc["config"]["network"]["layers"] == [3, 4, 1]
    assert [s["iteration"] for s in doc["steps"]] == [0, 1, 599]
    assert len(doc["steps"][0]["weights"]) == 2
    assert len(doc["history"]["error_sum"]) == 600
    assert (
        doc["steps"][0]["error_sum"] * 0 == 0
        and abs(doc["history"]["error_sum"][0] / 4 - 0.496410031903) < 1e-12
    )


def test_run_without_a_file(capsys, tmp_path):
    out_json = tmp_path / "o.json"
    code, _out, err = run_cli(
        capsys,
        "run",
        "--dataset",
        "xor",
        "--layers",
        "3,4,1",
        "--seed",
        "1",
        "--iterations",
        "60000",
        "--json",
        str(out_json),
    )
    assert code == 0, err
    doc = json.loads(out_json.read_text())
    assert doc["config"]["init"]["seed"] == 1
    assert [round(p[0], 8) for p in doc["final"]["predictions"]] != []


def test_json_is_byte_identical_across_processes(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for p in paths:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "glassnet",
                "run",
                "--iterations",
                "300",
                "--trace",
                "0,299",
                "--json",
                str(p),
            ],
            check=True,
            capture_output=True,
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()


BAD_FILES = {
    "unknown key": (
        "[train]\nlearning_rte = 1.0\n",
        ["learning_rte", "Did you mean 'learning_rate'?"],
    ),
    "unknown section": ("[trian]\niterations = 5\n", ["[trian]", "Did you mean 'train'?"]),
    "wrong shape of weights": (
        "[init]\nweights = [[[1.0, 2.0]]]\n",
        ["weights[0]", "(1, 2)", "(3, 1)"],
    ),
    "layers do not match data": (
        "[network]\nlayers = [4, 1]\n",
        ["layers[0] is 4", "3 input columns"],
    ),
    "non-numeric input": (
        '[data]\ninputs = [[0, "a", 1]]\ntargets = [[0]]\n',
        ["[data] inputs[0][1]", "'a'"],
    ),
    "nan input": ("[data]\ninputs = [[0, nan, 1]]\ntargets = [[0]]\n", ["finite", "nan"]),
    "iterations zero": ("[train]\niterations = 0\n", ["[train] iterations", "got 0"]),
    "iterations negative": ("[train]\niterations = -5\n", ["[train] iterations", "got -5"]),
    "learning rate zero": (
        "[train]\nlearning_rate = 0\n",
        ["[train] learning_rate", "> 0", "got 0"],
    ),
    "learning rate negative": ("[train]\nlearning_rate = -1.5\n", ["learning_rate", "got -1.5"]),
    "unknown activation": (
        '[network]\nactivation = "sigmod"\n',
        ["activation", "'sigmod'", "sigmoid"],
    ),
    "wrong type": ('[train]\niterations = "many"\n', ["iterations", "'many'"]),
    "seed and weights": (
        "[init]\nseed = 1\nweights = [[[1.0], [2.0], [3.0]]]\n",
        ["seed", "weights", "not both"],
    ),
    "toml syntax": ("[train\niterations = 5\n", ["not valid TOML", "line 1"]),
    "bce needs sigmoid": (
        '[network]\nactivation = "tanh"\n[train]\nloss = "binary_cross_entropy"\n',
        ["sigmoid output"],
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_experiment_files_get_one_line_and_exit_2(name, tmp_path, capsys):
    text, expected = BAD_FILES[name]
    exp = tmp_path / "bad.toml"
    exp.write_text(text)
    out_json = tmp_path / "out.json"
    code, _out, err = run_cli(capsys, "run", str(exp), "--json", str(out_json))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("glassnet: error: "), err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert not out_json.exists()


@pytest.mark.parametrize(
    "args,expected",
    [
        (["run", "--iterations", "0"], "iterations"),
        (["run", "--learning-rate", "-1"], "learning_rate"),
        (["run", "--layers", "3,x,1"], "--layers"),
        (["run", "--activation", "softmax"], "activation"),
        (["run", "--dataset", "xnor"], "dataset"),
        (["run", "--iterations", "ten"], "--iterations"),
        (["run", "missing.toml"], "not found"),
        (["run", "--trace", "5", "--iterations", "3"], "--trace"),
        (["rnu"], "Did you mean 'run'?"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(args, expected, capsys):
    code, _out, err = run_cli(capsys, *args)
    assert code == 2, (code, err)
    assert err.count("\n") == 1, err
    assert expected in err, err
    assert "Traceback" not in err


def test_console_script_has_no_traceback_on_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\nlearning_rate = -1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "glassnet", "run", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_explain_of_a_stopped_run_reports_once_and_exits_3(capsys):
    code, out, err = run_cli(
        capsys,
        "explain",
        "--learning-rate",
        "1e6",
        "--loss",
        "binary_cross_entropy",
        "--iteration",
        "1",
        "--format",
        "text",
    )
    assert code == 3
    assert "ITERATION #1" in out
    assert err.count("\n") == 1 and "stopped at iteration #1" in err and "ln(0)" in err


def test_run_summary_shows_held_out_figures_and_stays_short(capsys):
    code, out, err = run_cli(
        capsys,
        "run",
        "--dataset",
        "iris",
        "--standardize",
        "--test-fraction",
        "0.2",
        "--layers",
        "4,5,3",
        "--iterations",
        "20",
        "--learning-rate",
        "0.01",
    )
    assert code == 0, err
    assert "held-out test: 30 examples" in out and "test error sum" in out
    assert len(out.splitlines()) < 60  # 120 predictions are summarized, not all printed


def test_the_console_script_prints_everything_main_prints(tmp_path, capsys):
    """The console script ends with finish() (os._exit after flushing): not a byte is lost,
    whether stdout is a pipe or a file."""
    code, expected, _ = run_cli(capsys, "explain", "--iteration", "1")
    assert code == 0
    piped = subprocess.run(
        [sys.executable, "-m", "glassnet", "explain", "--iteration", "1"],
        capture_output=True,
        text=True,
    )
    assert (piped.returncode, piped.stdout) == (0, expected)
    target = tmp_path / "out.txt"
    with target.open("w") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "glassnet", "explain", "--iteration", "1"], stdout=handle
        )
    assert done.returncode == 0
    assert target.read_text() == expected


FINISH = """
import atexit, sys, tempfile, threading, time
from pathlib import Path
from glassnet.cli import finish
folder = tempfile.TemporaryDirectory()  # removed by its finalizer at exit
Path(sys.argv[1]).write_text(folder.name)
atexit.register(lambda: print("atexit ran", flush=False))
print("buffered", end="; ")
if sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done", end="; "))).start()
finish(int(sys.argv[3]))
print("not reached")
"""


@pytest.mark.parametrize("thread", ["none", "thread"])
def test_finish_flushes_runs_atexit_and_keeps_the_exit_code(tmp_path, thread):
    note = tmp_path / "folder.txt"
    proc = subprocess.run(
        [sys.executable, "-c", FINISH, str(note), thread, "7"], capture_output=True, text=True
    )
    assert proc.returncode == 7
    middle = "thread done; " if thread == "thread" else ""  # a running thread is waited for
    assert proc.stdout == f"buffered; {middle}atexit ran\n"
    assert not Path(note.read_text()).exists()  # the temporary folder's finalizer ran
