"""``glassnet`` with no arguments: the seed post's experiment, walked through."""

from __future__ import annotations

import click

from glassnet.cli.common import progress_bar, training_process

#: Where ``glassnet`` with no arguments writes the seed run's plots and report.
OUTPUT_DIR = "glassnet-output"


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=OUTPUT_DIR,
    show_default=True,
    help="Folder for the seed run's plots (PNG, SVG) and report.html.",
)
@click.option(
    "--no-files", is_flag=True, help="Only print the walkthrough; write no plots or report."
)
def demo(out_dir: str = OUTPUT_DIR, no_files: bool = False) -> int:
    """Run the seed post's experiment (seed 123, 100,000 iterations), walk through it, and
    write its plots and an offline HTML report into ./glassnet-output/."""
    from glassnet import Experiment
    from glassnet.explain.walkthrough import format_walkthrough

    exp = Experiment()
    with training_process(), progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(progress=progress)
    click.echo(format_walkthrough(result), nl=False)
    if not no_files:
        write_pictures(result, out_dir)
    return 0


def write_pictures(result: object, out_dir: str) -> None:
    """Write the run's plots and report into ``out_dir`` and say where they are."""
    from pathlib import Path

    from glassnet.plots import write_plots
    from glassnet.report import write_report

    click.echo(f"\nwriting the plots and the report into {out_dir}/ ...")
    paths = write_plots(result, out_dir)  # type: ignore[arg-type]
    images = {p.stem: p.read_bytes() for p in paths if p.suffix == ".png"}
    report = write_report(result, Path(out_dir) / "report.html", images=images)  # type: ignore[arg-type]
    click.echo(f"  {report}  (open it in a browser; it works offline)")
    for png in (p for p in paths if p.suffix == ".png"):
        click.echo(f"  {png}  (and {png.with_suffix('.svg').name})")
