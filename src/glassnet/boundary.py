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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.network import forward
from glassnet.run import Run
from glassnet.types import Array, IntArray

#: Grid points per side, by default.
RESOLUTION = 41
#: The most iterations :func:`boundary` evaluates by default (frames of an animation).
MAX_FRAMES = 48


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


def frames(run: Run, count: int = MAX_FRAMES) -> IntArray:
    """Up to ``count`` iterations to show: the first, the last and recorded ones between,
    spaced evenly on a log scale (learning happens early)."""
    recorded = np.unique(np.append(run.checkpoints.iterations, run.iterations)).astype(np.int64)
    if len(recorded) <= count:
        return recorded
    wanted = np.unique(np.round(np.geomspace(1, run.iterations + 1, count)).astype(np.int64) - 1)
    index = np.unique(np.searchsorted(recorded, wanted).clip(0, len(recorded) - 1))
    picked = recorded[index]
    return np.unique(np.concatenate([[0], picked, [run.iterations]])).astype(np.int64)


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
