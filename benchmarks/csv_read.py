"""Reading a 20 MB CSV: ``python -m benchmarks.csv_read [--quick]``.

Generates numeric CSV files in a temporary folder and measures, each in a
fresh process, the wall time of the read and the process's peak resident
memory (``resource.getrusage(...).ru_maxrss``) for

* glassnet's reader (:func:`glassnet.data.read_csv`, every check included) on
  a plain numeric file of 10 columns, on the same file with a quoted header
  (R's ``write.csv`` style), on a file whose every row has a quoted cell (the
  per-row path through Python's ``csv`` module), and on a file of 2 columns
  (short rows: the most rows per megabyte);
* the baseline, ``numpy.loadtxt`` on the plain files (no checks, no messages);
* an empty process (Python, numpy and glassnet imported), the floor under both.

The summary gives each of glassnet's reads beside ``numpy.loadtxt`` on the
plain file of as many columns (the quoted files are the plain one's numbers;
``numpy.loadtxt`` does not read quoted cells). Not a test: nothing fails on a
slow machine. ``--quick`` reads 5 MB files once.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ROOT, Rows, cpu_line, fresh, section_main

#: Size of the generated files (the issue's 20 MB); ``--quick`` uses a quarter.
FILE_BYTES = 20_000_000
COLUMNS = 10

PROBE = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import glassnet
from glassnet.data import read_csv
path, how = sys.argv[2], sys.argv[3]
start = time.perf_counter()
if how == "glassnet":
    data = read_csv(path)
    shape = (data.n_samples, data.X.shape[1] + data.y.shape[1])
elif how == "loadtxt":
    values = np.loadtxt(path, delimiter=",", skiprows=1)
    shape = values.shape
else:
    shape = (0, 0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, peak, shape[0], shape[1])
"""


def write_files(folder: Path, size: int) -> dict[str, Path]:
    """The CSV files, each about ``size`` bytes: 10 columns (plain, quoted header, a quoted
    cell in every row) and 2 columns (short rows: the most rows per byte)."""
    rng = np.random.RandomState(0)

    def table(columns: int) -> tuple[str, str]:
        header = ",".join([f"x{j + 1}" for j in range(columns - 1)] + ["y"])
        n_rows = int(size // ((columns - 1) * 9.5 + 2))  # "-0.123456," is 9 or 10 characters
        values = rng.uniform(-1, 1, size=(n_rows, columns))
        values[:, -1] = values[:, -1] > 0
        lines = (
            ",".join(f"{v:.6f}" for v in row[:-1]) + f",{row[-1]:.0f}" for row in values.tolist()
        )
        return header, "\n".join(lines) + "\n"

    header, body = table(COLUMNS)
    paths = {
        "plain": (header + "\n" + body),
        "quoted header": ",".join(f'"{h}"' for h in header.split(",")) + "\n" + body,
        "quoted cells": header
        + "\n"
        + "".join(
            f'"{line.split(",", 1)[0]}",{line.split(",", 1)[1]}\n' for line in body.splitlines()
        ),
    }
    narrow_header, narrow_body = table(2)
    paths["2 columns"] = narrow_header + "\n" + narrow_body
    written = {}
    for name, text in paths.items():
        written[name] = folder / (name.replace(" ", "_") + ".csv")
        written[name].write_text(text)
    return written


def measure(path: Path, how: str) -> dict[str, Any]:
    """Seconds and peak RSS (MiB) of reading ``path`` with ``how`` in a fresh process."""
    done = subprocess.run(
        fresh([sys.executable, "-c", PROBE, str(ROOT / "src"), str(path), how]),
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak, rows, cols = done.stdout.split()
    return {
        "seconds": float(seconds),
        "peak_rss_mib": int(peak) / 1024,
        "shape": (int(rows), int(cols)),
    }


def run(quick: bool) -> Rows:
    """Every measurement as a row: ``{"reader", "file", "file_mb", "seconds", "peak_rss_mib",
    "shape"}`` (``shape``: rows and columns read; ``(0, 0)`` for the floor).

    ``quick`` reads a 5 MB file once; otherwise 20 MB files, best of 3.
    """
    size = FILE_BYTES // 4 if quick else FILE_BYTES
    repeat = 1 if quick else 3
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(Path(tmp), size)
        plans = [
            ("python + numpy + glassnet imported (floor)", "plain", "none"),
            ("numpy.loadtxt (baseline, no checks)", "plain", "loadtxt"),
            ("glassnet read_csv", "plain", "glassnet"),
            ("glassnet read_csv", "quoted header", "glassnet"),
            ("glassnet read_csv", "quoted cells", "glassnet"),
            ("numpy.loadtxt (baseline, no checks)", "2 columns", "loadtxt"),
            ("glassnet read_csv", "2 columns", "glassnet"),
        ]
        for reader, kind, how in plans:
            path = paths[kind]
            best = min((measure(path, how) for _ in range(repeat)), key=lambda r: r["seconds"])
            rows.append(
                {
                    "reader": reader,
                    "file": kind,
                    "file_mb": path.stat().st_size / 1e6,
                    "seconds": best["seconds"],
                    "peak_rss_mib": best["peak_rss_mib"],
                    "shape": best["shape"],
                }
            )
    return rows


def format_rows(rows: Rows) -> str:
    lines = [
        f"Reading a CSV of numbers, each in a fresh process; CPU: {cpu_line()}",
        "",
        "| reader | file | MB | seconds | peak RSS MiB | rows x columns |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        rows_, cols = row["shape"]
        shape = "" if not rows_ else f"{rows_:,} x {cols}"
        lines.append(
            f"| {row['reader']} | {row['file']} | {row['file_mb']:.1f} | {row['seconds']:.2f} "
            f"| {row['peak_rss_mib']:.0f} | {shape} |"
        )
    return "\n".join(lines)


def summary(rows: Rows) -> list[tuple[str, str, str, str]]:
    """Each of glassnet's reads beside ``numpy.loadtxt`` on the plain file of as many columns."""
    baselines = {r["shape"][1]: r for r in rows if r["reader"].startswith("numpy.loadtxt")}
    out = []
    for row in rows:
        base = baselines.get(row["shape"][1])
        if not row["reader"].startswith("glassnet") or base is None:
            continue
        ratio = row["seconds"] / base["seconds"]
        out.append(
            (
                f"glassnet read_csv, {row['file_mb']:.0f} MB CSV ({row['file']})",
                "-",
                f"{row['seconds']:.2f} s, {row['peak_rss_mib']:.0f} MiB peak ({ratio:.2f}x its time)",
                f"numpy.loadtxt ({base['file']}): {base['seconds']:.2f} s, "
                f"{base['peak_rss_mib']:.0f} MiB",
            )
        )
    return out


main = section_main(__doc__ or "", run, format_rows)

if __name__ == "__main__":
    sys.exit(main(None))
