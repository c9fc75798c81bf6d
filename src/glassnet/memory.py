"""The memory budget: refuse, before training, a run that would not fit.

A run holds its history (float64 figures per iteration), its checkpoints
(every parameter, and the optimizer's state, at up to ``[train] checkpoints``
iterations), one iteration's arrays, and the traced steps asked for; writing it
as JSON builds the whole document as Python objects and text first; the
compiled engine loads numba and LLVM. :func:`estimate` adds these up from a
cost model calibrated against measured peaks (``tests/unit/test_memory.py``
holds it to within 1.5x of the measured growth of a process on several runs),
and :func:`check_memory` compares the total with what the process may really
use (:func:`available_memory`: the machine's free memory, the cgroup's
``memory.max`` and ``ulimit -v``, whichever is least), so that a run that
cannot fit is refused with a message that names what to reduce instead of
dying midway. If memory runs out anyway, the command line ends with one line
(:data:`OUT_OF_MEMORY`).
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field
from pathlib import Path

from glassnet.data import Dataset
from glassnet.errors import ResourceError
from glassnet.network import Network
from glassnet.training import Method

#: Share of the available memory a run may plan to use (the rest is for
#: what the estimate does not model: the interpreter's own growth, other
#: programs starting meanwhile).
MEMORY_SHARE = 0.75
#: Bytes of a float64.
FLOAT = 8
#: Bytes per number of a JSON document while it is written: the Python float
#: in its list, its text in the joined document and its encoded bytes
#: (measured: 71-72 bytes per number of random floats in long lists, up to
#: 85 with the longer texts of a history's figures).
JSON_NUMBER = 80
#: Bytes per list in a JSON document (the list object and its brackets'
#: text; measured: 68 more per row of a matrix).
JSON_LIST = 68
#: What loading numba and LLVM and compiling a kernel adds to a process
#: (measured: 95-110 MB; an ahead-of-time module needs none of it).
NUMBA = 110_000_000
#: What the interpreter itself grows by while training and printing a run
#: (measured: 8 MB on a run of a million iterations that keeps 16 MB of history).
PROCESS = 8_000_000
#: The message when memory runs out after all.
OUT_OF_MEMORY = (
    "out of memory; the estimate before training said it would fit, so something else took "
    "memory meanwhile or the estimate is off: retry with fewer iterations, fewer "
    "[train] checkpoints (--checkpoints) or fewer traced iterations"
)


@dataclass(frozen=True)
class Available:
    """How many bytes the process may still take, and which limit says so."""

    bytes: int
    limit: str


def _meminfo() -> int | None:
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


def _cgroup(
    proc: Path = Path("/proc/self/cgroup"), root: Path = Path("/sys/fs/cgroup")
) -> int | None:
    """Bytes left under this process's cgroup (v2 ``memory.max``, v1 ``limit_in_bytes``)."""
    try:
        lines = proc.read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            base = root / path.lstrip("/")
            limit_file, usage_file = base / "memory.max", base / "memory.current"
        elif "memory" in controllers.split(","):
            base = root / "memory" / path.lstrip("/")
            limit_file, usage_file = base / "memory.limit_in_bytes", base / "memory.usage_in_bytes"
        else:
            continue
        try:
            limit_text = limit_file.read_text().strip()
            if limit_text == "max":
                return None
            limit = int(limit_text)
            usage = int(usage_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if limit >= 1 << 60:  # cgroup v1's "no limit"
            return None
        return max(limit - usage, 0)
    return None


def _address_space() -> int | None:
    """Bytes of address space left under ``ulimit -v`` (RLIMIT_AS), if one is set."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return max(soft - int(line.split()[1]) * 1024, 0)
    except (OSError, ValueError, IndexError):
        pass
    return soft


def available() -> Available | None:
    """What the process may still take: the least of free memory, the cgroup's room and
    ``ulimit -v``'s room; ``None`` where none of them can be read."""
    found = [
        Available(value, limit)
        for value, limit in (
            (_meminfo(), "available on this machine"),
            (_cgroup(), "left under this cgroup's memory.max"),
            (_address_space(), "of address space left under ulimit -v"),
        )
        if value is not None
    ]
    return min(found, key=lambda a: a.bytes) if found else None


def available_memory() -> int | None:
    """Bytes the process may still take (see :func:`available`), or ``None`` if unknown."""
    found = available()
    return None if found is None else found.bytes


@dataclass(frozen=True)
class Need:
    """A run's memory, by part (bytes); :attr:`total` is what :func:`check_memory` compares."""

    parts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def estimate(
    network: Network,
    n_samples: int,
    iterations: int,
    checkpoints: int,
    *,
    method: Method | None = None,
    json: bool = False,
    trace: int = 0,
    engine: str = "numpy",
    n_test: int = 0,
    numba_loaded: bool | None = None,
) -> Need:
    """The bytes a run will take, by part.

    Parameters
    ----------
    trace : int
        How many iterations are traced (every number of a step is kept).
    engine : str
        ``"compiled"`` adds numba's own memory unless it is loaded already
        (in this process, unless ``numba_loaded`` says).
    """
    method = method or Method()
    slots = len(method.optimizer.slots)
    batched = method.batch_size is not None
    n_params = network.n_params
    rows = min(method.batch_size or n_samples, n_samples)
    per_iteration = 2 + (1 if batched else 0) + (2 if n_test else 0)
    n_ckpt = min(iterations, checkpoints)
    ckpt_numbers = n_ckpt * n_params * (1 + slots)
    units = sum(network.sizes[1:])
    weights = sum(i * o for i, o in network.shapes)
    parts = {
        "history": FLOAT * per_iteration * iterations,
        # the engine's arrays, and their copy into Params when training ends
        "checkpoints": 2 * FLOAT * ckpt_numbers,
        "working": PROCESS
        + FLOAT
        * (
            8 * (n_samples + rows + n_test) * (units + network.sizes[0])
            + 6 * n_params * (1 + slots)
        ),
    }
    if trace:
        # each step keeps every example's share of every weight, and every per-unit array
        step = FLOAT * (rows * weights + 9 * rows * units + 8 * n_params * (1 + slots))
        parts["traced steps"] = trace * step
    if json:
        numbers = (
            per_iteration * iterations
            + ckpt_numbers
            + n_samples * (network.sizes[0] + 2 * network.sizes[-1])
            + 4 * n_params * (1 + slots)
        )
        lists = n_ckpt * (1 + slots) * sum(i + 1 for i, _ in network.shapes)
        if trace:
            numbers += trace * (5 * rows * units + 6 * n_params)
            lists += trace * (6 * rows * network.n_layers + 6 * sum(network.sizes[:-1]))
        parts["JSON"] = JSON_NUMBER * numbers + JSON_LIST * lists
    if engine == "compiled":
        import sys

        if not (("numba" in sys.modules) if numba_loaded is None else numba_loaded):
            parts["numba"] = NUMBA
    return Need(parts)


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


def check_memory(
    network: Network,
    data: Dataset,
    iterations: int,
    checkpoints: int,
    json: bool = False,
    *,
    method: Method | None = None,
    trace: int = 0,
    engine: str = "numpy",
    n_test: int = 0,
) -> None:
    """Refuse, before training, a run that would need more than :data:`MEMORY_SHARE` of
    what the process may still take.

    Raises
    ------
    ResourceError
        With the estimate by part, the limit that binds, and what to reduce:
        the most iterations that fit, fewer checkpoints, fewer traced steps,
        or smaller layers.
    """
    room = available()
    if room is None:
        return
    budget = MEMORY_SHARE * room.bytes
    kwargs = {"method": method, "json": json, "engine": engine, "n_test": n_test, "trace": trace}

    def need_for(its: int, ckpts: int, traced: int = trace) -> int:
        return estimate(network, data.n_samples, its, ckpts, **{**kwargs, "trace": traced}).total  # type: ignore[arg-type]  # the keywords estimate takes

    need = estimate(network, data.n_samples, iterations, checkpoints, **kwargs)  # type: ignore[arg-type]  # the keywords estimate takes
    if need.total <= budget:
        return
    n_ckpt = min(iterations, checkpoints)
    options = []
    floor = need_for(1, 2, 0)  # one iteration, two snapshots: what the network itself takes
    if floor > budget:
        options.append("use smaller layers or fewer examples")
    else:
        per_iteration = max((need.total - need_for(1, checkpoints)) / max(iterations - 1, 1), 1.0)
        most = int((budget - need_for(1, checkpoints)) // per_iteration) + 1
        if most >= 1 and need_for(1, checkpoints) <= budget:
            options.append(f"use at most {most:,} iterations")
        if n_ckpt > 2:
            per_checkpoint = (need.total - need_for(iterations, 2)) / (n_ckpt - 2)
            fewer = 2 + int((budget - need_for(iterations, 2)) // max(per_checkpoint, 1.0))
            if 2 <= fewer < n_ckpt:
                options.append(
                    f"record fewer weight snapshots with [train] checkpoints (--checkpoints), "
                    f"at most {fewer:,}"
                )
        if trace and need_for(1, 2) > budget / 2:
            per_step = (need_for(1, 2) - floor) / trace
            options.append(
                f"trace fewer iterations (--trace), at most {max(int((budget - floor) // per_step), 0):,}"
            )
        if not options:
            options.append("use fewer iterations and smaller layers")
    labels = {
        "history": "history of every iteration",
        "checkpoints": f"{n_ckpt:,} checkpoints x {network.n_params:,} parameters",
        "working": "one iteration's arrays",
        "traced steps": f"{trace:,} traced steps",
        "JSON": "the JSON document",
        "numba": "numba and its compiler",
    }
    breakdown = "; ".join(
        f"{labels.get(name, name)}: {_size(b)}" for name, b in need.parts.items() if b
    )
    if floor > budget:
        subject = (
            f"[network] layers {list(network.sizes)} ({network.n_params:,} parameters) with "
            f"{data.n_samples:,} examples"
        )
    else:
        subject = f"[train] iterations = {iterations:,}"
    raise ResourceError(
        f"{subject} would need about {_size(need.total)} of memory ({breakdown}) but only "
        f"{_size(budget)} may be used ({MEMORY_SHARE:.0%} of the {_size(room.bytes)} "
        f"{room.limit}); {' or '.join(options)}."
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
    room = available()
    if room is None:
        return
    budget = MEMORY_SHARE * room.bytes
    per_network = (SWEEP_PARAM_COPIES + slots) * FLOAT * network.n_params + SWEEP_NETWORK_BYTES
    total = n_networks * per_network
    if total <= budget:
        return
    most = int(budget // per_network)
    raise ResourceError(
        f"a sweep of {n_networks:,} networks ({network.n_params:,} parameters each) would need "
        f"about {_size(total)} of memory but only {_size(budget)} may be used "
        f"({MEMORY_SHARE:.0%} of the {_size(room.bytes)} {room.limit}); sweep at most "
        f"{most:,} networks at once (fewer --seeds, --learning-rates, --optimizers or "
        f"--batch-sizes)."
    )
