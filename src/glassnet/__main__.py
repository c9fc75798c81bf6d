"""``python -m glassnet``."""

from glassnet.cli import entry_point

entry_point()
