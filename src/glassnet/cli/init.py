"""``glassnet init [FILE]``: write a commented experiment file that runs as written."""

from __future__ import annotations

import click

from glassnet.errors import EXIT_OK


@click.command()
@click.argument("file", required=False, default="experiment.toml", metavar="[FILE]")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option(
    "--reference",
    is_flag=True,
    help="Print the experiment-file reference (Markdown, docs/experiment.md) instead.",
)
def init(file: str, force: bool, reference: bool) -> int:
    """Write FILE (default experiment.toml): the post's experiment with every setting shown,
    the others commented out with what they do and accept. Run it with `glassnet run FILE`."""
    from pathlib import Path

    from glassnet import schema
    from glassnet.errors import ConfigError
    from glassnet.files import write_file

    if reference:
        click.echo(schema.reference(), nl=False)
        return EXIT_OK
    path = Path(file)
    if path.exists() and not force:
        raise ConfigError(f"FILE {file!r} exists; give another name, or --force to replace it.")
    write_file(path, schema.template(), "FILE")
    click.echo(f"wrote {file}: the post's experiment; edit it, then `glassnet run {file}`")
    return EXIT_OK
