"""``glassnet predict RUN.json --inputs 0,1,1``: a trained network's outputs for new inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from glassnet.errors import EXIT_OK
from glassnet.explain.numbers import count

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.run import Run
    from glassnet.types import Array


@click.command()
@click.argument("run_file", metavar="RUN.json")
@click.option(
    "--inputs",
    help="One or more rows of inputs: numbers separated by commas, rows by ; (e.g. 0,1,1;1,1,1).",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False),
    help="A CSV file of inputs, with the training file's header (its target columns, if "
    "there, are compared with the predictions).",
)
@click.option("--explain", "explain_", is_flag=True, help="Write the forward pass out by hand.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "md"]),
    default="text",
    show_default=True,
    help="For --explain: text or md (Markdown).",
)
def predict(
    run_file: str, inputs: str | None, csv_file: str | None, explain_: bool, format_: str
) -> int:
    """Print the predictions of the network saved in RUN.json (glassnet run --json) for new
    inputs, scaled as its training inputs were; --explain works the forward pass out."""
    import numpy as np

    from glassnet.errors import ConfigError
    from glassnet.predict import explain_prediction, parse_rows, predict
    from glassnet.serialize import load

    if (inputs is None) == (csv_file is None):
        raise ConfigError(
            "give the inputs with --inputs 0,1,1 (rows by ;) or --csv FILE; one of them."
        )
    run = load(run_file)
    n_in = run.network.sizes[0]
    targets = None
    if inputs is not None:
        X = parse_rows(inputs, n_in)
    else:
        X, targets = _read_inputs(csv_file, run)  # type: ignore[arg-type]  # one of the two is given
    result = predict(run, X)
    names = run.data.target_names or tuple(f"y{j + 1}" for j in range(result.outputs.shape[1]))
    width = max(12, *(len(n) for n in names))
    header = "  ".join(f"{n:>{width}}" for n in names)
    # the class the network predicts (its index), beside outputs that may be named "class"
    predicted = "  predicted" if result.classes is not None else ""
    click.echo(f"{'example':>8}  {header}{predicted}")
    for i, row in enumerate(result.outputs):
        cells = "  ".join(f"{v:>{width}.8f}" for v in row)
        cls = f"  {result.classes[i]:>9d}" if result.classes is not None else ""
        click.echo(f"{i + 1:>8}  {cells}{cls}")
    if targets is not None:
        err = float(np.abs(targets - result.outputs).sum())
        click.echo(f"sum of |target - prediction| over {count(len(X), 'example')}: {err:.8f}")
    if explain_:
        click.echo()
        click.echo(explain_prediction(run, result, format_), nl=False)
    return EXIT_OK


def _read_inputs(path: str, run: Run) -> tuple[Array, Array | None]:
    """The inputs (and targets, if the file has the training file's target columns)."""
    from pathlib import Path

    import numpy as np

    from glassnet.data.csvfile import read_csv
    from glassnet.errors import DataError

    n_in = run.network.sizes[0]
    data = read_csv(Path(path))
    if data.X.shape[1] == n_in - 1:  # only inputs: the reader took the last one as a target
        return np.column_stack([data.X, data.y]), None
    if data.X.shape[1] == n_in:
        return data.X, data.y if data.y.shape[1] == run.network.sizes[-1] else None
    raise DataError(
        f"--csv {path!r} has {data.X.shape[1] + data.y.shape[1]} columns; the network has "
        f"{n_in} inputs: give those columns (and optionally the targets after them)."
    )
