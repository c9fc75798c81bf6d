"""The compiled engines' cache folder: private, verified before anything in it is loaded.

What lives there (:func:`folder`, default ``~/.cache/glassnet/numba``):

``generated/``   the kernels' generated Python source, one file per kernel,
                 named by a hash of its text, and a manifest of numba's
                 cache files for it (see below);
``numba/``       numba's on-disk cache of the compiled machine code
                 (``.nbi`` index and ``.nbc`` data files: *pickles*);
``aot/``         ahead-of-time compiled extension modules
                 (:mod:`glassnet.engines.aot`) with a ``.sha256`` beside each.

Everything there is code that glassnet loads and runs, so the folder must be
the user's own:

* it is created with mode 0700, and before it is used its owner must be this
  user, it must be a real folder (not a symbolic link), and nobody else may
  write to it; a folder that fails this is refused with one
  :class:`CacheWarning` line and the next candidate is tried: the user's
  cache folder, then ``$TMPDIR/glassnet-<uid>``, then a private temporary
  folder for this process only (no cache; removed at exit);
* every file is recorded with its SHA-256 when it is written
  (:func:`record`), and checked before it is loaded (:func:`verify`); a file
  that does not match, or that nobody recorded, is moved aside (renamed
  ``*.bad``) with one warning line, and the engine rebuilds it.

``$NUMBA_CACHE_DIR`` set by the user is used as given, with the same checks.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

#: Environment variable numba reads for its cache folder.
CACHE_ENV = "NUMBA_CACHE_DIR"


class CacheWarning(UserWarning):
    """A cache folder or file was refused; glassnet goes on without it (one line)."""


_folder: Path | None = None
_persistent = True


def _private(path: Path, create: bool) -> str | None:
    """Why ``path`` cannot serve as a private cache folder (``None``: it can).

    Creates it (mode 0700) when ``create`` and it is missing. Tightens the
    mode of a folder this user owns that others could read or write (caches
    of older versions were 0755).
    """
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=0o700)
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot create it ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"it belongs to user id {info.st_uid}, not to this user ({os.getuid()})"
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError as exc:
            return f"its mode {stat.S_IMODE(info.st_mode):04o} lets others in ({exc.strerror})"
    if not os.access(path, os.W_OK | os.X_OK):
        return "it is not writable"
    return None


#: Set next to ``$NUMBA_CACHE_DIR`` when glassnet chose that folder, so that child
#: processes (background builds, tests) tell it from one the user chose.
OWN_ENV = "_GLASSNET_OWN_CACHE_DIR"


def _user_given() -> str | None:
    given = os.environ.get(CACHE_ENV)
    return given if given and given != os.environ.get(OWN_ENV) else None


def candidates() -> list[Path]:
    """Where the cache may go, in order of preference."""
    given = _user_given()
    if given:
        return [Path(given)]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [
        Path(base) / "glassnet" / "numba",
        Path(tempfile.gettempdir()) / f"glassnet-{uid}",
    ]


def folder() -> Path:
    """The cache folder of this process: the first private candidate, or a temporary one.

    Refused candidates are reported once each as a :class:`CacheWarning`.
    The answer is fixed for the life of the process.
    """
    global _folder, _persistent
    if _folder is not None:
        return _folder
    for path in candidates():
        reason = _private(path, create=True)
        if reason is None:
            _folder = path
            return path
        warnings.warn(
            f"not using the kernel cache folder {path}: {reason}; "
            "compiled kernels will not be kept there",
            CacheWarning,
            stacklevel=2,
        )
    temporary = Path(tempfile.mkdtemp(prefix="glassnet-nocache-"))  # mode 0700
    atexit.register(shutil.rmtree, temporary, ignore_errors=True)
    _folder, _persistent = temporary, False
    return temporary


def persistent() -> bool:
    """Whether the cache folder outlives this process (not a private stand-in)."""
    folder()
    return _persistent


def numba_folder() -> Path:
    """Where numba keeps its machine code: ``$NUMBA_CACHE_DIR`` if the user set it, else
    ``numba/`` in :func:`folder`."""
    return folder() if _user_given() else folder() / "numba"


def configure_numba() -> Path:
    """Point numba's cache at :func:`numba_folder` (before or after numba is imported)."""
    numba_dir = numba_folder()
    numba_dir.mkdir(mode=0o700, exist_ok=True)
    if not _user_given():
        os.environ[CACHE_ENV] = os.environ[OWN_ENV] = str(numba_dir)
    if "numba" in sys.modules:  # numba read its config already: set it there too
        from numba.core import config

        config.CACHE_DIR = str(numba_dir)  # type: ignore[attr-defined]  # numba.core.config sets it at run time
    return numba_dir


def reset() -> None:
    """Forget the chosen folder (tests change ``$XDG_CACHE_HOME``)."""
    global _folder, _persistent
    _folder, _persistent = None, True


# --------------------------------------------------------------------------- recorded files


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest_path(name: str) -> Path:
    return folder() / "manifests" / f"{name}.json"


def _read_manifest(name: str) -> dict[str, str]:
    try:
        with open(_manifest_path(name), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(name: str, files: Iterable[Path]) -> None:
    """Remember the SHA-256 of ``files`` (all of kernel ``name``'s cache files)."""
    entries = {str(p): digest(p) for p in files if p.is_file()}
    path = _manifest_path(name)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_atomically(path, json.dumps(entries, sort_keys=True).encode())


def verify(name: str, files: Iterable[Path]) -> list[Path]:
    """Move aside every file of ``files`` that kernel ``name``'s manifest does not vouch for.

    Returns the files moved aside (each reported as one :class:`CacheWarning`).
    """
    known = _read_manifest(name)
    moved = []
    for path in files:
        if not path.is_file():
            continue
        if known.get(str(path)) == digest(path):
            continue
        bad = path.with_name(path.name + ".bad")
        try:
            os.replace(path, bad)
        except OSError:
            try:
                path.unlink()
            except OSError:
                continue
        warnings.warn(
            f"moved aside a damaged or unrecorded kernel cache file {path.name} "
            f"(now {bad.name}); it will be rebuilt",
            CacheWarning,
            stacklevel=2,
        )
        moved.append(path)
    return moved


def write_atomically(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
