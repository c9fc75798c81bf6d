"""A run as one JSON document, and back.

The document (keys in this order)::

    glassnet     {version, numpy, python, platform}
    config       the normalized experiment
    data         {name, inputs, targets, input_names, target_names}
    iterations   N, the number of updates applied
    engine       "numpy" or "compiled"
    stopped      null, or {iteration, layer, reason}
    saturated    null, or {iteration, layer}: first exact 0/1 (tanh -1/1) output
    initial      {weights, biases}
    final        {weights, biases, predictions, loss, error_sum}
    history      {loss, error_sum}: iterations 0 .. N-1
    checkpoints  {iterations, weights, biases}: enough to replay any iteration
    steps        one entry per traced iteration: iteration, weights, biases,
                 layers [{z, a}], error, deltas, updates, bias_updates,
                 weights_after, biases_after, loss, error_sum
    test         only for a run with held-out examples ([data] test_fraction):
                 {name, inputs, targets, predictions, loss, error_sum}; the
                 history then also has test_loss and test_error_sum

Weights are nested lists in the ``(n_in, n_out)`` layout; a layer without a
bias has ``null``. Floats are written with Python's shortest round-trip
``repr``, so a loaded run has bit-identical numbers; non-finite values are the
strings ``"Infinity"``, ``"-Infinity"`` and ``"NaN"``. The same run gives the
same bytes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from glassnet import files
from glassnet.errors import GlassnetError, describe

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.config import ExperimentConfig, TrainConfig
    from glassnet.data import Dataset, Scaling
    from glassnet.network import Network, Params
    from glassnet.run import History, Run
    from glassnet.training import Checkpoints, Edit, Method, Saturation, Stop

FORMAT = "glassnet-run/1"


def _num(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _clean(value: Any) -> Any:
    """Arrays to nested lists; non-finite floats to strings."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, list):
        if value and isinstance(value[0], float) and all(map(math.isfinite, value)):
            return value
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return _clean(value.item())
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _params_to_dict(params: Any) -> dict[str, Any]:
    """``{weights, biases}``: one array per layer (``None`` for a layer without a bias)."""
    return {"weights": list(params.weights), "biases": list(params.biases)}


def versions() -> dict[str, str]:
    """The versions and platform a run was made with."""
    from glassnet import __version__

    return {
        "format": FORMAT,
        "version": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def step_to_dict(step: Any) -> dict[str, Any]:
    """One traced step as plain data."""
    return {
        "iteration": step.iteration,
        "weights": [ly.W for ly in step.layers],
        "biases": [ly.b for ly in step.layers],
        "layers": [
            {"activation": ly.activation, "z": ly.z, "a": ly.a, "derivative": ly.derivative}
            for ly in step.layers
        ],
        "error": step.error,
        "deltas": [ly.delta for ly in step.layers],
        "updates": [ly.dW for ly in step.layers],
        "bias_updates": [ly.db for ly in step.layers],
        "weights_after": [ly.W_after for ly in step.layers],
        "biases_after": [ly.b_after for ly in step.layers],
        "loss": step.loss,
        "error_sum": step.error_sum,
        "applied": step.applied,
        **_method_fields(step),
    }


def _method_fields(step: Any) -> dict[str, Any]:
    """What a step records beyond the post's method (written only when it is not the post's)."""
    if step.method.is_plain and step.rows is None:
        return {}
    out: dict[str, Any] = {
        "learning_rate": step.learning_rate,
        "gradients": [ly.gradient for ly in step.layers],
        "bias_gradients": [ly.gradient_b for ly in step.layers],
    }
    if step.rows is not None:
        out["rows"] = [int(r) for r in step.rows]
        out["epoch"] = step.epoch
    slots = step.method.optimizer.slots
    if slots:
        out["state_before"] = {
            s: {
                "weights": [ly.state_before[s] for ly in step.layers],
                "biases": [ly.state_b_before.get(s) for ly in step.layers],
            }
            for s in slots
        }
        out["state_after"] = {
            s: {
                "weights": [ly.state_after[s] for ly in step.layers],
                "biases": [ly.state_b_after.get(s) for ly in step.layers],
            }
            for s in slots
        }
    return out


def run_to_dict(run: Any, trace: list[int] | tuple[int, ...] = ()) -> dict[str, Any]:
    """The run as the JSON document described in this module's docstring."""
    doc: dict[str, Any] = {
        "glassnet": versions(),
        "config": run.config.to_dict(),
        "data": _data_to_dict(run.data),
        "iterations": run.iterations,
        "engine": run.engine,
        "stopped": None
        if run.stop is None
        else {"iteration": run.stop.iteration, "layer": run.stop.layer, "reason": run.stop.reason},
        "saturated": None
        if run.saturation is None
        else {"iteration": run.saturation.iteration, "layer": run.saturation.layer},
        "initial": _params_to_dict(run.initial),
        "final": _final_to_dict(run),
        "history": _history_to_dict(run),
        "checkpoints": _checkpoints_to_dict(run.checkpoints),
        "steps": [step_to_dict(run.step(k)) for k in trace],
    }
    if run.test is not None:
        doc["test"] = _test_to_dict(run)
    return _clean(doc)


# The optional keys below are written only when the data or the method has them, so
# that the post's run keeps its document.


def _data_to_dict(data: Any) -> dict[str, Any]:
    """``data``: the examples and column names (a standardized set's scaling, a 2-D set's plane)."""
    out: dict[str, Any] = {
        "name": data.name,
        "inputs": data.X,
        "targets": data.y,
        "input_names": list(data.input_names),
        "target_names": list(data.target_names),
    }
    if data.scaling is not None:
        out["scaling"] = {"mean": data.scaling.mean, "scale": data.scaling.scale}
    if data.plane is not None:
        out["plane"] = data.plane
        out["features"] = list(data.features)
    return out


def _final_to_dict(run: Any) -> dict[str, Any]:
    """``final``: the last weights, the predictions, loss and error sum (the optimizer's state)."""
    out: dict[str, Any] = {
        **_params_to_dict(run.final),
        "predictions": run.final_prediction,
        "loss": run.final_loss,
        "error_sum": run.final_error_sum,
    }
    if run.final_state:
        out["state"] = {name: _params_to_dict(p) for name, p in run.final_state.items()}
    return out


def _history_to_dict(run: Any) -> dict[str, Any]:
    """``history``: loss and error sum per iteration (the batch loss, the test figures)."""
    out: dict[str, Any] = {"loss": run.history.loss, "error_sum": run.history.error_sum}
    if run.history.batch_loss is not None:
        out["batch_loss"] = run.history.batch_loss
    if run.test is not None:
        out.update(test_loss=run.history.test_loss, test_error_sum=run.history.test_error_sum)
    return out


def _checkpoints_to_dict(checkpoints: Any) -> dict[str, Any]:
    """``checkpoints``: the iterations and the weights at each (the optimizer's state)."""
    out: dict[str, Any] = {
        "iterations": checkpoints.iterations,
        "weights": list(checkpoints.weights),
        "biases": list(checkpoints.biases),
    }
    if checkpoints.slots:
        out["state"] = {
            name: {"weights": list(ck.weights), "biases": list(ck.biases)}
            for name, ck in checkpoints.slots.items()
        }
    return out


def _test_to_dict(run: Any) -> dict[str, Any]:
    """``test``: the held-out examples and the final predictions, loss and error sum on them."""
    return {
        "name": run.test.name,
        "inputs": run.test.X,
        "targets": run.test.y,
        "predictions": run.final_test_prediction,
        "loss": run.final_test_loss,
        "error_sum": run.final_test_error_sum,
    }


def dumps(doc: dict[str, Any]) -> str:
    """Deterministic JSON text."""
    return json.dumps(doc, allow_nan=False, separators=(",", ":")) + "\n"


def check_output(path: str | Path) -> Path:
    """Refuse an output path that cannot be written, before any work is done.

    Kept for existing callers; see :func:`glassnet.files.check_output`.
    Returns the folder the file will be written in.
    """
    return files.check_output(path).real.parent


def atomic_write(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` the way :func:`glassnet.files.write_file` does.

    Kept for existing callers: a regular file is replaced atomically, a
    device or FIFO written in place, a read-only file refused.
    """
    files.write_file(path, text)


def write_json(run: Any, path: str | Path, trace: list[int] | tuple[int, ...] = ()) -> None:
    """Write ``run`` (with the traced iterations) as JSON, atomically."""
    for k in trace:
        run._check_iteration(k)
    atomic_write(path, dumps(run_to_dict(run, trace)))


# --------------------------------------------------------------------------- loading

#: The strings that stand for non-finite floats in a run document.
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
#: Engines a run document may name.
ENGINES = ("numpy", "compiled")
#: Integers with more digits than this are kept as :class:`_Huge` (never converted).
MAX_INT_DIGITS = 400

#: The keys of a run document, in the order they are written ("test" may follow).
_DOCUMENT_KEYS = (
    "glassnet",
    "config",
    "data",
    "iterations",
    "engine",
    "stopped",
    "saturated",
    "initial",
    "final",
    "history",
    "checkpoints",
    "steps",
)
#: What a step records beyond the post's method (optimizer state, batch rows).
_STEP_METHOD_KEYS = (
    "learning_rate",
    "gradients",
    "bias_gradients",
    "rows",
    "epoch",
    "state_before",
    "state_after",
)
_STEP_KEYS = (
    "iteration",
    "weights",
    "biases",
    "layers",
    "error",
    "deltas",
    "updates",
    "bias_updates",
    "weights_after",
    "biases_after",
    "loss",
    "error_sum",
    "applied",
)


class _Huge:
    """A JSON integer too long to convert (Python refuses more than 4300 digits)."""

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit whole number"


def _parse_int(text: str) -> int | _Huge:
    return _Huge(text) if len(text) > MAX_INT_DIGITS else int(text)


def load(path: str | os.PathLike[str]) -> Any:
    """Load a run saved by :meth:`Run.to_json`; it can be explained and plotted again.

    The whole document is checked against the rules a run obeys before
    anything is built from it (see :class:`_Checker`), so a loaded run can
    replay and explain every iteration, each in a bounded number of steps.

    Raises
    ------
    GlassnetError
        For a path that is not a regular file (or is over
        :data:`~glassnet.files.MAX_RUN_BYTES`, or needs more memory than is
        available), a file that is not a glassnet run, or a damaged one: one
        line naming the field, the rule and the value found.
    """
    path = files.as_path(path, "run file", GlassnetError)
    shown = f"run file {str(path)!r}"
    raw = files.read_file(
        path,
        where=shown,
        limit=files.MAX_RUN_BYTES,
        error=GlassnetError,
        accepted="a .json file written by glassnet run --json",
        limit_hint="; record fewer iterations (--iterations) to keep runs this long",
    )
    _check_load_memory(len(raw), shown)
    deep = files.json_depth(raw, files.MAX_JSON_DEPTH)
    if deep is not None:
        raise GlassnetError(
            f"{shown} nests arrays and objects {deep} deep; a glassnet run nests at most "
            f"{files.MAX_JSON_DEPTH} (it is not a glassnet run, or it was edited)."
        )
    try:
        text = raw.decode("utf-8")
        del raw  # the text and the parsed document are enough to hold at once
        doc = json.loads(text, parse_int=_parse_int)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GlassnetError(f"{shown} is not a glassnet JSON run: {exc}.") from None
    del text
    meta = doc.get("glassnet") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise GlassnetError(f"{shown} is not a glassnet run (expected format {FORMAT!r}).")
    return _Checker(shown).run(doc)


def _check_load_memory(n_bytes: int, shown: str) -> None:
    """Refuse a file whose loading would take more than half the available memory."""
    from glassnet.memory import MEMORY_SHARE, available_memory

    available = available_memory()
    need = files.RUN_LOAD_FACTOR * n_bytes
    if available is not None and need > MEMORY_SHARE * available:
        raise GlassnetError(
            f"{shown} is {n_bytes / 1e6:,.0f} MB; loading it takes about {need / 1e9:.1f} GB "
            f"of memory but only {MEMORY_SHARE * available / 1e9:.1f} GB may be used (half of "
            f"what is available). Free some memory."
        )


def _what(value: Any) -> str:
    """What was found, for a message: ``a list of 3 lists``, ``'x'``, ``null``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"an object with keys {describe(list(value), 40)}" if value else "an empty object"
    if isinstance(value, list):
        if not value:
            return "an empty list"
        kinds = {
            "lists"
            if isinstance(v, list)
            else "numbers"
            if _is_number(v)
            else "strings"
            if isinstance(v, str)
            else "objects"
            if isinstance(v, dict)
            else "items"
            for v in value[:1000]
        }
        return (
            f"a list of {len(value):,} {kinds.pop() if len(kinds) == 1 else 'items of mixed kinds'}"
        )
    return describe(value)


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _expect(shape: tuple[int, ...], finite: bool) -> str:
    """``a list of 3 rows of 2 numbers``: what nested lists of ``shape`` look like."""
    numbers = ("finite number", "finite numbers") if finite else ("number", "numbers")
    parts = [("matrix", "matrices"), ("row", "rows")][3 - len(shape) :] if len(shape) > 1 else []
    text = "a list of " + " of ".join(
        _count(n, *names) for n, names in zip(shape, [*parts, numbers])
    )
    return text


class _Shapes(NamedTuple):
    """The shape of each layer's arrays in a run document, as the network gives them."""

    weights: list[tuple[int, int]]  # W: (n_in, n_out)
    biases: list[tuple[int, ...] | None]  # b: (n_out,), or None for a layer without a bias
    outs: list[int]  # n_out

    @classmethod
    def of(cls, network: Network) -> _Shapes:
        shapes = list(network.shapes)
        return cls(
            shapes,
            [(o,) if has else None for (_, o), has in zip(shapes, network.bias)],
            [o for _, o in shapes],
        )


class _Checker:
    """Checks a run document field by field and builds the :class:`~glassnet.run.Run`.

    The rules are those a run obeys: the config through the same parser as an
    experiment; every array the shape the network gives it; numbers finite
    where training makes them finite (the data, the initial weights, the
    history before a stop); histories one entry per iteration; checkpoints
    sorted, starting at 0 and never further apart than the run's own schedule
    puts them, so that replaying any iteration takes at most that many steps.
    Each refusal is one line: ``run file 'r.json': history.loss must be ...; got ...``.
    """

    def __init__(self, shown: str) -> None:
        self.shown = shown

    # ---------------------------------------------------------------- primitives

    def fail(self, field: str, rule: str, value: Any, shown: str | None = None) -> GlassnetError:
        """``<file>: <field> must be <rule>; got <value>.`` (``shown`` instead of the value)."""
        got = _what(value) if shown is None else shown
        return GlassnetError(f"{self.shown}: {field} must be {rule}; got {got}.")

    def obj(
        self, value: Any, field: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """``value``, an object with every key of ``keys`` and maybe some of ``optional``."""
        if not isinstance(value, dict):
            raise self.fail(field, f"an object with keys {', '.join(keys)}", value)
        for key in keys:
            if key not in value:
                top = field == "the document"
                raise GlassnetError(
                    f"{self.shown}: {key if top else f'{field}.{key}'} is missing; a glassnet "
                    f"run has {'the' if top else field} keys {', '.join((*keys, *optional))}."
                )
        for key in value:
            if key not in keys and key not in optional:
                raise GlassnetError(
                    f"{self.shown}: {field} has an unknown key {describe(key)}; its keys are "
                    f"{', '.join((*keys, *optional))}."
                )
        return value

    def integer(self, value: Any, field: str, low: int, high: int, why: str = "") -> int:
        if type(value) is not int or not low <= value <= high:
            raise self.fail(field, f"a whole number from {low:,} to {high:,}{why}", value)
        return value

    def string(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, "a string", value)
        return value

    def number(self, value: Any, field: str, finite: bool = False) -> float:
        return float(self.array(value, field, (), finite))

    def array(
        self, value: Any, field: str, shape: tuple[int, ...], finite: bool, why: str = ""
    ) -> np.ndarray:
        """Nested lists of the exact ``shape`` as float64; non-finite values only unless ``finite``."""
        level = [value]
        for depth, n in enumerate(shape):
            if any(type(item) is not list or len(item) != n for item in level):
                i = next(
                    i for i, item in enumerate(level) if type(item) is not list or len(item) != n
                )
                where = field + "".join(f"[{k}]" for k in np.unravel_index(i, shape[:depth]))
                rule = _expect(shape[depth:], finite) + (why if depth == 0 else "")
                raise self.fail(where, rule, level[i])
            level = [x for item in level for x in item]
        if all(type(v) is float for v in level):
            values = np.array(level, dtype=np.float64)
        else:
            values = np.empty(len(level))
            for i, v in enumerate(level):
                if type(v) is float:
                    values[i] = v
                    continue
                number = None
                if type(v) is int:
                    with contextlib.suppress(OverflowError):  # beyond float64's range
                        number = float(v)
                elif not finite and isinstance(v, str):
                    number = NON_FINITE.get(v)
                if number is None:
                    index = [int(k) for k in np.unravel_index(i, shape)]
                    if isinstance(v, list) and shape:  # one level too deep: name the list
                        parent = value
                        for k in index[:-1]:
                            parent = parent[k]
                        where = field + "".join(f"[{k}]" for k in index[:-1])
                        rule = _expect(shape[-1:], finite) + (why if len(shape) == 1 else "")
                        raise self.fail(where, rule, parent)
                    where = field + "".join(f"[{k}]" for k in index)
                    rule = (
                        "a finite number"
                        if finite
                        else 'a number (or "NaN", "Infinity", "-Infinity")'
                    )
                    raise self.fail(where, rule, v)
                values[i] = number
        if finite and not np.isfinite(values).all():
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            where = field + "".join(f"[{k}]" for k in np.unravel_index(i, shape))
            raise self.fail(where, "a finite number", level[i])
        return values.reshape(shape)

    def rows(self, value: Any, field: str) -> tuple[int, int]:
        """The ``(n_rows, n_columns)`` of a table, both at least 1 (shape only)."""
        if type(value) is not list or not value or type(value[0]) is not list or not value[0]:
            raise self.fail(field, "a list of rows of numbers (at least one of each)", value)
        return len(value), len(value[0])

    def layers(
        self,
        value: Any,
        field: str,
        shapes: list[tuple[int, ...] | None],
        finite: bool,
    ) -> tuple[np.ndarray | None, ...]:
        """One array per layer (``None`` where ``shapes[l]`` is ``None``: must be null)."""
        if type(value) is not list or len(value) != len(shapes):
            raise self.fail(field, f"a list of {len(shapes)} entries (one per layer)", value)
        out: list[np.ndarray | None] = []
        for l, (item, shape) in enumerate(zip(value, shapes)):
            if shape is None:
                if item is not None:
                    raise self.fail(f"{field}[{l}]", "null (this layer has none)", item)
                out.append(None)
            else:
                out.append(self.array(item, f"{field}[{l}]", shape, finite))
        return tuple(out)

    # ---------------------------------------------------------------- the document

    def run(self, doc: Any) -> Run:
        """Check the whole document, part by part, and build the run it records.

        The parts are checked in the order below, so that a document with several
        problems is always refused for the same one.
        """
        from glassnet.run import Run

        doc = self.obj(doc, "the document", _DOCUMENT_KEYS, ("test",))
        self._versions(doc["glassnet"])
        config = self._config(doc["config"])
        data = self._data(doc["data"])
        network, method, edits = self._network(config, data)
        shapes = _Shapes.of(network)
        slots = method.optimizer.slots
        iterations, stop = self._stop(
            doc["iterations"], doc["stopped"], config.train, network.n_layers
        )
        n_history = iterations + (stop is not None)  # + the one that stopped the run
        engine = self._engine(doc["engine"])
        saturation = self._saturation(doc["saturated"], n_history, network.n_layers)
        initial = self._initial(doc["initial"], shapes)
        final, final_state, final_prediction = self._final(doc["final"], shapes, slots, data)
        history = self._history(doc["history"], config, method, n_history, stop, data.n_samples)
        checkpoints = self._checkpoints(doc["checkpoints"], config.train, iterations, shapes, slots)
        self._steps(doc["steps"], config.train, method, iterations, shapes, data.n_samples)
        test, final_test = self._test(doc, config, data)
        # last, where they have always been checked (the first error found stays the same)
        final_loss = self.number(doc["final"]["loss"], "final.loss")
        final_error_sum = self.number(doc["final"]["error_sum"], "final.error_sum")
        return Run(
            config=config,
            network=network,
            data=data,
            initial=initial,
            final=final,
            iterations=iterations,
            history=history,
            checkpoints=checkpoints,
            final_prediction=final_prediction,
            final_loss=final_loss,
            final_error_sum=final_error_sum,
            stop=stop,
            saturation=saturation,
            engine=engine,
            test=test,
            final_test_prediction=final_test[0],
            final_test_loss=final_test[1],
            final_test_error_sum=final_test[2],
            method=method,
            edits=edits,
            final_state=final_state,
        )

    # ---------------------------------------------------------------- the parts of the document

    def _versions(self, value: Any) -> None:
        """``glassnet``: the format and the versions the run was written with, all strings."""
        meta = self.obj(value, "glassnet", ("format", "version", "numpy", "python", "platform"))
        for key, text in meta.items():
            self.string(text, f"glassnet.{key}")

    def _config(self, value: Any) -> ExperimentConfig:
        """``config``: the experiment, read by the same parser as an experiment file."""
        from glassnet.config import parse
        from glassnet.errors import ConfigError

        try:
            return parse(
                self.obj(value, "config", (), ("data", "network", "init", "train", "edits"))
            )
        except ConfigError as exc:
            raise GlassnetError(f"{self.shown}: config: {exc}") from None

    def _data(self, value: Any) -> Dataset:
        """``data``: the training examples, finite, and a name for each column.

        ``X`` is ``(n_samples, n_in)`` and ``y`` ``(n_samples, n_out)``; a standardized
        set (``[data] standardize``) also has its scaling, a 2-D set its points in the plane.
        """
        from glassnet.data import Dataset

        d = self.obj(
            value,
            "data",
            ("name", "inputs", "targets", "input_names", "target_names"),
            ("scaling", "plane", "features"),
        )
        n_samples, n_in = self.rows(d["inputs"], "data.inputs")
        n_out = self.rows(d["targets"], "data.targets")[1]
        X = self.array(d["inputs"], "data.inputs", (n_samples, n_in), True)
        y = self.array(
            d["targets"], "data.targets", (n_samples, n_out), True, " (one row per row of inputs)"
        )
        names = {}
        for key, n in (("input_names", n_in), ("target_names", n_out)):
            names_found = d[key]
            if (
                type(names_found) is not list
                or len(names_found) != n
                or not all(isinstance(v, str) for v in names_found)
            ):
                raise self.fail(
                    f"data.{key}", f"a list of {n} strings (one per column)", names_found
                )
            names[key] = tuple(names_found)
        scaling = self._scaling(d["scaling"], n_in) if "scaling" in d else None
        plane, features = self._plane(d, n_samples, n_in) if "plane" in d else (None, ())
        return Dataset(
            X,
            y,
            self.string(d["name"], "data.name"),
            names["input_names"],
            names["target_names"],
            plane,
            features,
            scaling,
        )

    def _scaling(self, value: Any, n_in: int) -> Scaling:
        """``data.scaling``: the mean and the scale (> 0) that standardized each input column."""
        from glassnet.data import Scaling

        sc = self.obj(value, "data.scaling", ("mean", "scale"))
        mean = self.array(sc["mean"], "data.scaling.mean", (n_in,), True)
        scale = self.array(sc["scale"], "data.scaling.scale", (n_in,), True)
        if np.any(scale <= 0):
            raise self.fail("data.scaling.scale", f"{n_in} numbers > 0", sc["scale"])
        return Scaling(mean, scale)

    def _plane(
        self, d: dict[str, Any], n_samples: int, n_in: int
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """``data.plane`` ``(n_samples, 2)`` and ``data.features``: a 2-D set's points and
        the features its ``n_in`` input columns are computed from."""
        from glassnet.data.planar import FEATURES

        plane = self.array(d["plane"], "data.plane", (n_samples, 2), True)
        feats = d.get("features")
        if (
            type(feats) is not list
            or len(feats) != n_in
            or not all(isinstance(f, str) and f in FEATURES for f in feats)
        ):
            raise self.fail("data.features", f"a list of {n_in} of {', '.join(FEATURES)}", feats)
        return plane, tuple(feats)

    def _network(
        self, config: ExperimentConfig, data: Dataset
    ) -> tuple[Network, Method, tuple[Edit, ...]]:
        """The network, the training method and the edits the config gives, checked
        against the data (a config error names the config)."""
        from glassnet.errors import ConfigError
        from glassnet.resolve import build_network, edits_of, method_of

        try:
            network = build_network(config, data)
            return network, method_of(config), edits_of(config, network)
        except ConfigError as exc:
            raise GlassnetError(f"{self.shown}: config: {exc}") from None

    def _stop(
        self, value: Any, stopped: Any, train: TrainConfig, n_layers: int
    ) -> tuple[int, Stop | None]:
        """``iterations`` and ``stopped``: the number of updates applied (all of
        ``[train] iterations`` unless the run stopped), and where and why it stopped."""
        from glassnet.training import Stop

        iterations = self.integer(
            value, "iterations", 0, train.iterations, " (config [train] iterations)"
        )
        if stopped is None:
            if iterations != train.iterations:
                raise self.fail(
                    "iterations",
                    f"{train.iterations:,} (config [train] iterations) for a run that did not stop",
                    iterations,
                )
            return iterations, None
        s = self.obj(stopped, "stopped", ("iteration", "layer", "reason"))
        if iterations == train.iterations:
            raise self.fail(
                "iterations",
                f"less than {train.iterations:,} (config [train] iterations) for a run that stopped",
                iterations,
            )
        return iterations, Stop(
            self.integer(
                s["iteration"],
                "stopped.iteration",
                iterations,
                iterations,
                " (the iterations applied)",
            ),
            self.integer(s["layer"], "stopped.layer", 0, n_layers - 1),
            self.string(s["reason"], "stopped.reason"),
        )

    def _engine(self, value: Any) -> str:
        """``engine``: the name of the engine that trained the run."""
        if value not in ENGINES:
            raise self.fail("engine", " or ".join(repr(e) for e in ENGINES), value)
        return str(value)

    def _saturation(self, value: Any, n_history: int, n_layers: int) -> Saturation | None:
        """``saturated``: ``null``, or the first recorded iteration at which a layer output
        an exact end of its range, and that layer."""
        from glassnet.training import Saturation

        if value is None:
            return None
        s = self.obj(value, "saturated", ("iteration", "layer"))
        return Saturation(
            self.integer(s["iteration"], "saturated.iteration", 0, max(n_history - 1, 0)),
            self.integer(s["layer"], "saturated.layer", 0, n_layers - 1),
        )

    def _params(self, p: dict[str, Any], field: str, shapes: _Shapes, finite: bool) -> Params:
        """``<field>.weights`` and ``<field>.biases`` of an object already checked:
        one array per layer, of the layer's shape (finite only if ``finite``)."""
        from glassnet.network import Params

        weights = self.layers(p["weights"], f"{field}.weights", list(shapes.weights), finite)
        biases = self.layers(p["biases"], f"{field}.biases", list(shapes.biases), finite)
        return Params(tuple(w for w in weights if w is not None), biases)

    def _initial(self, value: Any, shapes: _Shapes) -> Params:
        """``initial``: the weights before the first update, all finite."""
        return self._params(
            self.obj(value, "initial", ("weights", "biases")), "initial", shapes, True
        )

    def _final(
        self, value: Any, shapes: _Shapes, slots: tuple[str, ...], data: Dataset
    ) -> tuple[Params, dict[str, Params], np.ndarray]:
        """``final``: the weights after the last update, the optimizer's state then (one
        :class:`Params` per slot of ``slots``) and the predictions ``(n_samples, n_out)``.

        Any values: an update may overflow. Its ``loss`` and ``error_sum`` are checked
        last, by :meth:`run`.
        """
        f = self.obj(
            value,
            "final",
            (
                "weights",
                "biases",
                "predictions",
                "loss",
                "error_sum",
                *(("state",) if slots else ()),
            ),
        )
        final = self._params(f, "final", shapes, False)
        state = {}
        if slots:
            st = self.obj(f["state"], "final.state", slots)
            state = {
                name: self._params(
                    self.obj(st[name], f"final.state.{name}", ("weights", "biases")),
                    f"final.state.{name}",
                    shapes,
                    False,
                )
                for name in slots
            }
        n_samples, n_out = data.y.shape
        prediction = self.array(f["predictions"], "final.predictions", (n_samples, n_out), False)
        return final, state, prediction

    def _history(
        self,
        value: Any,
        config: ExperimentConfig,
        method: Method,
        n_history: int,
        stop: Stop | None,
        n_samples: int,
    ) -> History:
        """``history``: the loss and the error sum of each of the ``n_history`` iterations
        recorded, finite (but for the iteration that stopped the run, if it stopped).

        With held-out examples also ``test_loss`` and ``test_error_sum``, with
        mini-batches ``batch_loss``: any values.
        """
        from glassnet.run import History
        from glassnet.training import Batches

        test_wanted = config.data.test_fraction > 0
        batched = method.batch_size is not None
        history_keys = (
            ("loss", "error_sum")
            + (("test_loss", "test_error_sum") if test_wanted else ())
            + (("batch_loss",) if batched else ())
        )
        h = self.obj(value, "history", history_keys)
        per = " (one per iteration" + (", and the one that stopped the run)" if stop else ")")
        loss = self.array(h["loss"], "history.loss", (n_history,), False, per)
        err = self.array(h["error_sum"], "history.error_sum", (n_history,), False, per)
        for name, values in (("loss", loss), ("error_sum", err)):
            last = n_history - 1 if stop is not None else n_history
            if not np.isfinite(values[:last]).all():
                i = int(np.flatnonzero(~np.isfinite(values[:last]))[0])
                raise self.fail(
                    f"history.{name}[{i}]",
                    "a finite number (a run stops at its first non-finite loss)",
                    h[name][i],
                )
        batch_loss = None
        if batched:
            batch_loss = self.array(h["batch_loss"], "history.batch_loss", (n_history,), False, per)
        test_loss = test_err = None
        if test_wanted:
            test_loss = self.array(h["test_loss"], "history.test_loss", (n_history,), False, per)
            test_err = self.array(
                h["test_error_sum"], "history.test_error_sum", (n_history,), False, per
            )
        return History(
            loss,
            err,
            test_loss,
            test_err,
            batch_loss,
            Batches(n_samples, method.batch_size).per_epoch,
        )

    def _checkpoints(
        self,
        value: Any,
        train: TrainConfig,
        iterations: int,
        shapes: _Shapes,
        slots: tuple[str, ...],
    ) -> Checkpoints:
        """``checkpoints``: the iterations a replay may start from and, at each, the weights
        and the optimizer's state (one set per slot of ``slots``), any values."""
        from glassnet.training import Checkpoints

        c = self.obj(
            value,
            "checkpoints",
            ("iterations", "weights", "biases", *(("state",) if slots else ())),
        )
        ks = self._checkpoint_iterations(c["iterations"], train, iterations)
        weights, biases = self._stacked(c, "checkpoints", len(ks), shapes)
        state = {}
        if slots:
            st = self.obj(c["state"], "checkpoints.state", slots)
            for name in slots:
                where = f"checkpoints.state.{name}"
                part = self.obj(st[name], where, ("weights", "biases"))
                state[name] = Checkpoints(ks, *self._stacked(part, where, len(ks), shapes))
        return Checkpoints(ks, weights, biases, state)

    def _checkpoint_iterations(self, at: Any, train: TrainConfig, iterations: int) -> np.ndarray:
        """``checkpoints.iterations``: increasing from 0 to at most ``iterations`` and never
        further apart than the run's own schedule puts them; int64, as training stores them."""
        from glassnet.training import CheckpointSchedule

        if type(at) is not list or not at or any(type(k) is not int for k in at):
            raise self.fail("checkpoints.iterations", "a non-empty list of whole numbers", at)
        ks = np.array(at, dtype=np.int64)
        if ks[0] != 0 or np.any(np.diff(ks) <= 0) or ks[-1] > iterations:
            raise self.fail(
                "checkpoints.iterations",
                f"increasing iterations from 0 up to at most {iterations:,} (the iterations applied)",
                at,
                describe(at, 40),
            )
        # a run of this length checkpoints this far apart (a continued run, Run.extend, up
        # to twice as far): replaying any iteration takes at most that many steps
        every = 2 * CheckpointSchedule.for_run(train.iterations, train.checkpoints).every
        gaps = np.diff(np.append(ks, max(iterations, int(ks[-1]))))
        if gaps.size and int(gaps.max()) > every:
            i = int(np.argmax(gaps))
            raise GlassnetError(
                f"{self.shown}: checkpoints.iterations must be at most {every:,} apart (the "
                f"spacing [train] checkpoints = {train.checkpoints:,} gives a run of "
                f"{train.iterations:,} iterations), so that replaying any iteration takes at most "
                f"{_count(every, 'step', 'steps')}; got {int(ks[i]):,} followed by "
                f"{int(ks[i]) + int(gaps[i]):,}."
            )
        return ks

    def _stacked(
        self, part: dict[str, Any], field: str, k: int, shapes: _Shapes
    ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
        """``<field>.weights`` and ``<field>.biases`` of an object already checked: each
        layer's array at the ``k`` checkpoints, ``(k, n_in, n_out)`` and ``(k, n_out)``."""
        weights = self.layers(
            part["weights"], f"{field}.weights", [(k, *sh) for sh in shapes.weights], False
        )
        biases = self.layers(
            part["biases"],
            f"{field}.biases",
            [None if b is None else (k, *b) for b in shapes.biases],
            False,
        )
        return tuple(w for w in weights if w is not None), biases

    def _steps(
        self,
        value: Any,
        train: TrainConfig,
        method: Method,
        iterations: int,
        shapes: _Shapes,
        n_samples: int,
    ) -> None:
        """``steps``: the traced iterations, each checked by :meth:`step`. Nothing is kept:
        a loaded run replays any iteration from its checkpoints."""
        if type(value) is not list:
            raise self.fail("steps", "a list of traced iterations", value)
        for i, step in enumerate(value):
            self.step(
                step,
                f"steps[{i}]",
                iterations,
                min(method.batch_size or n_samples, n_samples),
                shapes.weights,
                shapes.biases,
                shapes.outs,
                train.train_biases,
                method.batch_size is not None,
            )

    def _test(
        self, doc: dict[str, Any], config: ExperimentConfig, data: Dataset
    ) -> tuple[Dataset | None, tuple[np.ndarray | None, float | None, float | None]]:
        """``test``, there exactly when ``[data] test_fraction`` holds examples out: those
        examples, finite, and the final ``(predictions, loss, error_sum)`` on them.

        Without a test fraction: ``None`` and ``(None, None, None)``.
        """
        from glassnet.data import Dataset

        test_wanted = config.data.test_fraction > 0
        if "test" in doc and not test_wanted:
            raise GlassnetError(
                f"{self.shown}: test is there but config [data] test_fraction is 0; a run has "
                f"held-out examples only with a test_fraction."
            )
        if not test_wanted:
            return None, (None, None, None)
        if "test" not in doc:
            raise GlassnetError(
                f"{self.shown}: test is missing; config [data] test_fraction = "
                f"{config.data.test_fraction} holds out examples."
            )
        t = self.obj(
            doc["test"],
            "test",
            ("name", "inputs", "targets", "predictions", "loss", "error_sum"),
        )
        n_in, n_out = data.X.shape[1], data.y.shape[1]
        n_test = self.rows(t["inputs"], "test.inputs")[0]
        test = Dataset(
            self.array(t["inputs"], "test.inputs", (n_test, n_in), True),
            self.array(
                t["targets"],
                "test.targets",
                (n_test, n_out),
                True,
                " (one row per row of inputs)",
            ),
            self.string(t["name"], "test.name"),
            data.input_names,
            data.target_names,
        )
        return test, (
            self.array(t["predictions"], "test.predictions", (n_test, n_out), False),
            self.number(t["loss"], "test.loss"),
            self.number(t["error_sum"], "test.error_sum"),
        )

    def step(
        self,
        value: Any,
        field: str,
        iterations: int,
        n_samples: int,
        shapes: list[tuple[int, int]],
        bias_shapes: list[tuple[int, ...] | None],
        outs: list[int],
        train_biases: bool,
        batched: bool = False,
    ) -> None:
        """A traced step: every array the shape of its layer (any values: they are replayed).

        ``n_samples`` is the rows of a batch (the last batch of an epoch may be shorter).
        """
        s = self.obj(value, field, _STEP_KEYS, _STEP_METHOD_KEYS)
        if batched:
            rows = s.get("rows")
            if type(rows) is not list or not 1 <= len(rows) <= n_samples:
                raise self.fail(
                    f"{field}.rows", f"a list of 1 to {n_samples} example numbers", rows
                )
            n_samples = len(rows)
        k = self.integer(s["iteration"], f"{field}.iteration", 0, iterations)
        if s["applied"] is not (k < iterations):
            raise self.fail(
                f"{field}.applied", "true before the last iteration, else false", s["applied"]
            )
        per_sample: list[tuple[int, ...] | None] = [(n_samples, o) for o in outs]
        update_shapes = [b if train_biases else None for b in bias_shapes]
        for key, layer_shapes in (
            ("weights", shapes),
            ("weights_after", shapes),
            ("updates", shapes),
            ("biases", bias_shapes),
            ("biases_after", bias_shapes),
            ("bias_updates", update_shapes),
            ("deltas", per_sample),
        ):
            self.layers(s[key], f"{field}.{key}", list(layer_shapes), False)
        self.array(s["error"], f"{field}.error", (n_samples, outs[-1]), False)
        self.number(s["loss"], f"{field}.loss")
        self.number(s["error_sum"], f"{field}.error_sum")
        layers = s["layers"]
        if type(layers) is not list or len(layers) != len(outs):
            raise self.fail(
                f"{field}.layers", f"a list of {len(outs)} objects (one per layer)", layers
            )
        for l, layer in enumerate(layers):
            where = f"{field}.layers[{l}]"
            ly = self.obj(layer, where, ("activation", "z", "a", "derivative"))
            self.string(ly["activation"], f"{where}.activation")
            for key in ("z", "a", "derivative"):
                self.array(ly[key], f"{where}.{key}", (n_samples, outs[l]), False)
