"""Helpers shared by test files in tests/unit and tests/integration.

``tests/`` is on ``sys.path`` because ``tests/conftest.py`` lives there, so a
test file imports them as ``from helpers.printed import false_lines``.
"""
