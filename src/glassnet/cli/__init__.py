"""The ``glassnet`` command line: a thin translation of arguments into API calls.

``main(argv) -> int`` never raises for bad input: the package's own
:class:`~glassnet.errors.GlassnetError` and click's usage errors become one
line on stderr and exit code 2 (:data:`~glassnet.errors.EXIT_USAGE`). Ctrl-C
and SIGTERM stop any command within a fraction of a second (the compiled
engine trains in slices of about 0.1 s) with one line and exit codes 130 and
143; no file is left half-written.

Each command lives in its own module of this package and is imported only
when it is used, so ``glassnet run`` never pays for matplotlib or the report.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from glassnet.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    GlassnetError,
    Terminated,
)

#: Command name -> "module:function" (modules relative to this package).
COMMANDS: dict[str, str] = {
    "demo": "demo:demo",
    "run": "run:run",
    "explain": "explain:explain",
    "compare": "compare:compare",
    "plot": "plot:plot",
    "report": "report:report",
    "sweep": "sweep:sweep",
    "init": "init:init",
    "predict": "predict:predict",
    "serve": "serve:serve",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"glassnet.cli.{module}"), attr)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(
                f"unknown command {name!r}; accepted commands are {', '.join(sorted(COMMANDS))}.{hint}"
            )
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="glassnet")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="With no command: folder for the post's run's plots and report (default glassnet-output).",
)
@click.option("--no-files", is_flag=True, help="With no command: print the walkthrough only.")
@click.pass_context
def cli(ctx: click.Context, out_dir: str | None, no_files: bool) -> int | None:
    """See every number of a small neural network learning.

    With no command, runs the post's experiment (one sigmoid layer, seed
    123, 100,000 iterations), walks through it, and writes its plots and an
    offline HTML report (the same as `glassnet demo`).
    """
    if ctx.invoked_subcommand is None:
        demo = LazyGroup.get_command(cli, ctx, "demo")
        extra = {"out_dir": out_dir} if out_dir is not None else {}
        return ctx.invoke(demo, no_files=no_files, **extra)  # type: ignore[arg-type]  # a click Command, invoked
    if out_dir is not None or no_files:
        raise click.UsageError("--out and --no-files go with `glassnet` alone or `glassnet demo`.")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    previous = _stop_on_signals()
    try:
        result = cli.main(args=args, prog_name="glassnet", standalone_mode=False)
    except GlassnetError as exc:
        click.echo(f"glassnet: error: {exc}", err=True)
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        return _stopped(signal.SIGINT)
    except Terminated:
        return _stopped(signal.SIGTERM)
    except click.ClickException as exc:
        ctx = getattr(exc, "ctx", None)  # set on UsageError (and its subclasses) only
        where = f" {ctx.command_path}" if ctx is not None else ""
        message = " ".join(exc.format_message().split())
        click.echo(f"glassnet{where.removeprefix(' glassnet')}: error: {message}", err=True)
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        from glassnet.memory import OUT_OF_MEMORY

        click.echo(f"glassnet: error: {OUT_OF_MEMORY}.", err=True)
        return EXIT_USAGE
    except Exception:
        # A signal that arrived inside a library's callback (numba saving a kernel to its
        # cache calls back through ctypes, which swallows the KeyboardInterrupt) surfaces as
        # that library's own error: it is still the user's Ctrl-C or SIGTERM.
        if _received:
            return _stopped(_received[0])
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
    return result if isinstance(result, int) else EXIT_OK


#: The signals this process received while a command ran (see :func:`_stop_on_signals`).
_received: list[int] = []


def _stopped(signum: int) -> int:
    """The one line and the exit code of a command stopped by ``signum``."""
    if signum == signal.SIGTERM:
        click.echo("glassnet: stopped (SIGTERM); every file written is whole", err=True)
        return EXIT_TERMINATED
    click.echo("glassnet: interrupted (Ctrl-C); every file written is whole", err=True)
    return EXIT_INTERRUPTED


def _stop_on_signals() -> Any:
    """Turn SIGTERM into :class:`~glassnet.errors.Terminated` and SIGINT into
    ``KeyboardInterrupt`` (raised where Python runs next: between kernel calls, a twentieth
    of a second apart), noting each in :data:`_received`; returns the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return None
    _received.clear()

    def on_term(signum: int, frame: Any) -> None:
        _received.append(signum)
        raise Terminated(signum)

    def on_int(signum: int, frame: Any) -> None:
        _received.append(signum)
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, on_term), signal.signal(signal.SIGINT, on_int)


def entry_point() -> None:
    """The console script: :func:`main`, then :func:`finish`."""
    finish(main())


def finish(code: int) -> NoReturn:
    """End the process with exit code ``code``, without the interpreter's teardown when safe.

    A normal exit frees every object of every imported module one by one:
    after a command that drew with matplotlib that takes 0.2-0.3 s, a fifth
    of ``glassnet plot``'s time, and nothing is left to do by then (every
    file is written and closed). So this runs the ``atexit`` handlers
    (temporary folders, logging, multiprocessing), flushes stdout and stderr
    and ends with ``os._exit``: the shortcut Instagram described in
    "Dismissing Python Garbage Collection at Instagram" (2017). While another
    thread runs, it exits normally, which waits for that thread.
    """
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # first, as a normal exit does: a handler may still print
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the reader left (`| head`), or closed
            stream.flush()
    os._exit(code)
