"""Sweeps: one experiment trained from many seeds, learning rates, optimizers and batch sizes.

The post's question, "how do the weights end up where they do", wants many
runs. :func:`sweep` trains every (optimizer, batch size, seed, learning rate)
combination of one experiment and returns a :class:`Sweep`: per network only
its final params, the error sum and loss of its final iteration ``#N``, the
first iteration whose error sum reached a target, and where it stopped if its
loss stopped being finite (bounded memory: no histories).
:meth:`Sweep.summaries` reduces those to distributions (:class:`Distribution`),
one :class:`SweepSummary` per (optimizer, batch size, learning rate).

Every network does exactly the arithmetic of a single run of the same seed and
settings (:meth:`glassnet.Experiment.run`); the final weights agree with single
runs under the tolerance policy (``tests/unit/test_sweep.py``). Networks are grouped
by (optimizer, batch size), the settings a kernel is written for, and each
group trains in one call of a batch engine: the compiled engine's vectorized
kernel (:mod:`glassnet.engines.batched`) or, where numba is missing, a plain
vectorized numpy loop over the same batch. With mini-batches every network of
a group draws the batches its single run draws (the experiment's shuffle seed).
With ``dask``, chunks of networks go to a Dask cluster instead
(:mod:`glassnet.sweep_dask`): the same numbers, bit for bit.

Network order: optimizer-major, then batch size, then seed, then learning rate:
``network = ((optimizer_index * n_batch_sizes + batch_size_index) * n_seeds
+ seed_index) * n_rates + rate_index``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from glassnet import engines
from glassnet.config import ExperimentConfig
from glassnet.errors import ConfigError, describe, did_you_mean
from glassnet.memory import check_sweep_memory
from glassnet.network import Network, Params, parameter_names
from glassnet.optimizers import OPTIMIZERS
from glassnet.training import BatchTrained, Method
from glassnet.types import Array, IntArray

#: A progress callback of a sweep: called with the networks trained so far and their total.
SweepProgress = Callable[[int, int], None]

#: The default target of "iterations to reach": an error sum ``sum(|y - a|)`` of 0.05.
DEFAULT_TARGET_ERROR = 0.05
#: ``numpy.random.RandomState`` accepts seeds from 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Distribution:
    """Summary statistics of one quantity over a sweep's networks.

    Non-finite values (from networks that diverged) are counted in
    ``n_nonfinite`` and left out of the statistics. All statistics are ``nan``
    when no value is finite.
    """

    name: str
    count: int
    n_nonfinite: int
    mean: float
    std: float
    min: float
    p05: float
    p25: float
    median: float
    p75: float
    p95: float
    max: float

    @classmethod
    def of(cls, name: str, values: Array) -> Distribution:
        """The distribution of ``values`` (1-D)."""
        values = np.asarray(values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            nan = math.nan
            return cls(name, 0, int(values.size), nan, nan, nan, nan, nan, nan, nan, nan, nan)
        with np.errstate(all="ignore"):  # diverged weights near 1e300 overflow the std: inf
            q = np.percentile(finite, [0, 5, 25, 50, 75, 95, 100])
            mean, std = float(finite.mean()), float(finite.std())
        return cls(
            name,
            int(finite.size),
            int(values.size - finite.size),
            mean,
            std,
            *(float(v) for v in q),
        )


@dataclass(frozen=True)
class SweepSummary:
    """The distributions over the networks of one (optimizer, batch size, learning rate).

    Attributes
    ----------
    learning_rate : float
    n_networks : int
    n_stopped : int
        Networks whose loss stopped being finite.
    weights : tuple of Distribution
        One per parameter, named ``W0[0,0]``, ..., ``b0[0]`` (as
        :attr:`Sweep.parameter_names`).
    final_error_sum, final_loss : Distribution
        Of iteration ``#N``.
    target_error : float
    n_reached : int
        Networks whose error sum reached ``target_error`` within the run.
    iterations_to_target : Distribution
        The first iteration at which they did (over those that did).
    optimizer : str
    batch_size : int
        Examples per update (0: the full batch).
    """

    learning_rate: float
    n_networks: int
    n_stopped: int
    weights: tuple[Distribution, ...]
    final_error_sum: Distribution
    final_loss: Distribution
    target_error: float
    n_reached: int
    iterations_to_target: Distribution
    optimizer: str = "gd"
    batch_size: int = 0


def batch_size_text(batch_size: int) -> str:
    """``"full batch"`` for 0, else ``"batch size 8"``."""
    return "full batch" if batch_size == 0 else f"batch size {batch_size}"


@dataclass(frozen=True, eq=False)
class Sweep:
    """Per-network results of a sweep (one row per network, in the order of :mod:`glassnet.sweep`).

    Attributes
    ----------
    config : ExperimentConfig
        The experiment every network trained (its seed and learning rate, and
        its optimizer and batch size where the sweep varies them, replaced by
        the sweep's).
    network : Network
    seeds : (n_networks,) int64
    learning_rates : (n_networks,) float64
    iterations : int
        Updates applied to each network that did not stop.
    target_error : float
    parameter_names : tuple of str
        ``W0[0,0]``, ... ``b0[0]``, ...: the columns of :attr:`final_params`.
    final_params : (n_networks, n_params) float64
        Every network's final weights and biases, layer by layer (the layout
        of :meth:`glassnet.network.Params.flat`).
    final_error_sum, final_loss : (n_networks,) float64
        Of iteration ``#N`` (the final params' forward pass).
    iterations_to_target : (n_networks,) int64
        First iteration whose error sum is ``<= target_error``; ``-1``: never.
    stopped_at : (n_networks,) int64
        Iteration whose loss was not finite (the network kept its params
        from there); ``-1``: it trained to the end.
    engine : str
        ``"compiled"`` or ``"numpy"``.
    error_history : (n_networks, n_recorded) float64 or None
        Only when asked for (``history_every``): the error sum of iterations
        ``#0, #k, #2k, ...`` (``k = history_every``) of every network; after a
        network stopped, its entries are of its frozen params.
    history_every : int
        ``k`` above (0 when no history was recorded).
    optimizers : (n_networks,) str or None
        Each network's optimizer, where the sweep varies it; ``None``: every
        network uses the experiment's (see :meth:`optimizer_column`).
    batch_sizes : (n_networks,) int64 or None
        Each network's batch size (0: the full batch), where the sweep varies
        it; ``None``: every network uses the experiment's (:meth:`batch_size_column`).
    """

    config: ExperimentConfig
    network: Network
    seeds: IntArray
    learning_rates: Array
    iterations: int
    target_error: float
    parameter_names: tuple[str, ...]
    final_params: Array
    final_error_sum: Array
    final_loss: Array
    iterations_to_target: IntArray
    stopped_at: IntArray
    engine: str
    error_history: Array | None = None
    history_every: int = 0
    optimizers: Array | None = None
    batch_sizes: IntArray | None = None

    @property
    def n_networks(self) -> int:
        return int(self.seeds.size)

    def optimizer_column(self) -> Array:
        """Every network's optimizer (the experiment's where the sweep did not vary it)."""
        if self.optimizers is not None:
            return self.optimizers
        return np.full(self.n_networks, self.config.train.optimizer)

    def batch_size_column(self) -> IntArray:
        """Every network's batch size, 0 for the full batch (the experiment's where the
        sweep did not vary it)."""
        if self.batch_sizes is not None:
            return self.batch_sizes
        return np.full(self.n_networks, self.config.train.batch_size or 0, dtype=np.int64)

    def varies(self) -> tuple[bool, bool]:
        """Whether the sweep varies ``(optimizer, batch size)`` across its networks."""
        return (
            len(set(self.optimizer_column().tolist())) > 1,
            len(set(self.batch_size_column().tolist())) > 1,
        )

    def _repr_html_(self) -> str:
        from glassnet.notebook import sweep_html

        return sweep_html(self)

    def params(self, index: int) -> Params:
        """The final :class:`~glassnet.network.Params` of network ``index``."""
        return initial_params_template(self.network).with_flat(self.final_params[index])

    def rates(self) -> list[float]:
        """The distinct learning rates, in the order given."""
        return list(dict.fromkeys(float(r) for r in self.learning_rates))

    def combinations(self) -> list[tuple[str, int, float]]:
        """The distinct ``(optimizer, batch size, learning rate)``, in network order."""
        return list(
            dict.fromkeys(
                zip(
                    (str(o) for o in self.optimizer_column()),
                    (int(b) for b in self.batch_size_column()),
                    (float(r) for r in self.learning_rates),
                )
            )
        )

    def rows_of(self, optimizer: str, batch_size: int, learning_rate: float) -> Array:
        """Which networks trained with this combination (a boolean mask)."""
        return (
            (self.optimizer_column() == optimizer)
            & (self.batch_size_column() == batch_size)
            & (self.learning_rates == learning_rate)
        )

    def label(self, optimizer: str, batch_size: int, learning_rate: float) -> str:
        """``"learning rate 0.5"``, led by the optimizer and the batch size where the sweep
        varies them (``"adam, batch size 8, learning rate 0.5"``)."""
        by_optimizer, by_batch = self.varies()
        parts = [optimizer] if by_optimizer else []
        parts += [batch_size_text(batch_size)] if by_batch else []
        return ", ".join([*parts, f"learning rate {learning_rate:g}"])

    def summaries(self) -> tuple[SweepSummary, ...]:
        """One :class:`SweepSummary` per (optimizer, batch size, learning rate)."""
        out = []
        for optimizer, batch_size, rate in self.combinations():
            rows = self.rows_of(optimizer, batch_size, rate)
            reach = self.iterations_to_target[rows]
            out.append(
                SweepSummary(
                    learning_rate=rate,
                    n_networks=int(rows.sum()),
                    n_stopped=int((self.stopped_at[rows] >= 0).sum()),
                    weights=tuple(
                        Distribution.of(name, self.final_params[rows, i])
                        for i, name in enumerate(self.parameter_names)
                    ),
                    final_error_sum=Distribution.of("final error sum", self.final_error_sum[rows]),
                    final_loss=Distribution.of("final loss", self.final_loss[rows]),
                    target_error=self.target_error,
                    n_reached=int((reach >= 0).sum()),
                    iterations_to_target=Distribution.of(
                        "iterations to target", reach[reach >= 0].astype(np.float64)
                    ),
                    optimizer=optimizer,
                    batch_size=batch_size,
                )
            )
        return tuple(out)


def initial_params_template(network: Network) -> Params:
    """Zero params of ``network``'s shapes (a template for ``Params.with_flat``)."""
    return Params(
        tuple(np.zeros(shape) for shape in network.shapes),
        tuple(np.zeros(o) if has else None for (_, o), has in zip(network.shapes, network.bias)),
    )


def initial_weights(network: Network, seeds: Sequence[int]) -> list[Array]:
    """Each layer's initial weights for every seed, ``(n_seeds, n_in, n_out)`` per layer.

    The same draws as :func:`glassnet.network.init_params` (``W = 2 *
    RandomState(seed).random_sample((n_in, n_out)) - 1``, layer by layer),
    reseeding one generator instead of building one per seed.
    """
    rng = np.random.RandomState()
    out = [np.empty((len(seeds), *shape)) for shape in network.shapes]
    for s, seed in enumerate(seeds):
        rng.seed(int(seed))
        for layer, shape in enumerate(network.shapes):
            out[layer][s] = 2 * rng.random_sample(shape) - 1
    return out


#: The names a sweep accepts for the full batch, besides 0.
FULL_BATCH = ("full",)


def batch_size_of(value: object) -> int:
    """A sweep's batch size as a whole number, 0 for the full batch (``0``, ``None`` or
    ``"full"``); anything else is a :class:`~glassnet.errors.ConfigError`."""
    if value is None or (isinstance(value, str) and value.strip().lower() in FULL_BATCH):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0:
        return int(value)
    raise ConfigError(
        "batch sizes must be whole numbers >= 1 (examples per update), or 0 or 'full' for "
        f"the full batch; got {describe(value)}."
    )


def check_sweep(
    config: ExperimentConfig,
    seeds: Sequence[int],
    rates: Sequence[float],
    target_error: float,
    optimizers: Sequence[str] = ("gd",),
    batch_sizes: Sequence[int] = (0,),
) -> None:
    """Validate a sweep's settings once, before training."""
    if not seeds:
        raise ConfigError("a sweep needs at least one seed; e.g. --seeds 0:100.")
    bad = [s for s in seeds if not 0 <= s <= MAX_SEED]
    if bad:
        raise ConfigError(
            f"seeds must be whole numbers from 0 to {MAX_SEED} (numpy.random.RandomState); "
            f"got {bad[0]}."
        )
    if len(set(seeds)) != len(seeds):
        raise ConfigError("seeds must not repeat; each seed is one network.")
    if not rates:
        raise ConfigError("a sweep needs at least one learning rate; e.g. --learning-rates 0.5,1.")
    for rate in rates:
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigError(f"learning rates must be finite numbers > 0; got {rate}.")
    if len(set(rates)) != len(rates):
        raise ConfigError("learning rates must not repeat.")
    if not optimizers:
        raise ConfigError("a sweep needs at least one optimizer; e.g. --optimizers gd,adam.")
    for name in optimizers:
        if name not in OPTIMIZERS:
            raise ConfigError(
                f"optimizers must be among {', '.join(OPTIMIZERS)}; got {describe(name)}."
                f"{did_you_mean(str(name), OPTIMIZERS)}"
            )
    if len(set(optimizers)) != len(optimizers):
        raise ConfigError("optimizers must not repeat.")
    if not batch_sizes:
        raise ConfigError("a sweep needs at least one batch size; e.g. --batch-sizes full,8.")
    if len(set(batch_sizes)) != len(batch_sizes):
        raise ConfigError(
            "batch sizes must not repeat (0 and 'full' are the same: the full batch)."
        )
    if math.isnan(target_error):
        raise ConfigError("--target-error must be a number, e.g. 0.05; got nan.")
    if config.init.weights is not None:
        raise ConfigError(
            "a sweep draws each network's initial weights from its seed, but the experiment "
            "sets [init] weights; remove them to sweep over seeds."
        )
    if getattr(config.data, "test_fraction", 0):
        raise ConfigError("a sweep trains on all the data; set [data] test_fraction = 0 to sweep.")
    if config.edits:
        raise ConfigError(
            "a sweep trains without hand edits, but the experiment has [[edits]]; remove them "
            "to sweep."
        )


@dataclass(frozen=True)
class Job:
    """Networks that train in one call of a batch engine: one (optimizer, batch size)
    group of a sweep, or a chunk of one. Plain data, so that it can be sent to another
    process; :func:`train_job` trains it (pure: the same job gives the same bits)."""

    network: Network
    X: Array
    y: Array
    W: Array
    b: Array
    learning_rates: Array
    method: Method
    iterations: int
    train_biases: bool
    target_error: float
    history_every: int
    engine: str
    #: The first network of the job, in the sweep's order.
    start: int

    @property
    def n_networks(self) -> int:
        return int(self.W.shape[1])

    def part(self, lo: int, hi: int) -> Job:
        """The job of networks ``lo .. hi-1`` of this one."""
        return replace(
            self,
            W=self.W[:, lo:hi].copy(),
            b=self.b[:, lo:hi].copy(),
            learning_rates=self.learning_rates[lo:hi].copy(),
            start=self.start + lo,
        )


def train_job(job: Job, threads: int | None = None) -> BatchTrained:
    """Train ``job`` with its batch engine (its arrays are not modified)."""
    return engines.batch_trainer(job.engine)(
        job.network,
        job.X,
        job.y,
        job.W,
        job.b,
        job.learning_rates,
        iterations=job.iterations,
        train_biases=job.train_biases,
        target_error=job.target_error,
        history_every=job.history_every,
        method=job.method,
        threads=threads,
    )


def sweep(
    experiment: object = None,
    seeds: Sequence[int] = range(100),
    learning_rates: Sequence[float] | None = None,
    *,
    optimizers: Sequence[str] | None = None,
    batch_sizes: Sequence[int | str | None] | None = None,
    iterations: int | None = None,
    target_error: float = DEFAULT_TARGET_ERROR,
    engine: str = "auto",
    history_every: int | None = None,
    dask: str | None = None,
    progress: SweepProgress | None = None,
) -> Sweep:
    """Train ``experiment`` from every seed in ``seeds`` at every learning rate, with every
    optimizer and batch size.

    Parameters
    ----------
    experiment : Experiment, path, mapping or None
        What :class:`glassnet.Experiment` accepts (default: the post's).
    seeds : sequence of int
        One network per seed (and learning rate, optimizer and batch size).
    learning_rates : sequence of float, optional
        Default: the experiment's own.
    optimizers : sequence of str, optional
        Names from :data:`glassnet.optimizers.OPTIMIZERS`; default: the
        experiment's own. Every optimizer reads the experiment's settings
        (``momentum``, ``beta1`` ...).
    batch_sizes : sequence of int or "full", optional
        Examples per update; 0, ``None`` or ``"full"`` for the full batch.
        Default: the experiment's own. Mini-batches are drawn with the
        experiment's ``shuffle_seed``, as a single run draws them.
    iterations : int, optional
        Overrides ``[train] iterations``.
    target_error : float
        For :attr:`Sweep.iterations_to_target`: an error sum ``sum(|y - a|)``.
    engine : {"auto", "compiled", "numpy"}
        ``auto`` and ``compiled`` use the batched kernel where numba is
        available; ``compiled`` without numba warns
        (:class:`~glassnet.engines.EngineFallback`) and uses numpy.
    history_every : int, optional
        Also record every network's error sum every this many iterations
        (:attr:`Sweep.error_history`); by default a sweep keeps summaries only.
    dask : str, optional
        Train on a Dask cluster: a scheduler's address (``"tcp://host:8786"``)
        or ``"local:N"`` for a cluster of N worker processes on this machine
        (:mod:`glassnet.sweep_dask`; needs ``pip install 'glassnet[dask]'``).
        The numbers are the same as without it, bit for bit.
    progress : callable, optional
        Called with ``(networks trained, networks in all)`` as groups (with
        ``dask``: chunks) finish.
    """
    from glassnet import config as config_mod
    from glassnet.experiment import Experiment

    exp = experiment if isinstance(experiment, Experiment) else Experiment(experiment)  # type: ignore[arg-type]  # a path, a dict or None
    cfg = exp.config
    if iterations is not None:
        cfg = config_mod.from_settings({"iterations": iterations}, cfg)
    engines.check(engine)
    rates = [float(r) for r in (learning_rates or [cfg.train.learning_rate])]
    if isinstance(optimizers, str):  # one name, not its letters
        optimizers = [optimizers]
    if isinstance(batch_sizes, (str, int)):
        batch_sizes = [batch_sizes]
    names = [str(o) for o in optimizers] if optimizers else [cfg.train.optimizer]
    sizes = [batch_size_of(b) for b in batch_sizes] if batch_sizes else [cfg.train.batch_size or 0]
    slots = max((len(OPTIMIZERS[o].slots) for o in names if o in OPTIMIZERS), default=0)
    # before building anything per network: ten billion seeds are refused, not listed
    check_sweep_memory(exp.network, len(seeds) * len(rates) * len(names) * len(sizes), slots)
    seeds = [int(s) for s in seeds]
    check_sweep(cfg, seeds, rates, target_error, names, sizes)
    network, data, train = exp.network, exp.data, cfg.train
    n_per_group = len(seeds) * len(rates)
    groups = [(name, size) for name in names for size in sizes]
    every = check_history(history_every, train.iterations, n_per_group * len(groups))
    if dask is not None:
        from glassnet.sweep_dask import check_address

        check_address(dask)
    per_layer = initial_weights(network, seeds)  # (n_seeds, n_in, n_out) each
    W0 = np.concatenate([w.reshape(len(seeds), -1) for w in per_layer], axis=1)
    W0 = np.repeat(W0, len(rates), axis=0).T.copy()  # (n_weights, n_networks of a group)
    n_b = sum(o for (_, o), has in zip(network.shapes, network.bias) if has)
    b0 = np.zeros((n_b, W0.shape[1]))
    group_rates = np.tile(np.array(rates, dtype=np.float64), len(seeds))
    chosen = engines.select_batch(engine)
    jobs = [
        Job(
            network=network,
            X=data.X,
            y=data.y,
            W=W0,
            b=b0,
            learning_rates=group_rates,
            method=replace(exp.method, optimizer=OPTIMIZERS[name], batch_size=size or None),
            iterations=train.iterations,
            train_biases=train.train_biases,
            target_error=float(target_error),
            history_every=every,
            engine=chosen,
            start=g * n_per_group,
        )
        for g, (name, size) in enumerate(groups)
    ]
    if dask is not None:
        from glassnet.sweep_dask import train_on_dask

        results = train_on_dask(dask, jobs, progress)
    else:
        results = []
        for job in jobs:
            results.append((job, train_job(job)))
            if progress is not None:
                progress(job.start + job.n_networks, n_per_group * len(groups))
    n_total = n_per_group * len(groups)
    n_params = network.n_params
    final = np.empty((n_total, n_params))
    err, loss = np.empty(n_total), np.empty(n_total)
    reach = np.empty(n_total, dtype=np.int64)
    stop = np.empty(n_total, dtype=np.int64)
    hist = np.empty((n_total, math.ceil(train.iterations / every))) if every else None
    for job, result in results:
        rows = slice(job.start, job.start + job.n_networks)
        final[rows] = flat_params(network, result.W, result.b)
        err[rows], loss[rows] = result.final_error_sum, result.final_loss
        reach[rows], stop[rows] = result.reached, result.stopped
        if hist is not None and result.error_history is not None:
            hist[rows] = result.error_history
    # the columns where a network's optimizer or batch size is not the experiment's
    own_optimizer = names == [cfg.train.optimizer]
    own_batch_size = sizes == [cfg.train.batch_size or 0]
    return Sweep(
        config=cfg,
        network=network,
        seeds=np.tile(np.repeat(np.array(seeds, dtype=np.int64), len(rates)), len(groups)),
        learning_rates=np.tile(group_rates, len(groups)),
        iterations=train.iterations,
        target_error=float(target_error),
        parameter_names=parameter_names(network),
        final_params=final,
        final_error_sum=err,
        final_loss=loss,
        iterations_to_target=reach,
        stopped_at=stop,
        engine=chosen,
        error_history=hist,
        history_every=every,
        optimizers=(
            None if own_optimizer else np.repeat(np.array([g[0] for g in groups]), n_per_group)
        ),
        batch_sizes=(
            None
            if own_batch_size
            else np.repeat(np.array([g[1] for g in groups], dtype=np.int64), n_per_group)
        ),
    )


#: The most memory an asked-for error history may take.
MAX_HISTORY_BYTES = 2**30


def check_history(every: int | None, iterations: int, n_networks: int) -> int:
    """Validate ``history_every``; return it (0 for no history)."""
    if every is None or every == 0:
        return 0
    if not isinstance(every, int) or every < 1:
        raise ConfigError(f"--history-every must be a whole number >= 1; got {every!r}.")
    size = n_networks * math.ceil(iterations / every) * 8
    if size > MAX_HISTORY_BYTES:
        smallest = math.ceil(n_networks * iterations * 8 / MAX_HISTORY_BYTES)
        raise ConfigError(
            f"--history-every {every} would keep {size / 2**30:.1f} GiB of error sums "
            f"({n_networks:,} networks x {math.ceil(iterations / every):,} iterations); "
            f"use --history-every {smallest} or more."
        )
    return every


def flat_params(network: Network, W: Array, b: Array) -> Array:
    """``(n_networks, n_params)`` in ``Params.flat()`` order from the kernels'
    ``W`` ``(n_weights, n_networks)`` and ``b`` ``(n_biases, n_networks)``."""
    columns = []
    w_at = b_at = 0
    for (n_in, n_out), has in zip(network.shapes, network.bias):
        columns.append(W[w_at : w_at + n_in * n_out])
        w_at += n_in * n_out
        if has:
            columns.append(b[b_at : b_at + n_out])
            b_at += n_out
    return np.concatenate(columns, axis=0).T.copy()
