"""benchmarks/commands.py's pieces that do not time anything (no speed is asserted anywhere)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import commands


def test_cpu_names_a_model_and_a_vector_width():
    machine = commands.cpu()
    assert machine["model"] and machine["vector_bits"] in (128, 256, 512) and machine["cores"] >= 1


def test_the_commands_are_the_floor_and_three_glassnet_commands(tmp_path):
    measured = commands.commands(tmp_path)
    assert [name.split(" ")[0] for name, _ in measured] == [
        "python",
        "glassnet",
        "glassnet",
        "glassnet",
    ]
    floor = measured[0][1]
    assert "matplotlib.use('Agg')" in floor[2] and floor[3].endswith("floor.png")
    assert measured[1][1][-2:] == ["--out", str(tmp_path / "demo")]
    assert "report" in measured[2][1] and "plot" in measured[3][1]


def test_the_table_shows_ratios_to_the_floor_and_the_machine():
    rows = [
        {
            "name": name,
            "seconds": seconds,
            "all_seconds": [seconds, seconds + 0.1],
            "ratio": seconds / 0.7,
            "within_budget": seconds / 0.7 <= 2,
            "cpu": "Some CPU",
            "vector_bits": 256,
            "cores": 2,
            "kernel": "ahead-of-time module ready",
        }
        for name, seconds in [("floor", 0.7), ("glassnet", 1.3), ("glassnet report", 1.5)]
    ]
    table = commands.format_table(rows)
    assert "Some CPU (256-bit vectors, 2 cores available)" in table
    assert "| (2) glassnet | 1.30 s | 1.86x | yes |" in table
    assert "| (3) glassnet report | 1.50 s | 2.14x | no |" in table
    assert Path(commands.__file__).name == "commands.py"
