"""A finished training run: its histories, checkpoints, final state, and replayed steps."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.activations import Array
from glassnet.config import ExperimentConfig
from glassnet.data import Dataset
from glassnet.errors import ConfigError, describe
from glassnet.network import Network, Params, apply, backward, error_sum, forward, updates
from glassnet.trace import Step, trace_step
from glassnet.training import Checkpoints, Saturation, Stop

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from glassnet.compare import Comparison


@dataclass(frozen=True, eq=False)
class History:
    """Per-iteration figures: entry ``k`` belongs to iteration ``#k``.

    Attributes
    ----------
    loss : (n_recorded,) float64
        The training loss (e.g. ``0.5 * sum((y - a)**2)``).
    error_sum : (n_recorded,) float64
        The seed's error figure ``sum(|y - a|)``.
    test_loss, test_error_sum : (n_recorded,) float64 or None
        The same two figures on the held-out examples (``[data]
        test_fraction``) under the same weights, or ``None`` without a split.
        Both are sums over examples, so compare them with the training figures
        per example (divide by the number of examples of each part).
    """

    loss: Array
    error_sum: Array
    test_loss: Array | None = None
    test_error_sum: Array | None = None

    def __len__(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, Array]:
        """The recorded columns by name (``test_*`` only when there is a split)."""
        columns = {"loss": self.loss, "error_sum": self.error_sum}
        if self.test_loss is not None and self.test_error_sum is not None:
            columns.update(test_loss=self.test_loss, test_error_sum=self.test_error_sum)
        return columns

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame indexed by iteration (needs pandas, which glassnet does not require)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("History.to_pandas() needs pandas: pip install pandas") from None
        frame = pd.DataFrame(self.as_dict())
        frame.index.name = "iteration"
        return frame


@dataclass(frozen=True, eq=False)
class Run:
    """Everything a training run recorded. Renderers read this; they never retrain.

    Attributes
    ----------
    config : ExperimentConfig
        The normalized experiment.
    network : Network
        Architecture, activations and loss.
    data : Dataset
        ``X`` ``(n_samples, n_in)`` and ``y`` ``(n_samples, n_out)``.
    initial, final : Params
        The weights before the first update and after the last.
    iterations : int
        The number of updates applied (``N``); ``final`` is the weights of
        iteration ``#N``.
    history : History
        Loss and error sum of iterations ``#0 .. #N-1`` (plus the bad one for
        a stopped run).
    checkpoints : Checkpoints
        Weights at some iterations, from which :meth:`step` replays any other.
    final_prediction : (n_samples, n_out)
        The forward pass with ``final`` (iteration ``#N``).
    stop : Stop or None
        Why the run ended early, if it did.
    saturation : Saturation or None
        The first iteration at which a sigmoid/tanh layer output exactly an end
        of its range (its gradient vanished there), if that happened.
    engine : str
        Which engine trained it (``"numpy"`` or ``"compiled"``).
    test : Dataset or None
        The held-out examples (``[data] test_fraction``), never trained on;
        ``history.test_loss`` / ``history.test_error_sum`` are measured on them.
    final_test_prediction : (n_test, n_out) or None
        The forward pass of ``test.X`` with ``final``.
    final_test_loss, final_test_error_sum : float or None
        Loss and error sum of that prediction.
    """

    config: ExperimentConfig
    network: Network
    data: Dataset
    initial: Params
    final: Params
    iterations: int
    history: History
    checkpoints: Checkpoints
    final_prediction: Array
    final_loss: float
    final_error_sum: float
    stop: Stop | None = None
    saturation: Saturation | None = None
    engine: str = "numpy"
    test: Dataset | None = None
    final_test_prediction: Array | None = None
    final_test_loss: float | None = None
    final_test_error_sum: float | None = None
    _steps: dict[int, Step] = field(default_factory=dict, repr=False)

    @property
    def learning_rate(self) -> float:
        return self.config.train.learning_rate

    def weights_at(self, iteration: int) -> Params:
        """The params of iteration ``#iteration`` (after that many updates), replayed."""
        self._check_iteration(iteration)
        if iteration == self.iterations:
            return self.final.copy()
        start, params = self.checkpoints.nearest(iteration)
        train_biases = self.config.train.train_biases
        with np.errstate(all="ignore"):
            for _ in range(start, iteration):
                _, acts = forward(self.network, params, self.data.X)
                _, deltas = backward(self.network, params, acts, self.data.y)
                params = apply(
                    params, *updates(params, acts, deltas, self.learning_rate, train_biases)
                )
        return params

    def step(self, iteration: int) -> Step:
        """The full trace of iteration ``#iteration`` (0 to ``N``), replayed exactly.

        The step of iteration ``#N`` shows the update the next iteration would
        make; the run did not apply it (``step.applied`` is ``False``).
        """
        if _is_whole(iteration) and -self.iterations - 1 <= iteration < 0:
            iteration += self.iterations + 1  # -1 is the last iteration, as for a list
        self._check_iteration(iteration)
        iteration = int(iteration)
        if iteration not in self._steps:
            self._steps[iteration] = trace_step(
                self.network,
                self.weights_at(iteration),
                self.data.X,
                self.data.y,
                self.learning_rate,
                self.config.train.train_biases,
                iteration,
                applied=iteration < self.iterations,
            )
        return self._steps[iteration]

    def explain(self, k: int, format: str = "text", digits: int | None = None) -> str:
        """Iteration ``#k`` worked by hand, as text (or another format the explainer has).

        Delegates to :func:`glassnet.explain.explain`; nothing is retrained.
        """
        from glassnet.explain import explain

        return explain(self, k, format=format, digits=digits)

    def plot(self, kind: str = "error", **options: Any) -> Any:
        """A matplotlib figure of the run (see :func:`glassnet.plots.plot` for the kinds)."""
        from glassnet.plots import plot

        return plot(self, kind, **options)

    def report(self, path: str | Path) -> Path:
        """Write the run's one-file HTML report to ``path`` and return the path.

        See :func:`glassnet.report.write_report`.
        """
        from glassnet.report import write_report

        return write_report(self, path)

    def compare(self, other: Run, tolerance: float = 0.0) -> Comparison:
        """Line this run up with ``other``: the first differing iteration, curves, weights.

        See :func:`glassnet.compare.compare_runs`.
        """
        from glassnet.compare import compare_runs

        if not isinstance(other, Run):
            raise ConfigError(
                f"compare needs another glassnet Run (from Experiment.run() or glassnet.load); "
                f"got {describe(other)}."
            )
        limit = math.nan
        if isinstance(tolerance, (int, float, np.integer, np.floating)) and not isinstance(
            tolerance, (bool, np.bool_)
        ):
            with contextlib.suppress(OverflowError):  # an int beyond float64's range
                limit = float(tolerance)
        if not math.isfinite(limit) or limit < 0:
            raise ConfigError(f"tolerance must be a finite number >= 0; got {describe(tolerance)}.")
        return compare_runs(self, other, tolerance=limit)

    def __repr__(self) -> str:
        net = self.network
        test = "" if self.test is None else f", {self.test.n_samples} held out"
        return (
            f"<glassnet.Run {self.data.name!r} ({self.data.n_samples} examples{test}), layers "
            f"{list(net.sizes)}, {'/'.join(a.name for a in net.activations)}, "
            f"{self.iterations:,} updates at learning rate {self.learning_rate:g}, "
            f"final error sum {self.final_error_sum:.8g}>"
        )

    def _repr_html_(self) -> str:
        from glassnet.notebook import run_html

        return run_html(self)

    def _check_iteration(self, iteration: int) -> None:
        if not _is_whole(iteration) or not 0 <= iteration <= self.iterations:
            raise ConfigError(
                f"iteration must be a whole number from 0 to {self.iterations} "
                f"(this run applied {self.iterations} updates); got {describe(iteration)}."
            )

    def to_dict(self, trace: list[int] | tuple[int, ...] = ()) -> dict[str, Any]:
        """The run as plain JSON-ready data (see :mod:`glassnet.serialize`)."""
        from glassnet.serialize import run_to_dict

        return run_to_dict(self, trace)

    def to_json(self, path: str, trace: list[int] | tuple[int, ...] = ()) -> None:
        """Write the run as one JSON document, atomically."""
        from glassnet.serialize import write_json

        write_json(self, path, trace)


def _is_whole(value: object) -> bool:
    """A Python or numpy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def finish(
    config: ExperimentConfig,
    network: Network,
    data: Dataset,
    initial: Params,
    trained: Any,
    engine: str,
    test: Dataset | None = None,
) -> Run:
    """Build a :class:`Run` from an engine's result, adding the final forward pass.

    With held-out examples ``test`` the final forward pass of ``test.X`` is
    recorded too.
    """
    with np.errstate(all="ignore"):
        _, acts = forward(network, trained.final, data.X)
        test_prediction = None if test is None else forward(network, trained.final, test.X)[1][-1]
    prediction = acts[-1]
    return Run(
        config=config,
        network=network,
        data=data,
        initial=initial,
        final=trained.final,
        iterations=trained.updates_applied,
        history=History(
            trained.loss,
            trained.error_sum,
            getattr(trained, "test_loss", None),
            getattr(trained, "test_error_sum", None),
        ),
        checkpoints=trained.checkpoints,
        final_prediction=prediction,
        final_loss=network.loss.fn(data.y, prediction),
        final_error_sum=error_sum(data.y, prediction),
        stop=trained.stop,
        saturation=trained.saturation,
        engine=engine,
        test=test,
        final_test_prediction=test_prediction,
        final_test_loss=None if test is None else network.loss.fn(test.y, test_prediction),
        final_test_error_sum=None if test is None else error_sum(test.y, test_prediction),
    )
