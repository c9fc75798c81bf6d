"""Plain text: the worked example as a teacher would type it (monospace, aligned columns)."""

from __future__ import annotations

import textwrap

from glassnet.explain.document import (
    Document,
    Equations,
    Heading,
    Paragraph,
    Table,
    Verbatim,
    plain,
)

#: Sentences wrap at this width; equations and tables never wrap.
WIDTH = 88

_INDENT = "  "


def equation_lines(block: Equations) -> list[str]:
    """``label:  lhs = rhs`` lines, labels padded so that the left sides line up."""
    width = max((len(eq.label) for eq in block.lines), default=0) + 1
    return [f"{_INDENT}{(eq.label + ':').ljust(width)}  {eq.lhs} = {eq.rhs}" for eq in block.lines]


def table_lines(block: Table) -> list[str]:
    """A table with a dashed rule under its header, columns aligned."""
    cells = [list(block.columns)] + [[text for text, _ in row] for row in block.rows]
    widths = [max(len(row[k]) for row in cells if k < len(row)) for k in range(len(block.columns))]

    def line(row: list[str]) -> str:
        out = [
            (cell.ljust(widths[k]) if block.align[k] == "l" else cell.rjust(widths[k]))
            for k, cell in enumerate(row)
        ]
        return (_INDENT + "  ".join(out)).rstrip()

    return [line(cells[0]), _INDENT + "  ".join("-" * w for w in widths)] + [
        line(r) for r in cells[1:]
    ]


def _note(note: str, width: int) -> list[str]:
    return textwrap.wrap(
        f"({note})", width, initial_indent=_INDENT, subsequent_indent=_INDENT + " "
    )


def format_text(doc: Document, width: int = WIDTH) -> str:
    """The document as plain text (no styles)."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            if lines and lines[-1] != "":
                lines.append("")
            if block.level == 1:
                lines += [f"---------{block.text}-------------", ""]
            elif block.level == 2:
                lines += [block.text, "-" * len(block.text)]
            else:
                lines += [f"{block.text}:"]
            continue
        if isinstance(block, Paragraph):
            lines += textwrap.wrap(plain(block.parts), width) or [""]
        elif isinstance(block, Equations):
            lines.append(block.title)
            lines += equation_lines(block)
            if block.note:
                lines += _note(block.note, width)
        elif isinstance(block, Verbatim):
            lines.append(block.title)
            lines += [_INDENT + line for line in block.lines]
        elif isinstance(block, Table):
            lines.append(block.title)
            lines += table_lines(block)
            if block.note:
                lines += _note(block.note, width)
        lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
