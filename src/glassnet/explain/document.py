"""A format-neutral explanation: headings, sentences, equation blocks and tables.

:mod:`glassnet.explain.worked` fills these frozen dataclasses with the numbers
of a recorded step, already formatted and checked; :mod:`.text`,
:mod:`.markdown` and :mod:`.terminal` each turn the same document into one
output format and decide nothing about the numbers.

Styles a span or cell may carry: ``"up"`` (a value that rose), ``"down"``
(one that fell), ``"em"`` (a name or a figure to notice), ``"dim"`` (a remark).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: A piece of text with an optional style name.
Span = tuple[str, str | None]

#: What :func:`spans` takes: a styled span or plain text.
Part = str | Span


def spans(*parts: Part) -> tuple[Span, ...]:
    """Plain strings become unstyled spans."""
    return tuple((p, None) if isinstance(p, str) else p for p in parts)


def plain(parts: tuple[Span, ...]) -> str:
    """The text of some spans without their styles."""
    return "".join(text for text, _ in parts)


@dataclass(frozen=True)
class Heading:
    """A section title; level 1 is an iteration, 2 a part of it, 3 a layer."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One or more sentences."""

    parts: tuple[Span, ...]


@dataclass(frozen=True)
class Equation:
    """``label: lhs = rhs``; ``lhs`` is already column-aligned within its block."""

    label: str
    lhs: str
    rhs: str
    style: str | None = None


@dataclass(frozen=True)
class Equations:
    """A block of equations under a title (``"dot products, z = x . w:"``)."""

    title: str
    lines: tuple[Equation, ...]
    note: str = ""


@dataclass(frozen=True)
class Table:
    """A matrix or a comparison: header cells and rows of (text, style) cells.

    ``align`` holds ``"l"`` or ``"r"`` per column; numbers are right-aligned.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Span, ...], ...]
    align: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Verbatim:
    """Lines shown exactly as given (numpy's own print of recorded arrays)."""

    title: str
    lines: tuple[str, ...]


Block = Heading | Paragraph | Equations | Table | Verbatim


@dataclass(frozen=True)
class Document:
    """Everything one explanation prints, in order."""

    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def equations(self) -> list[Equation]:
        """Every equation of the document (what the truth checks read)."""
        return [eq for b in self.blocks if isinstance(b, Equations) for eq in b.lines]
