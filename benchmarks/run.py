"""glassnet's speed benchmark: ``.venv/bin/python -m benchmarks [--quick] [--only NAMES]``.

Runs every section (a module of this package, see :mod:`benchmarks.common`),
each in a fresh process, and prints its tables, then one summary table: the
figures the README quotes, each beside its baseline measured in the same
run, with the CPU they came from. The numba kernels are measured twice:
compiled for this CPU, and for AVX2 (``NUMBA_CPU_NAME=haswell
NUMBA_CPU_FEATURES=""``), the vector width of most laptops and many servers,
so that a figure measured on an AVX-512 machine is not mistaken for theirs
(``single`` is run once per target; ``sweep_c`` measures both targets itself).

Not a test: nothing here fails on a slow machine. A section whose process
fails is reported as not measured and the others still run (the exit status
is then 1); one that cannot run here (``serve_start`` without Playwright or
Chromium) says why and measures nothing. ``--quick`` runs fewer repeats and
smaller cases; ``--only NAMES`` runs only those sections; ``--json PATH``
also writes every row.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import TARGETS, Rows, machine, rows_under


class Section:
    """A benchmark module, and whether its figures depend on numba's CPU target."""

    def __init__(self, module: str, title: str, per_target: bool) -> None:
        self.module, self.title, self.per_target = module, title, per_target

    def load(self) -> Any:
        return importlib.import_module(f"benchmarks.{self.module}")


#: In the order they run: the kernels first (sweep_c compiles for both targets itself, so
#: it is not run per target), then whole processes: commands, the playground, reading CSVs.
SECTIONS = (
    Section("single", "One network trained once: numpy, the compiled kernels, C", True),
    Section("sweep_c", "The batched sweep kernel against vectorized C", False),
    Section("startup", "`glassnet run` as a whole process", False),
    Section(
        "commands", "`glassnet`, `glassnet report` and `glassnet plot` as whole processes", False
    ),
    Section("serve_start", "`glassnet serve`: start-up and playing, in Chromium", False),
    Section("csv_read", "Reading a CSV file", False),
)


def measure(section: Section, quick: bool) -> Rows:
    """The section's rows, for every CPU target it depends on."""
    targets = TARGETS if section.per_target else {"native": TARGETS["native"]}
    rows: Rows = []
    for env in targets.values():
        rows += rows_under(section.module, quick, env)
    return rows


def summary(done: dict[str, Rows], failed: dict[str, str]) -> str:
    """The README's table: each section's headline figures (``summary(rows)``), and a line
    for each section that failed or measured nothing."""
    lines = [
        "| what | numba target | figure | baseline (same run) |",
        "|---|---|---:|---|",
    ]
    for section in SECTIONS:
        name = section.module
        if name in failed:
            lines.append(f"| {section.title} | - | not measured: {failed[name]} | - |")
        elif name in done and not done[name]:
            lines.append(f"| {section.title} | - | not measured (skipped, see above) | - |")
        elif name in done:
            for what, target, figure, baseline in section.load().summary(done[name]):
                lines.append(f"| {what} | {target} | {figure} | {baseline} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller cases")
    parser.add_argument("--json", metavar="PATH", help="also write every row to this file")
    names = ", ".join(s.module for s in SECTIONS)
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated sections of: {names}")
    args = parser.parse_args(argv)
    chosen = list(SECTIONS)
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in {s.module for s in SECTIONS}]
        if unknown:
            parser.error(f"--only: unknown section {unknown[0]!r}; the sections are {names}")
        chosen = [s for s in SECTIONS if s.module in wanted]
    began = time.perf_counter()
    about = machine()
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in about.items()), flush=True)
    done: dict[str, Rows] = {}
    failed: dict[str, str] = {}
    for section in chosen:
        start = time.perf_counter()
        try:
            rows = measure(section, args.quick)
        except subprocess.CalledProcessError as exc:  # its traceback is on stderr above
            failed[section.module] = f"its process exited with status {exc.returncode}"
        else:
            done[section.module] = rows
        took = time.perf_counter() - start
        print(f"\n## {section.title} ({took:.0f} s)\n", flush=True)
        if section.module in failed:
            print(f"Not measured: {failed[section.module]}.", flush=True)
        else:
            print(section.load().format_rows(done[section.module]), flush=True)
    print("\n## Summary\n")
    print(f"CPU: {about['cpu']}\n")
    print(summary(done, failed))
    print(f"\n{'Quick run' if args.quick else 'Run'} took {time.perf_counter() - began:.0f} s.")
    if args.json:
        record = {"machine": about, "quick": args.quick, "sections": done, "failed": failed}
        Path(args.json).write_text(json.dumps(record, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
