"""glassnet: train small neural networks and see every number of every step.

>>> import glassnet
>>> run = glassnet.Experiment().run()          # the post's experiment
>>> run.final.weights[0].ravel().round(4)
array([12.0087, -0.2045, -5.8002])

Iteration ``#k`` is the forward pass with the weights after ``k`` updates;
``#0`` uses the initial weights; running ``N`` iterations applies ``N`` updates.
"""

from __future__ import annotations

from typing import Any

from glassnet.errors import ConfigError, DataError, GlassnetError
from glassnet.experiment import Experiment
from glassnet.run import History, Run
from glassnet.serialize import load

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Comparing runs is not needed to train one: import it on first use.
    if name in ("Comparison", "compare_runs"):
        from glassnet import compare

        return getattr(compare, name)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = [
    "Comparison",
    "ConfigError",
    "DataError",
    "Experiment",
    "GlassnetError",
    "History",
    "Run",
    "__version__",
    "compare_runs",
    "load",
]
