"""What every benchmark shares: the machine it ran on, timing, and running a
section under another CPU target.

A *section* is a module of this package with ``run(quick) -> rows`` (a list
of dicts of plain numbers and strings), ``format_rows(rows) -> str`` (a
Markdown table) and ``summary(rows)`` (its headline figures as ``(what,
numba target, figure, baseline)``, each baseline measured in the same run).
:func:`section_main` gives each one a command line
(``python -m benchmarks.single [--quick] [--json PATH] [--quiet]``), and
:func:`rows_under` runs one in a fresh process with a given environment:
that is how the numba kernels are measured compiled for AVX2
(``NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=""``, see :data:`TARGETS`) on a
machine that has more, side by side with the native compile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: The CPU targets a kernel section is measured for, as the environment numba reads
#: (``None``: unset): numba's own choice (this CPU) and AVX2 (the laptops and servers
#: without AVX-512). ``NUMBA_CPU_NAME=haswell`` alone is not AVX2: numba keeps the
#: host's CPU *features* (AVX-512 here, and it emits zmm instructions) unless
#: ``NUMBA_CPU_FEATURES`` is set too; empty means the named CPU's own features.
TARGETS: dict[str, dict[str, str | None]] = {
    "native": {"NUMBA_CPU_NAME": None, "NUMBA_CPU_FEATURES": None},
    "haswell": {"NUMBA_CPU_NAME": "haswell", "NUMBA_CPU_FEATURES": ""},
}

Rows = list[dict[str, Any]]


def cpu_model() -> str:
    """The CPU's model name (Linux's ``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def vector_isa(flags: set[str] | None = None) -> str:
    """This CPU's widest vector instructions: ``"AVX-512 (512-bit)"``, ``"AVX2 (256-bit)"``..."""
    flags = cpu_flags() if flags is None else flags
    if "avx512f" in flags:
        return "AVX-512 (512-bit)"
    if "avx2" in flags:
        return "AVX2 (256-bit)"
    return "SSE2 (128-bit)"


def target_label(env: Mapping[str, str | None] | None = None) -> str:
    """What numba compiles for under ``env`` (default: this process's), e.g.
    ``"native (AVX-512 (512-bit))"``, ``"haswell (AVX2, 256-bit)"``."""
    env = os.environ if env is None else env
    name, features = env.get("NUMBA_CPU_NAME"), env.get("NUMBA_CPU_FEATURES")
    if not name:
        return f"native ({vector_isa()})"
    if features is None and name != "generic":  # numba keeps this CPU's features
        return f"{name} name, this CPU's features ({vector_isa()})"
    return {"haswell": "haswell (AVX2, 256-bit)", "generic": "generic x86-64"}.get(name, name)


def cpu_line() -> str:
    """One line naming the machine: CPU model, its vector unit, the cores usable."""
    return (
        f"{cpu_model()}, {vector_isa()}, {len(os.sched_getaffinity(0))} cores usable "
        f"({os.cpu_count()} online)"
    )


def machine() -> dict[str, str]:
    """What the numbers were measured on, for the JSON record and the header."""
    import numpy as np

    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    try:
        import numba

        numba_version = numba.__version__
    except ImportError:
        numba_version = "not installed"
    gcc = shutil.which("gcc")
    gcc_version = (
        subprocess.run([gcc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        if gcc
        else "none"
    )
    return {
        "cpu": cpu_line(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba_version,
        "gcc": gcc_version,
        "load average at start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def ensure_aot_module() -> str | None:
    """Build the seed kernel's ahead-of-time module if it is missing; why not, or ``None``.

    A user's first compiled run starts that build in the background, so their
    next runs find it: a benchmark of whole commands builds it first, so that
    its timed runs neither race the build nor fall back to numba's JIT. Turns
    the modules on (``GLASSNET_AOT=1``) in this process and so in the children
    it starts with its environment; built in the cache folder that chooses.
    """
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import glassnet
    from glassnet.engines import aot
    from glassnet.engines.codegen import Spec

    os.environ[aot.ENV] = "1"
    exp = glassnet.Experiment()
    spec = Spec.of(exp.network, exp.data.X.shape[0])
    if aot.kernel(spec) is not None and aot.numba_known_to_work():
        return None
    reason = aot.can_build()
    if reason is not None:
        return reason
    try:
        aot.build(spec)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if aot.kernel(spec) is not None else "the built module does not import"


def best_of(n: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``n`` calls (seconds) and the last call's result."""
    best, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def speedup(baseline: float, seconds: float) -> str:
    """``baseline / seconds`` in words: "190x faster", "1x (the baseline)", "0.49x (2.0x slower)"."""
    ratio = baseline / seconds
    if abs(ratio - 1) < 1e-9:
        return "1x (the baseline)"
    if ratio < 1:
        return f"{ratio:.2f}x ({1 / ratio:.1f}x slower)"
    return f"{ratio:,.0f}x faster" if ratio >= 10 else f"{ratio:.1f}x faster"


def source_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """This environment with ``src/`` importable and ``extra`` set (``None`` unsets a name).

    ``PYTHONDONTWRITEBYTECODE`` is dropped: a user's Python caches compiled
    modules, and without the cache every glassnet process compiles its ~40
    modules again (0.2-0.3 s) while the baselines' site-packages have theirs.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def fresh(cmd: list[str]) -> list[str]:
    """``cmd`` started from a small ``sh``, not forked from this process: Linux carries a
    forked child's memory high-water mark across ``exec``, so a child's ``ru_maxrss`` is
    only its own when its parent was small."""
    return ["/bin/sh", "-c", '"$@"; exit $?', "sh", *cmd]


def rows_under(module: str, quick: bool, env: Mapping[str, str | None]) -> Rows:
    """Run section ``benchmarks.<module>`` in a fresh process under ``env``; its rows."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "rows.json"
        cmd = [sys.executable, "-m", f"benchmarks.{module}", "--json", str(out), "--quiet"]
        subprocess.run(cmd + (["--quick"] if quick else []), env=source_env(env), check=True)
        rows: Rows = json.loads(out.read_text())
    return rows


def section_main(
    doc: str, run: Callable[[bool], Rows], format_rows: Callable[[Rows], str]
) -> Callable[[list[str] | None], int]:
    """A section's command line: ``[--quick] [--json PATH] [--quiet]``."""

    def main(argv: list[str] | None = None) -> int:
        parser = argparse.ArgumentParser(description=doc.strip().split("\n")[0])
        parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller cases")
        parser.add_argument("--json", metavar="PATH", help="also write the rows to this file")
        parser.add_argument("--quiet", action="store_true", help="print nothing")
        args = parser.parse_args(argv)
        rows = run(args.quick)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
        if not args.quiet:
            print(format_rows(rows))
        return 0

    return main
