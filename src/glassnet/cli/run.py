"""``glassnet run``: train an experiment, print a summary, optionally save JSON."""

from __future__ import annotations

import warnings
from typing import Any

import click

from glassnet.cli.common import (
    build_experiment,
    engine_option,
    experiment_options,
    parse_iterations,
    progress_bar,
    report_events,
    training_process,
)
from glassnet.errors import EXIT_DIVERGED, EXIT_OK


@click.command()
@experiment_options
@click.option("--trace", "trace", help="Iterations to trace in full, e.g. 0,1,99.")
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False), help="Write the run as JSON here."
)
@engine_option
def run(
    experiment: str | None, trace: str | None, json_out: str | None, engine: str, **settings: Any
) -> int:
    """Train EXPERIMENT (a TOML file; default: the post's experiment) and summarize it."""
    from glassnet.explain.summary import format_summary

    exp = build_experiment(experiment, **settings)
    traced = parse_iterations(trace, "--trace")
    for k in traced:
        if not 0 <= k <= exp.config.train.iterations:
            from glassnet.errors import ConfigError

            raise ConfigError(
                f"--trace iterations must be from 0 to {exp.config.train.iterations} "
                f"(the run's iterations); got {k}."
            )
    if json_out:  # refuse a bad output path before training, not after
        from glassnet.files import check_output

        check_output(json_out)
    with training_process(), warnings.catch_warnings():
        # refuse too little memory for the history, the traced steps and the JSON before
        # training (the engine's fallback note, if any, comes once, from the run itself)
        from glassnet import engines
        from glassnet.memory import check_memory

        warnings.simplefilter("ignore", engines.EngineFallback)
        train = exp.config.train
        check_memory(
            exp.network,
            exp.data,
            train.iterations,
            train.checkpoints,
            json=bool(json_out),
            method=exp.method,
            trace=len(traced),
            engine=engines.select(engine, exp.network, train.iterations, exp.data.n_samples),
            n_test=0 if exp.test is None else exp.test.n_samples,
        )
    with training_process(), progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(engine=engine, progress=progress)
    click.echo(format_summary(result, traced), nl=False)
    if json_out:
        result.to_json(json_out, trace=traced)
        click.echo(f"wrote {json_out}")
    report_events(result)
    return EXIT_DIVERGED if result.stop is not None else EXIT_OK
