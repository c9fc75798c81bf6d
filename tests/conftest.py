"""Fixtures shared by every test file: runs trained once per test session."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# No ahead-of-time kernel builds in the background from tests (nor use of the user's
# AOT modules); tests/unit/test_engines_aot.py builds one synchronously in a temporary folder.
os.environ["GLASSNET_AOT"] = "0"

import glassnet

# Hypothesis's timing checks measure the machine, not the code: on a loaded CI runner one
# slow draw or example fails a correct test. No deadline, and no "too slow" health check.
settings.register_profile("glassnet", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("glassnet")


@pytest.fixture(scope="session")
def seed_run() -> glassnet.Run:
    """The post's experiment: seed 123, 100,000 iterations, numpy reference."""
    return glassnet.Experiment().run(engine="numpy")


@pytest.fixture(scope="session")
def xor_run() -> glassnet.Run:
    """Trask's three-layer example: xor, layers [3, 4, 1], seed 1, 60,000 iterations."""
    return glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=60_000).run(
        engine="numpy"
    )


@pytest.fixture(scope="session")
def iris_run() -> glassnet.Run:
    """Iris with a held-out quarter, standardized: layers [4, 5, 3], 60 iterations."""
    pytest.importorskip("sklearn")  # the real datasets come from scikit-learn's bundled data
    return glassnet.Experiment(
        dataset="iris",
        layers=[4, 5, 3],
        bias=True,
        standardize=True,
        test_fraction=0.25,
        iterations=60,
        learning_rate=0.01,
        seed=7,
    ).run()


@pytest.fixture(scope="session")
def big_run() -> glassnet.Run:
    """A network too big to print whole: 16 random examples, layers [64, 32, 1], 3 iterations."""
    rng = np.random.RandomState(0)
    X = (rng.rand(16, 64) > 0.5).astype(float).tolist()
    y = (rng.rand(16, 1) > 0.5).astype(float).tolist()
    return glassnet.Experiment(
        {
            "data": {"inputs": X, "targets": y},
            "network": {"layers": [64, 32, 1]},
            "train": {"iterations": 3},
        }
    ).run(engine="numpy")


#: The held-out split's experiment: breast_cancer (scikit-learn's bundled copy), standardized,
#: a quarter held out, layers [30, 8, 1], 300 iterations.
SPLIT = dict(
    dataset="breast_cancer",
    standardize=True,
    test_fraction=0.25,
    layers=[30, 8, 1],
    bias=True,
    iterations=300,
    learning_rate=0.01,
)


@pytest.fixture(scope="session")
def split_run() -> glassnet.Run:
    """The run of SPLIT: 427 training and 142 held-out examples, its test figures recorded."""
    pytest.importorskip("sklearn")  # the real datasets come from scikit-learn's bundled data
    return glassnet.Experiment(**SPLIT).run(engine="numpy")
