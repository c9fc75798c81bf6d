"""Sweeps: one experiment trained from many seeds (and learning rates) at once.

The seed's question, "how do the weights end up where they do", wants many
runs. :func:`sweep` trains every (seed, learning rate) combination of one
experiment together and returns a :class:`Sweep`: per network only its final
params, the error sum and loss of its final iteration ``#N``, the first
iteration whose error sum reached a target, and where it stopped if its loss
stopped being finite (bounded memory: no histories). :meth:`Sweep.summaries`
reduces those to distributions (:class:`Distribution`), one
:class:`SweepSummary` per learning rate.

Every network does exactly the arithmetic of a single run of the same seed
(:meth:`glassnet.Experiment.run`); the final weights agree with single runs to
relative 1e-12 (``tests/test_sweep.py``). The compiled engine trains all
networks in one vectorized kernel (:mod:`glassnet.engines.batched`); the
numpy engine, used where numba is missing, is a plain vectorized numpy loop
over the same batch.

Network order: seed-major, ``network = seed_index * n_rates + rate_index``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from glassnet import engines
from glassnet.config import ExperimentConfig
from glassnet.errors import ConfigError
from glassnet.memory import check_sweep_memory
from glassnet.network import Network, Params, parameter_names
from glassnet.types import Array

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
    """The distributions over the networks of one learning rate.

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


@dataclass(frozen=True, eq=False)
class Sweep:
    """Per-network results of a sweep (one row per network, seed-major).

    Attributes
    ----------
    config : ExperimentConfig
        The experiment every network trained (its seed and learning rate
        replaced by the sweep's).
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
    """

    config: ExperimentConfig
    network: Network
    seeds: Array
    learning_rates: Array
    iterations: int
    target_error: float
    parameter_names: tuple[str, ...]
    final_params: Array
    final_error_sum: Array
    final_loss: Array
    iterations_to_target: Array
    stopped_at: Array
    engine: str
    error_history: Array | None = None
    history_every: int = 0

    @property
    def n_networks(self) -> int:
        return int(self.seeds.size)

    def _repr_html_(self) -> str:
        from glassnet.notebook import sweep_html

        return sweep_html(self)

    def params(self, index: int) -> Params:
        """The final :class:`~glassnet.network.Params` of network ``index``."""
        return initial_params_template(self.network).with_flat(self.final_params[index])

    def rates(self) -> list[float]:
        """The distinct learning rates, in the order given."""
        return list(dict.fromkeys(float(r) for r in self.learning_rates))

    def summaries(self) -> tuple[SweepSummary, ...]:
        """One :class:`SweepSummary` per learning rate."""
        out = []
        for rate in self.rates():
            rows = self.learning_rates == rate
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


def check_sweep(
    config: ExperimentConfig, seeds: Sequence[int], rates: Sequence[float], target_error: float
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
    if math.isnan(target_error):
        raise ConfigError("--target-error must be a number, e.g. 0.05; got nan.")
    if config.init.weights is not None:
        raise ConfigError(
            "a sweep draws each network's initial weights from its seed, but the experiment "
            "sets [init] weights; remove them to sweep over seeds."
        )
    if getattr(config.data, "test_fraction", 0):
        raise ConfigError("a sweep trains on all the data; set [data] test_fraction = 0 to sweep.")


def sweep(
    experiment: object = None,
    seeds: Sequence[int] = range(100),
    learning_rates: Sequence[float] | None = None,
    *,
    iterations: int | None = None,
    target_error: float = DEFAULT_TARGET_ERROR,
    engine: str = "auto",
    history_every: int | None = None,
) -> Sweep:
    """Train ``experiment`` from every seed in ``seeds`` at every learning rate.

    Parameters
    ----------
    experiment : Experiment, path, mapping or None
        What :class:`glassnet.Experiment` accepts (default: the seed's).
    seeds : sequence of int
        One network per seed (and learning rate).
    learning_rates : sequence of float, optional
        Default: the experiment's own.
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
    """
    from glassnet import config as config_mod
    from glassnet.experiment import Experiment

    exp = experiment if isinstance(experiment, Experiment) else Experiment(experiment)
    cfg = exp.config
    if iterations is not None:
        cfg = config_mod.from_settings({"iterations": iterations}, cfg)
    engines.check(engine)
    rates = [float(r) for r in (learning_rates or [cfg.train.learning_rate])]
    # before building anything per network: ten billion seeds are refused, not listed
    check_sweep_memory(exp.network, len(seeds) * len(rates))
    seeds = [int(s) for s in seeds]
    check_sweep(cfg, seeds, rates, target_error)
    network, data, train = exp.network, exp.data, cfg.train
    every = check_history(history_every, train.iterations, len(seeds) * len(rates))
    n_rates = len(rates)
    per_layer = initial_weights(network, seeds)  # (n_seeds, n_in, n_out) each
    W0 = np.concatenate([w.reshape(len(seeds), -1) for w in per_layer], axis=1)
    W0 = np.repeat(W0, n_rates, axis=0).T.copy()  # (n_weights, n_networks)
    n_b = sum(o for (_, o), has in zip(network.shapes, network.bias) if has)
    b0 = np.zeros((n_b, W0.shape[1]))
    net_seeds = np.repeat(np.array(seeds, dtype=np.int64), n_rates)
    net_rates = np.tile(np.array(rates, dtype=np.float64), len(seeds))
    chosen = engines.select_batch(engine)
    result = engines.batch_trainer(chosen)(
        network,
        data.X,
        data.y,
        W0,
        b0,
        net_rates,
        iterations=train.iterations,
        train_biases=train.train_biases,
        target_error=target_error,
        history_every=every,
    )
    W, b, err, loss, reach, stop, hist = (
        result.W,
        result.b,
        result.final_error_sum,
        result.final_loss,
        result.reached,
        result.stopped,
        result.error_history,
    )
    return Sweep(
        config=cfg,
        network=network,
        seeds=net_seeds,
        learning_rates=net_rates,
        iterations=train.iterations,
        target_error=float(target_error),
        parameter_names=parameter_names(network),
        final_params=flat_params(network, W, b),
        final_error_sum=err,
        final_loss=loss,
        iterations_to_target=reach,
        stopped_at=stop,
        engine=chosen,
        error_history=hist,
        history_every=every,
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
