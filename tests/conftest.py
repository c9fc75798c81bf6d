"""Shared fixtures: the seed run is trained once per test session."""

from __future__ import annotations

import os

import pytest

# No ahead-of-time kernel builds in the background from tests (nor use of the user's
# AOT modules); tests/test_kernel_aot.py builds one synchronously in a temporary folder.
os.environ["GLASSNET_AOT"] = "0"

import glassnet


@pytest.fixture(scope="session")
def seed_run() -> glassnet.Run:
    """The seed post's experiment: seed 123, 100,000 iterations, numpy reference."""
    return glassnet.Experiment().run(engine="numpy")


@pytest.fixture(scope="session")
def xor_run() -> glassnet.Run:
    """Trask's three-layer example: xor, layers [3, 4, 1], seed 1, 60,000 iterations."""
    return glassnet.Experiment(dataset="xor", layers=[3, 4, 1], seed=1, iterations=60_000).run(
        engine="numpy"
    )
