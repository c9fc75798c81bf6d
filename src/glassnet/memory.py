"""The memory budget: refuse, before training, a run that would not fit.

A run holds its history (two float64 per iteration), its weight checkpoints
and one iteration's arrays; writing it as JSON costs more per number.
:func:`check_memory` estimates that and compares it with what the machine
has, so a run that cannot fit is refused with a message naming what to reduce
instead of dying midway.
"""

from __future__ import annotations

import os

from glassnet.data import Dataset
from glassnet.errors import ResourceError
from glassnet.network import Network

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


#: Bytes a sweep holds per network besides its parameters: seed, learning rate,
#: final error and loss, iterations to target, stop, and the Python int of its seed.
SWEEP_NETWORK_BYTES = 120
#: Copies of every parameter a sweep holds per network (initial, tiled, trained,
#: final in Params.flat() order, and one in flight).
SWEEP_PARAM_COPIES = 5


def check_sweep_memory(network: Network, n_networks: int, slots: int = 0) -> None:
    """Refuse, before anything is built per network, a sweep that would not fit in memory.

    ``slots`` counts the optimizer's state arrays per parameter (Adam's 2), held
    per network while a group trains.
    """
    available = available_memory()
    if available is None:
        return
    budget = MEMORY_SHARE * available
    per_network = (SWEEP_PARAM_COPIES + slots) * 8 * network.n_params + SWEEP_NETWORK_BYTES
    total = n_networks * per_network
    if total <= budget:
        return
    most = int(budget // per_network)
    raise ResourceError(
        f"a sweep of {n_networks:,} networks ({network.n_params:,} parameters each) would need "
        f"about {_size(total)} of memory but only {_size(budget)} may be used (half of the "
        f"{_size(available)} available); sweep at most {most:,} networks at once "
        f"(fewer --seeds, --learning-rates, --optimizers or --batch-sizes)."
    )
