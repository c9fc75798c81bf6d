"""How an iteration's update was made, worked out: the batch, the gradient, l2, the optimizer.

The post's method (gradient descent on every example, the loss summed, no
l2) is worked out by :mod:`glassnet.explain.worked` as the post does it: the
update of a weight is ``learning rate * sum of input * delta``. Any other
method (:class:`glassnet.training.Method`) is written out here in the order
the core computes it (:func:`glassnet.training.optimizer_updates`):

1. the batch: which examples, which epoch;
2. the gradient of each weight, ``dL/dw = -(sum over the batch of input *
   delta)`` (divided by the batch's size with ``reduction = "mean"``);
3. the l2 term, ``g = dL/dw + l2 * w`` (weights only);
4. the optimizer's own arithmetic, one block per quantity (its definition's ``rules``),
   each with the numbers substituted, ending with the update;
5. ``new = old + update`` (:mod:`glassnet.explain.worked`).

Every number is read from the recorded :class:`~glassnet.trace.LayerStep`
(``gradient``, ``l2_term``, ``state_before``/``state_after``, ``dW``) except
Adam's bias-corrected ``m̂`` and ``v̂``, which the trace does not keep: they
are ``m / (1 - beta1^t)`` of the recorded ``m``, with the core's own
:attr:`~glassnet.optimizers.Rule.derive` of its definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from glassnet.explain.document import Block, Equation, Equations, Paragraph, spans
from glassnet.explain.formula import Row, formula_block
from glassnet.explain.numbers import Precision, decimals_for, first_true, fmt, fmt_exact, is_exact
from glassnet.optimizers import Optimizer, Rule
from glassnet.trace import LayerStep, Step
from glassnet.training import Method

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.explain.worked import Context

#: How each setting is written in a formula.
SYMBOLS = {"momentum": "mu", "beta1": "b1", "beta2": "b2", "epsilon": "eps", "alpha": "alpha"}


@dataclass(frozen=True)
class Printed:
    """An optimizer as the explainer writes it: its rules and what it does, in words
    (both from its definition, :attr:`~glassnet.optimizers.Optimizer.rules`)."""

    rules: tuple[Rule, ...]
    words: str


def printed(opt: Optimizer) -> Printed:
    """The explainer's form of ``opt``: read from its one definition."""
    return Printed(opt.rules, opt.words)


# --------------------------------------------------------------------------- in words


def describe_method(method: Method, short: bool = False) -> str:
    """The method in one sentence, or ``""`` for the post's (gradient descent, every example,
    summed, no l2). ``short``: as ``glassnet run`` lists it, without the sentence's words."""
    if method.is_plain:
        return ""
    opt = method.optimizer
    settings = ", ".join(
        f"{SYMBOLS[s]} {fmt_exact(getattr(method.hyper, s))}" for s in opt.settings
    )
    name = opt.name + (f" ({settings})" if settings else "")
    if short:
        batch = (
            "full batch"
            if method.batch_size is None
            else (f"batch size {method.batch_size} (shuffle seed {method.shuffle_seed})")
        )
        parts = [f"optimizer {name}", batch, f"reduction {'mean' if method.mean else 'sum'}"]
        if method.l2:
            parts.append(f"l2 {fmt_exact(method.l2)}")
        return ", ".join(parts)
    parts = [f"Optimizer: {name}"]
    if method.batch_size is None:
        parts.append("every example in every update (the full batch)")
    else:
        parts.append(
            f"mini-batches of {method.batch_size} example{'s' if method.batch_size != 1 else ''}"
            f" (shuffle seed {method.shuffle_seed})"
        )
    parts.append(
        "loss averaged over the batch (reduction = mean)" if method.mean else "loss summed"
    )
    if method.l2:
        parts.append(f"l2 {fmt_exact(method.l2)}")
    return "; ".join(parts) + "."


def batch_paragraph(step: Step, names: Sequence[str], n_samples: int, per_epoch: int) -> Paragraph:
    """Which examples iteration ``#k`` used, and how its loss and gradient add them up."""
    method = step.method
    n = len(step.y)
    reduce = (
        f"The loss and its gradient are the mean over the batch's {n} example{'s' if n != 1 else ''}"
        " (reduction = mean): sums divided by "
        f"{n}."
        if method.mean
        else "The loss and its gradient are sums over the batch's examples."
    )
    if step.rows is None:
        text = f"Batch: the full batch, all {n_samples} examples in order. {reduce}"
    else:
        shown = list(names)
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        within = step.iteration % per_epoch + 1
        text = (
            f"Batch: {listed} ({n} of the {n_samples} examples): batch {within} of {per_epoch} "
            f"of epoch #{step.epoch}. Each epoch shuffles the examples "
            f"(numpy.random.RandomState({method.shuffle_seed}), one permutation(n) per epoch) and "
            f"cuts them into batches of {method.batch_size}. {reduce}"
        )
    return Paragraph(spans(text))


# --------------------------------------------------------------------------- the gradient


def _row_sums(values: np.ndarray, axis: int) -> float:
    with np.errstate(all="ignore"):
        total = np.abs(values).sum(axis=axis)
    return float(total.max()) if total.size else 0.0


#: (label, input row i or None for a bias, unit j, update, old, new): a parameter shown.
Entry = tuple[str, int | None, int, float, float, float]


def gradient_block(step: Step, ly: LayerStep, ctx: Context, entries: Sequence[Entry]) -> Equations:
    """``dL/dw = -(sum over the batch of input * delta)`` (``/ n`` for the mean) of each parameter."""
    from glassnet.explain.worked import Token, _aligned, _cut, _elided, _note

    limits = ctx.limits
    n = ly.inputs.shape[0]
    shown_s = limits.count(n)
    mean = step.method.mean
    scale = 1.0 / n if mean else 1.0
    whole = is_exact(ly.inputs)
    base_x = 0 if whole else decimals_for(ly.inputs, ctx.digits)
    base_d = decimals_for(ly.delta, ctx.digits)
    grads = [ly.gradient.ravel()] if ly.gradient is not None else []
    if ly.gradient_b is not None:
        grads.append(ly.gradient_b)
    base_g = decimals_for(np.concatenate(grads) if grads else np.zeros(0), ctx.digits)
    s_delta = scale * max(_row_sums(ly.inputs, 0), float(n) if ly.b is not None else 0.0)
    if not whole:
        s_delta += scale * _row_sums(ly.delta, 0)

    def value(i: int | None, j: int) -> float:
        if i is None:
            return float(ly.gradient_b[j]) if ly.gradient_b is not None else 0.0
        return float(ly.gradient[i, j]) if ly.gradient is not None else 0.0

    rows_of = [
        (label, i, j) for label, i, j, *_ in entries if i is not None or ly.gradient_b is not None
    ]

    def build(shift: int) -> Equations:
        p = Precision(shift)
        d_g = p.result(base_g)
        d_d = p.operand(base_d, d_g, s_delta)
        d_x = p.operand(base_x, d_g, s_delta)
        d_rest = p.operand(base_g, d_g, scale)
        x = fmt_exact if whole else (lambda v: fmt(v, d_x))
        rows: list[list[Token]] = []
        rhs: list[str] = []
        for _, i, j in rows_of:
            terms: list[Token] = []
            for s in range(shown_s):
                terms += [
                    (" + " if s else "", False),
                    ("(", False),
                    ("1" if i is None else x(ly.inputs[s, i]), True),
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
            if len(terms) > 6:
                terms = [("-(", False), *terms, (")", False)]
            else:
                terms = [("-", False), *terms]
            if mean and n != 1:
                terms.append((f" / {n}", False))
            rows.append(terms)
            rhs.append(fmt(value(i, j), d_g))
        lhs = _aligned(rows)
        width = max((len(r) for r in rhs), default=0)
        return Equations(
            title,
            tuple(
                Equation(label, left, right.rjust(width))
                for (label, _, _), left, right in zip(rows_of, lhs, rhs)
            ),
            note,
        )

    g = "" if ly.l2_term is not None else "g = "
    over = "examples" if step.rows is None else "the batch's examples"
    by = f" / {n} (the mean)" if mean and n != 1 else ""
    bias = "; a bias's input is 1" if ly.gradient_b is not None else ""
    title = f"{g}dL/dw = -(sum over {over} of input * delta){by}{bias}:"
    cut_weights = (
        ""
        if len([e for e in entries if e[1] is not None]) == ly.W.size
        else f"{len([e for e in entries if e[1] is not None])} of {ly.W.size} weights"
    )
    note = _note(cut_weights, _cut(n, limits, "examples"))
    return first_true(build, lambda b: [(eq.lhs, eq.rhs) for eq in b.lines])


def l2_block(
    step: Step,
    ly: LayerStep,
    ctx: Context,
    entries: Sequence[Entry],
    gradient: str = "dL/dw",
) -> Equations | None:
    """``g = dL/dw + l2 * w`` of each weight shown (a bias has no l2 term); ``gradient`` is how
    the notation writes ``dL/dw``."""
    if ly.l2_term is None or ly.gradient is None:
        return None
    l2 = fmt_exact(step.method.l2)
    rows = [
        Row(
            label,
            "{grad} + {l2} * {w}",
            {"grad": float(ly.gradient[i, j]), "w": float(ly.W[i, j])},
            float(ly.gradient[i, j] + ly.l2_term[i, j]),
            {"l2": l2},
        )
        for label, i, j, *_ in entries
        if i is not None
    ]
    bias = "; a bias has none, its g is dL/db" if ly.b is not None and ly.db is not None else ""
    return formula_block(
        f"g = {gradient} + l2 * w, with l2 = {l2}: the l2 term pulls every weight toward 0{bias}:",
        rows,
        ctx.digits,
        decimals=ctx.decimals,
    )


# --------------------------------------------------------------------------- the optimizer


def quantities(step: Step, ly: LayerStep, i: int | None, j: int) -> dict[str, float]:
    """Every number of one parameter's update: ``g``, each slot before and after, the derived
    quantities of the optimizer's ``rules`` and ``update``."""
    opt, hyper, t = step.method.optimizer, step.method.hyper, step.iteration + 1
    if i is None:
        assert ly.gradient_b is not None and ly.db is not None
        q = {"g": float(ly.gradient_b[j]), "update": float(ly.db[j])}
        before, after = ly.state_b_before, ly.state_b_after
        at: tuple[int, ...] = (j,)
    else:
        assert ly.gradient is not None
        g = ly.gradient[i, j] + (0.0 if ly.l2_term is None else ly.l2_term[i, j])
        q = {"g": float(g) if ly.l2_term is not None else float(ly.gradient[i, j])}
        q["update"] = float(ly.dW[i, j])
        before, after, at = ly.state_before, ly.state_after, (i, j)
    for slot in opt.slots:
        q[f"{slot}_before"] = float(before[slot][at])
        q[slot] = float(after[slot][at])
    for rule in printed(opt).rules:
        if rule.derive is not None:
            q[rule.result] = float(rule.derive(q, hyper, t))
    return q


def optimizer_blocks(
    step: Step, ly: LayerStep, ctx: Context, entries: Sequence[Entry]
) -> list[Block]:
    """The optimizer's arithmetic for every parameter shown, one block per rule."""
    method = step.method
    opt, hyper, t = method.optimizer, method.hyper, step.iteration + 1
    constants = {"lr": fmt_exact(step.learning_rate), "t": str(t)}
    constants.update({s: fmt_exact(getattr(hyper, s)) for s in opt.settings})
    trained = [
        e for e in entries if e[1] is not None or (ly.db is not None and ly.gradient_b is not None)
    ]
    values = {(e[1], e[2]): quantities(step, ly, e[1], e[2]) for e in trained}
    blocks: list[Block] = []
    for rule in printed(opt).rules:
        used = set(_names(rule.template))
        rows = []
        for label, i, j, update, *_ in trained:
            q = values[(i, j)]
            rows.append(
                Row(
                    label,
                    rule.template,
                    {k: q[k] for k in used if k in q},
                    q[rule.result],
                    constants,
                    _styled(update) if rule.result == "update" else None,
                )
            )
        title = _title(rule, method, t)
        blocks.append(
            formula_block(
                title, rows, ctx.digits, sign=rule.result == "update", decimals=ctx.decimals
            )
        )
    return blocks


def _names(template: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", template)


def _styled(value: float) -> str | None:
    return "up" if value > 0 else "down" if value < 0 else None


def _title(rule: Rule, method: Method, t: int) -> str:
    """A rule's formula, its settings' values, ``t``, and where the state it updates starts."""
    used = [s for s in method.optimizer.settings if "{" + s + "}" in rule.template]
    extra = [f"{SYMBOLS[s]} = {fmt_exact(getattr(method.hyper, s))}" for s in used]
    if "{t}" in rule.template:
        extra.append(f"t = {t}, the number of this update")
    slot = rule.result
    if slot in method.optimizer.slots and "{" + slot + "_before}" in rule.template:
        extra.append(
            f"{slot} on the right is its value after update {t - 1}"
            if t > 1
            else f"{slot} on the right starts at 0: this is the first update"
        )
    tail = f" ({'; '.join(extra)})" if extra else ""
    return f"{rule.title}{tail}:"


def words(method: Method) -> str:
    """What the optimizer does with ``g``, in a sentence."""
    return printed(method.optimizer).words


__all__ = [
    "Printed",
    "Rule",
    "batch_paragraph",
    "describe_method",
    "gradient_block",
    "l2_block",
    "optimizer_blocks",
    "quantities",
    "words",
]
