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

import json
import math
import platform
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import files
from glassnet.errors import GlassnetError

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


def _unclean(value: Any) -> Any:
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf").replace("NaN", "nan"))
    if isinstance(value, list):
        return [_unclean(v) for v in value]
    return value


def _params(params: Any) -> dict[str, Any]:
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
    }


def run_to_dict(run: Any, trace: list[int] | tuple[int, ...] = ()) -> dict[str, Any]:
    """The run as the JSON document described in this module's docstring."""
    doc: dict[str, Any] = {
        "glassnet": versions(),
        "config": run.config.to_dict(),
        "data": {
            "name": run.data.name,
            "inputs": run.data.X,
            "targets": run.data.y,
            "input_names": list(run.data.input_names),
            "target_names": list(run.data.target_names),
        },
        "iterations": run.iterations,
        "engine": run.engine,
        "stopped": None
        if run.stop is None
        else {"iteration": run.stop.iteration, "layer": run.stop.layer, "reason": run.stop.reason},
        "saturated": None
        if run.saturation is None
        else {"iteration": run.saturation.iteration, "layer": run.saturation.layer},
        "initial": _params(run.initial),
        "final": {
            **_params(run.final),
            "predictions": run.final_prediction,
            "loss": run.final_loss,
            "error_sum": run.final_error_sum,
        },
        "history": {"loss": run.history.loss, "error_sum": run.history.error_sum},
        "checkpoints": {
            "iterations": run.checkpoints.iterations,
            "weights": list(run.checkpoints.weights),
            "biases": list(run.checkpoints.biases),
        },
        "steps": [step_to_dict(run.step(k)) for k in trace],
    }
    if run.test is not None:
        doc["history"].update(
            test_loss=run.history.test_loss, test_error_sum=run.history.test_error_sum
        )
        doc["test"] = {
            "name": run.test.name,
            "inputs": run.test.X,
            "targets": run.test.y,
            "predictions": run.final_test_prediction,
            "loss": run.final_test_loss,
            "error_sum": run.final_test_error_sum,
        }
    return _clean(doc)


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


def _arr(value: Any) -> np.ndarray:
    return np.array(_unclean(value), dtype=np.float64)


def load(path: str | Path) -> Any:
    """Load a run saved by :meth:`Run.to_json`; it can be explained and plotted again.

    Raises
    ------
    GlassnetError
        For a missing file, a file that is not a glassnet run, or a damaged
        one (a key missing, a value of the wrong type or shape).
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GlassnetError(f"run file {str(path)!r} not found.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GlassnetError(f"run file {str(path)!r} is not a glassnet JSON run: {exc}.") from None
    meta = doc.get("glassnet") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise GlassnetError(
            f"run file {str(path)!r} is not a glassnet run (expected format {FORMAT!r})."
        )
    try:
        return _run_from_doc(doc)
    except GlassnetError as exc:
        raise type(exc)(f"run file {str(path)!r}: {exc}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        what = (
            f"no {exc.args[0]!r} entry" if isinstance(exc, KeyError) else " ".join(str(exc).split())
        )
        raise GlassnetError(
            f"run file {str(path)!r} is damaged ({what}); write it again with glassnet run --json."
        ) from None


def _run_from_doc(doc: dict[str, Any]) -> Any:
    """The :class:`~glassnet.run.Run` a loaded document describes (raises on damage)."""
    from glassnet.config import parse
    from glassnet.data import Dataset
    from glassnet.experiment import build_network
    from glassnet.network import Params
    from glassnet.run import History, Run
    from glassnet.training import Checkpoints, Saturation, Stop

    def params(d: dict[str, Any]) -> Params:
        loaded = Params(
            tuple(_arr(w) for w in d["weights"]),
            tuple(None if b is None else _arr(b) for b in d["biases"]),
        )
        shapes = [w.shape for w in loaded.weights]
        if shapes != network.shapes or len(loaded.biases) != network.n_layers:
            raise ValueError(f"weights of shapes {shapes} for layers {list(network.sizes)}")
        return loaded

    config = parse(doc["config"])
    data = Dataset(
        _arr(doc["data"]["inputs"]),
        _arr(doc["data"]["targets"]),
        doc["data"]["name"],
        tuple(doc["data"]["input_names"]),
        tuple(doc["data"]["target_names"]),
    )
    network = build_network(config, data)
    ck = doc["checkpoints"]
    stopped = doc["stopped"]
    final = doc["final"]
    history = doc["history"]
    test_doc = doc.get("test")
    test = (
        None
        if test_doc is None
        else Dataset(
            _arr(test_doc["inputs"]),
            _arr(test_doc["targets"]),
            test_doc["name"],
            data.input_names,
            data.target_names,
        )
    )
    return Run(
        config=config,
        network=network,
        data=data,
        initial=params(doc["initial"]),
        final=params(final),
        iterations=int(doc["iterations"]),
        history=History(
            _arr(history["loss"]),
            _arr(history["error_sum"]),
            None if "test_loss" not in history else _arr(history["test_loss"]),
            None if "test_error_sum" not in history else _arr(history["test_error_sum"]),
        ),
        checkpoints=Checkpoints(
            np.array(ck["iterations"], dtype=np.int64),
            tuple(
                _arr(w).reshape(len(ck["iterations"]), *shape)
                for w, shape in zip(ck["weights"], network.shapes)
            ),
            tuple(
                None if b is None else _arr(b).reshape(len(ck["iterations"]), -1)
                for b in ck["biases"]
            ),
        ),
        final_prediction=_arr(final["predictions"]),
        final_loss=float(_unclean(final["loss"])),
        final_error_sum=float(_unclean(final["error_sum"])),
        stop=None if stopped is None else Stop(**stopped),
        saturation=None if doc.get("saturated") is None else Saturation(**doc["saturated"]),
        engine=doc["engine"],
        test=test,
        final_test_prediction=None if test_doc is None else _arr(test_doc["predictions"]),
        final_test_loss=None if test_doc is None else float(_unclean(test_doc["loss"])),
        final_test_error_sum=None if test_doc is None else float(_unclean(test_doc["error_sum"])),
    )
