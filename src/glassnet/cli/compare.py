"""``glassnet compare A.json B.json``: two saved runs lined up iteration by iteration."""

from __future__ import annotations

import io
from pathlib import Path

import click


@click.command()
@click.argument("run_a", type=click.Path(dir_okay=False))
@click.argument("run_b", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also draw both error curves overlaid into this image (.png, .svg, .pdf).",
)
@click.option(
    "--tolerance",
    type=float,
    default=0.0,
    show_default=True,
    help="Largest absolute difference still counted as equal.",
)
@click.option(
    "--decimals", type=click.IntRange(1, 17), default=8, show_default=True, help="Decimals printed."
)
@click.option("--digits", "old_digits", type=click.IntRange(1, 17), default=None, hidden=True)
def compare(
    run_a: str,
    run_b: str,
    out: str | None,
    tolerance: float,
    decimals: int,
    old_digits: int | None,
) -> int:
    """Compare two runs saved with `glassnet run --json`: the settings that differ, the
    first iteration where they differ, both error curves and the weight differences."""
    from glassnet.cli.common import old_spelling
    from glassnet.compare import compare_runs
    from glassnet.errors import ConfigError
    from glassnet.explain.compare import format_comparison
    from glassnet.files import check_output, write_file
    from glassnet.plots.compare import plot_comparison
    from glassnet.serialize import load

    meaning = " (--digits means significant digits in glassnet explain)"
    decimals = old_spelling("--digits", "--decimals", old_digits, meaning=meaning) or decimals
    fmt = None
    if out is not None:
        fmt = Path(out).suffix.lstrip(".").lower()
        if fmt not in ("png", "svg", "pdf"):
            raise ConfigError(f"--out must end in .png, .svg or .pdf; got {out!r}.")
        check_output(out, "--out")
    labels = (Path(run_a).name, Path(run_b).name)
    if labels[0] == labels[1]:
        labels = (run_a, run_b) if run_a != run_b else ("A", "B")
    comparison = compare_runs(load(run_a), load(run_b), tolerance=tolerance, labels=labels)
    click.echo(format_comparison(comparison, decimals=decimals), nl=False)
    if out is not None:
        buffer = io.BytesIO()
        plot_comparison(comparison).savefig(buffer, format=fmt)
        write_file(out, buffer.getvalue(), "--out")
        click.echo(f"wrote {out}")
    return 0
