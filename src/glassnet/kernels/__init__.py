"""Compiled training kernels (numba): the same arithmetic as :mod:`glassnet.network`, fast.

The numpy reference in :mod:`glassnet.training` is the specification; the
kernels here compute the same numbers (tested to relative 1e-12) with no
Python-level work per iteration:

``single``   one network, full-batch gradient descent, recording the loss and
             error-sum history and the weight checkpoints
             (:func:`glassnet.kernels.single.train_compiled`).
``batched``  many networks of one architecture trained together, vectorized
             over the networks, recording summaries only
             (:func:`glassnet.kernels.batched.train_batch`).
``fastexp``  an exponential LLVM can vectorize (range reduction plus a
             polynomial), within 1 ulp of the C library's ``exp``.
``aot``      the per-architecture single-network kernel compiled ahead of time
             into an extension module that needs only numpy (built in the
             background after the first JIT run of an architecture), so later
             runs skip importing numba (about 95 MB and 0.25 s).

Importing this package does **not** import numba. :func:`load` does, after
pointing numba's on-disk cache at a folder the user can write (so compiled code
is reused across processes even when glassnet is installed read-only).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

#: Environment variable numba reads for its cache folder.
CACHE_ENV = "NUMBA_CACHE_DIR"


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


def cache_dir() -> Path:
    """The folder numba's cache goes to.

    ``$NUMBA_CACHE_DIR`` if the user set it; otherwise
    ``$XDG_CACHE_HOME/glassnet/numba`` (default ``~/.cache/glassnet/numba``);
    a folder in the system temporary directory if neither can be written.
    """
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for candidate in (
        Path(base) / "glassnet" / "numba",
        Path(tempfile.gettempdir()) / f"glassnet-numba-{os.getuid()}",
    ):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return Path(tempfile.mkdtemp(prefix="glassnet-numba-"))


def configure_cache() -> Path:
    """Point numba's cache at :func:`cache_dir` (before or after numba is imported)."""
    folder = cache_dir()
    if CACHE_ENV not in os.environ:
        os.environ[CACHE_ENV] = str(folder)
    if "numba" in sys.modules:  # numba read its config already: set it there too
        from numba.core import config

        if not config.CACHE_DIR:
            config.CACHE_DIR = str(folder)
    return folder


#: Set by :func:`prefer_lean_startup` (the command line does): see there.
LEAN_STARTUP = False
_started = False


def prefer_lean_startup() -> None:
    """Make numba's one-time start-up in this process skip scipy (about 0.25 s).

    On its first compile or cache load numba imports ``scipy.linalg`` (when
    scipy is installed) to offer BLAS-backed ``np.dot`` inside compiled
    code. glassnet's kernels never use it, so a short-lived command line
    process hides ``scipy.linalg`` from numba during that start-up: numba's
    own ``np.dot``/``np.linalg`` support is then off *in this process*, and
    ``import scipy.linalg`` works as usual afterwards. Library users (who may
    have numba code of their own) do not get this unless they ask for it.
    """
    global LEAN_STARTUP
    LEAN_STARTUP = True


def _start_numba() -> None:
    """numba's one-time target set-up, without scipy when :data:`LEAN_STARTUP`."""
    global _started
    if _started:
        return
    _started = True
    if not LEAN_STARTUP or "scipy.linalg" in sys.modules:
        return
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    except Exception:  # pragma: no cover - a numba without this API: start as usual
        pass
    finally:
        del sys.modules["scipy.linalg"]


class EngineFallback(UserWarning):
    """The compiled engine was asked for but cannot run here; numpy trains instead.

    The library only *warns* (it never prints); the command line turns this
    warning into one ``glassnet: note: ...`` line on stderr.
    """


def start_numba() -> None:
    """Import numba (its cache pointed at :func:`cache_dir`) and run its one-time start-up.

    Raises
    ------
    KernelUnavailable
        If numba is not installed or fails to import; the message is one line
        suitable for a note on stderr.
    """
    if not numba_available():
        raise KernelUnavailable("numba is not installed")
    configure_cache()
    try:
        import numba  # noqa: F401  (fails here, once, where numba is installed but broken)
    except Exception as exc:  # e.g. a numpy too new for this numba
        raise KernelUnavailable(f"numba could not be imported ({exc})") from exc
    _start_numba()


def load(module: str = "single"):  # type: ignore[no-untyped-def]
    """Import a kernel module (``"single"`` or ``"batched"``), setting up numba's cache first.

    ``"batched"`` imports numba here. ``"single"`` does so only when it
    trains with a JIT kernel (:func:`start_numba`): an architecture with an
    ahead-of-time compiled module (:mod:`glassnet.kernels.aot`) trains
    without numba in the process.

    Raises
    ------
    KernelUnavailable
        If numba is not installed (or, for ``"batched"``, fails to import);
        the message is one line suitable for a note on stderr.
    """
    if not numba_available():
        raise KernelUnavailable("numba is not installed")
    configure_cache()
    if module != "single":
        start_numba()
    return importlib.import_module(f"glassnet.kernels.{module}")


def unavailable_reason() -> str | None:
    """Why the compiled kernels cannot be used here, or ``None`` if they can.

    Imports numba to find out, unless an ahead-of-time compiled kernel was
    built here by a working numba with the same numpy, Python and numba
    install as now (:func:`glassnet.kernels.aot.numba_known_to_work`): then
    runs of such an architecture never import numba at all.
    """
    if not numba_available():
        return "numba is not installed"
    if "numba" not in sys.modules:
        from glassnet.kernels import aot

        if aot.numba_known_to_work():
            return None
    try:
        start_numba()
    except KernelUnavailable as exc:
        return str(exc)
    return None
