"""``glassnet plot``: train an experiment (or load a saved run) and write its plots as PNG and SVG."""

from __future__ import annotations

from typing import Any

import click

from glassnet.cli.common import engine_option, experiment_options
from glassnet.errors import EXIT_DIVERGED, EXIT_OK


def obtain_run(experiment: str | None, engine: str, settings: dict[str, Any]) -> Any:
    """A run: loaded from a ``.json`` saved by ``glassnet run --json``, else trained."""
    from glassnet.cli.common import build_experiment, progress_bar, report_events, training_process

    if experiment is not None and experiment.lower().endswith(".json"):
        from glassnet.errors import ConfigError
        from glassnet.serialize import load

        overrides = sorted(k for k, v in settings.items() if v is not None)
        if overrides:
            raise ConfigError(
                f"a saved run cannot be changed; drop {', '.join('--' + k.replace('_', '-') for k in overrides)} "
                f"or give an experiment .toml file instead of {experiment!r}."
            )
        return load(experiment)
    exp = build_experiment(experiment, **settings)
    with training_process(), progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(engine=engine, progress=progress)
    report_events(result)
    return result


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
@engine_option
def plot(experiment: str | None, out_dir: str, engine: str, **settings: Any) -> int:
    """Draw EXPERIMENT (a TOML file, or a run saved as .json; default: the seed's) as PNG and SVG:
    the error curves with the elbow, every weight, the loss landscape and the predictions."""
    from glassnet.curves import error_elbow
    from glassnet.plots import write_plots

    result = obtain_run(experiment, engine, settings)
    for path in write_plots(result, out_dir):
        click.echo(f"wrote {path}")
    found = error_elbow(result.history.error_sum)
    if found is not None:
        click.echo(
            f"{found.describe()} (error sum {found.y:.4f}; farthest point from the chord, log iteration axis)"
        )
    return EXIT_DIVERGED if result.stop is not None else EXIT_OK
