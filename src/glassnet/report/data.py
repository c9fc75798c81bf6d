"""The numbers the HTML report embeds: traced steps of the recorded iterations, as plain data.

Everything here is read from the run (its traced steps :meth:`Run.step`, its
history, its config); the page formats these numbers and never computes new
ones. Floats are embedded rounded to :data:`DIGITS` significant digits (the
page shows at most 8 decimals, as the post does), which keeps the post's
report near 1 MB; non-finite values become ``null``.

Which iterations: the run's checkpoints (for the post's run #0 .. #999, then
every 99th) plus the final iteration ``#N``, thinned evenly if the embedded
numbers would exceed :data:`MAX_NUMBERS` (a big network or data set).
Per-example numbers are embedded for the first :data:`MAX_EXAMPLES` examples
of each step: the data's first examples with the full batch; with
mini-batches, the first examples of that iteration's batch, whose data rows,
inputs and targets are embedded with them (batches differ from step to step,
and the last one of an epoch may be shorter).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from glassnet.activations import Array
from glassnet.curves import error_elbow, split_curves
from glassnet.run import Run
from glassnet.trace import Step

#: Upper bound on the floats embedded for the scrubber (the post's run needs 70,035; any report stays under 2 MB).
MAX_NUMBERS = 80_000
#: Examples whose per-example numbers (dot products, deltas, ...) are embedded.
MAX_EXAMPLES = 16

#: Significant digits of every embedded float.
DIGITS = 12

#: Grid points per side of the report's animated decision boundary.
BOUNDARY_RESOLUTION = 41
#: The most pictures of it embedded (iterations log-spaced among the scrubber's).
BOUNDARY_FRAMES = 64
#: The most training points drawn on it (evenly spaced through the data).
BOUNDARY_POINTS = 500
#: A grid value is embedded as one byte: ``0 .. STEPS`` over the colour scale;
#: :data:`NOT_FINITE` marks a value that is not finite.
STEPS = 254
NOT_FINITE = 255
#: Largest magnitude of the boundary's colour scale ends (``high - low`` stays finite).
SCALE_LIMIT = 1e307

#: Per-example fields of a layer (rows are examples).
EXAMPLE_FIELDS = ("z", "a", "derivative", "error", "delta")
#: Per-layer parameter fields.
PARAM_FIELDS = ("W", "dW", "W_after")
BIAS_FIELDS = ("b", "db", "b_after")


def numbers(values: Array | float) -> Any:
    """Arrays to nested lists of floats rounded to :data:`DIGITS` significant digits.

    Each float is ``float(f"{value:.12g}")`` (see :func:`round_significant`),
    so the JSON shows at most 12 digits. Non-finite values become ``None``
    (JSON has no NaN or infinity). The array is rounded in one vectorised pass
    and turned into lists by one ``tolist()``.
    """
    array = np.asarray(values, dtype=np.float64)
    rounded = round_significant(array)
    finite = np.isfinite(rounded)
    if finite.all():
        return rounded.tolist()
    shown = rounded.astype(object)
    shown[~finite] = None
    return shown.tolist()


_FORMAT = f"{{:.{DIGITS}g}}"


def round_significant(values: Array) -> Array:
    """``float(f"{v:.12g}")`` of every ``v`` in ``values`` (:data:`DIGITS` digits), vectorised.

    For a value ``v`` with ``10**e <= |v| < 10**(e+1)`` and ``k = 11 - e``,
    ``m = round(v * 10**k)`` is the 12-digit mantissa and ``m / 10**k`` is one
    correctly rounded division of two exact floats (``m < 2**53``; ``10**k``
    is exact for ``0 <= k <= 22``): the double nearest to the decimal
    ``m * 10**-k``, which is what ``float("%.12g" % v)`` returns. Where that
    argument does not hold (``v * 10**k`` within 0.001 of a rounding tie, where
    the product's own rounding could pick the other side; zero; ``|v| >= 1e11``
    or ``< 1e-11``; not finite) the value is formatted and parsed as text.
    """
    array = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        k = (DIGITS - 1) - np.floor(np.log10(np.abs(array)))
        k = np.where(np.isfinite(k), k, -1.0)
        power = 10.0 ** np.clip(k, 0, 22)
        scaled = array * power
        mantissa = np.round(scaled)
        tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-3
        size = np.abs(mantissa)
        fast = (k >= 0) & (k <= 22) & ~tie & (size >= 10.0 ** (DIGITS - 1)) & (size <= 10.0**DIGITS)
        rounded = np.where(fast, mantissa / power, array)
    slow = np.flatnonzero(~fast)
    if slow.size:
        flat = rounded.reshape(-1)
        flat[slow] = list(map(float, map(_FORMAT.format, array.reshape(-1)[slow].tolist())))
    return rounded


def numbers_per_step(run: Run, n_examples: int) -> int:
    """How many floats one embedded step takes."""
    total = 3  # loss, error sum, applied
    if not run.batches.full:  # the batch's rows, inputs and targets, and its size
        total += n_examples * (1 + run.network.sizes[0] + run.network.sizes[-1]) + 1
    for (n_in, n_out), has_b in zip(run.network.shapes, run.network.bias):
        total += len(PARAM_FIELDS) * n_in * n_out + len(EXAMPLE_FIELDS) * n_examples * n_out
        total += len(BIAS_FIELDS) * n_out if has_b else 0
    return total


def scrubber_iterations(run: Run, max_numbers: int = MAX_NUMBERS) -> list[int]:
    """The iterations the scrubber offers: checkpoints and ``#N``, evenly thinned to fit."""
    recorded = sorted({int(k) for k in run.checkpoints.iterations} | {run.iterations})
    n_examples = min(MAX_EXAMPLES, len(run.data.X))
    fit = max(2, max_numbers // numbers_per_step(run, n_examples))
    if len(recorded) <= fit:
        return recorded
    dense = fit // 2  # keep the first iterations, where the most happens, one by one
    rest = recorded[dense:]
    picks = np.unique(np.linspace(0, len(rest) - 1, fit - dense).round().astype(int))
    return recorded[:dense] + [rest[i] for i in picks]


def first_rows(values: Array, n: int) -> Array:
    """The first ``n`` rows of ``values``, padded with ``nan`` (``null`` on the page) to ``n``."""
    top = values[:n]
    if len(top) == n:
        return top
    pad = np.full((n - len(top), *values.shape[1:]), np.nan)
    return np.concatenate([top, pad])


def step_columns(steps: list[Step], n_examples: int) -> dict[str, Any]:
    """The traced steps as columns: one list per number kind, one entry per step.

    ``layers[l][field][t]`` is step ``t``'s ``field`` of layer ``l``, flattened
    row-major (``W`` ``(n_in, n_out)`` -> ``n_in * n_out`` numbers; per-example
    fields ``(n_examples, n_out)``, rows past a short batch ``null``); bias
    fields are ``None`` for a layer without a bias. Columns keep the page
    small: no key is repeated per step.

    When some step trained on a mini-batch, also ``batch[t]`` (its size),
    ``rows[t]`` (the data rows of its first ``n_examples`` examples, 0-based),
    and ``X[t]``, ``y[t]`` (their inputs and targets, flattened row-major).
    """
    layers = []
    for l, first in enumerate(steps[0].layers):

        def column(field: str, rows: int | None = None, layer: int = l) -> Any:
            """One field of every step: a ``(n_steps, size)`` array, rounded in one pass."""
            return numbers(
                np.stack(
                    [
                        (
                            getattr(st.layers[layer], field)
                            if rows is None
                            else first_rows(getattr(st.layers[layer], field), rows)
                        ).ravel()
                        for st in steps
                    ]
                )
            )

        columns: dict[str, Any] = {f: column(f) for f in PARAM_FIELDS}
        for f in BIAS_FIELDS:
            columns[f] = None if getattr(first, f) is None else column(f)
        for f in EXAMPLE_FIELDS:
            columns[f] = column(f, n_examples)
        layers.append(columns)
    columns = {
        "iteration": [st.iteration for st in steps],
        "loss": numbers(np.array([st.loss for st in steps])),
        "error_sum": numbers(np.array([st.error_sum for st in steps])),
        "applied": [st.applied for st in steps],
        "layers": layers,
    }
    if any(st.rows is not None for st in steps):
        columns["batch"] = [len(st.X) for st in steps]
        columns["rows"] = [
            (np.arange(len(st.X)) if st.rows is None else st.rows)[:n_examples].tolist()
            for st in steps
        ]
        columns["X"] = numbers(np.stack([first_rows(st.X, n_examples).ravel() for st in steps]))
        columns["y"] = numbers(np.stack([first_rows(st.y, n_examples).ravel() for st in steps]))
    return columns


def report_data(run: Run, max_numbers: int = MAX_NUMBERS) -> dict[str, Any]:
    """Everything the report page embeds, JSON-ready.

    Returns
    -------
    dict
        ``iterations`` (N), ``learning_rate``, ``method`` (``""`` for plain gradient
        descent, else as ``glassnet run`` lists it), ``loss`` {name, formula,
        delta_formula}, ``layers`` [{activation, formula, grad_formula, n_in,
        n_out, bias}], ``X``/``y`` (first :data:`MAX_EXAMPLES` examples),
        ``n_samples``, ``input_names``, ``target_names``, ``elbow``
        (iteration or null), ``steps`` (one :func:`step_numbers` per scrubber
        iteration, ascending); for a run with held-out examples also
        ``test`` (see :func:`split_numbers`).
    """
    from glassnet.explain.method import describe_method

    n_examples = min(MAX_EXAMPLES, len(run.data.X))
    found = error_elbow(run.history.error_sum)
    iterations = scrubber_iterations(run, max_numbers)
    steps = step_columns([run.step(k) for k in iterations], n_examples)
    data: dict[str, Any] = {
        "iterations": run.iterations,
        "learning_rate": run.learning_rate,
        # "" for the post's plain gradient descent; else the method as `glassnet run` lists it
        "method": describe_method(run.method, short=True),
        "loss": {
            "name": run.network.loss.name,
            "formula": run.network.loss.formula,
            "delta_formula": run.network.loss.delta_formula,
        },
        "layers": [
            {
                "activation": act.name,
                "formula": act.formula,
                "grad_formula": act.grad_formula,
                "n_in": n_in,
                "n_out": n_out,
                "bias": has_b,
            }
            for act, (n_in, n_out), has_b in zip(
                run.network.activations, run.network.shapes, run.network.bias
            )
        ],
        "X": numbers(run.data.X[:n_examples]),
        "y": numbers(run.data.y[:n_examples]),
        "n_samples": len(run.data.X),
        "input_names": list(run.data.input_names),
        "target_names": list(run.data.target_names),
        "elbow": None if found is None else int(found.x),
        "elbow_text": "no elbow found" if found is None else found.describe(),
        "stopped": None
        if run.stop is None
        else {"iteration": run.stop.iteration, "reason": run.stop.reason},
        "steps": steps,
    }
    split = split_numbers(run, iterations)
    if split is not None:
        data["test"] = split
    return data


def split_numbers(run: Run, iterations: list[int]) -> dict[str, Any] | None:
    """The held-out test curve beside the training one, at the scrubber's iterations.

    Returns
    -------
    dict or None
        ``None`` for a run without a split. Otherwise ``n_train``, ``n_test``,
        ``test_fraction``, ``split_seed`` and, one entry per scrubber iteration
        (the order of ``steps.iteration``): ``error_sum``, ``loss`` (sums over
        the held-out examples, ``run.history.test_error_sum`` /
        ``test_loss``, the final figures at ``#N``) and the per-example means
        ``mean_error`` (``test_error_sum / n_test``) and ``train_mean_error``
        (``error_sum / n_train``), which the chart draws side by side.
    """
    split = split_curves(run)
    if split is None:
        return None
    at = np.asarray(iterations, dtype=np.int64)
    return {
        "n_train": split.n_train,
        "n_test": split.n_test,
        "test_fraction": run.config.data.test_fraction,
        "split_seed": run.config.data.split_seed,
        "error_sum": numbers(split.test_error_sum[at]),
        "loss": numbers(split.test_loss[at]),
        "mean_error": numbers(split.test_mean_error[at]),
        "train_mean_error": numbers(split.mean_error[at]),
    }


def quantize(values: Array, low: float, high: float) -> str:
    """``values`` (any shape, row-major) as one byte each, base64: ``round((v - low) / (high - low) * 254)``.

    A finite value in ``[low, high]`` comes back as ``low + q * (high - low) / 254``,
    within half a step, ``(high - low) / 508``, of itself; values beyond the
    ends are clipped to them; :data:`NOT_FINITE` (255) marks ``nan`` and ``inf``.
    """
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    with np.errstate(all="ignore"):
        scaled = np.where(finite, (array - low) / (high - low), 0.0)
    q = np.clip(np.round(scaled * STEPS), 0, STEPS).astype(np.uint8)
    q[~finite] = NOT_FINITE
    return base64.b64encode(q.tobytes()).decode("ascii")


def boundary_data(run: Run, iterations: list[int]) -> dict[str, Any] | None:
    """The report's animated decision boundary, JSON-ready; ``None`` unless the run is in a plane.

    The output of :func:`glassnet.boundary.boundary` on a
    :data:`BOUNDARY_RESOLUTION` grid at up to :data:`BOUNDARY_FRAMES` of the
    scrubber's ``iterations`` (:func:`glassnet.boundary.frames`: the first, the
    last, log-spaced between); the page shows, for a scrubbed iteration, the
    latest of them at or before it.

    Returns
    -------
    dict or None
        ``resolution``; ``x1``, ``x2``: the first and last grid coordinate of
        each axis (the grid is evenly spaced between); ``names``: the axes'
        names; ``iterations``: the frames' iterations; ``kind``: ``"value"``
        (one output, or several that are not classes: the first is shown) or
        ``"classes"`` (:func:`glassnet.boundary.reads_classes`);
        ``activation``; ``frames``: one :func:`quantize` string per frame,
        row ``i`` (``x2[i]``, bottom to top) after row, column ``j`` is
        ``x1[j]``. For ``"value"``, ``low``, ``center``, ``high``
        (:func:`glassnet.boundary.output_scale` over every frame): byte ``q``
        is the output ``low + q * (high - low) / 254``, ``step`` that
        ``(high - low) / 254``. For ``"classes"``, the bytes are the winning
        class's output over ``0 .. 1`` (``step`` 1/254), and ``classes`` gives
        each frame's winning class per cell (base64, one byte; 255 where an
        output is not finite), ``n_classes``, ``class_names``. Always
        ``points`` (up to :data:`BOUNDARY_POINTS`, rounded to 4 decimals) and
        ``targets`` (their target, or class with several outputs).
    """
    from glassnet.boundary import (
        boundary,
        classes_of,
        frames,
        output_scale,
        plane_names,
        plane_of,
        reads_classes,
    )

    if plane_of(run) is None:
        return None
    chosen = frames(run, BOUNDARY_FRAMES, among=iterations)
    found = boundary(run, BOUNDARY_RESOLUTION, chosen)
    n_points = len(found.points)
    keep = np.unique(
        np.linspace(0, n_points - 1, min(n_points, BOUNDARY_POINTS)).round().astype(int)
    )
    data: dict[str, Any] = {
        "resolution": BOUNDARY_RESOLUTION,
        "x1": [float(found.x1[0]), float(found.x1[-1])],
        "x2": [float(found.x2[0]), float(found.x2[-1])],
        "names": list(plane_names(run)),
        "iterations": found.iterations.tolist(),
        "activation": run.network.activations[-1].name,
        "points": numbers(np.round(found.points[keep], 4)),
    }
    if reads_classes(run):
        winner, largest = classes_of(found.output)
        data.update(
            kind="classes",
            low=0.0,
            high=1.0,
            step=1 / STEPS,
            frames=[quantize(p, 0.0, 1.0) for p in largest],
            classes=[
                base64.b64encode(np.where(c < 0, NOT_FINITE, c).astype(np.uint8).tobytes()).decode(
                    "ascii"
                )
                for c in winner
            ],
            n_classes=int(found.output.shape[-1]),
            class_names=list(run.data.target_names),
            targets=classes_of(found.labels[keep])[0].tolist(),
        )
    else:
        grid = found.output[..., 0]
        low, center, high = output_scale(run, grid)
        # a diverged linear output may reach 1e308: keep high - low (and the JSON) finite
        low, high = max(low, -SCALE_LIMIT), min(high, SCALE_LIMIT)
        data.update(
            kind="value",
            low=low,
            center=center,
            high=high,
            step=(high - low) / STEPS,
            frames=[quantize(frame, low, high) for frame in grid],
            targets=numbers(found.labels[keep, 0]),
        )
    return data
