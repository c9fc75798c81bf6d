"""glassnet.run: a Run's methods (plot, report, the history as pandas) and its repr."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.network import error_sum, forward


def test_plot_report_and_pandas(tmp_path: Path) -> None:
    run = glassnet.Experiment(iterations=300).run()
    from matplotlib.figure import Figure

    assert isinstance(run.plot(), Figure)
    assert isinstance(run.plot("weights"), Figure)
    out = tmp_path / "report.html"
    assert run.report(out) == out
    assert out.stat().st_size > 1000 and "<html" in out.read_text().lower()
    pytest.importorskip("pandas")
    frame = run.history.to_pandas()
    assert list(frame.columns) == ["loss", "error_sum"] and frame.index.name == "iteration"
    assert frame["error_sum"].iloc[1] == run.history.error_sum[1]


def test_history_to_pandas_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pandas(name: str, *args: object, **kwargs: object) -> object:
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    run = glassnet.Experiment(iterations=3).run()
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pip install pandas"):
        run.history.to_pandas()


def test_run_repr_is_one_short_line(seed_run: glassnet.Run) -> None:
    assert repr(seed_run) == (
        "<glassnet.Run 'trask' (4 examples), layers [3, 1], sigmoid, 100,000 updates at "
        "learning rate 1, final error sum 0.0099497389>"
    )


# --------------------------------------------------------------------------- a held-out split


def test_run_records_test_figures_every_iteration(iris_run: glassnet.Run) -> None:
    run = iris_run
    assert run.test is not None
    assert run.history.test_loss is not None and run.history.test_error_sum is not None
    assert len(run.history.test_loss) == len(run.history.loss) == 60
    for k in (0, 1, 37, 59):
        _, acts = forward(run.network, run.weights_at(k), run.test.X)
        assert run.history.test_loss[k] == run.network.loss.fn(run.test.y, acts[-1])
        assert run.history.test_error_sum[k] == error_sum(run.test.y, acts[-1])
    _, acts = forward(run.network, run.final, run.test.X)
    np.testing.assert_array_equal(run.final_test_prediction, acts[-1])
    assert run.final_test_error_sum == error_sum(run.test.y, acts[-1])
    # the training history is exactly the one a run without a split on the same rows gives
    assert run.history.loss[-1] < run.history.loss[0]
    assert run.history.test_loss[-1] < run.history.test_loss[0]


def test_history_to_pandas_has_test_columns(iris_run: glassnet.Run) -> None:
    pytest.importorskip("pandas")
    frame = iris_run.history.to_pandas()
    assert list(frame.columns) == ["loss", "error_sum", "test_loss", "test_error_sum"]
    assert frame.index.name == "iteration" and len(frame) == 60


def test_seed_run_has_no_test_figures(seed_run: glassnet.Run) -> None:
    assert seed_run.test is None and seed_run.history.test_loss is None
    assert "test" not in seed_run.to_dict()
    assert "standardize" not in seed_run.to_dict()["config"]["data"]


# --------------------------------------------------------------------------- iteration numbering


def test_iteration_numbering(seed_run):
    """Iteration #k uses the weights after k updates; N iterations apply N updates."""
    run = glassnet.Experiment(iterations=3).run()
    assert run.iterations == 3 and len(run.history) == 3
    for k in range(3):
        assert np.array_equal(run.step(k).after.weights[0], run.step(k + 1).before.weights[0])
    assert np.array_equal(run.step(3).before.weights[0], run.final.weights[0])
    assert not run.step(3).applied and run.step(2).applied


# --------------------------------------------------------------------------- replay


def test_replay_is_bit_identical_to_training():
    """Replaying any iteration from a sparse checkpoint gives the training loop's own numbers."""
    run = glassnet.Experiment(
        dataset="xor", layers=[3, 4, 1], seed=1, iterations=5000, checkpoints=100
    ).run(engine="numpy")
    for k in (0, 49, 50, 51, 1234, 4999):
        step = run.step(k)
        assert step.loss == run.history.loss[k]
        assert step.error_sum == run.history.error_sum[k]
    assert all(
        np.array_equal(a, b) for a, b in zip(run.step(4999).after.weights, run.final.weights)
    )
