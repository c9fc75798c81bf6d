"""Share a command's drawing between this process and a forked one, by estimated cost.

Why. A figure costs matplotlib 0.1-0.3 s of pure Python (ticks, text,
layout), and the report's numbers and text about as much as two figures; on a
machine with two cores a second process does part of that work at the same
time, in ``glassnet``, ``glassnet plot`` and ``glassnet report`` (measured in
``benchmarks/commands.py``).

How. :func:`in_two` takes named tasks with an estimated cost each and gives
the child the tasks :func:`split` picks: the two sides' costs as even as the
estimates allow. :class:`Forked` forks after matplotlib is imported (the
child shares the imported modules, so the import is paid once), the child
runs its tasks and sends the results back through a pipe (pickled), then
ends with ``os._exit`` (no ``atexit``, no flushing of inherited buffers). The
child runs the same code on the same memory, so its results are the ones this
process would compute.

When not. Only on Linux, with at least two CPUs usable and one of them idle
right now (fewer runnable tasks than CPUs, from ``/proc/loadavg``: on a
machine kept busy by other work a second process cannot run alongside, and
only adds its start), when this process runs no other
thread (forking a threaded process can deadlock) and ``GLASSNET_PARALLEL`` is
not ``0``. Whatever goes wrong in the child (an
exception, a crash, unreadable output), :meth:`Forked.result` returns
``None`` and the caller runs those tasks itself, so errors surface exactly
as without a fork.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

#: Environment variable: ``0`` (or ``off``, ``false``, ``no``) draws everything in this process.
ENV = "GLASSNET_PARALLEL"


def can_fork() -> bool:
    """Whether drawing in a forked child is possible and worth it here (see the module docstring)."""
    if os.environ.get(ENV, "1").strip().lower() in ("0", "off", "false", "no"):
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - Linux has it
        cpus = os.cpu_count() or 1
    return cpus >= 2 and threading.active_count() == 1 and runnable_tasks() < cpus


def runnable_tasks() -> int:
    """Tasks running or ready to run on the machine right now, this one included (``/proc/loadavg``
    fourth field, ``running/total``); 1 when it cannot be read."""
    try:
        with open("/proc/loadavg") as handle:
            return int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return 1


class Forked:
    """``work()`` run in a forked child; :meth:`result` collects what it returned.

    Parameters
    ----------
    work : callable
        Returns a picklable value; runs only in the child.
    """

    def __init__(self, work: Callable[[], Any]) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed stream
                stream.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            os.close(read)
            code = 1
            try:
                payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def stop(self) -> None:
        """End the child now (this process is failing or was stopped: its work is not wanted);
        :meth:`result` still reaps it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)

    def result(self) -> Any | None:
        """What the child returned, or ``None`` if it failed (then do its work here)."""
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()  # to the end: the child exits after writing
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            return pickle.loads(payload)
        except Exception:
            return None


#: Up to this many tasks :func:`split` tries every split; beyond, it takes Graham's LPT rule.
EXACT_UP_TO = 12


def split(costs: Mapping[str, float]) -> tuple[list[str], list[str]]:
    """``(the child's, this process's)`` task names, each in ``costs`` order: the split whose
    busier side costs least (the first such in binary order of the child's tasks).

    A command has a handful of tasks, so every split is tried; past
    :data:`EXACT_UP_TO` tasks, longest first, each to the side with less work so
    far (Graham's LPT rule: the busier side within 7/6 of the best).
    """
    names = list(costs)
    if len(names) > EXACT_UP_TO:
        load = {True: 0.0, False: 0.0}  # True: the child's side
        child: set[str] = set()
        for name in sorted(names, key=lambda n: -costs[n]):  # stable: equal costs keep their order
            to_child = load[True] <= load[False]
            load[to_child] += costs[name]
            if to_child:
                child.add(name)
    else:
        total = sum(costs.values())

        def busier(mask: int) -> float:  # bit i of mask set: names[i] goes to the child
            theirs = sum(costs[n] for i, n in enumerate(names) if mask >> i & 1)
            return max(theirs, total - theirs)

        best = min(range(1 << len(names)), key=busier)
        child = {n for i, n in enumerate(names) if best >> i & 1}
    return [n for n in names if n in child], [n for n in names if n not in child]


def meanwhile(work: Callable[[], Any], here: Callable[[], Any]) -> Any:
    """``here()`` in this process while a forked child runs ``work()``; returns what ``work()``
    returned.

    Without a fork (:func:`can_fork`), or when the child fails, ``work()``
    runs here afterwards (so ``work()`` must not return ``None``, which
    stands for a failed child). An exception in ``here()`` (or Ctrl-C, SIGTERM)
    stops and reaps the child and propagates.
    """
    child = Forked(work) if can_fork() else None
    try:
        here()
    except BaseException:  # the child's work is not wanted any more
        if child is not None:
            child.stop()
        raise
    finally:
        given = None if child is None else child.result()  # always reaped
    return work() if given is None else given


def in_two(tasks: Mapping[str, Callable[[], Any]], costs: Mapping[str, float]) -> dict[str, Any]:
    """Every task's result, by name in ``tasks`` order; some run in a forked child when
    :func:`can_fork`.

    ``costs`` estimates each task's time (any unit, the same for all; a
    missing name counts 1); :func:`split` decides who runs what. Results
    from the child must be picklable. An exception in this process's tasks
    propagates (the child is stopped and reaped); a failed child's tasks run here.
    """
    if len(tasks) < 2 or not can_fork():
        return {name: work() for name, work in tasks.items()}
    theirs, mine = split({name: float(costs.get(name, 1.0)) for name in tasks})
    child = Forked(lambda: {name: tasks[name]() for name in theirs})
    try:
        done = {name: tasks[name]() for name in mine}
    except BaseException:  # an error here, Ctrl-C or SIGTERM: the child's work is not wanted
        child.stop()
        raise
    finally:
        given = child.result()  # always reap the child
    if not isinstance(given, dict) or set(given) != set(theirs):
        given = {name: tasks[name]() for name in theirs}
    done.update(given)
    return {name: done[name] for name in tasks}
