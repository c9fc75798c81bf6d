"""One browser tab's playground: its experiment and its live run, trained slice by slice.

A :class:`Session` is the controller between the page and the core. It holds
an :class:`~glassnet.experiment.Experiment` and the state of its run (the
params and the optimizer's state after ``iteration`` updates, the whole
history, thinned checkpoints, the edits made by hand) and continues the run
with the same engines as ``glassnet run``, from iteration ``#iteration``
(their ``start=`` and ``state=``): the numbers are those of one run of the
total, edits included. For anything shown, it builds a core
:class:`~glassnet.run.Run` of what was trained so far (:meth:`Session.run`),
so that scrubbing replays an iteration exactly as the report does
(:meth:`~glassnet.run.Run.step`), and the boundary, the arithmetic, the
report and the export are the core's.

Nothing here knows about HTTP or WebSockets; the web application
(:mod:`glassnet.serve.app`) calls these methods one at a time per session,
in a worker thread, and sends what they return.
"""

from __future__ import annotations

import base64
import json
import math
import os
import random
import shutil
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from glassnet import config as config_mod
from glassnet import engines
from glassnet.activations import ACTIVATIONS
from glassnet.config import EditConfig, ExperimentConfig
from glassnet.data import TOY_DATASETS
from glassnet.data.planar import PLANAR_DATASETS
from glassnet.data.real import REAL_DATASETS
from glassnet.errors import ConfigError, DataError, GlassnetError
from glassnet.experiment import Experiment
from glassnet.losses import LOSSES
from glassnet.network import Params, parameter_names
from glassnet.optimizers import OPTIMIZERS
from glassnet.run import Run, finish
from glassnet.training import (
    Checkpoints,
    CheckpointSchedule,
    Edit,
    OptimizerState,
    Saturation,
    Stop,
    Trained,
    apply_edit,
    initial_state,
    learning_rate_at,
    merge_checkpoints,
)
from glassnet.types import Array


class SessionError(GlassnetError):
    """A request the session cannot carry out now (one line, shown in the page)."""


@dataclass(frozen=True)
class Limits:
    """What one session may train (documented in :mod:`glassnet.serve` and docs/playground.md)."""

    #: Updates one run may apply: its history takes 16 bytes an iteration.
    iterations: int = 10_000_000
    hidden_layers: int = 6
    units: int = 32
    parameters: int = 20_000
    examples: int = 10_000
    #: Bytes of an uploaded CSV.
    upload_bytes: int = 10_000_000
    #: Memory for the checkpoints the scrubber replays from; their number follows from it.
    checkpoint_bytes: int = 32_000_000
    min_checkpoints: int = 100
    max_checkpoints: int = 20_000
    #: Points added by clicking the plane.
    points: int = 2_000


LIMITS = Limits()

#: The data sets the page offers: the toy ones, scikit-learn's, the 2-D ones.
DATASETS = (*TOY_DATASETS, *REAL_DATASETS, *PLANAR_DATASETS)

#: Grid points per side of the boundary heatmap; the hidden units' pictures use every other.
RESOLUTION = 40
#: Points of the error curve sent with each frame.
CURVE_POINTS = 400
#: Examples drawn on the plane.
PLANE_POINTS = 2_000

#: The settings the page edits (see :meth:`Session.settings`).
SETTING_KEYS = (
    "dataset",
    "n",
    "noise",
    "data_seed",
    "features",
    "standardize",
    "hidden",
    "activation",
    "output",
    "bias",
    "seed",
    "loss",
    "optimizer",
    "learning_rate",
    "batch_size",
    "l2",
)


class _Series:
    """A float64 array that grows by doubling: the run's history."""

    def __init__(self) -> None:
        self._data = np.empty(1024)
        self.size = 0

    def extend(self, values: Array) -> None:
        need = self.size + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)))
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : need] = values
        self.size = need

    @property
    def values(self) -> Array:
        return self._data[: self.size]


def _copy_state(state: OptimizerState) -> OptimizerState:
    return {name: p.copy() for name, p in state.items()}


def quantize(values: Array, low: float, high: float) -> str:
    """``values`` mapped linearly from ``[low, high]`` to bytes 0..255, base64 (NaN -> 0)."""
    span = high - low if high > low else 1.0
    with np.errstate(all="ignore"):
        scaled = np.nan_to_num((values - low) / span, nan=0.0, posinf=1.0, neginf=0.0)
    data = np.clip(np.round(scaled * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


class Session:
    """One tab's experiment and its live run.

    Parameters
    ----------
    config : ExperimentConfig, optional
        The experiment the page starts with (default: the post's).
    folder : path
        A private folder for this session's files (an uploaded CSV, exports,
        reports); created if missing, removed by :meth:`close`.
    limits : Limits
        What the session may train.
    engine : {"compiled", "numpy"}, optional
        Default: the compiled engine where numba works here, else numpy.
    """

    def __init__(
        self,
        config: ExperimentConfig | None = None,
        *,
        folder: str | os.PathLike[str],
        limits: Limits = LIMITS,
        engine: str | None = None,
    ) -> None:
        self.limits = limits
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._engine = engine
        self.csv_name: str | None = None
        #: The activation the page's hidden layers get (remembered when there are none).
        self.hidden_activation = "tanh"
        cfg = config or ExperimentConfig()
        if cfg.data.csv is not None:
            source = Path(cfg.data.csv)
            if not source.is_absolute():
                source = Path(cfg.base_dir) / source
            shutil.copyfile(source, self.folder / "data.csv")
            self.csv_name = source.name
            cfg = replace(cfg, data=replace(cfg.data, csv="data.csv"), base_dir=str(self.folder))
        self._start(self._experiment(cfg))

    # ------------------------------------------------------------------ the experiment

    @property
    def engine(self) -> str:
        """The engine that trains: ``"compiled"`` where numba works here, else ``"numpy"``."""
        if self._engine is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._engine = engines.select("compiled", self.network, 1, self.data.n_samples)
        return self._engine

    def _checkpoint_budget(self, n_params: int, n_slots: int) -> int:
        lim = self.limits
        count = lim.checkpoint_bytes // (8 * max(1, n_params) * (1 + n_slots))
        return int(min(lim.max_checkpoints, max(lim.min_checkpoints, count)))

    def _experiment(self, cfg: ExperimentConfig) -> Experiment:
        """The experiment ``cfg`` describes, within the session's limits."""
        if cfg.data.test_fraction:
            raise ConfigError(
                "the playground trains on every example; drop [data] test_fraction "
                f"(got {cfg.data.test_fraction:g})."
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=UserWarning)
            exp = Experiment(cfg)
        net, lim = exp.network, self.limits
        hidden = net.sizes[1:-1]
        if len(hidden) > lim.hidden_layers:
            raise ConfigError(
                f"the playground takes at most {lim.hidden_layers} hidden layers; got {len(hidden)}."
            )
        if any(units > lim.units for units in hidden):
            raise ConfigError(
                f"the playground takes at most {lim.units} units per hidden layer; got "
                f"{max(hidden)}."
            )
        if net.n_params > lim.parameters:
            raise ConfigError(
                f"the playground takes networks of at most {lim.parameters:,} weights and biases; "
                f"layers {list(net.sizes)} have {net.n_params:,}."
            )
        if exp.data.n_samples > lim.examples:
            raise DataError(
                f"the playground takes at most {lim.examples:,} examples; the data has "
                f"{exp.data.n_samples:,}. Use a sample of the rows."
            )
        budget = self._checkpoint_budget(net.n_params, len(exp.method.optimizer.slots))
        exp.config = replace(cfg, train=replace(cfg.train, checkpoints=budget))
        return exp

    def _start(self, exp: Experiment) -> None:
        """Make ``exp`` the session's experiment, its run at iteration ``#0``."""
        self.experiment = exp
        self.config: ExperimentConfig = exp.config
        self.network = exp.network
        self.data = exp.data
        self.method = exp.method
        if len(self.network.sizes) > 2:
            self.hidden_activation = self.network.activations[0].name
        if self._engine is not None and self._engine != "numpy":
            self._engine = None  # chosen again for the new network
        self._specialize: bool | None = None
        self.reset()

    def reset(self) -> None:
        """Back to iteration ``#0`` with the same initial weights; the edits made here are dropped."""
        exp = self.experiment
        self.iteration = 0
        self.final: Params = exp.initial.copy()
        self.state: OptimizerState = initial_state(self.method, self.final)
        self.edits: list[Edit] = list(exp.edits)
        self.loss, self.error_sum, self.batch_loss = _Series(), _Series(), _Series()
        self.checkpoints: Checkpoints | None = None
        self.stop: Stop | None = None
        self.saturation: Saturation | None = None
        #: The iteration the page shows, or ``None``: the latest.
        self.shown: int | None = None
        self._run: Run | None = None

    @property
    def max_checkpoints(self) -> int:
        return self.config.train.checkpoints

    # ------------------------------------------------------------------ settings

    def settings(self) -> dict[str, Any]:
        """The experiment as the page's controls show it."""
        cfg, net = self.config, self.network
        data = cfg.data
        if data.csv is not None:
            dataset = "csv"
        elif data.inputs is not None:
            dataset = "points"
        else:
            dataset = data.dataset or "trask"
        return {
            "dataset": dataset,
            "csv_name": self.csv_name,
            "n": data.n,
            "noise": data.noise,
            "data_seed": data.data_seed,
            "features": list(data.features),
            "standardize": data.standardize,
            "hidden": list(net.sizes[1:-1]),
            "activation": self.hidden_activation,
            "output": net.activations[-1].name,
            "bias": any(net.bias),
            "seed": cfg.init.seed,
            "loss": cfg.train.loss,
            "optimizer": cfg.train.optimizer,
            "learning_rate": cfg.train.learning_rate,
            "batch_size": cfg.train.batch_size,
            "l2": cfg.train.l2,
        }

    def configure(self, changes: Mapping[str, Any]) -> None:
        """Apply the page's changed settings: a new experiment, its run back at ``#0``.

        Raises :class:`~glassnet.errors.GlassnetError` (one line) and keeps the
        current experiment when the settings are not a valid experiment.
        """
        unknown = [key for key in changes if key not in SETTING_KEYS]
        if unknown:
            raise ConfigError(
                f"unknown setting {unknown[0]!r}; the page sets {', '.join(SETTING_KEYS)}."
            )
        s = {**self.settings(), **changes}
        if s["dataset"] == "csv" and self.csv_name is None:
            raise DataError("no CSV uploaded yet; choose a file with the upload button.")
        self._start(self._experiment(self._config_of(s, self.config)))

    def _config_of(self, s: Mapping[str, Any], base: ExperimentConfig) -> ExperimentConfig:
        """The experiment of settings ``s`` over ``base`` (its other keys kept)."""
        doc = base.to_dict()
        data: dict[str, Any] = {}
        if s["standardize"]:
            data["standardize"] = True
        if s["dataset"] == "csv":
            data["csv"] = base.data.csv if base.data.csv else "data.csv"
            if base.data.target_columns:
                data["targets"] = list(base.data.target_columns)
        elif s["dataset"] == "points":
            if base.data.inputs is None:
                raise DataError("no points yet: click on the plane to add some.")
            data["inputs"] = [list(r) for r in base.data.inputs]
            data["targets"] = [list(r) for r in base.data.targets or ()]
        else:
            data["dataset"] = s["dataset"]
            if s["dataset"] in PLANAR_DATASETS:
                data.update(
                    n=s["n"], noise=s["noise"], data_seed=s["data_seed"], features=s["features"]
                )
        doc["data"] = data
        loss = LOSSES.get(s["loss"])
        output = s["output"]
        if loss is not None and loss.requires is not None:
            output = loss.requires.name  # the loss names its output (cross-entropies)
        elif output in ACTIVATIONS and ACTIVATIONS[output].rowwise:
            output = "sigmoid"
        hidden = [int(units) for units in s["hidden"]]
        if hidden:
            self.hidden_activation = s["activation"]
        doc["network"] = {"activation": output, "bias": bool(s["bias"])}
        if s["seed"] is not None:
            doc["init"] = {"seed": s["seed"]}
        elif (
            hidden != list(self.network.sizes[1:-1])
            or bool(s["bias"]) != any(self.network.bias)
            or doc["data"] != base.to_dict()["data"]
        ):
            doc["init"] = {"seed": config_mod.DEFAULT_SEED}  # the file's weights no longer fit
        train = doc["train"]
        train.update(loss=s["loss"], learning_rate=s["learning_rate"], l2=s["l2"])
        if s["optimizer"] != base.train.optimizer:
            reads = OPTIMIZERS[s["optimizer"]].settings if s["optimizer"] in OPTIMIZERS else ()
            for key in config_mod.SETTING_RANGES:
                if key not in reads:
                    train.pop(key, None)
        train["optimizer"] = s["optimizer"]
        if s["batch_size"] is None:
            train.pop("batch_size", None)
            train.pop("shuffle_seed", None)
        else:
            train["batch_size"] = s["batch_size"]
        doc["edits"] = []
        first = config_mod.parse(doc, base_dir=base.base_dir)
        from glassnet.resolve import load_split

        shapes = load_split(first).train
        n_in, n_out = shapes.X.shape[1], shapes.y.shape[1]
        doc["network"] = {
            "layers": [n_in, *hidden, n_out],
            "activation": [s["activation"]] * len(hidden) + [output],
            "bias": bool(s["bias"]),
        }
        return config_mod.parse(doc, base_dir=base.base_dir)

    def new_seed(self) -> int:
        """A new random seed for the initial weights; the run starts over. Returns it."""
        seed = random.SystemRandom().randrange(2**32)
        self.configure({"seed": seed})
        return seed

    def load_csv(self, raw: bytes, name: str) -> None:
        """Train on an uploaded CSV (read by glassnet's CSV reader, its one-line errors)."""
        if len(raw) > self.limits.upload_bytes:
            raise DataError(
                f"upload {name!r}: is {len(raw) / 1e6:.1f} MB, more than the "
                f"{self.limits.upload_bytes / 1e6:g} MB accepted; use a sample of the rows."
            )
        incoming = self.folder / "data-new.csv"
        incoming.write_bytes(raw)
        base = replace(
            self.config,
            data=replace(self.config.data, csv="data-new.csv", target_columns=None),
            base_dir=str(self.folder),
        )
        settings = {**self.settings(), "dataset": "csv"}
        try:
            exp = self._experiment(self._config_of(settings, base))
        except GlassnetError as exc:
            incoming.unlink(missing_ok=True)
            message = str(exc).replace(repr(str(incoming)), repr(name))
            raise type(exc)(message) from None
        os.replace(incoming, self.folder / "data.csv")
        cfg = exp.config
        exp.config = replace(cfg, data=replace(cfg.data, csv="data.csv"))
        self.csv_name = name
        self._start(exp)

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add an example at ``(x1, x2)`` of class ``label`` (0 or 1): the data become points."""
        plane = self._plane()
        if plane is None:
            raise DataError(
                "points can be added to data of two inputs only; choose a 2-D data set first."
            )
        points, labels = plane
        if len(points) >= self.limits.points:
            raise DataError(f"the plane holds at most {self.limits.points:,} points.")
        inputs = [[float(a), float(b)] for a, b in points] + [[float(x1), float(x2)]]
        targets = [[float(c)] for c in labels] + [[float(label)]]
        base = config_mod.from_settings({"inputs": inputs, "targets": targets}, self.config)
        settings = {**self.settings(), "dataset": "points", "standardize": False}
        self._start(self._experiment(self._config_of(settings, base)))

    # ------------------------------------------------------------------ training

    def _kernel_options(self) -> dict[str, Any]:
        """The compiled engine's options: the unrolled kernel only once it is compiled here
        (the table-driven one gives the same bits and never makes the page wait for a compile)."""
        if self.engine != "compiled":
            return {}
        if self._specialize is None:
            from glassnet.engines import aot
            from glassnet.engines.codegen import Spec
            from glassnet.engines.compiled import use_unrolled

            spec = Spec.of(self.network, self.data.n_samples, self.method)
            self._specialize = use_unrolled(spec, 0)
            self._built = aot.is_built(spec)
        return {"specialize": self._specialize, "ahead_of_time": None if self._built else False}

    def warm_up(self) -> None:
        """Load the engine's kernel for this network (numba's start-up), training nothing."""
        if self.engine == "compiled":
            trained = engines.trainer("compiled")(
                self.network,
                self.experiment.initial.copy(),
                self.data.X,
                self.data.y,
                iterations=1,
                learning_rate=self.config.train.learning_rate,
                train_biases=self.config.train.train_biases,
                schedule=CheckpointSchedule.for_run(1, 2),
                method=self.method,
                **self._kernel_options(),
            )
            del trained

    def train(self, iterations: int) -> int:
        """Apply up to ``iterations`` more updates (fewer at the limit); return how many.

        The run continues from the params and the optimizer's state of
        iteration ``#iteration``, with the edits made before it, on the
        session's engine: the numbers are those of one run of the total.
        """
        if self.stop is not None:
            raise SessionError(
                f"the loss is not finite at iteration #{self.stop.iteration}; the run cannot "
                f"continue. Reset, or change the settings (a smaller learning rate?)."
            )
        room = self.limits.iterations - self.iteration
        if room <= 0:
            raise SessionError(
                f"this run reached the playground's limit of {self.limits.iterations:,} "
                f"iterations; Export or Reset it."
            )
        n = int(min(iterations, room))
        start = self.iteration
        train = self.config.train
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            trained = engines.trainer(self.engine)(
                self.network,
                self.final.copy(),
                self.data.X,
                self.data.y,
                iterations=n,
                learning_rate=learning_rate_at(train.learning_rate, self.edits, start),
                train_biases=train.train_biases,
                schedule=CheckpointSchedule.for_run(n, self.max_checkpoints),
                method=self.method,
                edits=tuple(self.edits),
                start=start,
                state=_copy_state(self.state),
                **self._kernel_options(),
            )
        self.loss.extend(trained.loss)
        self.error_sum.extend(trained.error_sum)
        if trained.batch_loss is not None:
            self.batch_loss.extend(trained.batch_loss)
        self.final, self.state = trained.final, trained.final_state
        self.iteration = start + trained.updates_applied
        if self.checkpoints is None:
            self.checkpoints = trained.checkpoints
        else:
            self.checkpoints = merge_checkpoints(
                self.checkpoints,
                trained.checkpoints,
                max(self.iteration, 1),
                self.max_checkpoints,
            )
        self.stop = trained.stop
        self.saturation = self.saturation or trained.saturation
        self.shown = None
        self._run = None
        return trained.updates_applied

    def edit(self, target: str, value: float) -> None:
        """Set ``target`` (``"learning_rate"`` or a parameter such as ``"W0[0,0]"``) to ``value``
        before iteration ``#iteration``: training continues from there, and the run records it."""
        if self.stop is not None:
            raise SessionError("the run has stopped (its loss is not finite); Reset it first.")
        if self.shown is not None and self.shown != self.iteration:
            raise SessionError(
                f"edits are made at the latest iteration (#{self.iteration:,}); move the "
                f"scrubber to the end first (it shows #{self.shown:,})."
            )
        names = parameter_names(self.network)
        if target != "learning_rate" and target not in names:
            from glassnet.errors import did_you_mean

            raise ConfigError(
                f"edit must set learning_rate or a parameter of layers {list(self.network.sizes)} "
                f"(W0[0,0], ...); got {target!r}.{did_you_mean(target, [*names, 'learning_rate'])}"
            )
        if not math.isfinite(value) or (target == "learning_rate" and value <= 0):
            rule = "a finite number > 0" if target == "learning_rate" else "a finite number"
            raise ConfigError(f"{target} must be set to {rule}; got {value!r}.")
        self.edits = [
            e for e in self.edits if not (e.iteration == self.iteration and e.target == target)
        ]
        self.edits.append(Edit(self.iteration, target, float(value)))
        self.edits.sort(key=lambda e: e.iteration)
        self._run = None

    # ------------------------------------------------------------------ what the page shows

    def _pending(self, params: Params) -> Params:
        """``params`` with the edits made at the latest iteration (applied when training goes on)."""
        rate = self.config.train.learning_rate
        for edit in self.edits:
            if edit.iteration == self.iteration:
                params, rate = apply_edit(self.network, params, rate, edit)
        return params

    def _build_run(self, cfg: ExperimentConfig, *, pending: bool) -> Run:
        n = self.iteration
        checkpoints = self.checkpoints
        if checkpoints is None:
            checkpoints = Checkpoints.allocate(
                self.network, np.zeros(1, dtype=np.int64), self.method.optimizer.slots
            )
            checkpoints.store(0, self.experiment.initial, initial_state(self.method, self.final))
        final = self._pending(self.final) if pending else self.final
        batch = self.batch_loss.values if self.method.batch_size is not None else None
        trained = Trained(
            self.loss.values,
            self.error_sum.values,
            checkpoints,
            final,
            n,
            self.stop,
            self.saturation,
            batch_loss=batch,
            final_state=self.state,
        )
        edits = tuple(self.edits if pending else (e for e in self.edits if e.iteration < n))
        with np.errstate(all="ignore"):
            return finish(
                cfg,
                self.network,
                self.data,
                self.experiment.initial,
                trained,
                self.engine,
                method=self.method,
                edits=edits,
            )

    def run(self) -> Run:
        """What was trained so far as a core :class:`~glassnet.run.Run` (edits made at the
        latest iteration included in its final weights)."""
        if self._run is None:
            cfg = replace(
                self.config,
                train=replace(self.config.train, iterations=max(self.iteration, 1)),
                edits=tuple(EditConfig(e.iteration, e.target, e.value) for e in self.edits),
            )
            self._run = self._build_run(cfg, pending=True)
        return self._run

    def scrub(self, iteration: int) -> None:
        """Show iteration ``#iteration`` (0 to the latest), replayed exactly."""
        if not 0 <= iteration <= self.iteration:
            raise SessionError(
                f"the scrubber goes from 0 to {self.iteration:,} (the latest iteration); "
                f"got {iteration:,}."
            )
        self.shown = None if iteration == self.iteration else iteration

    @property
    def shown_iteration(self) -> int:
        return self.iteration if self.shown is None else self.shown

    def _plane(self) -> tuple[Array, Array] | None:
        """The examples as points of a plane and their classes, or ``None``."""
        from glassnet.boundary import plane_of

        points = plane_of(self.run())
        if points is None:
            return None
        y = self.data.y
        labels = y[:, 0] if y.shape[1] == 1 else np.argmax(y, axis=1).astype(np.float64)
        return points, labels

    def setup(self) -> dict[str, Any]:
        """What the page draws once per experiment: the network, its names, the data's plane."""
        from glassnet.explain import names_of

        net = self.network
        names = names_of(self.run())
        plane = self._plane()
        data: dict[str, Any] = {
            "name": self.data.name,
            "n_samples": self.data.n_samples,
            "input_names": list(self.data.input_names),
            "plane": None,
        }
        if plane is not None:
            points, labels = plane
            keep = np.linspace(0, len(points) - 1, min(len(points), PLANE_POINTS)).astype(int)
            data["plane"] = {
                "points": points[keep].round(4).tolist(),
                "labels": labels[keep].tolist(),
            }
        return {
            "settings": self.settings(),
            "network": {
                "sizes": list(net.sizes),
                "activations": [a.name for a in net.activations],
                "bias": list(net.bias),
                "units": [
                    [names.unit(layer - 1, j) for j in range(size)]
                    for layer, size in enumerate(net.sizes)
                ],
                "parameters": list(parameter_names(net)),
            },
            "data": data,
            "engine": self.engine,
            "limits": {"iterations": self.limits.iterations},
        }

    def curve(self) -> dict[str, Any]:
        """The error curve, thinned to :data:`CURVE_POINTS` recorded iterations."""
        loss = self.loss.values
        if len(loss) == 0:
            return {"iterations": [], "loss": []}
        index = np.unique(np.linspace(0, len(loss) - 1, CURVE_POINTS).round().astype(np.int64))
        return {
            "iterations": index.tolist(),
            "loss": [_finite(v) for v in loss[index]],
        }

    def frame(self) -> dict[str, Any]:
        """The shown iteration: its params, figures, learning rate and boundary."""
        run = self.run()
        k = self.shown_iteration
        params = run.weights_at(k)
        if k < self.iteration:
            loss, err = float(self.loss.values[k]), float(self.error_sum.values[k])
        else:
            loss, err = run.final_loss, run.final_error_sum
        frame: dict[str, Any] = {
            "type": "frame",
            "iteration": k,
            "latest": self.iteration,
            "loss": _finite(loss),
            "error_sum": _finite(err),
            "learning_rate": run.learning_rate_at(k),
            "weights": [w.tolist() for w in params.weights],
            "biases": [None if b is None else b.tolist() for b in params.biases],
            "curve": self.curve(),
            "stopped": None if self.stop is None else self.stop.iteration,
            "boundary": self._boundary(run, k),
        }
        return frame

    def _boundary(self, run: Run, k: int) -> dict[str, Any] | None:
        from glassnet.boundary import boundary, plane_of, value_range

        if plane_of(run) is None:
            return None
        found = boundary(run, RESOLUTION, [k])
        net = self.network
        out = found.output[0]
        column = out[..., -1]
        low, high = value_range(net.activations[-1], column)
        hidden = []
        for layer, grid in enumerate(found.hidden):
            units = grid[0][::2, ::2]
            act = net.activations[layer]
            scales = [value_range(act, units[..., j]) for j in range(units.shape[-1])]
            hidden.append(
                [
                    {"range": list(scale), "values": quantize(units[..., j], *scale)}
                    for j, scale in enumerate(scales)
                ]
            )
        return {
            "extent": [
                float(found.x1[0]),
                float(found.x1[-1]),
                float(found.x2[0]),
                float(found.x2[-1]),
            ],
            "size": RESOLUTION,
            "range": [low, high],
            "output": quantize(column, low, high),
            "hidden_size": len(range(0, RESOLUTION, 2)),
            "hidden": hidden,
        }

    def arithmetic(self, part: str) -> dict[str, Any]:
        """The explainer's text about ``part`` at the shown iteration."""
        from glassnet.serve.arithmetic import explain_part

        k = self.shown_iteration
        with np.errstate(all="ignore"):
            title, text = explain_part(self.run(), k, part)
        value = None
        if part in parameter_names(self.network):
            params = self.run().weights_at(k)
            value = float(params.flat()[parameter_names(self.network).index(part)])
        return {
            "type": "arithmetic",
            "part": part,
            "iteration": k,
            "title": title,
            "text": text,
            "value": value,
        }

    # ------------------------------------------------------------------ files

    def export_config(self) -> ExperimentConfig:
        """The experiment of the run so far, as ``glassnet run`` replays it: the total
        iterations and every edit made before them ([[edits]])."""
        if self.iteration == 0:
            raise SessionError("nothing to export yet: train at least one iteration.")
        total = self.iteration + (1 if self.stop is not None else 0)
        doc = self.config.to_dict()
        doc["train"]["iterations"] = total
        doc["edits"] = [
            {"iteration": e.iteration, "set": e.target, "value": e.value}
            for e in self.edits
            if e.iteration < total
        ]
        return config_mod.parse(doc, base_dir=self.config.base_dir)

    def export_run(self) -> Run:
        """The run ``glassnet run`` gives for :meth:`export_config`, bit for bit.

        That command picks its engine (``auto``) from the run's size; where it
        picks the session's engine, the run is the session's own; where not
        (a short run of a small network: numpy), it is trained again with
        that engine, which is quick by the rule that picked it.
        """
        cfg = self.export_config()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chosen = engines.select("auto", self.network, cfg.train.iterations, self.data.n_samples)
        if chosen == self.engine:
            return self._build_run(cfg, pending=False)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return Experiment(cfg).run(engine=chosen)

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write a zip to ``path``: ``playground.toml`` (the experiment, its [[edits]] and total
        iterations), ``playground-run.json`` (the run, :mod:`glassnet.serialize`) and, for
        uploaded data, ``data.csv``."""
        run = self.export_run()
        target = Path(path)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("playground.toml", format_toml(run.config))
            with archive.open("playground-run.json", "w") as out:
                write_run_json(run, out)
            if run.config.data.csv is not None:
                archive.write(self.folder / "data.csv", "data.csv")
        return target

    def report(self, path: str | os.PathLike[str]) -> Path:
        """Write the HTML report of the run so far to ``path``."""
        from glassnet.report import write_report

        if self.iteration == 0:
            raise SessionError("nothing to report yet: train at least one iteration.")
        return write_report(self.run(), Path(path))

    def close(self) -> None:
        """Remove the session's folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


#: History entries serialized at a time (a few tens of milliseconds: the server's other
#: sessions run in between).
JSON_CHUNK = 20_000


def write_run_json(run: Run, out: IO[bytes]) -> None:
    """Write ``run`` as :func:`glassnet.serialize.dumps` of :func:`~glassnet.serialize.run_to_dict`
    would, byte for byte, without holding its whole history as Python floats and JSON text at
    once: the history is written in chunks of :data:`JSON_CHUNK` iterations."""
    from glassnet.run import History
    from glassnet.serialize import _clean, dumps, run_to_dict

    history = run.history
    columns = {name: values for name, values in history.as_dict().items() if name != "epoch"}
    markers = {name: f"@@glassnet-history-{name}@@" for name in columns}
    # the history's arrays stand in as marker strings, replaced while writing
    stand_in: Any = History(
        markers["loss"],  # type: ignore[arg-type]  # marker strings stand in for arrays
        markers["error_sum"],  # type: ignore[arg-type]  # marker strings stand in for arrays
        markers.get("test_loss"),  # type: ignore[arg-type]  # marker strings stand in for arrays
        markers.get("test_error_sum"),  # type: ignore[arg-type]  # marker strings stand in for arrays
        markers.get("batch_loss"),  # type: ignore[arg-type]  # marker strings stand in for arrays
        history.batches_per_epoch,
    )
    text = dumps(run_to_dict(replace(run, history=stand_in)))
    for name in sorted(markers, key=lambda n: text.index(f'"{markers[n]}"')):
        head, text = text.split(f'"{markers[name]}"', 1)
        out.write(head.encode())
        out.write(b"[")
        values = columns[name]
        for start in range(0, len(values), JSON_CHUNK):
            if start:
                out.write(b",")
            chunk = json.dumps(
                _clean(values[start : start + JSON_CHUNK]), allow_nan=False, separators=(",", ":")
            )
            out.write(chunk[1:-1].encode())
        out.write(b"]")
    out.write(text.encode())


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_toml(cfg: ExperimentConfig) -> str:
    """The experiment as a TOML file that ``glassnet run`` reads back to the same config."""
    lines = [
        "# Exported by the glassnet playground. Replay it bit for bit with:",
        "#   glassnet run playground.toml --json replay.json",
        "",
    ]
    doc = cfg.to_dict()
    edits = doc.pop("edits", [])
    for section, body in doc.items():
        if not body:
            continue
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in body.items()]
        lines.append("")
    for edit in edits:
        lines.append("[[edits]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in edit.items()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
