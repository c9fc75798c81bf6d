"""Markdown to paste into a blog post: headings, sentences, equations in code blocks,
matrices and comparisons as tables."""

from __future__ import annotations

from glassnet.explain.document import Document, Equations, Heading, Paragraph, Table, Verbatim
from glassnet.explain.text import equation_lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or " "


def _emphasis(parts: tuple[tuple[str, str | None], ...]) -> str:
    out = []
    for text, style in parts:
        if style == "em" and text.strip():
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            out.append(f"{lead}**{_escape(core)}**{trail}")
        else:
            out.append(_escape(text))
    return "".join(out)


def _escape(text: str) -> str:
    for char in ("\\", "*", "_", "`", "|"):
        text = text.replace(char, "\\" + char)
    return text


def format_markdown(doc: Document) -> str:
    """The document as GitHub-flavoured Markdown."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {block.text}", ""]
        elif isinstance(block, Paragraph):
            lines += [_emphasis(block.parts), ""]
        elif isinstance(block, Equations):
            lines += [_escape(block.title), "", "```text"]
            lines += [line[2:] for line in equation_lines(block)]
            lines += ["```", ""]
            if block.note:
                lines += [f"*({_escape(block.note)})*", ""]
        elif isinstance(block, Verbatim):
            lines += [_escape(block.title), "", "```text", *block.lines, "```", ""]
        elif isinstance(block, Table):
            lines += [_escape(block.title), ""]
            lines.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
            lines.append("|" + "|".join("---:" if a == "r" else ":---" for a in block.align) + "|")
            for row in block.rows:
                lines.append("| " + " | ".join(_cell(text) for text, _ in row) + " |")
            lines.append("")
            if block.note:
                lines += [f"*({_escape(block.note)})*", ""]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
