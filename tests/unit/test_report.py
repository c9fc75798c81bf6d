"""glassnet.report: the HTML report is one offline file, under 2 MB, embedding exactly the recorded
numbers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from glassnet.curves import split_curves
from glassnet.errors import ConfigError
from glassnet.report import format_config, format_report, write_report
from glassnet.report.data import numbers, report_data


@pytest.fixture(scope="module")
def seed_report(seed_run, tmp_path_factory):
    path = write_report(seed_run, tmp_path_factory.mktemp("report") / "seed.html")
    return path, path.read_text(encoding="utf-8")


def embedded(text: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="glassnet-data">(.*?)</script>', text, re.S
    )
    return json.loads(block.group(1))


class Fetches(HTMLParser):
    """Every URL the page would make a browser load: src/href/srcset/poster/data and CSS url()/@import."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (
                name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href")
                and value
            ):
                self.urls.append(value)


def test_seed_report_is_one_small_file(seed_report):
    path, text = seed_report
    size = path.stat().st_size
    assert size < 2_000_000, f"report is {size:,} bytes"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_report_references_nothing_on_the_network(seed_report):
    _, text = seed_report
    assert re.findall(r"https?://", text, flags=re.I) == []
    parser = Fetches()
    parser.feed(text)
    external = [u for u in parser.urls if not (u.startswith(("#", "data:")))]
    assert external == []
    css = "\n".join(re.findall(r"<style>(.*?)</style>", text, re.S))
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    assert len([u for u in parser.urls if u.startswith("data:image/png;base64,")]) == 4


def test_report_contains_configuration_walkthrough_and_plots(seed_run, seed_report):
    import html

    from glassnet.explain.walkthrough import format_walkthrough

    _, text = seed_report
    assert html.escape(format_walkthrough(seed_run)) in text
    assert html.escape(format_config(seed_run)) in text
    assert "seed = 123" in format_config(seed_run) and "iterations = 100000" in format_config(
        seed_run
    )
    for kind in ("error", "weights", "landscape", "predictions"):
        assert f'id="plot-{kind}"' in text
    for control in ('id="scrub-slider"', 'id="scrub-number"', 'id="error-chart"'):
        assert control in text


def test_embedded_steps_are_the_runs_recorded_numbers(seed_run, seed_report):
    _, text = seed_report
    data = embedded(text)
    steps = data["steps"]
    iterations = [*list(seed_run.checkpoints.iterations), seed_run.iterations]
    assert steps["iteration"] == iterations
    assert data["iterations"] == 100_000 and data["elbow"] == 180
    layer = steps["layers"][0]
    for t in (0, 1, 2, 999, 1000, len(iterations) - 1):
        step = seed_run.step(iterations[t])
        for field in ("W", "dW", "W_after"):
            np.testing.assert_allclose(
                layer[field][t], getattr(step.layers[0], field).ravel(), rtol=1e-11
            )
        for field in ("z", "a", "derivative", "error", "delta"):
            np.testing.assert_allclose(
                layer[field][t], getattr(step.layers[0], field).ravel(), rtol=1e-11
            )
        assert steps["applied"][t] == (iterations[t] < seed_run.iterations)
    # the error of a recorded step is the history's (iteration #N: the final error)
    np.testing.assert_allclose(
        steps["error_sum"][:-1], seed_run.history.error_sum[iterations[:-1]], rtol=1e-11
    )
    assert steps["error_sum"][-1] == pytest.approx(seed_run.final_error_sum, rel=1e-11)
    np.testing.assert_allclose(layer["W"][1], [0.67423821, -0.33473064, -0.40469539], atol=5e-9)
    np.testing.assert_allclose(
        layer["a"][1], [0.40018475, 0.32312967, 0.56698066, 0.48370881], atol=5e-9
    )


def test_report_for_a_hidden_layer_network(xor_run, tmp_path):
    path = write_report(xor_run, tmp_path / "xor.html")
    text = path.read_text(encoding="utf-8")
    data = embedded(text)
    assert [ly["n_in"] for ly in data["layers"]] == [3, 4]
    assert len(data["steps"]["layers"]) == 2
    assert path.stat().st_size < 2_000_000
    assert re.findall(r"https?://", text) == []
    # the summary names the weights as every table does: W0 (3 x 4), W1 (4 x 1)
    assert "final weights W0 (3 x 4)" in text and "final weights W1 (4 x 1)" in text
    assert "final weights W2" not in text


def test_script_text_cannot_end_the_script_block(seed_run):
    from glassnet.report import json_for_script

    assert "</" not in json_for_script({"name": "</script><script>alert(1)"})


def test_report_needs_an_existing_folder(seed_run, tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        write_report(seed_run, tmp_path / "missing" / "r.html")


def test_a_run_that_stopped_early_still_gets_plots_and_a_report(tmp_path):
    import glassnet
    from glassnet.plots import plot

    run = glassnet.Experiment(loss="binary_cross_entropy", learning_rate=1e6, iterations=3_000).run(
        engine="numpy"
    )
    assert run.stop is not None
    assert plot(
        run, "landscape", resolution=5
    ).axes  # infinite loss everywhere: a message, no crash
    text = write_report(run, tmp_path / "stopped.html").read_text(encoding="utf-8")
    data = embedded(text)
    assert data["stopped"]["iteration"] == run.stop.iteration
    assert data["steps"]["iteration"][-1] == run.iterations


# --------------------------------------------------------------------------- a held-out split (split_run: tests/conftest.py)


@pytest.fixture(scope="module")
def split_report(split_run, tmp_path_factory) -> Path:
    return split_run.report(tmp_path_factory.mktemp("split") / "breast-cancer-report.html")


def embedded_data(page_html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="glassnet-data">(.*?)</script>', page_html, re.S
    )
    assert match, "no embedded data block"
    return json.loads(match.group(1))


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
