"""Regenerate docs/images/report.png: ``.venv/bin/python docs/images/report_png.py``.

Writes the post's report with ``glassnet report`` into a temporary folder, opens
it offline in Debian's Chromium, scrubs to iteration #1 and takes the screenshot
the README shows: the scrubber, the error curve and the start of #1's arithmetic.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.html"
        subprocess.run(
            [sys.executable, "-m", "glassnet", "report", "--out", str(report)], check=True
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(report.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=10_000)
            page.fill("#scrub-number", "1")
            page.wait_for_function(
                "() => document.querySelector('#current-iteration').innerText === 'Iteration #1'"
            )
            top = page.locator("#step").bounding_box()
            assert top is not None
            page.screenshot(
                path=str(HERE / "report.png"),
                clip={"x": 0, "y": top["y"] - 10, "width": 1200, "height": 900},
                full_page=True,
            )
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
