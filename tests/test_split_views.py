"""A run with a held-out split shows its test curve beside the training curve: plots, report, command line.

The run: breast_cancer (scikit-learn's bundled copy), standardized, a quarter
held out, layers [30, 8, 1], 300 iterations. The test curve drawn must be the
run's recorded ``history.test_error_sum`` / ``test_loss`` (exactly, or divided
by the number of held-out examples when drawn per example), and runs without a
split must keep their old pictures (tests/test_plots.py, test_report.py and
test_browser.py check those).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.curves import split_curves
from glassnet.plots import plot
from glassnet.plots._style import PALETTE
from glassnet.plots.error import TEST_COLOR, TRAIN_COLOR
from glassnet.report import format_report
from glassnet.report.data import numbers, report_data

pytest.importorskip("sklearn", reason="the real datasets come from scikit-learn's bundled data")

SPLIT = dict(
    dataset="breast_cancer",
    standardize=True,
    test_fraction=0.25,
    layers=[30, 8, 1],
    bias=True,
    iterations=300,
    learning_rate=0.01,
)


@pytest.fixture(scope="module")
def split_run() -> glassnet.Run:
    return glassnet.Experiment(**SPLIT).run(engine="numpy")


@pytest.fixture(scope="module")
def split_report(split_run, tmp_path_factory) -> Path:
    return split_run.report(tmp_path_factory.mktemp("split") / "breast-cancer-report.html")


def lines_by_gid(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def embedded_data(page_html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="glassnet-data">(.*?)</script>', page_html, re.S
    )
    assert match, "no embedded data block"
    return json.loads(match.group(1))


# ---- the core: split_curves reads the recorded history ------------------------------------


def test_split_curves_are_the_recorded_history_and_the_final_figures(split_run):
    history = split_run.history
    curves = split_curves(split_run)
    assert (curves.n_train, curves.n_test) == (427, 142)  # 569 examples, a quarter held out
    n = split_run.iterations
    assert len(curves.test_error_sum) == n + 1
    np.testing.assert_array_equal(curves.test_error_sum[:n], history.test_error_sum)
    np.testing.assert_array_equal(curves.test_loss[:n], history.test_loss)
    np.testing.assert_array_equal(curves.error_sum[:n], history.error_sum)
    assert curves.test_error_sum[n] == split_run.final_test_error_sum
    assert curves.error_sum[n] == split_run.final_error_sum
    np.testing.assert_array_equal(curves.test_mean_error, curves.test_error_sum / 142)
    np.testing.assert_array_equal(curves.mean_error, curves.error_sum / 427)
    # the split is real: the held-out examples were never trained on, yet their error fell too
    assert history.test_error_sum[-1] < 0.2 * history.test_error_sum[0]


def test_runs_without_a_split_have_no_split_curves(xor_run):
    assert split_curves(xor_run) is None


# ---- the error plot ---------------------------------------------------------------------


def test_error_plot_draws_the_recorded_test_series_exactly(split_run):
    history = split_run.history
    fig = plot(split_run, "error", per_example=False)
    lines = lines_by_gid(fig)
    for window in (100, 300):
        test = lines[f"test_error_sum-{window}"]
        np.testing.assert_array_equal(test.get_xdata(), np.arange(window))
        np.testing.assert_array_equal(test.get_ydata(), history.test_error_sum[:window])
        np.testing.assert_array_equal(
            lines[f"error_sum-{window}"].get_ydata(), history.error_sum[:window]
        )
        np.testing.assert_array_equal(
            lines[f"test_loss-{window}"].get_ydata(), history.test_loss[:window]
        )
        np.testing.assert_array_equal(lines[f"loss-{window}"].get_ydata(), history.loss[:window])
        assert test.get_label().startswith("held-out test: sum of |target - prediction|")
        assert (
            lines[f"error_sum-{window}"]
            .get_label()
            .startswith("training: sum of |target - prediction|")
        )
    assert "elbow-300" in lines


def test_error_plot_per_example_by_default_divides_by_each_parts_size(split_run):
    history = split_run.history
    fig = plot(split_run, "error")
    lines = lines_by_gid(fig)
    train, test = lines["error_sum-300"], lines["test_error_sum-300"]
    np.testing.assert_array_equal(test.get_ydata(), history.test_error_sum / 142)
    np.testing.assert_array_equal(train.get_ydata(), history.error_sum / 427)
    np.testing.assert_array_equal(lines["test_loss-300"].get_ydata(), history.test_loss / 142)
    assert (
        test.get_label() == "held-out test: mean |target - prediction| per example (142 examples)"
    )
    assert train.get_label() == "training: mean |target - prediction| per example (427 examples)"
    # the elbow sits on the training curve as drawn
    elbow = lines["elbow-300"]
    assert elbow.get_ydata()[0] == train.get_ydata()[int(elbow.get_xdata()[0])]
    # colour-blind-safe and told apart: Okabe-Ito blue and orange; error solid, loss dashed
    assert (
        (train.get_color(), test.get_color())
        == (TRAIN_COLOR, TEST_COLOR)
        == (PALETTE[0], PALETTE[1])
    )
    assert train.get_linestyle() == test.get_linestyle() == "-"
    assert lines["test_loss-300"].get_linestyle() == "--"
    # one legend for the figure names both parts; the title says what is compared
    legend_texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert train.get_label() in legend_texts and test.get_label() in legend_texts
    assert "held-out test (142 examples)" in fig.get_suptitle()
    assert [ax.get_ylabel() for ax in fig.axes if ax.get_visible()] == ["error per example"] * 2


def test_error_plot_of_a_run_without_a_split_has_no_test_lines(xor_run):
    lines = lines_by_gid(plot(xor_run, "error"))
    assert not [gid for gid in lines if gid.startswith("test_")]
    assert any(gid.startswith("error_sum-") for gid in lines)


def test_weights_plot_of_a_big_network_keeps_its_axes(split_run):
    import io
    import warnings

    fig = plot(split_run, "weights")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied": a legend of 257 entries
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    assert fig.legends == [] and "257 weights and biases" in fig.get_suptitle()
    assert all(ax.get_position().height > 0.3 for ax in fig.axes)


# ---- the report -------------------------------------------------------------------------


def test_report_embeds_the_test_series_at_the_scrubbers_iterations(split_run, split_report):
    page = split_report.read_text(encoding="utf-8")
    data = embedded_data(page)
    iterations = data["steps"]["iteration"]
    assert iterations[0] == 0 and iterations[-1] == split_run.iterations
    test = data["test"]
    assert (test["n_train"], test["n_test"], test["test_fraction"]) == (427, 142, 0.25)
    curves = split_curves(split_run)
    at = np.array(iterations)
    assert test["error_sum"] == numbers(curves.test_error_sum[at])
    assert test["loss"] == numbers(curves.test_loss[at])
    assert test["mean_error"] == numbers(curves.test_error_sum[at] / 142)
    assert test["train_mean_error"] == numbers(curves.error_sum[at] / 427)
    k = iterations[5]
    assert test["error_sum"][5] == numbers(split_run.history.test_error_sum[k])
    # the page names both parts and gives the final held-out figures
    assert "427 examples, 142 more held out for testing" in page
    assert f"{split_run.final_test_error_sum:.8f}" in page
    assert "final training error sum" in page
    assert "held-out test examples (orange, never trained on)" in page  # the error plot's caption


def test_report_of_a_run_without_a_split_embeds_no_test(xor_run):
    assert "test" not in report_data(xor_run)
    page = format_report(
        xor_run, images=dict.fromkeys(("error", "weights", "landscape", "predictions"), b"")
    )
    shown = page.split('<script type="application/json"')[0]  # the page before its data and script
    assert "held-out" not in shown and "final error sum (sum of |y - a|)" in shown
    assert "test" not in embedded_data(page)


# ---- the report in a browser ------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: browser tests must run)")
    pytest.skip(why)


@pytest.mark.browser
def test_report_in_a_browser_draws_and_reads_out_both_curves(split_run, split_report):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _require(sync_playwright is not None, "Playwright's Python package is not installed")
    _require(
        os.access(CHROMIUM, os.X_OK) or shutil.which("chromium") is not None,
        f"no Chromium at {CHROMIUM}",
    )
    history = split_run.history
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
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
            browser.close()
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
