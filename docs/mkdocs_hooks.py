"""MkDocs hooks (mkdocs.yml ``hooks:``): adjustments to generated pages before they render."""

from __future__ import annotations

import re
from typing import Any

#: Pages generated from real messages (``tests/test_validation.py`` writes errors.md).
GENERATED_MESSAGES = {"errors.md"}


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Escape ``][`` outside code spans in generated message tables.

    A message such as ``weights[0][0][0] must be a finite number`` would read as a Markdown
    reference link, which mkdocs-autorefs reports as a broken cross-reference (failing the
    strict build); ``]\\[`` renders the same text.
    """
    if page.file.src_uri not in GENERATED_MESSAGES:
        return markdown
    lines = []
    for line in markdown.split("\n"):
        parts = line.split("`")
        parts[::2] = [re.sub(r"\](?=\[)", r"]\\", part) for part in parts[::2]]
        lines.append("`".join(parts))
    return "\n".join(lines)
