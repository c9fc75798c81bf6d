"""Kernel source generation: the compiled engines' numba-Python, written from the definitions.

A loop nest over a network of *any* shape, with the layer sizes, activations
and loss read from arrays at run time, runs about twice as slow as the same
arithmetic written for one shape: the compiler cannot unroll the tiny loops
(3 inputs, 1 output) or drop the branches on the activation. So the compiled
engines write their kernel's Python source for the architecture at hand, every
size a literal, and numba compiles that. The arithmetic of each activation and
loss comes from its one definition (:attr:`glassnet.activations.Activation.source`,
:attr:`glassnet.losses.Loss.term_source` ...), never from a table here.

The source is plain, readable numba-Python. It is stored in the private cache
folder (:mod:`glassnet.engines.cache`), named by a hash of its text, and numba's
own on-disk cache keeps the machine code next to it, so each kernel compiles
once per machine. Before numba loads that machine code, its files are checked
against the SHA-256 recorded when they were written.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES, Loss
from glassnet.network import Network
from glassnet.optimizers import OPTIMIZERS, Optimizer
from glassnet.training import Method

#: Bump when the generator's output changes meaning, so old files are not reused.
GENERATOR_VERSION = 2
#: The readable part of a generated module's name is cut to this many characters
#: (the hash that follows it keeps names unique); file systems allow 255.
MAX_STEM = 48


@dataclass(frozen=True)
class Spec:
    """What a generated kernel is specialized to.

    Attributes
    ----------
    sizes : tuple of int
        Units per layer, inputs first (``(3, 1)`` for the post's network).
    activations : tuple of str
        One activation name per weight layer (keys of :data:`~glassnet.activations.ACTIVATIONS`).
    bias : tuple of bool
        Whether each weight layer has a bias.
    loss : str
        A key of :data:`~glassnet.losses.LOSSES`.
    n_samples : int
        Number of training examples (rows of ``X``).
    optimizer : str
        A key of :data:`~glassnet.optimizers.OPTIMIZERS`.
    batch_size : int
        Examples per update; 0 for the full batch, in order.
    mean : bool
        The loss and its gradient are means over the batch.
    l2 : bool
        The gradient of every weight gets ``l2 * w`` (the value is an argument).
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: tuple[bool, ...]
    loss: str
    n_samples: int
    optimizer: str = "gd"
    batch_size: int = 0
    mean: bool = False
    l2: bool = False

    @classmethod
    def of(cls, network: Network, n_samples: int, method: Method | None = None) -> Spec:
        """The spec of ``network`` trained on ``n_samples`` examples with ``method``."""
        method = method or Method()
        return cls(
            tuple(int(s) for s in network.sizes),
            tuple(a.name for a in network.activations),
            tuple(bool(b) for b in network.bias),
            network.loss.name,
            int(n_samples),
            method.optimizer.name,
            min(int(method.batch_size or 0), int(n_samples)),
            bool(method.mean),
            bool(method.l2),
        )

    @property
    def optimizer_fn(self) -> Optimizer:
        """The definition of the optimizer."""
        return OPTIMIZERS[self.optimizer]

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def activation(self, layer: int) -> Activation:
        """The definition of layer ``layer``'s activation."""
        return ACTIVATIONS[self.activations[layer]]

    @property
    def loss_fn(self) -> Loss:
        """The definition of the loss."""
        return LOSSES[self.loss]

    def w_offsets(self) -> list[int]:
        """Start of each layer's weights in the flat weight vector (row-major ``(n_in, n_out)``)."""
        out = [0]
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            out.append(out[-1] + n_in * n_out)
        return out

    def b_offsets(self) -> list[int]:
        """Start of each layer's bias in the flat bias vector (layers without one take no room)."""
        out = [0]
        for n_out, has in zip(self.sizes[1:], self.bias):
            out.append(out[-1] + (n_out if has else 0))
        return out

    def as_dict(self) -> dict[str, object]:
        """Plain values (for a background build's command line)."""
        return {
            "sizes": list(self.sizes),
            "activations": list(self.activations),
            "bias": list(self.bias),
            "loss": self.loss,
            "n_samples": self.n_samples,
            "optimizer": self.optimizer,
            "batch_size": self.batch_size,
            "mean": self.mean,
            "l2": self.l2,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Spec:
        return cls(
            tuple(int(s) for s in d["sizes"]),
            tuple(str(a) for a in d["activations"]),
            tuple(bool(b) for b in d["bias"]),
            str(d["loss"]),
            int(d["n_samples"]),
            str(d.get("optimizer", "gd")),
            int(d.get("batch_size", 0)),
            bool(d.get("mean", False)),
            bool(d.get("l2", False)),
        )


# --------------------------------------------------------------------------- code numbers
# A kernel that serves every architecture reads each layer's activation and the
# loss as small integers: their positions in the definitions' tables.


def activation_code(activation: Activation) -> int:
    """The number a table-driven kernel uses for ``activation``."""
    return list(ACTIVATIONS.values()).index(activation)


def loss_code(loss: Loss) -> int:
    """The number a table-driven kernel uses for ``loss``."""
    return list(LOSSES.values()).index(loss)


def dispatch(code: str, options: Sequence[tuple[int, str]]) -> str:
    """``(e0 if code == 0 else (e1 if code == 1 else e2))``: one expression per code.

    The last option is the default. A loop whose body holds such an
    expression on a loop-invariant ``code`` is unswitched by the compiler.
    """
    expr = options[-1][1]
    for number, option in reversed(options[:-1]):
        expr = f"({option} if {code} == {number} else {expr})"
    return expr


def optimizer_code(optimizer: Optimizer) -> int:
    """The number a table-driven kernel uses for ``optimizer``."""
    return list(OPTIMIZERS.values()).index(optimizer)


def each_activation(code: str, make: Callable[[Activation], str]) -> str:
    """:func:`dispatch` over every elementwise activation: ``make(activation)`` for its code."""
    return dispatch(
        code, [(activation_code(a), make(a)) for a in ACTIVATIONS.values() if not a.rowwise]
    )


# --------------------------------------------------------------------------- writing source


class Writer:
    """Collects indented source lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, text: str = "") -> None:
        self.lines.append(("    " * self.depth + text) if text else "")

    def indent(self) -> Writer:
        self.depth += 1
        return self

    def dedent(self) -> None:
        self.depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def literal(value: float) -> str:
    """A float as source text (``math.inf`` for infinities)."""
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(float(value))


def stem_of(spec: Spec) -> str:
    """A short readable name, ``3x1_sigmoid``, at most :data:`MAX_STEM` characters.

    Deep networks get ``52layers_..._sigmoid``; the module name adds a hash of
    the whole source, so two specs never share a file.
    """
    stem = "x".join(map(str, spec.sizes)) + "_" + "_".join(dict.fromkeys(spec.activations))
    if spec.optimizer != "gd":
        stem += "_" + spec.optimizer
    if len(stem) <= MAX_STEM:
        return stem
    short = f"{spec.n_layers}layers_" + "_".join(dict.fromkeys(spec.activations))
    return short[:MAX_STEM]


def module_name(source: str, stem: str) -> str:
    """The module (and file) name of generated ``source``: the stem and a hash of the text."""
    digest = hashlib.sha256(f"{GENERATOR_VERSION}\n{source}".encode()).hexdigest()[:16]
    return f"_glassnet_{stem[:MAX_STEM]}_{digest}"


def _numba_files(name: str) -> list[Path]:
    """numba's cache files (index and data) of generated module ``name``."""
    from glassnet.engines import cache

    root = cache.numba_folder()
    return sorted(root.glob(f"**/{name}.*.nb[ic]")) if root.is_dir() else []


def is_compiled(source: str, stem: str) -> bool:
    """Whether generated ``source`` is loaded here already or has machine code in numba's cache."""
    name = module_name(source, stem)
    return name in sys.modules or any(str(p).endswith(".nbc") for p in _numba_files(name))


def load_module(source: str, stem: str) -> ModuleType:
    """Import generated ``source`` from a file in the cache folder (written once).

    The file name holds a hash of the source, so a module is never rewritten
    (numba's cache is keyed on the file's path and time stamp). numba's cache
    files of the module are checked against the manifest recorded when they
    were written; any that do not match are moved aside first, so numba
    compiles afresh instead of unpickling them. Call :func:`record_compiled`
    after the first call of a kernel (when numba has written its cache).
    """
    from glassnet.engines import cache

    name = module_name(source, stem)
    if name in sys.modules:
        return sys.modules[name]
    cache.configure_numba()
    folder = cache.folder() / "generated"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{name}.py"
    try:
        current = path.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != source:
        cache.write_atomically(path, source.encode("utf-8"))
    cache.verify(name, _numba_files(name))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


_recorded: dict[str, int] = {}


def record_compiled(module: ModuleType) -> None:
    """Record numba's cache files of a generated module after a call that may have compiled.

    numba writes a module's cache files when it compiles a new specialization
    of its kernel (new argument types add an entry to the index), so the
    files are recorded again whenever the number of compiled specializations
    changed since the last record.
    """
    from glassnet.engines import cache

    name = module.__name__
    count = sum(
        len(getattr(obj, "signatures", ()))
        for obj in vars(module).values()
        if hasattr(obj, "signatures")
    )
    if _recorded.get(name) == count:
        return
    _recorded[name] = count
    with contextlib.suppress(OSError):
        cache.record(name, _numba_files(name))
