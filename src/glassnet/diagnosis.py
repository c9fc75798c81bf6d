"""Why a run stopped or stalled, in words a learner can act on.

Training records two events as plain facts (:class:`~glassnet.training.Stop`
and :class:`~glassnet.training.Saturation`: an iteration and a layer). This
module reads a :class:`~glassnet.run.Run` and turns those facts into one-line
reports that name the iteration, the layer, the numbers that went wrong and
the likely cause, and suggest a fix. It only *reads* the run: the numbers of
the iteration in question come from :meth:`Run.step`, the run's exact replay.

Two events
----------
saturation
    A bounded activation gave exactly an end of its range (a sigmoid output of
    exactly ``0.0`` or ``1.0``, a tanh of ``-1.0`` or ``1.0``). Its derivative
    there (``a*(1-a)``, ``1-a^2``) is exactly 0, so no gradient flows back
    through that unit: training has stalled. The numbers stay finite, so the
    run goes on; it is reported once, at the first iteration it happened.
stop
    The loss of an iteration is not finite (``inf`` or ``NaN``): training
    stops *at* that iteration without applying its update, and everything
    before it is kept. Causes: the weights or dot products overflowed
    float64 (|x| > 1.8e308), a squared error overflowed, or binary
    cross-entropy took ``ln(0)`` of a saturated sigmoid output.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.run import Run


def suggested_learning_rate(learning_rate: float) -> float:
    """A smaller learning rate to try: 1.0 (the seed's) if above it, else a tenth."""
    return 1.0 if learning_rate > 1.0 else learning_rate / 10.0


def _suggestion(run: Run, iteration: int) -> str:
    lr = run.learning_rate
    if iteration == 0:
        return (
            "the initial weights already do this; start from smaller weights "
            "(another seed or smaller [init] weights)"
        )
    return (
        f"the learning rate {lr:g} is likely too large; try a smaller one, "
        f"e.g. learning_rate = {suggested_learning_rate(lr):g} (--learning-rate "
        f"{suggested_learning_rate(lr):g})"
    )


def format_saturation(run: Run) -> str:
    """One line: where a bounded activation first saturated, and what to do.

    Returns ``""`` when the run never saturated.
    """
    sat = run.saturation
    if sat is None:
        return ""
    act = run.network.activations[sat.layer]
    step = run.step(sat.iteration)
    a = step.layers[sat.layer].a
    ends = act.saturation_ends
    at_end = int(np.count_nonzero(np.isin(a, ends)))
    return (
        f"{act.name} saturated at iteration #{sat.iteration} (layer {sat.layer}): "
        f"{at_end} of {a.size} outputs are exactly {' or '.join(f'{e:g}' for e in ends)}, where its "
        f"derivative {act.grad_formula} is 0, so the gradients through them vanished "
        f"and training stalled there; {_suggestion(run, sat.iteration)}."
    )


def stop_cause(run: Run) -> str:
    """The likely cause of a stopped run's non-finite loss, read from its last iteration."""
    stop = run.stop
    assert stop is not None
    step = run.step(stop.iteration)
    for ly in step.layers:
        for name, value in (("weights", ly.W), ("biases", ly.b)):
            if value is not None and not np.all(np.isfinite(value)):
                return (
                    f"the {name} of layer {ly.index} became {_worst(value)} at the update of "
                    f"iteration #{max(stop.iteration - 1, 0)} (float64 overflowed)"
                )
        if not np.all(np.isfinite(ly.z)):
            return (
                f"the dot products z of layer {ly.index} overflowed float64 "
                f"(got {_worst(ly.z)}; largest |W| is {_largest(ly.W)}): the weights grew without bound"
            )
        if not np.all(np.isfinite(ly.a)):
            return f"the {ly.activation} outputs of layer {ly.index} are {_worst(ly.a)}"
    out = step.layers[-1]
    reason = run.network.loss.why_infinite(step.y, out.a, out.activation, out.index)
    if reason is not None:
        return reason
    return f"the loss {step.loss_name} of outputs up to {_largest(out.a)} is not a finite number"


def format_stop(run: Run) -> str:
    """One line: where training stopped, why, what is kept, and what to do.

    Returns ``""`` when the run did not stop early.
    """
    stop = run.stop
    if stop is None:
        return ""
    loss = run.history.loss[stop.iteration] if stop.iteration < len(run.history) else run.final_loss
    act = run.network.activations[stop.layer].name
    return (
        f"training stopped at iteration #{stop.iteration} (layer {stop.layer}, {act}): the loss "
        f"({run.network.loss.name}) is {_number(loss)}, because {stop_cause(run)}; "
        f"{_suggestion(run, stop.iteration)}. {_kept(stop.iteration)}"
    )


def _kept(iteration: int) -> str:
    updates = "1 update" if iteration == 1 else f"{iteration:,} updates"
    verb = "is" if iteration == 1 else "are"
    return (
        f"The {updates} before it {verb} kept: iterations #0..#{iteration} are recorded "
        f"(and saved by --json)."
    )


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def _worst(values: np.ndarray) -> str:
    flat = np.asarray(values, dtype=np.float64).ravel()
    if np.any(np.isnan(flat)):
        return "NaN"
    bad = flat[~np.isfinite(flat)]
    return _number(float(bad[0])) if bad.size else _largest(flat)


def _largest(values: np.ndarray) -> str:
    flat = np.asarray(values, dtype=np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    return f"{float(np.max(np.abs(finite))):.3g}" if finite.size else "not finite"
