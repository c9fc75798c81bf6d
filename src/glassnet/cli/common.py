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


#: The experiment keys the commands take as options: (option, section, key, click settings).
#: Each option's help is its key's documentation (:mod:`glassnet.schema`), so the two agree.
OVERRIDES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("--dataset", "data", "dataset", {}),
    ("--csv", "data", "csv", {"metavar": "FILE"}),
    ("--standardize/--no-standardize", "data", "standardize", {"default": None}),
    ("--test-fraction", "data", "test_fraction", {"type": float, "metavar": "F"}),
    ("--split-seed", "data", "split_seed", {"type": int, "metavar": "N"}),
    ("--n", "data", "n", {"type": int, "metavar": "N"}),
    ("--noise", "data", "noise", {"type": float}),
    ("--data-seed", "data", "data_seed", {"type": int, "metavar": "N"}),
    ("--features", "data", "features", {"callback": None}),
    ("--layers", "network", "layers", {"callback": None, "metavar": "3,4,1"}),
    ("--activation", "network", "activation", {"callback": None}),
    ("--bias/--no-bias", "network", "bias", {"default": None}),
    ("--seed", "init", "seed", {"type": int, "metavar": "N"}),
    ("--iterations", "train", "iterations", {"type": int, "metavar": "N"}),
    ("--learning-rate", "train", "learning_rate", {"type": float}),
    ("--loss", "train", "loss", {}),
    ("--checkpoints", "train", "checkpoints", {"type": int, "metavar": "N"}),
    ("--optimizer", "train", "optimizer", {}),
    ("--batch-size", "train", "batch_size", {"type": int, "metavar": "N"}),
    ("--shuffle-seed", "train", "shuffle_seed", {"type": int, "metavar": "N"}),
    ("--reduction", "train", "reduction", {}),
    ("--l2", "train", "l2", {"type": float}),
    ("--momentum", "train", "momentum", {"type": float}),
    ("--beta1", "train", "beta1", {"type": float}),
    ("--beta2", "train", "beta2", {"type": float}),
    ("--epsilon", "train", "epsilon", {"type": float}),
    ("--alpha", "train", "alpha", {"type": float}),
)

_CALLBACKS = {"layers": int_list, "activation": name_list, "features": name_list}


def _key_help(section: str, name: str) -> str:
    from glassnet.schema import KEYS

    key = next(k for k in KEYS if (k.section, k.name) == (section, name))
    default = f" Default {key.default}." if key.default else ""
    return f"{key.doc} Accepts {key.accepts}.{default}"


def experiment_options(func: F) -> F:
    """The experiment file argument and the flat overrides of its keys (:data:`OVERRIDES`)."""
    options = [click.argument("experiment", required=False, type=click.Path(dir_okay=False))]
    for flag, section, name, settings in OVERRIDES:
        settings = dict(settings)
        if "callback" in settings:
            settings["callback"] = _CALLBACKS[name]
        options.append(click.option(flag, name, help=_key_help(section, name), **settings))
    options.append(
        click.option(
            "--allow",
            is_flag=True,
            default=None,
            help="Accept targets the output activation cannot produce (warns that the loss "
            "cannot reach 0).",
        )
    )
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
            state["task"] = bar.add_task(
                "train",
                total=total,
                completed=done,
                **figures(done),  # type: ignore[arg-type]  # rich's fields are **kwargs
            )
            bar.start()
        state["bar"].update(state["task"], completed=done, **figures(done))

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def old_spelling(old: str, new: str, value: Any, *, meaning: str = "") -> Any:
    """``value`` given under an option's old name: accepted, with a one-line note on stderr."""
    if value is not None:
        click.echo(f"glassnet: note: {old} is now {new}{meaning}; {old} still works.", err=True)
    return value
