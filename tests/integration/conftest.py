"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers.browser import launch


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (skips locally, fails under CI=true, where it is missing)."""
    yield from launch()
