"""Decision boundaries: what a two-input network outputs over its input plane.

For a run whose examples are points of a plane (a 2-D set of
:mod:`glassnet.data.planar`, whatever its features, or any data with exactly
two inputs), :func:`boundary` evaluates the network on a grid of that plane at
some of the run's recorded iterations: the output of every unit of the last
layer (the decision boundary is where a sigmoid output crosses 0.5) and of
every hidden unit (the playground's small pictures on each unit). It replays
the weights of each iteration from the run's checkpoints and uses the
reference forward pass; renderers (the boundary plot, the report's animation,
the playground) only read the result.

How the outputs read, for every picture of them: one output is a value whose
decision boundary is the level :func:`threshold` (0.5 for a sigmoid); several
probability outputs with 0/1 targets (softmax, or one-hot sigmoids) are
classes, the largest output winning (:func:`reads_classes`, :func:`classes_of`),
as ``glassnet predict`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.activations import Activation
from glassnet.network import forward
from glassnet.run import Run
from glassnet.types import Array, IntArray

#: Grid points per side, by default.
RESOLUTION = 41
#: The most iterations :func:`boundary` evaluates by default (frames of an animation).
MAX_FRAMES = 48
#: Where one probability output (a sigmoid's) changes class: class 1 above it.
PROBABILITY_THRESHOLD = 0.5


@dataclass(frozen=True, eq=False)
class Boundary:
    """The network's outputs over a grid of its input plane, at some iterations.

    Attributes
    ----------
    x1, x2 : (resolution,) float64
        The grid's coordinates along each axis of the plane.
    iterations : (n_frames,) int64
        The iterations evaluated (weights after that many updates).
    output : (n_frames, resolution, resolution, n_out) float64
        The last layer's outputs; ``output[f, i, j]`` is at ``(x1[j], x2[i])``.
    hidden : tuple of (n_frames, resolution, resolution, n_units) float64
        Every hidden layer's outputs on the same grid.
    points : (n_samples, 2) float64
        The training examples' positions in the plane.
    labels : (n_samples, n_out) float64
        Their targets.
    """

    x1: Array
    x2: Array
    iterations: IntArray
    output: Array
    hidden: tuple[Array, ...]
    points: Array
    labels: Array


def plane_of(run: Run) -> Array | None:
    """The run's examples as points of a plane ``(n_samples, 2)``, or ``None`` if they are not."""
    if run.data.plane is not None:
        return run.data.plane
    if run.data.X.shape[1] == 2:
        return run.data.X
    return None


def plane_names(run: Run) -> tuple[str, str]:
    """The names of the plane's two axes.

    ``("x1", "x2")`` for a 2-D set, whatever its features (the network may read
    ``x1^2`` or ``sin(x2)``; the plane is still that of the points); else the
    two inputs' names, marked ``(standardized)`` when the network reads them
    scaled (``[data] standardize``), since the plane is then the scaled one.
    """
    if run.data.plane is not None:
        return ("x1", "x2")
    names = run.data.input_names if len(run.data.input_names) == 2 else ("input 1", "input 2")
    if run.data.scaling is not None:
        return (f"{names[0]} (standardized)", f"{names[1]} (standardized)")
    return (names[0], names[1])


def reads_classes(run: Run) -> bool:
    """Whether the outputs read as classes, the largest output winning.

    True for several outputs of a probability activation (softmax, or sigmoids)
    with every target 0 or 1 (one-hot classes), as ``glassnet predict`` reads
    them; one output is read against :func:`threshold` instead.
    """
    y = run.data.y
    return (
        y.shape[1] > 1
        and run.network.activations[-1].probability
        and bool(np.all((y == 0) | (y == 1)))
    )


def threshold(run: Run) -> float:
    """The level of one output where its decision boundary lies.

    :data:`PROBABILITY_THRESHOLD` (0.5) for a probability output (sigmoid):
    class 1 above, class 0 below. Any other output (tanh, linear, ...) is cut
    halfway between its lowest and highest target, ``(min y + max y) / 2``:
    0.5 for 0/1 targets, 0 for -1/1 ones.
    """
    if run.network.activations[-1].probability:
        return PROBABILITY_THRESHOLD
    y = run.data.y[np.isfinite(run.data.y)]
    return float((y.min() + y.max()) / 2) if y.size else 0.0


def value_range(act: Activation, values: Array) -> tuple[float, float]:
    """The colour scale ``(low, high)`` of a unit's outputs ``values`` (any shape).

    The activation's range where it is finite (sigmoid 0..1, tanh -1..1), so
    that pictures at different iterations compare; else up to the largest
    finite ``|value|``: ``0 .. max`` for a unit that is never negative (relu,
    softplus), ``-max .. max`` for the others (linear, leaky relu). ``(0, 1)``
    when no value is finite.
    """
    if np.isfinite(act.low) and np.isfinite(act.high):
        return float(act.low), float(act.high)
    finite = np.asarray(values)[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    top = float(np.max(np.abs(finite))) or 1.0
    return (-top, top) if act.low < 0 else (0.0, top)


def output_scale(run: Run, values: Array) -> tuple[float, float, float]:
    """``(low, center, high)``: the colour scale of one output's ``values``, centred at the decision level.

    ``center`` is :func:`threshold`; ``low .. high`` is :func:`value_range` of
    the output activation, widened to hold the centre and every finite target
    (the points are coloured by their targets on the same scale).
    """
    center = threshold(run)
    low, high = value_range(run.network.activations[-1], values)
    y = run.data.y[np.isfinite(run.data.y)]
    low = min([low, center, *([float(y.min())] if y.size else [])])
    high = max([high, center, *([float(y.max())] if y.size else [])])
    if high <= low:
        high = low + 1.0
    return low, center, high


def classes_of(values: Array) -> tuple[IntArray, Array]:
    """The winning class and its value along the last axis of ``values`` ``(..., n_classes)``.

    Returns ``(classes, largest)``, both of shape ``values.shape[:-1]``:
    ``argmax`` and ``max`` over the last axis; where any of a cell's values is
    not finite, class ``-1`` and value ``nan``.
    """
    array = np.asarray(values, dtype=np.float64)
    finite = np.all(np.isfinite(array), axis=-1)
    safe = np.where(np.isfinite(array), array, -np.inf)
    classes = np.where(finite, np.argmax(safe, axis=-1), -1).astype(np.int64)
    largest = np.where(finite, np.max(safe, axis=-1), np.nan)
    return classes, largest


def frames(
    run: Run, count: int = MAX_FRAMES, among: IntArray | list[int] | None = None
) -> IntArray:
    """Up to ``count`` iterations to show: the first, the last and recorded ones between,
    spaced evenly on a log scale (learning happens early).

    ``among`` restricts the choice to those recorded iterations (default: the
    run's checkpoints and its last iteration).
    """
    recorded = (
        np.unique(np.append(run.checkpoints.iterations, run.iterations))
        if among is None
        else np.unique(np.asarray(among))
    ).astype(np.int64)
    if len(recorded) <= count:
        return recorded
    wanted = np.unique(np.round(np.geomspace(1, run.iterations + 1, count)).astype(np.int64) - 1)
    index = np.unique(np.searchsorted(recorded, wanted).clip(0, len(recorded) - 1))
    picked = recorded[index]
    return np.unique(np.concatenate([recorded[:1], picked, recorded[-1:]])).astype(np.int64)


def boundary(
    run: Run,
    resolution: int = RESOLUTION,
    iterations: IntArray | list[int] | None = None,
) -> Boundary:
    """The network's outputs over its input plane at ``iterations`` (default :func:`frames`).

    Raises
    ------
    ValueError
        If the run's examples are not points of a plane.
    """
    points = plane_of(run)
    if points is None:
        raise ValueError(
            f"a decision boundary needs examples in a plane (two inputs, or a 2-D set); "
            f"this run has {run.data.X.shape[1]} inputs"
        )
    low = points.min(axis=0)
    high = points.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    x1 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    x2 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    g1, g2 = np.meshgrid(x1, x2)
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    X = run.data.inputs_at(grid) if run.data.plane is not None else grid
    chosen = frames(run) if iterations is None else np.asarray(iterations, dtype=np.int64)
    outputs, hidden = [], []
    with np.errstate(all="ignore"):
        for k in chosen:
            _, acts = forward(run.network, run.weights_at(int(k)), X)
            outputs.append(acts[-1].reshape(resolution, resolution, -1))
            hidden.append([a.reshape(resolution, resolution, -1) for a in acts[1:-1]])
    return Boundary(
        x1=x1,
        x2=x2,
        iterations=chosen,
        output=np.stack(outputs),
        hidden=tuple(np.stack([h[layer] for h in hidden]) for layer in range(len(hidden[0]))),
        points=points,
        labels=run.data.y,
    )
