"""glassnet predict: a saved run's outputs for new inputs, scaled as its training inputs were."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.predict import predict


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    post = glassnet.Experiment().run()
    post.to_json(str(folder / "post.json"))
    iris = glassnet.Experiment("examples/iris.toml").run()
    iris.to_json(str(folder / "iris.json"))
    return folder, post, iris


def test_the_posts_network_predicts_as_its_final_weights_say(saved, capsys):
    folder, post, _ = saved
    assert main(["predict", str(folder / "post.json"), "--inputs", "1,0,0;0,1,1"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = 1 / (1 + np.exp(-(post.final.weights[0][0, 0])))
    assert out[1].split()[1] == f"{expected:.8f}" and out[1].split()[2] == "1"
    assert out[2].split()[2] == "0"


def test_a_standardized_run_scales_the_raw_inputs(saved):
    folder, _, iris = saved
    loaded = glassnet.load(folder / "iris.json")
    raw = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])
    mine = predict(loaded, raw)
    np.testing.assert_allclose(mine.scaled, iris.data.scaling.apply(raw), atol=1e-12)
    assert mine.classes.tolist() == [0, 2]  # setosa, virginica
    np.testing.assert_allclose(mine.outputs.sum(axis=1), 1.0)


def test_explain_writes_the_forward_pass_out(saved, capsys):
    folder, _, _ = saved
    assert main(["predict", str(folder / "post.json"), "--inputs", "1,0,0", "--explain"]) == 0
    text = capsys.readouterr().out
    assert "(1 * 12.01) + (0 * -.20) + (0 * -5.80) = 12.01" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inputs", "1,0"], "--inputs row 1 has 2 numbers but the network has 3 inputs"),
        (["--inputs", "1,x,0"], "--inputs row 1 must be 3 numbers separated by commas"),
        ([], "give the inputs with --inputs"),
    ],
)
def test_bad_inputs_get_one_line(saved, capsys, args, message):
    folder, _, _ = saved
    assert main(["predict", str(folder / "post.json"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
