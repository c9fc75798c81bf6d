"""An experiment: settings, resolved into data, a network and initial weights, ready to run.

This module is the facade users call. What it is made of lives elsewhere:
reading and checking settings in :mod:`glassnet.config`, turning them into data,
a network and initial weights in :mod:`glassnet.resolve`, the memory budget in
:mod:`glassnet.memory`, and the training engines in :mod:`glassnet.engines`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import config as config_mod
from glassnet import engines
from glassnet.config import ExperimentConfig
from glassnet.data import Dataset
from glassnet.errors import GlassnetWarning
from glassnet.memory import check_memory
from glassnet.network import Network, Params
from glassnet.resolve import (
    build_network,
    check_targets,
    edits_of,
    initial_params,
    load_split,
    method_of,
)
from glassnet.run import Run, finish
from glassnet.training import CheckpointSchedule, Edit, Method, Progress


class Experiment:
    """A validated experiment, ready to :meth:`run`.

    Parameters
    ----------
    source : path, mapping or ExperimentConfig, optional
        A TOML experiment file, the same content as a dict of sections, or an
        already parsed config. Default: the post's experiment.
    allow : bool, default False
        Accept targets the output activation cannot produce (a target of 2
        for a sigmoid output) with a :class:`~glassnet.errors.GlassnetWarning`
        that the loss cannot reach 0, instead of a :class:`DataError`.
    **settings
        Flat overrides of any key, e.g. ``Experiment(dataset="xor",
        layers=[3, 4, 1], seed=1, iterations=60000)``.

    Examples
    --------
    >>> run = Experiment(iterations=2).run()
    >>> run.step(1).prediction.ravel().round(8)
    array([0.40018475, 0.32312967, 0.56698066, 0.48370881])
    """

    def __init__(
        self,
        source: str | Path | Mapping[str, Any] | ExperimentConfig | None = None,
        /,
        *,
        allow: bool = False,
        **settings: Any,
    ) -> None:
        cfg = config_mod.coerce(source)
        if settings:
            cfg = config_mod.from_settings(settings, cfg)
        self.config: ExperimentConfig = cfg
        parts = load_split(cfg)
        self.data: Dataset = parts.train
        #: The held-out examples (``[data] test_fraction``), or ``None``.
        self.test: Dataset | None = parts.test
        self.network: Network = build_network(cfg, self.data)
        #: Warnings about accepted input (``allow=True``), also issued as GlassnetWarning.
        self.warnings: tuple[str, ...] = check_targets(self.network, self.data, allow)
        for message in self.warnings:
            warnings.warn(message, GlassnetWarning, stacklevel=2)
        # Before drawing the weights: a layer of 10**9 units must be refused, not allocated.
        check_memory(self.network, self.data, cfg.train.iterations, cfg.train.checkpoints)
        self.initial: Params = initial_params(cfg, self.network)
        #: How the weights are updated: optimizer, batches, reduction, l2.
        self.method: Method = method_of(cfg)
        #: Changes made by hand before some iterations (the playground's).
        self.edits: tuple[Edit, ...] = edits_of(cfg, self.network)

    def __repr__(self) -> str:
        return f"Experiment({self.config.to_dict()!r})"

    def run(
        self,
        iterations: int | None = None,
        *,
        engine: str = "auto",
        progress: Progress | None = None,
    ) -> Run:
        """Train and return the recorded :class:`~glassnet.run.Run`.

        Parameters
        ----------
        iterations : int, optional
            Overrides ``[train] iterations``: the number of updates to apply.
        engine : {"auto", "numpy", "compiled"}
            ``numpy`` is the readable reference; ``compiled`` the numba kernel.
            A run with held-out examples (``[data] test_fraction``) always
            trains with ``numpy``, which records the test figures each iteration.
        progress : callable, optional
            Called now and then with the number of iterations done.
        """
        cfg = self.config
        if iterations is not None:
            cfg = config_mod.from_settings({"iterations": iterations}, cfg)
        engines.check(engine)
        train = cfg.train
        chosen = engines.select(engine, self.network, train.iterations, self.data.n_samples)
        check_memory(
            self.network,
            self.data,
            train.iterations,
            train.checkpoints,
            method=self.method,
            engine=chosen,
            n_test=0 if self.test is None else self.test.n_samples,
        )
        schedule = CheckpointSchedule.for_run(train.iterations, train.checkpoints)
        held_out: dict[str, Any] = {}
        if self.test is not None:
            # Only the reference engine records the test figures each iteration.
            chosen = "numpy"
            held_out = {"X_test": self.test.X, "y_test": self.test.y}
        trained = engines.trainer(chosen)(
            self.network,
            self.initial.copy(),
            self.data.X,
            self.data.y,
            iterations=train.iterations,
            learning_rate=train.learning_rate,
            train_biases=train.train_biases,
            schedule=schedule,
            progress=progress,
            method=self.method,
            edits=self.edits,
            **held_out,
        )
        # A diverged run's final loss may overflow to inf: that is recorded, never warned.
        with np.errstate(all="ignore"):
            return finish(
                cfg,
                self.network,
                self.data,
                self.initial,
                trained,
                chosen,
                test=self.test,
                method=self.method,
                edits=self.edits,
            )
