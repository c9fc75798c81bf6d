"""Whole-command wall time of glassnet's picture commands, beside matplotlib's own floor.

``.venv/bin/python -m benchmarks.commands`` (from the repository root) measures,
side by side in one run, the best-of-N wall time of four fresh processes:

1. ``python -c`` that imports matplotlib (Agg) and saves one small figure as
   PNG: the least any command that draws with matplotlib can take;
2. ``glassnet`` (the default: the seed experiment's walkthrough, then its
   plots and report, into a temporary folder with ``--out``);
3. ``glassnet report`` on the seed experiment;
4. ``glassnet plot`` on the seed experiment;

each run once untimed first (a warm numba cache and, where it can be built,
the seed kernel's ahead-of-time module), then N times round-robin, so that a
busy machine slows all four alike. It prints a table with each command's
ratio to (1), the CPU model (``/proc/cpuinfo``) and its vector width
(``avx512f``: 512 bits, ``avx2``: 256, else 128).

Not a test: nothing here fails on a slow machine (issue 13 asks for at most
2x of (1), which the table shows). ``run(quick)`` returns the rows for the
main benchmark; ``--quick`` takes fewer repeats, ``--json PATH`` also writes
the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: (1): what any command that draws with matplotlib pays at least.
MATPLOTLIB_FLOOR = (
    "import sys\n"
    "import matplotlib\n"
    "matplotlib.use('Agg')\n"
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(4, 3))\n"
    "ax.plot([0, 1, 2, 3], [0, 1, 4, 9])\n"
    "fig.savefig(sys.argv[1])\n"
)
#: The budget of issue 13: each command at most this many times (1).
BUDGET = 2.0


def cpu() -> dict[str, Any]:
    """The CPU's model name and its widest vector unit (bits), from ``/proc/cpuinfo``."""
    model, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown CPU":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    bits = 512 if "avx512f" in flags else 256 if "avx2" in flags else 128
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return {"model": model, "vector_bits": bits, "cores": cores}


def glassnet_command() -> list[str]:
    """The ``glassnet`` console script next to this Python, else ``python -m glassnet``."""
    script = Path(sys.executable).with_name("glassnet")
    return [str(script)] if script.exists() else [sys.executable, "-m", "glassnet"]


def commands(folder: Path) -> list[tuple[str, list[str]]]:
    """The four measured commands, each writing into its own place in ``folder``."""
    glassnet = glassnet_command()
    return [
        (
            "python -c: import matplotlib, save one small PNG",
            [sys.executable, "-c", MATPLOTLIB_FLOOR, str(folder / "floor.png")],
        ),
        ("glassnet (walkthrough, plots, report)", [*glassnet, "--out", str(folder / "demo")]),
        ("glassnet report", [*glassnet, "report", "-o", str(folder / "report.html")]),
        ("glassnet plot", [*glassnet, "plot", "-o", str(folder / "plots")]),
    ]


def environment() -> dict[str, str]:
    """This process's environment, drawing with Agg (no display) in every command alike."""
    return dict(os.environ, MPLBACKEND="Agg")


def wall(cmd: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of ``cmd`` as a fresh process (its output is discarded)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed: {done.stderr.decode()[-500:]}")
    return seconds


def prepare_kernel() -> str:
    """Build the seed kernel's ahead-of-time module if it is missing (what a user's second run
    finds); returns what happened. Without it every run would start numba's JIT instead."""
    try:
        from benchmarks.run import ensure_aot_module
    except Exception as exc:  # pragma: no cover - the main benchmark's helpers are missing
        return f"not prepared ({type(exc).__name__})"
    why_not = ensure_aot_module()
    return "ahead-of-time module ready" if why_not is None else f"JIT kernel ({why_not})"


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure the four commands side by side; one row per command.

    Each row: ``name``, ``command`` (the argv, the temporary folder shown as
    ``DIR``), ``seconds`` (best of ``repeats``), ``all_seconds``, ``ratio``
    (to row 1), ``within_budget`` (``ratio <= 2``), ``cpu``, ``vector_bits``,
    ``cores``, ``kernel``, ``load_average`` (1, 5 and 15 minutes, at the start:
    other work on the machine slows every row, and the commands draw in one
    process instead of two when no CPU is idle, see :mod:`glassnet.plots._fork`).
    """
    repeats = 3 if quick else 7
    machine = cpu()
    kernel = prepare_kernel()
    load = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    env = environment()
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as tmp:
        folder = Path(tmp)
        measured = commands(folder)
        for _, cmd in measured:  # untimed: warm caches, nothing built during the timed runs
            wall(cmd, env)
        times: list[list[float]] = [[] for _ in measured]
        for _ in range(repeats):
            for index, (_, cmd) in enumerate(measured):
                times[index].append(wall(cmd, env))
        floor = min(times[0])
        rows = []
        for (name, cmd), seconds in zip(measured, times):
            best = min(seconds)
            rows.append(
                {
                    "name": name,
                    "command": [part.replace(tmp, "DIR") for part in cmd],
                    "seconds": best,
                    "all_seconds": seconds,
                    "ratio": best / floor,
                    "within_budget": best / floor <= BUDGET,
                    "cpu": machine["model"],
                    "vector_bits": machine["vector_bits"],
                    "cores": machine["cores"],
                    "kernel": kernel,
                    "load_average": load,
                }
            )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table, with the machine above it."""
    first = rows[0]
    lines = [
        f"CPU: {first['cpu']} ({first['vector_bits']}-bit vectors, {first['cores']} cores available); "
        f"seed kernel: {first['kernel']}; load average at the start {first.get('load_average', '?')}; "
        f"best of {len(first['all_seconds'])} runs each, round-robin",
        "",
        "| command | best wall time | ratio to (1) | within 2x |",
        "|---|---:|---:|:---:|",
    ]
    for number, row in enumerate(rows, start=1):
        within = "-" if number == 1 else ("yes" if row["within_budget"] else "no")
        lines.append(
            f"| ({number}) {row['name']} | {row['seconds']:.2f} s | {row['ratio']:.2f}x | {within} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.commands", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print(format_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
