"""The experiment file's keys, each documented once: what it is, its default, what it accepts.

:mod:`glassnet.config` parses and validates the keys listed here (its
``SCHEMA`` is read from :data:`KEYS`), ``glassnet init`` writes a commented
template from them (:func:`template`), and the documentation's experiment-file
reference is generated from them (:func:`reference`), so none of the three can
drift from the others (``tests/unit/test_schema.py`` checks the docs page is
current).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from glassnet.activations import ACTIVATIONS
from glassnet.data.planar import FEATURES, PLANAR_DATASETS
from glassnet.losses import LOSSES
from glassnet.optimizers import OPTIMIZERS

__all__ = ["KEYS", "Key", "reference", "template"]


@dataclass(frozen=True)
class Key:
    """One key of an experiment file.

    Attributes
    ----------
    section, name : str
        Where it goes: ``[section] name = ...``.
    default : str
        Its default as TOML (``""``: none; the key is optional with no value).
    accepts : str
        What values it takes, in words.
    doc : str
        What it does, one sentence.
    example : str
        A value to show, as TOML (the template writes it, commented out unless
        it is the post's own setting).
    post : bool
        The post's experiment sets it: the template writes it uncommented.
    """

    section: str
    name: str
    default: str
    accepts: str
    doc: str
    example: str = ""
    post: bool = False


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _datasets() -> str:
    from glassnet.data import TOY_DATASETS
    from glassnet.data.real import REAL_DATASETS

    toy = list(TOY_DATASETS)
    return (
        f'{_quoted(toy[:1])} (the post\'s, also "seed"), {_quoted(toy[1:])}; '
        f"{_quoted(REAL_DATASETS)} (scikit-learn's data); {_quoted(PLANAR_DATASETS)} (2-D sets)"
    )


def _activations() -> str:
    last = [a.name for a in ACTIVATIONS.values() if a.rowwise]
    needs = {a.name: l.name for l in LOSSES.values() if (a := l.requires) is not None}
    only = ", ".join(f'"{n}" (output layer only, with {needs.get(n, "its loss")})' for n in last)
    every = _quoted(n for n in ACTIVATIONS if n not in last)
    return f"{every}, or {only}; one name, or a list with one per layer"


def _losses() -> str:
    return ", ".join(
        f'"{l.name}"' + (f" ({l.requires.name} output)" if l.requires is not None else "")
        for l in LOSSES.values()
    )


def _optimizers() -> str:
    return _quoted(OPTIMIZERS).replace('"gd"', '"gd" (the post\'s)', 1)


KEYS: tuple[Key, ...] = (
    # [data]
    Key(
        "data",
        "dataset",
        '"trask"',
        _datasets(),
        "A built-in dataset. Give either dataset, inputs with targets, or csv.",
        '"trask"',
        post=True,
    ),
    Key(
        "data",
        "inputs",
        "",
        "a list of rows of numbers",
        "Inline inputs, one row per example (with targets).",
        "[[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]",
    ),
    Key(
        "data",
        "targets",
        "",
        "rows of numbers (with inputs), or column names (with csv)",
        "Inline targets, one row per example; with csv, the names of the target columns.",
        "[[0], [0], [1], [1]]",
    ),
    Key(
        "data",
        "csv",
        "",
        "a path to a CSV file (relative to the experiment file)",
        "Read the examples from a CSV file with a header row; the last column is the target "
        "unless targets names the columns.",
        '"data.csv"',
    ),
    Key(
        "data",
        "standardize",
        "false",
        "true or false",
        "Rescale every input column to mean 0 and standard deviation 1 (the training rows' "
        "figures).",
        "true",
    ),
    Key(
        "data",
        "test_fraction",
        "0.0",
        "a number from 0 up to but not including 1",
        "Hold out this share of the examples (of every class) as a test set, never trained on.",
        "0.25",
    ),
    Key(
        "data",
        "split_seed",
        "0",
        "a whole number from 0 to 2**32 - 1",
        "Seed of the shuffle that picks the held-out examples.",
        "0",
    ),
    Key(
        "data",
        "n",
        "200",
        "a whole number from 2 to 100,000",
        "2-D sets: how many points to draw.",
        "200",
    ),
    Key(
        "data",
        "noise",
        "0.0",
        "a number from 0 to 1 (the playground's 0 % to 50 % are 0 to 0.5)",
        "2-D sets: how much the points are scattered.",
        "0.1",
    ),
    Key(
        "data",
        "data_seed",
        "0",
        "a whole number from 0 to 2**32 - 1",
        "2-D sets: seed of the points' random draws.",
        "0",
    ),
    Key(
        "data",
        "features",
        '["x1", "x2"]',
        f"a list of different inputs among {_quoted(FEATURES)}",
        "2-D sets: the network's inputs, computed from each point (x1, x2), as TensorFlow "
        "Playground's input toggles.",
        '["x1", "x2", "x1*x2"]',
    ),
    # [network]
    Key(
        "network",
        "layers",
        "[n_inputs, n_outputs]",
        "a list of at least 2 positive whole numbers",
        "Units per layer, inputs first: [3, 1] is the post's single layer, [3, 4, 1] has a "
        "hidden layer of 4.",
        "[3, 1]",
        post=True,
    ),
    Key(
        "network",
        "activation",
        '"sigmoid"',
        _activations(),
        "The activation of every weight layer, or one per layer.",
        '"sigmoid"',
        post=True,
    ),
    Key(
        "network",
        "bias",
        "false",
        "true or false, or a list with one per layer",
        "Whether each layer adds a bias (the post's has none: its third input is a constant 1).",
        "false",
        post=True,
    ),
    # [init]
    Key(
        "init",
        "seed",
        "123",
        "a whole number from 0 to 2**32 - 1",
        "Seed of numpy.random.RandomState that draws the initial weights uniformly from [-1, 1), "
        "first layer first, as the post does.",
        "123",
        post=True,
    ),
    Key(
        "init",
        "weights",
        "",
        "a list with one matrix (n_in rows of n_out numbers) per layer",
        "Explicit initial weights instead of a seed.",
        "[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]]",
    ),
    Key(
        "init",
        "biases",
        "",
        "a list with one row of numbers per layer ([] for none)",
        "Explicit initial biases, with weights (default 0).",
        "[[0.35, 0.35], [0.6, 0.6]]",
    ),
    # [train]
    Key(
        "train",
        "iterations",
        "100000",
        "a whole number from 1 to 1,000,000,000",
        "How many updates to make (iteration #k uses the weights after k updates).",
        "100000",
        post=True,
    ),
    Key(
        "train",
        "learning_rate",
        "1.0",
        "a finite number > 0",
        "The step size of every update.",
        "1.0",
        post=True,
    ),
    Key(
        "train",
        "loss",
        '"half_squared_error"',
        _losses(),
        "What training minimizes, summed over the examples.",
        '"half_squared_error"',
        post=True,
    ),
    Key(
        "train",
        "train_biases",
        "true",
        "true or false",
        "Whether biases are updated (false keeps them at their initial values, as in Mazur's "
        "example).",
        "true",
    ),
    Key(
        "train",
        "checkpoints",
        "2000",
        "a whole number >= 2",
        "How many weight snapshots to keep so that any iteration can be replayed exactly.",
        "2000",
    ),
    Key(
        "train",
        "optimizer",
        '"gd"',
        _optimizers(),
        "How a gradient becomes an update (torch.optim's definitions).",
        '"adam"',
    ),
    Key("train", "momentum", "0.9", "a number in [0, 1)", "momentum, nesterov: mu.", "0.9"),
    Key(
        "train",
        "beta1",
        "0.9",
        "a number in [0, 1)",
        "adam: decay of the gradients' average.",
        "0.9",
    ),
    Key(
        "train",
        "beta2",
        "0.999",
        "a number in [0, 1)",
        "adam: decay of the squared gradients' average.",
        "0.999",
    ),
    Key(
        "train",
        "epsilon",
        "1e-08",
        "a number > 0",
        "adam, rmsprop: added to the square root.",
        "1e-08",
    ),
    Key(
        "train",
        "alpha",
        "0.99",
        "a number in [0, 1)",
        "rmsprop: decay of the squared gradients' average.",
        "0.99",
    ),
    Key(
        "train",
        "batch_size",
        "",
        "a whole number >= 1 (leave it out for every example)",
        "Examples per update: mini-batches drawn from a shuffle each epoch.",
        "32",
    ),
    Key(
        "train",
        "shuffle_seed",
        "0",
        "a whole number from 0 to 2**32 - 1",
        "With batch_size: numpy.random.RandomState(shuffle_seed) draws permutation(n) at the "
        "start of each epoch; the batches are its consecutive slices.",
        "0",
    ),
    Key(
        "train",
        "reduction",
        '"sum"',
        '"sum" (the post\'s) or "mean"',
        "Whether the loss (and its gradient) is summed or averaged over a batch's examples.",
        '"mean"',
    ),
    Key(
        "train",
        "l2",
        "0.0",
        "a finite number >= 0",
        "Adds l2 * w to each weight's gradient (never a bias's), as torch's weight_decay.",
        "0.001",
    ),
    # [[edits]]
    Key(
        "edits",
        "iteration",
        "",
        "a whole number from 0 below [train] iterations",
        "Before this iteration's forward pass...",
        "40",
    ),
    Key(
        "edits",
        "set",
        "",
        'a parameter\'s name ("W0[0,0]", "b1[2]") or "learning_rate"',
        "...set this parameter, or the learning rate from then on...",
        '"W0[0,0]"',
    ),
    Key(
        "edits", "value", "", "a finite number (> 0 for learning_rate)", "...to this value.", "0.5"
    ),
)

SECTIONS = ("data", "network", "init", "train")

_INTRO = {
    "data": "What the network learns from: one source, and how its examples are prepared.",
    "network": "The architecture.",
    "init": "The initial weights.",
    "train": "How the weights are updated.",
    "edits": "Changes made by hand before some iterations, as the playground records them "
    "(an array of tables: repeat [[edits]] for each).",
}


def keys(section: str) -> tuple[str, ...]:
    """The key names of ``section``, in order."""
    return tuple(k.name for k in KEYS if k.section == section)


def template() -> str:
    """A commented experiment file: the post's experiment, every other key shown commented.

    It runs as written (``glassnet run experiment.toml``).
    """
    lines = [
        "# A glassnet experiment: the post's network, written out with every setting.",
        "# Lines starting with # are comments; remove the # to use a setting.",
        "# Reference: docs/experiment.md (or `glassnet init --help`).",
    ]
    for section in (*SECTIONS, "edits"):
        lines.append("")
        lines.append(f"# {_INTRO[section]}")
        lines.append(f"[{section}]" if section != "edits" else "# [[edits]]")
        for key in (k for k in KEYS if k.section == section):
            lines.append(
                f"# {key.doc} Accepts {key.accepts}."
                + (f" Default {key.default}." if key.default else "")
            )
            value = key.example or key.default
            lines.append(("" if key.post else "# ") + f"{key.name} = {value}")
    return "\n".join(_wrap(line) for line in lines) + "\n"


def _wrap(line: str, width: int = 99) -> str:
    """A comment line wrapped at ``width`` (settings are never wrapped)."""
    if not line.startswith("# ") or len(line) <= width or " = " in line.split(".")[0][:40]:
        return line
    words, out, current = line[2:].split(), [], "#"
    for word in words:
        if len(current) + 1 + len(word) > width:
            out.append(current)
            current = "#"
        current += " " + word
    out.append(current)
    return "\n".join(out)


def reference() -> str:
    """The experiment-file reference as Markdown (``docs/experiment.md``)."""
    out = [
        "# The experiment file",
        "",
        "An experiment is a TOML file with up to four sections and an optional array of "
        "`[[edits]]`; every key is optional and defaults to the post's experiment. "
        "`glassnet init` writes one with every key shown. Every command also takes the "
        "keys as options (`--learning-rate 0.5`), and the Python API as keywords "
        "(`Experiment(learning_rate=0.5)`).",
        "",
        "*This page is generated from `glassnet.schema` (`glassnet init --reference > "
        "docs/experiment.md`); a test fails if it falls behind.*",
    ]
    for section in (*SECTIONS, "edits"):
        out += [
            "",
            f"## `[{section}]`" if section != "edits" else "## `[[edits]]`",
            "",
            _INTRO[section],
            "",
            "| key | default | accepts | what it does |",
            "|---|---|---|---|",
        ]
        for key in (k for k in KEYS if k.section == section):
            default = f"`{key.default}`" if key.default else "—"
            accepts = key.accepts.replace("|", "\\|")
            out.append(f"| `{key.name}` | {default} | {accepts} | {key.doc} |")
    out += ["", "## Example", "", "```toml", template().rstrip(), "```", ""]
    return "\n".join(out)
