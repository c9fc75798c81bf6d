"""``glassnet report``: one self-contained offline HTML page for a run."""

from __future__ import annotations

from typing import Any

import click

from glassnet.cli.common import engine_option, experiment_options
from glassnet.cli.plot import drawing_progress, obtain_run
from glassnet.errors import EXIT_DIVERGED, EXIT_OK


@click.command()
@experiment_options
@click.option(
    "--out",
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    default="report.html",
    show_default=True,
    help="The HTML file to write.",
)
@click.option("--output", "old_output", type=click.Path(dir_okay=False), default=None, hidden=True)
@engine_option
def report(
    experiment: str | None, output: str, old_output: str | None, engine: str, **settings: Any
) -> int:
    """Write EXPERIMENT's report (a TOML file, or a run saved as .json; default: the post's):
    configuration, walkthrough, plots and an iteration scrubber, in one HTML file that works offline."""
    from glassnet.cli.common import old_spelling
    from glassnet.errors import ConfigError
    from glassnet.plots import check_outputs

    output = old_spelling("--output", "--out", old_output) or output
    from glassnet.report import report_path_problem, write_report

    check_outputs([output])  # refuse before training, not after
    problem = report_path_problem(output)
    if problem is not None:
        raise ConfigError(problem)
    result = obtain_run(experiment, engine, settings)
    with drawing_progress() as progress:
        path = write_report(result, output, progress=progress)
    click.echo(
        f"wrote {path} ({path.stat().st_size:,} bytes); open it in a browser, no network needed"
    )
    return EXIT_DIVERGED if result.stop is not None else EXIT_OK
