"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from glassnet.errors import ConfigError

F = Callable[..., Any]


def int_list(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    """Parse ``"3,4,1"``."""
    if value is None:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(
            f"must be whole numbers separated by commas, e.g. 3,4,1; got {value!r}."
        ) from None


def name_list(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | list[str] | None:
    """Parse ``"tanh,sigmoid"`` (one name stays a string)."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else parts


def experiment_options(func: F) -> F:
    """The experiment file argument and the flat overrides of its keys."""
    options = [
        click.argument("experiment", required=False, type=click.Path(dir_okay=False)),
        click.option(
            "--dataset",
            help="Built-in data: seed, xor, and, or; with scikit-learn: iris, breast_cancer, digits.",
        ),
        click.option("--csv", "csv", help="A CSV file of numbers (last column is the target)."),
        click.option(
            "--standardize/--no-standardize",
            default=None,
            help="Scale each input column to mean 0 and standard deviation 1 (measured on the training examples).",
        ),
        click.option(
            "--test-fraction",
            type=float,
            metavar="F",
            help="Hold out this fraction of the examples (0 <= F < 1, e.g. 0.25) and record their error too.",
        ),
        click.option(
            "--split-seed",
            type=int,
            metavar="N",
            help="Seed of the held-out split's shuffle (0 to 2**32 - 1).",
        ),
        click.option("--layers", callback=int_list, help="Layer sizes, e.g. 3,4,1."),
        click.option(
            "--activation",
            callback=name_list,
            help="sigmoid, tanh, relu, linear (or one per layer, comma separated).",
        ),
        click.option("--bias/--no-bias", default=None, help="Give every layer a bias."),
        click.option(
            "--seed", type=int, help="Seed of numpy.random.RandomState for the initial weights."
        ),
        click.option("--iterations", type=int, help="Number of updates to apply."),
        click.option("--learning-rate", type=float, help="Step size of gradient descent."),
        click.option("--loss", help="half_squared_error or binary_cross_entropy."),
        click.option(
            "--checkpoints", type=int, help="How many weight snapshots to keep for replay."
        ),
        click.option(
            "--optimizer",
            help="gd (the post's), momentum, nesterov, adam or rmsprop.",
        ),
        click.option("--batch-size", type=int, help="Examples per update (default: all of them)."),
        click.option("--shuffle-seed", type=int, help="Seed of the mini-batches' shuffle."),
        click.option("--reduction", help="sum (the post's) or mean over the batch."),
        click.option("--l2", type=float, help="Adds l2 * w to each weight's gradient."),
        click.option("--momentum", type=float, help="momentum, nesterov: mu (default 0.9)."),
        click.option("--beta1", type=float, help="adam: decay of the first moment (0.9)."),
        click.option("--beta2", type=float, help="adam: decay of the second moment (0.999)."),
        click.option("--epsilon", type=float, help="adam, rmsprop: added to the root (1e-8)."),
        click.option("--alpha", type=float, help="rmsprop: decay of the mean square (0.99)."),
        click.option(
            "--allow",
            is_flag=True,
            default=None,
            help="Accept targets the output activation cannot produce (warns that the loss cannot reach 0).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def engine_option(func: F) -> F:
    """``--engine``: one of :data:`glassnet.engines.ENGINES` (the one list of engine names)."""
    from glassnet.engines import ENGINES

    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="auto",
        show_default=True,
        help="numpy: the readable reference; compiled: the numba kernel; auto: the faster here.",
    )(func)


def refuse_overrides(path: str, settings: dict[str, Any]) -> None:
    """A saved run cannot be changed by options: refuse any given (one line)."""
    from glassnet.errors import ConfigError

    given = sorted(k for k, v in settings.items() if v is not None)
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise ConfigError(
            f"a saved run cannot be changed; drop {flags} or give an experiment .toml file "
            f"instead of {path!r}."
        )


def build_experiment(experiment: str | None, **settings: Any) -> Any:
    """An :class:`~glassnet.Experiment` from a file (or the default) and overrides."""
    from glassnet import Experiment
    from glassnet.errors import GlassnetWarning

    allow = bool(settings.pop("allow", False))
    if experiment and settings.get("csv") and not os.path.isabs(settings["csv"]):
        # --csv is relative to the current folder, not to the experiment file's.
        settings["csv"] = os.path.abspath(settings["csv"])
    with warnings_as_lines(GlassnetWarning, "warning"):
        exp = Experiment(
            experiment, allow=allow, **{k: v for k, v in settings.items() if v is not None}
        )
    return exp


@contextmanager
def warnings_as_lines(
    category: type[Warning] | dict[type[Warning], str], label: str = ""
) -> Iterator[None]:
    """Turn the warnings of ``category`` raised inside into ``glassnet: LABEL: ...`` lines on
    stderr (or of each category of a ``{category: label}`` mapping); any other warning is
    issued again, to whatever catches warnings outside."""
    import warnings

    labels = category if isinstance(category, dict) else {category: label}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        found = next(
            (lab for cat, lab in labels.items() if issubclass(warning.category, cat)), None
        )
        if found is not None:
            click.echo(f"glassnet: {found}: {warning.message}", err=True)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


@contextmanager
def training_process() -> Iterator[None]:
    """Train inside this in a command: numba starts without scipy (a short-lived
    process), and ``--engine compiled`` without numba becomes one note line."""
    from glassnet.engines import EngineFallback
    from glassnet.engines.cache import CacheWarning
    from glassnet.engines.runtime import prefer_lean_startup

    prefer_lean_startup()
    with warnings_as_lines({EngineFallback: "note", CacheWarning: "warning"}):
        yield


def report_events(run: Any) -> None:
    """Print, once each, on stderr, why ``run`` stopped early or where it saturated.

    Every command that trains or loads a run calls this after its output, so
    the report is the same everywhere (see :mod:`glassnet.diagnosis`).
    """
    from glassnet.diagnosis import format_saturation, format_stop, hints, still_learning

    sat, stop = run.saturation, run.stop
    # A stop caused by that same saturation (ln(0) of a saturated sigmoid) is reported once.
    same = (
        sat is not None
        and stop is not None
        and (sat.iteration, sat.layer) == (stop.iteration, stop.layer)
    )
    if sat is not None and not same:
        label = "note" if still_learning(run, sat.iteration) else "warning"
        click.echo(f"glassnet: {label}: {format_saturation(run)}", err=True)
    if stop is not None:
        click.echo(f"glassnet: {format_stop(run)}", err=True)
    for hint in hints(run):
        click.echo(f"glassnet: hint: {hint}", err=True)


def parse_iterations(text: str | None, where: str) -> list[int]:
    """Parse ``"0,1,99"`` into iterations."""
    if not text:
        return []
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(
            f"{where} must be iteration numbers separated by commas, e.g. 0,1,99; got {text!r}."
        ) from None


@contextmanager
def progress_bar(total: int, after_seconds: float = 1.0) -> Iterator[Callable[[int], None] | None]:
    """A progress callback that shows a bar on a terminal once training takes a while.

    Yields ``None`` (no progress at all) when stderr is not a terminal.
    """
    if not sys.stderr.isatty():
        yield None
        return
    start = time.perf_counter()
    state: dict[str, Any] = {}

    def figures(done: int) -> dict[str, str]:
        """Rate and time left from the average speed since training started."""
        rate = done / max(time.perf_counter() - start, 1e-9)
        left = (total - done) / rate if rate > 0 else float("inf")
        when = "?" if left == float("inf") else f"{int(left) // 60}:{int(left) % 60:02d}"
        return {"rate": f"{rate:,.0f}", "left": when}

    def update(done: int) -> None:
        if "bar" not in state:
            if time.perf_counter() - start < after_seconds or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn("training"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} it/s, {task.fields[left]} left"),
                console=Console(stderr=True),
                transient=True,
            )
            # The task has its numbers before the first frame is drawn.
            state["bar"] = bar
            state["task"] = bar.add_task("train", total=total, completed=done, **figures(done))
            bar.start()
        state["bar"].update(state["task"], completed=done, **figures(done))

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()
