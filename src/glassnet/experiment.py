"""An experiment: settings, resolved into data, a network and initial weights, ready to run."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import config as config_mod
from glassnet.activations import ACTIVATIONS
from glassnet.config import ExperimentConfig
from glassnet.data import Dataset, builtin, from_arrays, read_csv
from glassnet.data.real import REAL_DATASETS, Split, load_real, split, standardize
from glassnet.errors import ConfigError, DataError, GlassnetWarning, ResourceError
from glassnet.losses import LOSSES
from glassnet.network import Network, Params, init_params
from glassnet.run import Run, finish
from glassnet.training import CheckpointSchedule, Progress, Trained, train_reference

#: Engines a run can be trained with. ``auto`` picks the fastest that pays off.
ENGINES = ("auto", "numpy", "compiled")


class Experiment:
    """A validated experiment, ready to :meth:`run`.

    Parameters
    ----------
    source : path, mapping or ExperimentConfig, optional
        A TOML experiment file, the same content as a dict of sections, or an
        already parsed config. Default: the seed's experiment.
    allow : bool, default False
        Accept targets the output activation cannot produce (a target of 2
        for a sigmoid output) with a :class:`~glassnet.errors.GlassnetWarning`
        that the loss cannot reach 0, instead of a :class:`DataError`.
    **settings
        Flat overrides of any key, e.g. ``Experiment(dataset="xor",
        layers=[3, 4, 1], seed=1, iterations=60000)``.

    Examples
    --------
    >>> run = Experiment(iterations=2).run()
    >>> run.step(1).prediction.ravel().round(8)
    array([0.40018475, 0.32312967, 0.56698066, 0.48370881])
    """

    def __init__(
        self,
        source: str | Path | Mapping[str, Any] | ExperimentConfig | None = None,
        /,
        *,
        allow: bool = False,
        **settings: Any,
    ) -> None:
        cfg = config_mod.coerce(source)
        if settings:
            cfg = config_mod.from_settings(settings, cfg)
        self.config: ExperimentConfig = cfg
        parts = load_split(cfg)
        self.data: Dataset = parts.train
        #: The held-out examples (``[data] test_fraction``), or ``None``.
        self.test: Dataset | None = parts.test
        self.network: Network = build_network(cfg, self.data)
        #: Warnings about accepted input (``allow=True``), also issued as GlassnetWarning.
        self.warnings: tuple[str, ...] = check_targets(self.network, self.data, allow)
        for message in self.warnings:
            warnings.warn(message, GlassnetWarning, stacklevel=2)
        # Before drawing the weights: a layer of 10**9 units must be refused, not allocated.
        check_memory(self.network, self.data, cfg.train.iterations, cfg.train.checkpoints)
        self.initial: Params = initial_params(cfg, self.network)

    def __repr__(self) -> str:
        return f"Experiment({self.config.to_dict()!r})"

    def run(
        self,
        iterations: int | None = None,
        *,
        engine: str = "auto",
        progress: Progress | None = None,
    ) -> Run:
        """Train and return the recorded :class:`~glassnet.run.Run`.

        Parameters
        ----------
        iterations : int, optional
            Overrides ``[train] iterations``: the number of updates to apply.
        engine : {"auto", "numpy", "compiled"}
            ``numpy`` is the readable reference; ``compiled`` the numba kernel.
            A run with held-out examples (``[data] test_fraction``) always
            trains with ``numpy``, which records the test figures each iteration.
        progress : callable, optional
            Called now and then with the number of iterations done.
        """
        cfg = self.config
        if iterations is not None:
            cfg = config_mod.from_settings({"iterations": iterations}, cfg)
        if engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}.")
        train = cfg.train
        check_memory(self.network, self.data, train.iterations, train.checkpoints)
        schedule = CheckpointSchedule.for_run(train.iterations, train.checkpoints)
        chosen = choose_engine(engine, self.network, train.iterations)
        held_out: dict[str, Any] = {}
        if self.test is not None:
            # Only the reference engine records the test figures each iteration.
            chosen = "numpy"
            held_out = {"X_test": self.test.X, "y_test": self.test.y}
        trained = ENGINE_FUNCTIONS[chosen]()(
            self.network,
            self.initial.copy(),
            self.data.X,
            self.data.y,
            iterations=train.iterations,
            learning_rate=train.learning_rate,
            train_biases=train.train_biases,
            schedule=schedule,
            progress=progress,
            **held_out,
        )
        # A diverged run's final loss may overflow to inf: that is recorded, never warned.
        with np.errstate(all="ignore"):
            return finish(
                cfg, self.network, self.data, self.initial, trained, chosen, test=self.test
            )


def _reference() -> Callable[..., Trained]:
    return train_reference


def _compiled() -> Callable[..., Trained]:
    # Imported here so that numba is loaded only by runs that use it.
    from glassnet.kernels import load

    return load("single").train_compiled  # type: ignore[no-any-return]


#: Engine name -> a function returning the training function (imported lazily).
#: Every engine takes the arguments of :func:`~glassnet.training.train_reference`
#: and returns a :class:`~glassnet.training.Trained` with the same numbers.
ENGINE_FUNCTIONS: dict[str, Callable[[], Callable[..., Trained]]] = {
    "numpy": _reference,
    "compiled": _compiled,
}

#: What ``auto`` weighs (measured on the benchmark machine, see README):
#: the numpy reference costs about this many seconds per layer and iteration
#: on small data; starting numba and loading the cached kernel costs
#: ``COMPILED_START_SECONDS`` once per process (far less if numba is loaded).
NUMPY_SECONDS_PER_LAYER_ITERATION = 1.5e-5
COMPILED_START_SECONDS = 0.5


def choose_engine(engine: str, network: Network, iterations: int) -> str:
    """The engine that will train.

    ``numpy`` is always the reference. ``auto`` picks the compiled kernel
    only when the numpy run would take longer than loading numba and the
    kernel (so short runs never import numba). ``compiled`` where numba is
    missing or broken falls back to numpy with a
    :class:`~glassnet.kernels.EngineFallback` warning (the CLI prints it as
    one note line); ``auto`` falls back silently.
    """
    if engine == "numpy":
        return "numpy"
    if engine == "auto":
        import sys

        numpy_seconds = iterations * network.n_layers * NUMPY_SECONDS_PER_LAYER_ITERATION
        start = 0.05 if "numba" in sys.modules else COMPILED_START_SECONDS
        if numpy_seconds < start:
            return "numpy"
    from glassnet.kernels import EngineFallback, unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        return "compiled"
    if engine == "compiled":
        import warnings

        warnings.warn(
            f"the compiled engine is not available here ({reason}); training with numpy.",
            EngineFallback,
            stacklevel=3,
        )
    return "numpy"


def load_data(cfg: ExperimentConfig) -> Dataset:
    """The examples an experiment trains on: its dataset, standardized and split as set.

    With ``[data] test_fraction > 0`` this is the training part only; see
    :func:`load_split` for both parts.
    """
    return load_split(cfg).train


def load_split(cfg: ExperimentConfig) -> Split:
    """The training examples and the held-out test examples (``None`` without a split).

    The split is made first (stratified by class, seeded by ``[data] split_seed``),
    then ``[data] standardize`` rescales both parts with the training rows'
    column means and standard deviations (see :mod:`glassnet.data.real`).
    """
    parts = split(load_source(cfg), cfg.data.test_fraction, cfg.data.split_seed)
    return standardize(parts) if cfg.data.standardize else parts


def load_source(cfg: ExperimentConfig) -> Dataset:
    """The dataset an experiment names (built-in, real, inline or CSV), as read."""
    data = cfg.data
    if data.csv is not None:
        path = Path(data.csv)
        if not path.is_absolute():
            path = Path(cfg.base_dir) / path
        return read_csv(path, list(data.target_columns) if data.target_columns else None)
    if data.inputs is not None:
        return from_arrays([list(r) for r in data.inputs], [list(r) for r in data.targets or ()])
    if data.dataset in REAL_DATASETS:
        return load_real(data.dataset)
    return builtin(data.dataset or "seed")


def build_network(cfg: ExperimentConfig, data: Dataset) -> Network:
    """The network an experiment describes, checked against the data's shape."""
    n_in, n_out = data.X.shape[1], data.y.shape[1]
    net = cfg.network
    sizes = net.layers if net.layers is not None else (n_in, n_out)
    if sizes[0] != n_in:
        raise ConfigError(
            f"[network] layers[0] is {sizes[0]} but the data has {n_in} input columns; "
            f"set layers = {[n_in, *sizes[1:]]}."
        )
    if sizes[-1] != n_out:
        raise ConfigError(
            f"[network] layers[-1] is {sizes[-1]} but the data has {n_out} target columns; "
            f"set layers = {[*sizes[:-1], n_out]}."
        )
    n_layers = len(sizes) - 1
    names = (net.activation,) * n_layers if isinstance(net.activation, str) else net.activation
    bias = (net.bias,) * n_layers if isinstance(net.bias, bool) else net.bias
    for key, value in (("activation", names), ("bias", bias)):
        if len(value) != n_layers:
            raise ConfigError(
                f"[network] {key} must have one entry per weight layer ({n_layers} for layers "
                f"{list(sizes)}); got {len(value)}."
            )
    loss = LOSSES[cfg.train.loss]
    if loss.requires is not None and names[-1] != loss.requires:
        raise ConfigError(
            f"[train] loss {loss.name!r} needs a {loss.requires} output layer; the output "
            f'activation is {names[-1]!r}. Use loss = "half_squared_error" or a '
            f"{loss.requires} output."
        )
    return Network(tuple(sizes), tuple(ACTIVATIONS[n] for n in names), tuple(bias), loss)


def initial_params(cfg: ExperimentConfig, network: Network) -> Params:
    """Initial weights: drawn from ``[init] seed`` or taken from ``[init] weights``."""
    init = cfg.init
    if init.weights is None:
        return init_params(network, init.seed if init.seed is not None else 0)
    if len(init.weights) != network.n_layers:
        raise ConfigError(
            f"[init] weights has {len(init.weights)} matrices but layers "
            f"{list(network.sizes)} has {network.n_layers} weight layers; give one per layer."
        )
    weights = []
    for i, (w, shape) in enumerate(zip(init.weights, network.shapes)):
        arr = np.array(w, dtype=np.float64)
        if arr.shape != shape:
            raise ConfigError(
                f"[init] weights[{i}] has shape {arr.shape} but layer {i} of layers "
                f"{list(network.sizes)} needs shape {shape} (n_in, n_out)."
            )
        weights.append(arr)
    biases: list[np.ndarray | None] = []
    for i, ((_, n_out), has_b) in enumerate(zip(network.shapes, network.bias)):
        given = init.biases[i] if init.biases is not None else None
        if given is not None and not has_b:
            raise ConfigError(
                f"[init] biases[{i}] is given but layer {i} has no bias; set [network] "
                f"bias = true (or one per layer) or give [] for that layer."
            )
        if not has_b:
            biases.append(None)
        elif given is None:
            biases.append(np.zeros(n_out))
        elif len(given) != n_out:
            raise ConfigError(
                f"[init] biases[{i}] has {len(given)} values but layer {i} has {n_out} outputs."
            )
        else:
            biases.append(np.array(given, dtype=np.float64))
    return Params(tuple(weights), tuple(biases))


def check_targets(network: Network, data: Dataset, allow: bool = False) -> tuple[str, ...]:
    """Refuse targets outside what the output activation can produce.

    A sigmoid output lies in (0, 1): targets 0 and 1 are its limits (the loss
    approaches 0), but a target of 2 can never be reached, so the loss can
    never reach 0. Such targets are a :class:`DataError`; with ``allow`` they
    are accepted and the returned warning says the smallest loss possible.
    Binary cross-entropy needs targets in [0, 1] even with ``allow``: outside
    it the loss has no lower bound.

    Returns
    -------
    tuple of str
        The warnings (empty unless ``allow`` let something through).
    """
    act = network.activations[-1]
    y = data.y
    outside = (y < act.low) | (y > act.high)
    if not outside.any():
        return ()
    i, j = (int(v) for v in np.argwhere(outside)[0])
    count = int(outside.sum())
    name = data.target_names[j] if j < len(data.target_names) else f"y{j + 1}"
    # The closure of the activation's range: its ends are limits the loss approaches.
    span = (
        ("[" if np.isfinite(act.low) else "(")
        + f"{act.low:g}, {act.high:g}"
        + ("]" if np.isfinite(act.high) else ")")
    )
    found = f"example {i + 1} has target {name} = {y[i, j]:g}" + (
        f" (and {count - 1} more targets are outside)" if count > 1 else ""
    )
    if network.loss.name == "binary_cross_entropy":
        raise DataError(
            f"[data] targets must lie in [0, 1] for binary_cross_entropy; {found}. Outside [0, 1] "
            f"this loss has no lower bound; rescale the targets to [0, 1] or use "
            f'loss = "half_squared_error".'
        )
    if not allow:
        raise DataError(
            f"[data] targets must lie in {span} for a {act.name} output layer (its outputs "
            f"never pass those ends); {found}, so the loss can never reach 0. Rescale the targets, use a "
            f"linear output layer, or pass --allow (allow=True) to train anyway."
        )
    floor = 0.5 * float(np.sum((y - np.clip(y, act.low, act.high)) ** 2))
    return (
        f"[data] targets outside {span}, beyond what the output {act.name} can produce: {found}; "
        f"the loss cannot reach 0 (it stays above {floor:g}).",
    )


#: Share of the available memory a run may plan to use.
MEMORY_SHARE = 0.5
#: Bytes per recorded iteration: the loss and the error sum, float64.
HISTORY_BYTES = 16
#: Extra bytes per recorded iteration while writing JSON (two Python floats in
#: lists, their text, and the joined document).
JSON_BYTES = 2 * (32 + 3 * 20)


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_estimate(
    network: Network, n_samples: int, iterations: int, checkpoints: int, json: bool = False
) -> dict[str, int]:
    """Bytes a run will hold: ``{"history", "checkpoints", "working"}``.

    history: 16 bytes per iteration (loss and error sum, float64), and with
    ``json`` about 184 more for writing them as JSON; checkpoints: up to
    ``checkpoints`` copies of every parameter, 8 bytes each (about 5 times
    that with ``json``); working: the arrays of one iteration.
    """
    n_ckpt = min(iterations, checkpoints)
    return {
        "history": _per_iteration(json) * iterations,
        "checkpoints": _per_checkpoint(network, json) * n_ckpt,
        "working": 8 * 8 * n_samples * sum(network.sizes) + 8 * 4 * network.n_params,
    }


def _per_iteration(json: bool) -> int:
    return HISTORY_BYTES + (JSON_BYTES if json else 0)


def _per_checkpoint(network: Network, json: bool) -> int:
    return 8 * network.n_params * (5 if json else 1)


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


def check_memory(
    network: Network, data: Dataset, iterations: int, checkpoints: int, json: bool = False
) -> None:
    """Refuse, before training, a run that would need more than half the available memory.

    Raises
    ------
    ResourceError
        With the estimate, what is available, the most iterations that fit
        and the ``checkpoints`` setting that records fewer weight snapshots.
    """
    available = available_memory()
    if available is None:
        return
    budget = MEMORY_SHARE * available
    parts = memory_estimate(network, data.n_samples, iterations, checkpoints, json)
    total = sum(parts.values())
    if total <= budget:
        return
    n_ckpt = min(iterations, checkpoints)
    most = int((budget - parts["working"] - parts["checkpoints"]) // _per_iteration(json))
    fewer = int((budget - parts["working"] - parts["history"]) // _per_checkpoint(network, json))
    options = []
    if most >= 1:
        options.append(f"use at most {most:,} iterations")
    if not options and fewer < 2:
        options.append("use fewer iterations and a smaller network")
    if fewer >= 2:
        options.append(
            f"record fewer weight snapshots with [train] checkpoints (--checkpoints), "
            f"at most {fewer:,}"
        )
    else:
        options[-1] += (
            f" (recording fewer weight snapshots with [train] checkpoints / --checkpoints "
            f"would save at most {_size(parts['checkpoints'])} here)"
        )
    breakdown = (
        f"history of every iteration{' and its JSON' if json else ''}: {_size(parts['history'])}; "
        f"{n_ckpt:,} checkpoints x {network.n_params:,} parameters: {_size(parts['checkpoints'])}; "
        f"one iteration's arrays: {_size(parts['working'])}"
    )
    if parts["working"] > parts["history"] + parts["checkpoints"]:
        subject = (
            f"[network] layers {list(network.sizes)} ({network.n_params:,} parameters) with "
            f"{data.n_samples:,} examples"
        )
        options = ["use smaller layers"]
    else:
        subject = f"[train] iterations = {iterations:,}"
    raise ResourceError(
        f"{subject} would need about {_size(total)} of memory ({breakdown}) "
        f"but only {_size(budget)} may be used (half of the {_size(available)} available); "
        f"{' or '.join(options)}."
    )
