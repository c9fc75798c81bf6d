"""The package itself: its public names, and `import glassnet` and training stay light (no
plotting, no numba, no HTML templating)."""

from __future__ import annotations

import subprocess
import sys

import glassnet


def test_import_and_training_do_not_import_heavy_modules():
    code = (
        "import sys, glassnet\n"
        "glassnet.Experiment(iterations=10).run(engine='numpy')\n"
        "heavy = [m for m in ('matplotlib', 'numba', 'rich', 'jinja2', 'playwright', 'torch', 'sklearn', 'pandas')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_public_names() -> None:
    for name in ("Experiment", "Run", "History", "load", "Comparison", "compare_runs"):
        assert name in glassnet.__all__ and hasattr(glassnet, name)
