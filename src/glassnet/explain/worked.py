"""The worked example of one iteration, as a :class:`~glassnet.explain.document.Document`.

Everything here *reads* a recorded :class:`~glassnet.trace.Step` (and a
:class:`~glassnet.gradcheck.GradientCheck` computed by the core) and writes
it out the way a teacher would: each dot product as a sum of products with
the numbers substituted, each activation with its formula, the error, the
loss, and the backward pass the post skipped (derivative at the prediction,
``delta = error * derivative``, the back-propagated error ``delta_next @ W.T``
of hidden layers, each weight's update as a sum over examples of
``input * delta``, ``old + update = new``), then the gradient check, why each
weight moved, and the comparison with the previous iteration.

Each block of equations is printed with the fewest decimals (from
``digits`` significant digits of its largest number) at which every line is
true as printed (:func:`glassnet.explain.numbers.first_true`).

Big layers are cut: beyond :class:`Limits` the first rows, units and terms
are shown and the rest are summed into one ``[N more: S]`` term or named as
elided, unless ``show_all``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from glassnet.activations import ACTIVATIONS, Activation
from glassnet.explain.document import (
    Block,
    Document,
    Equation,
    Equations,
    Heading,
    Paragraph,
    Part,
    Span,
    Table,
    spans,
)
from glassnet.explain.numbers import (
    DEFAULT_DIGITS,
    Precision,
    count,
    decimals_for,
    first_true,
    fmt,
    fmt_exact,
    fmt_sci,
    is_exact,
)
from glassnet.gradcheck import GradientCheck
from glassnet.losses import LOSSES
from glassnet.trace import LayerStep, Step
from glassnet.types import Array, IntArray


@dataclass(frozen=True)
class Limits:
    """How much of a big layer to write out.

    A dimension longer than ``limit`` (examples, units, inputs, terms of a
    sum) shows its first ``shown`` entries and says how many it left out.
    """

    limit: int = 8
    shown: int = 3

    def count(self, n: int) -> int:
        """How many of ``n`` entries to show."""
        return n if n <= self.limit else self.shown


#: No elision at all (``--all``).
ALL = Limits(limit=10**9, shown=10**9)


@dataclass(frozen=True)
class Names:
    """What to call the inputs, units and weights of a network in the text."""

    inputs: tuple[str, ...]
    sizes: tuple[int, ...]
    #: The data's row of each example of the step (a mini-batch's), or ``None``: row ``s``.
    rows: tuple[int, ...] | None = None

    def unit(self, layer: int, j: int) -> str:
        """Name of unit ``j`` of the layer computed by weight layer ``layer``."""
        n_layers = len(self.sizes) - 1
        if layer == -1:
            return self.inputs[j] if j < len(self.inputs) else f"x{j + 1}"
        if layer == n_layers - 1:
            return "out" if self.sizes[-1] == 1 else f"out{j + 1}"
        return f"h{j + 1}" if n_layers == 2 else f"h{layer + 1}.{j + 1}"

    def simple(self, layer: int) -> bool:
        """The post's case (one layer, one output): weights are plain ``w1, w2, ...``."""
        return len(self.sizes) == 2 and self.sizes[-1] == 1 and layer == 0

    def weight(self, layer: int, i: int, j: int) -> str:
        if self.simple(layer):
            return f"w{i + 1}"
        return f"{self.unit(layer - 1, i)}->{self.unit(layer, j)}"

    def bias(self, layer: int, j: int) -> str:
        return "b" if self.simple(layer) else f"b->{self.unit(layer, j)}"

    def example(self, s: int) -> str:
        """Example ``s`` of the step, named by its row in the data (``ex1`` is the first)."""
        return f"ex{(s if self.rows is None else self.rows[s]) + 1}"

    def row_label(self, layer: int, s: int, j: int) -> str:
        """Label of the line for example ``s`` and unit ``j`` of a layer."""
        if self.sizes[layer + 1] == 1:
            return self.example(s)
        return f"{self.example(s)} {self.unit(layer, j)}"


# --------------------------------------------------------------------------- alignment

Token = tuple[str, bool]  # (text, is a number to right-align)


def _aligned(rows: Sequence[Sequence[Token]]) -> list[str]:
    """Join token rows, right-aligning the numbers that sit at the same position."""
    widths: dict[int, int] = {}
    for row in rows:
        for k, (text, number) in enumerate(row):
            if number:
                widths[k] = max(widths.get(k, 0), len(text))
    return [
        "".join(text.rjust(widths[k]) if number else text for k, (text, number) in enumerate(row))
        for row in rows
    ]


def _block(
    title: str,
    labels: Sequence[str],
    rows: Sequence[Sequence[Token]],
    rhs: Sequence[str],
    styles: Sequence[str | None] | None = None,
    note: str = "",
) -> Equations:
    lhs = _aligned(rows)
    width = max((len(r) for r in rhs), default=0)
    return Equations(
        title,
        tuple(
            Equation(label, left, right.rjust(width), None if styles is None else styles[i])
            for i, (label, left, right) in enumerate(zip(labels, lhs, rhs))
        ),
        note,
    )


def _pairs(*blocks: Equations) -> list[tuple[str, str]]:
    return [(eq.lhs, eq.rhs) for block in blocks for eq in block.lines]


def _elided(n: int, what: str, total: str) -> list[Token]:
    """``[3 more terms: total]``; ``what`` is plural ("terms"), singular for one."""
    return [(f"[{n} more {what if n != 1 else what[:-1]}: ", False), (total, True), ("]", False)]


def _value_formatter(values: Array, digits: int, shift: int) -> Callable[[float], str]:
    """Inputs that are all whole numbers print exactly (``0``, ``1``); others get decimals."""
    if is_exact(values):
        return fmt_exact
    decimals = decimals_for(values, digits) + shift
    return lambda v: fmt(v, decimals)


def _styled(value: float) -> str | None:
    return "up" if value > 0 else "down" if value < 0 else None


def _cut(n: int, limits: Limits, what: str) -> str:
    """``"3 of 16 examples"`` when a dimension is cut, else ``""``."""
    kept = limits.count(n)
    return "" if kept == n else f"{kept} of {n} {what}"


def _note(*cuts: str) -> str:
    """One remark for everything a block left out."""
    parts = [c for c in cuts if c]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"showing {listed}; --all shows every one"


# --------------------------------------------------------------------------- the worked step


@dataclass(frozen=True)
class Context:
    """What the builders need besides the step itself."""

    names: Names
    digits: int = DEFAULT_DIGITS
    limits: Limits = Limits()
    #: Fixed decimals of the formula blocks, before any widening (the chain notation's
    #: nine), instead of ``digits`` significant digits.
    decimals: int | None = None


def _activation_lhs(act: Activation, z: str) -> list[Token]:
    """``f(z)`` as printed tokens, the number ``z`` marked as a value."""
    template = act.printed
    if act.printed_large is not None and float(z) > act.large_above:
        template = act.printed_large
    tokens: list[Token] = []
    for i, part in enumerate(template.split("{z}")):
        if i:
            tokens.append((z, True))
        if part:
            tokens.append((part, False))
    return tokens


def _derivative_lhs(act: Activation, a: str) -> str:
    """``f'(a)`` as printed, with a negative ``a`` in parentheses before a power."""
    text = act.grad_printed
    if a.startswith("-"):
        text = text.replace("{a}^", "({a})^")
    return text.replace("{a}", a)


def _row_sums(values: Array, axis: int) -> float:
    """The largest sum of absolute values along ``axis`` (how far rounding errors add up)."""
    with np.errstate(all="ignore"):
        total = np.abs(values).sum(axis=axis)
    return float(total.max()) if total.size else 0.0


@dataclass(frozen=True, eq=False)
class RowSums:
    """A row-wise output activation (softmax) worked out, example by example.

    ``a[s, j] = e^(z[s, j] - max[s]) / sum[s]``: ``max`` the row's largest dot
    product, ``sum`` the row's sum of ``e^(z - max)``. The trace keeps ``z``
    and ``a``; ``max`` and ``sum`` are taken here from ``z`` with the same
    operations as the activation (:attr:`~glassnet.activations.Activation.fn`),
    for display.
    """

    ly: LayerStep
    max: Array
    sum: Array

    def decimals(self, p: Precision, d_a: int, base_z: int, digits: int) -> int:
        """Decimals of ``z`` (and ``max``) that make both the sums and the outputs true."""
        d_sum = p.operand(decimals_for(self.sum, digits), d_a, 1.0)
        biggest = float(np.max(self.sum)) if self.sum.size else 1.0
        return max(p.operand(base_z, d_a, 3.0), p.operand(base_z, d_sum, 2.0 * biggest))

    def intro(self, act: Activation) -> str:
        return (
            f"The {act.name} turns each example's dot products into probabilities that add up to "
            f"1: a_j = {act.formula}. Subtracting the example's largest dot product first, "
            f"a_j = {act.printed.format(z='z_j', max='max', sum='sum')} with sum = the sum over "
            "the units of e^(z_k - max), changes nothing (the numerator and the sum are both "
            "divided by e^max) but keeps e^z from overflowing."
        )

    def blocks(self, p: Precision, d_z: int, d_a: int, ctx: Context) -> tuple[Equations, ...]:
        names, limits = ctx.names, ctx.limits
        ly = self.ly
        act = ACTIVATIONS[ly.activation]
        n, n_out = ly.z.shape
        shown_s, shown_j = limits.count(n), limits.count(n_out)
        d_sum = p.operand(decimals_for(self.sum, ctx.digits), d_a, 1.0)
        d_rest = p.operand(decimals_for(self.sum, ctx.digits), d_sum, 1.0)
        labels, max_rows, max_rhs, sum_rows, sum_rhs = [], [], [], [], []
        for s in range(shown_s):
            z = [fmt(ly.z[s, j], d_z) for j in range(shown_j)]
            top = fmt(self.max[s], d_z)
            row: list[Token] = [("max(", False)]
            for j, text in enumerate(z):
                row += [(", " if j else "", False), (text, True)]
            if shown_j < n_out:
                rest = float(np.max(ly.z[s, shown_j:]))
                row += [(", ", False), *_elided(n_out - shown_j, "units", fmt(rest, d_z))]
            max_rows.append([*row, (")", False)])
            max_rhs.append(top)
            terms: list[Token] = []
            for j, text in enumerate(z):
                terms += [(" + " if j else "", False), ("e^(", False), (text, True)]
                terms += [(" - ", False), (top, True), (")", False)]
            if shown_j < n_out:
                with np.errstate(all="ignore"):
                    rest = float(np.exp(ly.z[s, shown_j:] - self.max[s]).sum())
                terms += [(" + ", False), *_elided(n_out - shown_j, "terms", fmt(rest, d_rest))]
            sum_rows.append(_no_double_minus(terms))
            sum_rhs.append(fmt(self.sum[s], d_sum))
            labels.append(names.example(s))
        act_labels, act_rows, act_rhs = [], [], []
        for j in range(shown_j):
            for s in range(shown_s):
                act_labels.append(names.row_label(ly.index, s, j))
                act_rows.append(
                    _template_tokens_signed(
                        act.printed,
                        {
                            "z": fmt(ly.z[s, j], d_z),
                            "max": fmt(self.max[s], d_z),
                            "sum": fmt(self.sum[s], d_sum),
                        },
                    )
                )
                act_rhs.append(fmt(ly.a[s, j], d_a))
        note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "units"))
        return (
            _block("the largest dot product of each example, max:", labels, max_rows, max_rhs),
            _block(
                "sum = the sum over the units of e^(z - max):", labels, sum_rows, sum_rhs, note=note
            ),
            _block(
                f"{act.name}, a = {act.printed.format(z='z', max='max', sum='sum')}:",
                act_labels,
                act_rows,
                act_rhs,
            ),
        )


def rowwise_sums(ly: LayerStep) -> RowSums:
    """``max`` and ``sum`` of every example of a row-wise layer (see :class:`RowSums`)."""
    with np.errstate(all="ignore"):
        top = ly.z.max(axis=1)
        total = np.exp(ly.z - top[:, None]).sum(axis=1)
    return RowSums(ly, top, total)


def _no_double_minus(tokens: list[Token]) -> list[Token]:
    """``z - -m`` written ``z + m`` (the same number: subtracting a negative adds it)."""
    out: list[Token] = []
    for text, number in tokens:
        if number and text.startswith("-") and out and out[-1] == (" - ", False):
            out[-1] = (" + ", False)
            text = text[1:]
        out.append((text, number))
    return out


def _template_tokens_signed(template: str, texts: dict[str, str]) -> list[Token]:
    return _no_double_minus(_template_tokens(template, texts))


def _template_tokens(template: str, texts: dict[str, str]) -> list[Token]:
    """A printed template (``"e^({z} - {max}) / {sum}"``) as tokens, its numbers marked."""
    import re

    tokens: list[Token] = []
    position = 0
    for match in re.finditer(r"\{(\w+)\}", template):
        if match.start() > position:
            tokens.append((template[position : match.start()], False))
        tokens.append((texts[match.group(1)], True))
        position = match.end()
    if position < len(template):
        tokens.append((template[position:], False))
    return tokens


def forward_blocks(
    ly: LayerStep, ctx: Context, title: str = "weights W{index} (before the update)"
) -> list[Block]:
    """Weights table, dot products and activations of one layer."""
    names, limits = ctx.names, ctx.limits
    n, n_in = ly.inputs.shape
    n_out = ly.z.shape[1]
    act = ACTIVATIONS[ly.activation]
    shown_s, shown_i, shown_j = limits.count(n), limits.count(n_in), limits.count(n_out)
    blocks: list[Block] = [weights_table(ly, ly.W, ly.b, ctx, title.format(index=ly.index))]
    whole = is_exact(ly.inputs)
    wz = np.concatenate([ly.W.ravel(), ly.z.ravel()] + ([] if ly.b is None else [ly.b]))
    base_wz, base_a = decimals_for(wz, ctx.digits), decimals_for(ly.a, ctx.digits)
    base_x = 0 if whole else decimals_for(ly.inputs, ctx.digits)
    # how much the rounding of the weights (inputs) can add up to in one dot product
    s_x = _row_sums(ly.inputs, 1) + (1.0 if ly.b is not None else 0.0)
    s_w = _row_sums(ly.W, 0)
    if not whole:
        s_x = s_x + s_w
    row_sums = rowwise_sums(ly) if act.rowwise else None

    def build(shift: int) -> tuple[Equations, ...]:
        p = Precision(shift)
        d_a = p.result(base_a)
        d_z = p.operand(base_wz, d_a)
        if row_sums is not None:
            d_z = row_sums.decimals(p, d_a, base_wz, ctx.digits)
        d_w = p.operand(base_wz, d_z, s_x)
        d_x = p.operand(base_x, d_z, s_x)
        x = fmt_exact if whole else (lambda v: fmt(v, d_x))
        labels, rhs, act_rows, act_rhs = [], [], [], []
        for j in range(shown_j):
            for s in range(shown_s):
                labels.append(names.row_label(ly.index, s, j))
                rhs.append(fmt(ly.z[s, j], d_z))
                if row_sums is None:
                    act_rows.append(_activation_lhs(act, fmt(ly.z[s, j], d_z)))
                    act_rhs.append(fmt(ly.a[s, j], d_a))
        if names.simple(ly.index):
            terms = " + ".join(f"{names.unit(-1, i)}*w{i + 1}" for i in range(min(n_in, 3)))
            terms += " + ..." if n_in > 3 else ""
        else:
            terms = "the sum over inputs of input * weight"
        bias = " + b" if ly.b is not None else ""
        note = _note(
            _cut(n, limits, "examples"), _cut(n_out, limits, "units"), _cut(n_in, limits, "inputs")
        )

        def dots_of(n_terms: int) -> Equations:
            rows = []
            for j in range(shown_j):
                for s in range(shown_s):
                    row: list[Token] = []
                    for i in range(n_terms):
                        row += [
                            (" + " if i else "", False),
                            ("(", False),
                            (x(ly.inputs[s, i]), True),
                            (" * ", False),
                            (fmt(ly.W[i, j], d_w), True),
                            (")", False),
                        ]
                    if n_terms < n_in:
                        rest = float(ly.inputs[s, n_terms:] @ ly.W[n_terms:, j])
                        row += [(" + ", False), *_elided(n_in - n_terms, "terms", fmt(rest, d_w))]
                    if ly.b is not None:
                        row += [
                            (" - " if ly.b[j] < 0 else " + ", False),
                            (fmt(abs(ly.b[j]), d_w), True),
                        ]
                    rows.append(row)
            return _block(f"dot products, z = {terms}{bias}:", labels, rows, rhs, note=note)

        dots = dots_of(shown_i)
        if row_sums is not None:
            return (dots, *row_sums.blocks(p, d_z, d_a, ctx))
        acts = _block(f"{act.name}, a = {act.formula}:", labels, act_rows, act_rhs)
        return dots, acts

    built = first_true(build, lambda pair: _pairs(*pair))
    if row_sums is not None:
        blocks.append(Paragraph(spans(row_sums.intro(act))))
    return blocks + list(built)


def weights_table(ly: LayerStep, W: Array, b: Array | None, ctx: Context, title: str) -> Table:
    """A weight matrix as a table: one row per input (and the bias), one column per unit."""
    names, limits = ctx.names, ctx.limits
    n_in, n_out = W.shape
    shown_i, shown_j = limits.count(n_in), limits.count(n_out)
    values = W.ravel() if b is None else np.concatenate([W.ravel(), b])
    d = decimals_for(values, ctx.digits)
    simple = names.simple(ly.index)
    columns = (
        ("weight", "value")
        if simple
        else ("from \\ to", *(names.unit(ly.index, j) for j in range(shown_j)))
    )
    rows: list[tuple[Span, ...]] = []
    for i in range(shown_i):
        src = names.unit(ly.index - 1, i)
        if simple:
            rows.append(spans(f"{names.weight(ly.index, i, 0)} (from {src})", fmt(W[i, 0], d)))
        else:
            rows.append(spans(src, *(fmt(W[i, j], d) for j in range(shown_j))))
    if b is not None:
        rows.append(spans("b", *(fmt(b[j], d) for j in range(shown_j))))
    note = _note(_cut(n_in, limits, "inputs"), _cut(n_out, limits, "units"))
    return Table(title + ":", columns, tuple(rows), ("l",) + ("r",) * (len(columns) - 1), note)


def error_blocks(step: Step, ctx: Context) -> list[Block]:
    """``error = y - a`` per example, the sum of absolute errors and the loss."""
    names, limits = ctx.names, ctx.limits
    out = step.layers[-1]
    a, y, error = out.a, step.y, step.error
    n, n_out = a.shape
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "outputs"))
    shown = [(s, j) for j in range(shown_j) for s in range(shown_s)]
    # the sum and the loss add every example and output: they show the first few terms
    every = [(s, j) for j in range(n_out) for s in range(n)]
    summed = every[: limits.count(len(every))]
    hidden = np.ones_like(error, dtype=bool)
    for s, j in summed:
        hidden[s, j] = False
    what = "examples" if n_out == 1 else "terms"
    y_whole = is_exact(y)
    base_e, base_a = decimals_for(error, ctx.digits), decimals_for(a, ctx.digits)
    base_y = 0 if y_whole else decimals_for(y, ctx.digits)

    def y_text(d: int) -> Callable[[float], str]:
        return fmt_exact if y_whole else (lambda v: fmt(v, d))

    def build_errors(shift: int) -> Equations:
        p = Precision(shift)
        d_e = p.result(base_e)
        # the prediction gets at least the error's decimals, so that y - a is true as printed
        d_a = max(p.operand(base_a, d_e), d_e)
        yv = y_text(p.operand(base_y, d_e))
        labels, rows, rhs = [], [], []
        for s, j in shown:
            labels.append(names.row_label(out.index, s, j))
            rows.append([(yv(y[s, j]), True), (" - ", False), (fmt(a[s, j], d_a), True)])
            rhs.append(fmt(error[s, j], d_e))
        return _block("error = target - prediction, y - a:", labels, rows, rhs, note=note)

    def build_sum(shift: int) -> Equations:
        p = Precision(shift)
        d_t = p.result(base_e)
        d_e = p.operand(base_e, d_t, float(error.size))
        row: list[Token] = []
        for s, j in summed:
            row += [(" + " if row else "", False), (f"|{fmt(error[s, j], d_e)}|", False)]
        if hidden.any():
            rest = float(np.abs(error[hidden]).sum())
            row += [(" + ", False), *_elided(int(hidden.sum()), what, fmt(rest, d_e))]
        return _block(
            "sum of absolute errors (the post's error figure):",
            ["sum"],
            [row],
            [fmt(step.error_sum, d_t)],
        )

    loss = LOSSES[step.loss_name]
    mean = step.method.mean and n != 1
    base_l = decimals_for([step.loss], ctx.digits)
    s_loss = loss.sensitivity(y, a) / (n if mean else 1)
    # terms that are 0 whatever the prediction (categorical cross-entropy where y = 0) are
    # left out of the loss: it shows the first of the others
    counted = [(s, j) for s, j in every if loss.printed_term(float(y[s, j]), "a", "e", str)]
    in_loss = counted[: limits.count(len(counted))]
    rest_of_loss = np.zeros_like(error, dtype=bool)
    for s, j in counted[len(in_loss) :]:
        rest_of_loss[s, j] = True
    loss_what = what if len(counted) == len(every) else "terms"

    def build_loss(shift: int) -> Equations:
        p = Precision(shift)
        d_l = p.result(base_l)
        d_e = p.operand(base_e, d_l, s_loss)
        d_a = p.operand(base_a, d_l, s_loss)
        yv = y_text(p.operand(base_y, d_l, s_loss))
        row: list[Token] = []
        for s, j in in_loss:
            term = loss.printed_term(y[s, j], fmt(a[s, j], d_a), fmt(error[s, j], d_e), yv)
            row += [(" + " if row else "", False), (term, False)]
        if rest_of_loss.any():
            with np.errstate(all="ignore"):
                rest = float(loss.terms(y[rest_of_loss], a[rest_of_loss]).sum())
            n_rest = int(rest_of_loss.sum())
            row += [(" + ", False), *_elided(n_rest, loss_what, fmt(rest, d_l + 1))]
        inner = "".join(t for t, _ in row) or "0"
        lhs = loss.printed_total.format(terms=inner)
        title = f"loss, {loss.formula}:"
        if mean:
            lhs += f" / {n}"
            title = f"loss, {loss.formula} / {n}, the mean over the batch's {count(n, 'example')}:"
        return _block(title, ["loss"], [[(lhs, False)]], [fmt(step.loss, d_l)])

    return [
        first_true(build_errors, lambda b: _pairs(b)),
        first_true(build_sum, lambda b: _pairs(b)),
        first_true(build_loss, lambda b: _pairs(b)),
    ]


def backward_blocks(step: Step, ctx: Context) -> list[Block]:
    """The backward pass, output layer first: deltas, then each layer's updates."""
    blocks: list[Block] = []
    last = len(step.layers) - 1
    for ly in reversed(step.layers):
        kind = "output" if ly.index == last else "hidden"
        n_out = ly.z.shape[1]
        blocks.append(
            Heading(
                3,
                f"Layer {ly.index + 1} ({kind}, {n_out} {ly.activation} "
                f"unit{'s' if n_out != 1 else ''})",
            )
        )
        if ly.index == last:
            blocks += _output_delta_blocks(step, ly, ctx)
        else:
            blocks += _hidden_delta_blocks(step.layers[ly.index + 1], ly, ctx)
        blocks += _update_blocks(step, ly, ctx)
    return blocks


def _delta_lines(
    ly: LayerStep, ctx: Context, show_derivative: bool, error_title: str
) -> list[Equations]:
    names, limits = ctx.names, ctx.limits
    act = ACTIVATIONS[ly.activation]
    n, n_out = ly.a.shape
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "units"))
    base_a, base_f = decimals_for(ly.a, ctx.digits), decimals_for(ly.derivative, ctx.digits)
    base_e, base_d = decimals_for(ly.error, ctx.digits), decimals_for(ly.delta, ctx.digits)
    with np.errstate(all="ignore"):
        s_delta = (
            float(np.max(np.abs(ly.error) + np.abs(ly.derivative))) if show_derivative else 1.0
        )

    def build(shift: int) -> list[Equations]:
        p = Precision(shift)
        d_d = p.result(base_d)
        d_e = p.operand(base_e, d_d, s_delta)
        d_f = p.operand(base_f, d_d, s_delta)
        d_a = p.operand(base_a, d_f)
        labels, der_rows, der_rhs, del_rows, del_rhs = [], [], [], [], []
        for j in range(shown_j):
            for s in range(shown_s):
                labels.append(names.row_label(ly.index, s, j))
                a_text = fmt(ly.a[s, j], d_a)
                if act.kink and ly.a[s, j] != 0 and float(a_text) == 0:
                    a_text = f"{ly.a[s, j]:.3e}"  # "a > 0" must read true as printed
                der_rows.append([(_derivative_lhs(act, a_text), False)])
                der_rhs.append(fmt(ly.derivative[s, j], d_f))
                if show_derivative:
                    del_rows.append(
                        [
                            (fmt(ly.error[s, j], d_e), True),
                            (" * ", False),
                            (fmt(ly.derivative[s, j], d_f), True),
                        ]
                    )
                else:
                    del_rows.append([(fmt(ly.error[s, j], d_e), True)])
                del_rhs.append(fmt(ly.delta[s, j], d_d))
        out: list[Equations] = []
        if show_derivative:
            out.append(
                _block(
                    f"derivative of the {act.name} at its output a, f'(a) = {act.grad_formula}:",
                    labels,
                    der_rows,
                    der_rhs,
                    note=note,
                )
            )
            out.append(_block(f"delta = {error_title} * derivative:", labels, del_rows, del_rhs))
        else:
            out.append(_block(f"delta = {error_title}:", labels, del_rows, del_rhs, note=note))
        return out

    return first_true(build, lambda blocks: _pairs(*blocks))


def _output_delta_blocks(step: Step, ly: LayerStep, ctx: Context) -> list[Block]:
    loss = LOSSES[step.loss_name]
    act = ACTIVATIONS[ly.activation]
    if not loss.slope_cancels:
        intro = (
            f"For the loss {loss.formula}, the delta of the output layer, -dL/dz, is "
            f"{loss.delta_formula}: the error times the slope of the {act.name} at "
            f"the prediction."
        )
        if act.saturation_ends:
            near = " or ".join(f"{end:g}" for end in act.saturation_ends)
            intro += f" A flat slope (a prediction near {near}) means a small step."
        return [Paragraph(spans(intro)), *_delta_lines(ly, ctx, True, "error")]
    intro = (
        f"For the loss {loss.formula} with a {act.name} output, the delta -dL/dz is "
        f"{loss.delta_formula}: the {act.name}'s slope cancels out, so the delta is the error "
        "itself."
    )
    if act.rowwise:
        return [*_rowwise_delta_blocks(step, ly, ctx), *_delta_lines(ly, ctx, False, "error")]
    return [Paragraph(spans(intro)), *_delta_lines(ly, ctx, False, "error")]


def _rowwise_delta_blocks(step: Step, ly: LayerStep, ctx: Context) -> list[Block]:
    """Why the delta of a softmax output under categorical cross-entropy is ``y - a``: the
    chain rule through every output of the example, then each ``dL/dz_j`` with its numbers."""
    from glassnet.explain.formula import Row, formula_block

    loss = LOSSES[step.loss_name]
    act = ACTIVATIONS[ly.activation]
    names, limits = ctx.names, ctx.limits
    y = step.y
    n, n_out = y.shape
    why = Paragraph(
        spans(
            f"With a {act.name} output every a_k depends on every z_j of its example: "
            "da_k/dz_j = a_k * (1[j=k] - a_j), where 1[j=k] is 1 for k = j and 0 otherwise. "
            f"For the loss {loss.formula}, dL/da_k = -y_k / a_k, so by the chain rule "
            "dL/dz_j = sum_k dL/da_k * da_k/dz_j = sum_k (-y_k / a_k) * a_k * (1[j=k] - a_j) "
            "= -y_j + a_j * sum_k y_k = a_j - y_j, because the targets of an example add up "
            "to 1 (one-hot). So the delta -dL/dz is y - a, the error itself: the "
            f"{act.name}'s slope cancels out."
        )
    )
    totals = y.sum(axis=1)
    if not np.all(totals == 1.0):
        bad = int(np.flatnonzero(totals != 1.0)[0])
        return [
            why,
            Paragraph(
                spans(
                    (
                        f"The targets of {names.example(bad)} add up to {fmt_exact(totals[bad])}, "
                        "not 1: there y - a is not the slope of the loss (the gradient check "
                        "below shows the difference).",
                        "em",
                    )
                )
            ),
        ]
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    rows = []
    for j in range(shown_j):
        for s in range(shown_s):
            ys = [fmt_exact(v) for v in y[s, :shown_j]]
            if shown_j < n_out:
                ys.append(f"[{n_out - shown_j} more terms: {fmt_exact(y[s, shown_j:].sum())}]")
            rows.append(
                Row(
                    names.row_label(ly.index, s, j),
                    "-{y} + {a} * (" + " + ".join(ys) + ")",
                    {"y": float(y[s, j]), "a": float(ly.a[s, j])},
                    float(-ly.delta[s, j]),
                )
            )
    note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "units"))
    block = formula_block(
        "dL/dz = -y_j + a_j * sum_k y_k (= a_j - y_j):", rows, ctx.digits, note=note
    )
    return [why, block]


def _hidden_delta_blocks(nxt: LayerStep, ly: LayerStep, ctx: Context) -> list[Block]:
    """The error each hidden unit receives, ``delta_next @ W_next.T``, then its delta."""
    names, limits = ctx.names, ctx.limits
    n, n_out = ly.a.shape
    n_next = nxt.delta.shape[1]
    shown_s, shown_j, shown_k = limits.count(n), limits.count(n_out), limits.count(n_next)
    note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "units"))

    base_d, base_w = decimals_for(nxt.delta, ctx.digits), decimals_for(nxt.W, ctx.digits)
    base_e = decimals_for(ly.error, ctx.digits)
    s_back = _row_sums(nxt.W, 1) + _row_sums(nxt.delta, 1)

    def build(shift: int) -> Equations:
        p = Precision(shift)
        d_e = p.result(base_e)
        d_d = p.operand(base_d, d_e, s_back)
        d_w = p.operand(base_w, d_e, s_back)
        labels, rhs = [], []
        for j in range(shown_j):
            for s in range(shown_s):
                labels.append(names.row_label(ly.index, s, j))
                rhs.append(fmt(ly.error[s, j], d_e))

        def make(n_terms: int) -> Equations:
            rows = []
            for j in range(shown_j):
                for s in range(shown_s):
                    row: list[Token] = []
                    for k in range(n_terms):
                        row += [
                            (" + " if k else "", False),
                            ("(", False),
                            (fmt(nxt.delta[s, k], d_d), True),
                            (" * ", False),
                            (fmt(nxt.W[j, k], d_w), True),
                            (")", False),
                        ]
                    if n_terms < n_next:
                        rest = float(nxt.delta[s, n_terms:] @ nxt.W[j, n_terms:])
                        row += [
                            (" + ", False),
                            *_elided(n_next - n_terms, "terms", fmt(rest, max(d_d, d_w))),
                        ]
                    rows.append(row)
            return _block(
                f"error back-propagated to each unit, delta_next @ W{nxt.index}.T:",
                labels,
                rows,
                rhs,
                note=note,
            )

        return make(shown_k)

    intro = (
        "A hidden unit has no target. Its error is the next layer's deltas sent back "
        "through the weights leaving it (each delta times the weight that carried the "
        "unit's output forward, summed); its delta is that error times its own slope."
    )
    return [
        Paragraph(spans(intro)),
        first_true(build, lambda b: _pairs(b)),
        *_delta_lines(ly, ctx, True, "back-propagated error"),
    ]


def _update_blocks(step: Step, ly: LayerStep, ctx: Context) -> list[Block]:
    names, limits = ctx.names, ctx.limits
    n, n_in = ly.inputs.shape
    n_out = ly.z.shape[1]
    shown_s, shown_i, shown_j = limits.count(n), limits.count(n_in), limits.count(n_out)
    lr = step.learning_rate
    cut_weights = (
        ""
        if (shown_i, shown_j) == (n_in, n_out)
        else f"{shown_i * shown_j} of {n_in * n_out} weights"
    )
    note = _note(cut_weights, _cut(n, limits, "examples"))

    whole = is_exact(ly.inputs)
    base_x = 0 if whole else decimals_for(ly.inputs, ctx.digits)
    base_d = decimals_for(ly.delta, ctx.digits)
    parts = [ly.dW.ravel()] + ([] if ly.db is None else [ly.db])
    base_u = decimals_for(np.concatenate(parts), ctx.digits)
    # old and new weights print like the weights table (the decimals of the weights before)
    base_w = decimals_for(
        ly.W.ravel() if ly.b is None else np.concatenate([ly.W.ravel(), ly.b]), ctx.digits
    )
    s_delta = abs(lr) * max(_row_sums(ly.inputs, 0), float(n) if ly.b is not None else 0.0)
    s_x = abs(lr) * _row_sums(ly.delta, 0)
    if not whole:
        s_delta += s_x

    # (label, input row i or None for the bias, unit j, update, old, new) of every weight shown
    entries: list[tuple[str, int | None, int, float, float, float]] = []
    for j in range(shown_j):
        for i in range(shown_i):
            entries.append(
                (
                    names.weight(ly.index, i, j),
                    i,
                    j,
                    float(ly.dW[i, j]),
                    float(ly.W[i, j]),
                    float(ly.W_after[i, j]),
                )
            )
        if ly.b is not None and ly.db is not None and ly.b_after is not None:
            entries.append(
                (
                    names.bias(ly.index, j),
                    None,
                    j,
                    float(ly.db[j]),
                    float(ly.b[j]),
                    float(ly.b_after[j]),
                )
            )
    labels = [e[0] for e in entries]
    styles = [_styled(e[3]) for e in entries]

    def build_updates(shift: int) -> Equations:
        p = Precision(shift)
        d_u = p.result(base_u)
        d_d = p.operand(base_d, d_u, s_delta)
        d_x = p.operand(base_x, d_u, s_delta)
        d_rest = p.operand(base_u, d_u, abs(lr))
        x = fmt_exact if whole else (lambda v: fmt(v, d_x))
        rows, rhs = [], []
        for _, i, j, update, _, _ in entries:
            terms: list[Token] = []
            for s in range(shown_s):
                x_text = "1" if i is None else x(ly.inputs[s, i])
                terms += [
                    (" + " if s else "", False),
                    ("(", False),
                    (x_text, True),
                    (" * ", False),
                    (fmt(ly.delta[s, j], d_d), True),
                    (")", False),
                ]
            if shown_s < n:
                rest = float(
                    ly.delta[shown_s:, j].sum()
                    if i is None
                    else ly.inputs[shown_s:, i] @ ly.delta[shown_s:, j]
                )
                terms += [(" + ", False), *_elided(n - shown_s, "examples", fmt(rest, d_rest))]
            if lr != 1.0:
                terms = [(f"{fmt_exact(lr)} * (", False), *terms, (")", False)]
            rows.append(terms)
            rhs.append(fmt(update, d_u, sign=True))
        lr_text = "" if lr == 1.0 else f"learning rate {fmt_exact(lr)} times "
        return _block(
            f"update of each weight = {lr_text}the sum over examples of input * delta"
            f"{' (a bias is a weight on an input of 1)' if ly.b is not None else ''}:",
            labels,
            rows,
            rhs,
            styles,
            note,
        )

    def build_new(shift: int) -> Equations:
        p = Precision(shift)
        d_new = p.result(base_w)
        d_old = p.operand(base_w, d_new, 2.0)
        d_step = p.operand(base_u, d_new, 2.0)
        rows = [
            [
                (fmt(old, d_old), True),
                (" - " if update < 0 else " + ", False),
                (fmt(abs(update), d_step), True),
            ]
            for _, _, _, update, old, _ in entries
        ]
        return _block(
            "new weight = old + update:",
            labels,
            rows,
            [fmt(new, d_new) for *_, new in entries],
            styles,
        )

    if step.method.is_plain:
        blocks: list[Block] = [first_true(build_updates, lambda b: _pairs(b))]
    else:
        from glassnet.explain import method

        blocks = [method.gradient_block(step, ly, ctx, entries)]
        l2 = method.l2_block(step, ly, ctx, entries)
        if l2 is not None:
            blocks.append(l2)
        blocks += method.optimizer_blocks(step, ly, ctx, entries)
    blocks.append(first_true(build_new, lambda b: _pairs(b)))
    if ly.b is not None and ly.db is None:
        blocks.append(
            Paragraph(spans("The bias is not trained (train_biases = false): it stays as it is."))
        )
    if not step.applied:
        blocks.append(
            Paragraph(
                spans(
                    (
                        f"The run ended at #{step.iteration}: this update was worked out but not applied.",
                        "dim",
                    )
                )
            )
        )
    return blocks


def _gap_to_range_end(ly: LayerStep) -> Array:
    """How far each output is from an end its activation only approaches; inf where none."""
    return ACTIVATIONS[ly.activation].gap_to_range_end(ly.a)


def _or_unchecked(value: float, decimals: int | None = None) -> str:
    """A finite-difference figure, or "not checked" where the check sampled other parameters."""
    if np.isnan(value):
        return "not checked"
    return fmt_sci(float(value)) if decimals is None else fmt(float(value), decimals)


def gradient_check_blocks(step: Step, check: GradientCheck, ctx: Context) -> list[Block]:
    """The analytic gradient beside the finite-difference one, and the largest difference."""
    names, limits = ctx.names, ctx.limits
    digits = ctx.digits + 4
    rows: list[tuple[Span, ...]] = []
    d = decimals_for(check.analytic.flat(), digits)
    for ly in step.layers:
        g, f, r = (
            check.analytic.weights[ly.index],
            check.numeric.weights[ly.index],
            check.relative.weights[ly.index],
        )
        n_in, n_out = g.shape
        for j in range(limits.count(n_out)):
            for i in range(limits.count(n_in)):
                rows.append(
                    spans(
                        names.weight(ly.index, i, j),
                        fmt(g[i, j], d),
                        _or_unchecked(f[i, j], d),
                        _or_unchecked(r[i, j]),
                    )
                )
            gb = check.analytic.biases[ly.index]
            fb = check.numeric.biases[ly.index]
            rb = check.relative.biases[ly.index]
            if gb is not None and fb is not None and rb is not None:
                rows.append(
                    spans(
                        names.bias(ly.index, j),
                        fmt(gb[j], d),
                        _or_unchecked(fb[j], d),
                        _or_unchecked(rb[j]),
                    )
                )
    n_params = check.analytic.flat().size
    note = (
        ""
        if len(rows) == n_params
        else f"showing {len(rows)} of {n_params} parameters; --all shows every one"
    )
    if check.n_checked < n_params:
        note = (note + "; " if note else "") + (
            f"finite differences of {check.n_checked} of the {n_params} parameters (the first of each "
            "layer and an even spread): checking all would take long"
        )
    table = Table(
        "gradient of the loss, dL/dw, two ways:",
        ("weight", "from the deltas", "finite difference", "relative difference"),
        tuple(rows),
        ("l", "r", "r", "r"),
        note,
    )
    lr = fmt_exact(step.learning_rate)
    worst = (
        names.weight(check.worst[0], *check.worst[2])
        if check.worst[1] == "W"
        else names.bias(check.worst[0], check.worst[2][0])
    )
    if check.max_relative < 1e-5:
        verdict = "they agree: the backward pass computes the slope of the loss"
    elif bool(np.any(_gap_to_range_end(step.layers[-1]) < 1e-4)):
        verdict = (
            "they differ: a prediction within 1e-4 of the end of its range leaves the loss "
            "itself few correct digits (1 - a cancels), and a finite difference magnifies that"
        )
    elif kinked := [ly.activation for ly in step.layers if ACTIVATIONS[ly.activation].kink]:
        verdict = (
            f"they differ: a {kinked[0]}'s kink within h of some dot product makes the loss "
            "two-sloped there, which a finite difference averages"
        )
    else:
        verdict = "they differ more than finite differences explain; look at this weight"
    text = (
        f"The backward pass gives dL/dw = -update / learning rate (here -update / {lr}). "
        f"The finite difference (L(w-2h) - 8 L(w-h) + 8 L(w+h) - L(w+2h)) / 12h, "
        f"h = {fmt_exact(check.eps)}, uses only the loss itself."
    )
    if not step.method.is_plain:
        n = len(step.y)
        of = (
            f"the mean over the batch's {count(n, 'example')}"
            if step.method.mean
            else "the batch's loss"
        )
        text = (
            f"The backward pass gives dL/dw, the gradient worked out above ({of}). The finite "
            f"difference (L(w-2h) - 8 L(w-h) + 8 L(w+h) - L(w+2h)) / 12h, "
            f"h = {fmt_exact(check.eps)}, uses only that loss itself."
        )
        if step.method.l2:
            text += (
                " The l2 term l2 * w is not part of the loss: it is added to the gradient by its "
                "formula, so what is checked here is the data's part, dL/dw before it."
            )
    return [
        Paragraph(spans(text)),
        table,
        Paragraph(
            spans(
                f"Largest relative difference over "
                f"{'the one parameter' if n_params == 1 else f'all {n_params} parameters' if check.n_checked == n_params else f'the {check.n_checked} parameters checked'}: ",
                (fmt_sci(check.max_relative), "em"),
                f" ({worst}): {verdict}.",
            )
        ),
    ]


def why_blocks(step: Step, ctx: Context, constant: dict[int, float]) -> list[Block]:
    """Why each weight moved, in words, from each example's share of its update (the post's
    method) or of its gradient (any other: then also what l2 and the optimizer did)."""
    names, limits = ctx.names, ctx.limits
    plain = step.method.is_plain
    if plain:
        intro = (
            "Each example adds learning rate * input * delta to a weight. A delta has the sign of "
            "its unit's error (the slope f'(a) is never negative), so an example pushes a weight up "
            "when its input and its error have the same sign, down when they differ, and not at all "
            "when its input is 0. (A positive error means the target is above the prediction.)"
        )
    else:
        from glassnet.explain.method import words

        n = len(step.y)
        per = f" / {n}" if step.method.mean and n != 1 else ""
        l2 = ", and the l2 term adds -l2 * w, toward 0" if step.method.l2 else ""
        intro = (
            f"Each example of the batch adds input * delta{per} to -dL/dw, the direction in which "
            f"this batch's loss falls fastest{l2}. A delta has the sign of its unit's error (the "
            "slope f'(a) is never negative), so an example pushes a weight up when its input and "
            "its error have the same sign, down when they differ, and not at all when its input is "
            f"0. Then, with g = dL/dw{' + l2 * w' if step.method.l2 else ''} the gradient it uses, "
            f"{words(step.method)}."
        )
    blocks: list[Block] = [Paragraph(spans(intro))]
    for ly in step.layers:
        n, n_in = ly.inputs.shape
        n_out = ly.z.shape[1]
        d_w = decimals_for(np.concatenate([ly.W.ravel(), ly.W_after.ravel()]), ctx.digits)
        d_u = decimals_for(ly.dW, ctx.digits)
        d_c = d_u
        if not plain and ly.gradient is not None:
            d_c = decimals_for(ly.gradient, ctx.digits)
        for j in range(limits.count(n_out)):
            for i in range(limits.count(n_in)):
                name = names.weight(ly.index, i, j)
                source = names.unit(ly.index - 1, i)
                if plain:
                    c = ly.contributions[:, i, j]
                    lead: list[Part] = []
                    tail: list[Part] = []
                else:
                    scale = 1.0 / n if step.method.mean else 1.0
                    c = ly.inputs[:, i] * ly.delta[:, j] * scale  # each example's share of -dL/dw
                    lead, tail = _why_method(step, ly, i, j, d_c)
                d = max(d_w, decimals_for([ly.dW[i, j]], 2))
                blocks.append(
                    Paragraph(
                        _why_weight(
                            name,
                            source,
                            float(ly.W[i, j]),
                            float(ly.W_after[i, j]),
                            float(ly.dW[i, j]),
                            c,
                            ly.inputs[:, i],
                            ly.delta[:, j],
                            ly.index == len(step.layers) - 1,
                            d,
                            d_u,
                            limits,
                            constant.get(i) if ly.index == 0 else None,
                            names,
                            d_c=d_c,
                            lead=lead,
                            tail=tail,
                            plain=plain,
                        )
                    )
                )
        if limits.count(n_out) < n_out or limits.count(n_in) < n_in:
            blocks.append(
                Paragraph(
                    spans(
                        (
                            f"({n_in * n_out - limits.count(n_in) * limits.count(n_out)} "
                            f"more weights of layer {ly.index + 1} not described; "
                            "--all describes every one)",
                            "dim",
                        )
                    )
                )
            )
    return blocks


def _why_method(
    step: Step, ly: LayerStep, i: int, j: int, d_c: int
) -> tuple[list[Part], list[Part]]:
    """For a method other than the post's: the sentence about the batch's gradient (before the
    examples' pushes) and those about l2 and the optimizer (after them)."""
    assert ly.gradient is not None
    down_slope = -float(ly.gradient[i, j])
    way = "up" if down_slope > 0 else "down" if down_slope < 0 else "nowhere"
    lead: list[Part] = [
        f"On this batch -dL/dw = {fmt(down_slope, d_c, sign=True)}: the data points it {way}. "
    ]
    tail: list[Part] = []
    g = down_slope
    if ly.l2_term is not None and ly.l2_term[i, j] != 0:
        pull = -float(ly.l2_term[i, j])
        d_l = decimals_for([pull], 2)
        tail.append(f"The l2 term adds -l2 * w = {fmt(pull, max(d_l, d_c), sign=True)}, toward 0. ")
        g = -float(ly.gradient[i, j] + ly.l2_term[i, j])
    update = float(ly.dW[i, j])
    opt = step.method.optimizer
    if opt.slots and update != 0 and g != 0:
        if (update > 0) == (g > 0):
            tail.append(f"{opt.name} moved it the way -g points. ")
        else:
            tail.append(
                f"{opt.name} moved it against -g: its state ({', '.join(opt.slots)}) still "
                "carries earlier gradients that point the other way. "
            )
    return lead, tail


def _examples(indices: Sequence[int] | IntArray, limits: Limits, names: Names) -> str:
    shown = [names.example(int(s)) for s in indices[: limits.count(len(indices))]]
    more = len(indices) - len(shown)
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return text + (f" and {more} more" if more else "")


def _why_weight(
    name: str,
    source: str,
    old: float,
    new: float,
    update: float,
    c: Array,
    x: Array,
    delta: Array,
    output: bool,
    d: int,
    d_u: int,
    limits: Limits,
    constant: float | None,
    names: Names,
    *,
    d_c: int | None = None,
    lead: Sequence[Part] = (),
    tail: Sequence[Part] = (),
    plain: bool = True,
) -> tuple[Span, ...]:
    """One weight's move in words, from its per-example shares ``c`` (``lr * x * delta`` for
    the post's method; else each example's share of ``-dL/dw``, printed with ``d_c`` decimals,
    after the sentence ``lead`` and before ``tail``)."""
    d_c = d_u if d_c is None else d_c
    up, down, none = np.flatnonzero(c > 0), np.flatnonzero(c < 0), np.flatnonzero(c == 0)
    if update > 0:
        verb: Span = ("rose", "up")
    elif update < 0:
        verb = ("fell", "down")
    else:
        verb = ("did not move", None)
    parts: list[Part] = [(name, "em"), " ", verb]
    if update != 0:
        parts.append(f" by {fmt(abs(update), d_u)}")
    # old and new get enough decimals that new - old is the printed update (to the coarser digit)
    for places in range(d, d + 4):
        d = places
        moved = float(fmt(new, d)) - float(fmt(old, d))
        shown = float(fmt(abs(update), d_u)) * (1.0 if update >= 0 else -1.0)
        if not abs(moved - shown) > 10.0 ** -min(d, d_u) * (1 + 1e-9):
            break
    parts.append(f" ({fmt(old, d)} -> {fmt(new, d)})")
    if old * new > 0 and abs(new) < abs(old):
        parts.append(", toward zero: its size shrank")
    elif old * new > 0 and abs(new) > abs(old):
        parts.append(", away from zero: its size grew")
    parts.append(". ")
    parts += list(lead)

    def shares(indices: IntArray) -> str:
        values = ", ".join(
            fmt(float(c[s]), d_c, sign=True) for s in indices[: limits.count(len(indices))]
        )
        return f"{_examples(indices, limits, names)} ({values}{', ...' if limits.count(len(indices)) < len(indices) else ''})"

    def reason(indices: IntArray, same_sign: bool) -> str:
        """What the pushing examples have in common: their input and the sign of their error."""
        xs, deltas = x[indices], delta[indices]
        if np.all(xs == xs[0]) and is_exact(xs[:1]):
            where = f"{source} = {fmt_exact(float(xs[0]))}"
        elif np.all(xs > 0) or np.all(xs < 0):
            where = f"{source} is {'positive' if xs[0] > 0 else 'negative'}"
        else:
            return (
                f": there {source} and the delta have "
                f"{'the same sign' if same_sign else 'opposite signs'}"
            )
        error = "error" if output else "back-propagated error"
        if np.all(deltas > 0):
            sign = "positive" + (" (the target is above the prediction)" if output else "")
        elif np.all(deltas < 0):
            sign = "negative" + (" (the target is below the prediction)" if output else "")
        else:
            return f": there {where}, and the {error} has the sign that pushes it this way"
        return f": there {where} and the {error} is {sign}"

    if up.size:
        parts += ["Pushed up by ", (shares(up), "up"), reason(up, True)]
        parts.append("; pushed down by " if down.size else "; nothing pushed it down")
    elif down.size:
        parts.append("Nothing pushed it up; pushed down by ")
    if down.size:
        parts += [(shares(down), "down"), reason(down, False)]
    if up.size or down.size:
        parts.append(". ")
    zero_input = [int(s) for s in none if x[s] == 0]
    if zero_input:
        parts.append(
            f"{_examples(zero_input, limits, names)} contribute{'s' if len(zero_input) == 1 else ''} "
            f"nothing: {source} is 0 there. "
        )
    zero_delta = [int(s) for s in none if x[s] != 0]
    if zero_delta:
        parts.append(
            f"{_examples(zero_delta, limits, names)} contribute{'s' if len(zero_delta) == 1 else ''} "
            "nothing: the delta is 0 there. "
        )
    if constant is not None and constant != 0:
        times = "" if constant == 1 else fmt_exact(constant) + " times "
        parts.append(
            f"{source} is {fmt_exact(constant)} in every example, so {name} moves by "
            f"{times}the sum of all the deltas, exactly as a bias would. "
            if plain
            else f"{source} is {fmt_exact(constant)} in every example, so -dL/dw of {name} is "
            f"{times}the sum of the batch's deltas, exactly as a bias's is. "
        )
    parts += list(tail)
    text = parts
    # drop the trailing space of the last sentence
    last = text[-1]
    if isinstance(last, str):
        text[-1] = last.rstrip()
    return spans(*text)


def comparison_blocks(step: Step, previous: Step, ctx: Context) -> list[Block]:
    """OLD versus NEW predictions and errors, and the change in the sum of absolute errors."""
    names, limits = ctx.names, ctx.limits
    old, new = previous.prediction, step.prediction
    n, n_out = new.shape
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    d_a = decimals_for(np.concatenate([old.ravel(), new.ravel()]), ctx.digits)
    d_e = decimals_for(np.concatenate([previous.error.ravel(), step.error.ravel()]), ctx.digits)
    change = new - old
    d_c = decimals_for(change, ctx.digits)
    yv = _value_formatter(step.y, ctx.digits, 0)
    rows: list[tuple[Span, ...]] = []
    for s in range(shown_s):
        for j in range(shown_j):
            c = float(change[s, j])
            word = "up" if c > 0 else "down" if c < 0 else "same"
            rows.append(
                spans(
                    names.row_label(step.layers[-1].index, s, j),
                    yv(step.y[s, j]),
                    fmt(old[s, j], d_a),
                    fmt(new[s, j], d_a),
                    (f"{fmt(c, d_c, sign=True)} {word}", _styled(c)),
                    fmt(previous.error[s, j], d_e),
                    fmt(step.error[s, j], d_e),
                )
            )
    p, k = previous.iteration, step.iteration
    note = _note(_cut(n, limits, "examples"), _cut(n_out, limits, "outputs"))
    table = Table(
        f"OLD (#{p}) and NEW (#{k}) predictions and errors:",
        ("example", "target", f"OLD a #{p}", f"NEW a #{k}", "change", "OLD error", "NEW error"),
        tuple(rows),
        ("l",) + ("r",) * 6,
        note,
    )
    n_up, n_down = int((change > 0).sum()), int((change < 0).sum())
    total = change.size
    if n_up == total:
        words: tuple[Span, ...] = spans(
            "Compared with the old predictions, ", ("they all went up", "up")
        )
        if ACTIVATIONS[step.layers[-1].activation].probability:
            words += spans(": the model thinks every example is more likely to be a 1 than before.")
        else:
            words += spans(".")
    elif n_down == total:
        words = spans("Compared with the old predictions, ", ("they all went down", "down"))
        if ACTIVATIONS[step.layers[-1].activation].probability:
            words += spans(": the model thinks every example is less likely to be a 1 than before.")
        else:
            words += spans(".")
    else:
        words = spans(
            "Compared with the old predictions, ",
            (f"{n_up} went up", "up"),
            ", ",
            (f"{n_down} went down", "down"),
            f"{'' if n_up + n_down == total else f' and {total - n_up - n_down} stayed'}.",
        )
    closer = int((np.abs(step.error) < np.abs(previous.error)).sum())
    words += spans(f" {closer} of {total} moved closer to their targets.")

    sentence, eq = error_sum_change(previous.error_sum, step.error_sum, ctx)
    return [*_weights_since(step, previous, ctx), table, Paragraph(words), sentence, eq]


def error_sum_change(old: float, new: float, ctx: Context) -> tuple[Paragraph, Equations]:
    """``sum of absolute errors: OLD -> NEW (down D)`` and ``NEW - OLD`` as an equation, both
    true at their printed precision."""
    base3 = decimals_for([old, new], ctx.digits - 1)
    base4 = decimals_for([old, new], ctx.digits)

    def build(shift: int) -> tuple[tuple[Span, ...], Equations, list[tuple[str, str]]]:
        p = Precision(shift)
        delta = new - old
        fell = delta < 0
        d_diff = p.result(base3)
        d = p.operand(base3, d_diff, 2.0)
        old_s, new_s, diff_s = (fmt(old, d), fmt(new, d), fmt(abs(delta), d_diff))
        sentence = spans(
            "sum of absolute errors: ",
            (f"{old_s} -> {new_s}", "em"),
            (f" ({'down' if fell else 'up'} {diff_s})", "down" if fell else "up"),
            ": "
            + (
                "so there was improvement."
                if fell
                else "no improvement this time."
                if delta > 0
                else "no change."
            ),
        )
        d2_diff = p.result(base4)
        d2 = p.operand(base4, d2_diff, 2.0)
        eq = _block(
            "the change, NEW - OLD:",
            ["change"],
            [[(f"{fmt(new, d2)} - {fmt(old, d2)}", False)]],
            [fmt(delta, d2_diff, sign=True)],
            [_styled(-delta)],
        )
        checks = [(f"{new_s} - {old_s}", ("-" if fell else "") + diff_s), *_pairs(eq)]
        return sentence, eq, checks

    sentence, eq, _ = first_true(build, lambda result: result[2])
    return Paragraph(sentence), eq


def history_comparison_blocks(
    step: Step,
    previous: Step,
    figures: tuple[tuple[float, float], tuple[float, float]],
    n_samples: int,
    ctx: Context,
) -> list[Block]:
    """For a mini-batch, whose previous iteration saw other examples: the weights since then,
    and the loss and error sum over every example, from the recorded curve."""
    (old_loss, old_sum), (new_loss, new_sum) = figures
    d = decimals_for([old_loss, new_loss], ctx.digits)
    intro = Paragraph(
        spans(
            f"Iteration #{previous.iteration} used another batch, so its predictions are not "
            f"those of these examples. Over all {count(n_samples, 'example')} (the curve glassnet "
            f"records at every iteration), the loss went {fmt(old_loss, d)} -> "
            f"{fmt(new_loss, d)}."
        )
    )
    sentence, eq = error_sum_change(old_sum, new_sum, ctx)
    return [*_weights_since(step, previous, ctx), intro, sentence, eq]


def _weights_since(step: Step, previous: Step, ctx: Context) -> list[Block]:
    """The post's "the first weight is larger and the other two got smaller": each weight then and now."""
    names, limits = ctx.names, ctx.limits
    blocks: list[Block] = []
    for old_ly, ly in zip(previous.layers, step.layers):
        n_in, n_out = ly.W.shape
        d = decimals_for(np.concatenate([old_ly.W.ravel(), ly.W.ravel()]), ctx.digits)
        parts: list[Part] = [f"Weights of layer {ly.index + 1} since #{previous.iteration}: "]
        for j in range(limits.count(n_out)):
            for i in range(limits.count(n_in)):
                before, now = float(old_ly.W[i, j]), float(ly.W[i, j])
                move = "up" if now > before else "down" if now < before else "same"
                size = (
                    "size grew"
                    if abs(now) > abs(before)
                    else "size shrank"
                    if abs(now) < abs(before)
                    else "same size"
                )
                if len(parts) > 1:
                    parts.append("; ")
                parts += [
                    f"{names.weight(ly.index, i, j)} {fmt(before, d)} -> {fmt(now, d)} (",
                    (move, _styled(now - before)),
                    f", {size})",
                ]
        left = n_in * n_out - limits.count(n_in) * limits.count(n_out)
        parts.append(f"; and {left} more." if left else ".")
        blocks.append(Paragraph(spans(*parts)))
    return blocks


def constant_columns(X: Array) -> dict[int, float]:
    """Input columns with the same value in every example: ``{column: value}``."""
    if X.shape[0] < 2:
        return {}
    same = np.all(X[0] == X, axis=0)
    return {int(i): float(X[0, i]) for i in np.flatnonzero(same)}


def bias_remarks(constant: dict[int, float], names: Names, has_bias: bool) -> list[Block]:
    """The post's remark: a column of ones acts like a bias unit."""
    blocks: list[Block] = []
    for i, value in constant.items():
        source = names.unit(-1, i)
        if value == 0:
            text = (
                f"Input {source} is 0 in every example: its weights never change and never matter."
            )
        else:
            weight = names.weight(0, i, 0) if names.simple(0) else f"the weights from {source}"
            also = " (this network also has a real bias)" if has_bias else ""
            text = (
                f"Input {source} is {fmt_exact(value)} in every example, so it acts like a bias "
                f"unit: {weight} {'plays' if names.simple(0) else 'play'} the role of a bias{also}."
            )
        blocks.append(Paragraph(spans((text, "em"))))
    return blocks


def step_document(
    step: Step,
    previous: Step | None,
    check: GradientCheck | None,
    ctx: Context,
    header: Sequence[Block] = (),
    *,
    constant: dict[int, float] | None = None,
    comparison: tuple[int, Sequence[Block]] | None = None,
) -> list[Block]:
    """Every section of the worked iteration ``step.iteration``.

    ``constant`` are the input columns constant over the whole data (default:
    over the step's examples); ``comparison`` is ``(previous iteration,
    blocks)`` to print instead of the comparison with ``previous`` (a
    mini-batch's previous iteration saw other examples).
    """
    k = step.iteration
    ctx = with_rows(ctx, step)
    constant = constant_columns(step.X) if constant is None else constant
    blocks: list[Block] = [Heading(1, f"ITERATION #{k}")]
    blocks.append(
        Paragraph(
            spans(
                f"The forward pass with the weights after {k:,} update{'s' if k != 1 else ''}"
                f"{' (the initial weights)' if k == 0 else ''}, then the update it produces."
            )
        )
    )
    blocks += list(header)
    blocks += bias_remarks(constant, ctx.names, any(ly.b is not None for ly in step.layers))
    blocks.append(Heading(2, "1. Forward pass"))
    for ly in step.layers:
        n_in, n_out = ly.W.shape
        blocks.append(
            Heading(
                3,
                f"Layer {ly.index + 1}: {n_in} input{'s' if n_in != 1 else ''} -> "
                f"{n_out} {ly.activation} unit{'s' if n_out != 1 else ''}",
            )
        )
        blocks += forward_blocks(ly, ctx)
    blocks.append(Heading(2, "2. Error"))
    blocks += error_blocks(step, ctx)
    blocks.append(Heading(2, "3. Backward pass"))
    blocks += backward_blocks(step, ctx)
    if check is not None:
        blocks.append(Heading(2, "4. Gradient check"))
        blocks += gradient_check_blocks(step, check, ctx)
    blocks.append(Heading(2, "5. Why each weight moved"))
    blocks += why_blocks(step, ctx, constant)
    if previous is not None:
        blocks.append(Heading(2, f"6. Compared with iteration #{previous.iteration}"))
        blocks += comparison_blocks(step, previous, ctx)
    elif comparison is not None:
        blocks.append(Heading(2, f"6. Compared with iteration #{comparison[0]}"))
        blocks += list(comparison[1])
    return blocks


def with_rows(ctx: Context, step: Step) -> Context:
    """``ctx`` naming the step's examples by their rows in the data (a mini-batch's)."""
    if step.rows is None:
        return ctx
    names = replace(ctx.names, rows=tuple(int(r) for r in step.rows))
    return replace(ctx, names=names)


def final_document(final: Step, iterations: int, ctx: Context) -> list[Block]:
    """The post's last section: where the weights ended up and the predictions they make."""
    blocks: list[Block] = [
        Heading(1, f"FINAL STATE (#{iterations:,}, after {iterations:,} updates)")
    ]
    constant = constant_columns(final.X)
    for ly in final.layers:
        n_in, n_out = ly.W.shape
        blocks.append(
            Heading(
                3,
                f"Layer {ly.index + 1}: {n_in} input{'s' if n_in != 1 else ''} -> "
                f"{n_out} {ly.activation} unit{'s' if n_out != 1 else ''}",
            )
        )
        blocks += forward_blocks(ly, ctx, "weights W{index}")
        W = ly.W
        i, j = np.unravel_index(int(np.argmax(np.abs(W))), W.shape)
        d = decimals_for(W, ctx.digits)
        blocks.append(
            Paragraph(
                spans(
                    "The largest weight in size is ",
                    (ctx.names.weight(ly.index, int(i), int(j)), "em"),
                    f" = {fmt(W[i, j], d)}.",
                )
            )
        )
    blocks += bias_remarks(constant, ctx.names, any(ly.b is not None for ly in final.layers))
    blocks += error_blocks(final, ctx)
    return blocks


def document(blocks: Sequence[Block]) -> Document:
    """Wrap blocks into a :class:`Document`."""
    return Document(tuple(blocks))
