"""glassnet.explain.markdown: the worked example as Markdown, tables and code blocks."""

from __future__ import annotations

from helpers.printed import false_lines

from glassnet.explain import explain


def test_markdown_has_tables_and_code_blocks(seed_run):
    md = explain(seed_run, 1, format="md")
    assert md.startswith("## ITERATION #1\n")
    assert "| weight | value |\n|:---|---:|\n| w1 (from x1) | .6742 |" in md
    assert "```text\nex1:  (0 * .6742) + (0 * -.3347) + (1 * -.4047) = -.4047" in md
    assert false_lines(md) == []
