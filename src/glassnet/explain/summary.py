"""A short text summary of a run (what ``glassnet run`` prints)."""

from __future__ import annotations

from glassnet.explain.walkthrough import matrix
from glassnet.run import Run


def format_summary(run: Run, trace: list[int] | tuple[int, ...] = ()) -> str:
    """Configuration, error at a few iterations, final weights and predictions,
    and the traced iterations' predictions and updates."""
    net = run.network
    acts = ", ".join(a.name for a in net.activations)
    lines = [
        f"data: {run.data.name} ({run.data.n_samples} examples, {run.data.X.shape[1]} inputs, "
        f"{run.data.y.shape[1]} targets)",
        f"network: layers {list(net.sizes)}, activation {acts}, bias {list(net.bias)}, "
        f"loss {net.loss.name}",
        f"training: {run.iterations:,} iterations, learning rate {run.learning_rate:g}, "
        f"{run.engine} engine",
    ]
    n = len(run.history)
    marks = sorted({0, 1, *(m - 1 for m in (10, 100, 1_000, 10_000, 100_000, 1_000_000)), n - 1})
    lines.append("iteration        error sum            loss")
    for k in marks:
        if 0 <= k < n:
            lines.append(f"#{k:<10} {run.history.error_sum[k]:>14.8f}  {run.history.loss[k]:>14.8f}")
    lines.append(f"#{run.iterations:<10} {run.final_error_sum:>14.8f}  {run.final_loss:>14.8f}  (final)")
    for i, w in enumerate(run.final.weights):
        lines += [f"final weights W{i}:", matrix(w)]
        if run.final.biases[i] is not None:
            lines += [f"final bias b{i}:", matrix(run.final.biases[i])]  # type: ignore[arg-type]
    lines += ["final predictions:", matrix(run.final_prediction)]
    for k in trace:
        step = run.step(k)
        lines += [
            f"--- iteration #{k}: loss {step.loss:.8f}, sum of absolute errors {step.error_sum:.8f}",
            "predictions:",
            matrix(step.prediction),
        ]
        for ly in step.layers:
            lines += [f"update of W{ly.index}:", matrix(ly.dW), f"W{ly.index} after:", matrix(ly.W_after)]
    if run.stop is not None:
        lines.append(
            f"stopped at iteration #{run.stop.iteration} (layer {run.stop.layer}): {run.stop.reason}"
        )
    return "\n".join(lines) + "\n"
