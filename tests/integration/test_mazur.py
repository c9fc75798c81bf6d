"""Matt Mazur's "A Step by Step Backpropagation Example", worked by ``glassnet explain``.

``examples/mazur.toml`` is his 2-2-2 network (inputs .05 and .10, targets .01
and .99, sigmoid units, half squared error, learning rate .5, biases .35 and
.60 that take part but are not trained). ``--notation chain`` must print his
numbers, with his names and his signs (the gradient dE/dw, not its negative).

His post gives the error after the first update as 0.291027924; float64
arithmetic gives 0.2910277737 (his figure carries the rounding of the numbers
he wrote down along the way), which is what glassnet prints.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.printed import false_lines, printed_equations

import glassnet
from glassnet.cli import main

MAZUR = Path(__file__).resolve().parents[2] / "examples" / "mazur.toml"

#: (label of the printed line, his value): the line's result must round to his digits.
HIS_NUMBERS = [
    ("net_h1", "0.3775"),
    ("out_h1", "0.593269992"),
    ("out_h2", "0.596884378"),
    ("out_o1", "0.75136507"),
    ("out_o2", "0.772928465"),
    ("E_o1", "0.274811083"),
    ("E_o2", "0.023560026"),
    ("E_total", "0.298371109"),
    ("dE_total/dout_o1", "0.74136507"),
    ("dout_o1/dnet_o1", "0.186815602"),
    ("dE_total/dw5", "0.082167041"),
    ("w5+", "0.35891648"),
    ("w6+", "0.408666186"),
    ("w7+", "0.511301270"),
    ("w8+", "0.561370121"),
    ("dE_o1/dnet_o1", "0.138498562"),
    ("dE_o1/dout_h1", "0.055399425"),
    ("dE_total/dout_h1", "0.036350306"),
    ("dout_h1/dnet_h1", "0.241300709"),
    ("dE_total/dw1", "0.000438568"),
    ("w1+", "0.149780716"),
    ("w2+", "0.19956143"),
    ("w3+", "0.24975114"),
    ("w4+", "0.29950229"),
]


def _run_cli(capsys: pytest.CaptureFixture[str]) -> str:
    """``glassnet explain examples/mazur.toml --iteration 0 --notation chain``'s output."""
    args = ["explain", str(MAZUR), "--iteration", "0", "--notation", "chain", "--format", "text"]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_the_chain_view_prints_mazurs_numbers_with_his_names_and_signs(capsys):
    out = _run_cli(capsys)
    results = {label: float(rhs) for label, _, rhs in printed_equations(out)}
    for label, his in HIS_NUMBERS:
        unit = 10.0 ** -len(his.split(".")[1])
        assert label in results, label
        # his figure is ours rounded to his digits (he sometimes drops a trailing 0)
        assert abs(results[label] - float(his)) <= unit / 2 + 1e-12, (label, results[label], his)
    # his sign: the gradient itself, positive for w5 (the negative is glassnet's delta)
    assert re.search(
        r"dE_total/dw5:\s+\.741365070 \* \.186815602 \* \.593269992 =\s+\.082167041", out
    )
    # each term of a hidden unit's error sum, worked out as a product, then their sum
    assert re.search(r"dE_o1/dout_h1:\s+\.138498562 \*\s+\.4 =\s+\.055399425", out)
    assert re.search(r"dE_o2/dout_h1:\s+-\.038098237 \*\s+\.5 =\s+-\.019049118", out)
    assert "dE_total/dout_h1:  .055399425 + -.019049118 = .036350306" in out
    assert "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1" in " ".join(out.split())
    assert "w5+:   .4 - .5 *  .082167041 = .358916480" in out
    assert "w1+:  .15 - .5 * .000438568 = .149780716" in out
    assert false_lines(out) == []


def test_it_says_back_propagation_uses_the_weights_before_the_update(capsys):
    out = " ".join(_run_cli(capsys).split())
    assert (
        "Back-propagation uses the weights from before the update: dnet_o1/dout_h1 above is "
        "w5 = .4, not w5+ = .358916480." in out
    )


def test_it_ends_with_the_error_after_the_update(capsys):
    out = _run_cli(capsys)
    run = glassnet.Experiment(MAZUR).run(engine="numpy")
    after = run.step(1).loss
    assert f"{after:.9f}".lstrip("0") in out
    last = out.strip().splitlines()[-2:]
    assert "E_total after this update" in " ".join(last) and ".291027774" in " ".join(last)
    assert "(before: .298371109, down .007343335)." in " ".join(out.split())


def test_mazurs_experiment_file_is_his_network():
    exp = glassnet.Experiment(MAZUR)
    W0, W1 = exp.initial.weights
    assert W0.tolist() == [[0.15, 0.25], [0.20, 0.30]]  # w1 = .15 (i1->h1), w3 = .25 (i1->h2)
    assert W1.tolist() == [[0.40, 0.50], [0.45, 0.55]]  # w5 = .40 (h1->o1), w7 = .50 (h1->o2)
    b0, b1 = exp.initial.biases
    assert b0.tolist() == [0.35, 0.35] and b1.tolist() == [0.60, 0.60]
    assert exp.config.train.train_biases is False
    assert exp.config.train.learning_rate == 0.5
    run = exp.run(engine="numpy")
    step = run.step(0)
    assert step.layers[0].db is None and step.layers[1].db is None  # present, not trained


def test_the_default_notation_is_unchanged_by_the_chain_view(capsys):
    assert main(["explain", str(MAZUR), "--iteration", "0", "--format", "text"]) == 0
    out, _ = capsys.readouterr()
    assert "BY THE CHAIN RULE" not in out and "delta = error * derivative:" in out
    assert "dE_total" not in out
