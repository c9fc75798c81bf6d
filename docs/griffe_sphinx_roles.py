"""A griffe extension (mkdocs.yml, mkdocstrings ``extensions:``): Sphinx roles as code spans.

glassnet's numpy-style docstrings name other objects with Sphinx roles
(``:class:`~glassnet.run.Run```, ``:meth:`run```), which Markdown would show as
written. Each becomes a code span of the name, the last part only where a ``~``
asks for it, as Sphinx shows it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _plain(match: re.Match[str]) -> str:
    tilde, name = match.groups()
    return f"`{name.rsplit('.', 1)[-1] if tilde else name}`"


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_plain, obj.docstring.value)
