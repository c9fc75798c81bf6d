"""The stored expected explanations ("gold files") and the command that rewrites them.

``python -m glassnet.explain.gold tests/gold`` writes, for each entry of
:data:`GOLD`, ``NAME.txt`` (plain text) and ``NAME.md`` (Markdown). The tests
compare the current output with them byte for byte; run the command when a
change of the output is intended and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple


class Gold(NamedTuple):
    """One gold explanation: the experiment, the iteration, and how it is explained.

    ``source`` is an experiment file under the repository's ``examples/`` or a
    mapping (inline data), ``settings`` the flat overrides on top of it.
    """

    settings: dict[str, Any]
    iteration: int
    source: str | dict[str, Any] | None = None
    notation: str = "delta"


#: Iris-like data: petal length and width of two flowers of each of three species.
IRIS_LIKE: dict[str, Any] = {
    "data": {
        "inputs": [[1.4, 0.2], [1.3, 0.2], [4.7, 1.4], [4.5, 1.5], [6.0, 2.5], [5.1, 1.9]],
        "targets": [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]],
    },
    "network": {"layers": [2, 3], "activation": "softmax", "bias": True},
    "init": {"seed": 2},
    "train": {"learning_rate": 0.1, "loss": "categorical_cross_entropy"},
}

#: Each run trains just past the iteration (the explanation of #k does not depend on later
#: iterations).
GOLD: dict[str, Gold] = {
    "post_iteration_0": Gold({}, 0),
    "post_iteration_1": Gold({}, 1),
    "xor_3_4_1_seed_1_iteration_0": Gold({"dataset": "xor", "layers": [3, 4, 1], "seed": 1}, 0),
    "xor_adam_batch_2_l2_mean_iteration_3": Gold(
        {
            "dataset": "xor",
            "layers": [3, 4, 1],
            "seed": 1,
            "optimizer": "adam",
            "learning_rate": 0.05,
            "batch_size": 2,
            "l2": 0.01,
            "reduction": "mean",
        },
        3,
    ),
    "iris_like_softmax_iteration_1": Gold({}, 1, IRIS_LIKE),
    "mazur_chain_iteration_0": Gold({}, 0, "mazur.toml", "chain"),
}

#: file suffix -> explain format
SUFFIXES = {".txt": "text", ".md": "md"}

#: Where the experiment files named by :attr:`Gold.source` are (the repository's examples/).
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def render(name: str, format: str) -> str:
    """The current explanation of gold entry ``name`` in ``format``."""
    from glassnet import Experiment
    from glassnet.explain import explain

    gold = GOLD[name]
    source = EXAMPLES / gold.source if isinstance(gold.source, str) else gold.source
    run = Experiment(source, **gold.settings).run(iterations=gold.iteration + 1, engine="numpy")
    return explain(run, gold.iteration, format=format, notation=gold.notation)


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
