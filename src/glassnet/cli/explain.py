"""``glassnet explain``: the worked example of one iteration, every number written out."""

from __future__ import annotations

import sys
from typing import Any

import click

from glassnet.cli.common import build_experiment, experiment_options, report_events
from glassnet.errors import EXIT_DIVERGED, EXIT_OK


@click.command()
@experiment_options
@click.option(
    "--iteration",
    "-k",
    "iteration",
    type=int,
    default=None,
    help="Which iteration to work out: #k uses the weights after k updates (required when "
    "the run has more than one iteration).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "md", "terminal"]),
    default=None,
    help="text, md (Markdown) or terminal (rich; the default on a terminal).",
)
@click.option(
    "--digits",
    type=click.IntRange(1, 12),
    default=None,
    help="Significant digits of the largest number of each block (default 4; delta notation).",
)
@click.option(
    "--decimals",
    type=click.IntRange(1, 12),
    default=None,
    help="Decimals of every number (default 9, Mazur's; chain notation).",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Write out every example, unit and weight of big layers.",
)
@click.option(
    "--notation",
    type=click.Choice(["delta", "chain"]),
    default="delta",
    show_default=True,
    help="delta: the post's deltas and sums; chain: every gradient by the chain rule, in "
    "Matt Mazur's names and signs, with fixed --decimals.",
)
def explain(
    experiment: str | None,
    iteration: int | None,
    format_: str | None,
    digits: int | None,
    decimals: int | None,
    show_all: bool,
    notation: str,
    **settings: Any,
) -> int:
    """Work out iteration K of EXPERIMENT (a TOML file or a run saved with --json; default: the
    post's) by hand: dot products, activations, error, loss, deltas, updates, gradient check, and
    why each weight moved."""
    from glassnet.errors import ConfigError
    from glassnet.explain import explain as explain_run

    saved = experiment if experiment and experiment.lower().endswith(".json") else None
    if saved is not None:
        from glassnet.cli.common import refuse_overrides
        from glassnet.serialize import load

        refuse_overrides(saved, settings)
        loaded = load(saved)
        total = loaded.iterations
    else:
        exp = build_experiment(experiment, **settings)
        total = exp.config.train.iterations
    if iteration is None:
        if total > 1:
            typo = (
                settings.get("iterations") is not None
            )  # --iterations N where --iteration K was meant
            raise ConfigError(
                f"--iteration is needed: which iteration of #0 to #{total:,} should be worked "
                f"out? e.g. --iteration 1"
                + (" (did you mean --iteration rather than --iterations?)" if typo else "")
            )
        iteration = 0
    if not 0 <= iteration <= total:
        raise ConfigError(
            f"--iteration must be from 0 to {total} (the run's iterations); got {iteration}."
        )
    if saved is not None:
        result = loaded
    else:
        # Iteration #k only needs the first k+1 updates; the arithmetic is the same.
        result = exp.run(iterations=min(total, iteration + 1), engine="numpy")
    if result.stop is not None and iteration > result.iterations:
        report_events(result)
        return EXIT_DIVERGED
    if format_ is None:
        format_ = "terminal" if sys.stdout.isatty() else "text"
    text = explain_run(
        result,
        iteration,
        format=format_,
        digits=digits,
        show_all=show_all,
        notation=notation,
        decimals=decimals,
    )
    # colour codes are only there when wanted (a terminal, no NO_COLOR, or FORCE_COLOR);
    # click would strip them from a pipe even under FORCE_COLOR
    click.echo(text, nl=False, color=format_ == "terminal" or None)
    report_events(result)
    return EXIT_DIVERGED if result.stop is not None else EXIT_OK
