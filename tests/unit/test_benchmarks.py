"""The benchmark's sections, rendered from small hand-made rows of their real shapes.

Nothing here times anything or asserts a speed: a section's ``run`` is never
called (but serve_start's, which returns at once without a browser).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import commands, common, run, serve_start

ROOT = Path(__file__).resolve().parents[2]
NATIVE = common.target_label(common.TARGETS["native"])
AVX2 = common.target_label(common.TARGETS["haswell"])
POST = "the post's network, 100,000 iterations"


def _single(implementation: str, target: str, seconds: float) -> dict:
    return {
        "case": POST,
        "implementation": implementation,
        "target": target,
        "seconds": seconds,
        "repeats": 7,
        "largest difference from the reference": 0.0,
    }


def _sweep(target: str, march: str, kernel: float, c: float | None) -> dict:
    return {
        "network": "seed 3-1",
        "target": target,
        "march": march,
        "networks": 100_000,
        "iterations": 2000,
        "kernel": kernel,
        "c": c,
        "ratio": None if c is None else kernel / c,
        "difference": None if c is None else 0.0,
    }


def _command(name: str, seconds: float, floor: float = 0.8) -> dict:
    return {
        "name": name,
        "command": ["glassnet", "--out", "DIR/demo"],
        "seconds": seconds,
        "all_seconds": [seconds, seconds + 0.1],
        "median_seconds": seconds + 0.05,
        "median_ratio": (seconds + 0.05) / (floor + 0.05),
        "ratio": seconds / floor,
        "within_budget": seconds / floor <= commands.BUDGET,
        "kernel": "ahead-of-time module",
        "load_average": "0.50 0.40 0.30",
    }


def _csv(reader: str, file: str, seconds: float, shape: list[int]) -> dict:
    return {
        "reader": reader,
        "file": file,
        "file_mb": 20.0,
        "seconds": seconds,
        "peak_rss_mib": 60.0,
        "shape": shape,  # a list, as the rows come back from JSON
    }


ROWS: dict[str, list[dict]] = {
    "single": [
        _single("plain numpy loop (the tutorial's code)", NATIVE, 0.84),
        _single("glassnet numpy reference", NATIVE, 2.3),
        _single("glassnet compiled kernel (numba JIT)", NATIVE, 0.0044),
        _single("same, from its ahead-of-time module (no numba)", NATIVE, 0.0044),
        _single("C loop, gcc -O2", NATIVE, 0.0045),
        _single("glassnet compiled kernel (numba JIT)", AVX2, 0.0050),
        _single("C loop, gcc -O2", AVX2, 0.0040),
    ],
    "sweep_c": [
        _sweep(NATIVE, "native", 180.0, 200.0),
        _sweep(AVX2, "haswell", 100.0, 200.0),
        _sweep(AVX2, "haswell", 100.0, None),
    ],
    "startup": [
        {"what": "python -c pass", "value": 0.02, "unit": "s"},
        {"what": "glassnet run, ahead-of-time module (no numba)", "value": 0.2, "unit": "s"},
        {"what": "glassnet run --engine numpy", "value": 2.3, "unit": "s"},
        {"what": "peak memory, a process that imports glassnet", "value": 40.0, "unit": "MiB"},
        {"what": "peak memory, glassnet run, JIT kernel", "value": 160.0, "unit": "MiB"},
    ],
    "commands": [
        _command("python -c: import matplotlib, save one small PNG", 0.8),
        _command("glassnet (walkthrough, plots, report)", 1.5),
        _command("glassnet report", 1.7),
    ],
    "serve_start": [
        {"measure": "start to URL printed", "value": 1.1, "unit": "s", "goal": ""},
        {"measure": "start to first paint", "value": 2.5, "unit": "s", "goal": "<= 2"},
        {
            "measure": "iterations a second while playing (seed)",
            "value": 3_500_000.0,
            "unit": "/s",
            "goal": ">= 1,000,000",
        },
        {
            "measure": "page frames a second while playing",
            "value": 60.0,
            "unit": "/s",
            "goal": ">= 30",
        },
    ],
    "csv_read": [
        _csv("python + numpy + glassnet imported (floor)", "plain", 0.0, [0, 0]),
        _csv("numpy.loadtxt (baseline, no checks)", "plain", 0.5, [200_000, 10]),
        _csv("glassnet read_csv", "plain", 1.0, [200_000, 10]),
        _csv("glassnet read_csv", "quoted cells", 2.0, [200_000, 10]),
        _csv("numpy.loadtxt (baseline, no checks)", "2 columns", 0.4, [1_000_000, 2]),
        _csv("glassnet read_csv", "2 columns", 0.6, [1_000_000, 2]),
    ],
}


def test_every_section_has_hand_made_rows():
    assert [s.module for s in run.SECTIONS] == list(ROWS)


@pytest.mark.parametrize("name", list(ROWS))
def test_each_section_renders_its_rows_and_its_summary(name):
    module = importlib.import_module(f"benchmarks.{name}")
    for attribute in ("run", "format_rows", "main", "summary"):
        assert callable(getattr(module, attribute)), f"benchmarks.{name}.{attribute}"
    rows = json.loads(json.dumps(ROWS[name]))  # as run.py gets them from the section's process
    table = module.format_rows(rows)
    assert isinstance(table, str) and "|---" in table
    figures = module.summary(rows)
    assert figures, f"benchmarks.{name}.summary gave no headline figure"
    for figure in figures:
        assert len(figure) == 4 and all(isinstance(part, str) and part for part in figure)
    # the docstring says how to run it (section_main makes it the --help text)
    assert f"benchmarks.{name}" in (module.__doc__ or "")


def test_single_sets_each_kernel_beside_the_c_loop_of_its_own_target():
    # each target's rows come from their own process, the C loop's too
    figures = importlib.import_module("benchmarks.single").summary(ROWS["single"])
    assert [(f[0].split(": ")[1], f[1], f[3]) for f in figures] == [
        ("glassnet compiled kernel (numba JIT)", NATIVE, "C loop, gcc -O2: 4.5 ms"),
        (
            "the compiled kernel from its ahead-of-time module (no numba)",
            NATIVE,
            "C loop, gcc -O2: 4.5 ms",
        ),
        ("glassnet compiled kernel (numba JIT)", AVX2, "C loop, gcc -O2: 4.0 ms"),
    ]
    assert figures[2][2] == "5.0 ms (1.25x its time)"
    table = importlib.import_module("benchmarks.single").format_rows(ROWS["single"])
    assert (
        f"| glassnet compiled kernel (numba JIT) | {AVX2} | 5.0 ms | 168x faster | 1.25x" in table
    )
    assert f"| C loop, gcc -O2 | {AVX2} | 4.0 ms | 210x faster | 1.00x its time |" in table


def test_sweep_c_gives_the_kernel_beside_c_and_the_goal():
    sweep_c = importlib.import_module("benchmarks.sweep_c")
    native, avx2, no_gcc = sweep_c.summary(ROWS["sweep_c"])
    assert native[1:] == (
        NATIVE,
        "180.0 M network-iterations/s (0.90x C; goal 0.75x met)",
        "vectorized C, gcc -O3 -march=native: 200.0 M/s",
    )
    assert avx2[2] == "100.0 M network-iterations/s (0.50x C; goal 0.75x missed)"
    assert no_gcc[3] == "vectorized C: not measured (no gcc)"
    assert "| seed 3-1 | haswell (AVX2, 256-bit) | 100,000 x 2,000 | 100.0 | - | - | - |" in (
        sweep_c.format_rows(ROWS["sweep_c"])
    )


def test_startup_sets_times_beside_python_and_memory_beside_the_import():
    figures = importlib.import_module("benchmarks.startup").summary(ROWS["startup"])
    assert [f[2:] for f in figures] == [
        ("0.20 s (+0.18 s)", "python -c pass: 0.02 s"),
        ("2.30 s (+2.28 s)", "python -c pass: 0.02 s"),
        ("160 MiB (+120 MiB)", "a process that imports glassnet: 40 MiB"),
    ]
    assert figures[1][1] == "-"  # the numpy engine compiles nothing


def test_the_commands_are_the_floor_and_three_glassnet_commands(tmp_path):
    measured = commands.commands(tmp_path)
    assert [name.split(" ")[0] for name, _ in measured] == ["python"] + ["glassnet"] * 3
    floor = measured[0][1]
    assert "matplotlib.use('Agg')" in floor[2] and floor[3].endswith("floor.png")
    assert measured[1][1][-2:] == ["--out", str(tmp_path / "demo")]
    assert "report" in measured[2][1] and "plot" in measured[3][1]


def test_the_commands_table_and_summary_set_each_command_beside_the_floor():
    rows = ROWS["commands"]
    table = commands.format_rows(rows)
    assert "load average at the start 0.50 0.40 0.30" in table
    assert (
        "| (2) glassnet (walkthrough, plots, report) | 1.50 s | 1.88x | yes | 1.55 s | 1.82x |"
        in table
    )
    assert "| (3) glassnet report | 1.70 s | 2.12x | no |" in table
    figures = commands.summary(rows)
    assert [f[0] for f in figures] == [
        "`glassnet (walkthrough, plots, report)`, whole process",
        "`glassnet report`, whole process",
    ]
    assert figures[1][2:] == (
        "1.70 s (2.12x the floor; budget 2x missed)",
        "python -c: import matplotlib, save one small PNG: 0.80 s",
    )


def test_serve_start_gives_first_paint_and_iterations_beside_their_goals():
    paint, iterations = serve_start.summary(ROWS["serve_start"])
    assert paint[2:] == ("2.50 s (missed: 1.25x the goal)", "goal: <= 2 s")
    assert iterations[2:] == ("3,500,000 /s (met)", "goal: >= 1,000,000 /s")


def test_serve_start_without_a_browser_says_why_and_measures_nothing(monkeypatch, capsys):
    monkeypatch.setattr(serve_start, "CHROMIUM", "/nonexistent/chromium")
    assert serve_start.run(quick=True) == []
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1
    assert said.err.startswith("serve_start skipped: ")
    assert serve_start.summary([]) == []
    assert serve_start.format_rows([]).startswith("glassnet serve: not measured (")


def test_csv_read_sets_each_read_beside_loadtxt_of_as_many_columns():
    figures = importlib.import_module("benchmarks.csv_read").summary(ROWS["csv_read"])
    assert [(f[0], f[3]) for f in figures] == [
        ("glassnet read_csv, 20 MB CSV (plain)", "numpy.loadtxt (plain): 0.50 s, 60 MiB"),
        ("glassnet read_csv, 20 MB CSV (quoted cells)", "numpy.loadtxt (plain): 0.50 s, 60 MiB"),
        ("glassnet read_csv, 20 MB CSV (2 columns)", "numpy.loadtxt (2 columns): 0.40 s, 60 MiB"),
    ]
    assert figures[1][2] == "2.00 s, 60 MiB peak (4.00x its time)"


def test_the_run_summary_names_sections_that_failed_or_were_skipped():
    done = {"commands": ROWS["commands"], "serve_start": []}
    table = run.summary(done, {"csv_read": "its process exited with status 1"})
    lines = table.splitlines()
    assert lines[0] == "| what | numba target | figure | baseline (same run) |"
    assert len(lines) == 2 + 2 + 1 + 1
    assert "| not measured (skipped, see above) |" in lines[-2]
    assert lines[-1].endswith("| - | not measured: its process exited with status 1 | - |")


def test_the_avx2_target_clears_numbas_host_features():
    # NUMBA_CPU_NAME=haswell alone keeps this CPU's features (AVX-512 code on AVX-512 machines)
    assert common.TARGETS["haswell"] == {"NUMBA_CPU_NAME": "haswell", "NUMBA_CPU_FEATURES": ""}
    assert common.target_label({"NUMBA_CPU_NAME": "haswell"}).startswith("haswell name, this")
    assert AVX2 == "haswell (AVX2, 256-bit)" and NATIVE.startswith("native (")


def test_a_sections_command_line_writes_json_and_quiet_prints_nothing(tmp_path, capsys):
    seen = []

    def fake_run(quick: bool) -> list[dict]:
        seen.append(quick)
        return ROWS["startup"]

    main = common.section_main("A section.\n\nMore.", fake_run, lambda rows: "TABLE")
    out = tmp_path / "rows.json"
    assert main(["--quick", "--quiet", "--json", str(out)]) == 0
    assert seen == [True] and capsys.readouterr().out == ""
    assert json.loads(out.read_text()) == ROWS["startup"]
    assert main([]) == 0 and seen == [True, False] and capsys.readouterr().out == "TABLE\n"


def test_python_m_benchmarks_help_lists_every_section():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=common.source_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for section in run.SECTIONS:
        assert section.module in done.stdout
