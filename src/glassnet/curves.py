"""The elbow of a training curve: where quick progress turns into slow shaving.

The post looks at its error curve and says the curve has an "elbow
point" around iteration 100: before it the error falls fast, after it most of
the effort goes into removing tiny amounts. :func:`elbow` finds that point by a
stated, reproducible rule.

Method (maximum distance to the chord, as in Kneedle)
------------------------------------------------------
1. Put the curve's points on axes scaled to ``[0, 1]``:
   ``u = (x - x_first) / (x_last - x_first)`` and
   ``v = (y - min y) / (max y - min y)``; with ``log_x=True``, ``x`` is first
   replaced by ``log10(x)``.
2. Draw the chord, the straight line from the first point to the last.
3. The elbow is the point farthest from the chord (perpendicular distance
   ``|(v1 - v0) u - (u1 - u0) v + u1 v0 - v1 u0| / sqrt((u1-u0)^2 + (v1-v0)^2)``)
   **on the knee's side**: below the chord for a falling curve, above it for a
   rising one. That is where steep progress turns into slow progress.

For a curve made of two straight pieces, the corner is the farthest point, so
the rule returns exactly the corner.

Why only one side: a curve that sits on a plateau before it drops (Trask's xor
network waits about 100 iterations before its error falls) bends twice, first
where the plateau turns into the drop (above the chord: the "shoulder"), then
where the drop turns into slow shaving (below it: the knee). Only the knee is
the elbow the post means; measured on both sides, the shoulder can be the
farther point (xor: iteration 77 on the plateau, where the knee is at 946).
A curve with no point on the knee's side (a plateau that only ends at the
last point) has no elbow.

For a run's error curve (:func:`error_elbow`) glassnet uses the error sum of
iterations ``#1 .. #N-1`` with the iteration axis on a **log scale**: on a log
axis the answer hardly depends on how many iterations were run, while on a
linear axis the elbow of the first 1,000 iterations and the elbow of the first
100,000 are far apart (for the post's run: 111 and 2,051). The post's run gives
iteration 180; Trask's xor network (``[3, 4, 1]``, seed 1, 60,000 iterations)
iteration 946, just after its drop.

Drawing a long curve
--------------------
A figure cannot show more than a few points per pixel column: the post's run's
100,000 iterations in a panel 1,300 pixels wide put 77 iterations in each
column. :func:`visible_points` keeps, in every column, the first and the last
point and the lowest and the highest (the "M4" rule of Jugel et al., VLDB
2014): a line through them covers exactly the pixels the full line covers, so
the picture is the same and every point drawn is a recorded one. The ends,
the extremes, the points asked for (the elbow) and the edges of every gap
(values that are not finite) are always kept.

Training and held-out test curves
---------------------------------
A run with a held-out split (``[data] test_fraction``) records the error sum
and the loss of the training examples and of the test examples at every
iteration. Both are *sums over examples*, and the two parts have different
sizes (a quarter held out: the training sum adds three times as many terms),
so :func:`split_curves` also gives them per example,
``mean error = error_sum / n_examples``, the figure that can be compared
side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from glassnet.activations import Array

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.run import Run


@dataclass(frozen=True)
class Elbow:
    """The elbow of a curve.

    Attributes
    ----------
    index : int
        Position of the elbow point in the arrays given.
    x, y : float
        The point itself, in the curve's own units (``x`` not logged).
    distance : float
        Its distance to the chord on the ``[0, 1]`` scaled axes (0: the curve
        is a straight line; larger: a sharper bend).
    log_x : bool
        Whether ``x`` was put on a log scale.
    """

    index: int
    x: float
    y: float
    distance: float
    log_x: bool

    def describe(self) -> str:
        """``"elbow near iteration ~180"`` (``x`` rounded to two significant digits)."""
        return f"elbow near iteration ~{round_to_significant(self.x, 2):,}"


def round_to_significant(value: float, digits: int) -> int:
    """``value`` rounded to ``digits`` significant digits, as a whole number (180.4 -> 180)."""
    if value == 0:
        return 0
    scale = 10 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return int(round(value / scale) * scale)


def chord_distances(x: Array, y: Array) -> Array:
    """Distance of each point of ``(x, y)`` to the chord, on axes scaled to ``[0, 1]``.

    Parameters
    ----------
    x, y : (n_points,) float
        The curve; ``x`` strictly increasing, both finite.

    Returns
    -------
    (n_points,) float
        Zero at both ends of the curve.
    """
    return np.abs(knee_side_distances(x, y))


def _scaled(x: Array, y: Array) -> tuple[Array, Array]:
    """``(u, v)``: the curve on axes scaled to ``[0, 1]`` (step 1 of the method)."""
    u = (x - x[0]) / (x[-1] - x[0])
    y_span = float(np.max(y) - np.min(y))
    v = (y - np.min(y)) / y_span if y_span > 0 else np.zeros_like(y)
    return u, v


def knee_side_distances(x: Array, y: Array) -> Array:
    """Signed distance of each point of ``(x, y)`` to the chord, positive on the knee's side.

    The knee's side is below the chord for a curve that falls (``y[-1] <= y[0]``)
    and above it for one that rises; the absolute value is
    :func:`chord_distances`.

    Parameters
    ----------
    x, y : (n_points,) float
        The curve; ``x`` strictly increasing, both finite.

    Returns
    -------
    (n_points,) float
        ``side * (v_chord(u) - v) * du / sqrt(du^2 + dv^2)`` on the scaled axes,
        with ``v_chord(u) = v0 + (v1 - v0) u`` and ``side = +1`` (falling) or
        ``-1`` (rising). Zero at both ends.
    """
    u, v = _scaled(x, y)
    du, dv = u[-1] - u[0], v[-1] - v[0]
    below = v[0] + dv * (u - u[0]) / du - v  # vertical offset under the chord
    side = 1.0 if v[-1] <= v[0] else -1.0
    return side * below * du / math.hypot(du, dv)


def elbow(y: Array, x: Array | None = None, *, log_x: bool = False) -> Elbow | None:
    """The point of ``(x, y)`` farthest from the chord on the knee's side (the method in the
    module docstring).

    Parameters
    ----------
    y : (n_points,) float
        The curve's values, e.g. the error of each iteration.
    x : (n_points,) float, optional
        Strictly increasing positions; default ``0, 1, ..., n_points - 1``.
    log_x : bool
        Measure on a ``log10(x)`` axis (then every ``x`` must be > 0).

    Returns
    -------
    Elbow or None
        ``None`` when there is no bend to find: fewer than 3 points, any value
        not finite, a curve that is a straight line, or one with no point on
        the knee's side of the chord.
    """
    y = np.asarray(y, dtype=np.float64)
    x = np.arange(len(y), dtype=np.float64) if x is None else np.asarray(x, dtype=np.float64)
    if x.shape != y.shape or y.ndim != 1:
        raise ValueError(f"x and y must be 1-d and the same length; got {x.shape} and {y.shape}.")
    if len(y) < 3 or not (np.all(np.isfinite(y)) and np.all(np.isfinite(x))):
        return None
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing.")
    if log_x and x[0] <= 0:
        raise ValueError(f"a log x axis needs every x > 0; got x[0] = {x[0]}.")
    distances = knee_side_distances(np.log10(x) if log_x else x, y)
    index = int(np.argmax(distances))
    if distances[index] <= 1e-12:
        return None
    return Elbow(index, float(x[index]), float(y[index]), float(distances[index]), log_x)


def error_elbow(error: Array) -> Elbow | None:
    """The elbow of a run's error curve, on a log iteration axis.

    Parameters
    ----------
    error : (n_recorded,) float
        The error (or loss) of iterations ``#0 .. #n_recorded-1``, e.g.
        ``run.history.error_sum``. Iteration ``#0`` has no place on a log axis
        and is left out.

    Returns
    -------
    Elbow or None
        ``Elbow.x`` is the iteration number, ``Elbow.index`` its position in
        ``error``.
    """
    error = np.asarray(error, dtype=np.float64)
    found = elbow(error[1:], np.arange(1, len(error), dtype=np.float64), log_x=True)
    if found is None:
        return None
    return Elbow(found.index + 1, found.x, found.y, found.distance, True)


def visible_points(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    columns: int,
    *,
    log_x: bool = False,
    keep: tuple[int, ...] = (),
) -> npt.NDArray[np.int64]:
    """Positions of the points of ``(x, y)`` a line ``columns`` pixels wide can show.

    Parameters
    ----------
    x : (n_points,) float
        Increasing positions (``> 0`` with ``log_x``).
    y : (n_points,) float
        Values; ``nan`` and ``inf`` are gaps in the line.
    columns : int
        Pixel columns the x range spans (drawn at the highest resolution meant).
    log_x : bool
        Columns of equal width on a ``log10(x)`` axis.
    keep : tuple of int
        Positions that are always kept (e.g. the elbow).

    Returns
    -------
    (n_kept,) int64
        Ascending positions: per column the first, last, lowest and highest
        point; the first and last point; ``keep``; each point next to a change
        between finite and not finite. All positions when ``n_points <= 4 *
        columns`` (nothing to gain).
    """
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if n <= 4 * max(columns, 1):
        return np.arange(n, dtype=np.int64)
    pos = np.log10(np.asarray(x, dtype=np.float64)) if log_x else np.asarray(x, dtype=np.float64)
    span = pos[-1] - pos[0]
    column = np.zeros(n, dtype=np.int64)
    if span > 0:
        column = np.minimum(((pos - pos[0]) / span * columns).astype(np.int64), columns - 1)
    starts = np.flatnonzero(np.diff(column, prepend=-1))
    ends = np.append(starts[1:], n) - 1
    finite = np.isfinite(y)
    index = np.arange(n, dtype=np.int64)
    # Lowest and highest finite value of each column: its first position holding it.
    low = np.where(finite, y, np.inf)
    high = np.where(finite, y, -np.inf)
    lengths = ends - starts + 1
    is_low = low == np.repeat(np.minimum.reduceat(low, starts), lengths)
    is_high = high == np.repeat(np.maximum.reduceat(high, starts), lengths)
    first_low = np.minimum.reduceat(np.where(is_low & finite, index, n), starts)
    first_high = np.minimum.reduceat(np.where(is_high & finite, index, n), starts)
    change = np.flatnonzero(finite[1:] != finite[:-1])  # a gap starts or ends here
    kept = np.concatenate(
        [starts, ends, first_low, first_high, change, change + 1, [0, n - 1], list(keep)]
    ).astype(np.int64)
    kept = kept[(kept >= 0) & (kept < n)]
    return np.unique(kept)


@dataclass(frozen=True, eq=False)
class SplitCurves:
    """The training and held-out test figures of a split run, as sums and per example.

    Entry ``k`` of every array belongs to iteration ``#k``, for ``k = 0 .. N``
    (``N`` = the updates applied): ``#0 .. #N-1`` are ``run.history``, ``#N``
    is the final forward pass (``run.final_error_sum`` and friends) unless the
    history already holds it (a run that stopped at its bad iteration).

    Attributes
    ----------
    n_train, n_test : int
        Examples trained on and examples held out.
    loss, error_sum : (N + 1,) float64
        Sums over the training examples (``run.history.loss`` / ``error_sum``).
    test_loss, test_error_sum : (N + 1,) float64
        The same sums over the held-out examples, under the same weights.
    """

    n_train: int
    n_test: int
    loss: Array
    error_sum: Array
    test_loss: Array
    test_error_sum: Array

    @property
    def mean_error(self) -> Array:
        """``error_sum / n_train``: mean ``|y - a|`` per training example."""
        return self.error_sum / self.n_train

    @property
    def test_mean_error(self) -> Array:
        """``test_error_sum / n_test``: mean ``|y - a|`` per held-out example."""
        return self.test_error_sum / self.n_test

    @property
    def mean_loss(self) -> Array:
        """``loss / n_train``: the training loss per example."""
        return self.loss / self.n_train

    @property
    def test_mean_loss(self) -> Array:
        """``test_loss / n_test``: the held-out loss per example."""
        return self.test_loss / self.n_test


def split_curves(run: Run) -> SplitCurves | None:
    """The training and held-out test curves of ``run``, or ``None`` without a split.

    Nothing is recomputed: the values are the run's recorded history and its
    recorded final figures (see :class:`SplitCurves`).
    """
    history = run.history
    if run.test is None or history.test_loss is None or history.test_error_sum is None:
        return None

    def through_final(recorded: Array, final: float | None) -> Array:
        recorded = np.asarray(recorded, dtype=np.float64)
        if len(recorded) > run.iterations or final is None:
            return recorded[: run.iterations + 1].copy()
        return np.append(recorded, final)

    return SplitCurves(
        n_train=len(run.data.X),
        n_test=len(run.test.X),
        loss=through_final(history.loss, run.final_loss),
        error_sum=through_final(history.error_sum, run.final_error_sum),
        test_loss=through_final(history.test_loss, run.final_test_loss),
        test_error_sum=through_final(history.test_error_sum, run.final_test_error_sum),
    )
