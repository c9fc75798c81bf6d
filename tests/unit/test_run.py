"""glassnet.run: a Run's methods (plot, report, the history as pandas) and its repr."""

from __future__ import annotations

from pathlib import Path

import pytest

import glassnet


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
