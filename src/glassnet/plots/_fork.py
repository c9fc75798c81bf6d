"""Draw some of the figures in a forked process while this one draws the others.

Why. A figure costs matplotlib 0.1-0.3 s of pure Python (ticks, text,
layout); on a machine with two cores a second process draws half of them at
the same time, in ``glassnet``, ``glassnet plot`` and ``glassnet report``
(measured in ``benchmarks/commands.py``).

How. :class:`Forked` forks after matplotlib is imported (the child shares
the imported modules, so the import is paid once), the child draws its kinds
and sends the bytes back through a pipe, then ends with ``os._exit`` (no
``atexit``, no flushing of inherited buffers). The child draws with the same
code from the same memory, so its bytes are the ones this process would draw.

When not. Only on Linux, with at least two CPUs usable and one of them idle
right now (fewer runnable tasks than CPUs, from ``/proc/loadavg``: on a
machine kept busy by other work a second process cannot run alongside, and
only adds its start), when this process runs no other
thread (forking a threaded process can deadlock) and ``GLASSNET_PARALLEL`` is
not ``0``. Whatever goes wrong in the child (an
exception, a crash, unreadable output), :meth:`Forked.result` returns
``None`` and the caller draws those kinds itself, so errors surface exactly
as without a fork.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

#: Environment variable: ``0`` (or ``off``, ``false``, ``no``) draws everything in this process.
ENV = "GLASSNET_PARALLEL"

Images = dict[str, dict[str, bytes]]


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
    """``draw()`` run in a forked child; :meth:`result` collects what it returned.

    Parameters
    ----------
    draw : callable
        Returns ``{kind: {format: bytes}}``; runs only in the child.
    """

    def __init__(self, draw: Callable[[], Images]) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed stream
                stream.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            os.close(read)
            code = 1
            try:
                payload = pickle.dumps(draw(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Images | None:
        """What the child drew, or ``None`` if it failed (then draw those kinds here)."""
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()  # to the end: the child exits after writing
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            images = pickle.loads(payload)
        except Exception:
            return None
        return images if isinstance(images, dict) else None


def split(kinds: Sequence[str]) -> tuple[list[str], list[str]]:
    """Kinds for the child (the first half, where the costly error figure is) and for this process."""
    half = (len(kinds) + 1) // 2
    return list(kinds[:half]), list(kinds[half:])


def render_in_two(
    kinds: Sequence[str],
    draw: Callable[[Sequence[str]], Images],
    meanwhile: Callable[[], Any] | None = None,
) -> Images:
    """``draw(kinds)``, half of it in a forked child when :func:`can_fork`.

    ``meanwhile`` (other work of the caller's, e.g. the report's numbers) runs
    in this process while the child draws.
    """
    if len(kinds) < 2 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        return draw(kinds)
    theirs, mine = split(kinds)
    child = Forked(lambda: draw(theirs))
    try:
        if meanwhile is not None:
            meanwhile()
        images = draw(mine)
    finally:
        drawn = child.result()  # always reap the child, even when this side failed
    images.update(drawn if drawn is not None else draw(theirs))
    return {kind: images[kind] for kind in kinds}
