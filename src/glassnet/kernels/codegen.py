"""Kernel source generation: one compiled kernel per architecture.

A loop nest over a network of *any* shape, with the layer sizes, activations
and loss read from arrays at run time, runs about twice as slow as the same
arithmetic written for one shape: the compiler cannot unroll the tiny loops
(3 inputs, 1 output) or drop the branches on the activation. So glassnet
writes the kernel's Python source for the architecture at hand (sizes,
activations, biases, loss, number of examples), with every size a literal,
and numba compiles that. The source is plain, readable numba-Python; it is
stored under the user's cache folder (:func:`glassnet.kernels.cache_dir`),
named by a hash of its text, and numba's own on-disk cache keeps the machine
code next to it, so each architecture compiles once per machine.

The generated arithmetic is the reference's (:mod:`glassnet.network`) in the
same order: ``z = sum_m a[i, m] * W[m, j]`` summed over ``m`` in order, then
``+ b[j]``; sigmoid ``1 / (1 + exp(-z))``; deltas and updates as in
:func:`glassnet.network.backward` and :func:`glassnet.network.updates`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
from dataclasses import dataclass
from types import ModuleType

from glassnet.network import Network

#: Bump when the generator's output changes meaning, so old files are not reused.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Spec:
    """What a generated kernel is specialized to.

    Attributes
    ----------
    sizes : tuple of int
        Units per layer, inputs first (``(3, 1)`` for the seed).
    activations : tuple of str
        One activation name per weight layer.
    bias : tuple of bool
        Whether each weight layer has a bias.
    loss : str
        ``"half_squared_error"`` or ``"binary_cross_entropy"``.
    n_samples : int
        Number of training examples (rows of ``X``).
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: tuple[bool, ...]
    loss: str
    n_samples: int

    @classmethod
    def of(cls, network: Network, n_samples: int) -> Spec:
        """The spec of ``network`` trained on ``n_samples`` examples."""
        return cls(
            tuple(int(s) for s in network.sizes),
            tuple(a.name for a in network.activations),
            tuple(bool(b) for b in network.bias),
            network.loss.name,
            int(n_samples),
        )

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

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


def activation_expr(name: str, z: str) -> str:
    """``f(z)`` as a numba-Python expression."""
    return {
        "sigmoid": f"1.0 / (1.0 + math.exp(-{z}))",
        "tanh": f"math.tanh({z})",
        "relu": f"(0.0 if {z} < 0.0 else {z})",  # NaN stays NaN, like np.maximum
        "linear": f"{z}",
    }[name]


def derivative_expr(name: str, a: str) -> str:
    """``f'(z)`` written from the output ``a``, as a numba-Python expression."""
    return {
        "sigmoid": f"({a} * (1.0 - {a}))",
        "tanh": f"(1.0 - {a} * {a})",
        "relu": f"(1.0 if {a} > 0.0 else 0.0)",
        "linear": "1.0",
    }[name]


RANGE_ENDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


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


def module_name(source: str, stem: str) -> str:
    """The module (and file) name of generated ``source``: the stem and a hash of the text."""
    digest = hashlib.sha256(f"{GENERATOR_VERSION}\n{source}".encode()).hexdigest()[:16]
    return f"_glassnet_{stem}_{digest}"


def is_compiled(source: str, stem: str) -> bool:
    """Whether generated ``source`` is loaded here already or has machine code in numba's cache."""
    from glassnet.kernels import cache_dir

    name = module_name(source, stem)
    if name in sys.modules:
        return True
    return any(cache_dir().glob(f"generated*/{name}.*.nbc"))


def load_module(source: str, stem: str) -> ModuleType:
    """Import generated ``source`` from a file in the cache folder (written once).

    The file name holds a hash of the source, so a module is never rewritten
    (numba's cache is keyed on the file's path and time stamp).
    """
    from glassnet.kernels import configure_cache

    name = module_name(source, stem)
    if name in sys.modules:
        return sys.modules[name]
    folder = configure_cache() / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def literal(value: float) -> str:
    """A float as source text (``math.inf`` for infinities)."""
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(float(value))


def stem_of(spec: Spec) -> str:
    """A short readable name: ``3x1_sigmoid``."""
    return "x".join(map(str, spec.sizes)) + "_" + "_".join(dict.fromkeys(spec.activations))
