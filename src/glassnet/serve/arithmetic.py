"""The explainer's text for one part of the network: a weight, a bias or a unit.

The explainer (:mod:`glassnet.explain`) works out a whole iteration. The
playground's arithmetic panel shows the part of that document about what was
clicked: :func:`part_document` keeps the blocks, equation lines and table
cells that name it and drops the rest; :func:`explain_part` renders what is
left as the explainer's plain text. Nothing is recomputed here.

A *part* is named the way :func:`glassnet.network.parameter_names` names
parameters (``"W0[1,2]"``, ``"b1[0]"``), or ``"unit:m:j"`` for unit ``j`` of
activation layer ``m`` (``m = 0`` the inputs, ``m = L`` the output), the
page's ``unit-m-j``.

What is kept, for a weight into unit ``u`` of the explainer's layer ``l + 1``:
the weight's value (its cell of the weight table), the forward pass of ``u``
(dot products and activation, every example shown), the error (when ``u``
is an output), the backward pass of ``u`` (slope, delta), every line the
explainer writes for the weight itself (each example's share of its update,
the optimizer's step, the new value), its gradient check and why it moved.
A unit keeps the same without the weight's own lines; an input keeps its
values and the lines of the weights leaving it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from glassnet.errors import ConfigError
from glassnet.explain.document import (
    Block,
    Document,
    Equations,
    Heading,
    Paragraph,
    Table,
    Verbatim,
    plain,
)

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.explain.worked import Names
    from glassnet.network import Network
    from glassnet.run import Run

#: Dimensions up to this long are written out whole (every unit of a layer of 64);
#: longer ones (the examples of a big data set) show their first :data:`SHOWN`.
LIMIT = 64
SHOWN = 8

_WEIGHT = re.compile(r"W(\d+)\[(\d+),(\d+)\]")
_BIAS = re.compile(r"b(\d+)\[(\d+)\]")
_UNIT = re.compile(r"unit:(\d+):(\d+)")


@dataclass(frozen=True)
class Part:
    """What was clicked, in the explainer's terms.

    ``layer`` is the weight layer whose section holds it (``-1`` for an
    input), ``unit`` the explainer's name of the unit it belongs to or feeds,
    ``label`` the name of the weight's own lines (``""`` for a unit).
    """

    name: str
    kind: str  # "weight", "bias", "unit" or "input"
    layer: int
    unit: str
    label: str
    title: str


def parse_part(name: str, network: Network, names: Names) -> Part:
    """The :class:`Part` that ``name`` (``"W0[0,0]"``, ``"b1[2]"``, ``"unit:1:0"``) names."""
    sizes = network.sizes
    n_layers = network.n_layers

    def bad(rule: str) -> ConfigError:
        return ConfigError(f"part {name!r} {rule} (layers {list(sizes)}).")

    if m := _WEIGHT.fullmatch(name):
        l, i, j = (int(g) for g in m.groups())
        if not (l < n_layers and i < sizes[l] and j < sizes[l + 1]):
            raise bad("is not a weight of this network")
        label = names.weight(l, i, j)
        source, target = names.unit(l - 1, i), names.unit(l, j)
        return Part(
            name, "weight", l, target, label, f"{name} ({label}): from {source} to {target}"
        )
    if m := _BIAS.fullmatch(name):
        l, j = (int(g) for g in m.groups())
        if not (l < n_layers and network.bias[l] and j < sizes[l + 1]):
            raise bad("is not a bias of this network")
        label = names.bias(l, j)
        target = names.unit(l, j)
        return Part(name, "bias", l, target, label, f"{name} ({label}): the bias of {target}")
    if m := _UNIT.fullmatch(name):
        layer, j = (int(g) for g in m.groups())
        if not (layer <= n_layers and j < sizes[layer]):
            raise bad("is not a unit of this network")
        unit = names.unit(layer - 1, j)
        if layer == 0:
            return Part(name, "input", -1, unit, "", f"input {unit}")
        role = "output" if layer == n_layers else "hidden unit"
        return Part(name, "unit", layer - 1, unit, "", f"{role} {unit}")
    raise ConfigError(
        f"part must name a weight (W0[0,0]), a bias (b0[0]) or a unit (unit:1:0); got {name!r}."
    )


_LAYER = re.compile(r"Layer (\d+)\b")


def _line_unit(label: str, single: str | None) -> tuple[str, str | None]:
    """``("ex3", "h2")`` for ``"ex3 h2"``; ``("ex3", single)`` for ``"ex3"`` in a one-unit layer."""
    head, _, tail = label.partition(" ")
    return head, (tail or single)


def part_document(doc: Document, part: Part, names: Names) -> Document:
    """The blocks of ``doc`` (a worked iteration) that are about ``part``."""
    sizes = names.sizes
    n_layers = len(sizes) - 1
    output = part.layer == n_layers - 1
    section = ""
    layer: int | None = None
    kept: list[Block] = []
    pending: list[Block] = []  # headings, kept only if something follows them

    def keep(block: Block) -> None:
        kept.extend(pending)
        pending.clear()
        kept.append(block)

    def mine(label: str) -> bool:
        """Whether an equation line labelled ``label`` belongs to the part."""
        if part.label and label == part.label:
            return True
        if part.kind == "input":
            return label.startswith(f"{part.unit}->")
        if layer != part.layer and section != "error":
            return False
        single = names.unit(part.layer, 0) if sizes[part.layer + 1] == 1 else None
        head, unit = _line_unit(label, single)
        return head.startswith("ex") and unit == part.unit

    index = -1  # of the block within its section
    for block in doc.blocks:
        if not isinstance(block, Heading):
            index += 1
        if isinstance(block, Heading):
            if block.level == 1:
                kept.append(block)
                continue
            if block.level == 2:
                section = block.text.split(". ", 1)[-1].lower()
                layer = None
                index = -1
                pending[:] = [block]
                continue
            found = _LAYER.match(block.text)
            layer = int(found.group(1)) - 1 if found else None
            pending[:] = [p for p in pending if isinstance(p, Heading) and p.level == 2]
            pending.append(block)
            continue
        if not section:  # the iteration's header: what was run, which batch
            if isinstance(block, Paragraph):
                keep(block)
            continue
        if section.startswith("compared"):
            continue
        if section == "error":
            if output and isinstance(block, Equations):
                lines = tuple(
                    eq
                    for eq in block.lines
                    if eq.label in ("sum", "loss", "mean") or mine(eq.label)
                )
                if lines:
                    keep(replace(block, lines=lines))
            continue
        if isinstance(block, Equations):
            lines = tuple(eq for eq in block.lines if mine(eq.label))
            if lines:
                keep(replace(block, lines=lines))
        elif isinstance(block, Table):
            table = _table_part(block, part, names, layer)
            if table is not None:
                keep(table)
        elif isinstance(block, Paragraph):
            text = plain(block.parts)
            first = block.parts[0][0] if block.parts else ""
            if section.startswith(("why", "gradient")):
                if part.label and first == part.label:
                    keep(block)
                elif part.label and index == 0:  # the section's rule, kept if the part follows
                    pending.append(block)
            elif (
                layer is not None
                and (layer == part.layer or part.kind == "input")
                and not text.startswith(("Input ", "Weights of"))
            ):
                pending.append(block)
        elif isinstance(block, Verbatim):
            continue
    # a heading or a rule with nothing of the part after it says nothing
    return Document(tuple(kept))


def _table_part(block: Table, part: Part, names: Names, layer: int | None) -> Table | None:
    """The cells of a weight table or a gradient-check table about ``part``, or ``None``."""
    if not block.rows:
        return None
    first = block.columns[0] if block.columns else ""
    if first.startswith("from"):  # a layer's weights: rows are sources, columns targets
        if layer != part.layer and not (part.kind == "input" and layer == 0):
            return None
        if part.kind == "input":
            rows = tuple(r for r in block.rows if r[0][0] == part.unit)
            return replace(block, rows=rows) if rows else None
        if part.unit not in block.columns:
            return None
        col = block.columns.index(part.unit)
        source = part.label.split("->")[0] if part.kind == "weight" else None
        if part.kind == "bias":
            source = "b"
        rows = tuple((r[0], r[col]) for r in block.rows if source is None or r[0][0] == source)
        if not rows:
            return None
        return replace(
            block, columns=(first, part.unit), rows=rows, align=(block.align[0], block.align[col])
        )
    # rows named by their first cell: "w1 (from x1)", or a gradient check's "x1->h1"
    if not part.label:
        if part.kind == "input":
            rows = tuple(r for r in block.rows if r[0][0].startswith(f"{part.unit}->"))
            return replace(block, rows=rows) if rows else None
        if layer != part.layer:
            return None
        rows = tuple(r for r in block.rows if r[0][0].endswith(f"->{part.unit}"))
        return replace(block, rows=rows) if rows else None
    rows = tuple(
        r for r in block.rows if r[0][0] == part.label or r[0][0].startswith(part.label + " ")
    )
    return replace(block, rows=rows) if rows else None


def explain_part(
    run: Run, iteration: int, name: str, *, digits: int | None = None
) -> tuple[str, str]:
    """``(title, text)``: the explainer's plain text of iteration ``#iteration`` about ``name``."""
    from glassnet.explain import describe, iteration_blocks, names_of, worked
    from glassnet.explain.numbers import DEFAULT_DIGITS
    from glassnet.explain.text import format_text

    names = names_of(run)
    part = parse_part(name, run.network, names)
    ctx = worked.Context(
        names, DEFAULT_DIGITS if digits is None else digits, worked.Limits(LIMIT, SHOWN)
    )
    header = [worked.Paragraph(worked.spans(describe(run)))]
    doc = worked.document(iteration_blocks(run, iteration, ctx, header))
    return part.title, format_text(part_document(doc, part, names))
