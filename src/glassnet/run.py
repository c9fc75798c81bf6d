"""A finished training run: its histories, checkpoints, final state, and replayed steps."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.config import ExperimentConfig
from glassnet.data import Dataset
from glassnet.errors import ConfigError, describe
from glassnet.explain.numbers import count
from glassnet.network import Network, Params, error_sum, forward
from glassnet.trace import Step, trace_step
from glassnet.training import (
    Batches,
    Checkpoints,
    Edit,
    Method,
    OptimizerState,
    Saturation,
    Stop,
    apply_edit,
    initial_state,
    learning_rate_at,
    loss_value,
    reference_step,
)
from glassnet.types import Array, IntArray

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
        The post's error figure ``sum(|y - a|)``.
    test_loss, test_error_sum : (n_recorded,) float64 or None
        The same two figures on the held-out examples (``[data]
        test_fraction``) under the same weights, or ``None`` without a split.
        Both are sums over examples, so compare them with the training figures
        per example (divide by the number of examples of each part).
    batch_loss : (n_recorded,) float64 or None
        With mini-batches: the loss of the batch iteration ``#k`` trained on
        (``loss`` is always of every example); ``None`` for the full batch.
    batches_per_epoch : int
        Iterations per pass over the data (1 for the full batch).
    """

    loss: Array
    error_sum: Array
    test_loss: Array | None = None
    test_error_sum: Array | None = None
    batch_loss: Array | None = None
    batches_per_epoch: int = 1

    @property
    def epoch(self) -> IntArray:
        """The epoch of every recorded iteration (int64)."""
        return np.arange(len(self.loss), dtype=np.int64) // self.batches_per_epoch

    def __len__(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, Array]:
        """The recorded columns by name (``test_*`` only when there is a split)."""
        columns = {"loss": self.loss, "error_sum": self.error_sum}
        if self.test_loss is not None and self.test_error_sum is not None:
            columns.update(test_loss=self.test_loss, test_error_sum=self.test_error_sum)
        if self.batch_loss is not None:
            columns.update(batch_loss=self.batch_loss, epoch=self.epoch.astype(np.float64))
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
    method: Method = field(default_factory=Method)
    edits: tuple[Edit, ...] = ()
    final_state: OptimizerState = field(default_factory=dict)
    _steps: dict[int, Step] = field(default_factory=dict, repr=False)
    _batches: list[Batches] = field(default_factory=list, repr=False)

    @property
    def learning_rate(self) -> float:
        return self.config.train.learning_rate

    @property
    def batches(self) -> Batches:
        """Which examples each iteration used (see :class:`~glassnet.training.Batches`)."""
        if not self._batches:
            m = self.method
            self._batches.append(Batches(self.data.n_samples, m.batch_size, m.shuffle_seed))
        return self._batches[0]

    def learning_rate_at(self, iteration: int) -> float:
        """The learning rate iteration ``#iteration`` used (edits included)."""
        return learning_rate_at(self.learning_rate, self.edits, iteration)

    def weights_at(self, iteration: int) -> Params:
        """The params of iteration ``#iteration`` (after that many updates), replayed."""
        return self.state_at(iteration)[0]

    def state_at(self, iteration: int) -> tuple[Params, OptimizerState]:
        """The params and the optimizer's state of iteration ``#iteration``, replayed.

        Replays the updates from the latest checkpoint at or before it with the
        reference arithmetic (:func:`~glassnet.training.reference_step`), the
        same batches and the edits made in between.
        """
        self._check_iteration(iteration)
        if iteration == self.iterations:
            return self.final.copy(), {k: v.copy() for k, v in self.final_state.items()}
        index = self.checkpoints.index_before(iteration)
        start = int(self.checkpoints.iterations[index])
        params = self.checkpoints.at(index)
        state = self.checkpoints.state_at(index)
        if not state and self.method.optimizer.slots:
            state = initial_state(self.method, params)  # a run saved without its state
        edits = sorted(
            (e for e in self.edits if start < e.iteration <= iteration), key=lambda e: e.iteration
        )
        rate = self.learning_rate_at(start)
        train_biases = self.config.train.train_biases
        with np.errstate(all="ignore"):
            for k in range(start, iteration):
                params, state = reference_step(
                    self.network,
                    params,
                    state,
                    self.data.X,
                    self.data.y,
                    self.batches.rows(k),
                    iteration=k,
                    learning_rate=rate,
                    train_biases=train_biases,
                    method=self.method,
                )
                while edits and edits[0].iteration == k + 1:
                    params, rate = apply_edit(self.network, params, rate, edits.pop(0))
        return params, state

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
            params, state = self.state_at(iteration)
            self._steps[iteration] = trace_step(
                self.network,
                params,
                self.data.X,
                self.data.y,
                self.learning_rate_at(iteration),
                self.config.train.train_biases,
                iteration,
                applied=iteration < self.iterations,
                method=self.method,
                state=state,
                rows=self.batches.rows(iteration),
                epoch=self.batches.epoch(iteration),
            )
        return self._steps[iteration]

    def explain(
        self,
        k: int,
        format: str = "text",
        digits: int | None = None,
        notation: str = "delta",
        decimals: int | None = None,
    ) -> str:
        """Iteration ``#k`` worked by hand, as text (or another format the explainer has).

        Delegates to :func:`glassnet.explain.explain`; nothing is retrained.
        """
        from glassnet.explain import explain

        return explain(self, k, format=format, digits=digits, notation=notation, decimals=decimals)

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
            f"<glassnet.Run {self.data.name!r} ({count(self.data.n_samples, 'example')}{test}), layers "
            f"{list(net.sizes)}, {'/'.join(a.name for a in net.activations)}, "
            f"{count(self.iterations, 'update')} at learning rate {self.learning_rate:g}, "
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

    def extend(
        self, iterations: int, *, edits: Sequence[Edit] = (), engine: str | None = None
    ) -> Run:
        """This run trained ``iterations`` more updates from where it ended, as a new run.

        It continues from the final weights and the optimizer's state (and the
        batches' order) exactly: the result has the numbers of one run of
        ``self.iterations + iterations`` with all the edits, on the same
        engine. ``edits`` are made before iterations ``#self.iterations`` or
        later. Checkpoints are thinned to the experiment's ``[train]
        checkpoints`` (keeping replay short); the config records the new
        total and every edit.
        """
        from glassnet import config as config_mod
        from glassnet import engines
        from glassnet.training import CheckpointSchedule, merge_checkpoints

        if not isinstance(iterations, (int, np.integer)) or not iterations >= 1:
            raise ConfigError(
                f"extend needs a whole number of iterations >= 1; got {iterations!r}."
            )
        if self.stop is not None:
            raise ConfigError(
                f"this run stopped at iteration #{self.stop.iteration} (its loss was not finite); "
                "it cannot continue."
            )
        early = [e for e in edits if e.iteration < self.iterations]
        if early:
            raise ConfigError(
                f"edits must be at iteration #{self.iterations} or later (the run's end); "
                f"got one at #{early[0].iteration}."
            )
        total = self.iterations + int(iterations)
        all_edits = (*self.edits, *edits)
        cfg = config_mod.from_settings(
            {
                "iterations": total,
                "edits": [
                    {"iteration": e.iteration, "set": e.target, "value": e.value} for e in all_edits
                ],
            },
            self.config,
        )
        chosen = engine or self.engine
        held_out = {} if self.test is None else {"X_test": self.test.X, "y_test": self.test.y}
        trained = engines.trainer(
            engines.select(chosen, self.network, iterations, self.data.n_samples)
        )(
            self.network,
            self.final.copy(),
            self.data.X,
            self.data.y,
            iterations=int(iterations),
            learning_rate=self.learning_rate_at(self.iterations),
            train_biases=self.config.train.train_biases,
            schedule=CheckpointSchedule.for_run(int(iterations), cfg.train.checkpoints),
            method=self.method,
            edits=all_edits,
            start=self.iterations,
            state={k: v.copy() for k, v in self.final_state.items()},
            **held_out,
        )
        history = self.history

        def joined(old: Array | None, new: Array | None) -> Array | None:
            return None if old is None or new is None else np.concatenate([old, new])

        merged = replace(
            trained,
            loss=np.concatenate([history.loss, trained.loss]),
            error_sum=np.concatenate([history.error_sum, trained.error_sum]),
            test_loss=joined(history.test_loss, trained.test_loss),
            test_error_sum=joined(history.test_error_sum, trained.test_error_sum),
            batch_loss=joined(history.batch_loss, trained.batch_loss),
            checkpoints=merge_checkpoints(
                self.checkpoints, trained.checkpoints, total, cfg.train.checkpoints
            ),
            updates_applied=self.iterations + trained.updates_applied,
            saturation=self.saturation or trained.saturation,
        )
        with np.errstate(all="ignore"):
            return finish(
                cfg,
                self.network,
                self.data,
                self.initial,
                merged,
                self.engine if chosen == self.engine else chosen,
                test=self.test,
                method=self.method,
                edits=tuple(all_edits),
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
    method: Method | None = None,
    edits: tuple[Edit, ...] = (),
) -> Run:
    """Build a :class:`Run` from an engine's result, adding the final forward pass.

    With held-out examples ``test`` the final forward pass of ``test.X`` is
    recorded too.
    """
    method = method or Method()
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
            getattr(trained, "batch_loss", None),
            Batches(data.n_samples, method.batch_size).per_epoch,
        ),
        checkpoints=trained.checkpoints,
        final_prediction=prediction,
        final_loss=loss_value(network, data.y, prediction, method.mean),
        final_error_sum=error_sum(data.y, prediction),
        stop=trained.stop,
        saturation=trained.saturation,
        engine=engine,
        test=test,
        final_test_prediction=test_prediction,
        final_test_loss=(
            None
            if test is None or test_prediction is None
            else loss_value(network, test.y, test_prediction, method.mean)
        ),
        final_test_error_sum=(
            None if test is None or test_prediction is None else error_sum(test.y, test_prediction)
        ),
        method=method,
        edits=tuple(edits),
        final_state=getattr(trained, "final_state", {}),
    )
