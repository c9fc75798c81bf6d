"""Two-dimensional toy datasets, as TensorFlow Playground draws them, and their input features.

Every set is ``n`` points ``(x1, x2)`` of two classes, drawn with
``numpy.random.RandomState(data_seed)`` in the order written below; the
targets are 1 for the playground's positive class and 0 for its negative one.
``noise`` is the playground's noise slider as a fraction (its 0 % to 50 % are
0 to 0.5). ``uniform(a, b)`` is ``rng.uniform(a, b)`` and ``normal(m, s)`` is
``rng.normal(m, s)``.

``circle``  half the points inside radius 2.5 (``r = uniform(0, 2.5)``), half
            in the ring from 3.5 to 5 (``r = uniform(3.5, 5)``), at angle
            ``t = uniform(0, 2 pi)``: ``(r sin t, r cos t)``; the class is whether
            the point moved by ``uniform(-5, 5) * noise`` in each coordinate lies
            within radius 2.5.
``xor2d``   ``x = uniform(-5, 5)`` pushed 0.3 away from 0, the same for ``y``;
            class 1 where ``(x + uniform(-5, 5) noise) (y + uniform(-5, 5) noise) >= 0``.
``gauss``   half the points ``normal(2, s)`` in each coordinate (class 1), half
            around ``(-2, -2)`` (class 0), ``s = sqrt(0.5 + 7 noise)``.
``spiral``  two arms of ``n / 2`` points: point ``i`` of an arm is at radius
            ``r = 5 i / (n / 2)`` and angle ``t = 1.75 * 2 pi i / (n / 2) + d``
            (``d = 0`` for class 1, ``pi`` for class 0):
            ``(r sin t + uniform(-1, 1) noise, r cos t + uniform(-1, 1) noise)``.
``moons``   scikit-learn's two moons scaled to the playground's plane: ``n / 2``
            points ``(cos u, sin u)`` (class 0) and ``(1 - cos u, 0.5 - sin u)``
            (class 1), ``u`` evenly spaced on ``[0, pi]``, plus
            ``normal(0, noise)`` in each coordinate, then ``x1 = 3 (x - 0.5)``,
            ``x2 = 3 (y - 0.25)``.

``features`` are the network's inputs, computed from ``(x1, x2)`` as the
playground's input toggles are: ``x1``, ``x2``, ``x1^2``, ``x2^2``,
``x1*x2``, ``sin(x1)``, ``sin(x2)`` (default ``["x1", "x2"]``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from glassnet.types import Array

__all__ = ["FEATURES", "PLANAR_DATASETS", "feature_matrix", "planar_points"]

#: The plane every set is drawn in (and the boundary plots show): [-6, 6] squared.
EXTENT = 6.0


def _circle(rng: np.random.RandomState, n: int, noise: float) -> tuple[Array, Array]:
    radius = 5.0
    points, labels = [], []
    for low, high in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        for _ in range(n // 2 if low == 0.0 else n - n // 2):
            r = rng.uniform(low, high)
            angle = rng.uniform(0.0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx = rng.uniform(-radius, radius) * noise
            ny = rng.uniform(-radius, radius) * noise
            points.append((x, y))
            labels.append(1.0 if math.hypot(x + nx, y + ny) < radius * 0.5 else 0.0)
    return np.array(points), np.array(labels)


def _xor(rng: np.random.RandomState, n: int, noise: float) -> tuple[Array, Array]:
    points, labels = [], []
    padding = 0.3
    for _ in range(n):
        x = rng.uniform(-5.0, 5.0)
        x += padding if x > 0 else -padding
        y = rng.uniform(-5.0, 5.0)
        y += padding if y > 0 else -padding
        nx = rng.uniform(-5.0, 5.0) * noise
        ny = rng.uniform(-5.0, 5.0) * noise
        points.append((x, y))
        labels.append(1.0 if (x + nx) * (y + ny) >= 0 else 0.0)
    return np.array(points), np.array(labels)


def _gauss(rng: np.random.RandomState, n: int, noise: float) -> tuple[Array, Array]:
    std = math.sqrt(0.5 + 7.0 * noise)
    points, labels = [], []
    for center, label, count in ((2.0, 1.0, n // 2), (-2.0, 0.0, n - n // 2)):
        for _ in range(count):
            points.append((rng.normal(center, std), rng.normal(center, std)))
            labels.append(label)
    return np.array(points), np.array(labels)


def _spiral(rng: np.random.RandomState, n: int, noise: float) -> tuple[Array, Array]:
    points, labels = [], []
    for delta, label, count in ((0.0, 1.0, n // 2), (math.pi, 0.0, n - n // 2)):
        for i in range(count):
            r = i / count * 5.0
            t = 1.75 * i / count * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y))
            labels.append(label)
    return np.array(points), np.array(labels)


def _moons(rng: np.random.RandomState, n: int, noise: float) -> tuple[Array, Array]:
    n_outer = n // 2
    n_inner = n - n_outer
    u_out = np.linspace(0.0, math.pi, n_outer)
    u_in = np.linspace(0.0, math.pi, n_inner)
    x = np.concatenate([np.cos(u_out), 1.0 - np.cos(u_in)])
    y = np.concatenate([np.sin(u_out), 0.5 - np.sin(u_in)])
    labels = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    if noise:
        x = x + rng.normal(0.0, noise, n)
        y = y + rng.normal(0.0, noise, n)
    return np.column_stack([3.0 * (x - 0.5), 3.0 * (y - 0.25)]), labels


#: The 2-D sets by name: ``(rng, n, noise) -> (points (n, 2), labels (n,))``.
PLANAR_DATASETS: dict[str, Callable[[np.random.RandomState, int, float], tuple[Array, Array]]] = {
    "circle": _circle,
    "xor2d": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
}

#: The input features, each computed from the points' coordinates ``(x1, x2)``.
FEATURES: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
DEFAULT_FEATURES = ("x1", "x2")


def planar_points(name: str, n: int, noise: float, seed: int) -> tuple[Array, Array]:
    """The points ``(n, 2)`` and 0/1 labels ``(n,)`` of 2-D set ``name``."""
    rng = np.random.RandomState(seed)
    points, labels = PLANAR_DATASETS[name](rng, n, noise)
    return points.astype(np.float64), labels.astype(np.float64)


def feature_matrix(points: Array, features: Sequence[str]) -> Array:
    """The network's inputs ``(n, len(features))`` at ``points`` ``(n, 2)``."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[f](x1, x2) for f in features]).astype(np.float64)
