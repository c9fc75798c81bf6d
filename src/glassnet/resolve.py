"""From an experiment's settings to what it trains: its data, its network, its initial weights.

Each function reads a validated :class:`~glassnet.config.ExperimentConfig` and
checks what only the combination of settings and data can tell (a layer size
that does not match the data's columns, targets the output activation cannot
produce), with the usual one-line messages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.config import ExperimentConfig
from glassnet.data import Dataset, builtin, from_arrays, planar_dataset, read_csv
from glassnet.data.planar import PLANAR_DATASETS
from glassnet.data.real import REAL_DATASETS, Split, load_real, split, standardize
from glassnet.errors import ConfigError, DataError, did_you_mean
from glassnet.losses import LOSSES
from glassnet.network import Network, Params, init_params, parameter_names
from glassnet.optimizers import HYPER_NAMES, OPTIMIZERS, Hyper
from glassnet.training import Edit, Method


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
    parts = split(
        one_hot_targets(cfg, load_source(cfg)), cfg.data.test_fraction, cfg.data.split_seed
    )
    return standardize(parts) if cfg.data.standardize else parts


def one_hot_targets(cfg: ExperimentConfig, data: Dataset) -> Dataset:
    """For a loss of one class per example (categorical cross-entropy): a single target
    column of class numbers becomes one column per class; rows must then sum to 1."""
    loss = LOSSES[cfg.train.loss]
    if not loss.one_hot:
        return data
    y = data.y
    if y.shape[1] == 1:
        column = y[:, 0]
        if not np.all((column >= 0) & (column == np.round(column))):
            bad = int(np.argmax(~((column >= 0) & (column == np.round(column)))))
            raise DataError(
                f"[data] targets for {loss.name} must be class numbers 0, 1, 2, ... (one column) "
                f"or one column per class; example {bad + 1} has {column[bad]:g}."
            )
        classes = int(column.max()) + 1
        name = data.target_names[0] if data.target_names else "class"
        return Dataset(
            data.X,
            np.eye(classes)[column.astype(np.int64)],
            data.name,
            data.input_names,
            tuple(f"{name}={c}" for c in range(classes)),
        )
    sums = y.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > 1e-9)
    if off.size:
        raise DataError(
            f"[data] targets for {loss.name} must give each example one class: each row sums "
            f"to 1 (one-hot); example {int(off[0]) + 1} sums to {sums[off[0]]:g}. Give one "
            f"column of class numbers (it is one-hot encoded) or rows that sum to 1."
        )
    return data


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
    if data.dataset in PLANAR_DATASETS:
        return planar_dataset(data.dataset, data.n, data.noise, data.data_seed, data.features)
    return builtin(data.dataset or "trask")


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
    for layer, name in enumerate(names):
        act = ACTIVATIONS[name]
        if not act.rowwise:
            continue
        if layer != n_layers - 1:
            raise ConfigError(
                f"[network] activation {name!r} is for the output layer only; layer {layer} of "
                f'{n_layers} has it. Use it last, e.g. activation = ["relu", "{name}"].'
            )
        need = next((x.name for x in LOSSES.values() if x.requires is act), None)
        if loss.requires is not act:
            raise ConfigError(
                f'[network] activation {name!r} on the output layer needs loss = "{need}" '
                f"(its delta y - a needs no slope); got loss {loss.name!r}."
            )
        if sizes[-1] < 2:
            raise ConfigError(
                f"[network] a {name} output layer needs at least 2 units (one per class; with "
                f"one its output is always 1); got layers {list(sizes)}. Use a sigmoid output "
                f'with loss = "binary_cross_entropy" for two classes in one column.'
            )
    if loss.requires is not None and ACTIVATIONS[names[-1]] is not loss.requires:
        need = loss.requires.name
        raise ConfigError(
            f"[train] loss {loss.name!r} needs a {need} output layer; the output "
            f'activation is {names[-1]!r}. Use loss = "half_squared_error" or a '
            f"{need} output."
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
    if network.loss.bounded_targets:
        name = network.loss.name
        raise DataError(
            f"[data] targets must lie in {span} for {name}; {found}. Outside {span} "
            f"this loss has no lower bound; rescale the targets to {span} or use "
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


def method_of(cfg: ExperimentConfig) -> Method:
    """How the experiment updates its weights (``[train] optimizer, batch_size, ...``)."""
    train = cfg.train
    return Method(
        optimizer=OPTIMIZERS[train.optimizer],
        hyper=Hyper(**{name: getattr(train, name) for name in HYPER_NAMES}),
        batch_size=train.batch_size,
        shuffle_seed=train.shuffle_seed,
        mean=train.reduction == "mean",
        l2=train.l2,
    )


def edits_of(cfg: ExperimentConfig, network: Network) -> tuple[Edit, ...]:
    """The experiment's ``[[edits]]``, checked against the network and the iterations."""
    names = parameter_names(network)
    edits = []
    for i, edit in enumerate(cfg.edits):
        where = f"[[edits]] #{i + 1}"
        if edit.set != "learning_rate" and edit.set not in names:
            example = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            raise ConfigError(
                f"{where} set must be learning_rate or a parameter of layers "
                f"{list(network.sizes)} ({example}); got {edit.set!r}."
                f"{did_you_mean(edit.set, [*names, 'learning_rate'])}"
            )
        if edit.iteration >= cfg.train.iterations:
            raise ConfigError(
                f"{where} iteration must be below [train] iterations ({cfg.train.iterations:,}), "
                f"so that some iteration uses it; got {edit.iteration:,}."
            )
        edits.append(Edit(edit.iteration, edit.set, edit.value))
    return tuple(edits)
