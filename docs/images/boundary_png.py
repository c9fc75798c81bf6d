"""Regenerate docs/images/boundary.png, hidden_units.png and report_boundary.png:
``PYTHONPATH=src .venv/bin/python docs/images/boundary_png.py``.

Trains examples/spiral.toml (two arms of 100 points, layers [2, 8, 8, 1], tanh,
Adam on mini-batches of 32, 20,000 iterations; about ten seconds), draws its
two boundary plots as ``glassnet plot`` does (110 dpi), writes its report and
takes a screenshot of the report's scrubber, error chart and animated
boundary in Debian's Chromium, scrubbed to iteration #1,000 (the recorded
#921 is shown), halfway through learning the spiral's arms.
Each PNG is re-encoded with a 256-colour palette when that keeps it under
200 KB.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

import glassnet
from glassnet.plots import PLOT_DPI, figure_bytes, plot
from glassnet.report import write_report

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent.parent / "examples" / "spiral.toml"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
#: The iteration the report's screenshot shows (a picture recorded at or before it).
SCRUBBED = 1_000
#: Largest file kept as it is; a larger one is saved with a palette.
MAX_BYTES = 200_000


def save_png(png: bytes, path: Path) -> None:
    """Write ``png``, re-encoded with a 256-colour palette if it is larger than :data:`MAX_BYTES`."""
    if len(png) > MAX_BYTES:
        image = Image.open(io.BytesIO(png)).convert("RGB")
        buffer = io.BytesIO()
        image.quantize(256, method=Image.Quantize.MEDIANCUT).save(
            buffer, format="PNG", optimize=True
        )
        png = buffer.getvalue()
    path.write_bytes(png)
    print(f"wrote {path} ({len(png):,} bytes)")


def main() -> int:
    run = glassnet.Experiment(str(EXAMPLE)).run()
    for kind in ("boundary", "hidden_units"):
        save_png(figure_bytes(plot(run, kind), "png", PLOT_DPI), HERE / f"{kind}.png")
    with tempfile.TemporaryDirectory() as folder:
        report = write_report(run, Path(folder) / "spiral-report.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(report.resolve().as_uri())
            page.wait_for_selector("body[data-ready='1']")
            page.fill("#scrub-number", str(SCRUBBED))
            # the sticky scrubber stays at the top, the error chart and the boundary under it
            page.evaluate(
                "window.scrollTo(0, document.getElementById('error-chart').getBoundingClientRect().top"
                " + scrollY - document.querySelector('.scrubber').getBoundingClientRect().height - 8)"
            )
            bottom = page.evaluate(
                "document.getElementById('boundary').getBoundingClientRect().bottom"
            )
            png = page.screenshot(clip={"x": 0, "y": 0, "width": 1100, "height": bottom + 10})
            browser.close()
    save_png(png, HERE / "report_boundary.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
