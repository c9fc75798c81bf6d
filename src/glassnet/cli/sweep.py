"""``glassnet sweep``: train one experiment from many seeds, learning rates, optimizers and
batch sizes at once (on this machine, or on a Dask cluster with ``--dask``).

The command translates its options into one :func:`glassnet.sweep.sweep`
call; the text, CSV and JSON renderers here only read the returned
:class:`~glassnet.sweep.Sweep`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from glassnet.cli.common import (
    build_experiment,
    engine_option,
    experiment_options,
    training_process,
)
from glassnet.errors import EXIT_OK, ConfigError
from glassnet.sweep import batch_size_text

STAT_COLUMNS = ("mean", "std", "min", "p05", "median", "p95", "max")
STAT_HEADERS = ("mean", "std", "min", "5%", "median", "95%", "max")


def _number(value: float) -> str:
    return f"{value:>11.5g}" if value == value else f"{'-':>11}"


def format_distribution_row(label: str, dist: Any, width: int) -> str:
    """One table row: the label, then the statistics of a Distribution."""
    cells = "".join(_number(getattr(dist, c)) for c in STAT_COLUMNS)
    extra = f"  ({dist.n_nonfinite} not finite)" if dist.n_nonfinite else ""
    return f"{label:<{width}}{cells}{extra}"


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def format_sweep(sweep: Any, seconds: float | None = None) -> str:
    """The sweep as text: what ran, then per (optimizer, batch size, learning rate) the
    distributions."""
    seeds = sweep.seeds
    unique = list(dict.fromkeys(int(s) for s in seeds))
    rates = sweep.rates()
    optimizers = list(dict.fromkeys(str(o) for o in sweep.optimizer_column()))
    batch_sizes = list(dict.fromkeys(int(b) for b in sweep.batch_size_column()))
    data = sweep.config.data
    axes = (
        f"{len(unique):,} seeds {unique[0]}..{unique[-1]} x {_count(len(rates), 'learning rate')}"
    )
    if len(optimizers) > 1:
        axes += f" x {len(optimizers)} optimizers"
    if len(batch_sizes) > 1:
        axes += f" x {len(batch_sizes)} batch sizes"
    method = ", ".join(optimizers) + "; " + ", ".join(map(batch_size_text, batch_sizes))
    lines = [
        f"sweep: {sweep.n_networks:,} networks ({axes}), "
        f"{sweep.iterations:,} iterations each, {sweep.engine} engine"
        + (f", {seconds:.2f} s" if seconds is not None else ""),
        f"network: layers {list(sweep.network.sizes)}, activation "
        f"{', '.join(a.name for a in sweep.network.activations)}, loss {sweep.network.loss.name}"
        f"; data: {getattr(data, 'dataset', None) or 'from the experiment'}; optimizer {method}",
    ]
    names = [*sweep.parameter_names, "final error sum", "final loss", "iterations to target"]
    width = max(len(n) for n in names) + 2
    header = f"{'':<{width}}" + "".join(f"{h:>11}" for h in STAT_HEADERS)
    for summary in sweep.summaries():
        label = sweep.label(summary.optimizer, summary.batch_size, summary.learning_rate)
        lines += [
            "",
            f"{label}: {summary.n_networks:,} networks, "
            f"{summary.n_stopped:,} stopped (loss not finite), {summary.n_reached:,} reached "
            f"error sum <= {summary.target_error:g}",
            header,
        ]
        lines += [format_distribution_row(d.name, d, width) for d in summary.weights]
        lines.append(format_distribution_row("final error sum", summary.final_error_sum, width))
        lines.append(format_distribution_row("final loss", summary.final_loss, width))
        if summary.n_reached:
            lines.append(
                format_distribution_row("iterations to target", summary.iterations_to_target, width)
            )
    return "\n".join(lines) + "\n"


def table_columns(sweep: Any) -> list[str]:
    """The per-network table's columns."""
    return [
        "seed",
        "learning_rate",
        "optimizer",
        "batch_size",
        *sweep.parameter_names,
        "final_error_sum",
        "final_loss",
        "iterations_to_target",
        "stopped_at",
    ]


def table_rows(sweep: Any) -> list[list[Any]]:
    """One row per network: seed, learning rate, optimizer, batch size (0: the full
    batch), final params, final figures."""
    optimizers, batch_sizes = sweep.optimizer_column(), sweep.batch_size_column()
    rows = []
    for i in range(sweep.n_networks):
        rows.append(
            [
                int(sweep.seeds[i]),
                float(sweep.learning_rates[i]),
                str(optimizers[i]),
                int(batch_sizes[i]),
                *(float(v) for v in sweep.final_params[i]),
                float(sweep.final_error_sum[i]),
                float(sweep.final_loss[i]),
                int(sweep.iterations_to_target[i]),
                int(sweep.stopped_at[i]),
            ]
        )
    return rows


def format_csv(sweep: Any) -> str:
    """The per-network table as CSV (``repr`` precision: numbers round-trip exactly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table_columns(sweep))
    for row in table_rows(sweep):
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return out.getvalue()


def format_json(sweep: Any) -> str:
    """The sweep as JSON: settings, summaries per (optimizer, batch size, learning rate),
    and the table by column."""
    from dataclasses import asdict

    def clean(value: Any) -> Any:
        if isinstance(value, float) and value != value:
            return None
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    columns = table_columns(sweep)
    rows = table_rows(sweep)
    document = {
        "experiment": sweep.config.to_dict(),
        "iterations": sweep.iterations,
        "target_error": sweep.target_error,
        "engine": sweep.engine,
        "summaries": [asdict(s) for s in sweep.summaries()],
        "networks": {name: [row[i] for row in rows] for i, name in enumerate(columns)},
    }
    return json.dumps(clean(document), indent=1, allow_nan=False) + "\n"


def format_history_csv(sweep: Any) -> str:
    """The asked-for error history: one row per network, one column per recorded iteration."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    n_recorded = sweep.error_history.shape[1]
    optimizers, batch_sizes = sweep.optimizer_column(), sweep.batch_size_column()
    writer.writerow(
        [
            "seed",
            "learning_rate",
            "optimizer",
            "batch_size",
            *(f"#{k * sweep.history_every}" for k in range(n_recorded)),
        ]
    )
    for i in range(sweep.n_networks):
        writer.writerow(
            [
                int(sweep.seeds[i]),
                repr(float(sweep.learning_rates[i])),
                str(optimizers[i]),
                int(batch_sizes[i]),
                *(repr(float(v)) for v in sweep.error_history[i]),
            ]
        )
    return out.getvalue()


def write_outputs(sweep: Any, folder: str) -> list[Path]:
    """Write ``sweep.csv``, ``sweep.json``, the plots (and ``error_history.csv``) into ``folder``."""
    from glassnet.plots.sweep import write_sweep_plots
    from glassnet.serialize import atomic_write

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "sweep.csv", format_csv(sweep))
    atomic_write(out / "sweep.json", format_json(sweep))
    written = [out / "sweep.csv", out / "sweep.json"]
    if sweep.error_history is not None:
        atomic_write(out / "error_history.csv", format_history_csv(sweep))
        written.append(out / "error_history.csv")
    return [*written, *write_sweep_plots(sweep, out)]


def parse_seeds(text: str) -> Sequence[int]:
    """``"0:10000"`` (start:stop, stop excluded), ``"0:100:5"`` (with a step) or ``"1,5,9"``.

    A range stays a ``range`` (no list of ten billion numbers is built before
    the sweep checks how many networks it can hold).
    """
    text = text.strip()
    seeds: Sequence[int]
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] == 0):
                raise ValueError
            seeds = range(*parts)
        else:
            seeds = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ConfigError(
            f"--seeds must be START:STOP (e.g. 0:10000), START:STOP:STEP or a list like 1,5,9; "
            f"got {text!r}."
        ) from None
    return seeds


def parse_rates(text: str) -> list[float]:
    """``"0.1,0.5,1,2"``."""
    try:
        return [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ConfigError(
            f"--learning-rates must be numbers separated by commas, e.g. 0.1,0.5,1,2; got {text!r}."
        ) from None


def parse_names(text: str) -> list[str]:
    """``"gd,adam"`` (checked against the optimizers by the sweep)."""
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_batch_sizes(text: str) -> list[int]:
    """``"full,8,32"``: whole numbers, 0 or ``full`` for the full batch."""
    from glassnet.sweep import batch_size_of

    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        return [batch_size_of(p) for p in parts]
    except ConfigError:
        raise ConfigError(
            "--batch-sizes must be whole numbers >= 1 (examples per update), or 0 or full for "
            f"the full batch, separated by commas, e.g. full,8,32; got {text!r}."
        ) from None


def base_optimizer(optimizers: Sequence[str], settings: dict[str, Any]) -> str | None:
    """The optimizer the experiment itself is built with when ``--optimizers`` is given
    without ``--optimizer``: the first listed one that reads every optimizer setting
    given (``--momentum`` ...), so that the experiment accepts them (``None``: none
    does, and the experiment's check says why). Every optimizer of the sweep then
    reads the settings it uses."""
    from glassnet.optimizers import HYPER_NAMES, OPTIMIZERS

    given = [key for key in HYPER_NAMES if settings.get(key) is not None]
    for name in optimizers:
        if name in OPTIMIZERS and all(key in OPTIMIZERS[name].settings for key in given):
            return name
    return None


def sweep_progress() -> Any:
    """A progress callback that keeps one line on a terminal's stderr up to date
    (``None`` when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rglassnet: trained {done:,} of {total:,} networks{end}")
        sys.stderr.flush()

    return show


@click.command()
@experiment_options
@click.option(
    "--seeds",
    "seeds_text",
    default="0:100",
    show_default=True,
    help="Seeds: START:STOP (stop excluded), START:STOP:STEP, or a list 1,5,9.",
)
@click.option(
    "--learning-rates",
    "rates_text",
    help="Learning rates to try with every seed, e.g. 0.1,0.5,1,2 (default: the experiment's).",
)
@click.option(
    "--optimizers",
    "optimizers_text",
    help="Optimizers to try, e.g. gd,adam (default: the experiment's); each reads the "
    "experiment's settings (--momentum, --beta1 ...).",
)
@click.option(
    "--batch-sizes",
    "batch_sizes_text",
    help="Batch sizes to try, e.g. full,8 (0 or full: every example; default: the experiment's).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Train on a Dask cluster: its scheduler's address (tcp://host:8786), or local:N for "
    "N worker processes here. Same numbers; needs pip install 'glassnet[dask]'.",
)
@click.option(
    "--target-error",
    type=float,
    default=0.05,
    show_default=True,
    help="Count iterations until the error sum sum(|y - a|) is at most this.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write sweep.csv, sweep.json and plots (PNG) into this folder.",
)
@click.option(
    "--history-every",
    type=int,
    help="Also keep every network's error sum every this many iterations "
    "(written to error_history.csv with --out).",
)
@engine_option
def sweep(
    experiment: str | None,
    seeds_text: str,
    rates_text: str | None,
    optimizers_text: str | None,
    batch_sizes_text: str | None,
    dask_address: str | None,
    target_error: float,
    out_dir: str | None,
    history_every: int | None,
    engine: str,
    **settings: Any,
) -> int:
    """Train EXPERIMENT from many seeds (learning rates, optimizers, batch sizes) at once and
    show where the weights end up."""
    from glassnet.errors import ConfigError
    from glassnet.sweep import sweep as run_sweep

    if settings.get("seed") is not None:
        raise ConfigError(
            "--seed does not apply to a sweep; give the seeds with --seeds, e.g. 0:1000."
        )
    seeds = parse_seeds(seeds_text)
    rates = parse_rates(rates_text) if rates_text else None
    optimizers = parse_names(optimizers_text) if optimizers_text else None
    batch_sizes = parse_batch_sizes(batch_sizes_text) if batch_sizes_text else None
    if optimizers and settings.get("optimizer") is None:
        settings["optimizer"] = base_optimizer(optimizers, settings)
    exp = build_experiment(experiment, **settings)
    with training_process():
        start = time.perf_counter()
        result = run_sweep(
            exp,
            seeds,
            rates,
            optimizers=optimizers,
            batch_sizes=batch_sizes,
            target_error=target_error,
            engine=engine,
            history_every=history_every,
            dask=dask_address,
            progress=sweep_progress() if dask_address else None,
        )
        seconds = time.perf_counter() - start
    click.echo(format_sweep(result, seconds), nl=False)
    if out_dir:
        for path in write_outputs(result, out_dir):
            click.echo(f"wrote {path}")
    return EXIT_OK
