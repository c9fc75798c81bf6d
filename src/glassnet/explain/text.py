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

#: Sentences wrap at this width; tables never wrap.
WIDTH = 88

#: An equation wider than this breaks before a ``+`` or ``-`` of its left side, the rest on
#: lines of their own under the start of the left side (read them as one line).
EQUATION_WIDTH = 100

_INDENT = "  "


def equation_lines(block: Equations, width: int = EQUATION_WIDTH) -> list[str]:
    """``label:  lhs = rhs`` lines, labels padded so that the left sides line up.

    An equation longer than ``width`` columns continues on the next lines,
    broken before a ``" + "`` or ``" - "`` (or after a comma) and indented to
    its left side; joining the lines with single spaces gives the equation back.
    """
    return [line for lines in equation_rows(block, width) for line in lines]


def equation_rows(block: Equations, width: int = EQUATION_WIDTH) -> list[list[str]]:
    """The lines of each equation of ``block`` (one, or more where it wraps)."""
    pad = max((len(eq.label) for eq in block.lines), default=0) + 1
    return [
        _wrapped(f"{_INDENT}{(eq.label + ':').ljust(pad)}  ", f"{eq.lhs} = {eq.rhs}", width)
        for eq in block.lines
    ]


def _wrapped(head: str, text: str, width: int) -> list[str]:
    """``head + text``, broken before `` + `` / `` - `` where it is wider than ``width``."""
    if len(head) + len(text) <= width:
        return [head + text]
    indent = " " * len(head)
    room = max(width - len(head), 20)
    out: list[str] = []
    while len(text) > room:
        breaks = _breaks(text)
        # the last break that fits, outside parentheses if one does; else the first one after
        fits = [i for depth, i in breaks if 0 < i < room]
        outside = [i for depth, i in breaks if depth == 0 and 0 < i < room]
        later = [i for depth, i in breaks if i >= room]
        cut = max(outside) if outside else max(fits) if fits else min(later, default=-1)
        if cut <= 0:
            break
        out.append(text[:cut])
        text = text[cut + 1 :]
    out.append(text)
    return [head + out[0]] + [indent + line for line in out[1:]]


def _breaks(text: str) -> list[tuple[int, int]]:
    """``(parenthesis depth, position)`` of every `` + `` and `` - `` of ``text`` (the space
    before the operator) and of every ``, `` (the space after the comma)."""
    found = []
    depth = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char in "+-" and text[i - 1 : i] == " " and text[i + 1 : i + 2] == " ":
            found.append((depth, i - 1))
        elif char == "," and text[i + 1 : i + 2] == " ":
            found.append((depth - 1, i + 1))  # after the comma of max(a, b, ...)
    return found


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


def _title(title: str) -> list[str]:
    """A block's title: one line, or wrapped where it is wider than :data:`EQUATION_WIDTH`."""
    if len(title) <= EQUATION_WIDTH:
        return [title]
    return textwrap.wrap(title, EQUATION_WIDTH, subsequent_indent=_INDENT)


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
            lines += _title(block.title)
            lines += equation_lines(block)
            if block.note:
                lines += _note(block.note, width)
        elif isinstance(block, Verbatim):
            lines.append(block.title)
            lines += [_INDENT + line for line in block.lines]
        elif isinstance(block, Table):
            lines += _title(block.title)
            lines += table_lines(block)
            if block.note:
                lines += _note(block.note, width)
        lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
