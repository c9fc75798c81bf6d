"""Sweeps past one machine: chunks of a sweep's networks trained on a Dask cluster.

``glassnet sweep ... --dask ADDRESS`` (or ``sweep(..., dask=ADDRESS)``) cuts every
(optimizer, batch size) group of a sweep (:class:`glassnet.sweep.Job`) into
chunks of networks and sends each chunk to a worker of the Dask cluster at
``ADDRESS``; ``local:N`` starts a ``LocalCluster`` of N worker processes on this
machine for the duration of the sweep. Progress comes from the chunks as they
finish (``as_completed``).

The numbers are those of a sweep on one machine, bit for bit: a network's
arithmetic does not depend on which other networks share its chunk (both batch
engines compute each network on its own, summing in a fixed order), and each
chunk is a pure function of its plain-data :class:`~glassnet.sweep.Job`. So a
chunk that was running on a worker that died is simply run again elsewhere
(Dask reschedules the tasks of a lost worker), and nothing is lost. (On a
cluster of different CPUs, numba compiles each worker's kernel for its own CPU:
the numbers then agree with a local sweep under the tolerance policy of
:mod:`glassnet.engines.tolerance`, not bit for bit.)

Worth it when a sweep outgrows one machine: seeds x learning rates x
optimizers of a real network on real data (digits: 1,797 examples of 64
inputs) cost seconds per network. The post's 3-weight network trains tens of
millions of network-iterations per second on one machine; shipping its chunks
costs more than training them.

Only this module imports ``dask.distributed``, and only :func:`train_on_dask`
does, so nothing imports dask unless a sweep asks for a cluster.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from glassnet.errors import ConfigError, GlassnetError, describe

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.sweep import Job
    from glassnet.training import BatchTrained

#: Chunks per worker thread: a few each, so that a slow or lost worker holds up little.
TASKS_PER_THREAD = 4
#: Networks per chunk at least (smaller ones cost more to ship than to train).
MIN_TASK_NETWORKS = 64
#: Seconds to wait for a scheduler to answer.
CONNECT_SECONDS = 30

_LOCAL = re.compile(r"local:(\d+)")


def local_workers(address: str) -> int | None:
    """N of ``"local:N"``, or ``None`` for a scheduler's address."""
    match = _LOCAL.fullmatch(address.strip())
    return int(match.group(1)) if match else None


def check_address(address: object) -> None:
    """Refuse, before training, an address that is neither ``local:N`` nor a scheduler's,
    and a machine without ``dask.distributed`` (checked without importing it)."""
    text = address.strip() if isinstance(address, str) else ""
    workers = local_workers(text) if text else None
    looks_remote = bool(re.fullmatch(r"([a-z]+://)?[^\s:/]+(:\d+)?", text)) and not text.startswith(
        "local"
    )
    if (workers is None and not looks_remote) or workers == 0:
        raise ConfigError(
            "--dask must be a Dask scheduler's address such as tcp://10.0.0.5:8786, or "
            f"local:N for N worker processes on this machine (N >= 1); got {describe(address)}."
        )
    if importlib.util.find_spec("distributed") is None:
        raise ConfigError(
            "--dask needs Dask's distributed scheduler, which is not installed; "
            "pip install 'glassnet[dask]'."
        )


def chunk_networks(n_networks: int, n_threads: int) -> int:
    """Networks per chunk: about :data:`TASKS_PER_THREAD` chunks per worker thread, at
    least :data:`MIN_TASK_NETWORKS`, a multiple of 8 (whole vectors)."""
    size = max(MIN_TASK_NETWORKS, math.ceil(n_networks / (TASKS_PER_THREAD * max(n_threads, 1))))
    return size + (-size % 8)


def split(jobs: Sequence[Job], n_threads: int) -> list[Job]:
    """Every job cut into chunks of :func:`chunk_networks` networks."""
    parts = []
    for job in jobs:
        size = chunk_networks(job.n_networks, n_threads)
        parts += [
            job.part(lo, min(lo + size, job.n_networks)) for lo in range(0, job.n_networks, size)
        ]
    return parts


def train_chunk(job: Job) -> BatchTrained:
    """A worker's task: train one chunk in one thread (the worker's threads are its Dask
    slots). Pure: the same chunk gives the same bits, so it may run again."""
    from glassnet.sweep import train_job

    return train_job(job, threads=1)


def _warm_up(jobs: Sequence[Job]) -> None:
    """Compile every job's kernel here first, so that the local workers load it from the
    shared cache instead of each compiling it (and writing its files) at once."""
    from glassnet.sweep import train_job

    for job in jobs:
        train_job(replace(job.part(0, 1), iterations=1, history_every=0), threads=1)


def train_on_dask(
    address: str, jobs: Sequence[Job], progress: Callable[[int, int], None] | None = None
) -> list[tuple[Job, BatchTrained]]:
    """Train ``jobs`` in chunks on the cluster at ``address`` (``local:N``: a new local one).

    Returns ``(chunk, its results)`` for every chunk; ``progress`` hears
    ``(networks trained, networks in all)`` as chunks finish.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    workers = local_workers(address)
    cluster: Any = None
    if workers is not None:
        _warm_up(jobs)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster, set_as_default=False)
    else:
        try:
            client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise GlassnetError(
                f"--dask: no Dask scheduler answered at {address} ({exc}); start one "
                "(dask scheduler) or use local:N."
            ) from None
    try:
        parts = split(jobs, sum(client.nthreads().values()))
        total = sum(part.n_networks for part in parts)
        futures = {client.submit(train_chunk, part, pure=False): part for part in parts}
        results = []
        done = 0
        # on this client's event loop: by default as_completed waits on the loop of the
        # process's default client, which may be another one (a notebook's)
        for future, result in as_completed(futures, with_results=True, loop=client.loop):
            part = futures[future]
            results.append((part, result))
            done += part.n_networks
            if progress is not None:
                progress(done, total)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
