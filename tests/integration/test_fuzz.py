"""Fuzzing the boundary: whatever the input, a result or one clear line, never a crash.

Hypothesis generates experiment files (plausible, odd and corrupted) and CSV
files (valid and corrupted), runs the command line on them in-process
(``glassnet.cli.main``, stderr captured, every Python and numpy warning
turned into an error) and checks that it

* succeeds (exit 0; stderr holds only ``glassnet: warning:`` lines), or
* stopped a diverging run (exit 3, one ``glassnet: training stopped`` line), or
* refuses the input (exit 2, exactly one ``glassnet...: error:`` line),

and never shows a traceback, exits 1, or lets an exception or warning escape.
The Python API is fuzzed the same way: it returns a run or raises a
:class:`~glassnet.errors.GlassnetError`, nothing else.

Runs are kept tiny (at most 5 iterations, small layers) so that the few
hundred cases take seconds. The examples are derandomized so CI is stable;
set ``GLASSNET_FUZZ_EXAMPLES`` and ``GLASSNET_FUZZ_RANDOM=1`` to explore more.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassnet
from glassnet.cli import main
from glassnet.errors import GlassnetError

EXAMPLES = int(os.environ.get("GLASSNET_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("GLASSNET_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- TOML text


def toml_value(value: Any) -> str:
    """A TOML literal (enough of TOML for generated experiments)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic strings
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def toml_text(doc: dict[str, dict[str, Any]]) -> str:
    lines = []
    for section, body in doc.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {toml_value(v)}" for key, v in body.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- strategies

small_float = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
odd_float = st.sampled_from(
    [0.0, -0.0, 1e308, -1e308, 5e-324, float("nan"), float("inf"), 1e6, 50.0]
)
odd_scalar = st.one_of(
    st.integers(-3, 3),
    odd_float,
    st.booleans(),
    st.text(max_size=6),
    st.sampled_from([10**12, -(2**40), 2**63]),
)


def matrix(rows: int, cols: int, cells=small_float):
    return st.lists(st.lists(cells, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def any_matrix(draw, rows=None, cols=None):
    """Mostly well-formed little matrices, sometimes ragged or holding odd values."""
    rows = draw(st.integers(1, 4)) if rows is None else rows
    cols = draw(st.integers(1, 4)) if cols is None else cols
    cells = st.one_of(small_float, odd_scalar) if draw(st.integers(0, 4)) == 0 else small_float
    m = draw(matrix(rows, cols, cells))
    if draw(st.integers(0, 7)) == 0 and m:
        m[-1] = m[-1][:-1]  # ragged
    return m


activation_names = st.sampled_from(
    ["sigmoid", "tanh", "relu", "linear"] * 4 + ["sigmod", "softmax", ""]
)


good_activation = st.sampled_from(["sigmoid", "tanh", "relu", "linear"])


def mostly(valid, odd, odd_share: int = 5):
    """``valid`` about (odd_share - 1) times in odd_share, else ``odd``."""
    return st.integers(1, odd_share).flatmap(lambda i: odd if i == 1 else valid)


@st.composite
def experiments(draw) -> dict[str, dict[str, Any]]:
    """A nested experiment: each section sometimes absent; half of them fully valid,
    the other half with some values odd, wrong or misplaced."""
    broken = draw(st.booleans())

    def pick(valid, odd):
        return draw(mostly(valid, odd, 3) if broken else valid)

    doc: dict[str, dict[str, Any]] = {}
    source = draw(st.sampled_from(["none", "dataset", "inline", "csv"]))
    data: dict[str, Any] = {}
    n_in, n_out = 3, 1
    if source == "dataset":
        data["dataset"] = pick(
            st.sampled_from(["seed", "xor", "and", "or"]), st.sampled_from(["xnor", "", "iris2"])
        )
    elif source == "inline":
        rows = draw(st.integers(1, 4))
        n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        data["inputs"] = pick(matrix(rows, n_in), any_matrix(rows, n_in))
        if broken or draw(st.integers(0, 6)):
            targets = st.lists(
                st.lists(st.floats(0, 1), min_size=n_out, max_size=n_out),
                min_size=rows,
                max_size=rows,
            )
            data["targets"] = pick(targets, any_matrix())
    elif source == "csv":
        data["csv"] = "data.csv"
        if draw(st.booleans()):
            data["targets"] = pick(
                st.just(["y"]),
                st.lists(st.sampled_from(["y", "x1", "label", "c"]), min_size=1, max_size=2),
            )
    if data:
        doc["data"] = data
    network: dict[str, Any] = {}
    depth = draw(st.integers(1, 3))
    if draw(st.booleans()):
        hidden = draw(st.lists(st.integers(1, 5), min_size=depth - 1, max_size=depth - 1))
        network["layers"] = pick(
            st.just([n_in, *hidden, n_out]), st.lists(st.integers(-1, 6), min_size=0, max_size=4)
        )
    else:
        depth = 1
    if draw(st.booleans()):
        network["activation"] = pick(
            st.one_of(good_activation, st.lists(good_activation, min_size=depth, max_size=depth)),
            st.one_of(activation_names, st.lists(activation_names, max_size=3), odd_scalar),
        )
    if draw(st.booleans()):
        network["bias"] = pick(
            st.one_of(st.booleans(), st.lists(st.booleans(), min_size=depth, max_size=depth)),
            st.one_of(st.lists(st.booleans(), max_size=3), odd_scalar),
        )
    if network:
        doc["network"] = network
    init: dict[str, Any] = {}
    choice = draw(
        st.sampled_from(["none", "seed", "seed", "weights", "both"] if broken else ["none", "seed"])
    )
    if choice in ("seed", "both"):
        init["seed"] = pick(st.integers(0, 2**32 - 1), odd_scalar)
    if choice in ("weights", "both"):
        init["weights"] = draw(st.lists(any_matrix(), min_size=0, max_size=3))
    if init:
        doc["init"] = init
    train: dict[str, Any] = {"iterations": pick(st.integers(1, 5), odd_scalar)}
    # Large iteration counts are refused (memory) or cut to 5: keep runs tiny.
    if (
        isinstance(train["iterations"], int)
        and not isinstance(train["iterations"], bool)
        and 5 < train["iterations"] < 10**10
    ):
        train["iterations"] = 5
    if draw(st.booleans()):
        train["learning_rate"] = pick(st.floats(0.01, 10), st.one_of(odd_float, odd_scalar))
    if draw(st.booleans()):
        train["loss"] = pick(
            st.sampled_from(["half_squared_error", "binary_cross_entropy"]),
            st.sampled_from(["mse", 3]),
        )
    if draw(st.integers(0, 3)) == 0:
        train["checkpoints"] = pick(st.integers(2, 5), st.one_of(st.integers(-1, 5), odd_scalar))
    doc["train"] = train
    if broken and draw(st.integers(0, 4)) == 0:  # a misspelt or misplaced key
        section = draw(st.sampled_from(sorted(doc)))
        doc[section].setdefault(
            draw(st.sampled_from(["learning_rte", "seed", "layer", "iteration"])), 1
        )
    return doc


csv_cell = st.one_of(
    st.integers(-2, 2).map(str),
    small_float.map(lambda v: f"{v:.3g}"),
    st.sampled_from(["", "nan", "inf", "-inf", "1e999", "abc", "0,5", '"1"', "1 2", "x1", "y"]),
)


@st.composite
def csv_files(draw) -> bytes:
    """CSV text: mostly a clean table, then possibly corrupted."""
    cols = draw(st.integers(1, 5))
    rows = draw(mostly(st.integers(1, 5), st.just(0)))
    clean = draw(st.integers(0, 2)) > 0
    cell = small_float.map(lambda v: f"{v:.3g}") if clean else csv_cell
    target = st.floats(0, 1).map(lambda v: f"{v:.3g}") if clean else csv_cell
    table = [[draw(cell) for _ in range(cols - 1)] + [draw(target)] for _ in range(rows)]
    if draw(st.booleans()):
        names = [*["x1", "x2", "x3", "label", "y"][: cols - 1], "y"] if cols > 1 else ["y"]
        table.insert(0, names[:cols])
    if not clean and table and draw(st.booleans()):
        table[draw(st.integers(0, len(table) - 1))].append("1")  # ragged
    sep = draw(st.sampled_from([",", ",", ";", "\t", " "]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(sep.join(r) for r in table) + (newline if table else "")
    data = text.encode("utf-8")
    corruption = draw(
        st.sampled_from(["none"] * 6 + ["bom", "utf16", "nul", "latin1", "truncate", "bytes"])
    )
    if corruption == "bom":
        data = b"\xef\xbb\xbf" + data
    elif corruption == "utf16":
        data = text.encode("utf-16")
    elif corruption == "nul":
        data = data[: len(data) // 2] + b"\x00" + data[len(data) // 2 :]
    elif corruption == "latin1":
        data = data + "caf\xe9".encode("latin-1")
    elif corruption == "truncate":
        data = data[: draw(st.integers(0, max(0, len(data))))]
    elif corruption == "bytes":
        data = draw(st.binary(max_size=40))
    return data


@st.composite
def corrupted(draw, text: str) -> bytes:
    """A TOML text with a few random edits (deletions, insertions, truncation, bad bytes)."""
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "truncate", "byte", "dup"]))
        pos = draw(st.integers(0, max(0, len(data) - 1))) if data else 0
        if kind == "delete" and data:
            del data[pos]
        elif kind == "insert":
            data[pos:pos] = draw(
                st.sampled_from([b"[", b"]", b"=", b'"', b"\n", b",", b"#", b"x", b"."])
            )
        elif kind == "truncate":
            data = data[:pos]
        elif kind == "byte":
            data[pos:pos] = draw(st.sampled_from([b"\xff", b"\x00", b"\xc3"]))
        elif kind == "dup" and data:
            data += bytes(data[: pos + 1])
    return bytes(data)


# --------------------------------------------------------------------------- the property


def run_in_folder(files: dict[str, bytes], args: list[str]) -> tuple[int, str, str, list[str]]:
    """Write ``files`` to a fresh folder, run the CLI there; (code, out, err, new files)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in files.items():
            Path(tmp, name).write_bytes(content)
        os.chdir(tmp)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with (
                    np.errstate(all="raise", under="ignore"),
                    contextlib.redirect_stdout(out),
                    contextlib.redirect_stderr(err),
                ):
                    code = main(args)
        finally:
            os.chdir(old)
        new = sorted(p.name for p in Path(tmp).iterdir() if p.name not in files)
    return code, out.getvalue(), err.getvalue(), new


def check_outcome(code: int, out: str, err: str, new: list[str]) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.splitlines()
    if code == 0:
        assert all(
            line.startswith(("glassnet: warning: ", "glassnet: note: ", "glassnet: hint: "))
            for line in lines
        ), err
        assert new == ["out.json"], new
    elif code == 3:
        assert [line for line in lines if not line.startswith("glassnet: warning: ")] == [
            line for line in lines if line.startswith("glassnet: training stopped at iteration #")
        ], err
        assert any(line.startswith("glassnet: training stopped") for line in lines), err
        assert new == ["out.json"], new  # the partial run is saved
    else:
        assert code == 2, (code, err)
        errors = [line for line in lines if ": error: " in line]
        assert len(errors) == 1 and errors[0].startswith("glassnet"), err
        assert lines[-1] == errors[0] and all(
            line.startswith("glassnet: warning: ") for line in lines[:-1]
        ), err
        assert new == [], new  # nothing written, not even half a file


@FUZZ
@given(doc=experiments(), csv=csv_files())
def test_fuzzed_experiment_files_succeed_or_fail_cleanly(doc, csv):
    files = {"exp.toml": toml_text(doc).encode("utf-8"), "data.csv": csv}
    check_outcome(*run_in_folder(files, ["run", "exp.toml", "--json", "out.json"]))


@FUZZ
@given(data=st.data())
def test_corrupted_experiment_files_fail_cleanly(data):
    doc = data.draw(experiments())
    text = data.draw(corrupted(toml_text(doc)))
    files = {"exp.toml": text, "data.csv": b"x1,x2,x3,y\n0,0,1,0\n1,1,1,1\n"}
    check_outcome(*run_in_folder(files, ["run", "exp.toml", "--json", "out.json"]))


@FUZZ
@given(
    csv=csv_files(),
    layers=st.one_of(st.none(), st.lists(st.integers(1, 5), min_size=2, max_size=3)),
    allow=st.booleans(),
)
def test_fuzzed_csv_files_on_the_command_line(csv, layers, allow):
    args = ["run", "--csv", "data.csv", "--iterations", "3", "--json", "out.json"]
    if layers:
        args += ["--layers", ",".join(map(str, layers))]
    if allow:
        args.append("--allow")
    check_outcome(*run_in_folder({"data.csv": csv}, args))


def _deep(n: int) -> list:
    value: list = []
    for _ in range(n):
        value = [value]
    return value


api_value = st.one_of(
    odd_scalar,
    st.none(),
    st.lists(odd_scalar, max_size=3),
    st.lists(st.lists(small_float, min_size=1, max_size=3), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    # numpy scalars and arrays where Python numbers and lists go
    st.integers(-3, 8).map(np.int64),
    st.floats(-2, 2).map(np.float64),
    st.booleans().map(np.bool_),
    st.lists(st.integers(1, 4), min_size=2, max_size=3).map(np.array),
    st.lists(st.integers(1, 4), min_size=2, max_size=3).map(tuple),
    # things no setting takes
    st.sampled_from([b"xor", 1j, object(), set(), Path("x"), float, 10**5000, -(10**400)]),
    st.integers(1, 3000).map(_deep),
)

EXPERIMENT_KEYWORDS = [
    "layers",
    "activation",
    "bias",
    "seed",
    "weights",
    "biases",
    "iterations",
    "learning_rate",
    "loss",
    "checkpoints",
    "dataset",
    "inputs",
    "targets",
    "train_biases",
    "standardize",
    "test_fraction",
    "split_seed",
    "csv",
    "typo",
]


def assert_run_or_glassnet_error(build) -> None:
    """``build()`` returns something, or raises a GlassnetError of one line; nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            build()
        except GlassnetError as exc:
            message = str(exc)
            assert message and "\n" not in message, message


@FUZZ
@given(doc=experiments(), key=st.sampled_from(EXPERIMENT_KEYWORDS), value=api_value)
def test_python_api_raises_only_glassnet_errors(doc, key, value):
    """Experiment(mapping, **setting) with arbitrary Python values: a run or a GlassnetError."""
    doc = {s: b for s, b in doc.items() if s != "data" or "csv" not in b}

    def build():
        exp = glassnet.Experiment(doc, **{key: value})
        if exp.config.train.iterations <= 5:
            exp.run()

    assert_run_or_glassnet_error(build)


@FUZZ
@given(source=api_value, iterations=st.one_of(st.none(), api_value), engine=api_value)
def test_experiment_sources_and_run_arguments(source, iterations, engine):
    """Experiment(source) and run(iterations, engine=...) with arbitrary values."""

    def build():
        exp = glassnet.Experiment(source, iterations=3)
        exp.run(
            iterations
            if iterations is None or not isinstance(iterations, int) or iterations < 6
            else 3,
            engine=engine if isinstance(engine, str) else "numpy",
        )

    assert_run_or_glassnet_error(build)


@pytest.fixture(scope="module")
def tiny_run() -> glassnet.Run:
    return glassnet.Experiment(iterations=3).run(engine="numpy")


@FUZZ
@given(value=api_value, other=api_value)
def test_run_methods_and_load_with_arbitrary_values(tiny_run, value, other):
    """load(x), run.step(x), run.compare(x, tolerance), run.to_json(x): a result or a GlassnetError."""
    assert_run_or_glassnet_error(lambda: glassnet.load(value))
    assert_run_or_glassnet_error(lambda: tiny_run.step(value))
    assert_run_or_glassnet_error(lambda: tiny_run.compare(value))
    assert_run_or_glassnet_error(lambda: tiny_run.compare(tiny_run, tolerance=value))
    if not isinstance(value, (str, Path)):  # a str names a file to write: not here
        assert_run_or_glassnet_error(lambda: tiny_run.to_json(value))


@FUZZ
@given(content=st.one_of(st.binary(max_size=300), csv_files()))
def test_csv_bytes_read_as_a_dataset_or_a_data_error(content):
    """read_csv on random bytes or corrupted tables: a Dataset of finite numbers or a DataError."""
    from glassnet.data import read_csv
    from glassnet.errors import DataError

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "d.csv")
        path.write_bytes(content)
        try:
            data = read_csv(path)
        except DataError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("[data]"), str(exc)
            return
    assert data.X.dtype == np.float64 and data.X.shape[0] == data.y.shape[0] >= 1
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    assert len(data.input_names) == data.X.shape[1] >= 1 and len(data.target_names) == 1


@pytest.fixture(scope="module")
def saved_run_text() -> str:
    run = glassnet.Experiment(dataset="xor", layers=[3, 2, 1], bias=True, iterations=4).run()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "run.json")
        run.to_json(str(path), trace=[0, 4])
        return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def saved_runs(saved_run_text) -> list[str]:
    """Small valid run documents of each shape: plain, with held-out examples, stopped."""
    texts = [saved_run_text]
    for exp in (
        glassnet.Experiment(dataset="xor", layers=[3, 2, 1], iterations=5, test_fraction=0.5),
        glassnet.Experiment(learning_rate=1e6, loss="binary_cross_entropy", iterations=5),
        glassnet.Experiment(iterations=9, checkpoints=4, train_biases=False, bias=True),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "run.json")
            exp.run(engine="numpy").to_json(str(path), trace=[1])
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a JSON document (dict keys and list indices, first and last items)."""
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list) and doc:
        out += _paths(doc[0], (*prefix, 0))
        if len(doc) > 1:
            out += _paths(doc[-1], (*prefix, len(doc) - 1))
    return out


#: Marker replaced in the JSON text by a 5,000-digit integer (json.dumps cannot write one).
HUGE = "__huge_int__"

run_value = st.one_of(
    odd_scalar,
    st.none(),
    st.just({}),
    st.just(HUGE),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1.5"]),
    st.lists(odd_scalar, max_size=3),
    st.lists(st.lists(st.floats(-2, 2), min_size=1, max_size=3), min_size=1, max_size=3),
    st.integers(1, 60).map(lambda n: json.loads("[" * n + "]" * n)),
)


def assert_loads_cleanly_or_replays(text: str) -> None:
    """glassnet.load: a GlassnetError naming the file in one line, or a run that can
    replay every one of its iterations (nothing else: no TypeError, no endless replay)."""
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp, "run.json")
        file.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                run = glassnet.load(file)
            except GlassnetError as exc:
                assert "run file" in str(exc) and "\n" not in str(exc), str(exc)
                return
    assert run.iterations <= 20  # what the fuzzed documents hold
    for k in range(run.iterations + 1):
        step = run.step(k)
        assert step.prediction.shape == run.data.y.shape
    repr(run)


@FUZZ
@given(data=st.data())
def test_damaged_run_files_load_or_fail_cleanly(saved_runs, data):
    """A valid run document with a few mutations (a key deleted, a value replaced by
    another type, a huge integer or deep nesting, an array resized), or cut short."""
    doc = json.loads(data.draw(st.sampled_from(saved_runs)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
        action = data.draw(st.sampled_from(["delete", "replace", "replace", "grow", "shrink"]))
        value = parent[path[-1]]
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "grow" and isinstance(value, list) and value:
            value.append(json.loads(json.dumps(value[-1])))
        elif action == "shrink" and isinstance(value, list) and value:
            value.pop()
        else:
            parent[path[-1]] = data.draw(run_value)
    text = json.dumps(doc).replace(f'"{HUGE}"', "7" * 5000)
    if data.draw(st.sampled_from([False] * 7 + [True])):  # cut short
        text = text[: data.draw(st.integers(0, len(text)))]
    assert_loads_cleanly_or_replays(text)


def test_every_saved_run_loads_and_replays(saved_runs):
    for text in saved_runs:
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "r.json").write_text(text)
            run = glassnet.load(Path(tmp, "r.json"))
        assert [run.step(k).iteration for k in range(run.iterations + 1)] == list(
            range(run.iterations + 1)
        )
