"""The stored expected explanations ("gold files") and the command that rewrites them.

``python -m glassnet.explain.gold tests/gold`` writes, for each entry of
:data:`GOLD`, ``NAME.txt`` (plain text) and ``NAME.md`` (Markdown). The tests
compare the current output with them byte for byte; run the command when a
change of the output is intended and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

#: name -> (experiment settings, iteration). Each run trains just past the
#: iteration (the explanation of #k does not depend on later iterations).
GOLD: dict[str, tuple[dict[str, Any], int]] = {
    "seed_iteration_0": ({}, 0),
    "seed_iteration_1": ({}, 1),
    "xor_3_4_1_seed_1_iteration_0": ({"dataset": "xor", "layers": [3, 4, 1], "seed": 1}, 0),
}

#: file suffix -> explain format
SUFFIXES = {".txt": "text", ".md": "md"}


def render(name: str, format: str) -> str:
    """The current explanation of gold entry ``name`` in ``format``."""
    from glassnet import Experiment
    from glassnet.explain import explain

    settings, k = GOLD[name]
    run = Experiment(**settings).run(iterations=k + 1, engine="numpy")
    return explain(run, k, format=format)


def write(directory: str | Path) -> list[Path]:
    """Rewrite every gold file in ``directory``; return their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in GOLD:
        for suffix, format in SUFFIXES.items():
            path = folder / f"{name}{suffix}"
            path.write_text(render(name, format), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(
            "usage: python -m glassnet.explain.gold DIRECTORY   (e.g. tests/gold)", file=sys.stderr
        )
        return 2
    for path in write(args[0]):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
