"""The benchmark sections' pieces that do not time anything (no speed is asserted anywhere)."""

from __future__ import annotations

from benchmarks import commands


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


def test_the_commands_table_shows_ratios_to_the_floor_and_the_machine():
    rows = [
        {
            "name": name,
            "command": ["python"],
            "seconds": seconds,
            "all_seconds": [seconds, seconds + 0.1],
            "ratio": seconds / 0.7,
            "within_budget": seconds / 0.7 <= 2,
            "kernel": "ahead-of-time module",
            "load_average": "0.50 0.40 0.30",
        }
        for name, seconds in [("floor", 0.7), ("glassnet", 1.3), ("glassnet report", 1.5)]
    ]
    table = commands.format_rows(rows)
    assert "CPU: " in table and "load average at the start 0.50 0.40 0.30" in table
    assert "| (2) glassnet | 1.30 s | 1.86x | yes |" in table
    assert "| (3) glassnet report | 1.50 s | 2.14x | no |" in table
    figures = commands.summary(rows)
    assert [what for what, *_ in figures] == [
        "`glassnet`, whole process",
        "`glassnet report`, whole process",
    ]
    assert figures[1][2] == "1.50 s (2.14x the floor; budget 2x missed)"
    assert figures[1][3] == "floor: 0.70 s"
