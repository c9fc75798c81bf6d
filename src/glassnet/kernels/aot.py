"""Ahead-of-time compiled kernels: one architecture's kernel as a plain extension module.

Why. Loading a kernel through numba's JIT cache means importing numba and
LLVM first: about 95 MB of memory and 0.25 s before the first iteration, in
every process. numba's ahead-of-time compiler (``numba.pycc``) turns the very
same generated kernel (:func:`glassnet.kernels.single.kernel_source`) into an
ordinary CPython extension module that needs only numpy at run time. A run
whose architecture has such a module imports it instead of numba, and calls
its ``train_kernel`` with the same arguments as the JIT kernel: the same
machine arithmetic, so the numbers are bit-identical (:func:`build` checks
that on a short run before it publishes a module, and
``tests/test_kernel_aot.py`` on the seed run).

When modules are built. The first compiled run of an architecture trains
with the JIT kernel as before (so it is not slower) and then starts a
detached, low-priority background process, ``python -m glassnet.kernels.aot
build SPEC``, that compiles the module (about 4 s here; needs a C compiler and
Python's headers) into a temporary folder, checks it against the JIT kernel
and renames it into place atomically. Later runs of that architecture find it.
Where anything goes wrong (no compiler, no headers, an import error, a
mismatch) the reason is written to ``<name>.failed`` next to the modules, that
architecture is not tried again, and runs keep using the JIT kernel: AOT never
breaks a run. ``GLASSNET_AOT=0`` turns all of this off (no modules are used or
built); ``python -m glassnet.kernels.aot status`` lists what is there.

Where. :func:`folder`: ``aot/`` inside the folder numba's JIT cache uses
(:func:`glassnet.kernels.cache_dir`). A module's name holds a hash of the
kernel source, this module's format version and the interpreter's extension
suffix, so a changed generator or another Python never picks up a stale one.
"""

from __future__ import annotations

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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from glassnet.kernels.codegen import GENERATOR_VERSION, Spec, stem_of

#: Environment variable: ``0`` (or ``off``, ``false``, ``no``) disables AOT modules.
ENV = "GLASSNET_AOT"
#: Bump when the way modules are built or called changes.
AOT_VERSION = 1
#: The file-name ending of extension modules for this interpreter.
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
#: The exported kernel's signature: the JIT kernel's argument types, all arrays C-contiguous.
SIGNATURE = (
    "i8(f8[:, ::1], f8[:, ::1], f8, b1, f8[::1], f8[::1], f8[::1], f8[::1], i8, i8,"
    " i8[::1], f8[:, ::1], f8[:, ::1], f8[::1], f8[::1], i8[::1])"
)
#: A ``.building`` marker older than this (seconds) is from a build that died.
STALE_BUILD_SECONDS = 600.0

_loaded: dict[str, Callable[..., int]] = {}
#: Background builds started by this process (kept so they are not reported as leaked).
_background: list[subprocess.Popen[bytes]] = []


def enabled() -> bool:
    """Whether AOT modules may be used and built (``$GLASSNET_AOT`` is not ``0``)."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def folder() -> Path:
    """Where the modules live: ``aot/`` in the folder of numba's JIT cache."""
    from glassnet.kernels import cache_dir

    return cache_dir() / "aot"


def module_name(spec: Spec) -> str:
    """The module name of ``spec``'s kernel: readable stem plus a hash of everything it depends on."""
    from glassnet.kernels.single import kernel_source

    key = f"{AOT_VERSION}\n{GENERATOR_VERSION}\n{SUFFIX}\n{kernel_source(spec)}"
    return f"_glassnet_aot_{stem_of(spec)}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def path_of(spec: Spec, where: Path | None = None) -> Path:
    """The module file of ``spec`` (it may not exist)."""
    return (where or folder()) / (module_name(spec) + SUFFIX)


def _environment_key() -> str:
    """What numba's health here depends on: numpy's version, Python's, and numba's install (time stamp)."""
    import numpy

    found = importlib.util.find_spec("numba")
    origin = found.origin if found is not None else None
    stamp = os.stat(origin).st_mtime_ns if origin else 0
    return f"numpy {numpy.__version__}; python {sys.version.split()[0]}; numba {origin} {stamp}"


def numba_known_to_work(where: Path | None = None) -> bool:
    """Whether a module was built here by a working numba, with the same numpy, Python and numba as now.

    Lets :func:`glassnet.kernels.unavailable_reason` skip importing numba
    just to see that it imports. A build writes the key (``numba-ok``); an
    upgrade of numpy (numba's usual breakage) or a reinstall of numba makes
    it stale until the next build.
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


def kernel(spec: Spec, where: Path | None = None) -> Callable[..., int] | None:
    """``spec``'s ahead-of-time compiled ``train_kernel``, or ``None``.

    ``None`` when AOT is disabled, the module is not built, or it does not
    import; never raises. Does not import numba.
    """
    if not enabled():
        return None
    try:
        path = path_of(spec, where)
        if str(path) in _loaded:
            return _loaded[str(path)]
        if not path.exists():
            return None
    except OSError:
        return None
    key = str(path)
    try:
        func = _import(module_name(spec), path).train_kernel
    except Exception as exc:
        _record_failure(path, f"import failed: {type(exc).__name__}: {exc}")
        return None
    _loaded[key] = func
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
        path.parent.mkdir(parents=True, exist_ok=True)
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
    """Kernel arguments for a short check run of ``spec`` on random data."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = spec.n_samples
    X = rng.normal(size=(n, spec.sizes[0]))
    if spec.loss == "binary_cross_entropy":
        y = (rng.random((n, spec.sizes[-1])) < 0.5).astype(np.float64)
    else:
        y = rng.random((n, spec.sizes[-1]))
    W = rng.normal(scale=0.5, size=spec.w_offsets()[-1])
    b = rng.normal(scale=0.5, size=spec.b_offsets()[-1])
    A = np.zeros(n * sum(spec.sizes))
    D = np.zeros(n * sum(spec.sizes[1:]))
    ckpt = np.array([0, 1, iterations // 2, iterations - 1], dtype=np.int64)
    # zeros, not empty: a run that stops early leaves the rest unwritten, and that must compare equal
    return (
        X,
        y,
        0.1,
        True,
        W,
        b,
        A,
        D,
        0,
        iterations,
        ckpt,
        np.zeros((4, W.size)),
        np.zeros((4, b.size)),
        np.zeros(iterations),
        np.zeros(iterations),
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
    """Make pycc compile with ``error_model="numpy"``, as the JIT kernel's decorator asks; returns an undo."""
    import numba.pycc.compiler as pycc_compiler

    original = pycc_compiler.Flags

    class Flags(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.error_model = "numpy"

    pycc_compiler.Flags = Flags

    def undo() -> None:
        pycc_compiler.Flags = original

    return undo


def build(spec: Spec, where: Path | None = None) -> Path:
    """Compile ``spec``'s kernel ahead of time into ``where`` (default :func:`folder`); return its path.

    Synchronous; imports numba and needs a C compiler and Python's headers.
    The module is built in a temporary folder, checked to give the JIT
    kernel's bits on a short random run, and then renamed into place (so a
    reader never sees half a file).

    Raises
    ------
    Exception
        Whatever went wrong (``RuntimeError`` when the check fails).
    """
    from glassnet.kernels import load, start_numba
    from glassnet.kernels.codegen import load_module

    where = where or folder()
    where.mkdir(parents=True, exist_ok=True)
    single = load("single")
    start_numba()
    from numba.pycc import CC

    name = module_name(spec)
    source = single.kernel_source(spec)
    jit_module = load_module(source, "single_" + stem_of(spec))
    target = path_of(spec, where)
    build_dir = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=where))
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
        if not _same_bits(jit_module.train_kernel, aot_kernel, spec):
            raise RuntimeError("the AOT kernel's numbers differ from the JIT kernel's")
        os.replace(built, target)
        _write_atomically(where / "numba-ok", _environment_key())
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    for kind in ("failed", "building"):
        _marker(target, kind).unlink(missing_ok=True)
    return target


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def can_build() -> str | None:
    """Why modules cannot be built here (no C compiler, no Python headers), or ``None``."""
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) found"
    include = sysconfig.get_paths().get("include", "")
    if not (Path(include) / "Python.h").exists():
        return f"Python's headers are missing ({include}/Python.h)"
    return None


def build_in_background(spec: Spec, where: Path | None = None) -> subprocess.Popen[bytes] | None:
    """Start ``python -m glassnet.kernels.aot build`` for ``spec`` as a detached, low-priority process.

    Does nothing (returns ``None``) when AOT is disabled, the module exists,
    a build of it is running or failed before, or nothing can be built here.
    Never raises. Returns the process (tests wait for it; the command line
    does not).
    """
    if not enabled():
        return None
    try:
        where = where or folder()
        target = path_of(spec, where)
        if target.exists() or _marker(target, "failed").exists():
            return None
        reason = can_build()
        if reason is not None:
            _record_failure(target, reason)
            return None
        where.mkdir(parents=True, exist_ok=True)
        building = _marker(target, "building")
        try:
            if time.time() - building.stat().st_mtime > STALE_BUILD_SECONDS:
                building.unlink(missing_ok=True)
        except OSError:
            pass
        try:
            fd = os.open(building, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return None
        os.close(fd)
        spec_text = json.dumps(_spec_dict(spec))
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "glassnet.kernels.aot",
                    "build",
                    spec_text,
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


def _spec_dict(spec: Spec) -> dict[str, Any]:
    return {
        "sizes": list(spec.sizes),
        "activations": list(spec.activations),
        "bias": list(spec.bias),
        "loss": spec.loss,
        "n_samples": spec.n_samples,
    }


def _spec_from(text: str) -> Spec:
    d = json.loads(text)
    return Spec(
        tuple(int(s) for s in d["sizes"]),
        tuple(d["activations"]),
        tuple(bool(b) for b in d["bias"]),
        str(d["loss"]),
        int(d["n_samples"]),
    )


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
    """``python -m glassnet.kernels.aot build SPEC_JSON [--folder DIR]`` or ``... status [--folder DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m glassnet.kernels.aot", description=__doc__.split("\n")[0]
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
    spec = _spec_from(args.spec)
    target = path_of(spec, where)
    try:
        os.nice(10)  # a background job: yield the CPU to the user's runs
    except (OSError, AttributeError):  # AttributeError: no os.nice on Windows
        pass
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
