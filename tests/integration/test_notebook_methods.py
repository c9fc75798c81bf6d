"""The notebook's step view shows the numbers of any update method and of a softmax output."""

from __future__ import annotations

import re

import glassnet
from glassnet.explain.gold import IRIS_LIKE
from glassnet.notebook import step_html


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
