"""The playground's speed: ``.venv/bin/python -m benchmarks.serve_start [--quick]``.

Measures, with Debian's Chromium driven by Playwright against a real
``glassnet serve`` process on a free port:

* **start to first paint**: from starting the ``glassnet serve`` process to
  the page's first contentful paint (the browser is already running; the
  issue asks for at most 2 s);
* **start to first frame**: to the first frame of the run drawn (the page
  has its network and numbers);
* **iterations a second while playing** the seed's experiment (the issue asks
  for at least 1,000,000), from the page's iteration counter over a second of
  play, after one step (any kernel compile is not timed);
* **page frames a second** while playing, counted with requestAnimationFrame,
  and **frames received a second** from the server (at most 30).

Not a test: nothing fails on a slow machine. :func:`run` returns the rows for
the main benchmark (``benchmarks/run.py``); :func:`format_rows` prints them.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]

COUNT = """() => {
  window.__ticks = [];
  window.__frames = 0;
  const tick = (t) => { window.__ticks.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.glassnet.ws.addEventListener("message", (e) => {
    if (e.data.startsWith('{"type":"frame"')) window.__frames += 1;
  });
}"""


def _start(browser: Any) -> dict[str, Any]:
    """One start: the server process to the first paint and the first frame."""
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    started = time.time()
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        printed = time.time()
        found = re.search(r"http://\S+", line)
        if not found:
            raise RuntimeError(f"glassnet serve printed {line!r}")
        page.goto(found.group(0))
        page.wait_for_selector("body[data-iteration]", timeout=30_000)
        framed = time.time()
        paint = page.evaluate(
            "() => { const e = performance.getEntriesByName('first-contentful-paint')[0]"
            " || performance.getEntriesByName('first-paint')[0];"
            " return performance.timeOrigin + (e ? e.startTime : performance.now()); }"
        )
        result = {
            "url_seconds": printed - started,
            "paint_seconds": paint / 1000 - started,
            "frame_seconds": framed - started,
        }
        result.update(_play(page))
        return result
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=15)


def _play(page: Any, seconds: float = 1.0) -> dict[str, Any]:
    """Play the seed for ``seconds``: iterations a second, page and received frames a second."""
    page.click("[data-testid='step']")
    page.wait_for_selector("body[data-iteration='1']", timeout=60_000)
    page.evaluate(COUNT)
    page.click("[data-testid='play']")
    page.wait_for_selector("body[data-playing='1']")
    t0 = time.perf_counter()
    first = int(page.inner_text("[data-testid='iteration']"))
    page.wait_for_timeout(seconds * 1000)
    last = int(page.inner_text("[data-testid='iteration']"))
    played = time.perf_counter() - t0
    page.click("[data-testid='pause']")
    ticks = page.evaluate("() => window.__ticks")
    frames = page.evaluate("() => window.__frames")
    span = (ticks[-1] - ticks[0]) / 1000 if len(ticks) > 1 else float("nan")
    return {
        "iterations_per_second": (last - first) / played,
        "page_fps": (len(ticks) - 1) / span,
        "frames_received_per_second": frames / played,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    """The measurements as rows ``{"measure", "value", "unit", "goal"}`` (best of 3; ``quick``: one)."""
    from playwright.sync_api import sync_playwright

    repeat = 1 if quick else 3
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            _start(browser)  # warm: the OS's file cache, numba's kernel cache
            results = [_start(browser) for _ in range(repeat)]
        finally:
            browser.close()

    def best(key: str, high: bool = False) -> float:
        values = [r[key] for r in results]
        return max(values) if high else min(values)

    return [
        {"measure": "start to URL printed", "value": best("url_seconds"), "unit": "s", "goal": ""},
        {
            "measure": "start to first paint",
            "value": best("paint_seconds"),
            "unit": "s",
            "goal": "<= 2",
        },
        {
            "measure": "start to first frame",
            "value": best("frame_seconds"),
            "unit": "s",
            "goal": "",
        },
        {
            "measure": "iterations a second while playing (seed)",
            "value": best("iterations_per_second", high=True),
            "unit": "/s",
            "goal": ">= 1,000,000",
        },
        {
            "measure": "page frames a second while playing",
            "value": best("page_fps", high=True),
            "unit": "/s",
            "goal": ">= 30",
        },
        {
            "measure": "frames received a second while playing",
            "value": best("frames_received_per_second", high=True),
            "unit": "/s",
            "goal": "<= 30",
        },
    ]


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = [
        "glassnet serve: start-up and playing, Chromium driven by Playwright",
        "",
        "| measure | value | goal |",
        "|---|---:|---:|",
    ]
    for row in rows:
        value = row["value"]
        shown = f"{value:,.0f}" if row["unit"] == "/s" and value >= 100 else f"{value:.2f}"
        lines.append(f"| {row['measure']} | {shown} {row['unit']} | {row['goal']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.serve_start", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="one start instead of the best of 3")
    args = parser.parse_args(argv)
    print(format_rows(run(args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
