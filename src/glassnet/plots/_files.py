"""Output files of the plots and the report: checked before any work, written all or nothing.

No matplotlib here: the command line checks its outputs with these before it
trains, and imports matplotlib only when it draws.

- :func:`check_outputs` refuses, with one line naming the path, a set of
  files that cannot be written: a target that is a folder, a folder that is a
  file, a folder that cannot be created or written into.
- :func:`write_files` writes every file to a temporary file next to it and
  renames them into place only when all were written; on any failure it
  removes the temporary files, so a full disk never leaves half the plots, and
  the error is a :class:`~glassnet.errors.ConfigError` naming the path.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from glassnet.errors import ConfigError


def _existing_ancestor(folder: Path) -> Path:
    """``folder`` itself if it exists, else the nearest ancestor that does."""
    current = folder
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _probe(folder: Path) -> str | None:
    """Why no file can be created in the existing folder ``folder`` (``None``: one can)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".glassnet-check-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    Path(name).unlink(missing_ok=True)
    return None


def check_outputs(paths: Iterable[str | Path]) -> None:
    """Refuse output files that cannot be written (before any work is done).

    For each path: it must not be a folder; its folder must exist or be
    creatable (the nearest existing ancestor is a folder), and a file must
    be creatable in it (checked by creating and removing an empty one, which
    also catches read-only disks, where permission bits say nothing).

    Raises
    ------
    ConfigError
        One line naming the path, what is wrong and what to do.
    """
    checked: dict[Path, str | None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            raise ConfigError(
                f"cannot write {str(path)!r}: it is a folder; remove it or write somewhere else."
            )
        folder = path.parent
        existing = _existing_ancestor(folder)
        if not existing.is_dir():
            raise ConfigError(
                f"cannot write {str(path)!r}: {str(existing)!r} is a file, not a folder; "
                "write somewhere else."
            )
        if existing not in checked:
            checked[existing] = _probe(existing)
        problem = checked[existing]
        if problem is not None:
            what = "write into" if existing == folder else f"create {str(folder)!r} in"
            raise ConfigError(
                f"cannot write {str(path)!r}: cannot {what} the folder {str(existing)!r} "
                f"({problem}); choose a writable folder."
            )


def write_files(contents: Mapping[Path, bytes]) -> list[Path]:
    """Write every ``path: data`` of ``contents``, all or nothing; return the paths.

    Each file is first written to a temporary file in its folder (created if
    missing); only when all are written are they renamed into place.

    Raises
    ------
    ConfigError
        An :class:`OSError` on the way (a full disk, a read-only folder), as
        one line naming the path. No temporary file is left behind.
    """
    umask = os.umask(0)
    os.umask(umask)
    temporary: dict[Path, str] = {}
    current = Path()
    try:
        for path, data in contents.items():
            current = path
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporary[path] = name
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(name, 0o666 & ~umask)  # mkstemp makes 0600; give the usual file mode
        for path, name in list(temporary.items()):
            current = path
            os.replace(name, path)
            del temporary[path]
    except OSError as exc:
        raise ConfigError(f"cannot write {str(current)!r}: {exc.strerror or exc}.") from None
    finally:
        for name in temporary.values():
            Path(name).unlink(missing_ok=True)
    return list(contents)
