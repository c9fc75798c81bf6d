"""The playground's session: slices of training equal one run, exact replay, edits, export."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")

import glassnet
from glassnet import config as config_mod
from glassnet.cli import main
from glassnet.engines.tolerance import assert_close
from glassnet.errors import EXIT_DIVERGED, EXIT_OK, ConfigError, DataError
from glassnet.serialize import dumps, run_to_dict
from glassnet.serve.session import Limits, Session, SessionError, format_toml, write_run_json


@pytest.fixture
def seed(tmp_path: Path) -> Session:
    return Session(folder=tmp_path / "session")


def test_the_posts_first_updates(seed: Session) -> None:
    seed.train(1)
    panel = seed.arithmetic("W0[0,0]")
    assert panel["iteration"] == 1
    assert ".6742 + .2352 = .9095" in " ".join(panel["text"].split())
    seed.train(1)
    frame = seed.frame()
    assert frame["iteration"] == 2
    assert round(frame["weights"][0][0][0], 4) == 0.9095
    seed.scrub(0)
    assert [round(w[0], 4) for w in seed.frame()["weights"][0]] == [0.3929, -0.4277, -0.5463]
    assert seed.arithmetic("W0[0,0]")["value"] == pytest.approx(0.39293837)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        dict(
            dataset="xor",
            layers=[3, 4, 1],
            seed=1,
            bias=True,
            optimizer="adam",
            learning_rate=0.05,
            batch_size=3,
            l2=0.001,
        ),
    ],
    ids=["seed", "xor-adam-batches"],
)
def test_slices_and_edits_give_the_numbers_of_one_run(tmp_path: Path, settings: dict) -> None:
    session = Session(config_mod.from_settings(settings), folder=tmp_path / "s")
    for n in (1, 10, 1000):
        session.train(n)
    session.edit("W0[0,0]", 0.5)
    session.edit("learning_rate", 0.5)
    session.train(7)
    session.train(2500)
    edits = [
        {"iteration": 1011, "set": "W0[0,0]", "value": 0.5},
        {"iteration": 1011, "set": "learning_rate", "value": 0.5},
    ]
    one = glassnet.Experiment(
        config_mod.from_settings({**settings, "iterations": session.iteration, "edits": edits})
    ).run(engine=session.engine)
    assert session.iteration == one.iterations == 3518
    assert np.array_equal(session.final.flat(), one.final.flat())
    assert np.array_equal(session.loss.values, one.history.loss)
    assert np.array_equal(session.error_sum.values, one.history.error_sum)
    # scrubbing replays like any Run (the reference from the nearest checkpoint): the
    # checkpoints differ from one run's, so the replayed last bits follow the tolerance policy
    run = session.run()
    for k in (0, 5, 1010, 1011, 1012, 2000, 3517):
        session.scrub(k)
        shown = np.concatenate([np.ravel(w) for w in session.frame()["weights"]])
        expected = run.weights_at(k)
        assert np.array_equal(shown, np.concatenate([w.ravel() for w in expected.weights]))
        assert_close(expected.flat(), one.weights_at(k).flat(), f"weights of #{k}")


def test_an_edit_shows_at_once_and_is_recorded_when_training_goes_on(seed: Session) -> None:
    seed.train(3)
    seed.edit("W0[1,0]", 2.0)
    assert seed.frame()["weights"][0][1][0] == 2.0
    assert seed.arithmetic("W0[1,0]")["value"] == 2.0
    seed.train(1)
    assert [(e.iteration, e.target, e.value) for e in seed.edits] == [(3, "W0[1,0]", 2.0)]
    seed.scrub(3)
    assert seed.frame()["weights"][0][1][0] == 2.0
    with pytest.raises(SessionError, match="latest iteration"):
        seed.edit("W0[0,0]", 1.0)
    seed.scrub(4)
    with pytest.raises(ConfigError, match="Did you mean"):
        seed.edit("W0[0,O]", 1.0)
    with pytest.raises(ConfigError, match="> 0"):
        seed.edit("learning_rate", 0.0)
    seed.reset()
    assert seed.iteration == 0 and seed.edits == []


def _replay(tmp_path: Path, archive: bytes, exit_code: int = EXIT_OK) -> tuple[dict, dict]:
    folder = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)
    exported = json.loads((folder / "playground-run.json").read_text())
    code = main(["run", str(folder / "playground.toml"), "--json", str(folder / "replay.json")])
    assert code == exit_code
    return exported, json.loads((folder / "replay.json").read_text())


@pytest.mark.parametrize("iterations", [100, 60_000], ids=["short (numpy)", "long (compiled)"])
def test_export_replays_bit_for_bit_with_glassnet_run(
    seed: Session, tmp_path: Path, iterations: int
) -> None:
    seed.train(5)
    seed.edit("W0[0,0]", -1.25)
    seed.edit("learning_rate", 0.75)
    seed.train(iterations)
    path = seed.export(tmp_path / "export.zip")
    exported, replayed = _replay(tmp_path, path.read_bytes())
    assert exported["final"]["weights"] == replayed["final"]["weights"]
    assert exported["history"] == replayed["history"]
    assert exported["config"]["edits"] == [
        {"iteration": 5, "set": "W0[0,0]", "value": -1.25},
        {"iteration": 5, "set": "learning_rate", "value": 0.75},
    ]
    assert exported["iterations"] == seed.iteration
    # the page's own numbers: exactly where glassnet run picks the session's engine
    live = seed.final.flat()
    final = np.ravel(exported["final"]["weights"])
    if exported["engine"] == seed.engine:
        assert np.array_equal(live, final)
    else:
        np.testing.assert_allclose(live, final, rtol=0, atol=1e-12)
    assert glassnet.load(tmp_path / "export" / "playground-run.json").iterations == seed.iteration


def test_the_run_json_is_written_in_chunks_as_serialize_writes_it(tmp_path: Path) -> None:
    run = glassnet.Experiment(
        dataset="xor", layers=[3, 4, 1], seed=1, iterations=45_001, batch_size=3
    ).run()
    out = io.BytesIO()
    write_run_json(run, out)
    assert out.getvalue() == dumps(run_to_dict(run)).encode()


def test_format_toml_reads_back_to_the_same_experiment(tmp_path: Path) -> None:
    cfg = config_mod.from_settings(
        {
            "dataset": "circle",
            "noise": 0.1,
            "layers": [2, 3, 1],
            "activation": ["tanh", "sigmoid"],
            "optimizer": "momentum",
            "momentum": 0.5,
            "learning_rate": 1e-05,
            "edits": [{"iteration": 3, "set": "b0[1]", "value": 0.25}],
            "bias": True,
        }
    )
    path = tmp_path / "e.toml"
    path.write_text(format_toml(cfg))
    assert config_mod.load(path).to_dict() == cfg.to_dict()


def test_settings_a_2d_set_and_its_boundary(seed: Session) -> None:
    seed.configure({"dataset": "circle", "hidden": [4, 2], "activation": "tanh", "bias": True})
    assert seed.network.sizes == (2, 4, 2, 1)
    setup = seed.setup()
    assert setup["data"]["plane"] is not None
    assert setup["network"]["units"][1] == ["h1.1", "h1.2", "h1.3", "h1.4"]
    first = seed.frame()["boundary"]
    seed.train(300)
    later = seed.frame()["boundary"]
    assert len(first["hidden"]) == 2 and len(first["hidden"][0]) == 4
    assert first["output"] != later["output"]
    # each unit's colour scale: tanh's own range; relu's from 0 to its largest output
    assert all(unit["range"] == [-1.0, 1.0] for layer in later["hidden"] for unit in layer)
    seed.configure({"activation": "relu"})
    seed.train(50)
    for layer in seed.frame()["boundary"]["hidden"]:
        for unit in layer:
            low, high = unit["range"]
            assert low == 0.0 and high > 0.0
    seed.configure({"loss": "categorical_cross_entropy"})
    assert seed.network.activations[-1].name == "softmax" and seed.network.sizes[-1] == 2
    seed.configure({"loss": "half_squared_error"})
    assert seed.network.activations[-1].name == "sigmoid"


def test_refused_settings_keep_the_experiment(seed: Session) -> None:
    seed.train(2)
    with pytest.raises(ConfigError, match="learning_rate"):
        seed.configure({"learning_rate": -1.0})
    assert seed.iteration == 2 and seed.config.train.learning_rate == 1.0
    with pytest.raises(ConfigError, match="unknown setting"):
        seed.configure({"layers": [3, 1]})


def test_limits(tmp_path: Path) -> None:
    small = Limits(iterations=100, hidden_layers=2, units=8, parameters=60, examples=50)
    session = Session(folder=tmp_path / "s", limits=small)
    assert session.train(1000) == 100
    with pytest.raises(SessionError, match="limit of 100 iterations"):
        session.train(1)
    with pytest.raises(ConfigError, match="at most 2 hidden layers"):
        session.configure({"hidden": [2, 2, 2]})
    with pytest.raises(ConfigError, match="at most 8 units"):
        session.configure({"hidden": [9]})
    with pytest.raises(ConfigError, match="at most 60 weights"):
        session.configure({"hidden": [8, 8]})
    with pytest.raises(DataError, match="at most 50 examples"):
        session.configure({"dataset": "circle"})


def test_a_csv_upload_and_its_errors(seed: Session) -> None:
    seed.load_csv(b"a,b,y\n0,1,1\n1,0,1\n0,0,0\n", "mine.csv")
    assert seed.settings()["dataset"] == "csv" and seed.data.n_samples == 3
    with pytest.raises(DataError) as caught:
        seed.load_csv(b"a,b,y\n0,1,1\n1,zero,1\n", "bad.csv")
    message = str(caught.value)
    assert "'bad.csv'" in message and "row" in message and "data-new" not in message
    assert "\n" not in message
    assert seed.data.n_samples == 3  # the last good data stays
    with pytest.raises(DataError, match="more than the 10 MB accepted"):
        seed.load_csv(b"0" * 10_000_001, "big.csv")
    seed.train(3)
    exported = seed.export(seed.folder / "e.zip")
    names = zipfile.ZipFile(exported).namelist()
    assert sorted(names) == ["data.csv", "playground-run.json", "playground.toml"]


def test_points_added_on_the_plane(seed: Session) -> None:
    with pytest.raises(DataError, match="two inputs"):
        seed.add_point(0.0, 0.0, 1)
    seed.configure({"dataset": "gauss", "n": 10})
    seed.add_point(0.5, -0.5, 1)
    assert seed.settings()["dataset"] == "points"
    assert seed.data.n_samples == 11
    assert seed.data.X[-1].tolist() == [0.5, -0.5] and seed.data.y[-1, 0] == 1.0


def test_a_diverged_run_stops_and_still_exports(tmp_path: Path) -> None:
    cfg = config_mod.from_settings({"dataset": "xor", "activation": "linear", "learning_rate": 1e3})
    session = Session(cfg, folder=tmp_path / "s")
    session.train(10_000)
    assert session.stop is not None
    with pytest.raises(SessionError, match="not finite"):
        session.train(1)
    frame = session.frame()
    assert frame["stopped"] == session.stop.iteration
    exported, replayed = _replay(
        tmp_path, session.export(tmp_path / "e.zip").read_bytes(), EXIT_DIVERGED
    )
    assert exported["stopped"] == replayed["stopped"]
