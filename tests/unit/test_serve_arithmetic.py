"""The arithmetic panel: the explainer's lines about one weight, bias or unit, and no others."""

from __future__ import annotations

import pytest

import glassnet
from glassnet.errors import ConfigError
from glassnet.serve.arithmetic import explain_part


@pytest.fixture(scope="module")
def xor_adam() -> glassnet.Run:
    return glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        seed=1,
        bias=True,
        iterations=5,
        optimizer="adam",
        learning_rate=0.1,
        batch_size=2,
    ).run(engine="numpy")


def labels(text: str) -> set[str]:
    """The labels of the equation lines (``  x2->h3:  ...``)."""
    return {
        line.split(":")[0].strip()
        for line in text.splitlines()
        if line.startswith("  ") and ":" in line and not line.strip().startswith("(")
    }


def test_a_weight_of_a_hidden_layer(xor_adam: glassnet.Run) -> None:
    title, text = explain_part(xor_adam, 3, "W0[1,2]")
    assert title == "W0[1,2] (x2->h3): from x2 to h3"
    found = labels(text)
    assert "x2->h3" in found
    assert {"ex2 h3", "ex4 h3"} <= found  # the batch's examples, at unit h3
    assert not any(label.endswith(("h1", "h2", "h4")) for label in found)
    for part in ("1. Forward pass", "3. Backward pass", "m = b1 * m", "4. Gradient check"):
        assert part in text, part
    assert "x2->h3 " in text.split("5. Why each weight moved")[1]
    assert "6. Compared" not in text


def test_an_output_unit_and_its_error(xor_adam: glassnet.Run) -> None:
    title, text = explain_part(xor_adam, 3, "unit:2:0")
    assert title == "output out"
    assert "2. Error" in text and "error = target - prediction" in text
    assert "derivative of the sigmoid" in text
    assert "h1->out" not in labels(text)


def test_a_bias_and_an_input(xor_adam: glassnet.Run) -> None:
    _, text = explain_part(xor_adam, 2, "b1[0]")
    assert "b->out" in labels(text)
    _, text = explain_part(xor_adam, 2, "unit:0:1")
    assert {"x2->h1", "x2->h4"} <= labels(text)


@pytest.mark.parametrize("part", ["W0[3,0]", "W2[0,0]", "b5[0]", "unit:3:0", "w1", "unit:1:9"])
def test_parts_that_are_not_there(xor_adam: glassnet.Run, part: str) -> None:
    with pytest.raises(ConfigError, match="part"):
        explain_part(xor_adam, 1, part)
