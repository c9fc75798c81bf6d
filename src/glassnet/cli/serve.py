"""``glassnet serve``: the live playground in the browser (needs ``glassnet[serve]``)."""

from __future__ import annotations

import importlib.util

import click

from glassnet.errors import EXIT_OK, GlassnetError


@click.command()
@click.argument("experiment", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
    help="Port to listen on (0: any free one).",
)  # fmt: skip
@click.option(
    "--host", default="127.0.0.1", show_default=True,
    help="Address to listen on; anything but this machine's own makes the playground reachable from others.",
)  # fmt: skip
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
def serve(experiment: str | None, port: int, host: str, no_browser: bool) -> int:
    """Train EXPERIMENT (default: the post's) live in the browser: play, pause, step, rewind,
    edit any weight, and click any number to see its arithmetic. Ctrl-C stops it."""
    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise GlassnetError(
            f"glassnet serve needs {' and '.join(missing)}: pip install 'glassnet[serve]'."
        )
    from glassnet import config
    from glassnet.serve.app import run_server
    from glassnet.serve.security import is_loopback

    cfg = config.load(experiment) if experiment else config.ExperimentConfig()
    if not is_loopback(host):
        click.echo(
            f"glassnet: warning: --host {host} lets other machines reach the playground; "
            "anyone with the URL's token can train here.",
            err=True,
        )
    run_server(
        cfg,
        host=host,
        port=port,
        open_browser=not no_browser,
        on_ready=lambda url: click.echo(f"glassnet serve: {url}  (Ctrl-C stops it)"),
    )
    return EXIT_OK
