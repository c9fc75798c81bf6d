"""Two runs lined up iteration by iteration: what a different setting changed.

:func:`compare_runs` computes a :class:`Comparison` (frozen dataclasses, no
printing): the settings that differ, the first iteration at which the two
runs differ and why, both error curves, and the weight differences ``B - A``
per layer at the start, at that first differing iteration and at the end.
:func:`glassnet.explain.compare.format_comparison` renders it as text and
:func:`glassnet.plots.compare.plot_comparison` as a matplotlib figure; both
only read the comparison.

"Iteration ``#k`` differs" means the weights of ``#k`` (after ``k``
updates) or the loss / error sum recorded for ``#k`` differ by more than
``tolerance`` (default 0: any bit). Two runs of the same experiment never
differ; a different learning rate first differs at ``#1`` (same start,
different first update); a different seed or architecture at ``#0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.types import Array

if TYPE_CHECKING:  # pragma: no cover
    from glassnet.run import Run


@dataclass(frozen=True)
class SettingDifference:
    """One experiment key whose value differs, e.g. ``init.seed``: 123 vs 1."""

    key: str
    a: Any
    b: Any


@dataclass(frozen=True)
class FirstDifference:
    """The first iteration ``#iteration`` at which the runs differ, and what differs there.

    ``loss_a`` ... are the figures recorded for that iteration (``None`` when a
    run did not record it, e.g. it is the final iteration).
    """

    iteration: int
    reason: str
    loss_a: float | None = None
    loss_b: float | None = None
    error_sum_a: float | None = None
    error_sum_b: float | None = None


@dataclass(frozen=True, eq=False)
class LayerDifference:
    """Weights of one layer in both runs and ``B - A`` where the shapes match.

    ``initial``, ``at_first`` and ``final`` are ``W_B - W_A`` ``(n_in, n_out)``
    with the initial weights, the weights of the first differing iteration
    and the final weights; ``None`` when the layer's shapes differ (or there
    is no differing iteration).
    """

    layer: int
    shape_a: tuple[int, int] | None
    shape_b: tuple[int, int] | None
    initial: Array | None
    at_first: Array | None
    final: Array | None
    final_a: Array | None
    final_b: Array | None

    @property
    def final_largest(self) -> float | None:
        """``max |W_B - W_A|`` of the final weights."""
        return None if self.final is None else float(np.max(np.abs(self.final)))

    @property
    def initial_largest(self) -> float | None:
        """``max |W_B - W_A|`` of the initial weights."""
        return None if self.initial is None else float(np.max(np.abs(self.initial)))


@dataclass(frozen=True, eq=False)
class Comparison:
    """Runs A and B lined up. Histories are per iteration ``#0 .. #N-1`` of each run."""

    label_a: str
    label_b: str
    iterations_a: int
    iterations_b: int
    settings: tuple[SettingDifference, ...]
    first_difference: FirstDifference | None
    error_sum_a: Array
    error_sum_b: Array
    loss_a: Array
    loss_b: Array
    test_error_sum_a: Array | None
    test_error_sum_b: Array | None
    final_error_sum_a: float
    final_error_sum_b: float
    final_loss_a: float
    final_loss_b: float
    layers: tuple[LayerDifference, ...]
    tolerance: float

    def _repr_html_(self) -> str:
        from glassnet.notebook import comparison_html

        return comparison_html(self)

    @property
    def identical(self) -> bool:
        """No iteration differs and both ran equally long."""
        return self.first_difference is None and self.iterations_a == self.iterations_b

    @property
    def common_iterations(self) -> int:
        """How many history entries both runs have (``#0 .. #common-1``)."""
        return min(len(self.error_sum_a), len(self.error_sum_b))


# --------------------------------------------------------------------------- computing


def _flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _effective(run: Run) -> dict[str, Any]:
    """The run's settings with the ones its file left out filled in: the defaults, and the
    layer sizes the data gave."""
    from glassnet.config import ExperimentConfig, TrainConfig

    flat = _flatten(run.config.to_dict())
    defaults = _flatten(ExperimentConfig().to_dict())
    train = TrainConfig()
    for key in ("train.optimizer", "train.reduction", "train.l2"):
        defaults.setdefault(key, getattr(train, key.split(".")[1]))
    flat.setdefault("network.layers", list(run.network.sizes))
    for key, value in defaults.items():
        flat.setdefault(key, value)
    return flat


def setting_differences(a: Run, b: Run) -> tuple[SettingDifference, ...]:
    """Experiment keys (``section.key``) whose values differ, in a stable order; a key one
    file leaves out counts with its default (or, for layers, the sizes the data gave)."""
    flat_a, flat_b = _effective(a), _effective(b)
    keys = list(flat_a) + [k for k in flat_b if k not in flat_a]
    return tuple(
        SettingDifference(k, flat_a.get(k), flat_b.get(k))
        for k in keys
        if flat_a.get(k) != flat_b.get(k)
    )


def _differs(x: Array | None, y: Array | None, tolerance: float) -> bool:
    if x is None or y is None:
        return (x is None) != (y is None)
    if x.shape != y.shape:
        return True
    with np.errstate(invalid="ignore"):
        close = np.abs(x - y) <= tolerance
    both_nan = np.isnan(x) & np.isnan(y)
    same_inf = np.isinf(x) & (x == y)
    return not bool(np.all(close | both_nan | same_inf))


def _params_differ(p: Any, q: Any, tolerance: float) -> bool:
    return any(_differs(x, y, tolerance) for x, y in zip(p.weights, q.weights)) or any(
        _differs(x, y, tolerance) for x, y in zip(p.biases, q.biases)
    )


def _figures(run: Run, k: int) -> tuple[float | None, float | None]:
    if k < len(run.history):
        return float(run.history.loss[k]), float(run.history.error_sum[k])
    if k == run.iterations:
        return run.final_loss, run.final_error_sum
    return None, None


def first_difference(a: Run, b: Run, tolerance: float = 0.0) -> FirstDifference | None:
    """The first iteration whose weights or recorded figures differ, or ``None``.

    Iteration ``#0`` differs when the data, the architecture (sizes,
    activations, biases, loss) or the initial weights differ; after that the
    recorded loss and error sum of each iteration both runs reached are
    compared, then the weights at the checkpoints both runs kept, then the
    final weights if both ran equally long.
    """

    def at(k: int, reason: str) -> FirstDifference:
        loss_a, err_a = _figures(a, k)
        loss_b, err_b = _figures(b, k)
        return FirstDifference(k, reason, loss_a, loss_b, err_a, err_b)

    if _differs(a.data.X, b.data.X, tolerance) or _differs(a.data.y, b.data.y, tolerance):
        return at(0, "the training data differ")
    na, nb = a.network, b.network
    if na.sizes != nb.sizes:
        return at(0, f"the layer sizes differ ({list(na.sizes)} vs {list(nb.sizes)})")
    names_a = [act.name for act in na.activations]
    names_b = [act.name for act in nb.activations]
    if names_a != names_b:
        return at(0, f"the activations differ ({names_a} vs {names_b})")
    if na.bias != nb.bias:
        return at(0, f"the biases differ ({list(na.bias)} vs {list(nb.bias)})")
    if _params_differ(a.initial, b.initial, tolerance):
        return at(0, "the initial weights differ")
    if na.loss.name != nb.loss.name:
        return at(0, f"the loss functions differ ({na.loss.name} vs {nb.loss.name})")
    common = min(len(a.history), len(b.history))
    candidates: list[tuple[int, str]] = []
    for name in ("loss", "error_sum"):
        xa = getattr(a.history, name)[:common]
        xb = getattr(b.history, name)[:common]
        with np.errstate(invalid="ignore"):
            bad = ~((np.abs(xa - xb) <= tolerance) | (np.isnan(xa) & np.isnan(xb)) | (xa == xb))
        if bad.any():
            k = int(np.argmax(bad))
            if _params_differ(a.weights_at(k), b.weights_at(k), tolerance):
                candidates.append((k, "the weights differ"))
            else:
                # e.g. two engines summing |y - a| in another order: same weights, last bit differs
                candidates.append(
                    (k, f"the recorded {name.replace('_', ' ')} differs (the weights are equal)")
                )
    shared = np.intersect1d(a.checkpoints.iterations, b.checkpoints.iterations)
    for k in shared:
        ia = int(np.searchsorted(a.checkpoints.iterations, k))
        ib = int(np.searchsorted(b.checkpoints.iterations, k))
        if _params_differ(a.checkpoints.at(ia), b.checkpoints.at(ib), tolerance):
            candidates.append((int(k), "the weights differ"))
            break
    if candidates:
        k, reason = min(candidates)
        return at(k, reason)
    if a.iterations == b.iterations and _params_differ(a.final, b.final, tolerance):
        return at(a.iterations, "the final weights differ")
    return None


def compare_runs(
    a: Run, b: Run, tolerance: float = 0.0, labels: tuple[str, str] = ("A", "B")
) -> Comparison:
    """Line up run ``a`` and run ``b`` (see :class:`Comparison`).

    Parameters
    ----------
    a, b : Run
        Two runs, trained or loaded from JSON; nothing is retrained (the
        weights of the first differing iteration are replayed from checkpoints).
    tolerance : float
        Largest absolute difference still counted as equal (default 0).
    labels : (str, str)
        How the renderers name the runs.
    """
    if tolerance < 0 or not np.isfinite(tolerance):
        from glassnet.errors import ConfigError

        raise ConfigError(f"tolerance must be a finite number >= 0; got {tolerance!r}.")
    first = first_difference(a, b, tolerance)
    at_first_a = at_first_b = None
    if first is not None and first.iteration <= min(a.iterations, b.iterations):
        at_first_a, at_first_b = a.weights_at(first.iteration), b.weights_at(first.iteration)
    layers = []
    for layer in range(max(a.network.n_layers, b.network.n_layers)):
        wa = a.final.weights[layer] if layer < a.network.n_layers else None
        wb = b.final.weights[layer] if layer < b.network.n_layers else None
        same = wa is not None and wb is not None and wa.shape == wb.shape

        def diff(pa: Any, pb: Any, same: bool = same, layer: int = layer) -> Array | None:
            if not same or pa is None or pb is None:
                return None
            return pb.weights[layer] - pa.weights[layer]

        layers.append(
            LayerDifference(
                layer=layer,
                shape_a=None if wa is None else wa.shape,
                shape_b=None if wb is None else wb.shape,
                initial=diff(a.initial, b.initial),
                at_first=diff(at_first_a, at_first_b),
                final=diff(a.final, b.final),
                final_a=wa,
                final_b=wb,
            )
        )
    return Comparison(
        label_a=labels[0],
        label_b=labels[1],
        iterations_a=a.iterations,
        iterations_b=b.iterations,
        settings=setting_differences(a, b),
        first_difference=first,
        error_sum_a=a.history.error_sum,
        error_sum_b=b.history.error_sum,
        loss_a=a.history.loss,
        loss_b=b.history.loss,
        test_error_sum_a=a.history.test_error_sum,
        test_error_sum_b=b.history.test_error_sum,
        final_error_sum_a=a.final_error_sum,
        final_error_sum_b=b.final_error_sum,
        final_loss_a=a.final_loss,
        final_loss_b=b.final_loss,
        layers=tuple(layers),
        tolerance=tolerance,
    )
