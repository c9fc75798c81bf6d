"""Regenerate docs/images/playground.png: ``.venv/bin/python docs/images/playground_png.py``.

Starts ``glassnet serve`` on a free port, trains the seed's experiment for a
moment at 1,000 iterations a second in Debian's Chromium, opens the
arithmetic of weight W0[0,0] and takes the screenshot the README shows.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]


def T(testid: str) -> str:
    return f"[data-testid='{testid}']"


def main() -> int:
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+", process.stdout.readline()).group(0)  # type: ignore[union-attr]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 1040})
            page.goto(url)
            page.wait_for_selector(T("edge-W0-0-0"))
            page.click(T("step"))
            expect(page.locator(T("iteration"))).to_have_text("1", timeout=60_000)
            page.select_option(T("speed"), "1000")
            page.click(T("play"))
            page.wait_for_timeout(1_600)
            page.click(T("pause"))
            expect(page.locator("body")).to_have_attribute("data-playing", "0")
            page.click(T("edge-W0-0-0"))
            expect(page.locator(T("arithmetic"))).to_contain_text("new weight = old + update")
            page.evaluate("() => document.querySelector('#arithmetic-text').scrollTo(0, 760)")
            page.screenshot(path=str(HERE / "playground.png"), full_page=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
