"""Debian's Chromium driven by Playwright, for the browser tests.

Locally a browser test skips when Playwright's package or Chromium is missing;
with ``CI=true`` it fails instead, so CI cannot pass without running it
(``.ci/run`` installs chromium).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, why: str) -> None:
    """Skip (fail under ``CI=true``) with ``why`` unless ``condition``."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: browser tests must run; .ci/run installs chromium)")
    pytest.skip(why)


def launch() -> Iterator[Any]:
    """A headless Chromium for as long as the generator runs (a fixture's body)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None, "Playwright's Python package is not installed")
    require(
        os.access(CHROMIUM, os.X_OK) or shutil.which("chromium") is not None,
        f"no Chromium at {CHROMIUM}",
    )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
