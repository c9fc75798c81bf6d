"""Sweeps on a Dask cluster: the same bits as on one machine, and nothing lost with a worker.

Each test starts a cluster of two worker processes on this machine (a few
seconds); chunks are made small so that a sweep has several.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

import glassnet
from glassnet import sweep_dask
from glassnet.sweep import sweep

pytest.importorskip("numba")
distributed = pytest.importorskip("distributed")

#: xor with a hidden layer, two optimizers: two kernels, 96 networks, 12 chunks of 8
EXPERIMENT = {"dataset": "xor", "layers": [3, 4, 1], "bias": True, "iterations": 3000}
SWEEP = {"seeds": range(24), "learning_rates": [0.5, 1.0], "optimizers": ["gd", "momentum"]}
FIELDS = ("final_params", "final_error_sum", "final_loss", "iterations_to_target", "stopped_at")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sweep_dask, "MIN_TASK_NETWORKS", 8)


@pytest.fixture(scope="module")
def local_sweep():
    return sweep(glassnet.Experiment(**EXPERIMENT), **SWEEP)


def assert_same_bits(mine, local):
    assert mine.engine == local.engine == "compiled"
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(mine, name), getattr(local, name), name)
    assert list(mine.optimizer_column()) == list(local.optimizer_column())


def test_a_local_cluster_of_two_workers_gives_the_local_sweeps_bits(small_chunks, local_sweep):
    heard = []
    mine = sweep(
        glassnet.Experiment(**EXPERIMENT),
        **SWEEP,
        dask="local:2",
        progress=lambda done, total: heard.append((done, total)),
    )
    assert_same_bits(mine, local_sweep)
    # progress from the chunks as they finish: 12 chunks of 8 networks
    assert [total for _, total in heard] == [96] * 12
    assert [done for done, _ in heard] == list(range(8, 97, 8))


def test_a_sweep_survives_one_of_its_workers_being_killed(small_chunks, local_sweep):
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    killed = []
    try:
        # a client of the test's own, open during the sweep (as a notebook's would be)
        with distributed.Client(cluster) as watcher:
            pids = watcher.run(os.getpid)  # worker address -> its process id

            def kill_a_busy_worker(done, total):
                """Mid-sweep (a chunk done, others to go): kill a worker that is training one."""
                busy = [address for address, keys in watcher.processing().items() if keys]
                if not killed and busy and done < total:
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(pids[busy[0]])

            # the kernels are in the shared cache already (local_sweep compiled them)
            mine = sweep(
                glassnet.Experiment(**EXPERIMENT),
                **SWEEP,
                dask=cluster.scheduler_address,
                progress=kill_a_busy_worker,
            )
        processed = Counter(
            t.key for t in cluster.scheduler.transition_log if t.finish == "processing"
        )
    finally:
        cluster.close()
    assert killed
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)  # it is gone
    assert any(count > 1 for count in processed.values())  # its chunk ran again elsewhere
    assert_same_bits(mine, local_sweep)


def test_nothing_imports_dask_unless_a_sweep_asks_for_a_cluster():
    code = (
        "import sys, glassnet, glassnet.sweep, glassnet.cli.sweep\n"
        "from glassnet.cli import main\n"
        "assert main(['sweep', '--seeds', '0:3', '--iterations', '10', '--engine', 'numpy']) == 0\n"
        "print([m for m in ('dask', 'distributed') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_cluster_addresses_are_checked_before_training(capsys):
    from glassnet.cli import main
    from glassnet.errors import ConfigError

    for bad in ("local:0", "local:x", "", "tcp://", "two words"):
        with pytest.raises(ConfigError, match="--dask must be a Dask scheduler's address"):
            sweep_dask.check_address(bad)
    for good in ("local:2", "tcp://10.0.0.5:8786", "scheduler:8786", "tls://host:8786"):
        sweep_dask.check_address(good)
    assert main(["sweep", "--dask", "local:0"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "local:N for N worker processes" in err[0]
