"""An experiment: settings, resolved into data, a network and initial weights, ready to run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import config as config_mod
from glassnet.activations import ACTIVATIONS
from glassnet.config import ExperimentConfig
from glassnet.data import Dataset, builtin, from_arrays, read_csv
from glassnet.data.real import REAL_DATASETS, Split, load_real, split, standardize
from glassnet.errors import ConfigError
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
        self, source: str | Path | Mapping[str, Any] | ExperimentConfig | None = None, /,
        **settings: Any,
    ) -> None:
        if source is None:
            cfg = ExperimentConfig()
        elif isinstance(source, ExperimentConfig):
            cfg = source
        elif isinstance(source, Mapping):
            cfg = config_mod.parse(source)
        else:
            cfg = config_mod.load(source)
        if settings:
            cfg = config_mod.from_settings(settings, cfg)
        self.config: ExperimentConfig = cfg
        parts = load_split(cfg)
        self.data: Dataset = parts.train
        #: The held-out examples (``[data] test_fraction``), or ``None``.
        self.test: Dataset | None = parts.test
        self.network: Network = build_network(cfg, self.data)
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
        progress : callable, optional
            Called now and then with the number of iterations done.
        """
        cfg = self.config
        if iterations is not None:
            cfg = config_mod.from_settings({"iterations": iterations}, cfg)
        if engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}.")
        train = cfg.train
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
            return finish(cfg, self.network, self.data, self.initial, trained, chosen, test=self.test)


def _reference() -> Callable[..., Trained]:
    return train_reference


#: Engine name -> a function returning the training function (imported lazily).
#: Every engine takes the arguments of :func:`~glassnet.training.train_reference`
#: and returns a :class:`~glassnet.training.Trained` with the same numbers.
ENGINE_FUNCTIONS: dict[str, Callable[[], Callable[..., Trained]]] = {"numpy": _reference}


def choose_engine(engine: str, network: Network, iterations: int) -> str:
    """The engine that will train: ``auto`` picks the numpy reference for now."""
    if engine == "auto" or engine not in ENGINE_FUNCTIONS:
        return "numpy"
    return engine


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
            f"activation is {names[-1]!r}. Use loss = \"half_squared_error\" or a "
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
