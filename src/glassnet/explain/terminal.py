"""The terminal: the same document through rich, aligned, green for up and red for down.

Colour is left out when the output is not a terminal or when ``NO_COLOR`` is
set (https://no-color.org); rich is imported only here.
"""

from __future__ import annotations

import io
import os
import sys

from glassnet.explain.document import Document, Equations, Heading, Paragraph, Table, Verbatim
from glassnet.explain.text import equation_rows

STYLES = {"up": "green", "down": "red", "em": "bold", "dim": "dim"}


def use_color() -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def format_terminal(doc: Document, color: bool | None = None, width: int | None = None) -> str:
    """The document rendered by rich; ANSI colour codes only when ``color``."""
    from rich import box
    from rich.console import Console
    from rich.rule import Rule
    from rich.table import Table as RichTable
    from rich.text import Text

    color = use_color() if color is None else color
    if width is None:
        import shutil

        width = max(shutil.get_terminal_size((100, 24)).columns, 60)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )

    def styled(parts: tuple[tuple[str, str | None], ...]) -> Text:
        text = Text()
        for chunk, style in parts:
            text.append(chunk, style=STYLES.get(style or "", ""))
        return text

    for block in doc.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                console.print()
                console.print(Rule(block.text, style="bold cyan", characters="-"))
            elif block.level == 2:
                console.print()
                console.print(Text(block.text, style="bold underline"))
            else:
                console.print(Text(block.text + ":", style="bold"))
            continue
        if isinstance(block, Paragraph):
            console.print(styled(block.parts), width=min(width, 100))
        elif isinstance(block, Equations):
            console.print(Text(block.title, style="italic"))
            for eq, lines in zip(block.lines, equation_rows(block)):
                for line in lines[:-1]:
                    console.print(Text(line), no_wrap=True, overflow="ignore", crop=False)
                line = lines[-1]
                head = line[: len(line) - len(eq.rhs)]
                text = Text(head)
                text.append(eq.rhs, style=STYLES.get(eq.style or "", "bold"))
                console.print(text, no_wrap=True, overflow="ignore", crop=False)
            if block.note:
                console.print(Text(f"  ({block.note})", style="dim"))
        elif isinstance(block, Verbatim):
            console.print(Text(block.title, style="italic"))
            for line in block.lines:
                console.print(Text("  " + line), no_wrap=True, overflow="ignore", crop=False)
        elif isinstance(block, Table):
            table = RichTable(
                title=None,
                box=box.SIMPLE_HEAD,
                padding=(0, 1),
                show_edge=False,
                header_style="bold",
            )
            for name, align in zip(block.columns, block.align):
                table.add_column(name, justify="right" if align == "r" else "left", no_wrap=True)
            for row in block.rows:
                table.add_row(*(Text(t, style=STYLES.get(s or "", "")) for t, s in row))
            console.print(Text(block.title, style="italic"))
            console.print(table)
            if block.note:
                console.print(Text(f"  ({block.note})", style="dim"))
        console.print()
    return buffer.getvalue()
