"""The report's animated decision boundary in a real headless Chromium, offline.

A small circle run trained on mini-batches: the canvas is painted, the
scrubber moves its picture and its iteration label (the latest embedded
picture at or before the scrubbed iteration), its colours follow the
recorded outputs, the tables show each step's own batch, and the post's
report has no canvas at all.

Like tests/test_browser.py, these tests skip where Playwright or Chromium is
missing, and fail instead with ``CI=true``. Screenshots go to tests/artifacts/
(git-ignored).
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.boundary import boundary
from glassnet.plots import kinds_of
from glassnet.report import write_report
from glassnet.report.data import BOUNDARY_RESOLUTION

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
#: The plot area inside the 460 x 460 canvas (boundary.js's PAD: left 50, right 12, top 12, bottom 44).
LEFT, TOP, WIDTH, HEIGHT = 50, 12, 398, 404


def tiny_png() -> bytes:
    """A valid 1 x 1 PNG standing in for each plot (the page's pictures are not tested here)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def circle_run() -> glassnet.Run:
    """40 points of the circle set, a hidden layer of 4 tanh units, Adam on mini-batches of 16."""
    return glassnet.Experiment(
        dataset="circle",
        n=40,
        noise=0.0,
        layers=[2, 4, 1],
        activation=["tanh", "sigmoid"],
        loss="binary_cross_entropy",
        optimizer="adam",
        learning_rate=0.05,
        batch_size=16,
        iterations=1500,
    ).run(engine="numpy")


def open_report(browser, run: glassnet.Run, path: Path):
    write_report(run, path, images=dict.fromkeys(kinds_of(run), tiny_png()))
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def offline(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            problems.append(f"fetched {route.request.url}")
            route.abort()

    page.route("**/*", offline)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=5_000)
    return page, problems


@pytest.fixture
def circle_page(browser, circle_run, tmp_path):
    page, problems = open_report(browser, circle_run, tmp_path / "circle.html")
    yield page
    assert problems == [], problems
    page.close()


def plot_pixels(page) -> np.ndarray:
    """The canvas's plot area as an (HEIGHT, WIDTH, 4) array of RGBA bytes (sent as base64: a
    list of 640,000 numbers takes Playwright seconds to carry)."""
    b64 = page.evaluate(
        """([x, y, w, h]) => {
          const data = document.getElementById('boundary-canvas').getContext('2d').getImageData(x, y, w, h).data;
          let text = '';
          for (let i = 0; i < data.length; i += 8192) { text += String.fromCharCode.apply(null, data.subarray(i, i + 8192)); }
          return btoa(text);
        }""",
        [LEFT, TOP, WIDTH, HEIGHT],
    )
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8).reshape(HEIGHT, WIDTH, 4)


def scrub_to(page, k: int) -> None:
    page.fill("#scrub-number", str(k))


def test_the_canvas_is_painted_and_moves_with_the_scrubber(circle_page, circle_run):
    page = circle_page
    frames = json.loads(page.evaluate("document.getElementById('glassnet-boundary').textContent"))[
        "iterations"
    ]
    assert frames[0] == 0 and frames[-1] == circle_run.iterations
    assert page.inner_text("#boundary-label") == "Decision boundary at iteration #0"
    assert page.get_attribute("#boundary-canvas", "data-iteration") == "0"
    start = plot_pixels(page)
    colours = {tuple(c) for c in start[::7, ::7, :3].reshape(-1, 3).tolist()}
    assert len(colours) > 10  # a picture, not a blank canvas

    scrub_to(page, circle_run.iterations)
    assert (
        page.inner_text("#boundary-label")
        == f"Decision boundary at iteration #{circle_run.iterations:,}"
    )
    assert page.get_attribute("#boundary-canvas", "data-iteration") == str(circle_run.iterations)
    end = plot_pixels(page)
    changed = np.any(start[:, :, :3] != end[:, :, :3], axis=-1).mean()
    assert changed > 0.5, f"only {changed:.0%} of the plot area changed"

    # an iteration between two embedded pictures shows the earlier one and says so
    scrubber = page.evaluate(
        "JSON.parse(document.getElementById('glassnet-data').textContent).steps.iteration"
    )
    between = next(k for k in scrubber if k not in frames and k > frames[3])
    before = max(f for f in frames if f <= between)
    scrub_to(page, between)
    assert page.inner_text("#current-iteration") == f"Iteration #{between:,}"
    assert page.inner_text("#boundary-label") == (
        f"Decision boundary at iteration #{before:,} (the latest picture at or before #{between:,})"
    )
    assert page.get_attribute("#boundary-canvas", "data-iteration") == str(before)

    # the arrow keys move it too
    scrub_to(page, 0)
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#boundary-label") == "Decision boundary at iteration #1"
    ARTIFACTS.mkdir(exist_ok=True)
    scrub_to(page, circle_run.iterations)
    page.locator("#boundary").screenshot(path=str(ARTIFACTS / "report-boundary.png"))


def test_the_colours_follow_the_recorded_outputs(circle_page, circle_run):
    """A corner of the plane (no training point there): about 0.5 at first (near white), then
    clearly class 0 (blue) once trained, as glassnet.boundary computed."""
    found = boundary(circle_run, BOUNDARY_RESOLUTION, [0, circle_run.iterations])
    corner_start, corner_end = found.output[0, 0, 0, 0], found.output[1, 0, 0, 0]
    assert abs(corner_start - 0.5) < 0.15 and corner_end < 0.1
    cell = WIDTH / BOUNDARY_RESOLUTION  # the bottom-left cell, x1[0] and x2[0]
    y, x = int(HEIGHT - cell / 2), int(cell / 2)
    start = plot_pixels(circle_page)[y, x, :3].astype(int)
    assert start.min() > 190, start  # pale: the output is near the decision level
    scrub_to(circle_page, circle_run.iterations)
    end = plot_pixels(circle_page)[y, x, :3].astype(int)
    assert end[2] - end[0] > 80 and end[2] < start[2] + 1, end  # blue: class 0


def test_mini_batch_steps_show_their_own_examples(circle_page, circle_run):
    scrub_to(circle_page, 2)  # 40 examples in batches of 16: iteration #2 is the short batch of 8
    step = circle_run.step(2)
    assert len(step.rows) == 8
    # layer 1 reads the data: each row is one of the batch's examples, numbered by its data row
    rows = circle_page.locator("#activations-0 tr")
    assert rows.count() == 1 + 8 * 4  # a row per example and unit
    first = rows.nth(1).locator("td")
    assert first.nth(0).inner_text() == str(step.rows[0] + 1)
    x1, x2 = circle_run.data.X[step.rows[0]]
    assert first.nth(1).inner_text() == f"[{x1:.8f} {x2:.8f}]"
    assert float(first.nth(3).inner_text()) == pytest.approx(step.layers[0].z[0, 0], abs=5e-9)
    # the output layer: each prediction beside the target of the same example
    last = circle_page.locator("#predictions tr").nth(8).locator("td")
    assert last.nth(0).inner_text() == str(step.rows[7] + 1)
    assert float(last.nth(3).inner_text()) == pytest.approx(step.layers[-1].a[7, 0], abs=5e-9)
    assert float(last.nth(4).inner_text()) == circle_run.data.y[step.rows[7], 0]
    assert "a mini-batch of 8 of the 40 examples" in circle_page.inner_text("#step-view")


def test_an_optimizer_step_is_not_written_as_plain_gradient_descent(circle_page, circle_run):
    scrub_to(circle_page, 2)
    text = circle_page.inner_text("#step-view")
    # Adam's step is not lr * (inputs . deltas): the page says whose step it is and where
    # its arithmetic is written out, and shows the gradient's terms
    assert "Update: the optimizer's step from the gradient (inputs . deltas)" in text
    assert "optimizer adam (b1 .9, b2 .999, eps 1e-8), batch size 16" in text
    assert "glassnet explain --iteration 2 writes out its arithmetic" in text
    dw = circle_run.step(2).layers[0].dW[0, 0]
    line = next(x for x in text.splitlines() if x.startswith("dW0[0,0] = step from the gradient ("))
    assert float(line.split(" = ")[2].split(";")[0]) == pytest.approx(dw, abs=5e-9)
    assert "learning rate * (inputs . deltas)" not in text


def test_scrubbing_with_the_boundary_moves_a_step_per_click(circle_page):
    # no wall-clock bound here (benchmarks/ measures speed): forty clicks, forty steps
    circle_page.evaluate(
        "() => { for (let i = 0; i < 40; i++) { document.getElementById('scrub-next').click(); } }"
    )
    assert circle_page.input_value("#scrub-number") == "40"  # #0 to #40 are all recorded
    assert circle_page.locator("#boundary-canvas").count() == 1


def test_the_seed_report_has_no_boundary(browser, tmp_path):
    seed = glassnet.Experiment(iterations=200).run(engine="numpy")  # the post's data and network
    page, problems = open_report(browser, seed, tmp_path / "seed.html")
    assert page.locator("#boundary-canvas").count() == 0
    assert page.locator("#boundary").count() == 0
    assert page.evaluate("typeof window.glassnetBoundary") == "undefined"
    page.fill("#scrub-number", "100")
    assert page.inner_text("#current-iteration") == "Iteration #100"
    assert problems == [], problems
    page.close()
