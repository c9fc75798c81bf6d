"""``glassnet`` with no arguments: the post's experiment, walked through."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from glassnet.cli.common import progress_bar, training_process

#: Where ``glassnet`` with no arguments writes the post's run's plots and report.
OUTPUT_DIR = "glassnet-output"


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=OUTPUT_DIR,
    show_default=True,
    help="Folder for the post's run's plots (PNG) and report.html.",
)
@click.option(
    "--no-files", is_flag=True, help="Only print the walkthrough; write no plots or report."
)
@click.option("--svg", is_flag=True, help="Also write each plot as SVG beside the PNG.")
def demo(out_dir: str = OUTPUT_DIR, no_files: bool = False, svg: bool = False) -> int:
    """Run the post's experiment (seed 123, 100,000 iterations), walk through it, and
    write its plots and an offline HTML report into ./glassnet-output/."""
    from glassnet import Experiment
    from glassnet.explain.walkthrough import format_walkthrough

    formats = ("png", "svg") if svg else ("png",)
    if not no_files:  # refuse a folder that cannot be written before training, not after
        from glassnet.plots import check_outputs

        check_outputs(output_paths(out_dir, formats))
    exp = Experiment()
    with training_process(), progress_bar(exp.config.train.iterations) as progress:
        result = exp.run(progress=progress)
    click.echo(format_walkthrough(result), nl=False)
    if not no_files:
        write_pictures(result, out_dir, formats)
    return 0


def output_paths(out_dir: str, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Every file :func:`write_pictures` may write: the plots, then ``report.html``."""
    from glassnet.plots import plot_paths

    return [*plot_paths(out_dir, formats), Path(out_dir) / "report.html"]


def write_pictures(result: object, out_dir: str, formats: Sequence[str] = ("png",)) -> None:
    """Write the run's plots and report into ``out_dir`` (all files or none) and say where they are."""
    from glassnet.cli.plot import drawing_progress
    from glassnet.plots import KINDS, PLOT_DPI
    from glassnet.plots._files import write_files
    from glassnet.report import render_report

    out = Path(out_dir)
    click.echo(f"\nwriting the plots and the report into {out_dir}/ ...")
    with drawing_progress() as progress:
        page, images = render_report(result, formats=formats, dpi=PLOT_DPI, progress=progress)  # type: ignore[arg-type]  # None when stderr is no terminal
    report = out / "report.html"
    plots = {
        out / f"{kind}.{fmt}": images[kind][fmt]
        for kind in KINDS
        if kind in images
        for fmt in formats
    }
    write_files({**plots, report: page.encode("utf-8")})
    click.echo(f"  {report}  (open it in a browser; it works offline)")
    for png in (p for p in plots if p.suffix == ".png"):
        also = f"  (and {png.with_suffix('.svg').name})" if "svg" in formats else ""
        click.echo(f"  {png}{also}")
