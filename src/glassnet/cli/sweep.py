"""``glassnet sweep``: train one experiment from many seeds (and learning rates) at once.

The command translates its options into one :func:`glassnet.sweep.sweep`
call; the text, CSV and JSON renderers here only read the returned
:class:`~glassnet.sweep.Sweep`.
"""

from __future__ import annotations

import csv
import io
import json
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

STAT_COLUMNS = ("mean", "std", "min", "p05", "median", "p95", "max")
STAT_HEADERS = ("mean", "std", "min", "5%", "median", "95%", "max")


def _number(value: float) -> str:
    return f"{value:>11.5g}" if value == value else f"{'-':>11}"


def format_distribution_row(label: str, dist: Any, width: int) -> str:
    """One table row: the label, then the statistics of a Distribution."""
    cells = "".join(_number(getattr(dist, c)) for c in STAT_COLUMNS)
    extra = f"  ({dist.n_nonfinite} not finite)" if dist.n_nonfinite else ""
    return f"{label:<{width}}{cells}{extra}"


def format_sweep(sweep: Any, seconds: float | None = None) -> str:
    """The sweep as text: what ran, then per learning rate the distributions."""
    seeds = sweep.seeds
    unique = list(dict.fromkeys(int(s) for s in seeds))
    rates = sweep.rates()
    data = sweep.config.data
    lines = [
        f"sweep: {sweep.n_networks:,} networks ({len(unique):,} seeds {unique[0]}..{unique[-1]} "
        f"x {len(rates)} learning rate{'s' if len(rates) > 1 else ''}), "
        f"{sweep.iterations:,} iterations each, {sweep.engine} engine"
        + (f", {seconds:.2f} s" if seconds is not None else ""),
        f"network: layers {list(sweep.network.sizes)}, activation "
        f"{', '.join(a.name for a in sweep.network.activations)}, loss {sweep.network.loss.name}"
        f"; data: {getattr(data, 'dataset', None) or 'from the experiment'}",
    ]
    names = list(sweep.parameter_names) + ["final error sum", "final loss", "iterations to target"]
    width = max(len(n) for n in names) + 2
    header = f"{'':<{width}}" + "".join(f"{h:>11}" for h in STAT_HEADERS)
    for summary in sweep.summaries():
        lines += [
            "",
            f"learning rate {summary.learning_rate:g}: {summary.n_networks:,} networks, "
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
        *sweep.parameter_names,
        "final_error_sum",
        "final_loss",
        "iterations_to_target",
        "stopped_at",
    ]


def table_rows(sweep: Any) -> list[list[Any]]:
    """One row per network: seed, learning rate, final params, final figures."""
    rows = []
    for i in range(sweep.n_networks):
        rows.append(
            [
                int(sweep.seeds[i]),
                float(sweep.learning_rates[i]),
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
    """The sweep as JSON: settings, summaries per learning rate, and the table by column."""
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
    writer.writerow(
        ["seed", "learning_rate", *(f"#{k * sweep.history_every}" for k in range(n_recorded))]
    )
    for i in range(sweep.n_networks):
        writer.writerow(
            [
                int(sweep.seeds[i]),
                repr(float(sweep.learning_rates[i])),
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
    target_error: float,
    out_dir: str | None,
    history_every: int | None,
    engine: str,
    **settings: Any,
) -> int:
    """Train EXPERIMENT from many seeds at once and show where the weights end up."""
    from glassnet.errors import ConfigError
    from glassnet.sweep import sweep as run_sweep

    if settings.get("seed") is not None:
        raise ConfigError(
            "--seed does not apply to a sweep; give the seeds with --seeds, e.g. 0:1000."
        )
    seeds = parse_seeds(seeds_text)
    rates = parse_rates(rates_text) if rates_text else None
    exp = build_experiment(experiment, **settings)
    with training_process():
        start = time.perf_counter()
        result = run_sweep(
            exp, seeds, rates, target_error=target_error, engine=engine, history_every=history_every
        )
        seconds = time.perf_counter() - start
    click.echo(format_sweep(result, seconds), nl=False)
    if out_dir:
        for path in write_outputs(result, out_dir):
            click.echo(f"wrote {path}")
    return EXIT_OK
