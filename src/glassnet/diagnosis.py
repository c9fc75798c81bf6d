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
    """A smaller learning rate to try: 1.0 (the post's) if above it, else a tenth."""
    return 1.0 if learning_rate > 1.0 else learning_rate / 10.0


def _suggestion(run: Run, iteration: int) -> str:
    lr = run.learning_rate
    found = unscaled(run)
    if found is not None:
        name, top = found
        return (
            f"the inputs are not scaled (column {name!r} reaches {top:g}); standardize them: "
            f"[data] standardize = true (--standardize)"
        )
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
    from glassnet.network import forward

    with np.errstate(all="ignore"):  # every example, as training checked (a batch's step has fewer)
        a = forward(run.network, run.weights_at(sat.iteration), run.data.X)[1][sat.layer + 1]
    ends = act.saturation_ends
    at_end = int(np.count_nonzero(np.isin(a, ends)))
    head = (
        f"{act.name} saturated at iteration #{sat.iteration} (layer {sat.layer}): "
        f"{at_end} of {a.size} outputs are exactly {' or '.join(f'{e:g}' for e in ends)}, where "
        f"its derivative {act.grad_formula} is 0, so the gradients through them vanished"
    )
    if still_learning(run, sat.iteration):
        loss = run.history.loss
        return (
            f"{head}; the other units kept learning (the loss fell from "
            f"{loss[sat.iteration]:.4g} at #{sat.iteration} to {loss[-1]:.4g})."
        )
    return f"{head} and training stalled there; {_suggestion(run, sat.iteration)}."


def still_learning(run: Run, since: int) -> bool:
    """Whether the loss kept falling after iteration ``since`` (to under 90 % of it)."""
    loss = run.history.loss
    if since >= len(loss) - 1:
        return False
    return bool(loss[-1] < 0.9 * loss[since])


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


# --------------------------------------------------------------------------- not learning
# Each check reads the run and returns one line (evidence, then a concrete fix) or "".
# They speak only when the run did poorly, so a run that learns gets no word.


def _binary(y: np.ndarray) -> bool:
    return bool(y.size) and bool(np.all((y == 0) | (y == 1)))


def _mean_error(run: Run) -> float:
    return float(run.final_error_sum / max(run.data.y.size, 1))


#: A run "learned" if it classifies this share of its training examples right (class
#: targets), or brought its error sum down to this share of its start (other targets).
LEARNED_ACCURACY = 0.9
LEARNED_ERROR = 0.5


def learned(run: Run) -> bool:
    """Whether the run clearly learned: most examples on their side for class targets, else
    an error sum down to half of where it started (the checks speak only when it did not)."""
    y, a = run.data.y, run.final_prediction
    if _binary(y) and run.network.activations[-1].probability:
        if y.shape[1] > 1:
            right = np.mean(np.argmax(a, axis=1) == np.argmax(y, axis=1))
        else:
            right = np.mean((a > 0.5) == (y > 0.5))
        return bool(right >= LEARNED_ACCURACY)
    start = float(run.history.error_sum[0]) if len(run.history) else 0.0
    return run.final_error_sum <= LEARNED_ERROR * start or _mean_error(run) < 0.05


def _has_constant_column(X: np.ndarray) -> bool:
    return bool(X.shape[0] > 1 and np.any(np.all(X[0] == X, axis=0) & (X[0] != 0)))


def _no_offset(run: Run) -> bool:
    """The first layer has no bias and no input column is a nonzero constant."""
    return not run.network.bias[0] and not _has_constant_column(run.data.X)


def separable(X: np.ndarray, y: np.ndarray, passes: int = 1000) -> bool:
    """Whether a straight line (a plane) separates the two classes of ``y`` (0/1, one column):
    the perceptron with an offset, run for up to ``passes`` passes, found one."""
    Xa = np.column_stack([X, np.ones(len(X))])
    sign = np.where(y[:, 0] > 0.5, 1.0, -1.0)
    scale = np.max(np.abs(Xa), axis=0)
    Xa = Xa / np.where(scale > 0, scale, 1.0)
    w = np.zeros(Xa.shape[1])
    for _ in range(passes):
        wrong = sign * (Xa @ w) <= 0
        if not wrong.any():
            return True
        w = w + (sign[wrong, None] * Xa[wrong]).mean(axis=0)
    return False


def _loss_went_up(run: Run) -> str:
    loss = run.history.loss
    if run.stop is not None or len(loss) < 10 or not loss[-1] > 1.02 * loss[0]:
        return ""
    fix = (
        "the first layer has no bias and no input column is constant, so every unit's line "
        "must pass through 0; give it one: [network] bias = true (--bias), or add a column "
        "of 1s as the post's third input"
        if _no_offset(run)
        else f"try a smaller learning rate than {run.learning_rate:g}, e.g. "
        f"--learning-rate {suggested_learning_rate(run.learning_rate):g}"
    )
    return (
        f"the loss went up, from {loss[0]:.4g} at #0 to {loss[-1]:.4g} at #{len(loss) - 1}; {fix}."
    )


def _plateau_at_chance(run: Run) -> str:
    y = run.data.y
    if run.stop is not None or not _binary(y) or not run.network.activations[-1].probability:
        return ""
    if learned(run) or len(run.history) < 100 or _learning_rate_too_low(run):
        return ""
    chance = 0.5 * y.size if y.shape[1] == 1 else 2 * y.shape[0] * (1 - 1 / y.shape[1])
    error = run.history.error_sum
    half = error[len(error) // 2 :]
    flat = float(np.max(half) - np.min(half)) <= 0.02 * max(float(np.max(half)), 1e-12)
    if not (flat and run.final_error_sum >= 0.9 * chance):
        return ""
    reasons = []
    if run.network.n_layers == 1 and _needs_hidden_layer(run):
        reasons.append("a hidden layer (a network without one draws one straight line)")
    if run.learning_rate > 10:
        reasons.append(f"a learning rate nearer 1 than {run.learning_rate:g}")
    reasons.append("another seed or more iterations")
    return (
        f"the error sum stays at {run.final_error_sum:.4g}, what predicting 0.5 for every "
        f"example gives ({chance:g}): the network has learned nothing; try "
        f"{', or '.join(reasons)}."
    )


def _needs_hidden_layer(run: Run) -> str:
    y = run.data.y
    if run.network.n_layers != 1 or y.shape[1] != 1 or not _binary(y) or learned(run):
        return ""
    if not np.all(np.unique(y[:, 0], return_counts=True)[1] >= 1) or len(np.unique(y)) < 2:
        return ""
    if separable(run.data.X, y):
        return ""
    sizes = list(run.network.sizes)
    return (
        f"no straight line separates the two classes of this data (like xor), and a network "
        f"without a hidden layer can only draw one; add a hidden layer, e.g. --layers "
        f"{sizes[0]},4,{sizes[-1]}."
    )


def _no_bias(run: Run) -> str:
    if learned(run) or not _no_offset(run) or _loss_went_up(run):
        return ""  # (a loss that went up says it already)
    return (
        "the first layer has no bias and no input column is constant, so every unit's line "
        "must pass through 0 and the network may not fit; set [network] bias = true "
        "(--bias), or add a column of 1s as the post's third input."
    )


#: Inputs reaching beyond this (in magnitude) count as unscaled: a sigmoid of a dot
#: product of a few of them with weights near 1 is already within 1e-4 of its ends.
UNSCALED = 10.0


def unscaled(run: Run) -> tuple[str, float] | None:
    """The input column farthest from a scale of 1, and its largest magnitude, if the
    inputs are not standardized and some column reaches beyond 4."""
    if run.config.data.standardize:
        return None
    X = run.data.X
    if not X.size:
        return None
    top = np.max(np.abs(X), axis=0)
    j = int(np.argmax(top))
    if top[j] <= UNSCALED:
        return None
    names = run.data.input_names
    return (names[j] if j < len(names) else f"x{j + 1}"), float(top[j])


def _unscaled_inputs(run: Run) -> str:
    found = unscaled(run)
    if found is None or learned(run):
        return ""
    name, top = found
    return (
        f"the inputs are not scaled (column {name!r} reaches {top:g}): large inputs push "
        f"sigmoid and tanh units to their ends, where they stop learning; standardize them: "
        f"[data] standardize = true (--standardize)."
    )


def _learning_rate_too_low(run: Run) -> str:
    loss = run.history.loss
    if run.stop is not None or len(loss) < 100 or learned(run):
        return ""
    fell = 1.0 - float(loss[-1]) / float(loss[0]) if loss[0] else 0.0
    steady = bool(np.mean(np.diff(loss) <= 0) >= 0.95)
    if not (0 <= fell < 0.05 and steady):
        return ""
    lr = run.learning_rate
    return (
        f"the loss fell only {100 * fell:.2g} % in {len(loss):,} iterations, and steadily: the "
        f"learning rate {lr:g} is likely far too small; try {10 * lr:g} or {100 * lr:g} "
        f"(--learning-rate)."
    )


#: The checks, in the order their hints are printed.
CHECKS = (
    _loss_went_up,
    _needs_hidden_layer,
    _plateau_at_chance,
    _unscaled_inputs,
    _no_bias,
    _learning_rate_too_low,
)


def hints(run: Run) -> list[str]:
    """One line for each reason the run did not learn, each with its evidence and a fix;
    none for a run that learned, nor for one a warning already explains: targets the output
    cannot reach, a saturation that stalled training, or a stop (each warning gives its cause
    and fix, and a hint would only repeat it)."""
    act, y = run.network.activations[-1], run.data.y
    if np.any(y < act.low) or np.any(y > act.high):
        return []
    if run.stop is not None:
        return []
    if run.saturation is not None and not still_learning(run, run.saturation.iteration):
        return []
    return [text for check in CHECKS if (text := check(run))]
