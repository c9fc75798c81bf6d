"""What the pictures show, computed from a run's checkpoints into frozen dataclasses.

The plots and the HTML report only *read* these; every forward pass they need
is made here, with the reference arithmetic of :mod:`glassnet.network`.

- :func:`weight_paths`: every weight (and bias) at each recorded iteration.
- :func:`prediction_paths`: each example's prediction at each recorded iteration.
- :func:`loss_landscape`: the loss over a plane through two chosen weights
  (the others held at their final values), with the training path in that plane.

"Recorded iterations" are the run's checkpoints (for the post's run every
iteration up to #999, then every 99th) plus the final iteration ``#N``: their
weights are stored, so nothing here replays training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from glassnet.errors import ConfigError
from glassnet.network import forward, parameter_names
from glassnet.run import Run
from glassnet.types import Array


@dataclass(frozen=True, eq=False)
class WeightPaths:
    """Every trainable number at each recorded iteration.

    Attributes
    ----------
    iterations : (n_points,) int64
        The recorded iterations, ascending, ending with ``N``.
    values : (n_points, n_params) float64
        ``values[t, p]``: parameter ``p`` in iteration ``#iterations[t]``.
    names : tuple of str, length n_params
        ``"W0[i,j]"``: the weight from input ``i`` to unit ``j`` of weight layer
        0 (0-based layer, ``i`` and ``j``, like numpy); ``"b0[j]"``: unit ``j``'s bias.
    """

    iterations: npt.NDArray[np.int64]
    values: Array
    names: tuple[str, ...]

    @property
    def moved(self) -> Array:
        """``|final - initial|`` of each parameter, shape ``(n_params,)``."""
        return np.abs(self.values[-1] - self.values[0])


@dataclass(frozen=True, eq=False)
class PredictionPaths:
    """Each example's prediction at each recorded iteration.

    Attributes
    ----------
    iterations : (n_points,) int64
        As in :class:`WeightPaths`.
    predictions : (n_points, n_samples, n_out) float64
        The network's output for every example.
    targets : (n_samples, n_out) float64
        ``y``.
    """

    iterations: npt.NDArray[np.int64]
    predictions: Array
    targets: Array


@dataclass(frozen=True, eq=False)
class Landscape:
    """The loss over a plane through two parameters, and the training path in it.

    The plane varies parameters ``names[0]`` (horizontal) and ``names[1]``
    (vertical); every other parameter is held at its final value. The path is
    the two parameters' values at each recorded iteration; while training, the
    other parameters moved too, so the loss along the path is the run's loss,
    not the height of the surface beneath it (they agree at the final point).

    Attributes
    ----------
    names : (str, str)
        The two parameters.
    indices : (int, int)
        Their positions in :attr:`WeightPaths.names`.
    u : (n_u,) float64
        Values of the first parameter (grid columns).
    v : (n_v,) float64
        Values of the second parameter (grid rows).
    loss : (n_v, n_u) float64
        ``loss[r, c]``: the training loss with the first parameter ``u[c]`` and
        the second ``v[r]``.
    path : (n_points, 2) float64
        The two parameters at each recorded iteration.
    path_iterations : (n_points,) int64
        Which iterations those are.
    loss_name : str
        The loss function's name.
    """

    names: tuple[str, str]
    indices: tuple[int, int]
    u: Array
    v: Array
    loss: Array
    path: Array
    path_iterations: npt.NDArray[np.int64]
    loss_name: str


def recorded_iterations(run: Run) -> npt.NDArray[np.int64]:
    """The checkpointed iterations plus ``N``, ascending (int64)."""
    its = np.asarray(run.checkpoints.iterations, dtype=np.int64)
    if len(its) == 0 or its[-1] != run.iterations:
        its = np.append(its, np.int64(run.iterations))
    return its


def weight_paths(run: Run) -> WeightPaths:
    """Every weight and bias at each recorded iteration (read from the checkpoints)."""
    ckpt = run.checkpoints
    rows = [ckpt.at(t).flat() for t in range(len(ckpt.iterations))]
    iterations = recorded_iterations(run)
    if len(rows) < len(iterations):
        rows.append(run.final.flat())
    return WeightPaths(iterations, np.vstack(rows), parameter_names(run.network))


def prediction_paths(run: Run, weights: WeightPaths | None = None) -> PredictionPaths:
    """The forward pass of every recorded iteration: each example's prediction."""
    weights = weight_paths(run) if weights is None else weights
    with np.errstate(all="ignore"):
        predictions = np.stack(
            [
                forward(run.network, run.initial.with_flat(row), run.data.X)[1][-1]
                for row in weights.values
            ]
        )
    return PredictionPaths(weights.iterations, predictions, run.data.y.copy())


def most_moved(weights: WeightPaths, count: int = 2) -> tuple[int, ...]:
    """Positions of the ``count`` parameters that moved most (``|final - initial|``), largest first.

    Ties keep the earlier parameter first.
    """
    order = np.argsort(-weights.moved, kind="stable")
    return tuple(int(i) for i in order[:count])


#: Largest magnitude a landscape axis covers: beyond it the grid's own span
#: (``high - low`` plus margins) would overflow float64 (weights near 1e308).
GRID_LIMIT = 1e307


def _axis(values: Array, final: float, resolution: int, margin: float) -> Array:
    """An evenly spaced axis covering ``values`` (and ``final``) with ``margin`` of the span each side.

    Only finite values count, cut to +-:data:`GRID_LIMIT`; with none, the axis is ``-1 .. 1``.
    """
    both = np.append(np.asarray(values, dtype=np.float64), final)
    finite = np.clip(both[np.isfinite(both)], -GRID_LIMIT, GRID_LIMIT)
    if finite.size == 0:
        return np.linspace(-1.0, 1.0, resolution)
    low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else max(1.0, abs(low))
    return np.linspace(low - margin * span, high + margin * span, resolution)


def loss_landscape(
    run: Run,
    pair: tuple[str, str] | tuple[int, int] | None = None,
    *,
    resolution: int = 61,
    margin: float = 0.15,
    weights: WeightPaths | None = None,
) -> Landscape:
    """The loss over the plane through two parameters, the others at their final values.

    Parameters
    ----------
    run : Run
    pair : two names (``"W0[0,0]"``) or two positions, optional
        The parameters spanning the plane; default the two that moved most.
    resolution : int
        Grid points along each axis (``resolution ** 2`` forward passes).
    margin : float
        How far the grid extends beyond the path, as a fraction of its span.

    Returns
    -------
    Landscape
        ``loss[r, c] = L(y, f(X; theta))`` with ``theta`` the final parameters
        except ``theta[i] = u[c]``, ``theta[j] = v[r]``.
    """
    weights = weight_paths(run) if weights is None else weights
    n_params = len(weights.names)
    if n_params < 2:
        raise ConfigError(
            f"a loss landscape needs two parameters to vary; this network has {n_params}."
        )
    if resolution < 2:
        raise ConfigError(f"the landscape resolution must be >= 2 grid points; got {resolution}.")
    if pair is None:
        i, j = most_moved(weights, 2)
    else:
        i, j = (_position(weights.names, p) for p in pair)
        if i == j:
            raise ConfigError(
                f"the landscape needs two different parameters; got {weights.names[i]} twice."
            )
    final = weights.values[-1]
    u = _axis(weights.values[:, i], final[i], resolution, margin)
    v = _axis(weights.values[:, j], final[j], resolution, margin)
    theta = final.copy()
    loss = np.empty((len(v), len(u)))
    with np.errstate(all="ignore"):
        for r, v_value in enumerate(v):
            for c, u_value in enumerate(u):
                theta[i], theta[j] = u_value, v_value
                prediction = forward(run.network, run.initial.with_flat(theta), run.data.X)[1][-1]
                loss[r, c] = run.network.loss.fn(run.data.y, prediction)
    return Landscape(
        names=(weights.names[i], weights.names[j]),
        indices=(i, j),
        u=u,
        v=v,
        loss=loss,
        path=weights.values[:, [i, j]].copy(),
        path_iterations=weights.iterations,
        loss_name=run.network.loss.name,
    )


def _position(names: tuple[str, ...], which: str | int) -> int:
    if isinstance(which, (int, np.integer)) and not isinstance(which, bool):
        if 0 <= which < len(names):
            return int(which)
        raise ConfigError(
            f"landscape parameter positions must be from 0 to {len(names) - 1}; got {which}."
        )
    if which in names:
        return names.index(which)
    import difflib

    close = difflib.get_close_matches(str(which), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"unknown landscape parameter {which!r}; this network has {', '.join(names)}.{hint}"
    )
