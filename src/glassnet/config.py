"""Experiment settings: parsed and validated once, here, from TOML, a dict or keywords.

An experiment file has four sections (every key optional)::

    [data]      dataset = "trask" | "xor" | "and" | "or"   (default "trask"; "seed" also)
                or inputs = [[...], ...] and targets = [[...], ...]
                or csv = "file.csv" and optionally targets = ["column", ...]
                or dataset = "iris" | "breast_cancer" | "digits" (scikit-learn's data);
                standardize = false; test_fraction = 0.0; split_seed = 0
    [network]   layers = [3, 1]; activation = "sigmoid" (or one per layer);
                bias = false (or one per layer)
    [init]      seed = 123, or weights = [W0, ...] (each (n_in, n_out)) and
                biases = [b0, ...]
    [train]     iterations = 100000; learning_rate = 1.0;
                loss = "half_squared_error" | "binary_cross_entropy";
                train_biases = true; checkpoints = 2000

:func:`parse` turns such a mapping into a frozen :class:`ExperimentConfig`;
every problem becomes a one-line :class:`~glassnet.errors.ConfigError` that
names the key, the rule, the value received and what is accepted.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from glassnet import files, schema
from glassnet.activations import ACTIVATIONS
from glassnet.errors import ConfigError, describe, did_you_mean
from glassnet.losses import LOSSES

#: Every accepted key, by section (documented in :mod:`glassnet.schema`). Anything
#: else is an error.
SCHEMA: dict[str, tuple[str, ...]] = {section: schema.keys(section) for section in schema.SECTIONS}
#: Keys of each ``[[edits]]`` table (changes made by hand before an iteration).
EDIT_KEYS = schema.keys("edits")

#: Defaults of the post's experiment.
DEFAULT_SEED = 123
DEFAULT_ITERATIONS = 100_000
DEFAULT_LEARNING_RATE = 1.0
DEFAULT_CHECKPOINTS = 2000
MAX_ITERATIONS = 10**9


@dataclass(frozen=True)
class DataConfig:
    """Where the data comes from: exactly one of ``dataset``, inline arrays or ``csv``."""

    dataset: str | None = "trask"
    inputs: tuple[tuple[float, ...], ...] | None = None
    targets: tuple[tuple[float, ...], ...] | None = None
    csv: str | None = None
    target_columns: tuple[str, ...] | None = None
    #: Rescale every input column to mean 0, standard deviation 1 (training rows' figures).
    standardize: bool = False
    #: Share of the examples held out as a test set (0: none), per class.
    test_fraction: float = 0.0
    #: Seed of ``RandomState`` that picks the held-out examples.
    split_seed: int = 0
    #: 2-D sets only: points drawn, noise (the playground's slider, 0 to 0.5), their seed.
    n: int = 200
    noise: float = 0.0
    data_seed: int = 0
    #: 2-D sets only: the network's inputs computed from (x1, x2).
    features: tuple[str, ...] = ("x1", "x2")


@dataclass(frozen=True)
class NetworkConfig:
    """Layer sizes; one activation name and one bias flag per weight layer.

    ``layers`` is ``None`` until the data is known: it then defaults to
    ``[n_in, n_out]``, a single layer like the post's.
    """

    layers: tuple[int, ...] | None = None
    activation: str | tuple[str, ...] = "sigmoid"
    bias: bool | tuple[bool, ...] = False


@dataclass(frozen=True)
class InitConfig:
    """A seed for ``RandomState``, or explicit weights (and biases)."""

    seed: int | None = DEFAULT_SEED
    weights: tuple[tuple[tuple[float, ...], ...], ...] | None = None
    biases: tuple[tuple[float, ...] | None, ...] | None = None


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained: iterations, learning rate, loss, optimizer, batches.

    The optimizer's settings (``momentum``, ``beta1``, ``beta2``, ``epsilon``,
    ``alpha``) are torch.optim's defaults unless given; each may be given only
    with an optimizer that reads it.
    """

    iterations: int = DEFAULT_ITERATIONS
    learning_rate: float = DEFAULT_LEARNING_RATE
    loss: str = "half_squared_error"
    train_biases: bool = True
    checkpoints: int = DEFAULT_CHECKPOINTS
    optimizer: str = "gd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 0.99
    #: Examples per update (None: all of them, in order).
    batch_size: int | None = None
    shuffle_seed: int = 0
    reduction: str = "sum"
    l2: float = 0.0


@dataclass(frozen=True)
class EditConfig:
    """``[[edits]]``: before iteration ``#iteration``, set ``set`` (a parameter such as
    ``"W0[0,0]"`` or ``"learning_rate"``) to ``value``."""

    iteration: int
    set: str
    value: float


@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment, normalized: every section present, every value checked."""

    data: DataConfig = DataConfig()
    network: NetworkConfig = NetworkConfig()
    init: InitConfig = InitConfig()
    train: TrainConfig = TrainConfig()
    edits: tuple[EditConfig, ...] = ()
    #: Folder that relative CSV paths are resolved against.
    base_dir: str = "."

    def to_dict(self) -> dict[str, Any]:
        """The normalized experiment as plain TOML/JSON-ready data (no ``None``)."""
        data: dict[str, Any] = {}
        if self.data.dataset is not None:
            data["dataset"] = self.data.dataset
        if self.data.csv is not None:
            data["csv"] = self.data.csv
            if self.data.target_columns:
                data["targets"] = list(self.data.target_columns)
        if self.data.inputs is not None:
            data["inputs"] = [list(r) for r in self.data.inputs]
            data["targets"] = [list(r) for r in self.data.targets or ()]
        # Written only when set, so a run without them keeps its earlier document.
        if self.data.standardize:
            data["standardize"] = True
        if self.data.test_fraction:
            data["test_fraction"] = self.data.test_fraction
            data["split_seed"] = self.data.split_seed
        if self.data.dataset in _planar_names():
            data.update(
                n=self.data.n,
                noise=self.data.noise,
                data_seed=self.data.data_seed,
                features=list(self.data.features),
            )
        network: dict[str, Any] = {
            "layers": None if self.network.layers is None else list(self.network.layers),
            "activation": _plain(self.network.activation),
            "bias": _plain(self.network.bias),
        }
        if network["layers"] is None:
            del network["layers"]
        init: dict[str, Any] = {}
        if self.init.seed is not None:
            init["seed"] = self.init.seed
        if self.init.weights is not None:
            init["weights"] = _plain(self.init.weights)
        if self.init.biases is not None:
            init["biases"] = _plain(self.init.biases)
        train: dict[str, Any] = {
            "iterations": self.train.iterations,
            "learning_rate": self.train.learning_rate,
            "loss": self.train.loss,
            "train_biases": self.train.train_biases,
            "checkpoints": self.train.checkpoints,
        }
        # Written only when they differ from the post's method, so a run of the
        # post's experiment keeps its document byte for byte.
        defaults = TrainConfig()
        for key in TRAIN_METHOD_KEYS:
            value = getattr(self.train, key)
            if value != getattr(defaults, key):
                train[key] = value
        doc: dict[str, Any] = {"data": data, "network": network, "init": init, "train": train}
        if self.edits:
            doc["edits"] = [
                {"iteration": e.iteration, "set": e.set, "value": e.value} for e in self.edits
            ]
        return doc


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- parsing


def load(path: str | os.PathLike[str]) -> ExperimentConfig:
    """Read and validate an experiment file (TOML).

    Only a regular file of at most :data:`~glassnet.files.MAX_TOML_BYTES` is
    read, and arrays and tables may nest at most
    :data:`~glassnet.files.MAX_TOML_DEPTH` deep.
    """
    path = files.as_path(path, "experiment file", ConfigError)
    where = f"experiment file {str(path)!r}"
    raw = files.read_file(
        path,
        where=where,
        limit=files.MAX_TOML_BYTES,
        error=ConfigError,
        accepted="a .toml file",
        missing_hint="give the path to a .toml file",
        limit_hint="; put large data in a CSV file ([data] csv)",
    )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8 text; a TOML file is accepted.") from None
    deep = files.toml_depth(text, files.MAX_TOML_DEPTH)
    if deep is not None:
        raise ConfigError(
            f"{where}: line {deep[1]} nests arrays or tables more than "
            f"{files.MAX_TOML_DEPTH} levels deep; an experiment needs at most 3 "
            f"([init] weights, a list of matrices)."
        )
    try:
        mapping = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}.") from None
    if files.structure_depth(mapping, files.MAX_TOML_DEPTH):
        raise ConfigError(
            f"{where}: its keys nest more than {files.MAX_TOML_DEPTH} levels deep (dotted keys "
            f"such as a.b.c count); an experiment has [section] key = value."
        )
    return parse(mapping, base_dir=str(path.parent))


def coerce(source: object) -> ExperimentConfig:
    """The experiment ``source`` describes: ``None`` (the post's), a TOML file path,
    a mapping of sections, or an :class:`ExperimentConfig` (returned as is).

    Raises
    ------
    ConfigError
        For anything else, or for a file or mapping that is not a valid experiment.
    """
    if source is None:
        return ExperimentConfig()
    if isinstance(source, ExperimentConfig):
        return source
    if isinstance(source, Mapping):
        return parse(source)
    if isinstance(source, (str, os.PathLike)):
        return load(source)
    raise ConfigError(
        f"experiment must be a TOML file path (a str or os.PathLike), a dict of sections "
        f"such as {{'train': {{'iterations': 100}}}}, or an ExperimentConfig; "
        f"got {describe(source)}."
    )


def _native(value: Any, depth: int = 0) -> Any:
    """``value`` with numpy scalars and arrays, and tuples, as the plain Python values
    TOML gives (``np.int64(4)`` -> ``4``, ``np.bool_(True)`` -> ``True``).

    Only the few levels a setting can have are converted; deeper values are
    left for the checks to refuse.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if depth < 4 and isinstance(value, (list, tuple)):
        return [_native(v, depth + 1) for v in value]
    return value


def parse(mapping: Mapping[str, Any], base_dir: str = ".") -> ExperimentConfig:
    """Validate a nested mapping (the TOML document) into an :class:`ExperimentConfig`."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"experiment must be a table of sections; got {describe(mapping)}.")
    where_is = {key: name for name, keys in SCHEMA.items() for key in keys}
    edits = _parse_edits(mapping.get("edits", []))
    for section, body in mapping.items():
        if section == "edits":
            continue
        if not isinstance(section, str):
            raise ConfigError(
                f"experiment sections must be named by strings "
                f"({', '.join(repr(s) for s in SCHEMA)}); got {describe(section)}."
            )
        if section not in SCHEMA and section in where_is and not isinstance(body, Mapping):
            raise ConfigError(
                f"{section!r} is outside any section; put it under [{where_is[section]}] "
                f"(a line [{where_is[section]}] above it)."
            )
        if section not in SCHEMA:
            raise ConfigError(
                f"unknown section [{section}]; accepted sections are "
                f"{', '.join(f'[{s}]' for s in SCHEMA)}.{did_you_mean(section, SCHEMA)}"
            )
        if not isinstance(body, Mapping):
            raise ConfigError(f"[{section}] must be a table of keys; got {describe(body)}.")
        for key in body:
            if not isinstance(key, str):
                raise ConfigError(
                    f"[{section}] keys must be strings ({', '.join(SCHEMA[section])}); "
                    f"got {describe(key)}."
                )
            if key not in SCHEMA[section]:
                hint = did_you_mean(key, SCHEMA[section]) or _other_section(key, section)
                raise ConfigError(
                    f"[{section}] has unknown key {key!r}; accepted keys are "
                    f"{', '.join(SCHEMA[section])}.{hint}"
                )
    sections = {s: {k: _native(v) for k, v in mapping.get(s, {}).items()} for s in SCHEMA}
    return ExperimentConfig(
        data=_parse_data(sections["data"]),
        network=_parse_network(sections["network"]),
        init=_parse_init(sections["init"]),
        train=_parse_train(sections["train"]),
        edits=edits,
        base_dir=base_dir,
    )


def from_settings(
    settings: Mapping[str, Any], base: ExperimentConfig | None = None
) -> ExperimentConfig:
    """Apply flat keyword settings (``layers=[3, 4, 1]``, ``seed=1``...) over ``base``.

    Every key of every section is accepted by its bare name; the names are
    unique across sections. ``dataset``, ``inputs`` and ``csv`` replace the
    whole data source; ``weights`` replaces ``seed`` and vice versa.
    """
    where_is = {key: section for section, keys in SCHEMA.items() for key in keys}
    doc = (base or ExperimentConfig()).to_dict()
    for key, value in settings.items():
        if value is None:
            continue
        if key == "edits":
            doc["edits"] = list(value)
            continue
        if key == "optimizer" and isinstance(value, str):
            from glassnet.optimizers import OPTIMIZERS

            reads = OPTIMIZERS[value].settings if value in OPTIMIZERS else ()
            for setting in SETTING_RANGES:
                if setting not in reads and setting not in settings:
                    doc["train"].pop(setting, None)
        if key not in where_is:
            raise ConfigError(
                f"unknown setting {key!r}; accepted settings are "
                f"{', '.join(sorted(where_is))}.{did_you_mean(key, where_is)}"
            )
        section = where_is[key]
        if key in ("dataset", "inputs", "csv"):
            doc["data"] = {k: v for k, v in doc["data"].items() if k in SPLIT_KEYS}
        if key == "weights":
            doc["init"].pop("seed", None)
        if key == "seed":
            doc["init"] = {}
        doc[section][key] = list(value) if isinstance(value, tuple) else value
    return parse(doc, base_dir=(base.base_dir if base else "."))


def _other_section(key: str, section: str) -> str:
    for other, keys in SCHEMA.items():
        if key in keys and other != section:
            return f" {key!r} belongs in [{other}]."
    return ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: [data] keys about preparing the examples rather than where they come from.
SPLIT_KEYS = ("standardize", "test_fraction", "split_seed")
#: [data] keys of the 2-D sets (how many points, their noise and seed, the features).
PLANAR_KEYS = ("n", "noise", "data_seed", "features")


def _planar_names() -> tuple[str, ...]:
    from glassnet.data.planar import PLANAR_DATASETS

    return tuple(PLANAR_DATASETS)


def _parse_data(body: dict[str, Any]) -> DataConfig:
    """The data source, then how its examples are prepared (scaled, split)."""
    source = _parse_source(
        {k: v for k, v in body.items() if k not in SPLIT_KEYS and k not in PLANAR_KEYS}
    )
    source = _parse_planar(body, source)
    standardize = body.get("standardize", False)
    if not isinstance(standardize, bool):
        raise ConfigError(f"[data] standardize must be true or false; got {describe(standardize)}.")
    test_fraction = body.get("test_fraction", 0.0)
    if not _is_number(test_fraction) or not 0 <= test_fraction < 1:
        raise ConfigError(
            f"[data] test_fraction must be a number from 0 (no held-out examples) up to but "
            f"not including 1, e.g. 0.25; got {describe(test_fraction)}."
        )
    split_seed = body.get("split_seed", 0)
    if not _is_int(split_seed) or not 0 <= split_seed < 2**32:
        raise ConfigError(
            f"[data] split_seed must be a whole number from 0 to 2**32 - 1; got {describe(split_seed)}."
        )
    return replace(
        source, standardize=standardize, test_fraction=float(test_fraction), split_seed=split_seed
    )


def _parse_planar(body: dict[str, Any], source: DataConfig) -> DataConfig:
    """``n``, ``noise``, ``data_seed`` and ``features``: for the 2-D sets only."""
    from glassnet.data.planar import FEATURES

    given = [k for k in PLANAR_KEYS if k in body]
    if source.dataset not in _planar_names():
        if given:
            raise ConfigError(
                f"[data] {given[0]} is for the 2-D sets ({', '.join(_planar_names())}); "
                f"the data here is {source.dataset or source.csv or 'inline'!r}. Drop {given[0]} "
                f'or set dataset = "spiral" (or another 2-D set).'
            )
        return source
    n = body.get("n", 200)
    if not _is_int(n) or not 2 <= n <= 100_000:
        raise ConfigError(f"[data] n must be a whole number from 2 to 100,000; got {describe(n)}.")
    noise = body.get("noise", 0.0)
    if not _is_number(noise) or not 0 <= noise <= 1:
        raise ConfigError(
            f"[data] noise must be a number from 0 to 1 (the playground's 0 % to 50 % are 0 to "
            f"0.5); got {describe(noise)}."
        )
    seed = body.get("data_seed", 0)
    if not _is_int(seed) or not 0 <= seed < 2**32:
        raise ConfigError(
            f"[data] data_seed must be a whole number from 0 to 2**32 - 1; got {describe(seed)}."
        )
    features = body.get("features", ["x1", "x2"])
    if (
        not isinstance(features, list)
        or not features
        or not all(isinstance(f, str) and f in FEATURES for f in features)
        or len(set(features)) != len(features)
    ):
        bad = (
            next((f for f in features if not (isinstance(f, str) and f in FEATURES)), features)
            if isinstance(features, list)
            else features
        )
        raise ConfigError(
            f"[data] features must be a list of different inputs among {', '.join(FEATURES)}; "
            f"got {describe(features)}"
            + (f" ({describe(bad)} is not one)." if bad is not features else ".")
        )
    return replace(source, n=n, noise=float(noise), data_seed=seed, features=tuple(features))


def _parse_source(body: dict[str, Any]) -> DataConfig:
    sources = [k for k in ("dataset", "inputs", "csv") if k in body]
    if len(sources) > 1:
        raise ConfigError(
            f"[data] takes one source, but has {' and '.join(sources)}; "
            f"keep dataset, inputs (with targets) or csv (with optional targets)."
        )
    if not sources:
        if "targets" in body:
            raise ConfigError(
                "[data] targets needs inputs (inline data) or csv (column names); got neither."
            )
        return DataConfig()
    source = sources[0]
    if source == "dataset":
        name = body["dataset"]
        from glassnet.data import DATASET_ALIASES, TOY_DATASETS
        from glassnet.data.real import REAL_DATASETS

        names = [*TOY_DATASETS, *REAL_DATASETS, *_planar_names()]
        if isinstance(name, str):
            name = DATASET_ALIASES.get(name, name)
        if not isinstance(name, str) or name not in names:
            raise ConfigError(
                f"[data] dataset must be one of {', '.join(repr(n) for n in names)}; "
                f"got {describe(name)}.{did_you_mean(str(name), [*names, *DATASET_ALIASES])}"
            )
        if "targets" in body:
            raise ConfigError(
                "[data] targets cannot be combined with a built-in dataset; drop one."
            )
        return DataConfig(dataset=name)
    if source == "csv":
        path = body["csv"]
        if not isinstance(path, str) or not path:
            raise ConfigError(f"[data] csv must be a file path (a string); got {describe(path)}.")
        targets = body.get("targets")
        if targets is not None and (
            not isinstance(targets, list)
            or not targets
            or not all(isinstance(t, str) for t in targets)
        ):
            raise ConfigError(
                f'[data] targets with csv must be a list of column names, e.g. ["label"]; '
                f"got {describe(targets)}."
            )
        return DataConfig(
            dataset=None, csv=path, target_columns=tuple(targets) if targets else None
        )
    if "targets" not in body:
        raise ConfigError("[data] inputs needs targets (one row per input row); got none.")
    from glassnet.data import as_matrix

    try:
        X = as_matrix(body["inputs"], "[data] inputs")
        y = as_matrix(body["targets"], "[data] targets")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if X.shape[0] != y.shape[0]:
        raise ConfigError(
            f"[data] targets must have one row per row of inputs; inputs has "
            f"{X.shape[0]} rows, targets has {y.shape[0]}."
        )
    return DataConfig(
        dataset=None,
        inputs=tuple(tuple(float(v) for v in r) for r in X.tolist()),
        targets=tuple(tuple(float(v) for v in r) for r in y.tolist()),
    )


def _per_layer(value: Any, key: str, kind: str) -> Any:
    """A single value or a list (one per layer), checked for type only."""
    accept_one = (
        (lambda v: isinstance(v, str)) if kind == "str" else (lambda v: isinstance(v, bool))
    )
    example = '"sigmoid" or ["tanh", "sigmoid"]' if kind == "str" else "false or [true, false]"
    if accept_one(value):
        return value
    if isinstance(value, list) and value and all(accept_one(v) for v in value):
        return tuple(value)
    raise ConfigError(f"[network] {key} must be {example}; got {describe(value)}.")


def _parse_network(body: dict[str, Any]) -> NetworkConfig:
    layers = body.get("layers")
    if layers is not None:
        if (
            not isinstance(layers, list)
            or len(layers) < 2
            or not all(_is_int(n) and n >= 1 for n in layers)
        ):
            raise ConfigError(
                f"[network] layers must be a list of at least 2 positive whole numbers "
                f"(inputs, ..., outputs), e.g. [3, 1] or [3, 4, 1]; got {describe(layers)}."
            )
        layers = tuple(layers)
    activation = _per_layer(body.get("activation", "sigmoid"), "activation", "str")
    for name in (activation,) if isinstance(activation, str) else activation:
        if name not in ACTIVATIONS:
            raise ConfigError(
                f"[network] activation must be one of {', '.join(ACTIVATIONS)}; "
                f"got {name!r}.{did_you_mean(name, ACTIVATIONS)}"
            )
    bias = _per_layer(body.get("bias", False), "bias", "bool")
    if layers is not None:
        n = len(layers) - 1
        for key, value in (("activation", activation), ("bias", bias)):
            if isinstance(value, tuple) and len(value) != n:
                raise ConfigError(
                    f"[network] {key} must have one entry per weight layer ({n} for layers "
                    f"{list(layers)}); got {len(value)}: {describe(list(value))}."
                )
    return NetworkConfig(layers=layers, activation=activation, bias=bias)


def _matrix(value: Any, where: str) -> tuple[tuple[float, ...], ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(r, list) and r for r in value)
    ):
        raise ConfigError(
            f"{where} must be a matrix (a list of rows, shape (n_in, n_out)); got {describe(value)}."
        )
    width = len(value[0])
    for i, row in enumerate(value):
        if len(row) != width:
            raise ConfigError(
                f"{where} rows must all have the same length; row {i} has {len(row)}, row 0 has {width}."
            )
        for j, v in enumerate(row):
            if not _is_number(v) or not math.isfinite(v):
                raise ConfigError(f"{where}[{i}][{j}] must be a finite number; got {describe(v)}.")
    return tuple(tuple(float(v) for v in row) for row in value)


def _parse_init(body: dict[str, Any]) -> InitConfig:
    if "seed" in body and ("weights" in body or "biases" in body):
        raise ConfigError(
            "[init] takes seed or explicit weights (and biases), not both; drop one of them."
        )
    if "biases" in body and "weights" not in body:
        raise ConfigError("[init] biases needs weights too; give both, or use seed.")
    if "weights" in body:
        weights = body["weights"]
        if not isinstance(weights, list) or not weights:
            raise ConfigError(
                f"[init] weights must be a list of matrices, one per layer; got {describe(weights)}."
            )
        ws = tuple(_matrix(w, f"[init] weights[{i}]") for i, w in enumerate(weights))
        bs = None
        if "biases" in body:
            biases = body["biases"]
            if not isinstance(biases, list) or len(biases) != len(ws):
                raise ConfigError(
                    f"[init] biases must be a list with one vector per layer ({len(ws)}); "
                    f"got {describe(biases)}."
                )
            parsed: list[tuple[float, ...] | None] = []
            for i, b in enumerate(biases):
                if isinstance(b, list) and not b:
                    parsed.append(None)
                    continue
                if not isinstance(b, list) or not all(
                    _is_number(v) and math.isfinite(v) for v in b
                ):
                    raise ConfigError(
                        f"[init] biases[{i}] must be a list of finite numbers (or [] for none); "
                        f"got {describe(b)}."
                    )
                parsed.append(tuple(float(v) for v in b))
            bs = tuple(parsed)
        return InitConfig(seed=None, weights=ws, biases=bs)
    seed = body.get("seed", DEFAULT_SEED)
    if not _is_int(seed) or not 0 <= seed < 2**32:
        raise ConfigError(
            f"[init] seed must be a whole number from 0 to 2**32 - 1; got {describe(seed)}."
        )
    return InitConfig(seed=seed)


def _parse_train(body: dict[str, Any]) -> TrainConfig:
    iterations = body.get("iterations", DEFAULT_ITERATIONS)
    if not _is_int(iterations) or not 1 <= iterations <= MAX_ITERATIONS:
        raise ConfigError(
            f"[train] iterations must be a whole number from 1 to {MAX_ITERATIONS:,}; "
            f"got {describe(iterations)}."
        )
    lr = body.get("learning_rate", DEFAULT_LEARNING_RATE)
    if not _is_number(lr) or not math.isfinite(lr) or lr <= 0:
        raise ConfigError(
            f"[train] learning_rate must be a finite number > 0, e.g. 1.0 or 0.1; got {describe(lr)}."
        )
    loss = body.get("loss", "half_squared_error")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ConfigError(
            f"[train] loss must be one of {', '.join(LOSSES)}; got {describe(loss)}."
            f"{did_you_mean(str(loss), LOSSES)}"
        )
    train_biases = body.get("train_biases", True)
    if not isinstance(train_biases, bool):
        raise ConfigError(
            f"[train] train_biases must be true or false; got {describe(train_biases)}."
        )
    checkpoints = body.get("checkpoints", DEFAULT_CHECKPOINTS)
    if not _is_int(checkpoints) or checkpoints < 2:
        raise ConfigError(
            f"[train] checkpoints must be a whole number >= 2 (weight snapshots kept for "
            f"replaying any iteration); got {describe(checkpoints)}."
        )
    return TrainConfig(
        iterations=iterations,
        learning_rate=float(lr),
        loss=loss,
        train_biases=train_biases,
        checkpoints=checkpoints,
        **_parse_method(body, iterations),
    )


#: The [train] keys of the update method (optimizer, its settings, batches, reduction, l2).
TRAIN_METHOD_KEYS = (
    "optimizer",
    "momentum",
    "beta1",
    "beta2",
    "epsilon",
    "alpha",
    "batch_size",
    "shuffle_seed",
    "reduction",
    "l2",
)
#: The optimizers' settings: the rule each must follow, as (low, low included, high, high included).
SETTING_RANGES: dict[str, tuple[float, bool, float, bool]] = {
    "momentum": (0.0, True, 1.0, False),
    "beta1": (0.0, True, 1.0, False),
    "beta2": (0.0, True, 1.0, False),
    "epsilon": (0.0, False, math.inf, False),
    "alpha": (0.0, True, 1.0, False),
}


def _interval(low: float, low_in: bool, high: float, high_in: bool) -> str:
    return f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"


def _parse_method(body: dict[str, Any], iterations: int) -> dict[str, Any]:
    """The optimizer and its settings, the batches, the reduction and l2 of [train]."""
    from glassnet.optimizers import OPTIMIZERS

    out: dict[str, Any] = {}
    name = body.get("optimizer", "gd")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(
            f"[train] optimizer must be one of {', '.join(OPTIMIZERS)}; got {describe(name)}."
            f"{did_you_mean(str(name), OPTIMIZERS)}"
        )
    out["optimizer"] = name
    reads = OPTIMIZERS[name].settings
    for key, (low, low_in, high, high_in) in SETTING_RANGES.items():
        if key not in body:
            continue
        if key not in reads:
            users = [o for o, opt in OPTIMIZERS.items() if key in opt.settings]
            raise ConfigError(
                f"[train] {key} applies to optimizer {' or '.join(repr(u) for u in users)}, "
                f"but optimizer is {name!r}; set optimizer = {users[0]!r} or drop {key}."
            )
        value = body[key]
        ok = _is_number(value) and math.isfinite(value)
        ok = (
            ok
            and (value > low or (low_in and value == low))
            and (value < high or (high_in and value == high))
        )
        if not ok:
            raise ConfigError(
                f"[train] {key} must be a number in {_interval(low, low_in, high, high_in)}; "
                f"got {describe(value)}."
            )
        out[key] = float(value)
    batch_size = body.get("batch_size")
    if batch_size is not None:
        if not _is_int(batch_size) or batch_size < 1:
            raise ConfigError(
                f"[train] batch_size must be a whole number >= 1 (examples per update; leave it "
                f"out for all of them); got {describe(batch_size)}."
            )
        out["batch_size"] = batch_size
    shuffle_seed = body.get("shuffle_seed", 0)
    if not _is_int(shuffle_seed) or not 0 <= shuffle_seed < 2**32:
        raise ConfigError(
            f"[train] shuffle_seed must be a whole number from 0 to 2**32 - 1; "
            f"got {describe(shuffle_seed)}."
        )
    if "shuffle_seed" in body and batch_size is None:
        raise ConfigError(
            "[train] shuffle_seed shuffles mini-batches, but batch_size is not set; "
            "set batch_size or drop shuffle_seed."
        )
    out["shuffle_seed"] = shuffle_seed
    reduction = body.get("reduction", "sum")
    if reduction not in ("sum", "mean"):
        raise ConfigError(
            f'[train] reduction must be "sum" (the post\'s) or "mean" (torch\'s default); '
            f"got {describe(reduction)}."
        )
    out["reduction"] = reduction
    l2 = body.get("l2", 0.0)
    if not _is_number(l2) or not math.isfinite(l2) or l2 < 0:
        raise ConfigError(
            f"[train] l2 must be a finite number >= 0 (0: none), e.g. 0.001; got {describe(l2)}."
        )
    out["l2"] = float(l2)
    return out


def _parse_edits(value: Any) -> tuple[EditConfig, ...]:
    """``[[edits]]``: a list of tables ``{iteration, set, value}``, in iteration order."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"[[edits]] must be a list of tables (iteration, set, value); got {describe(value)}."
        )
    out = []
    for i, edit in enumerate(value):
        where = f"[[edits]] #{i + 1}"
        if not isinstance(edit, Mapping):
            raise ConfigError(
                f"{where} must be a table of {', '.join(EDIT_KEYS)}; got {describe(edit)}."
            )
        for key in edit:
            if key not in EDIT_KEYS:
                raise ConfigError(
                    f"{where} has unknown key {key!r}; accepted keys are {', '.join(EDIT_KEYS)}."
                    f"{did_you_mean(str(key), EDIT_KEYS)}"
                )
        missing = [k for k in EDIT_KEYS if k not in edit]
        if missing:
            raise ConfigError(f"{where} needs {', '.join(missing)}; got {describe(dict(edit))}.")
        iteration, target, number = (_native(edit[k]) for k in EDIT_KEYS)
        if not _is_int(iteration) or not 0 <= iteration <= MAX_ITERATIONS:
            raise ConfigError(
                f"{where} iteration must be a whole number from 0 (before the first update); "
                f"got {describe(iteration)}."
            )
        if not isinstance(target, str) or not target:
            raise ConfigError(
                f'{where} set must name a parameter such as "W0[0,0]" or "learning_rate"; '
                f"got {describe(target)}."
            )
        if not _is_number(number) or not math.isfinite(number):
            raise ConfigError(f"{where} value must be a finite number; got {describe(number)}.")
        if target == "learning_rate" and number <= 0:
            raise ConfigError(f"{where} sets learning_rate to {number}; it must be > 0.")
        out.append(EditConfig(iteration, target, float(number)))
    return tuple(sorted(out, key=lambda e: e.iteration))
