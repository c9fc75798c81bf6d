"""glassnet.serialize.load: a run file is checked against the rules a run obeys.

The damaged documents of the table (docs/errors.md) and the fuzz
(tests/integration/test_fuzz.py) cover the messages; here: the rules that bound the work
a loaded run can cause, and that a valid run comes back bit for bit.
"""

from __future__ import annotations

import copy
import json
import platform
from pathlib import Path

import numpy as np
import pytest

import glassnet
import glassnet.memory
from glassnet import files, serialize
from glassnet.errors import GlassnetError
from glassnet.training import CheckpointSchedule


def saved(tmp_path: Path, **settings) -> tuple[glassnet.Run, dict]:
    run = glassnet.Experiment(**settings).run(engine="numpy")
    path = tmp_path / "run.json"
    run.to_json(str(path), trace=[0])
    return run, json.loads(path.read_text())


def load(tmp_path: Path, doc: dict | str) -> glassnet.Run:
    path = tmp_path / "doctored.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return glassnet.load(path)


def test_a_saved_run_comes_back_bit_for_bit(tmp_path):
    run, doc = saved(tmp_path, dataset="xor", layers=[3, 4, 1], bias=True, iterations=300)
    again = load(tmp_path, doc)
    assert serialize.dumps(again.to_dict(trace=[0])) == serialize.dumps(doc)
    for k in (0, 1, 150, 299, 300):
        assert np.array_equal(again.step(k).prediction, run.step(k).prediction)


def test_a_doctored_iteration_count_cannot_make_a_replay_run_for_hours(tmp_path):
    _, doc = saved(tmp_path, iterations=4)
    doc["config"]["train"]["iterations"] = 500_000_000
    with pytest.raises(GlassnetError, match=r"iterations must be 500,000,000 .* got 4\."):
        load(tmp_path, doc)
    doc["iterations"] = 500_000_000
    with pytest.raises(GlassnetError, match=r"history\.loss must be a list of 500,000,000"):
        load(tmp_path, doc)


def test_checkpoints_must_be_as_dense_as_the_runs_own_schedule(tmp_path):
    _, doc = saved(tmp_path, iterations=100, checkpoints=8)
    every = CheckpointSchedule.for_run(100, 8).every
    sparse = copy.deepcopy(doc)
    # drop the later checkpoints: a gap of 98, more than twice the spacing (a run continued
    # by Run.extend may have checkpoints up to twice as far apart)
    kept = [0, 1, 2]
    assert 2 * every < 98
    sparse["checkpoints"]["iterations"] = kept
    for key in ("weights", "biases"):
        sparse["checkpoints"][key] = [
            None if layer is None else layer[: len(kept)] for layer in doc["checkpoints"][key]
        ]
    with pytest.raises(
        GlassnetError, match=rf"at most {2 * every} apart .* got 2 followed by 100\."
    ):
        load(tmp_path, sparse)
    # the same checkpoints are fine where the run's own schedule is that sparse
    sparse["config"]["train"]["checkpoints"] = 2
    assert 2 * CheckpointSchedule.for_run(100, 2).every >= 98
    assert load(tmp_path, sparse).step(99).iteration == 99


def test_checkpoints_must_start_at_0_and_increase(tmp_path):
    _, doc = saved(tmp_path, iterations=4)
    for bad in ([1, 2, 3, 4], [0, 2, 1, 3], [0, 1, 2, 9], [], [0, 1.0, 2, 3], "0"):
        changed = copy.deepcopy(doc)
        changed["checkpoints"]["iterations"] = bad
        with pytest.raises(GlassnetError, match=r"checkpoints\.iterations must be"):
            load(tmp_path, changed)


def test_a_stopped_run_has_one_more_history_entry_and_may_end_non_finite(tmp_path):
    run, doc = saved(tmp_path, learning_rate=1e6, loss="binary_cross_entropy", iterations=50)
    assert run.stop is not None and len(doc["history"]["loss"]) == run.iterations + 1
    assert doc["history"]["loss"][-1] == "Infinity"
    again = load(tmp_path, doc)
    assert again.stop == run.stop and again.iterations == run.iterations
    doc["history"]["loss"][0] = "NaN"  # only the last entry of a stopped run may be
    with pytest.raises(GlassnetError, match=r"history\.loss\[0\] must be a finite number"):
        load(tmp_path, doc)


def test_data_must_be_finite_and_final_weights_need_not_be(tmp_path):
    _, doc = saved(tmp_path, iterations=3)
    changed = copy.deepcopy(doc)
    changed["final"]["weights"][0][0][0] = "Infinity"  # what an overflowing update leaves
    assert np.isinf(load(tmp_path, changed).final.weights[0][0, 0])
    changed = copy.deepcopy(doc)
    changed["data"]["inputs"][1][2] = "Infinity"
    with pytest.raises(GlassnetError, match=r"data\.inputs\[1\]\[2\] must be a finite number"):
        load(tmp_path, changed)
    changed = copy.deepcopy(doc)
    changed["initial"]["weights"][0][0][0] = True
    with pytest.raises(GlassnetError, match=r"initial\.weights\[0\]\[0\]\[0\] must be a finite"):
        load(tmp_path, changed)


def test_the_size_cap_and_the_memory_it_would_take(tmp_path, monkeypatch):
    _, doc = saved(tmp_path, iterations=3)
    text = json.dumps(doc)
    monkeypatch.setattr(files, "MAX_RUN_BYTES", len(text) - 1)
    with pytest.raises(GlassnetError, match=r"more than the .* accepted; record fewer"):
        load(tmp_path, text)
    monkeypatch.setattr(files, "MAX_RUN_BYTES", 2 * 10**9)
    monkeypatch.setattr(glassnet.memory, "available_memory", lambda: len(text))
    with pytest.raises(GlassnetError, match=r"loading it takes about .* Free some memory\."):
        load(tmp_path, text)


def test_huge_integers_are_named_not_converted(tmp_path):
    _, doc = saved(tmp_path, iterations=3)
    text = json.dumps(doc).replace('"seed": 123', '"seed": ' + "9" * 5000)
    with pytest.raises(GlassnetError) as info:
        load(tmp_path, text)
    assert str(info.value).endswith(
        "config: [init] seed must be a whole number from 0 to 2**32 - 1; "
        "got a 5,000-digit whole number."
    )


GOLD_RUN = Path(__file__).resolve().parents[1] / "gold" / "post_run_2000.json"


def _compare_documents(got, want, path="$"):
    """Strings, whole numbers, keys and lengths exactly; floats within the engines' policy
    (numpy's exp may round differently in the last bit on another CPU's SIMD path)."""
    from glassnet.engines.tolerance import RTOL

    assert type(got) is type(want) or {type(got), type(want)} <= {int, float}, path
    if isinstance(want, dict):
        assert list(got) == list(want), path
        for key in want:
            _compare_documents(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), path
        floats = [isinstance(w, float) for w in want]
        if want and all(floats):
            scale = max(1.0, max(abs(w) for w in want))
            worst = max(abs(g - w) for g, w in zip(got, want))
            assert worst <= RTOL * scale, f"{path}: {worst:.2e} > {RTOL} * {scale:g}"
        else:
            for i, (g, w) in enumerate(zip(got, want)):
                _compare_documents(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert abs(got - want) <= RTOL * max(1.0, abs(want)), path
    else:
        assert got == want, path


def test_the_posts_run_file_is_the_stored_one(tmp_path):
    """The post's experiment, 2,000 iterations with three traced steps, saved as before the
    refactoring of the definitions and engines: only ``dataset = "seed"`` became ``"trask"``
    (its own name; "seed" stays accepted). On the machine that stored it, byte for byte."""
    run = glassnet.Experiment(dataset="seed", iterations=2000).run(engine="numpy")
    path = tmp_path / "post.json"
    run.to_json(str(path), trace=[0, 1, 1999])
    got, want = json.loads(path.read_text()), json.loads(GOLD_RUN.read_text())
    assert got.pop("glassnet")["format"] == want.pop("glassnet")["format"]
    _compare_documents(got, want)


def test_saved_seed_run_explains_iteration_1_byte_for_byte(
    seed_run: glassnet.Run, tmp_path: Path
) -> None:
    path = tmp_path / "seed.json"
    seed_run.to_json(str(path))
    loaded = glassnet.load(path)
    assert loaded.explain(1) == seed_run.explain(1)
    assert loaded.explain(1).encode() == seed_run.explain(1).encode()
    assert loaded.explain(1, format="md", digits=8) == seed_run.explain(1, format="md", digits=8)
    assert "-.4047" in loaded.explain(1)  # the post's style of number
    assert loaded.compare(seed_run).identical
    from matplotlib.figure import Figure

    assert isinstance(loaded.plot("error"), Figure)  # plotted without retraining


def test_run_with_split_roundtrips_through_json(iris_run: glassnet.Run, tmp_path) -> None:
    path = tmp_path / "iris.json"
    iris_run.to_json(str(path))
    loaded = glassnet.load(path)
    assert loaded.test is not None
    np.testing.assert_array_equal(loaded.test.X, iris_run.test.X)  # type: ignore[union-attr]
    np.testing.assert_array_equal(loaded.history.test_loss, iris_run.history.test_loss)  # type: ignore[arg-type]
    np.testing.assert_array_equal(loaded.history.test_error_sum, iris_run.history.test_error_sum)  # type: ignore[arg-type]
    assert loaded.final_test_loss == iris_run.final_test_loss
    assert loaded.config == iris_run.config
    np.testing.assert_array_equal(loaded.step(13).layers[0].dW, iris_run.step(13).layers[0].dW)


def test_json_records_the_versions_and_platform(tmp_path):
    path = tmp_path / "r.json"
    glassnet.Experiment(iterations=3).run().to_json(str(path))
    meta = json.loads(path.read_text())["glassnet"]
    assert meta["version"] == glassnet.__version__
    assert meta["numpy"] == np.__version__
    assert meta["python"] == platform.python_version()
    assert meta["platform"] == platform.platform()
    assert meta["format"].startswith("glassnet-run/")


def test_json_round_trip(tmp_path, seed_run):
    path = tmp_path / "run.json"
    seed_run.to_json(str(path), trace=[0, 1])
    doc = json.loads(path.read_text())
    assert list(doc)[:3] == ["glassnet", "config", "data"]
    assert doc["iterations"] == 100_000
    assert len(doc["history"]["loss"]) == 100_000
    np.testing.assert_allclose(
        doc["steps"][1]["layers"][0]["a"], seed_run.step(1).prediction, rtol=0, atol=0
    )
    assert doc["steps"][1]["weights_after"][0] == seed_run.step(1).after.weights[0].tolist()
    assert doc["final"]["weights"][0] == seed_run.final.weights[0].tolist()
    loaded = glassnet.load(path)
    assert np.array_equal(loaded.history.error_sum, seed_run.history.error_sum)
    assert np.array_equal(loaded.step(777).prediction, seed_run.step(777).prediction)


def test_same_experiment_same_bytes(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    glassnet.Experiment(iterations=50).run().to_json(str(a), trace=[0, 49])
    glassnet.Experiment(iterations=50).run().to_json(str(b), trace=[0, 49])
    assert a.read_bytes() == b.read_bytes()
