"""Every file glassnet reads or writes goes through here: nothing lost, nobody in.

Writing (:func:`write_file`, :func:`open_output`, checked early by :func:`check_output`)
--------------------------------------------------------------------------------------
What the output path names decides how it is written:

* **a regular file, or nothing yet**: the data goes to a temporary file in the
  same folder, which is flushed to disk (``fsync``) and then renamed over the
  target in one step (``os.replace``). A crash, an error or a ``SIGTERM``
  midway leaves the old file as it was and no temporary file behind (during
  the write a ``SIGTERM`` handler removes it and exits with code 143). A file
  that existed keeps its permission bits (and, for root, its owner).
* **a symbolic link**: it is followed; the file it points to is replaced as
  above and the link stays a link (a dangling link creates its target).
* **a character device or a FIFO** (``/dev/null``, a terminal, ``mkfifo``):
  written in place, never replaced (a FIFO waits for its reader, as with any
  program). ``/dev/full`` gives the usual "no space left" error.
* **/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N**: written to that
  open file descriptor, after whatever was printed there already.
* refused, before anything is written: a folder; a missing folder; a
  **read-only** file (no write permission bit; checked on the mode bits, so
  root is refused too); a file with **more than one hard link** (replacing it
  would break the link, writing in place could leave the other names
  half-written); a block device (a disk) or a socket.

Every refusal and every failure (disk full, permission denied, read-only
file system) is a one-line :class:`~glassnet.errors.FileError` naming the
output, the problem and what is accepted.

Reading (:func:`read_file`)
---------------------------
Only regular files are read (a FIFO would wait forever, ``/dev/zero`` never
ends), up to a size cap per kind of file (:data:`MAX_TOML_BYTES`,
:data:`MAX_CSV_BYTES`, :data:`MAX_RUN_BYTES`). Nesting depth is bounded
before a recursive parser sees the text (:func:`check_nesting`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from glassnet.errors import FileError, GlassnetError, describe

#: An experiment file (TOML) is settings; data this large belongs in a CSV file.
MAX_TOML_BYTES = 1_000_000
#: A CSV file is read whole and trained on full-batch, in memory.
MAX_CSV_BYTES = 100_000_000
#: A run file (JSON). About 40 bytes per iteration of history: 2 GB holds about
#: 50 million iterations, a little more than ``glassnet run --json`` lets a
#: machine with 16 GB of free memory write (its memory check allows about 200
#: bytes per iteration with JSON). Loading takes about :data:`RUN_LOAD_FACTOR`
#: times the file's size in memory, which is checked too.
MAX_RUN_BYTES = 2_000_000_000
#: Memory that loading a run JSON may take, per byte of the file (text, Python floats,
#: arrays): measured 2.8 (an 87 MB file of 2 million iterations: 240 MB), with a margin.
RUN_LOAD_FACTOR = 4
#: Deepest nesting of arrays and tables in an experiment file (``[init] weights`` needs 3).
MAX_TOML_DEPTH = 20
#: Deepest nesting of arrays and objects in a run file (a traced step's ``layers[l].z`` needs 6).
MAX_JSON_DEPTH = 32

#: Bytes handed to one ``os.write`` call.
WRITE_CHUNK = 1 << 20


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:g} {unit}"
        n_bytes = round(n_bytes / 1000, 1)
    raise AssertionError  # pragma: no cover


def as_path(path: object, what: str, error: type[GlassnetError] = FileError) -> Path:
    """``path`` as a :class:`~pathlib.Path`, or ``error`` if it is not a usable file path."""
    if not isinstance(path, (str, os.PathLike)):
        raise error(f"{what} must be a file path (a str or os.PathLike); got {describe(path)}.")
    text = os.fspath(path)
    if not isinstance(text, str) or not text:
        raise error(f"{what} must be a file path (a str or os.PathLike); got {describe(path)}.")
    if "\x00" in text:
        raise error(f"{what} {text!r} contains a NUL character; give a file path.")
    return Path(text)


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Target:
    """Where and how an output is written (see the module docstring).

    ``kind`` is ``"file"`` (replaced atomically at ``real``, keeping ``mode``,
    ``uid`` and ``gid``), ``"new"`` (created atomically at ``real``),
    ``"device"`` (a character device or FIFO, written in place) or
    ``"stream"`` (the open file descriptor ``fd``).
    """

    path: Path
    kind: str
    real: Path
    fd: int | None = None
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None


_FD_FOLDER = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd")


def _fd_of(path: Path) -> int | None:
    """The open file descriptor ``path`` names (``/dev/stdout``, ``/dev/fd/1``...), or ``None``."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of symbolic links
        folder, name = os.path.split(current)
        real_folder = os.path.realpath(folder)
        if name.isdigit() and _FD_FOLDER.fullmatch(real_folder):
            pid = real_folder.split("/")[2]
            if pid in ("self", "thread-self") or int(pid) == os.getpid():
                return int(name)
        try:
            if not os.path.islink(current):
                return None
            current = os.path.normpath(os.path.join(folder, os.readlink(current)))
        except OSError:  # an unreadable link: whatever it is, not one of ours
            return None
    return None


def _os_error(exc: OSError, what: str, path: Path) -> FileError:
    """A one-line error for an ``OSError`` met while writing ``path``."""
    shown = f"{what} {str(path)!r}"
    code = exc.errno
    if code == errno.ENOSPC:
        return FileError(
            f"{shown}: no space left on the device; free some space or write elsewhere."
        )
    if code == errno.EDQUOT:
        return FileError(f"{shown}: disk quota exceeded; free some space or write elsewhere.")
    if code in (errno.EACCES, errno.EPERM):
        return FileError(f"{shown}: permission denied; choose a file and folder you may write to.")
    if code == errno.EROFS:
        return FileError(f"{shown}: the file system is read-only; write elsewhere.")
    if code == errno.ELOOP:
        return FileError(f"{shown} is a loop of symbolic links; give a file name.")
    if code == errno.ENOTDIR:
        return FileError(f"{shown}: a part of the path is not a folder; give a file name.")
    if code == errno.ENAMETOOLONG:
        return FileError(f"{shown}: the name is too long; give a shorter file name.")
    reason = exc.strerror or type(exc).__name__
    return FileError(f"{shown} cannot be written ({reason}).")


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _may_write(st: os.stat_result) -> bool:
    """Whether the mode bits let this process write the file (root: any write bit at all)."""
    if not st.st_mode & 0o222:
        return False
    if not hasattr(os, "geteuid") or _is_root():  # Windows: the read-only flag is all there is
        return True
    uid = os.geteuid()
    if uid == st.st_uid:
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid in (os.getegid(), *os.getgroups()):
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def check_output(path: str | os.PathLike[str], what: str = "output") -> Target:
    """Check that ``path`` can be written as the module docstring describes, writing nothing.

    Call it before long work so that a bad output path is refused first;
    :func:`write_file` checks again when it writes.

    Raises
    ------
    FileError
        For a folder, a missing folder, a read-only file, a file with other
        hard links, a block device or socket, or a path that cannot be used.
    """
    path = as_path(path, what)
    shown = f"{what} {str(path)!r}"
    fd = _fd_of(path)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            raise FileError(
                f"{shown} names file descriptor {fd}, which is not open; give a file name."
            ) from None
        return Target(path, "stream", path, fd=fd)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        real = Path(os.path.realpath(path))  # a dangling symbolic link creates its target
        parent = real.parent
        if not parent.is_dir():
            folder = path.parent if str(path.parent) else Path(".")
            if os.path.islink(path):
                raise FileError(
                    f"{shown} is a symbolic link to {str(real)!r}, whose folder does not exist; "
                    f"create it first."
                ) from None
            raise FileError(
                f"{shown}: folder {str(folder)!r} does not exist; create it first."
            ) from None
        _check_folder(parent, shown)
        return Target(path, "new", real)
    except OSError as exc:
        raise _os_error(exc, what, path) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise FileError(f"{shown} is a folder; give a file name.")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(path, "device", path)
    if stat.S_ISBLK(mode):
        raise FileError(
            f"{shown} is a block device (a disk or partition); glassnet never writes over "
            f"one. Give a file name."
        )
    if not stat.S_ISREG(mode):
        kind = "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise FileError(
            f"{shown} is {kind}; give a file name (or a device such as /dev/null, or a FIFO)."
        )
    if not _may_write(st):
        raise FileError(
            f"{shown} is read-only (mode {stat.S_IMODE(mode):04o}); glassnet does not overwrite "
            f"it. Make it writable (chmod u+w) or choose another name."
        )
    if st.st_nlink > 1:
        raise FileError(
            f"{shown} has {st.st_nlink} hard links; replacing it would break them and writing in "
            f"place could leave the other names half-written. Remove the other links or choose "
            f"another name."
        )
    real = Path(os.path.realpath(path))
    _check_folder(real.parent, shown)
    return Target(path, "file", real, mode=stat.S_IMODE(mode) & 0o777, uid=st.st_uid, gid=st.st_gid)


def _check_folder(parent: Path, shown: str) -> None:
    if not os.access(parent, os.W_OK):  # root may write anywhere; a failure is reported then
        raise FileError(f"{shown}: folder {str(parent)!r} is not writable.")


def _write_chunk(fd: int, data: memoryview) -> int:
    """One ``os.write``; a separate function so tests can slow it down."""
    return os.write(fd, data)


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = _write_chunk(fd, view[:WRITE_CHUNK])
        view = view[written:]


class _Output:
    """A binary file-like object that writes to a file descriptor (what :func:`open_output` yields)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes | bytearray | memoryview) -> int:
        _write_all(self.fd, data)
        return len(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def _removed_on_sigterm(temporary: list[str]) -> Iterator[None]:
    """While inside, a SIGTERM removes the files named in ``temporary`` and exits with
    code 143 (128 + 15), as a process killed by it would."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        for path in temporary:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if callable(previous):  # the command line's: one message, exit 143
            previous(signum, frame)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _flush_python_streams(fd: int) -> None:
    """Flush Python's buffers that write to ``fd``, so that our bytes come after theirs."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None and stream.fileno() == fd:
                stream.flush()


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str], what: str = "output") -> Iterator[IO[bytes]]:
    """A binary file object for ``path``, written as the module docstring describes.

    The file appears (or is replaced) only when the ``with`` block ends
    without an exception; otherwise nothing changes and no temporary file is
    left. Use it for writers that stream, such as ``fig.savefig(handle,
    format="png")``; :func:`write_file` is the same for data already in memory.

    Raises
    ------
    FileError
        For any refusal of :func:`check_output`, or when writing fails (no
        space left, permission denied...).
    """
    target = check_output(path, what)
    if target.kind == "stream":
        assert target.fd is not None
        _flush_python_streams(target.fd)
        try:
            yield _Output(target.fd)  # type: ignore[misc]  # contextmanager yields from try
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise _os_error(exc, what, target.path) from None
        return
    if target.kind == "device":
        try:
            # No O_CREAT: if the device vanished, nothing is created in its place.
            fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        except OSError as exc:
            raise _os_error(exc, what, target.path) from None
        try:
            yield _Output(fd)  # type: ignore[misc]  # contextmanager yields from try
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise _os_error(exc, what, target.path) from None
        finally:
            os.close(fd)
        return
    yield from _atomic(target, what)


def _atomic(target: Target, what: str) -> Iterator[IO[bytes]]:
    real = target.real
    temporary: list[str] = []  # set before the file exists, so a SIGTERM never misses it
    fd = -1
    with _removed_on_sigterm(temporary):
        try:
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
                temporary.append(tmp)
                yield _Output(fd)  # type: ignore[misc]  # contextmanager yields from try
                os.fsync(fd)
                os.close(fd)
                fd = -1
                if target.mode is not None:
                    os.chmod(tmp, target.mode)
                    if _is_root() and (target.uid, target.gid) != (0, 0):
                        with contextlib.suppress(OSError):
                            os.chown(tmp, target.uid or 0, target.gid or 0)
                else:
                    umask = os.umask(0)
                    os.umask(umask)
                    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
                os.replace(tmp, real)
                temporary.clear()
            except OSError as exc:
                raise _os_error(exc, what, target.path) from None
        except BaseException:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
            for path in temporary:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            raise
    _fsync_folder(real.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every system can fsync a folder)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(path: str | os.PathLike[str], data: str | bytes, what: str = "output") -> Path:
    """Write ``data`` (text is UTF-8 encoded) to ``path``; return the path as given.

    See the module docstring for what happens with each kind of path, and
    :func:`open_output` for the errors.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with open_output(path, what) as handle:
        handle.write(payload)
    return as_path(path, what)


# --------------------------------------------------------------------------- reading


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file (reading it could wait forever)"
    if stat.S_ISCHR(mode):
        return "is a character device (such as /dev/zero), not a regular file"
    if stat.S_ISBLK(mode):
        return "is a block device (a disk), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def read_file(
    path: Path,
    *,
    where: str,
    limit: int,
    error: type[GlassnetError],
    accepted: str,
    missing_hint: str | None = None,
    limit_hint: str = "",
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Parameters
    ----------
    where : str
        How messages name the file, e.g. ``"[data] csv 'd.csv'"``.
    limit : int
        Largest size accepted, in bytes.
    error : GlassnetError subclass
        What to raise (``DataError`` for a CSV, ``ConfigError`` for TOML...).
    accepted : str
        What is accepted, e.g. ``"a .csv file"``.
    missing_hint : str, optional
        The advice for a missing file (default: give the path of ``accepted``).
    limit_hint : str
        Advice appended to the message for a file over ``limit``.

    Raises
    ------
    GlassnetError (``error``)
        For a missing file, a folder, anything but a regular file (a FIFO,
        ``/dev/zero``...), a file over ``limit`` bytes, or one that cannot be read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))  # O_NONBLOCK: a FIFO opens at once
    except FileNotFoundError:
        hint = missing_hint or f"give the path of {accepted}"
        raise error(f"{where}: file not found; {hint}.") from None
    except IsADirectoryError:
        raise error(f"{where}: is a folder; give the path of {accepted}.") from None
    except NotADirectoryError:
        raise error(
            f"{where}: a part of the path is not a folder; give the path of {accepted}."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket
            raise error(
                f"{where}: is a socket, not a regular file; give the path of {accepted}."
            ) from None
        if exc.errno == errno.ELOOP:
            raise error(
                f"{where}: is a loop of symbolic links; give the path of {accepted}."
            ) from None
        raise error(f"{where}: cannot be read ({exc.strerror}).") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{where}: {_kind_of(st.st_mode)}; give the path of {accepted}.")

        def too_large(size: int | None) -> GlassnetError:
            cap = _size(limit)
            if size is None:  # a file that grew while read, or reports no size (/proc)
                return error(f"{where}: is larger than the {cap} accepted{limit_hint}.")
            shown = _size(size)
            if shown == cap:  # rounded alike: show the bytes
                shown, cap = f"{size:,} bytes", f"{limit:,} bytes"
            return error(f"{where}: is {shown}, more than the {cap} accepted{limit_hint}.")

        if st.st_size > limit:
            raise too_large(st.st_size)
        with contextlib.suppress(OSError):
            os.set_blocking(fd, True)
        # st_size + 1 notices a file that grew while read; /proc files report size 0
        want = st.st_size + 1 if st.st_size else 1 << 20
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, max(want - total, 1 << 20)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if len(data) > limit:
            raise too_large(None)
        return data
    except OSError as exc:
        raise error(f"{where}: cannot be read ({exc.strerror}).") from None
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- nesting


_TOML_TOKENS = re.compile(
    r'#[^\n]*|"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]',
    re.DOTALL,
)


def toml_depth(text: str, limit: int) -> tuple[int, int] | None:
    """``(depth, line)`` where TOML ``text`` first nests arrays/tables deeper than ``limit``.

    Brackets in comments and strings do not count. ``None`` when it never
    does. (Python's ``tomllib`` parses nested arrays and inline tables
    recursively, so this runs first.)
    """
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return depth, text.count("\n", 0, match.start()) + 1
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return None


_JSON_KEEP = bytes(range(256)).translate(None, b'"[]{}')
_SCAN_CHUNK = 1 << 20


def json_depth(raw: bytes, limit: int) -> int | None:
    """The nesting depth of JSON ``raw`` if it exceeds ``limit``, else ``None``.

    Brackets inside strings do not count. Linear and mostly in C: escaped
    backslashes and quotes are dropped first, then everything but quotes and
    brackets, and the depth is a running sum (numpy) over what is left.
    """
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = raw.translate(None, _JSON_KEEP)
    depth = 0
    in_string = False
    for start in range(0, len(kept), _SCAN_CHUNK):
        chars = np.frombuffer(
            kept, dtype=np.uint8, count=min(_SCAN_CHUNK, len(kept) - start), offset=start
        )
        quote = chars == ord('"')
        # quotes before each character (this chunk), plus whether a string was open at its start
        before = np.cumsum(quote, dtype=np.int64) - quote
        outside = ((before + in_string) % 2) == 0
        step = np.zeros(len(chars), dtype=np.int64)
        step[(chars == ord("[")) | (chars == ord("{"))] = 1
        step[(chars == ord("]")) | (chars == ord("}"))] = -1
        step[~outside | quote] = 0
        running = depth + np.cumsum(step)
        if running.size and int(running.max()) > limit:
            return int(running.max())
        if running.size:
            depth = int(running[-1])
        in_string = bool((int(quote.sum()) + in_string) % 2)
    return None


def structure_depth(value: object, limit: int) -> bool:
    """Whether nested lists and dicts in ``value`` go deeper than ``limit`` (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            if depth + 1 > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend(
                (child, depth + 1) for child in children if isinstance(child, (list, tuple, dict))
            )
    return False
