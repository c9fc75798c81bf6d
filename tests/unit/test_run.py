"""The Python API a user meets first: Experiment from TOML/dict/kwargs, the run's methods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet

TOML = """
[data]
dataset = "seed"
[network]
layers = [3, 1]
activation = "sigmoid"
[init]
seed = 123
[train]
iterations = 200
learning_rate = 1.0
"""


def test_experiment_from_toml_dict_and_keywords_agree(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_text(TOML)
    from_file = glassnet.Experiment(path).run()
    from_dict = glassnet.Experiment(
        {
            "data": {"dataset": "seed"},
            "network": {"layers": [3, 1], "activation": "sigmoid"},
            "init": {"seed": 123},
            "train": {"iterations": 200, "learning_rate": 1.0},
        }
    ).run()
    from_kwargs = glassnet.Experiment(iterations=200, layers=[3, 1], seed=123).run()
    for other in (from_dict, from_kwargs):
        assert from_file.compare(other).identical
    assert from_file.history.error_sum.dtype == np.float64
    assert from_file.history.error_sum.shape == (200,)
    assert from_file.step(1).prediction.ravel().round(8).tolist() == [
        0.40018475,
        0.32312967,
        0.56698066,
        0.48370881,
    ]


def test_saved_seed_run_explains_iteration_1_byte_for_byte(
    seed_run: glassnet.Run, tmp_path: Path
) -> None:
    path = tmp_path / "seed.json"
    seed_run.to_json(str(path))
    loaded = glassnet.load(path)
    assert loaded.explain(1) == seed_run.explain(1)
    assert loaded.explain(1).encode() == seed_run.explain(1).encode()
    assert loaded.explain(1, format="md", digits=8) == seed_run.explain(1, format="md", digits=8)
    assert "-.4047" in loaded.explain(1)  # the seed post's style of number
    assert loaded.compare(seed_run).identical
    from matplotlib.figure import Figure

    assert isinstance(loaded.plot("error"), Figure)  # plotted without retraining


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


def test_public_names() -> None:
    for name in ("Experiment", "Run", "History", "load", "Comparison", "compare_runs"):
        assert name in glassnet.__all__ and hasattr(glassnet, name)


def test_readme_python_api_example_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sklearn")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[
        readme.index("## Python API, Jupyter, scikit-learn, real data, comparing runs") :
    ]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    expected = section.split("```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == expected


def test_run_repr_is_one_short_line(seed_run: glassnet.Run) -> None:
    assert repr(seed_run) == (
        "<glassnet.Run 'trask' (4 examples), layers [3, 1], sigmoid, 100,000 updates at "
        "learning rate 1, final error sum 0.0099497389>"
    )
