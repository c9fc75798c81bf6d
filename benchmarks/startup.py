"""``glassnet run`` as a whole process: ``python -m benchmarks.startup [--quick]``.

Wall time of ``glassnet run`` on the post's experiment (100,000 iterations)
beside ``python -c pass``, with a warm kernel cache (numba's JIT kernel, and
the ahead-of-time module that needs no numba, built first if it is missing),
with the numpy engine, and on a cold cache (the first run on a new machine,
which compiles); then the peak resident memory (``ru_maxrss``) of a
10^6-iteration run, beside a process that only imports glassnet. Each process
is started fresh. The summary gives every figure beside its baseline
(``python -c pass``; the process that only imports glassnet).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from benchmarks.common import (
    TARGETS,
    Rows,
    best_of,
    ensure_aot_module,
    fresh,
    section_main,
    source_env,
    target_label,
)

ENV_AOT = "GLASSNET_AOT"

MEMORY_PROBE = r"""
import resource, sys
from glassnet.cli import main
code = main(sys.argv[1:])
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

FLOOR_PROBE = r"""
import resource, sys, glassnet
glassnet.Experiment(iterations=10).run(engine="numpy")
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def glassnet_command() -> list[str]:
    return [sys.executable, "-m", "glassnet"]


def wall(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    """Best wall time (seconds) of ``cmd`` as a whole process."""
    return best_of(repeat, lambda: subprocess.run(cmd, capture_output=True, env=env, check=True))[0]


def peak_mib(code: str, *args: str, env: dict[str, str]) -> float:
    done = subprocess.run(
        fresh([sys.executable, "-c", code, *args]),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("MAXRSS")][-1]
    return int(line.split()[1]) / 1024


def run(quick: bool) -> Rows:
    """Rows: what, value, unit."""
    repeat = 3 if quick else 7
    jit = source_env({ENV_AOT: "0"})
    aot = source_env({ENV_AOT: "1"})
    run_cmd = [*glassnet_command(), "run"]  # writes no file; its summary is captured
    subprocess.run(run_cmd, env=jit, capture_output=True, check=True)  # warm the JIT cache
    why_not = ensure_aot_module()
    module = "ahead-of-time module (no numba)" if why_not is None else f"no AOT module: {why_not}"
    subprocess.run(run_cmd, env=aot, capture_output=True, check=True)
    rows: Rows = [
        {"what": "python -c pass", "value": wall([sys.executable, "-c", "pass"], jit, repeat)},
        {"what": "glassnet run, JIT kernel (GLASSNET_AOT=0), warm cache",
         "value": wall(run_cmd, jit, repeat)},
        {"what": f"glassnet run, {module}", "value": wall(run_cmd, aot, repeat)},
        {"what": "glassnet run --engine numpy",
         "value": wall([*run_cmd, "--engine", "numpy"], jit, max(1, repeat // 3))},
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as cold:
        env = dict(jit, XDG_CACHE_HOME=cold)
        env.pop("NUMBA_CACHE_DIR", None)
        rows.append(
            {"what": "glassnet run, cold cache (numba compiles the kernel)",
             "value": wall(run_cmd, env, 1)}
        )  # fmt: skip
    for row in rows:
        row["unit"] = "s"
    long_run = ("run", "--iterations", "1000000")
    rows += [
        {"what": "peak memory, a process that imports glassnet (numpy engine, 10 iterations)",
         "value": peak_mib(FLOOR_PROBE, env=jit), "unit": "MiB"},
        {"what": f"peak memory, glassnet run --iterations 1000000, {module}",
         "value": peak_mib(MEMORY_PROBE, *long_run, env=aot), "unit": "MiB"},
        {"what": "peak memory, glassnet run --iterations 1000000, JIT kernel",
         "value": peak_mib(MEMORY_PROBE, *long_run, env=jit), "unit": "MiB"},
    ]  # fmt: skip
    return rows


def format_rows(rows: Rows) -> str:
    lines = [
        "`glassnet run` on the post's experiment as a whole process (best of the repeats)",
        "",
        "| | |",
        "|---|---:|",
    ]
    for r in rows:
        value = f"{r['value']:.2f} s" if r["unit"] == "s" else f"{r['value']:.0f} MiB"
        lines.append(f"| {r['what']} | {value} |")
    return "\n".join(lines)


def summary(rows: Rows) -> list[tuple[str, str, str, str]]:
    """Each ``glassnet run`` beside the first row of its unit: ``python -c pass`` for the
    wall times, a process that only imports glassnet for the peak memory."""
    floors = {}
    for r in rows:
        floors.setdefault(r["unit"], r)
    out = []
    for r in rows:
        floor = floors[r["unit"]]
        if r is floor:
            continue
        target = "-" if "--engine numpy" in r["what"] else target_label(TARGETS["native"])
        if r["unit"] == "s":
            figure = f"{r['value']:.2f} s ({r['value'] - floor['value']:+.2f} s)"
            base = f"{floor['what']}: {floor['value']:.2f} s"
        else:
            figure = f"{r['value']:.0f} MiB ({r['value'] - floor['value']:+.0f} MiB)"
            base = f"{floor['what'].removeprefix('peak memory, ')}: {floor['value']:.0f} MiB"
        out.append((r["what"], target, figure, base))
    return out


main = section_main(__doc__ or "", run, format_rows)

if __name__ == "__main__":
    sys.exit(main(None))
