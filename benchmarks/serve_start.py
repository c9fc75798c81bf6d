"""The playground's speed: ``python -m benchmarks.serve_start [--quick]``.

Measures, with Debian's Chromium driven by Playwright against a real
``glassnet serve`` process (this checkout's ``src/``) on a free port:

* **start to first paint**: from starting the ``glassnet serve`` process to
  the page's first contentful paint (the browser is already running; the
  goal is at most 2 s);
* **start to first frame**: to the first frame of the run drawn (the page
  has its network and numbers);
* **iterations a second while playing** the seed's experiment (the goal is
  at least 1,000,000), from the page's iteration counter over a second of
  play, after one step (any kernel compile is not timed);
* **page frames a second** while playing, counted with requestAnimationFrame,
  and **frames received a second** from the server (at most 30).

The table and the summary give each beside its goal (:data:`GOALS`): there is
no baseline process to measure. Without Playwright or Chromium the section
says why on one line (stderr) and returns no rows. Not a test: nothing fails
on a slow machine.
"""

from __future__ import annotations

import importlib.util
import operator
import re
import shutil
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import ROOT, TARGETS, Rows, section_main, source_env, target_label

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]

#: measure: (the goal as the table writes it, its comparison, its number, the unit)
GOALS: dict[str, tuple[str, str, float, str]] = {
    "start to first paint": ("<= 2", "<=", 2.0, "s"),
    "iterations a second while playing (seed)": (">= 1,000,000", ">=", 1e6, "/s"),
    "page frames a second while playing": (">= 30", ">=", 30.0, "/s"),
    "frames received a second while playing": ("<= 30", "<=", 30.0, "/s"),
}
#: The measures the summary gives, beside their goals.
HEADLINES = ("start to first paint", "iterations a second while playing (seed)")

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
        env=source_env(),
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


def unavailable() -> str | None:
    """Why the browser cannot be driven here (no Playwright, no Chromium), or ``None``."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install 'glassnet[test]')"
    if shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def run(quick: bool) -> Rows:
    """The measurements as rows ``{"measure", "value", "unit", "goal"}`` (best of 3;
    ``quick``: one); no rows, and one line on stderr saying why, without a browser."""
    reason = unavailable()
    if reason is not None:
        print(f"serve_start skipped: {reason}", file=sys.stderr, flush=True)
        return []
    from playwright.sync_api import Error, sync_playwright

    repeat = 1 if quick else 3
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Error as exc:
            why = str(exc).strip().splitlines()[0]
            print(f"serve_start skipped: Chromium did not start: {why}", file=sys.stderr)
            return []
        try:
            _start(browser)  # warm: the OS's file cache, numba's kernel cache
            results = [_start(browser) for _ in range(repeat)]
        finally:
            browser.close()

    def best(key: str, high: bool = False) -> float:
        values = [r[key] for r in results]
        return max(values) if high else min(values)

    measured = [
        ("start to URL printed", best("url_seconds"), "s"),
        ("start to first paint", best("paint_seconds"), "s"),
        ("start to first frame", best("frame_seconds"), "s"),
        ("iterations a second while playing (seed)", best("iterations_per_second", True), "/s"),
        ("page frames a second while playing", best("page_fps", True), "/s"),
        ("frames received a second while playing", best("frames_received_per_second", True), "/s"),
    ]
    return [
        {"measure": measure, "value": value, "unit": unit, "goal": goal_text(measure)}
        for measure, value, unit in measured
    ]


def goal_text(measure: str) -> str:
    """The goal of ``measure`` as the table writes it ("" where it has none)."""
    return GOALS[measure][0] if measure in GOALS else ""


def _shown(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit == "/s" and value >= 100 else f"{value:.2f} {unit}"


def format_rows(rows: Rows) -> str:
    if not rows:
        return f"glassnet serve: not measured ({unavailable() or 'Chromium did not start'})"
    lines = [
        "glassnet serve: start-up and playing, Chromium driven by Playwright",
        "",
        "| measure | value | goal |",
        "|---|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['measure']} | {_shown(row['value'], row['unit'])} | {row['goal']} |")
    return "\n".join(lines)


def summary(rows: Rows) -> list[tuple[str, str, str, str]]:
    """Start to first paint and iterations a second while playing, each beside its goal."""
    out = []
    for row in rows:
        if row["measure"] not in HEADLINES:
            continue
        text, op, goal, unit = GOALS[row["measure"]]
        value = row["value"]
        compare = operator.le if op == "<=" else operator.ge
        verdict = "met" if compare(value, goal) else f"missed: {value / goal:.2f}x the goal"
        target = target_label(TARGETS["native"]) if unit == "/s" else "-"
        what = f"`glassnet serve` in Chromium: {row['measure']}"
        out.append((what, target, f"{_shown(value, unit)} ({verdict})", f"goal: {text} {unit}"))
    return out


main = section_main(__doc__ or "", run, format_rows)

if __name__ == "__main__":
    sys.exit(main(None))
