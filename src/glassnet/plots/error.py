"""The seed's four error graphs: the error over the first 100, 1,000, 10,000 and 100,000 iterations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from glassnet.curves import Elbow, error_elbow
from glassnet.plots._style import PALETTE, new_figure, style_axes, thousands
from glassnet.run import Run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: The windows of the seed post's four graphs.
WINDOWS = (100, 1_000, 10_000, 100_000)

ERROR_LABEL = "sum of |target - prediction| (the post's error)"


def windows_for(n_recorded: int, windows: Sequence[int] = WINDOWS) -> list[int]:
    """The windows that fit the run, the last one cut to its length: ``[100, 1000, 1500]``."""
    chosen = sorted({min(int(w), n_recorded) for w in windows if w > 0})
    return [w for w in chosen if w > 0]


def loss_label(run: Run) -> str:
    return f"loss, {run.network.loss.formula.replace('y', 'target').replace('a)', 'prediction)')}"


def plot_error(run: Run, windows: Sequence[int] = WINDOWS, show_loss: bool = True) -> Figure:
    """The error sum (and the loss) of iterations ``#0 .. #w-1`` for each window ``w``.

    Each panel plots ``run.history.error_sum[:w]`` against iterations
    ``0 .. w-1`` exactly (no smoothing), on a linear axis like the post. The
    elbow found by :func:`glassnet.curves.error_elbow` (the point farthest from
    the chord on a log iteration axis) is marked in every panel it falls in,
    and named in the figure's title.
    """
    history = run.history
    chosen = windows_for(len(history), windows)
    found: Elbow | None = error_elbow(history.error_sum)
    n_panels = max(1, len(chosen))
    n_cols = 2 if n_panels > 1 else 1
    n_rows = (n_panels + n_cols - 1) // n_cols
    fig = new_figure(5.2 * n_cols, 3.6 * n_rows + 0.6)
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    for ax, window in zip(axes, chosen):
        iterations = np.arange(window)
        ax.plot(iterations, history.error_sum[:window], color=PALETTE[0], linewidth=1.6,
                label=ERROR_LABEL, gid=f"error_sum-{window}")
        if show_loss:
            ax.plot(iterations, history.loss[:window], color=PALETTE[1], linewidth=1.4,
                    linestyle="--", label=loss_label(run), gid=f"loss-{window}")
        if found is not None and found.x < window:
            ax.axvline(found.x, color=PALETTE[3], linestyle=":", linewidth=1.2)
            ax.plot([found.x], [found.y], marker="o", markersize=7, color=PALETTE[3],
                    linestyle="none", label=f"elbow (iteration {found.x:,.0f})", gid=f"elbow-{window}")
            ax.annotate(f"elbow ~{found.x:,.0f}", (found.x, found.y), xytext=(8, 10),
                        textcoords="offset points", fontsize=9, color=PALETTE[3])
        ax.set_title(f"First {window:,} iterations" if window < len(history) or window in WINDOWS
                     else f"All {window:,} iterations")
        ax.set_xlabel("iteration")
        ax.set_ylabel("error")
        ax.set_xlim(0, max(window - 1, 1))
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_formatter(thousands)
        style_axes(ax)
    if chosen:
        axes[0].legend(loc="upper right", fontsize=8, frameon=True)
    else:
        axes[0].text(0.5, 0.5, "this run recorded no iterations", ha="center", va="center",
                     transform=axes[0].transAxes)
    elbow_text = found.describe() if found is not None else "no elbow found"
    fig.suptitle(f"How the error falls during training ({elbow_text})", fontsize=13)
    return fig
