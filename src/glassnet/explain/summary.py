"""A short text summary of a run (what ``glassnet run`` prints)."""

from __future__ import annotations

from glassnet.explain.method import describe_method
from glassnet.explain.numbers import count
from glassnet.explain.walkthrough import matrix as _matrix
from glassnet.run import Run

#: Arrays with more entries than this are summarized (``--json`` has every number).
SHOW_AT_MOST = 64


def matrix(values: object) -> str:
    return _matrix(values, threshold=SHOW_AT_MOST)  # type: ignore[arg-type]  # any array-like


def format_summary(run: Run, trace: list[int] | tuple[int, ...] = ()) -> str:
    """Configuration, error at a few iterations, final weights and predictions,
    and the traced iterations' predictions and updates."""
    net = run.network
    acts = ", ".join(a.name for a in net.activations)
    lines = [
        f"data: {run.data.name} ({count(run.data.n_samples, 'example')}, "
        f"{count(run.data.X.shape[1], 'input')}, {count(run.data.y.shape[1], 'target')})",
        f"network: layers {list(net.sizes)}, activation {acts}, bias {list(net.bias)}, "
        f"loss {net.loss.name}",
        f"training: {count(run.iterations, 'iteration')}, learning rate {run.learning_rate:g}, "
        f"{run.engine} engine",
    ]
    method = describe_method(run.method, short=True)
    if method:
        lines.append(f"method: {method}")
    n = len(run.history)
    h = run.history
    split = h.test_error_sum is not None and h.test_loss is not None
    if split:
        n_test = 0 if run.test is None else run.test.n_samples
        lines.append(f"held-out test: {count(n_test, 'example')} (figures are sums over examples)")
    marks = sorted({0, 1, *(m - 1 for m in (10, 100, 1_000, 10_000, 100_000, 1_000_000)), n - 1})
    header = "iteration        error sum            loss"
    lines.append(header + ("   test error sum       test loss" if split else ""))
    for k in marks:
        if 0 <= k < n:
            row = f"#{k:<10} {h.error_sum[k]:>14.8f}  {h.loss[k]:>14.8f}"
            if split:
                row += f"  {h.test_error_sum[k]:>14.8f}  {h.test_loss[k]:>14.8f}"  # type: ignore[index]  # split runs record the test curves
            lines.append(row)
    final = f"#{run.iterations:<10} {run.final_error_sum:>14.8f}  {run.final_loss:>14.8f}"
    if split and run.final_test_error_sum is not None and run.final_test_loss is not None:
        final += f"  {run.final_test_error_sum:>14.8f}  {run.final_test_loss:>14.8f}"
    lines.append(final + "  (final)")
    for i, w in enumerate(run.final.weights):
        lines += [f"final weights W{i}:", matrix(w)]
        if run.final.biases[i] is not None:
            lines += [f"final bias b{i}:", matrix(run.final.biases[i])]
    lines += ["final predictions:", matrix(run.final_prediction)]
    for k in trace:
        step = run.step(k)
        lines += [
            f"--- iteration #{k}: loss {step.loss:.8f}, sum of absolute errors {step.error_sum:.8f}",
            "predictions:",
            matrix(step.prediction),
        ]
        for ly in step.layers:
            lines += [
                f"update of W{ly.index}:",
                matrix(ly.dW),
                f"W{ly.index} after:",
                matrix(ly.W_after),
            ]
    return "\n".join(lines) + "\n"
