"""Optimizers: how a gradient becomes an update, each one defined once.

Every optimizer reads the gradient of the loss with respect to one parameter,

    ``g = dL/dw (+ l2 * w for a weight, never for a bias)``,

summed over the examples of the iteration's batch (divided by their number
with ``reduction = "mean"``), and returns the *update* that is added to the
parameter, ``w <- w + update``, and its new state. ``t = k + 1`` at iteration
``#k``: the number of this update, as torch counts its steps.

===========  ==============================================  ===================================
name         state, then the update                          torch.optim
===========  ==============================================  ===================================
gd           update = -lr * g                                SGD(lr)
momentum     v = mu * v + g;  update = -lr * v               SGD(lr, momentum=mu)
nesterov     v = mu * v + g;  update = -lr * (g + mu * v)    SGD(lr, momentum=mu, nesterov=True)
adam         m = b1 * m + (1 - b1) * g                       Adam(lr, betas=(b1, b2), eps)
             v = b2 * v + (1 - b2) * g^2
             m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t)
             update = -lr * m^ / (sqrt(v^) + eps)
rmsprop      s = alpha * s + (1 - alpha) * g^2               RMSprop(lr, alpha, eps)
             update = -lr * g / (sqrt(s) + eps)
===========  ==============================================  ===================================

Every state starts at 0. With ``gd``, ``update = -lr * g = lr * (a.T @ delta)``:
the post's ``syn0 += np.dot(l0.T, l1_delta)`` (its learning rate is 1).

Each definition holds its numpy step (the reference), the kernel source the
compiled engines generate from it (the same operations in the same order),
and the lines the explainer prints with the numbers substituted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from glassnet.types import Array

__all__ = ["OPTIMIZERS", "Hyper", "Optimizer", "optimizer"]


@dataclass(frozen=True)
class Hyper:
    """The optimizers' settings (each optimizer reads only its own).

    Attributes
    ----------
    momentum : float
        ``mu`` of ``momentum`` and ``nesterov``.
    beta1, beta2 : float
        Adam's decay rates of its first and second moment.
    epsilon : float
        Added to the square root in ``adam`` and ``rmsprop``.
    alpha : float
        RMSprop's decay rate of its mean square.
    """

    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 0.99

    def values(self) -> tuple[float, ...]:
        """The settings in field order (for the compiled kernels' argument)."""
        return tuple(float(getattr(self, f.name)) for f in fields(self))


#: Field names of :class:`Hyper`, in the order of :meth:`Hyper.values`.
HYPER_NAMES = tuple(f.name for f in fields(Hyper))


@dataclass(frozen=True)
class Rule:
    """One line of an optimizer's arithmetic as the explainer prints it, the same for every
    parameter.

    Attributes
    ----------
    title : str
        The formula in symbols (``"m = b1 * m + (1 - b1) * g"``).
    result : str
        The quantity it computes: a slot of the optimizer (``"m"``, its new
        value), ``"update"``, or a derived quantity (``"m_hat"``).
    template : str
        The left side with ``{name}`` for each number: ``{g}``, ``{lr}``,
        ``{t}``, the settings by name, each slot's value before the update
        ``{m_before}`` and after it ``{m}``, and derived quantities.
    derive : callable or None
        For a derived quantity, its value from the others, the hyper-settings
        and ``t`` (the same arithmetic as the optimizer's step).
    """

    title: str
    result: str
    template: str
    derive: Callable[[dict[str, float], Hyper, int], float] | None = None


State = dict[str, Array]
StepFunction = Callable[[Array, State, Hyper, float, int], tuple[Array, State]]


@dataclass(frozen=True, repr=False)
class Optimizer:
    """One optimizer: its state, its step in numpy, its kernel source and its printed form.

    Attributes
    ----------
    name : str
        The name used in experiment files.
    slots : tuple of str
        Names of its state arrays, each shaped like the parameter (``("m", "v")``).
    settings : tuple of str
        The :class:`Hyper` fields it reads.
    step : callable
        ``step(g, state, hyper, lr, t) -> (update, new_state)``, elementwise
        over a parameter array: the reference arithmetic.
    formula : str
        The rule in one line, as the explainer introduces it.
    rules : tuple of Rule
        The explainer's lines, in order, each computing a slot, a derived
        quantity (Adam's ``m_hat``) or the update from printed numbers.
    words : str
        What the optimizer does, in a sentence for the explainer.
    source : tuple of str
        The kernel's lines for one parameter (their own names end in ``_t``, so
        they never clash with the kernel's loop variables): they read ``g`` (the gradient),
        ``lr``, ``t``, the settings by name, the precomputed ``c1 = 1 - beta1**t``
        and ``c2 = 1 - beta2**t``, and each slot as ``{slot}`` (a place to
        read and write); they leave the update in ``upd``. Same operations, in
        the same order, as ``step``.
    """

    name: str
    slots: tuple[str, ...]
    settings: tuple[str, ...]
    step: StepFunction
    formula: str
    source: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    words: str = ""

    def __repr__(self) -> str:
        return f"optimizer({self.name!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # A definition is one object per name: pickle (and copy) it by name.
        return (optimizer, (self.name,))

    def kernel_lines(self, slot: Callable[[str], str]) -> list[str]:
        """:attr:`source` with each ``{slot}`` replaced by ``slot(name)`` (a source place)."""
        return [line.format(**{s: slot(s) for s in self.slots}) for line in self.source]

    def initial_state(self, shape: tuple[int, ...]) -> State:
        """Every slot at 0."""
        return {s: np.zeros(shape) for s in self.slots}


# --------------------------------------------------------------------------- the definitions


def _m_hat(q: dict[str, float], h: Hyper, t: int) -> float:
    return q["m"] / (1.0 - h.beta1**t)


def _v_hat(q: dict[str, float], h: Hyper, t: int) -> float:
    return q["v"] / (1.0 - h.beta2**t)


_VELOCITY = Rule("v = mu * v + g", "v", "{momentum} * {v_before} + {g}")


def _gd(g: Array, state: State, h: Hyper, lr: float, t: int) -> tuple[Array, State]:
    return -(lr * g), state


GD = Optimizer(
    name="gd",
    slots=(),
    settings=(),
    step=_gd,
    formula="update = -lr * g",
    source=("upd = -(lr * g)",),
    rules=(Rule("update = -lr * g", "update", "-{lr} * {g}"),),
    words="gradient descent moves each parameter by -lr * g: straight down this batch's slope",
)


def _momentum(g: Array, state: State, h: Hyper, lr: float, t: int) -> tuple[Array, State]:
    v = h.momentum * state["v"] + g
    return -(lr * v), {"v": v}


MOMENTUM = Optimizer(
    name="momentum",
    slots=("v",),
    settings=("momentum",),
    step=_momentum,
    formula="v = mu * v + g; update = -lr * v",
    source=(
        "v_t = momentum * {v} + g",
        "{v} = v_t",
        "upd = -(lr * v_t)",
    ),
    rules=(_VELOCITY, Rule("update = -lr * v", "update", "-{lr} * {v}")),
    words=(
        "momentum moves each parameter by -lr * v, where v adds up the gradients with older "
        "ones fading by mu each update, so a parameter can keep moving against this batch's "
        "gradient"
    ),
)


def _nesterov(g: Array, state: State, h: Hyper, lr: float, t: int) -> tuple[Array, State]:
    v = h.momentum * state["v"] + g
    return -(lr * (g + h.momentum * v)), {"v": v}


NESTEROV = Optimizer(
    name="nesterov",
    slots=("v",),
    settings=("momentum",),
    step=_nesterov,
    formula="v = mu * v + g; update = -lr * (g + mu * v)",
    source=(
        "v_t = momentum * {v} + g",
        "{v} = v_t",
        "upd = -(lr * (g + momentum * v_t))",
    ),
    rules=(
        _VELOCITY,
        Rule("update = -lr * (g + mu * v)", "update", "-{lr} * ({g} + {momentum} * {v})"),
    ),
    words=(
        "Nesterov momentum moves each parameter by -lr * (g + mu * v): this gradient plus a "
        "look ahead along v, the fading sum of gradients"
    ),
)


def _adam(g: Array, state: State, h: Hyper, lr: float, t: int) -> tuple[Array, State]:
    m = h.beta1 * state["m"] + (1.0 - h.beta1) * g
    v = h.beta2 * state["v"] + (1.0 - h.beta2) * (g * g)
    m_hat = m / (1.0 - h.beta1**t)
    v_hat = v / (1.0 - h.beta2**t)
    return -(lr * m_hat / (np.sqrt(v_hat) + h.epsilon)), {"m": m, "v": v}


ADAM = Optimizer(
    name="adam",
    slots=("m", "v"),
    settings=("beta1", "beta2", "epsilon"),
    step=_adam,
    formula=(
        "m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g^2; "
        "update = -lr * m^ / (sqrt(v^) + eps), m^ = m / (1 - b1^t), v^ = v / (1 - b2^t)"
    ),
    source=(
        "m_t = beta1 * {m} + (1.0 - beta1) * g",
        "v_t = beta2 * {v} + (1.0 - beta2) * (g * g)",
        "{m} = m_t",
        "{v} = v_t",
        "upd = -(lr * (m_t / c1) / (math.sqrt(v_t / c2) + epsilon))",
    ),
    rules=(
        Rule("m = b1 * m + (1 - b1) * g", "m", "{beta1} * {m_before} + (1 - {beta1}) * {g}"),
        Rule("v = b2 * v + (1 - b2) * g^2", "v", "{beta2} * {v_before} + (1 - {beta2}) * {g}^2"),
        Rule("m̂ = m / (1 - b1^t)", "m_hat", "{m} / (1 - {beta1}^{t})", _m_hat),
        Rule("v̂ = v / (1 - b2^t)", "v_hat", "{v} / (1 - {beta2}^{t})", _v_hat),
        Rule(
            "update = -lr * m̂ / (sqrt(v̂) + eps)",
            "update",
            "-{lr} * {m_hat} / (sqrt({v_hat}) + {epsilon})",
        ),
    ),
    words=(
        "Adam moves each parameter by -lr * m̂ / (sqrt(v̂) + eps): m is a running average of "
        "the gradients and v of their squares (m̂ and v̂ correct both for starting at 0), so a "
        "step is about lr in size whatever the size of the gradient, and can point against "
        "this batch's gradient while m remembers older ones"
    ),
)


def _rmsprop(g: Array, state: State, h: Hyper, lr: float, t: int) -> tuple[Array, State]:
    s = h.alpha * state["s"] + (1.0 - h.alpha) * (g * g)
    return -(lr * g / (np.sqrt(s) + h.epsilon)), {"s": s}


RMSPROP = Optimizer(
    name="rmsprop",
    slots=("s",),
    settings=("alpha", "epsilon"),
    step=_rmsprop,
    formula="s = alpha * s + (1 - alpha) * g^2; update = -lr * g / (sqrt(s) + eps)",
    source=(
        "s_t = alpha * {s} + (1.0 - alpha) * (g * g)",
        "{s} = s_t",
        "upd = -(lr * g / (math.sqrt(s_t) + epsilon))",
    ),
    rules=(
        Rule(
            "s = alpha * s + (1 - alpha) * g^2", "s", "{alpha} * {s_before} + (1 - {alpha}) * {g}^2"
        ),
        Rule(
            "update = -lr * g / (sqrt(s) + eps)", "update", "-{lr} * {g} / (sqrt({s}) + {epsilon})"
        ),
    ),
    words=(
        "RMSprop moves each parameter by -lr * g / (sqrt(s) + eps): s is a running average of "
        "the squared gradients, so each gradient is divided by its typical size"
    ),
)

#: Every optimizer, by the name used in experiment files. The order is fixed:
#: the compiled engines number optimizers by their position here.
OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in (GD, MOMENTUM, NESTEROV, ADAM, RMSPROP)}


def optimizer(name: str) -> Optimizer:
    """The optimizer called ``name``; raises ``KeyError`` naming the known ones."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None


def bias_corrections(hyper: Hyper, t: int) -> tuple[float, float]:
    """``(1 - beta1**t, 1 - beta2**t)``: Adam's bias corrections at update ``t``."""
    return 1.0 - hyper.beta1**t, 1.0 - hyper.beta2**t
