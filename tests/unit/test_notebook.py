"""glassnet.notebook: rich HTML of a run, a step (of any update method), a comparison and a sweep;
the scrubber. The example notebooks run in tests/integration/test_example_notebooks.py.
"""

from __future__ import annotations

import re

import pytest

import glassnet
from glassnet import notebook
from glassnet.explain.gold import IRIS_LIKE
from glassnet.notebook import step_html


@pytest.fixture(scope="module")
def short_run() -> glassnet.Run:
    return glassnet.Experiment(iterations=1000).run(engine="numpy")


def test_run_html_has_summary_curve_and_worked_step(short_run: glassnet.Run) -> None:
    page = short_run._repr_html_()
    assert "layers [3, 1], sigmoid, bias [False]" in page
    assert "1,000 updates, learning rate 1" in page
    assert f"{short_run.final_error_sum:.8f}" in page
    assert "<svg" in page and "<?xml" not in page  # the error curve, inline
    assert "iteration #1 worked by hand" in page
    assert "0.90948611" in page  # W after the update of #1 (the post's)


def test_step_html_writes_the_arithmetic_out(short_run: glassnet.Run) -> None:
    page = short_run.step(1)._repr_html_()
    assert "z[0,0] = (0 * 0.6742) + (0 * -0.3347) + (1 * -0.4047) = -0.404695" in page
    assert "z[3,0] = (1 * 0.6742) + (1 * -0.3347) + (1 * -0.4047) = -0.0651878" in page
    for number in ("0.40018475", "0.32312967", "0.56698066", "0.48370881", "0.23524790"):
        assert number in page
    assert "derivative f&#x27;(z) = a*(1-a)" in page


def test_step_html_only_reads_the_step(
    short_run: glassnet.Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = short_run.step(7)

    def no_math(*args: object, **kwargs: object) -> None:
        raise AssertionError("a renderer recomputed the network")

    import glassnet.network as network

    for name in ("forward", "backward", "updates"):
        monkeypatch.setattr(network, name, no_math)
    page = notebook.step_html(step)
    assert f"{step.layers[0].W_after[0, 0]:.8f}" in page


def test_big_layers_are_cut_to_a_readable_size() -> None:
    run = glassnet.Experiment(dataset="xor", layers=[3, 12, 1], seed=1, iterations=5).run()
    page = notebook.step_html(run.step(1))
    # layer 0: 12 units, the first 8 written; layer 1 reads 12 inputs: 8 terms and "4 more"
    assert page.count("z[0,") == notebook.MAX_TERMS + 1
    assert "… 4 more" in page


def test_run_with_held_out_examples_shows_test_error() -> None:
    pytest.importorskip("sklearn")
    run = glassnet.Experiment(
        dataset="iris",
        layers=[4, 3],
        standardize=True,
        test_fraction=0.25,
        iterations=20,
        learning_rate=0.01,
    ).run()
    page = run._repr_html_()
    assert "held-out examples" in page and "36" in page
    assert f"{run.final_test_error_sum:.8f}" in page
    assert "…" in page  # 112 training examples: only the first rows are shown


def test_comparison_html(short_run: glassnet.Run) -> None:
    page = short_run.compare(
        glassnet.Experiment(iterations=1000, learning_rate=0.5).run()
    )._repr_html_()
    assert "first difference: iteration #1: the weights differ" in page
    assert "<svg" in page


def test_sweep_html_shows_each_learning_rate_and_weight() -> None:
    sweep_mod = pytest.importorskip("glassnet.sweep")
    sw = sweep_mod.sweep(
        None, seeds=range(6), learning_rates=[0.5, 1.0], iterations=300, engine="numpy"
    )
    page = sw._repr_html_()
    assert "sweep: 12 networks, layers [3, 1], 6 seeds (0 … 5) x 2 learning rate(s)" in page
    for summary in sw.summaries():
        d = summary.final_error_sum
        assert f"{d.median:.6f} [{d.p05:.6f}, {d.p95:.6f}]" in page
        w = summary.weights[0]
        assert f"<td>{w.name}</td><td>{w.mean:.4f}</td><td>{w.std:.4f}</td>" in page
    assert page.count("final weights over 6 seeds") == 2


def test_scrubber_moves_through_iterations(short_run: glassnet.Run) -> None:
    pytest.importorskip("ipywidgets")
    box = notebook.scrubber(short_run)
    slider, view = box.children
    assert slider.max == 1000 and "iteration #1:" in view.value
    slider.value = 500
    assert "iteration #500:" in view.value
    assert f"{short_run.step(500).loss:.8f}" in view.value


# --------------------------------------------------------------------------- the step view of any method


def _captions(page: str) -> list[str]:
    return re.findall(r"<caption>([^<]*)</caption>", page)


def test_the_step_view_shows_the_batch_the_gradient_l2_and_the_optimizers_state():
    run = glassnet.Experiment(
        dataset="xor", layers=[3, 2, 1], optimizer="adam", batch_size=2, l2=0.01, iterations=4
    ).run(engine="numpy")
    step = run.step(2)
    page = step_html(step)
    rows = ", ".join(str(int(r)) for r in step.rows)
    assert f"batch: data rows {rows} (epoch 1)" in page
    assert "optimizer adam (b1 .9, b2 .999, eps 1e-8), batch size 2" in page
    assert "update number t = 3" in page
    captions = " | ".join(_captions(page))
    for caption in (
        "gradient dL/dW = -inputs.T @ delta",
        "l2 term 0.01 * W",
        "m before",
        "m after",
        "v before",
        "v after",
        "update dW (adam)",
    ):
        assert caption in captions, caption
    assert "learning_rate * inputs.T @ delta" not in captions
    ly = step.layers[0]
    assert f"{ly.gradient[0, 0]:.8f}" in page and f"{ly.state_after['v'][0, 0]:.8f}" in page


def test_the_posts_step_view_is_as_before():
    page = step_html(glassnet.Experiment(iterations=2).run(engine="numpy").step(1))
    assert "update dW = learning_rate * inputs.T @ delta" in page
    assert "batch:" not in page and "gradient dL/dW" not in page


def test_a_softmax_step_has_no_elementwise_derivative():
    page = step_html(glassnet.Experiment(IRIS_LIKE, iterations=2).run(engine="numpy").step(1))
    captions = " | ".join(_captions(page))
    assert "derivative" not in captions and "nan" not in page
    assert "delta = error  (6, 3)" in captions
