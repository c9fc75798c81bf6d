"""Helpers shared by test files in tests/unit and tests/integration.

``tests/`` is on ``sys.path`` because ``tests/conftest.py`` lives there, so a
test file imports them as ``from helpers.printed import false_lines``.
"""

from __future__ import annotations

import importlib.util

import pytest

#: For a test of a real data set (iris, breast_cancer, digits): they come from scikit-learn's
#: bundled files, so the test is skipped where scikit-learn is not installed.
needs_sklearn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="the real datasets come from scikit-learn's bundled data",
)
