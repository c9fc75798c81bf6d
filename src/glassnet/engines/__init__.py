"""Training engines: the same arithmetic, run by numpy or compiled by numba.

There are two engines, each for one network and for a batch of networks:

=============  =========================================  ===========================================
engine         one network (:func:`trainer`)              many networks at once (:func:`batch_trainer`)
=============  =========================================  ===========================================
``numpy``      :func:`glassnet.training.train_reference`  :func:`glassnet.engines.batched_numpy.train_batch`
               (the specification)                        (vectorized over the networks)
``compiled``   :func:`glassnet.engines.compiled.train`    :func:`glassnet.engines.batched.train_batch`
               (a generated numba kernel)                 (a generated numba kernel, vectorized)
=============  =========================================  ===========================================

``auto`` picks one (:func:`select`). Every engine computes the numbers of the
reference, under the tolerance policy of :mod:`glassnet.engines.tolerance`.
The compiled engines write their kernels' source from the single definitions
of :mod:`glassnet.activations` and :mod:`glassnet.losses`
(:mod:`glassnet.engines.codegen`); the ahead-of-time modules of
:mod:`glassnet.engines.aot` are an optional layer under the compiled
single-network engine.

Importing this package does not import numba; training with a compiled
engine does (:mod:`glassnet.engines.runtime`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from glassnet.engines.runtime import KernelUnavailable, unavailable_reason
from glassnet.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.network import Network
    from glassnet.training import Trained

__all__ = [
    "ENGINES",
    "EngineFallback",
    "KernelUnavailable",
    "batch_trainer",
    "check",
    "select",
    "trainer",
    "warn_fallback",
]

#: The engine names every command and function accepts. ``auto`` picks one.
ENGINES = ("auto", "numpy", "compiled")


class EngineFallback(UserWarning):
    """The compiled engine was asked for but cannot run here; numpy trains instead.

    The library only *warns* (it never prints); the command line turns this
    warning into one ``glassnet: note: ...`` line on stderr.
    """


def warn_fallback(reason: str, stacklevel: int = 3) -> None:
    """The one fallback warning: the compiled engine cannot run here, numpy trains."""
    warnings.warn(
        f"the compiled engine is not available here ({reason}); training with numpy.",
        EngineFallback,
        stacklevel=stacklevel,
    )


def check(engine: object) -> str:
    """``engine`` if it names an engine; else a :class:`~glassnet.errors.ConfigError`."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ConfigError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}.")
    return engine


#: What ``auto`` weighs (measured on the benchmark machine, see docs/benchmark.md):
#: the numpy reference costs about this many seconds per layer and iteration on
#: small data, plus this much per multiply-add; starting numba and loading a
#: cached kernel costs ``COMPILED_START_SECONDS`` once per process.
NUMPY_SECONDS_PER_LAYER_ITERATION = 1.5e-5
NUMPY_SECONDS_PER_MULTIPLY_ADD = 1e-9
COMPILED_START_SECONDS = 0.5


def numpy_seconds(network: Network, iterations: int, n_samples: int) -> float:
    """About how long the numpy reference takes for this run."""
    multiply_adds = 3 * n_samples * sum(i * o for i, o in network.shapes)
    per_iteration = (
        network.n_layers * NUMPY_SECONDS_PER_LAYER_ITERATION
        + multiply_adds * NUMPY_SECONDS_PER_MULTIPLY_ADD
    )
    return iterations * per_iteration


def select(engine: str, network: Network, iterations: int, n_samples: int = 4) -> str:
    """The engine that will train one network: ``"numpy"`` or ``"compiled"``.

    ``numpy`` is always the reference. ``auto`` picks the compiled engine only
    when the numpy run would take longer than starting numba and loading the
    kernel, so short runs never import numba. The choice depends on the run
    and on what is installed, never on what this process did before (the same
    experiment trains with the same engine, and gives the same bytes, in any
    order of calls). ``compiled`` where numba is missing or broken falls back
    to numpy with :func:`warn_fallback`; ``auto`` falls back silently.
    """
    check(engine)
    if engine == "numpy":
        return "numpy"
    if engine == "auto" and numpy_seconds(network, iterations, n_samples) < COMPILED_START_SECONDS:
        return "numpy"
    reason = unavailable_reason()
    if reason is None:
        return "compiled"
    if engine == "compiled":
        warn_fallback(reason, stacklevel=3)
    return "numpy"


def select_batch(engine: str) -> str:
    """The engine that will train a batch of networks: ``"numpy"`` or ``"compiled"``.

    ``auto`` and ``compiled`` use the compiled batched kernel where numba
    works; ``compiled`` without it warns (:func:`warn_fallback`).
    """
    check(engine)
    if engine == "numpy":
        return "numpy"
    reason = unavailable_reason()
    if reason is None:
        return "compiled"
    if engine == "compiled":
        warn_fallback(reason, stacklevel=3)
    return "numpy"


def trainer(name: str) -> Callable[..., Trained]:
    """The single-network training function of engine ``name`` (imported on first use).

    Every one takes the arguments of :func:`glassnet.training.train_reference`
    and returns a :class:`~glassnet.training.Trained` with its numbers.
    """
    if name == "numpy":
        from glassnet.training import train_reference

        return train_reference
    if name == "compiled":
        from glassnet.engines import compiled

        return compiled.train
    raise ConfigError(f"engine must be numpy or compiled here; got {name!r}.")


def batch_trainer(name: str) -> Callable[..., Any]:
    """The batch training function of engine ``name``: same arguments, same results."""
    if name == "numpy":
        from glassnet.engines import batched_numpy

        return batched_numpy.train_batch
    if name == "compiled":
        from glassnet.engines import batched, runtime

        runtime.start_numba()
        return batched.train_batch
    raise ConfigError(f"engine must be numpy or compiled here; got {name!r}.")
