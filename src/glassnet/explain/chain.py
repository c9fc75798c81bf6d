"""The chain-rule view of one iteration, in Matt Mazur's notation.

Matt Mazur's "A Step by Step Backpropagation Example" (2015) works out one
update of a 2-2-2 network term by term: ``net_h1`` and ``out_h1``, the
errors ``E_o1`` and ``E_total``, and for each weight the chain rule

    dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5,

then ``w5+ = w5 - eta * dE_total/dw5``. :func:`chain_document` writes a
recorded :class:`~glassnet.trace.Step` that way, for readers of his post:

* his sign: ``dE/dw`` is the gradient, the slope of the error (glassnet's
  delta is ``-dE/dnet``; the default notation works with deltas);
* a hidden unit's ``dE_total/dout_h1`` as the sum of one term per unit it
  feeds, ``dE_o1/dout_h1 + dE_o2/dout_h1``, each a product
  ``dE_o1/dnet_o1 * dnet_o1/dout_h1`` with ``dnet_o1/dout_h1`` the weight
  from ``h1`` to ``o1`` *before* the update;
* the update of each weight (any optimizer, as the default notation writes it);
* the error after the update.

Units and weights are named as Mazur names them (``i1``, ``h1``, ``o1``,
``w1`` ... numbered unit by unit) when the network is as small as his (at
most one hidden layer and :data:`MAZUR_UNITS` units per layer); otherwise
``W0[i,j]`` as :func:`glassnet.network.parameter_names` names them.

Numbers have :data:`CHAIN_DECIMALS` decimals (his nine), or more where a
line would not hold as printed. With several examples, every quantity of a
unit is per example (``ex2 dE_total/dout_o1``) and a weight's gradient is the
sum over the examples of their chain products (divided by their number with
``reduction = "mean"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.explain.document import Block, Equations, Heading, Paragraph, Table, spans
from glassnet.explain.formula import Row, formula_block
from glassnet.explain.numbers import fmt, fmt_exact, is_exact
from glassnet.losses import LOSSES
from glassnet.trace import LayerStep, Step

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.explain.method import Entry
    from glassnet.explain.worked import Context

#: Decimals of every number, as Mazur prints them (a line that would not hold gets more).
CHAIN_DECIMALS = 9

#: Mazur's names are used up to this many units per layer (and one hidden layer).
MAZUR_UNITS = 3


@dataclass(frozen=True)
class ChainNames:
    """Names of inputs, units, weights and biases in the chain notation.

    ``mazur`` selects his names (``i1``, ``h1``, ``o1``, ``w1`` ...); else
    the inputs keep their data names, hidden units are ``h1`` (``h2.1`` for
    the first unit of a second hidden layer), outputs ``o1`` (``o`` if there
    is one), weights ``W0[i,j]`` and biases ``b0[j]``.
    """

    sizes: tuple[int, ...]
    inputs: tuple[str, ...]
    mazur: bool
    shared_bias: tuple[bool, ...]
    rows: tuple[int, ...] | None = None
    n_examples: int = 1

    @classmethod
    def of(cls, sizes: Sequence[int], inputs: Sequence[str], step: Step) -> ChainNames:
        small = len(sizes) <= 3 and max(sizes) <= MAZUR_UNITS
        shared = tuple(ly.b is not None and bool(np.all(ly.b == ly.b[0])) for ly in step.layers)
        rows = None if step.rows is None else tuple(int(r) for r in step.rows)
        return cls(tuple(sizes), tuple(inputs), small, shared, rows, len(step.y))

    def unit(self, layer: int, j: int) -> str:
        """Unit ``j`` of the layer weight layer ``layer`` computes (``-1``: the inputs)."""
        n_layers = len(self.sizes) - 1
        if layer == -1:
            if self.mazur:
                return f"i{j + 1}"
            return self.inputs[j] if j < len(self.inputs) else f"x{j + 1}"
        if layer == n_layers - 1:
            return "o" if self.sizes[-1] == 1 and not self.mazur else f"o{j + 1}"
        if self.mazur or n_layers == 2:
            return f"h{j + 1}"
        return f"h{layer + 1}.{j + 1}"

    def source(self, layer: int, i: int) -> str:
        """What weight layer ``layer`` reads from its input ``i``: ``i1``, or ``out_h1``."""
        return self.unit(-1, i) if layer == 0 else f"out_{self.unit(layer - 1, i)}"

    def weight(self, layer: int, i: int, j: int) -> str:
        """Mazur's ``w5`` (numbered unit by unit, layer after layer), or ``W1[0,0]``."""
        if not self.mazur:
            return f"W{layer}[{i},{j}]"
        before = sum(a * b for a, b in zip(self.sizes[:layer], self.sizes[1 : layer + 1]))
        return f"w{before + j * self.sizes[layer] + i + 1}"

    def bias(self, layer: int, j: int) -> str:
        """Mazur's ``b1`` (one per layer, when the layer's biases are equal), or ``b0[j]``."""
        if not self.mazur:
            return f"b{layer}[{j}]"
        if self.shared_bias[layer]:
            return f"b{layer + 1}"
        return f"b{layer + 1}_{self.unit(layer, j)}"

    def example(self, s: int) -> str:
        return f"ex{(s if self.rows is None else self.rows[s]) + 1}"

    def at(self, s: int, name: str) -> str:
        """``name`` for example ``s``: just the name when the step has one example."""
        return name if self.n_examples == 1 else f"{self.example(s)} {name}"


def _decimals(ctx: Context) -> int:
    return CHAIN_DECIMALS if ctx.decimals is None else ctx.decimals


def _value(value: float, ctx: Context) -> str:
    """A weight in a table: exactly as given (``.15``), or with the notation's decimals."""
    return fmt_exact(value) if is_exact(np.array([value])) else fmt(value, _decimals(ctx))


def _block(title: str, rows: Sequence[Row], ctx: Context, note: str = "") -> Equations:
    return formula_block(title, rows, ctx.digits, decimals=_decimals(ctx), note=note)


# --------------------------------------------------------------------------- forward


def _weights_table(step: Step, names: ChainNames, ctx: Context) -> Table:
    """Every weight (and bias) before the update: name, from, to, value."""
    limits = ctx.limits
    rows = []
    for ly in step.layers:
        n_in, n_out = ly.W.shape
        for j in range(limits.count(n_out)):
            for i in range(limits.count(n_in)):
                rows.append(
                    spans(
                        names.weight(ly.index, i, j),
                        names.unit(ly.index - 1, i),
                        names.unit(ly.index, j),
                        _value(float(ly.W[i, j]), ctx),
                    )
                )
            if ly.b is not None and not (names.mazur and names.shared_bias[ly.index] and j):
                trained = "" if ly.db is not None else " (not trained)"
                rows.append(
                    spans(
                        names.bias(ly.index, j) + trained,
                        "1",
                        names.unit(ly.index, j)
                        if not (names.mazur and names.shared_bias[ly.index])
                        else "each " + names.unit(ly.index, 0)[0],
                        _value(float(ly.b[j]), ctx),
                    )
                )
    return Table(
        "the weights before the update:",
        ("weight", "from", "to", "value"),
        tuple(rows),
        ("l", "l", "l", "r"),
    )


def _forward_blocks(step: Step, ly: LayerStep, names: ChainNames, ctx: Context) -> list[Block]:
    """``net`` of every unit (each weight times its input, plus the bias) and ``out``."""
    limits = ctx.limits
    act = ACTIVATIONS[ly.activation]
    n, n_in = ly.inputs.shape
    n_out = ly.z.shape[1]
    shown_s, shown_i, shown_j = limits.count(n), limits.count(n_in), limits.count(n_out)
    src = [names.source(ly.index, i) for i in range(n_in)]
    net_rows, out_rows, symbols = [], [], []
    for j in range(shown_j):
        unit = names.unit(ly.index, j)
        terms = [f"{names.weight(ly.index, i, j)} * {src[i]}" for i in range(shown_i)]
        if shown_i < n_in:
            terms.append("...")
        if ly.b is not None:
            terms.append(f"{names.bias(ly.index, j)} * 1")
        symbols.append(f"net_{unit} = {' + '.join(terms)}")
        for s in range(shown_s):
            template = " + ".join(f"{{w{i}}} * {{x{i}}}" for i in range(shown_i))
            values = {f"w{i}": float(ly.W[i, j]) for i in range(shown_i)}
            values.update({f"x{i}": float(ly.inputs[s, i]) for i in range(shown_i)})
            if shown_i < n_in:
                template += f" + [{n_in - shown_i} more terms: {{rest}}]"
                values["rest"] = float(ly.inputs[s, shown_i:] @ ly.W[shown_i:, j])
            if ly.b is not None:
                template += " + {b} * 1"
                values["b"] = float(ly.b[j])
            # rounding a weight moves the net by its input, rounding an input by its weight
            sensitivity = (
                float(np.abs(ly.inputs[s, :shown_i]).sum() + np.abs(ly.W[:shown_i, j]).sum())
                + ("rest" in values)
                + ("b" in values)
            )
            net_rows.append(
                Row(
                    names.at(s, f"net_{unit}"),
                    template,
                    values,
                    float(ly.z[s, j]),
                    sensitivity=sensitivity,
                )
            )
            if not act.rowwise:
                printed = act.printed
                if act.printed_large is not None and ly.z[s, j] > act.large_above:
                    printed = act.printed_large
                out_rows.append(
                    Row(
                        names.at(s, f"out_{unit}"),
                        printed.replace("{z}", "{net}"),
                        {"net": float(ly.z[s, j])},
                        float(ly.a[s, j]),
                    )
                )
    blocks: list[Block] = []
    if names.mazur:
        blocks.append(Paragraph(spans("; ".join(symbols) + ".")))
    blocks.append(
        _block("net = each weight times the input it carries, plus the bias:", net_rows, ctx)
    )
    if act.rowwise:
        blocks += _rowwise_out(ly, names, ctx)
    else:
        blocks.append(
            _block(f"out = {act.formula.replace('z', 'net')} ({act.name}):", out_rows, ctx)
        )
    return blocks


def _rowwise_out(ly: LayerStep, names: ChainNames, ctx: Context) -> list[Block]:
    """A softmax output: ``out_o1 = e^(net_o1 - max) / sum`` for each example."""
    from glassnet.explain.worked import rowwise_sums

    act = ACTIVATIONS[ly.activation]
    sums = rowwise_sums(ly)
    n, n_out = ly.z.shape
    shown_s, shown_j = ctx.limits.count(n), ctx.limits.count(n_out)
    units = [names.unit(ly.index, j) for j in range(n_out)]
    max_rows, sum_rows, out_rows = [], [], []
    for s in range(shown_s):
        nets = {f"n{j}": float(ly.z[s, j]) for j in range(shown_j)}
        more = f", [{n_out - shown_j} more units: {{top}}]" if shown_j < n_out else ""
        values = dict(nets)
        if more:
            values["top"] = float(np.max(ly.z[s, shown_j:]))
        max_rows.append(
            Row(
                names.at(s, "max"),
                "max(" + ", ".join(f"{{n{j}}}" for j in range(shown_j)) + more + ")",
                values,
                float(sums.max[s]),
            )
        )
        terms = " + ".join(f"e^({{n{j}}} - {{m}})" for j in range(shown_j))
        values = {**nets, "m": float(sums.max[s])}
        if shown_j < n_out:
            terms += f" + [{n_out - shown_j} more terms: {{rest}}]"
            with np.errstate(all="ignore"):
                values["rest"] = float(np.exp(ly.z[s, shown_j:] - sums.max[s]).sum())
        sum_rows.append(Row(names.at(s, "sum"), terms, values, float(sums.sum[s])))
        for j in range(shown_j):
            out_rows.append(
                Row(
                    names.at(s, f"out_{units[j]}"),
                    act.printed.format(z="{net}", max="{m}", sum="{total}"),
                    {
                        "net": float(ly.z[s, j]),
                        "m": float(sums.max[s]),
                        "total": float(sums.sum[s]),
                    },
                    float(ly.a[s, j]),
                )
            )
    return [
        Paragraph(
            spans(
                f"The {act.name} turns the nets of an example into probabilities that add up to 1, "
                f"out_j = e^(net_j - max) / sum, max the largest net of the example and sum the "
                "sum of e^(net_k - max) over its outputs (the same as e^net_j / sum_k e^net_k)."
            )
        ),
        _block("max = the largest net of the example:", max_rows, ctx),
        _block("sum = the sum over the outputs of e^(net - max):", sum_rows, ctx),
        _block(f"out = e^(net - max) / sum ({act.name}):", out_rows, ctx),
    ]


# --------------------------------------------------------------------------- the error


def _error_blocks(step: Step, names: ChainNames, ctx: Context) -> list[Block]:
    """``E_o1`` of each output and ``E_total``, their sum (or mean)."""
    loss = LOSSES[step.loss_name]
    out = step.layers[-1]
    y, a = step.y, out.a
    n, n_out = a.shape
    limits = ctx.limits
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    with np.errstate(all="ignore"):
        terms = loss.scale * loss.terms(y, a)
    rows, parts = [], []
    values: dict[str, float] = {}
    for s in range(shown_s):
        for j in range(shown_j):
            y_text = fmt_exact(float(y[s, j]))
            term = loss.printed_term(float(y[s, j]), "{a}", f"{y_text} - {{a}}", fmt_exact)
            if not term:
                continue  # a term of 0 (categorical cross-entropy where y = 0)
            label = names.at(s, f"E_{names.unit(out.index, j)}")
            rows.append(
                Row(
                    label,
                    loss.printed_total.format(terms=term),
                    {"a": float(a[s, j])},
                    float(terms[s, j]),
                )
            )
            parts.append(f"{{e{len(values)}}}")
            values[f"e{len(values)}"] = float(terms[s, j])
    hidden = np.ones_like(terms, dtype=bool)
    hidden[:shown_s, :shown_j] = False
    total = " + ".join(parts) or "0"
    if hidden.any():
        total += f" + [{int(hidden.sum())} more terms: {{rest}}]"
        values["rest"] = float(terms[hidden].sum())
    if step.method.mean and n != 1:
        total = f"({total}) / {n}"
    # the formula in words: any target value other than 0 and 1 shows every part of a term
    formula = loss.printed_total.format(
        terms=loss.printed_term(
            0.25, "out", "target - out", lambda v: "target" if v == 0.25 else "(1 - target)"
        )
    )
    what = "the mean over the examples" if step.method.mean and n != 1 else "their sum"
    return [
        _block(f"E of each output, {formula}:", rows, ctx),
        _block(
            f"E_total = {what}:",
            [Row("E_total", total, values, float(step.loss))],
            ctx,
        ),
    ]


# --------------------------------------------------------------------------- backward


def _products(
    ly: LayerStep, names: ChainNames, ctx: Context, i: int | None, j: int, factors: int
) -> tuple[str, dict[str, float]]:
    """The sum over the examples of each one's chain product for weight ``(i, j)`` (``i`` is
    ``None`` for the bias): ``(template, values)``."""
    n = ly.inputs.shape[0]
    shown = ctx.limits.count(n)
    values: dict[str, float] = {}
    terms = []
    for s in range(shown):
        x = 1.0 if i is None else float(ly.inputs[s, i])
        if factors == 3:
            values[f"p{s}"] = float(-ly.error[s, j])
            values[f"q{s}"] = float(ly.derivative[s, j])
            terms.append(f"{{p{s}}} * {{q{s}}} * {{x{s}}}")
        else:
            values[f"p{s}"] = float(-ly.delta[s, j])
            terms.append(f"{{p{s}}} * {{x{s}}}")
        values[f"x{s}"] = x
    if shown > 1 or shown < n:
        terms = [f"({t})" for t in terms]
    if shown < n:
        rest = -(
            ly.delta[shown:, j].sum() if i is None else ly.inputs[shown:, i] @ ly.delta[shown:, j]
        )
        terms.append(f"[{n - shown} more example{'' if n - shown == 1 else 's'}: {{rest}}]")
        values["rest"] = float(rest)
    return " + ".join(terms), values


def _product_sensitivity(values: dict[str, float]) -> float:
    """How far rounding every factor moves a sum of products ``p_s * q_s * x_s`` (or
    ``p_s * x_s``): each factor's slope is the product of the others."""
    total = 1.0 if "rest" in values else 0.0
    s = 0
    while f"p{s}" in values:
        factors = [abs(values[f"{k}{s}"]) for k in "pqx" if f"{k}{s}" in values]
        for i in range(len(factors)):
            total += float(np.prod(factors[:i] + factors[i + 1 :]))
        s += 1
    return total


def _gradient_block(
    step: Step,
    ly: LayerStep,
    names: ChainNames,
    ctx: Context,
    entries: Sequence[Entry],
    factors: int,
) -> Equations:
    """``dE_total/dw`` of every weight shown: the chain product, summed over the examples."""
    n = ly.inputs.shape[0]
    mean = step.method.mean and n != 1
    rows = []
    for label, i, j, *_ in entries:
        if i is None and ly.gradient_b is None:
            continue
        template, values = _products(ly, names, ctx, i, j, factors)
        if mean:
            template = f"({template}) / {n}"
        value = ly.gradient_b[j] if i is None else ly.gradient[i, j]  # type: ignore[index]  # gradient_b is set for a biased layer
        rows.append(
            Row(
                f"dE_total/d{label}",
                template,
                values,
                float(value),
                sensitivity=_product_sensitivity(values) / (n if mean else 1),
            )
        )
    unit = "o" if ly.index == len(step.layers) - 1 else "h"
    if factors == 3:
        chain = f"dE_total/dout_{unit} * dout_{unit}/dnet_{unit} * dnet_{unit}/dw"
    else:
        chain = f"dE_total/dnet_{unit} * dnet_{unit}/dw"
    over = ""
    if n > 1:
        over = " summed over the examples" + (f", / {n} (the mean)" if mean else "")
    return _block(f"dE_total/dw = {chain}{over}:", rows, ctx)


def _update_blocks(
    step: Step, ly: LayerStep, names: ChainNames, ctx: Context, entries: Sequence[Entry]
) -> list[Block]:
    """``w+``: Mazur's ``w - eta * dE_total/dw`` for gradient descent, else the optimizer's
    arithmetic as the default notation writes it, then ``w+ = w + update``."""
    from glassnet.explain import method as printed_method
    from glassnet.optimizers import GD

    trained = [e for e in entries if e[1] is not None or ly.db is not None]
    lr = fmt_exact(step.learning_rate)
    if step.method.optimizer is GD and not step.method.l2:
        rows = []
        for label, i, j, _, old, new in trained:
            g = ly.gradient_b[j] if i is None else ly.gradient[i, j]  # type: ignore[index]  # gradient_b is set for a biased layer
            rows.append(
                Row(f"{label}+", "{w} - {lr} * {g}", {"w": old, "g": float(g)}, new, {"lr": lr})
            )
        return [
            _block(
                f"w+ = w - eta * dE_total/dw, the learning rate eta = {lr}:",
                rows,
                ctx,
            )
        ]
    blocks: list[Block] = []
    l2 = printed_method.l2_block(step, ly, ctx, trained, gradient="dE_total/dw")
    if l2 is not None:
        blocks.append(l2)
    blocks += printed_method.optimizer_blocks(step, ly, ctx, trained)
    rows = [
        Row(f"{label}+", "{w} + {u}", {"w": old, "u": update}, new)
        for label, i, j, update, old, new in trained
    ]
    blocks.append(_block("w+ = w + update:", rows, ctx))
    return blocks


def _entries(ly: LayerStep, names: ChainNames, ctx: Context) -> list[Entry]:
    n_in, n_out = ly.W.shape
    limits = ctx.limits
    out: list[Entry] = []
    for j in range(limits.count(n_out)):
        for i in range(limits.count(n_in)):
            out.append(
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
            out.append(
                (
                    names.bias(ly.index, j),
                    None,
                    j,
                    float(ly.db[j]),
                    float(ly.b[j]),
                    float(ly.b_after[j]),
                )
            )
    return out


def _output_layer(step: Step, ly: LayerStep, names: ChainNames, ctx: Context) -> list[Block]:
    loss = LOSSES[step.loss_name]
    act = ACTIVATIONS[ly.activation]
    limits = ctx.limits
    n, n_out = ly.a.shape
    shown_s, shown_j = limits.count(n), limits.count(n_out)
    entries = _entries(ly, names, ctx)
    first = entries[0][0] if entries else "w"
    o = names.unit(ly.index, 0)
    src = names.source(ly.index, 0)
    blocks: list[Block] = []
    if loss.slope_cancels:
        blocks.append(
            Paragraph(
                spans(
                    f"Consider {first}. By the chain rule, dE_total/d{first} = "
                    f"dE_total/dnet_{o} * dnet_{o}/d{first}. For the loss {loss.formula} with a "
                    f"{act.name} output the slope of the {act.name} cancels out of "
                    f"dE_total/dnet_{o} = dE_total/dout_{o} * dout_{o}/dnet_{o}: it is "
                    f"out_{o} - target_{o}. dnet_{o}/d{first} = {src}, the input {first} "
                    "carries."
                )
            )
        )
        rows = [
            Row(
                names.at(s, f"dE_total/dnet_{names.unit(ly.index, j)}"),
                "{a} - " + fmt_exact(float(step.y[s, j])),
                {"a": float(ly.a[s, j])},
                float(-ly.delta[s, j]),
            )
            for j in range(shown_j)
            for s in range(shown_s)
        ]
        blocks.append(_block("dE_total/dnet_o = out_o - target_o:", rows, ctx))
        blocks.append(_gradient_block(step, ly, names, ctx, entries, 2))
    else:
        blocks.append(
            Paragraph(
                spans(
                    f"Consider {first}. By the chain rule, dE_total/d{first} = "
                    f"dE_total/dout_{o} * dout_{o}/dnet_{o} * dnet_{o}/d{first}: how much the "
                    f"error changes with out_{o}, times how much out_{o} changes with its "
                    f"net, times how much the net changes with {first}, which is the input "
                    f"{first} carries, {src}."
                )
            )
        )
        d_out, d_net = [], []
        for j in range(shown_j):
            unit = names.unit(ly.index, j)
            for s in range(shown_s):
                d_out.append(
                    Row(
                        names.at(s, f"dE_total/dout_{unit}"),
                        "-(" + fmt_exact(float(step.y[s, j])) + " - {a})",
                        {"a": float(ly.a[s, j])},
                        float(-ly.error[s, j]),
                    )
                )
                d_net.append(
                    Row(
                        names.at(s, f"dout_{unit}/dnet_{unit}"),
                        act.grad_printed.replace("{a}", "{out}"),
                        {"out": float(ly.a[s, j])},
                        float(ly.derivative[s, j]),
                    )
                )
        blocks.append(
            _block(
                f"dE_total/dout_o = -(target_o - out_o), the slope of {loss.formula}:", d_out, ctx
            )
        )
        blocks.append(
            _block(f"dout_o/dnet_o = {act.grad_formula.replace('a', 'out')}:", d_net, ctx)
        )
        blocks.append(_gradient_block(step, ly, names, ctx, entries, 3))
    blocks += _update_blocks(step, ly, names, ctx, entries)
    return blocks


def _hidden_layer(
    step: Step, ly: LayerStep, nxt: LayerStep, names: ChainNames, ctx: Context
) -> list[Block]:
    """A hidden layer: each unit's ``dE_total/dout_h`` as the sum of one product per unit it
    feeds, then the chain product of each weight."""
    act = ACTIVATIONS[ly.activation]
    loss = LOSSES[step.loss_name]
    limits = ctx.limits
    n, n_out = ly.a.shape
    n_next = nxt.a.shape[1]
    shown_s, shown_j, shown_k = limits.count(n), limits.count(n_out), limits.count(n_next)
    entries = _entries(ly, names, ctx)
    first = entries[0][0] if entries else "w"
    h = names.unit(ly.index, 0)
    targets = [names.unit(nxt.index, k) for k in range(n_next)]
    output_next = nxt.index == len(step.layers) - 1
    # Mazur's E_o1: the error of output o1, the only part of E_total that depends on net_o1
    # when the output activation is elementwise
    per_output = output_next and not ACTIVATIONS[nxt.activation].rowwise

    def part(u: str) -> str:
        """Mazur's ``E_o1``; for other layers, the part of the error through ``net_u``."""
        return f"E_{u}"

    terms_text = " + ".join(f"d{part(u)}/dout_{h}" for u in targets[:shown_k])
    if shown_k < n_next:
        terms_text += " + ..."
    blocks: list[Block] = [
        Paragraph(
            spans(
                f"Consider {first}. By the chain rule, dE_total/d{first} = dE_total/dout_{h} * "
                f"dout_{h}/dnet_{h} * dnet_{h}/d{first}. out_{h} feeds every unit of the next "
                f"layer, so dE_total/dout_{h} = {terms_text}, "
                f"{'one term for each' if n_next > 1 else 'its only term'}: "
                f"d{part(targets[0])}/dout_{h} = d{part(targets[0])}/dnet_{targets[0]} * "
                f"dnet_{targets[0]}/dout_{h}, and dnet_{targets[0]}/dout_{h} is the weight "
                f"from {h} to {targets[0]}, {names.weight(nxt.index, 0, 0)}."
                + (
                    ""
                    if per_output
                    else f" (d{part(targets[0])}/dout_{h} is the part of dE_total/dout_{h} "
                    f"that flows through net_{targets[0]}.)"
                )
            )
        )
    ]
    # dE/dnet of each next unit: from its own chain (already worked out where it was a product)
    next_rows = []
    three = not (output_next and loss.slope_cancels)
    for k in range(shown_k):
        u = targets[k]
        for s in range(shown_s):
            if three:
                next_rows.append(
                    Row(
                        names.at(s, f"d{part(u)}/dnet_{u}"),
                        "{p} * {q}",
                        {"p": float(-nxt.error[s, k]), "q": float(nxt.derivative[s, k])},
                        float(-nxt.delta[s, k]),
                    )
                )
    if next_rows:
        title = (
            f"d{part('o')}/dnet_o = dE/dout_o * dout_o/dnet_o, from the layer above:"
            if output_next
            else "dE/dnet of each unit of the layer above = dE/dout * dout/dnet:"
        )
        blocks.append(_block(title, next_rows, ctx))
    term_rows, sum_rows = [], []
    for j in range(shown_j):
        unit = names.unit(ly.index, j)
        for s in range(shown_s):
            parts = []
            values: dict[str, float] = {}
            for k in range(shown_k):
                u = targets[k]
                product = float(-nxt.delta[s, k] * nxt.W[j, k])
                term_rows.append(
                    Row(
                        names.at(s, f"d{part(u)}/dout_{unit}"),
                        "{p} * {w}",
                        {"p": float(-nxt.delta[s, k]), "w": float(nxt.W[j, k])},
                        product,
                    )
                )
                parts.append(f"{{t{k}}}")
                values[f"t{k}"] = product
            if shown_k < n_next:
                parts.append(f"[{n_next - shown_k} more terms: {{rest}}]")
                values["rest"] = float(-(nxt.delta[s, shown_k:] @ nxt.W[j, shown_k:]))
            sum_rows.append(
                Row(
                    names.at(s, f"dE_total/dout_{unit}"),
                    " + ".join(parts),
                    values,
                    float(-ly.error[s, j]),
                )
            )
    u = "o" if output_next else "u"
    blocks.append(
        _block(
            f"each term, dE_{u}/dout_h = dE_{u}/dnet_{u} * dnet_{u}/dout_h (the weight h -> {u}):",
            term_rows,
            ctx,
        )
    )
    if n_next > 1:
        blocks.append(_block("dE_total/dout_h = the sum of its terms:", sum_rows, ctx))
    slope_rows = [
        Row(
            names.at(s, f"dout_{names.unit(ly.index, j)}/dnet_{names.unit(ly.index, j)}"),
            act.grad_printed.replace("{a}", "{out}"),
            {"out": float(ly.a[s, j])},
            float(ly.derivative[s, j]),
        )
        for j in range(shown_j)
        for s in range(shown_s)
    ]
    blocks.append(
        _block(f"dout_h/dnet_h = {act.grad_formula.replace('a', 'out')}:", slope_rows, ctx)
    )
    blocks.append(_gradient_block(step, ly, names, ctx, entries, 3))
    blocks += _update_blocks(step, ly, names, ctx, entries)
    return blocks


# --------------------------------------------------------------------------- the document


def chain_document(
    step: Step,
    names: ChainNames,
    ctx: Context,
    header: Sequence[Block] = (),
    after: tuple[float, float, str] | None = None,
) -> list[Block]:
    """The chain-rule view of ``step`` (see the module docstring).

    ``after`` is ``(loss before, loss after this update, what both are
    measured on)`` (``"the same example"``, ``"all 4 examples"``), or
    ``None`` when the update was not applied.
    """
    k = step.iteration
    blocks: list[Block] = [Heading(1, f"ITERATION #{k}, BY THE CHAIN RULE")]
    blocks.append(
        Paragraph(
            spans(
                f"The forward pass with the weights after {k:,} update{'s' if k != 1 else ''}"
                f"{' (the initial weights)' if k == 0 else ''}, then each weight's gradient by "
                "the chain rule, in Matt Mazur's notation (\"A Step by Step Backpropagation "
                "Example\"): net is a unit's weighted sum, out its activation, E the error; "
                "dE/dw is the slope of the error (the default notation's delta is -dE/dnet)."
            )
        )
    )
    blocks += list(header)
    blocks.append(Heading(2, "1. Forward pass"))
    blocks.append(_weights_table(step, names, ctx))
    for ly in step.layers:
        blocks += _forward_blocks(step, ly, names, ctx)
    blocks.append(Heading(2, "2. Total error"))
    blocks += _error_blocks(step, names, ctx)
    blocks.append(Heading(2, "3. Backward pass"))
    last = len(step.layers) - 1
    for ly in reversed(step.layers):
        kind = "output layer" if ly.index == last else "hidden layer"
        blocks.append(Heading(3, f"Layer {ly.index + 1}, the {kind}"))
        if ly.index == last:
            blocks += _output_layer(step, ly, names, ctx)
        else:
            blocks += _hidden_layer(step, ly, step.layers[ly.index + 1], names, ctx)
    if len(step.layers) > 1:
        nxt = step.layers[1]
        w = names.weight(1, 0, 0)
        decimals = _decimals(ctx)
        blocks.append(
            Paragraph(
                spans(
                    (
                        "Back-propagation uses the weights from before the update: "
                        f"dnet_{names.unit(1, 0)}/dout_{names.unit(0, 0)} above is {w} = "
                        f"{fmt_exact(float(nxt.W[0, 0]))}, not {w}+ = "
                        f"{fmt(float(nxt.W_after[0, 0]), decimals)}. Every gradient is taken "
                        "at the same weights, and all of them change together, at the end.",
                        "em",
                    )
                )
            )
        )
    blocks.append(Heading(2, "4. After the update"))
    blocks += _after_blocks(step, after, ctx)
    return blocks


def _after_blocks(step: Step, after: tuple[float, float, str] | None, ctx: Context) -> list[Block]:
    decimals = _decimals(ctx)
    if after is None or not step.applied:
        return [
            Paragraph(
                spans(
                    (
                        f"The run ended at #{step.iteration}: this update was worked out but not "
                        "applied.",
                        "dim",
                    )
                )
            )
        ]
    before, value, where = after
    new, old = fmt(value, decimals), fmt(before, decimals)
    change = float(new) - float(old)  # the printed difference, true as printed
    way = "down" if change < 0 else "up" if change > 0 else "unchanged"
    by = f" {fmt(abs(change), decimals)}" if change else ""
    return [
        Paragraph(
            spans(
                f"E_total after this update, the forward pass of iteration #{step.iteration + 1} "
                f"on {where}: ",
                (new, "em"),
                f" (before: {old}, {way}{by}).",
            )
        )
    ]


__all__ = ["CHAIN_DECIMALS", "ChainNames", "chain_document"]
