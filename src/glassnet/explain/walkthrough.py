"""The seed post's walkthrough, in its own terms, for any run.

``format_walkthrough(run)`` returns the text ``glassnet`` prints with no
arguments: iterations #0 and #1 as the post shows them (inputs, weights, dot
product results, sigmoid predictions, errors, the sum of absolute errors, OLD
versus NEW predictions, pre- and post-update weights), the error after 100,
1,000, 10,000 and 100,000 iterations, and the final weights and predictions.
"""

from __future__ import annotations

import numpy as np

from glassnet.activations import Array
from glassnet.run import Run
from glassnet.trace import Step

#: The iterations whose error the seed post quotes, as counts of forward passes.
MILESTONES = (100, 1_000, 10_000, 100_000)


def matrix(values: Array, precision: int = 8) -> str:
    """A matrix the way numpy prints it (whole numbers without decimals)."""
    # Only exact whole numbers that fit an int64 print as integers (a diverged
    # weight of 1e300 would otherwise print as a garbage integer).
    if np.all(np.isfinite(values)) and np.all(np.abs(values) < 2**53) and np.all(values == np.round(values)):
        return np.array2string(values.astype(np.int64), separator=" ")
    return np.array2string(values, precision=precision, floatmode="fixed", suppress_small=False)


def _label(layer: int) -> str:
    return f"l{layer + 1}"


def _direction(old: Array, new: Array) -> str:
    up, down = int(np.sum(new > old)), int(np.sum(new < old))
    if down == 0 and up:
        return "they all went up"
    if up == 0 and down:
        return "they all went down"
    return f"{up} went up, {down} went down"


def _step_section(step: Step, previous: Step | None) -> list[str]:
    lines = [f"---------ITERATION #{step.iteration}-------------", "inputs:", matrix(step.X)]
    for ly in step.layers:
        name = _label(ly.index)
        lines += [
            f"weights into {name} (W{ly.index}, shape {ly.W.shape}):",
            matrix(ly.W),
        ]
        if ly.b is not None:
            lines += [f"bias of {name}:", matrix(ly.b)]
        lines += [
            f"{name} dot product results:",
            matrix(ly.z),
            f"{name} predictions ({ly.activation}):",
            matrix(ly.a),
        ]
    out = _label(step.layers[-1].index)
    if previous is not None:
        lines += [
            f"OLD {out} predictions (iteration #{previous.iteration}):",
            matrix(previous.prediction),
            f"compared with the old predictions, {_direction(previous.prediction, step.prediction)}.",
            f"OLD {out}_error:",
            matrix(previous.error),
            f"NEW {out}_error:",
            matrix(step.error),
        ]
    else:
        lines += [f"{out}_error (target - prediction):", matrix(step.error)]
    lines.append(f"sum of absolute errors: {step.error_sum:.8f}")
    if previous is not None:
        change = "decreased" if step.error_sum < previous.error_sum else "did not decrease"
        lines.append(
            f"the sum of absolute errors {change} from {previous.error_sum:.2f} "
            f"to {step.error_sum:.2f}"
        )
    lines.append(f"loss ({step.loss_name}): {step.loss:.8f}")
    for ly in step.layers:
        suffix = "" if len(step.layers) == 1 else f" W{ly.index}"
        lines += [
            f"pre-update weights{suffix}:",
            matrix(ly.W),
            f"post-update weights{suffix}:",
            matrix(ly.W_after),
        ]
    return lines


def format_walkthrough(run: Run) -> str:
    """The seed post's walkthrough for ``run`` (see the module docstring)."""
    act = run.network.activations[-1].name
    lines = [
        f"glassnet: {run.data.name} data, layers {list(run.network.sizes)}, {act} output, "
        f"learning rate {run.learning_rate:g}, {run.iterations:,} iterations "
        f"({run.engine} engine)",
        "iteration #k is the forward pass with the weights after k updates.",
        "",
    ]
    first = run.step(0)
    lines += _step_section(first, None)
    if run.iterations >= 1:
        lines += [""] + _step_section(run.step(1), first)
    lines += ["", "---------ERROR OVER TIME-------------"]
    for count in MILESTONES:
        if count <= len(run.history):
            lines.append(
                f"after {count:>7,} iterations (#{count - 1}): sum of absolute errors "
                f"{run.history.error_sum[count - 1]:.8f}, loss {run.history.loss[count - 1]:.8f}"
            )
    lines += [
        "",
        f"---------FINAL STATE (#{run.iterations}, after {run.iterations:,} updates)-------------",
    ]
    for i, w in enumerate(run.final.weights):
        lines += [f"weights W{i}:", matrix(w, 4)]
        if run.final.biases[i] is not None:
            lines += [f"bias b{i}:", matrix(run.final.biases[i], 4)]  # type: ignore[arg-type]
    lines += [
        f"predictions ({act}):",
        matrix(run.final_prediction, 4),
        f"sum of absolute errors: {run.final_error_sum:.8f}",
        f"loss ({run.network.loss.name}): {run.final_loss:.8f}",
    ]
    if run.stop is not None:
        lines += [
            "",
            f"training stopped at iteration #{run.stop.iteration} (layer {run.stop.layer}): "
            f"{run.stop.reason}",
        ]
    return "\n".join(lines) + "\n"
