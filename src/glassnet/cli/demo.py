"""``glassnet`` with no arguments: the seed post's experiment, walked through."""

from __future__ import annotations

import click

from glassnet.cli.common import progress_bar


@click.command()
def demo() -> int:
    """Run the seed post's experiment (seed 123, 100,000 iterations) and walk through it."""
    from glassnet import Experiment
    from glassnet.explain.walkthrough import format_walkthrough

    exp = Experiment()
    with progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(progress=progress)
    click.echo(format_walkthrough(result), nl=False)
    return 0
