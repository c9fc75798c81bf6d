"""Bad input, at the boundary: one line on stderr, exit 2, nothing written.

Every case below is a bad experiment file, CSV or command line. Each must get

* exit code 2 and exactly one line on stderr, ``glassnet: error: ...``,
  containing the expected fragments (the place, the rule, the value received,
  what is accepted), and never a traceback;
* no output file: ``--json out.json`` is on every command line, and neither
  ``out.json`` nor a temporary file is left behind;
* through the Python API, a :class:`~glassnet.errors.GlassnetError` whose
  message is the same line.

The table in ``docs/errors.md`` is generated from these cases and their real
messages; after changing a case or a message, regenerate it with::

    .venv/bin/python tests/integration/test_validation.py

(``test_docs_table_is_current`` fails until then if a case or fragment changed).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

import glassnet
import glassnet.memory
from glassnet.cli import main
from glassnet.errors import GlassnetError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
#: The memory the resource-limit case pretends to have (8 GB), so its message is stable.
FAKE_MEMORY = 8 * 10**9


@dataclass(frozen=True)
class Special:
    """A file that is not plain text: made by :func:`in_folder`, shown as ``shown``."""

    kind: str  # "fifo", "folder", "readonly", "hardlink", "sparse", "loop"
    shown: str
    content: bytes = b"{}"
    size: int = 0
    #: For "hardlink": the other name of the file.
    other: str = ""


@dataclass(frozen=True)
class Case:
    """A bad input: files to write, the command line, fragments its message must contain."""

    kind: str
    name: str
    args: tuple[str, ...]
    expect: tuple[str, ...]
    files: dict[str, str | bytes | Special | None] = field(default_factory=dict)
    #: Settings for ``Experiment("bad.toml", **api)``; ``None``: no API equivalent.
    api: dict | None = None
    #: Add ``--json out.json`` to a ``run`` (the memory case is shown without it:
    #: writing JSON needs memory too, and the API message would differ).
    json: bool = True
    #: A path the case needs (``/dev/full``); the case is skipped where it is missing.
    needs: str = ""
    #: What the docs table shows for the files instead of their content.
    note: str = ""


def toml(name: str, text: str, *expect: str) -> Case:
    return Case("experiment file", name, ("run", "bad.toml"), expect, {"bad.toml": text}, {})


def csv(name: str, content: str | bytes, *expect: str, extra: str = "") -> Case:
    return Case(
        "CSV file",
        name,
        ("run", "bad.toml"),
        expect,
        {"bad.toml": f'[data]\ncsv = "data.csv"\n{extra}', "data.csv": content},
        {},
    )


def cli(name: str, args: tuple[str, ...], *expect: str) -> Case:
    return Case("command line", name, args, expect)


def output(name: str, special: Special, *expect: str) -> Case:
    files: dict[str, str | bytes | Special | None] = {"out.json": special}
    if special.other:
        files[special.other] = None
    return Case("output file", name, ("run", "--iterations", "3"), expect, files)


def _saved_run() -> dict:
    """A small run as glassnet run --json writes it (the post's, 3 iterations)."""
    from glassnet.serialize import dumps

    return json.loads(dumps(glassnet.Experiment(iterations=3).run(engine="numpy").to_dict()))


SAVED = _saved_run()


def run_file(name: str, note: str, change, *expect: str, text: str | None = None) -> Case:
    """``glassnet compare run.json run.json`` on a saved run changed by ``change(doc)``."""
    doc = copy.deepcopy(SAVED)
    if change is not None:
        change(doc)
    content = text if text is not None else json.dumps(doc)
    return Case(
        "run file",
        name,
        ("compare", "run.json", "run.json"),
        expect,
        {"run.json": content},
        note=f"run.json: {note}",
    )


def _set(path: str, value):
    def change(doc: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            doc = doc[key]
        doc[last] = value(doc[last]) if callable(value) else value

    return change


CASES: list[Case] = [
    # --- experiment files (TOML) -------------------------------------------------
    toml("TOML syntax error", "[train\niterations = 5\n", "not valid TOML", "line 1, column 7"),
    toml("TOML: unquoted text", "[train]\nloss = half_squared_error\n", "not valid TOML", "line 2"),
    toml(
        "unknown key",
        "[train]\nlearning_rte = 1.0\n",
        "[train] has unknown key 'learning_rte'",
        "Did you mean 'learning_rate'?",
    ),
    toml("unknown section", "[trian]\niterations = 5\n", "[trian]", "Did you mean 'train'?"),
    toml("key in the wrong section", "[train]\nseed = 1\n", "'seed' belongs in [init]"),
    toml(
        "key outside any section",
        "iterations = 5\n",
        "'iterations' is outside any section",
        "[train]",
    ),
    toml(
        "iterations: text",
        '[train]\niterations = "many"\n',
        "[train] iterations must be a whole number",
        "got 'many'",
    ),
    toml("iterations: fraction", "[train]\niterations = 1.5\n", "[train] iterations", "got 1.5"),
    toml("iterations: zero", "[train]\niterations = 0\n", "[train] iterations", "from 1", "got 0"),
    toml("iterations: negative", "[train]\niterations = -5\n", "got -5"),
    toml(
        "learning rate: zero",
        "[train]\nlearning_rate = 0\n",
        "[train] learning_rate",
        "> 0",
        "got 0",
    ),
    toml("learning rate: negative", "[train]\nlearning_rate = -1.5\n", "got -1.5"),
    toml("learning rate: NaN", "[train]\nlearning_rate = nan\n", "finite", "got nan"),
    toml("learning rate: infinite", "[train]\nlearning_rate = inf\n", "finite", "got inf"),
    toml("learning rate: text", '[train]\nlearning_rate = "fast"\n', "learning_rate", "'fast'"),
    toml("loss: unknown", '[train]\nloss = "mse"\n', "[train] loss must be one of", "got 'mse'"),
    toml(
        "checkpoints: too few", "[train]\ncheckpoints = 1\n", "[train] checkpoints", ">= 2", "got 1"
    ),
    toml(
        "train_biases: not a boolean", '[train]\ntrain_biases = "yes"\n', "true or false", "'yes'"
    ),
    toml(
        "layers: one number", "[network]\nlayers = [3]\n", "[network] layers", "at least 2", "[3]"
    ),
    toml("layers: zero units", "[network]\nlayers = [3, 0, 1]\n", "positive", "[3, 0, 1]"),
    toml("layers: text", '[network]\nlayers = "3,1"\n', "[network] layers", "'3,1'"),
    toml(
        "activation: misspelt",
        '[network]\nactivation = "sigmod"\n',
        "[network] activation must be one of",
        "got 'sigmod'",
        "Did you mean 'sigmoid'?",
    ),
    toml(
        "activation: one per layer, wrong count",
        '[network]\nlayers = [3, 4, 1]\nactivation = ["tanh"]\n',
        "one entry per weight layer",
        "2 for layers [3, 4, 1]",
        "got 1",
    ),
    toml("bias: not a boolean", '[network]\nbias = "yes"\n', "[network] bias", "'yes'"),
    toml(
        "loss needs a sigmoid output",
        '[network]\nactivation = "tanh"\n[train]\nloss = "binary_cross_entropy"\n',
        "needs a sigmoid output layer",
        "'tanh'",
    ),
    toml("seed: negative", "[init]\nseed = -1\n", "[init] seed", "0 to 2**32 - 1", "got -1"),
    toml("seed: fraction", "[init]\nseed = 1.5\n", "[init] seed", "got 1.5"),
    toml(
        "both seed and weights",
        "[init]\nseed = 1\nweights = [[[1.0], [2.0], [3.0]]]\n",
        "seed or explicit weights",
        "not both",
    ),
    toml(
        "weights: wrong shape",
        "[init]\nweights = [[[1.0, 2.0]]]\n",
        "[init] weights[0] has shape (1, 2)",
        "needs shape (3, 1)",
    ),
    toml(
        "weights: one matrix too many",
        "[init]\nweights = [[[1.0], [2.0], [3.0]], [[1.0]]]\n",
        "2 matrices",
        "1 weight layers",
    ),
    toml(
        "weights: not numbers",
        '[init]\nweights = [[["a"], [2.0], [3.0]]]\n',
        "[init] weights[0][0][0] must be a finite number",
        "'a'",
    ),
    toml(
        "weights: ragged rows",
        "[init]\nweights = [[[1.0], [2.0, 3.0], [3.0]]]\n",
        "[init] weights[0] rows must all have the same length",
    ),
    toml("biases without weights", "[init]\nbiases = [[0.0]]\n", "biases needs weights"),
    toml(
        "biases for a layer without bias",
        "[init]\nweights = [[[1.0], [2.0], [3.0]]]\nbiases = [[0.5]]\n",
        "[init] biases[0] is given but layer 0 has no bias",
    ),
    toml(
        "dataset: unknown",
        '[data]\ndataset = "xnor"\n',
        "[data] dataset must be one of",
        "got 'xnor'",
    ),
    toml(
        "two data sources",
        '[data]\ndataset = "xor"\ncsv = "d.csv"\n',
        "one source",
        "dataset and csv",
    ),
    toml("inline inputs without targets", "[data]\ninputs = [[0, 1]]\n", "needs targets"),
    toml(
        "inline inputs: ragged",
        "[data]\ninputs = [[0, 1], [1]]\ntargets = [[0], [1]]\n",
        "[data] inputs rows must all have the same length",
        "row 1 has 1",
    ),
    toml(
        "inline inputs: an empty row",
        "[data]\ninputs = [[0, 1], []]\ntargets = [[0], [1]]\n",
        "[data] inputs row 1 is empty",
    ),
    toml(
        "inline inputs: not a number",
        '[data]\ninputs = [[0, "a", 1]]\ntargets = [[0]]\n',
        "[data] inputs[0][1] must be a number",
        "'a'",
    ),
    toml(
        "inline inputs: NaN",
        "[data]\ninputs = [[0, nan, 1]]\ntargets = [[0]]\n",
        "[data] inputs[0][1] must be a finite number",
        "nan",
    ),
    toml(
        "inline targets: one row short",
        "[data]\ninputs = [[0, 1], [1, 0]]\ntargets = [[0]]\n",
        "one row per row of inputs",
        "inputs has 2 rows, targets has 1",
    ),
    toml(
        "layers[0] does not match the data",
        "[network]\nlayers = [4, 1]\n",
        "[network] layers[0] is 4 but the data has 3 input columns",
        "set layers = [3, 1]",
    ),
    toml(
        "layers[-1] does not match the data",
        "[network]\nlayers = [3, 2]\n",
        "layers[-1] is 2 but the data has 1 target columns",
        "set layers = [3, 1]",
    ),
    toml(
        "target a sigmoid cannot produce",
        "[data]\ninputs = [[0, 1], [1, 0]]\ntargets = [[2], [0]]\n",
        "[data] targets must lie in [0, 1] for a sigmoid output layer",
        "example 1 has target y1 = 2",
        "the loss can never reach 0",
        "--allow",
    ),
    toml(
        "target a relu cannot produce",
        '[data]\ninputs = [[0, 1], [1, 0]]\ntargets = [[-1], [0]]\n[network]\nactivation = "relu"\n',
        "[data] targets must lie in [0, inf) for a relu output layer",
        "y1 = -1",
    ),
    toml(
        "binary cross-entropy target outside [0, 1]",
        "[data]\ninputs = [[0, 1], [1, 0]]\ntargets = [[1.5], [0]]\n"
        '[train]\nloss = "binary_cross_entropy"\n',
        "[data] targets must lie in [0, 1] for binary_cross_entropy",
        "1.5",
        "no lower bound",
    ),
    replace(
        toml(
            "iterations too large for memory",
            "[train]\niterations = 1_000_000_000\n",
            "[train] iterations = 1,000,000,000 would need about 16.0 GB",
            "6.0 GB may be used (75% of the 8.0 GB available on this machine)",
            "use at most",
        ),
        json=False,
    ),
    replace(
        toml(
            "iterations too large for memory, with --json",
            "[train]\niterations = 100_000_000\n",
            "[train] iterations = 100,000,000 would need about",
            "the JSON document",
            "use at most",
        ),
        api=None,
    ),  # the API's Experiment.run() holds no JSON
    replace(
        toml(
            "checkpoints too large for memory",
            "[network]\nlayers = [3, 30000, 1]\n[train]\niterations = 200000\n"
            "checkpoints = 100000\n",
            "would need about",
            "100,000 checkpoints x 120,000 parameters",
            "record fewer weight snapshots with [train] checkpoints (--checkpoints), at most",
        ),
        json=False,
    ),
    replace(
        toml(
            "a layer too large for memory",
            "[network]\nlayers = [3, 1000000000, 1]\n[train]\niterations = 3\n",
            "[network] layers [3, 1000000000, 1] (4,000,000,000 parameters) with 4 examples "
            "would need about",
            "use smaller layers",
        ),
        json=False,
    ),
    # --- CSV files -----------------------------------------------------------------
    csv("CSV: missing file", None, "[data] csv 'data.csv': file not found"),  # type: ignore[arg-type]
    csv("CSV: empty file", "", "[data] csv 'data.csv': is empty"),
    csv("CSV: only blank lines", "\n  \n\n", "is empty"),
    csv(
        "CSV: a header and no rows", "x1,x2,y\n", "has a header (x1, x2, y) but no rows of numbers"
    ),
    csv("CSV: one column", "1\n2\n", "has 1 column; at least 2 are needed"),
    csv(
        "CSV: a word among numbers",
        "x1,x2,x3,y\n0,0,1,0\n0,one,1,0\n",
        "[data] csv 'data.csv' row 3, column 2 ('x2'): must be a number; got 'one'.",
    ),
    csv(
        "CSV: a word, no header",
        "0,0,1,0\n\n0,1,1,zero\n",
        "row 3, column 4: must be a number; got 'zero'",
    ),
    csv("CSV: an empty cell", "0,0,1,0\n0,,1,0\n", "row 2, column 2: is empty"),
    csv(
        "CSV: a comma at the end of each line",
        "0,0,1,0,\n0,1,1,0,\n",
        "row 1, column 5: is empty (a separator at the end of the line?)",
    ),
    csv(
        "CSV: ragged row",
        "x1,x2,x3,y\n0,0,1,0\n0,1,1\n",
        "row 3: has 3 cells but the file has 4 columns",
    ),
    csv("CSV: NaN", "0,0,1,0\n0,nan,1,0\n", "row 2, column 2: must be a finite number", "'nan'"),
    csv(
        "CSV: infinity", "0,0,1,0\n0,1,inf,0\n", "row 2, column 3: must be a finite number", "'inf'"
    ),
    csv(
        "CSV: a number too large for float64",
        "0,0,1,0\n0,1,1e999,0\n",
        "must be a finite number",
        "'1e999'",
    ),
    csv(
        "CSV: stray header in the middle",
        "x1,x2,x3,y\n0,0,1,0\nx1,x2,x3,y\n1,1,1,1\n",
        "row 3: looks like a header row (x1, x2, x3, y)",
        "Delete this row",
    ),
    csv(
        "CSV: decimal commas",
        "0;0,5;1\n1;0,25;0\n",
        "row 1, column 2: must be a number; got '0,5'",
        "Use a point as the decimal separator",
    ),
    csv(
        "CSV: duplicate header names",
        "x,x,y\n0,1,0\n",
        "column name 'x' appears twice",
        "columns 1 and 2",
    ),
    csv(
        "CSV: a spreadsheet, not CSV",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        "is a binary file",
        "not CSV",
    ),
    csv("CSV: JSON, not CSV", '{"x": [0, 1], "y": [1, 0]}\n', "looks like JSON or TOML, not CSV"),
    csv(
        "CSV: not UTF-8 (Latin-1)",
        "x1,x2,\xe9t\xe9\n0,1,0\n".encode("latin-1"),
        "is not UTF-8 text",
        "save it as UTF-8",
    ),
    csv(
        "CSV: target column unknown",
        "x1,x2,label\n0,1,0\n",
        "[data] targets column 'lable'",
        "its columns are x1, x2, label",
        "Did you mean 'label'?",
        extra='targets = ["lable"]\n',
    ),
    csv(
        "CSV: target names but no header", "0,1,0\n", "has no header row", extra='targets = ["y"]\n'
    ),
    csv(
        "CSV: every column a target",
        "a,b\n0,1\n",
        "names every column",
        "leave at least one",
        extra='targets = ["a", "b"]\n',
    ),
    csv(
        "CSV: columns do not match layers[0]",
        "x1,x2,x3,y\n0,0,1,0\n1,1,1,1\n",
        "[network] layers[0] is 4 but the data has 3 input columns",
        "set layers = [3, 1]",
        extra="[network]\nlayers = [4, 1]\n",
    ),
    csv(
        "CSV: target 2 for a sigmoid output",
        "x,y\n0,2\n1,0\n",
        "[data] targets must lie in [0, 1]",
        "example 1 has target y = 2",
    ),
    # --- experiment file itself, command line --------------------------------------------
    cli(
        "experiment file not found",
        ("run", "missing.toml"),
        "experiment file 'missing.toml': file not found",
    ),
    Case(
        "experiment file",
        "experiment file is binary",
        ("run", "bad.toml"),
        ("experiment file 'bad.toml' is not UTF-8 text",),
        {"bad.toml": b"\xff\xfe\x00\x01"},
        {},
    ),
    cli("--iterations: not a number", ("run", "--iterations", "ten"), "--iterations", "'ten'"),
    cli("--iterations: zero", ("run", "--iterations", "0"), "[train] iterations", "got 0"),
    cli("--learning-rate: negative", ("run", "--learning-rate", "-1"), "learning_rate", "got -1"),
    cli("--layers: not numbers", ("run", "--layers", "3,x,1"), "--layers", "3,x,1"),
    cli("--activation: unknown", ("run", "--activation", "softmax"), "activation", "'softmax'"),
    cli("--dataset: unknown", ("run", "--dataset", "xnor"), "dataset", "'xnor'"),
    cli(
        "--csv: missing file", ("run", "--csv", "nope.csv"), "[data] csv 'nope.csv': file not found"
    ),
    cli(
        "--trace: beyond the run",
        ("run", "--trace", "5", "--iterations", "3"),
        "--trace iterations must be from 0 to 3",
        "got 5",
    ),
    cli("--trace: not numbers", ("run", "--trace", "a,b", "--iterations", "3"), "--trace", "'a,b'"),
    cli("--engine: unknown", ("run", "--engine", "gpu"), "--engine", "'gpu'"),
    cli(
        "--json into a missing folder",
        ("run", "--iterations", "3", "--json", "nofolder/x.json"),
        "output 'nofolder/x.json': folder 'nofolder' does not exist",
    ),
    cli("unknown command", ("rnu",), "unknown command 'rnu'", "Did you mean 'run'?"),
    # --- what an output path names (glassnet.files) --------------------------------------
    output(
        "--json to a read-only file",
        Special("readonly", "mode 0444: chmod 444 out.json"),
        "output 'out.json' is read-only (mode 0444)",
        "Make it writable (chmod u+w) or choose another name",
    ),
    output(
        "--json to a folder",
        Special("folder", "a folder: mkdir out.json"),
        "Invalid value for '--json': File 'out.json' is a directory.",
    ),
    output(
        "--json to a file with a second hard link",
        Special("hardlink", "a file, and ln out.json other.json", other="other.json"),
        "output 'out.json' has 2 hard links",
        "Remove the other links or choose another name",
    ),
    output(
        "--json to a symbolic link to itself",
        Special("loop", "a symbolic link to itself: ln -s out.json out.json"),
        "output 'out.json' is a loop of symbolic links",
    ),
    Case(
        "output file",
        "--json to a full disk (/dev/full)",
        ("run", "--iterations", "3", "--json", "/dev/full"),
        ("output '/dev/full': no space left on the device",),
        needs="/dev/full",
    ),
    # --- what an input path names, how big and how deep it is --------------------------------
    csv(
        "CSV: a FIFO (named pipe)",
        Special("fifo", "a FIFO: mkfifo data.csv"),  # type: ignore[arg-type]
        "[data] csv 'data.csv': is a named pipe (FIFO), not a regular file",
        "give the path of a .csv file",
    ),
    Case(
        "CSV file",
        "--csv /dev/zero",
        ("run", "--csv", "/dev/zero"),
        ("[data] csv '/dev/zero': is a character device (such as /dev/zero), not a regular file",),
        needs="/dev/zero",
    ),
    csv(
        "CSV: over 100 MB",
        Special("sparse", "150 MB, a sparse file", size=150_000_000),  # type: ignore[arg-type]
        "[data] csv 'data.csv': is 150 MB, more than the 100 MB accepted",
        "use a sample of the rows",
    ),
    Case(
        "experiment file",
        "experiment file is a FIFO",
        ("run", "bad.toml"),
        ("experiment file 'bad.toml': is a named pipe (FIFO), not a regular file",),
        {"bad.toml": Special("fifo", "a FIFO: mkfifo bad.toml")},
    ),
    Case(
        "experiment file",
        "experiment file over 1 MB",
        ("run", "bad.toml"),
        ("experiment file 'bad.toml': is 2 MB, more than the 1 MB accepted", "[data] csv"),
        {"bad.toml": Special("sparse", "2 MB, a sparse file", size=2_000_000)},
    ),
    toml(
        "TOML: arrays nested 500 deep",
        "a = " + "[" * 500 + "]" * 500 + "\n",
        "experiment file 'bad.toml': line 1 nests arrays or tables more than 20 levels deep",
    ),
    toml(
        "TOML: dotted keys nested 50 deep",
        ".".join(["a"] * 50) + " = 1\n",
        "experiment file 'bad.toml': its keys nest more than 20 levels deep",
    ),
    # --- run files (glassnet.load) ---------------------------------------------------------
    Case(
        "run file",
        "run file not found",
        ("compare", "missing.json", "missing.json"),
        ("run file 'missing.json': file not found",),
    ),
    Case(
        "run file",
        "run file is a FIFO",
        ("compare", "run.json", "run.json"),
        ("run file 'run.json': is a named pipe (FIFO), not a regular file",),
        {"run.json": Special("fifo", "a FIFO: mkfifo run.json")},
    ),
    run_file(
        "run file: not JSON",
        "the text 'hello'",
        None,
        "run file 'run.json' is not a glassnet JSON run",
        text="hello",
    ),
    run_file(
        "run file: nested 1,000 deep",
        '{"glassnet": [[[[... 1,000 deep',
        None,
        "run file 'run.json' nests arrays and objects 1001 deep",
        text='{"glassnet": ' + "[" * 1000 + "]" * 1000 + "}",
    ),
    run_file(
        "run file: history shorter than its iterations",
        "a saved 3-iteration run, history.loss cut to 2 entries",
        _set("history.loss", lambda v: v[:2]),
        "history.loss must be a list of 3 numbers (one per iteration); got a list of 2 numbers.",
    ),
    run_file(
        "run file: a 2-D error_sum",
        "a saved 3-iteration run, history.error_sum = [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]",
        _set("history.error_sum", [[1.0, 2.0]] * 3),
        "history.error_sum must be a list of 3 numbers (one per iteration); got a list of 3 lists.",
    ),
    run_file(
        "run file: fewer input rows than targets",
        "a saved run of the post's 4 examples, data.inputs cut to 3 rows",
        _set("data.inputs", lambda v: v[:3]),
        "data.targets must be a list of 3 rows of 1 finite number (one row per row of inputs)",
        "got a list of 4 lists",
    ),
    run_file(
        "run file: input names that are objects",
        "a saved run, data.input_names = [{}, {}, {}]",
        _set("data.input_names", [{}, {}, {}]),
        "data.input_names must be a list of 3 strings (one per column); got a list of 3 objects.",
    ),
    run_file(
        "run file: a 5,000-digit integer",
        "a saved run, iterations = 777...7 (5,000 digits)",
        None,
        "iterations must be a whole number from 0 to 3 (config [train] iterations)",
        "got a 5,000-digit whole number",
        text=json.dumps(SAVED).replace(
            '"iterations": 3, "engine"', '"iterations": ' + "7" * 5000 + ', "engine"'
        ),
    ),
    run_file(
        "run file: checkpoints too far apart to replay",
        "a saved 3-iteration run, checkpoints.iterations = [0, 3]",
        _set("checkpoints.iterations", [0, 3]),
        "checkpoints.iterations must be at most 2 apart",
        "replaying any iteration takes at most 2 steps;",
    ),
    run_file(
        "run file: a config the experiment parser refuses",
        "a saved run, config [train] learning_rate = -1",
        _set("config.train.learning_rate", -1),
        "run file 'run.json': config: [train] learning_rate must be a finite number > 0",
    ),
]


@dataclass(frozen=True)
class ApiCase:
    """Bad input through the Python API: code that must raise a one-line GlassnetError."""

    name: str
    code: str
    expect: tuple[str, ...]


def api(name: str, code: str, *expect: str) -> ApiCase:
    return ApiCase(name, code, expect)


API_CASES: list[ApiCase] = [
    api(
        "Experiment: a number as the source",
        "glassnet.Experiment(5)",
        "experiment must be a TOML file path (a str or os.PathLike), a dict of sections",
        "or an ExperimentConfig; got 5.",
    ),
    api(
        "Experiment: a section named by a number",
        "glassnet.Experiment({1: {}})",
        "experiment sections must be named by strings ('data', 'network', 'init', 'train'); got 1.",
    ),
    api(
        "Experiment: a key named by a number",
        "glassnet.Experiment({'train': {1: 5}})",
        "[train] keys must be strings (iterations, learning_rate, loss, train_biases, "
        "checkpoints, optimizer, momentum, beta1, beta2, epsilon, alpha, batch_size, "
        "shuffle_seed, reduction, l2); got 1.",
    ),
    api(
        "Experiment: a numpy array where numbers go",
        "glassnet.Experiment(layers=np.array([3, 0, 1]))",
        "[network] layers must be a list of at least 2 positive whole numbers",
        "got [3, 0, 1].",
    ),
    api(
        "load: None",
        "glassnet.load(None)",
        "run file must be a file path (a str or os.PathLike); got None.",
    ),
    api(
        "load: a folder",
        "glassnet.load('.')",
        "run file '.': is a folder; give the path of a .json file written by glassnet run --json.",
    ),
    api(
        "run.compare: not a run",
        "run.compare(5)",
        "compare needs another glassnet Run (from Experiment.run() or glassnet.load); got 5.",
    ),
    api(
        "run.compare: a tolerance that is not a number",
        "run.compare(run, tolerance='x')",
        "tolerance must be a finite number >= 0; got 'x'.",
    ),
    api(
        "run.step: not a whole number",
        "run.step('a')",
        "iteration must be a whole number from 0 to 3 (this run applied 3 updates); got 'a'.",
    ),
    api(
        "run.to_json: a path that is not a path",
        "run.to_json(5)",
        "output must be a file path (a str or os.PathLike); got 5.",
    ),
    api(
        "GlassNetClassifier.fit: sample_weight",
        "GlassNetClassifier().fit(X, y, sample_weight=[1, 2, 1, 1])",
        "GlassNetClassifier.fit does not take sample_weight (got [1, 2, 1, 1]): glassnet trains "
        "on every example with the same weight. To weight examples, repeat them in X and y.",
    ),
]


def api_namespace() -> dict:
    from glassnet.sklearn import GlassNetClassifier

    return {
        "glassnet": glassnet,
        "np": __import__("numpy"),
        "run": glassnet.Experiment(iterations=3).run(engine="numpy"),
        "GlassNetClassifier": GlassNetClassifier,
        "X": [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
        "y": [0, 0, 1, 1],
    }


def api_case_message(case: ApiCase) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        old = os.getcwd()
        os.chdir(tmp)
        try:
            with pytest.raises(GlassnetError) as info:
                exec(case.code, api_namespace())
        finally:
            os.chdir(old)
    return str(info.value)


@pytest.mark.parametrize("case", API_CASES, ids=[c.name for c in API_CASES])
def test_python_api_bad_values_raise_one_line_glassnet_errors(case: ApiCase):
    message = api_case_message(case)
    assert message.count("\n") == 0, message
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@contextlib.contextmanager
def in_folder(case: Case) -> Iterator[Path]:
    """A fresh folder holding the case's files, as the current directory, with fixed memory."""
    old = os.getcwd()
    original = glassnet.memory.available
    if case.needs and not os.path.exists(case.needs):
        pytest.skip(f"{case.needs} does not exist here")
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in case.files.items():
            path = Path(tmp, name)
            if content is None:
                continue
            if isinstance(content, Special):
                make_special(path, content)
                continue
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(data)
        os.chdir(tmp)
        glassnet.memory.available = lambda: glassnet.memory.Available(
            FAKE_MEMORY, "available on this machine"
        )
        try:
            yield Path(tmp)
        finally:
            glassnet.memory.available = original
            os.chdir(old)


def make_special(path: Path, special: Special) -> None:
    if special.kind == "fifo":
        os.mkfifo(path)
    elif special.kind == "folder":
        path.mkdir()
    elif special.kind == "readonly":
        path.write_bytes(special.content)
        path.chmod(0o444)
    elif special.kind == "hardlink":
        path.write_bytes(special.content)
        os.link(path, path.with_name(special.other))
    elif special.kind == "sparse":
        with open(path, "wb") as handle:
            handle.truncate(special.size)
    elif special.kind == "loop":
        path.symlink_to(path.name)
    else:  # pragma: no cover
        raise ValueError(special.kind)


def command_line(case: Case) -> list[str]:
    args = list(case.args)
    if args[0] == "run" and "--json" not in args and case.json:
        args += ["--json", "out.json"]
    return args


def run_case(case: Case) -> tuple[int, str, str, list[str]]:
    """Run the command line in-process; return (code, stdout, stderr, files left)."""
    args = command_line(case)
    out, err = io.StringIO(), io.StringIO()
    with in_folder(case) as folder:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        left = sorted(p.name for p in folder.iterdir() if p.name not in case.files)
    return code, out.getvalue(), err.getvalue(), left


def api_message(case: Case) -> str:
    with in_folder(case), pytest.raises(GlassnetError) as info:
        glassnet.Experiment("bad.toml", **(case.api or {})).run()
    return str(info.value)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_one_line_exit_2_and_no_file(case: Case):
    code, out, err, left = run_case(case)
    assert code == 2, (code, out, err)
    assert err.startswith("glassnet") and ": error: " in err, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert left == [], f"files left behind: {left}"


@pytest.mark.parametrize("case", [c for c in CASES if c.api is not None], ids=lambda c: c.name)
def test_python_api_raises_the_same_message(case: Case):
    _, _, err, _ = run_case(case)
    assert err.strip() == f"glassnet: error: {api_message(case)}"


def test_every_message_names_what_was_received():
    """Shape check over the whole table: one sentence-ish line, no repr noise."""
    for case in CASES:
        _, _, err, _ = run_case(case)
        message = err.split(": error: ", 1)[1].strip()
        assert len(message) < 400, (case.name, message)
        assert "array(" not in message and "<" not in message.replace("<=", ""), (
            case.name,
            message,
        )


def test_allow_trains_with_a_warning_that_the_loss_cannot_reach_zero(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("x,y\n0,2\n1,0\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["run", "--csv", "data.csv", "--iterations", "20", "--allow", "--json", "o.json"]
        )
    assert code == 0, err.getvalue()
    assert err.getvalue() == (
        "glassnet: warning: [data] targets outside [0, 1], beyond what the output sigmoid can "
        "produce: example 1 has target y = 2; the loss cannot reach 0 (it stays above 0.5).\n"
    )
    assert (tmp_path / "o.json").exists()
    with pytest.warns(glassnet.errors.GlassnetWarning, match="the loss cannot reach 0"):
        exp = glassnet.Experiment(csv="data.csv", iterations=20, allow=True)
    assert exp.warnings and min(exp.run().history.loss) > 0.5


# --------------------------------------------------------------------------- the docs table


def format_table() -> str:
    """``docs/errors.md``: every bad input above and the message it gets."""

    def shown(case: Case) -> str:
        parts = [case.note] if case.note else []
        for name, content in case.files.items():
            if content is None or case.note:
                continue
            if isinstance(content, Special):
                text = f"({content.shown})"
            else:
                text = content if isinstance(content, str) else repr(content)
            if len(text) > 200:
                text = text[:60] + f"... ({len(text):,} characters)"
            parts.append(f"{name}: " + text.replace("\n", "⏎"))
        parts.append("glassnet " + " ".join(command_line(case)))
        return "<br>".join(f"`{p.replace('|', '¦').replace('`', '')}`" for p in parts)

    lines = [
        "# Bad input and the message it gets",
        "",
        "Generated from `tests/integration/test_validation.py` (regenerate with",
        "`.venv/bin/python tests/integration/test_validation.py`); every row is a test case that",
        "checks this exact behaviour. Each message is printed as one line on stderr,",
        "prefixed `glassnet: error: `, the exit code is 2, no traceback is shown and",
        "no output file is written (`--json out.json` is on every `run` but two). The",
        "Python API raises a `glassnet.errors.GlassnetError` subclass with the same",
        "message. Multi-line file contents are shown with ⏎ for each line break; the",
        f"memory cases pretend {FAKE_MEMORY // 10**9} GB are available.",
        "",
        "Exit codes: 0 success (also a run that saturated: a warning explains it),",
        "2 bad input (this table), 3 training stopped early because the loss became",
        "infinite or NaN (the run up to that iteration is still printed and saved),",
        "130 interrupted, 143 terminated (SIGTERM) while writing a file (the temporary",
        "file is removed; the old file is kept).",
        "",
        "Files written (`--json`, `--out`, sweep outputs, reports; see `glassnet.files`):",
        "a regular file is replaced atomically and keeps its permissions; a symbolic",
        "link is followed (its target is replaced, the link stays); a character device",
        "or FIFO (`/dev/null`, a terminal, `mkfifo`) is written in place, never",
        "replaced; `/dev/stdout`, `/dev/stderr` and `/dev/fd/N` are written after what",
        "was printed there; a read-only file (checked on its mode bits, so even for",
        "root), a file with other hard links, a folder, a block device and a socket",
        "are refused. Files read are regular files only, at most 1 MB for an",
        "experiment file, 100 MB for a CSV file and 2 GB for a run file (and no more",
        "than half the free memory can hold); arrays and tables may nest 20 levels in",
        "an experiment file and 32 in a run file.",
        "",
        "| kind | bad input | input | message |",
        "| --- | --- | --- | --- |",
    ]
    for case in CASES:
        _, _, err, _ = run_case(case)
        message = err.strip().split(": error: ", 1)[1].replace("|", "\\|")
        lines.append(f"| {case.kind} | {case.name} | {shown(case)} | {message} |")
    lines += [
        "",
        "## The Python API",
        "",
        "The same rules hold for values given in Python: each of these raises a",
        "`glassnet.errors.GlassnetError` subclass with this one-line message (`run` is",
        "a 3-iteration run of the post's experiment; `X`, `y` the post's data). numpy",
        "scalars and arrays are accepted wherever a Python number or list is.",
        "",
        "| python api | bad input | code | message |",
        "| --- | --- | --- | --- |",
    ]
    for api_case in API_CASES:
        message = api_case_message(api_case).replace("|", "\\|")
        lines.append(f"| python api | {api_case.name} | `{api_case.code}` | {message} |")
    return "\n".join(lines) + "\n"


def test_docs_table_is_current():
    """docs/errors.md has a row for every case, showing a message with the tested fragments.

    (Compared by fragments, not byte for byte, so that an unrelated wording
    change elsewhere, such as a new command in a list, does not fail the suite;
    regenerate the file to refresh the shown messages.)
    """
    assert DOCS.exists(), (
        "docs/errors.md is missing: run .venv/bin/python tests/integration/test_validation.py"
    )
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if len(cells) >= 4 and line.startswith("| "):
            rows[cells[1]] = cells[-1].removesuffix(" |").replace("\\|", "|")
    for case in [*CASES, *API_CASES]:
        assert case.name in rows, (
            f"docs/errors.md lacks {case.name!r}: run tests/integration/test_validation.py"
        )
        for fragment in case.expect:
            assert fragment in rows[case.name], (
                f"docs/errors.md shows an old message for {case.name!r}: run tests/integration/test_validation.py"
            )


if __name__ == "__main__":
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(format_table(), encoding="utf-8")
    print(f"wrote {DOCS} ({len(CASES)} cases)", file=sys.stderr)
