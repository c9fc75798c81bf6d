"""numba, loaded only when a compiled engine trains: availability, start-up, errors.

Importing :mod:`glassnet` or its engines never imports numba (about 95 MB and
0.25 s); :func:`start_numba` does, once, after pointing numba's on-disk cache
at glassnet's private cache folder (:mod:`glassnet.engines.cache`).
"""

from __future__ import annotations

import importlib.util
import sys


class KernelUnavailable(RuntimeError):
    """The compiled kernels cannot be used here (numba is missing or broken)."""


def numba_available() -> bool:
    """Whether numba is installed (checked without importing it)."""
    if "numba" in sys.modules:
        return sys.modules["numba"] is not None  # None: imports of it are blocked
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):
        return False


#: Set by :func:`prefer_lean_startup` (the command line does): see there.
LEAN_STARTUP = False
_started = False


def prefer_lean_startup() -> None:
    """Ask :func:`start_numba` to skip scipy during numba's start-up in this process.

    On its first compile or cache load numba imports ``scipy.linalg`` (when
    scipy is installed) to offer BLAS-backed ``np.dot`` inside compiled
    code: about 0.25 s. glassnet's kernels never call it, so a short-lived
    command-line process may skip it (see :func:`lean_target_setup`). Library
    users, who may have numba code of their own, do not get this unless they
    ask for it.
    """
    global LEAN_STARTUP
    LEAN_STARTUP = True


def lean_target_setup() -> bool:
    """Run numba's one-time CPU-target set-up with ``scipy.linalg`` hidden. Returns whether it did.

    This is the one place where glassnet reaches into numba's internals
    (``numba.core.registry.cpu_target.target_context.refresh()``, the call
    that imports ``scipy.linalg``); ``tests/unit/test_engines_runtime.py``
    checks it still works with the installed numba. It hides the module only
    for the duration of that call: afterwards ``import scipy.linalg`` works as
    usual, and only numba's BLAS-backed ``np.dot``/``np.linalg`` *inside
    compiled code* is off in this process. If the internal API is missing (a
    numba that changed it), numba starts as usual and this returns ``False``.
    """
    if "scipy.linalg" in sys.modules:
        return False
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]  # None blocks the import, as documented
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    except Exception:  # a numba without this API: it starts as usual
        return False
    finally:
        del sys.modules["scipy.linalg"]
    return True


def start_numba() -> None:
    """Import numba (its cache pointed at glassnet's folder) and run its one-time start-up.

    Raises
    ------
    KernelUnavailable
        If numba is not installed or fails to import; the message is one line
        suitable for a note on stderr.
    """
    global _started
    if not numba_available():
        raise KernelUnavailable("numba is not installed")
    from glassnet.engines import cache

    cache.configure_numba()
    try:
        import numba  # noqa: F401  (fails here, once, where numba is installed but broken)
    except Exception as exc:  # e.g. a numpy too new for this numba
        raise KernelUnavailable(f"numba could not be imported ({exc})") from exc
    if not _started:
        _started = True
        if LEAN_STARTUP:
            lean_target_setup()


def unavailable_reason() -> str | None:
    """Why the compiled kernels cannot be used here, or ``None`` if they can.

    Imports numba to find out, unless an ahead-of-time compiled kernel was
    built here by a working numba with the same numpy, Python and numba
    install as now (:func:`glassnet.engines.aot.numba_known_to_work`): then
    runs of such an architecture never import numba at all.
    """
    if not numba_available():
        return "numba is not installed"
    if "numba" not in sys.modules:
        from glassnet.engines import aot

        if aot.numba_known_to_work():
            return None
    try:
        start_numba()
    except KernelUnavailable as exc:
        return str(exc)
    return None
