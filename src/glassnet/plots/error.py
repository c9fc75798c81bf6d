"""The post's four error graphs: the error over the first 100, 1,000, 10,000 and 100,000 iterations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.activations import Array
from glassnet.curves import Elbow, SplitCurves, error_elbow, split_curves, visible_points
from glassnet.explain.numbers import count
from glassnet.plots._style import (
    PALETTE,
    drawable,
    legend_below,
    legend_height,
    new_figure,
    pixel_columns,
    safe_limits,
    set_margins,
    style_axes,
    thousands,
)
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: The windows of the post's four graphs.
WINDOWS = (100, 1_000, 10_000, 100_000)

ERROR_LABEL = "sum of |target - prediction| (the post's error)"

#: Colours of the two parts of a split run (Okabe-Ito blue and orange, the
#: pair told apart under every common colour blindness, and in grey).
TRAIN_COLOR, TEST_COLOR = PALETTE[0], PALETTE[1]


def windows_for(n_recorded: int, windows: Sequence[int] = WINDOWS) -> list[int]:
    """The windows that fit the run, the last one cut to its length: ``[100, 1000, 1500]``."""
    chosen = sorted({min(int(w), n_recorded) for w in windows if w > 0})
    return [w for w in chosen if w > 0]


def loss_label(run: Run) -> str:
    return f"loss, {run.network.loss.formula.replace('y', 'target').replace('a)', 'prediction)')}"


def plot_error(
    run: Run, windows: Sequence[int] = WINDOWS, show_loss: bool = True, per_example: bool = True
) -> Figure:
    """The error sum (and the loss) of iterations ``#0 .. #w-1`` for each window ``w``.

    Each panel plots ``run.history.error_sum[:w]`` against iterations
    ``0 .. w-1`` (no smoothing), on a linear axis like the post. A window
    longer than the panel has pixel columns at :data:`~glassnet.plots._style.DETAIL_DPI`
    is drawn through the points a line that wide can show
    (:func:`glassnet.curves.visible_points`: per column the first, last, lowest
    and highest recorded point, the ends and the elbow), which draws the same
    picture; every point drawn is a recorded one. The elbow found by
    :func:`glassnet.curves.error_elbow` is marked in every panel it falls in,
    and named in the figure's title. One legend under the panels names the
    curves, so it never hides a curve or the elbow's label.

    A run with held-out examples (``[data] test_fraction``) gets two curves of
    each figure: "training" (blue) and "held-out test" (orange); error solid,
    loss dashed. With ``per_example`` (the default) both are divided by their
    number of examples (``history.error_sum / n_train`` and
    ``history.test_error_sum / n_test``, see :func:`glassnet.curves.split_curves`),
    because sums over parts of different sizes cannot be compared; with
    ``per_example=False`` the recorded sums are plotted as they are. A run
    without a split ignores ``per_example``.
    """
    history = run.history
    split = split_curves(run)
    chosen = windows_for(len(history), windows)
    found: Elbow | None = error_elbow(history.error_sum)
    n_panels = max(1, len(chosen))
    n_cols = 2 if n_panels > 1 else 1
    n_rows = (n_panels + n_cols - 1) // n_cols
    n_curves = (1 if split is None else 2) * (2 if show_loss else 1) + (found is not None)
    legend_cols = 3 if split is None else 2
    legend = legend_height(n_curves, legend_cols) if chosen else 0.0
    top = 0.75 if split is None else 1.0
    fig = new_figure(5.2 * n_cols, 3.6 * n_rows + 0.6 + legend + (0.0 if split is None else 0.4))
    set_margins(fig, rows=n_rows, cols=n_cols, top=top, bottom=0.6 + legend)
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    for ax, window in zip(axes, chosen):
        columns = pixel_columns(ax)
        keep = () if found is None or found.index >= window else (found.index,)
        if split is None:
            curves = [("error_sum", history.error_sum[:window])]
            if show_loss:
                curves.append(("loss", history.loss[:window]))
            for key, values in curves:
                _draw(
                    ax,
                    values,
                    columns,
                    keep,
                    **_STYLES[key],
                    label=_label(run, key),
                    gid=f"{key}-{window}",
                )
            elbow_y = None if found is None else found.y
            shown = [values for _, values in curves]
        else:
            elbow_y, shown = _plot_split(
                ax, run, split, window, show_loss, per_example, found, columns, keep
            )
        ax.set_xlim(0, max(window - 1, 1))
        ax.set_ylim(bottom=0)
        safe_limits(ax, "y", np.concatenate(shown) if shown else [])
        if found is not None and found.x < window and elbow_y is not None:
            _mark_elbow(ax, found, elbow_y, window)
        ax.set_title(
            f"First {count(window, 'iteration')}"
            if window < len(history) or window in WINDOWS
            else f"All {count(window, 'iteration')}"
        )
        ax.set_xlabel("iteration")
        ax.set_ylabel("error" if split is None or not per_example else "error per example")
        ax.xaxis.set_major_formatter(thousands)
        style_axes(ax)
    if chosen:
        # One legend for all panels, under them: it never hides a curve or the elbow's label.
        handles: dict[str, Any] = {}
        for ax in axes[:n_panels]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        legend_below(fig, list(handles.values()), list(handles), ncol=legend_cols, frameon=True)
    else:
        axes[0].text(
            0.5,
            0.5,
            "this run recorded no iterations",
            ha="center",
            va="center",
            transform=axes[0].transAxes,
        )
    elbow_text = found.describe() if found is not None else "no elbow found"
    if split is None:
        fig.suptitle(f"How the error falls during training ({elbow_text})", fontsize=13)
    else:
        fig.suptitle(
            f"Training ({count(split.n_train, 'example')}) and held-out test "
            f"({count(split.n_test, 'example')}) error"
            f"\n({'per example, ' if per_example else ''}training curve's {elbow_text})",
            fontsize=12,
        )
    return fig


_STYLES: dict[str, dict[str, Any]] = {
    "error_sum": {"color": PALETTE[0], "linewidth": 1.6},
    "loss": {"color": PALETTE[1], "linewidth": 1.4, "linestyle": "--"},
}


def _label(run: Run, key: str) -> str:
    return ERROR_LABEL if key == "error_sum" else loss_label(run)


def _draw(ax: Any, values: Array, columns: int, keep: tuple[int, ...], **style: Any) -> None:
    """Plot ``values`` against iterations ``0 .. len-1``, through the points ``columns`` can show."""
    iterations = np.arange(len(values))
    shown = visible_points(iterations, values, columns, keep=keep)
    ax.plot(iterations[shown], drawable(values[shown]), **style)


def _mark_elbow(ax: Any, found: Elbow, elbow_y: float, window: int) -> None:
    """The elbow's dotted line, dot and label; the label turns to stay inside the axes."""
    ax.axvline(found.x, color=PALETTE[3], linestyle=":", linewidth=1.2)
    ax.plot(
        [found.x],
        [elbow_y],
        marker="o",
        markersize=7,
        color=PALETTE[3],
        linestyle="none",
        label=f"elbow (iteration {found.x:,.0f})",
        gid=f"elbow-{window}",
    )
    low, high = ax.get_ylim()
    across = found.x / max(window - 1, 1)
    up = (elbow_y - low) / (high - low) if high > low else 0.5
    ax.annotate(
        f"elbow ~{found.x:,.0f}",
        (found.x, elbow_y),
        xytext=(-8 if across > 0.75 else 8, -10 if up > 0.8 else 10),
        textcoords="offset points",
        ha="right" if across > 0.75 else "left",
        va="top" if up > 0.8 else "bottom",
        fontsize=9,
        color=PALETTE[3],
        gid=f"elbow-label-{window}",
    )


def split_labels(split: SplitCurves, per_example: bool, loss_text: str) -> dict[str, str]:
    """Legend labels of a split run's four curves, keyed like their ``gid`` prefixes."""
    if per_example:
        error, loss = "mean |target - prediction| per example", f"{loss_text}, per example"
    else:
        error, loss = "sum of |target - prediction|", loss_text
    return {
        "error_sum": f"training: {error} ({count(split.n_train, 'example')})",
        "test_error_sum": f"held-out test: {error} ({count(split.n_test, 'example')})",
        "loss": f"training: {loss}",
        "test_loss": f"held-out test: {loss}",
    }


def _plot_split(
    ax: Any,
    run: Run,
    split: SplitCurves,
    window: int,
    show_loss: bool,
    per_example: bool,
    found: Elbow | None,
    columns: int,
    keep: tuple[int, ...],
) -> tuple[float | None, list[Array]]:
    """Draw the training and held-out test curves of one window; return the elbow's height
    and the values drawn."""
    # split.* hold run.history's values for #0 .. #N-1 (and the final #N after them).
    scale = {
        "error_sum": split.n_train,
        "loss": split.n_train,
        "test_error_sum": split.n_test,
        "test_loss": split.n_test,
    }
    series = {
        key: getattr(split, key)[:window] / scale[key]
        if per_example
        else getattr(split, key)[:window]
        for key in scale
    }
    labels = split_labels(split, per_example, loss_label(run))
    keys = ("error_sum", "test_error_sum") + (("loss", "test_loss") if show_loss else ())
    for key in keys:
        test = key.startswith("test_")
        is_loss = key.endswith("loss")
        _draw(
            ax,
            series[key],
            columns,
            keep,
            color=TEST_COLOR if test else TRAIN_COLOR,
            linewidth=1.2 if is_loss else 1.8,
            linestyle="--" if is_loss else "-",
            label=labels[key],
            gid=f"{key}-{window}",
        )
    shown = [series[key] for key in keys]
    if found is None:
        return None, shown
    height = float(series["error_sum"][found.index]) if found.index < window else found.y
    return height, shown
