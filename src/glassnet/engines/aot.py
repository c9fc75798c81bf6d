"""Ahead-of-time compiled kernels: an optional layer under the compiled engine.

Why. Loading a kernel through numba's JIT cache means importing numba and
LLVM first: about 95 MB of memory and 0.25 s before the first iteration, in
every process. numba's ahead-of-time compiler (``numba.pycc``) turns the very
same generated kernel (:func:`glassnet.engines.compiled.kernel_source`) into
an ordinary CPython extension module that needs only numpy at run time. A run
whose architecture has such a module imports it instead of numba, and calls
its ``train_kernel`` with the same arguments as the JIT kernel: the same
machine arithmetic, so the numbers are bit-identical (:func:`build` checks
that on a short run before it publishes a module).

An optional layer. ``numba.pycc`` is *pending deprecation upstream* (numba
announced it will be removed, with no replacement for building extension
modules from numba code). Everything here is behind the compiled engine's
interface: where ``numba.pycc`` is missing, or no C compiler or Python headers
are found, or anything else goes wrong, :func:`kernel` returns ``None``, the
reason is recorded once (``<name>.failed``), and the engine trains with its
JIT kernel, the same numbers a little later. ``GLASSNET_AOT=0`` turns this
layer off altogether.

When modules are built. The first compiled run of an architecture trains
with the JIT kernel (so it is not slower) and then starts a detached,
low-priority background process, ``python -m glassnet.engines.aot build
SPEC``, that compiles the module (about 4 s; its temporary files stay in one
build folder that is always removed), checks it against the JIT kernel, writes
its SHA-256 beside it and renames it into place. A build that dies leaves a
``.building`` marker naming its process; a marker whose process is gone no
longer blocks the next build. ``python -m glassnet.engines.aot status`` lists
what is there.

Where. ``aot/`` in the private cache folder (:mod:`glassnet.engines.cache`).
Before a module is imported its bytes are checked against the recorded
SHA-256; a module that does not match (truncated, damaged, replaced) is moved
aside with one warning line and rebuilt, never loaded. A module's name holds a
hash of the kernel source, this layer's format version and the interpreter's
extension suffix, so a changed generator or another Python never picks up a
stale one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from glassnet.engines import cache
from glassnet.engines.codegen import GENERATOR_VERSION, Spec, stem_of

#: Environment variable: ``0`` (or ``off``, ``false``, ``no``) disables AOT modules.
ENV = "GLASSNET_AOT"
#: Bump when the way modules are built or called changes.
AOT_VERSION = 3
#: The file-name ending of extension modules for this interpreter.
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
#: The exported kernel's signature: the JIT kernel's argument types, all arrays C-contiguous.
SIGNATURE = (
    "i8(f8[:, ::1], f8[:, ::1], f8, b1, f8[::1], f8[::1], f8[::1], f8[::1], i8[:, ::1], i8,"
    " f8[::1], f8[::1], f8[::1], f8[::1], i8, i8, i8, i8[::1], f8[:, ::1], f8[:, ::1], f8[:, ::1],"
    " f8[::1], f8[::1], f8[::1], i8[::1])"
)
#: A ``.building`` marker older than this (seconds) is from a build that hung.
STALE_BUILD_SECONDS = 600.0

_loaded: dict[str, Callable[..., int]] = {}
#: Background builds started by this process (kept so they are not reported as leaked).
_background: list[subprocess.Popen[bytes]] = []


def enabled() -> bool:
    """Whether AOT modules may be used and built (``$GLASSNET_AOT`` is not ``0``)."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def folder() -> Path:
    """Where the modules live: ``aot/`` in the private cache folder."""
    return cache.folder() / "aot"


def module_name(spec: Spec) -> str:
    """The module name of ``spec``'s kernel: readable stem plus a hash of everything it depends on."""
    from glassnet.engines.compiled import kernel_source

    key = f"{AOT_VERSION}\n{GENERATOR_VERSION}\n{SUFFIX}\n{kernel_source(spec)}"
    return f"_glassnet_aot_{stem_of(spec)}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def path_of(spec: Spec, where: Path | None = None) -> Path:
    """The module file of ``spec`` (it may not exist)."""
    return (where or folder()) / (module_name(spec) + SUFFIX)


def _environment_key() -> str:
    """What numba's health here depends on: numpy's version, Python's, and numba's install."""
    import numpy

    found = importlib.util.find_spec("numba")
    origin = found.origin if found is not None else None
    stamp = os.stat(origin).st_mtime_ns if origin else 0
    return f"numpy {numpy.__version__}; python {sys.version.split()[0]}; numba {origin} {stamp}"


def numba_known_to_work(where: Path | None = None) -> bool:
    """Whether a module was built here by a working numba, with the same numpy, Python and numba.

    Lets :func:`glassnet.engines.runtime.unavailable_reason` skip importing
    numba just to see that it imports. A build writes the key (``numba-ok``);
    an upgrade of numpy (numba's usual breakage) or a reinstall of numba
    makes it stale until the next build.
    """
    if not enabled():
        return False
    try:
        return ((where or folder()) / "numba-ok").read_text() == _environment_key()
    except (OSError, ImportError, ValueError):
        return False


def is_built(spec: Spec, where: Path | None = None) -> bool:
    """Whether ``spec``'s module exists (and AOT is enabled)."""
    try:
        return enabled() and path_of(spec, where).exists()
    except OSError:  # e.g. a cache folder that cannot be read
        return False


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _verified(path: Path) -> bool:
    """Whether the module's bytes match the SHA-256 recorded when it was built.

    A module that does not match (or has no record) is moved aside with a
    :class:`~glassnet.engines.cache.CacheWarning`; the next run rebuilds it.
    """
    try:
        recorded = _digest_path(path).read_text().strip()
        if recorded == cache.digest(path):
            return True
    except OSError:
        pass
    try:
        os.replace(path, path.with_name(path.name + ".bad"))
    except OSError:
        path.unlink(missing_ok=True)
    _digest_path(path).unlink(missing_ok=True)
    warnings.warn(
        f"moved aside a damaged kernel module {path.name} (its SHA-256 does not match the one "
        "recorded when it was built); it will be rebuilt",
        cache.CacheWarning,
        stacklevel=3,
    )
    return False


def kernel(spec: Spec, where: Path | None = None) -> Callable[..., int] | None:
    """``spec``'s ahead-of-time compiled ``train_kernel``, or ``None``.

    ``None`` when AOT is disabled, the module is not built, it fails its
    SHA-256 check, or it does not import; never raises. Does not import numba.
    """
    if not enabled():
        return None
    try:
        path = path_of(spec, where)
        if str(path) in _loaded:
            return _loaded[str(path)]
        if not path.exists() or not _verified(path):
            return None
    except OSError:
        return None
    try:
        func = _import(module_name(spec), path).train_kernel
    except Exception as exc:
        _record_failure(path, f"import failed: {type(exc).__name__}: {exc}")
        return None
    _loaded[str(path)] = func
    return func


def _import(name: str, path: Path) -> Any:
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _marker(path: Path, kind: str) -> Path:
    return path.with_name(path.name[: -len(SUFFIX)] + "." + kind)


def _record_failure(path: Path, reason: str) -> None:
    """Write why ``path`` could not be built or used (one line), so it is not tried again."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _marker(path, "failed").write_text(" ".join(reason.split())[:2000] + "\n")
    except OSError:
        pass


def failure(spec: Spec, where: Path | None = None) -> str | None:
    """Why ``spec``'s module could not be built or imported, if that was recorded."""
    try:
        return _marker(path_of(spec, where), "failed").read_text().strip()
    except OSError:
        return None


# -- building ----------------------------------------------------------------


def _arguments(spec: Spec, iterations: int, seed: int = 0) -> tuple[Any, ...]:
    """Kernel arguments for a short check run of ``spec`` on random data.

    The targets are one class per example, one-hot (0 or 1 with one output):
    valid for every loss. Mini-batches come from fixed random permutations.
    """
    import numpy as np

    from glassnet.optimizers import OPTIMIZERS

    rng = np.random.default_rng(seed)
    n, n_out = spec.n_samples, spec.sizes[-1]
    X = rng.normal(size=(n, spec.sizes[0]))
    if n_out == 1:
        y = (rng.random((n, 1)) < 0.5).astype(np.float64)
    else:
        y = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    W = rng.normal(scale=0.5, size=spec.w_offsets()[-1])
    b = rng.normal(scale=0.5, size=spec.b_offsets()[-1])
    S = np.zeros(len(OPTIMIZERS[spec.optimizer].slots) * (W.size + b.size))
    hyper = np.array([0.01 if spec.l2 else 0.0, 0.9, 0.9, 0.999, 1e-8, 0.99])
    rows = spec.batch_size or n
    per_epoch = -(-n // rows)
    perms = np.array([rng.permutation(n) for _ in range(iterations // per_epoch + 1)])
    A = np.zeros(n * sum(spec.sizes))
    D = np.zeros(n * sum(spec.sizes[1:]))
    Ab = np.zeros(rows * sum(spec.sizes) if spec.batch_size else 0)
    Db = np.zeros(rows * sum(spec.sizes[1:]) if spec.batch_size else 0)
    ckpt = np.array([0, 1, iterations // 2, iterations - 1], dtype=np.int64)
    # zeros, not empty: a run that stops early leaves the rest unwritten, and that must compare equal
    return (
        X,
        y,
        0.1,
        True,
        W,
        b,
        S,
        hyper,
        perms.astype(np.int64),
        0,
        A,
        D,
        Ab,
        Db,
        0,
        iterations,
        0,
        ckpt,
        np.zeros((4, W.size)),
        np.zeros((4, b.size)),
        np.zeros((4, S.size)),
        np.zeros(iterations),
        np.zeros(iterations),
        np.zeros(iterations if spec.batch_size else 0),
        np.array([0, -1, -1, -1], dtype=np.int64),
    )


def _same_bits(jit_kernel: Callable[..., int], aot_kernel: Callable[..., int], spec: Spec) -> bool:
    """Whether both kernels produce identical bits (every output array) on a short random run."""
    import numpy as np

    first, second = _arguments(spec, 300), _arguments(spec, 300)
    r1, r2 = jit_kernel(*first), aot_kernel(*second)
    return r1 == r2 and all(
        np.array_equal(a, b, equal_nan=True)
        for a, b in zip(first, second)
        if isinstance(a, np.ndarray)
    )


def _numpy_error_model() -> Callable[[], None]:
    """Make pycc compile with ``error_model="numpy"``, as the JIT kernel's decorator asks.

    numba.pycc has no option for it; this is the one place glassnet patches
    numba (its ``Flags`` class, for the duration of one build). Returns an undo.
    """
    import numba.pycc.compiler as pycc_compiler

    original = pycc_compiler.Flags

    class Flags(original):  # type: ignore[misc,valid-type]  # numba.pycc is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.error_model = "numpy"

    pycc_compiler.Flags = Flags  # type: ignore[misc]  # patching numba.pycc, undone after

    def undo() -> None:
        pycc_compiler.Flags = original  # type: ignore[misc]  # patching numba.pycc, undone after

    return undo


def build(spec: Spec, where: Path | None = None) -> Path:
    """Compile ``spec``'s kernel ahead of time into ``where`` (default :func:`folder`); return its path.

    Synchronous; imports numba and needs ``numba.pycc``, a C compiler and
    Python's headers. Every temporary file (the compiler's too) stays in one
    build folder next to the modules, removed at the end whatever happens.
    The module is checked to give the JIT kernel's bits on a short random
    run, its SHA-256 is recorded, and it is renamed into place (so a reader
    never sees half a file).

    Raises
    ------
    Exception
        Whatever went wrong (``RuntimeError`` when the check fails).
    """
    from glassnet.engines import compiled, runtime
    from glassnet.engines.codegen import load_module, record_compiled

    where = where or folder()
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime.start_numba()
    reason = can_build()
    if reason is not None:
        raise RuntimeError(reason)
    from numba.pycc import CC

    name = module_name(spec)
    source = compiled.kernel_source(spec)
    jit_module = load_module(source, "single_" + stem_of(spec))
    target = path_of(spec, where)
    build_dir = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=where))
    saved_tempdir = tempfile.tempdir
    tempfile.tempdir = str(build_dir)  # the toolchain's own temporary folders go there too
    try:
        cc = CC(name, source_module=jit_module)
        cc.output_dir = str(build_dir)
        cc.output_file = name + SUFFIX
        cc.export("train_kernel", SIGNATURE)(jit_module.train_kernel.py_func)
        undo = _numpy_error_model()
        try:
            cc.compile()
        finally:
            undo()
        built = build_dir / (name + SUFFIX)
        aot_kernel = _import(name, built).train_kernel
        same = _same_bits(jit_module.train_kernel, aot_kernel, spec)
        record_compiled(jit_module)
        if not same:
            raise RuntimeError("the AOT kernel's numbers differ from the JIT kernel's")
        with open(built, "rb") as handle:
            os.fsync(handle.fileno())
        cache.write_atomically(_digest_path(target), (cache.digest(built) + "\n").encode())
        os.replace(built, target)
        cache.write_atomically(where / "numba-ok", _environment_key().encode())
    finally:
        tempfile.tempdir = saved_tempdir
        shutil.rmtree(build_dir, ignore_errors=True)
    for kind in ("failed", "building"):
        _marker(target, kind).unlink(missing_ok=True)
    return target


def can_build() -> str | None:
    """Why modules cannot be built here (no numba.pycc, no C compiler, no headers), or ``None``."""
    import sysconfig

    try:
        found = importlib.util.find_spec("numba.pycc")
    except (ImportError, ValueError):
        found = None
    if found is None:
        return "numba.pycc is not available (it is deprecated upstream)"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) found"
    include = sysconfig.get_paths().get("include", "")
    if not (Path(include) / "Python.h").exists():
        return f"Python's headers are missing ({include}/Python.h)"
    return None


def _build_running(marker: Path) -> bool:
    """Whether the build a ``.building`` marker names is still alive (and not hung)."""
    try:
        pid = int(marker.read_text().split()[0])
        age = time.time() - marker.stat().st_mtime
    except (OSError, ValueError, IndexError):
        return False
    if age > STALE_BUILD_SECONDS:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_in_background(spec: Spec, where: Path | None = None) -> subprocess.Popen[bytes] | None:
    """Start ``python -m glassnet.engines.aot build`` for ``spec`` as a detached, low-priority process.

    Does nothing (returns ``None``) when AOT is disabled, the module exists,
    a build of it is running or failed before, or nothing can be built here.
    Never raises. Returns the process (tests wait for it; the command line
    does not).
    """
    if not enabled() or (where is None and not cache.persistent()):
        return None  # no cache kept across processes: nothing to build for later runs
    try:
        where = where or folder()
        target = path_of(spec, where)
        if target.exists() or _marker(target, "failed").exists():
            return None
        reason = can_build()
        if reason is not None:
            _record_failure(target, reason)
            return None
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        building = _marker(target, "building")
        if building.exists() and not _build_running(building):
            building.unlink(missing_ok=True)
        try:
            fd = os.open(building, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return None
        os.close(fd)
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "glassnet.engines.aot",
                    "build",
                    json.dumps(spec.as_dict()),
                    "--folder",
                    str(where),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        except Exception:
            building.unlink(missing_ok=True)
            raise
        building.write_text(f"{proc.pid}\n")
    except Exception:
        return None
    _background[:] = [p for p in _background if p.poll() is None]  # reap finished builds
    _background.append(proc)
    if len(_background) == 1:
        import atexit

        atexit.register(_leave_running)
    return proc


def _leave_running() -> None:
    """At exit: the builds still running are detached on purpose, not leaked (no ResourceWarning)."""
    for proc in _background:
        if proc.poll() is None:
            proc.returncode = 0


def status(where: Path | None = None) -> list[str]:
    """One line per module, build in progress and recorded failure in ``where``."""
    where = where or folder()
    lines = []
    for path in sorted(where.glob("_glassnet_aot_*")):
        if path.name.endswith(SUFFIX):
            lines.append(f"built     {path.name} ({path.stat().st_size // 1024} KiB)")
        elif path.suffix == ".building":
            lines.append(f"building  {path.stem}")
        elif path.suffix == ".failed":
            lines.append(f"failed    {path.stem}: {path.read_text().strip()}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m glassnet.engines.aot build SPEC_JSON [--folder DIR]`` or ``... status``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m glassnet.engines.aot", description=(__doc__ or "").split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="compile one architecture's kernel (SPEC as JSON)")
    b.add_argument("spec")
    b.add_argument("--folder")
    s = sub.add_parser("status", help="list the modules, builds and failures")
    s.add_argument("--folder")
    args = parser.parse_args(argv)
    where = Path(args.folder) if args.folder else folder()
    if args.command == "status":
        print(f"{where}{'' if enabled() else ' (disabled: ' + ENV + '=0)'}")
        print("\n".join(status(where)) or "(no modules)")
        return 0
    spec = Spec.from_dict(json.loads(args.spec))
    target = path_of(spec, where)
    # a background job: yield the CPU to the user's runs (AttributeError: no os.nice on Windows)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    try:
        build(spec, where)
    except BaseException as exc:
        _record_failure(target, f"build failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        _marker(target, "building").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
