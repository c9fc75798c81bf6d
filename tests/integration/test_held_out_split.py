"""A run with a held-out split end to end: its command-line flags, and its report in a browser
showing the test curve beside the training curve.

The run (split_run, tests/conftest.py): breast_cancer (scikit-learn's bundled
copy), standardized, a quarter held out, layers [30, 8, 1], 300 iterations.
The test curve drawn must be the run's recorded ``history.test_error_sum`` /
``test_loss`` (exactly, or divided by the number of held-out examples when
drawn per example). The curves, the error and weights plots and the report
data of a split are unit tests of their modules (unit/test_curves.py,
test_plots_error.py, test_plots_weights.py, test_report.py); runs without a
split keep their old pictures (the same files and integration/test_browser.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.cli import main

pytest.importorskip("sklearn", reason="the real datasets come from scikit-learn's bundled data")


@pytest.fixture(scope="module")
def split_report(split_run, tmp_path_factory) -> Path:
    return split_run.report(tmp_path_factory.mktemp("split") / "breast-cancer-report.html")


def embedded_data(page_html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="glassnet-data">(.*?)</script>', page_html, re.S
    )
    assert match, "no embedded data block"
    return json.loads(match.group(1))


# ---- the report in a browser ------------------------------------------------------------


@pytest.mark.browser
def test_report_in_a_browser_draws_and_reads_out_both_curves(browser, split_run, split_report):
    history = split_run.history
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    try:
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "data:"))
                else (problems.append(r.request.url), r.abort())
            ),
        )
        page.goto(split_report.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=5_000)
        data = page.evaluate("JSON.parse(document.getElementById('glassnet-data').textContent)")
        n_steps = len(data["steps"]["iteration"])
        # two curves, one point per recorded iteration each, in different colours, with a legend
        for path in ("#chart-train", "#chart-test"):
            assert page.get_attribute(path, "d").count("L") == n_steps - 1
        assert page.get_attribute("#chart-train", "stroke") == "#0072B2"
        assert page.get_attribute("#chart-test", "stroke") == "#E69F00"
        legend = page.text_content("#chart-legend")  # an SVG group: text, not inner text
        assert "training (427 examples)" in legend and "held-out test (142 examples)" in legend
        # scrubbing reads out the recorded test figures of that iteration
        page.fill("#scrub-number", "10")
        assert page.inner_text("#current-iteration") == "Iteration #10"
        assert float(page.inner_text("#current-test-error-sum")) == round(
            history.test_error_sum[10], 8
        )
        assert float(page.inner_text("#current-test-loss")) == round(history.test_loss[10], 8)
        assert float(page.inner_text("#current-test-mean-error")) == round(
            history.test_error_sum[10] / 142, 8
        )
        assert float(page.inner_text("#current-train-mean-error")) == round(
            history.error_sum[10] / 427, 8
        )
        assert page.get_attribute("#chart-marker-test", "data-iteration") == "10"
        label = page.text_content("#chart-label")
        assert label == (
            f"#10: training {history.error_sum[10] / 427:.8f}, "
            f"test {history.test_error_sum[10] / 142:.8f}"
        ), label
        # the test marker sits on the test curve, below the training marker (test error is lower here)
        assert float(page.get_attribute("#chart-marker-test", "y")) + 5 > float(
            page.get_attribute("#chart-marker", "cy")
        )
        page.fill("#scrub-number", str(split_run.iterations))
        assert float(page.inner_text("#current-test-error-sum")) == round(
            split_run.final_test_error_sum, 8
        )
    finally:
        page.close()
    assert problems == [], problems


# ---- the command line -------------------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_split_flags_reach_the_run(tmp_path, capsys):
    saved = tmp_path / "iris.json"
    code, _, err = run_cli(
        capsys,
        "run",
        "--dataset",
        "iris",
        "--standardize",
        "--test-fraction",
        "0.2",
        "--split-seed",
        "7",
        "--layers",
        "4,5,3",
        "--iterations",
        "20",
        "--learning-rate",
        "0.05",
        "--json",
        str(saved),
    )
    assert code == 0, err
    run = glassnet.load(str(saved))
    assert (
        run.config.data.standardize,
        run.config.data.test_fraction,
        run.config.data.split_seed,
    ) == (True, 0.2, 7)
    assert (run.data.n_samples, run.test.n_samples) == (120, 30)
    np.testing.assert_allclose(
        run.data.X.mean(axis=0), 0, atol=1e-12
    )  # standardized on the training part
    assert len(run.history.test_error_sum) == 20
    # the split seed changes which examples are held out
    other = glassnet.Experiment(
        dataset="iris",
        standardize=True,
        test_fraction=0.2,
        split_seed=8,
        layers=[4, 5, 3],
        iterations=1,
    ).run()
    assert not np.array_equal(other.test.X, run.test.X)


def test_cli_no_standardize_overrides_the_file_and_report_shows_the_test_curve(tmp_path, capsys):
    exp = tmp_path / "iris.toml"
    exp.write_text(
        '[data]\ndataset = "iris"\nstandardize = true\ntest_fraction = 0.25\n'
        "[network]\nlayers = [4, 3]\n[train]\niterations = 30\nlearning_rate = 0.01\n"
    )
    saved = tmp_path / "raw.json"
    code, _, err = run_cli(capsys, "run", str(exp), "--no-standardize", "--json", str(saved))
    assert code == 0, err
    run = glassnet.load(str(saved))
    assert run.config.data.standardize is False and run.test is not None
    assert run.data.X.max() > 5  # raw centimetres, not standardized
    out = tmp_path / "report.html"
    code, _, err = run_cli(capsys, "report", str(exp), "--test-fraction", "0.5", "-o", str(out))
    assert code == 0, err
    data = embedded_data(out.read_text(encoding="utf-8"))
    assert (data["test"]["n_train"], data["test"]["n_test"]) == (75, 75)


@pytest.mark.parametrize(
    "args, names",
    [
        (["--test-fraction", "1.5"], "test_fraction"),
        (["--test-fraction", "-0.1"], "test_fraction"),
        (["--test-fraction", "a quarter"], "--test-fraction"),
        (["--split-seed", "-1"], "split_seed"),
        (["--split-seed", str(2**32)], "split_seed"),
        (["--split-seed", "1.5"], "--split-seed"),
        (["--standardize=yes"], "--standardize"),
    ],
)
def test_cli_bad_split_values_are_one_line_and_exit_2(capsys, args, names):
    code, out, err = run_cli(
        capsys, "run", "--dataset", "iris", "--layers", "4,3", "--iterations", "1", *args
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert names in err and "Traceback" not in err


def test_cli_help_lists_the_split_flags(capsys):
    code, out, _ = run_cli(capsys, "run", "--help")
    assert code == 0
    for flag in ("--standardize / --no-standardize", "--test-fraction F", "--split-seed N"):
        assert flag in out
