"""``glassnet plot``: train an experiment (or load a saved run) and write its plots (PNG; SVG on request)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from glassnet.cli.common import engine_option, experiment_options
from glassnet.errors import EXIT_DIVERGED, EXIT_OK


def obtain_run(
    experiment: str | None,
    engine: str,
    settings: dict[str, Any],
    outputs: Iterable[str | Path] = (),
) -> Any:
    """A run: loaded from a ``.json`` saved by ``glassnet run --json``, else trained.

    Every file in ``outputs`` is checked first (see
    :func:`glassnet.plots.check_outputs`): a folder that cannot be written is
    refused before any training, not after it.
    """
    from glassnet.cli.common import build_experiment, progress_bar, report_events, training_process
    from glassnet.plots import check_outputs

    check_outputs(outputs)
    if experiment is not None and experiment.lower().endswith(".json"):
        from glassnet.cli.common import refuse_overrides
        from glassnet.serialize import load

        refuse_overrides(experiment, settings)
        return load(experiment)
    exp = build_experiment(experiment, **settings)
    with training_process(), progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(engine=engine, progress=progress)
    report_events(result)
    return result


@contextmanager
def drawing_progress() -> Iterator[Any]:
    """A ``progress(done, total, kind)`` callback that shows ``drawing the plots: 2 of 4 done (weights)``
    on one line of a terminal's stderr, cleared when done; ``None`` when stderr is not a terminal."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return
    shown = False

    def progress(done: int, total: int, kind: str) -> None:
        nonlocal shown
        if done < total:
            stream.write(f"\r\x1b[Kdrawing the plots: {done} of {total} done ({kind})")
            stream.flush()
            shown = True

    try:
        yield progress
    finally:
        if shown:
            stream.write("\r\x1b[K")
            stream.flush()


@click.command()
@experiment_options
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False),
    default="glassnet-plots",
    show_default=True,
    help="Folder to write the plots into (created if missing).",
)
@click.option("--svg", is_flag=True, help="Also write each plot as SVG (vector) beside the PNG.")
@engine_option
def plot(experiment: str | None, out_dir: str, svg: bool, engine: str, **settings: Any) -> int:
    """Draw EXPERIMENT (a TOML file, or a run saved as .json; default: the post's) as PNG (and SVG
    with --svg): the error curves with the elbow, every weight, the loss landscape and the predictions;
    for examples in a plane (a 2-D set, or two inputs) also the decision boundary and each hidden unit."""
    from glassnet.curves import error_elbow
    from glassnet.plots import plot_paths, write_plots

    formats = ("png", "svg") if svg else ("png",)
    result = obtain_run(experiment, engine, settings, outputs=plot_paths(out_dir, formats))
    with drawing_progress() as progress:
        written = write_plots(result, out_dir, formats, progress=progress)
    for path in written:
        click.echo(f"wrote {path}")
    found = error_elbow(result.history.error_sum)
    if found is not None:
        click.echo(
            f"{found.describe()} (error sum {found.y:.4f}; farthest point under the chord, log iteration axis)"
        )
    return EXIT_DIVERGED if result.stop is not None else EXIT_OK
