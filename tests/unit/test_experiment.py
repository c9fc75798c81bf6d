"""glassnet.experiment: an Experiment from a TOML file, a dict or keywords, and what it runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import needs_sklearn

import glassnet
from glassnet.errors import DataError

TOML = """
[data]
dataset = "seed"
[network]
layers = [3, 1]
activation = "sigmoid"
[init]
seed = 123
[train]
iterations = 200
learning_rate = 1.0
"""


def test_experiment_from_toml_dict_and_keywords_agree(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_text(TOML)
    from_file = glassnet.Experiment(path).run()
    from_dict = glassnet.Experiment(
        {
            "data": {"dataset": "seed"},
            "network": {"layers": [3, 1], "activation": "sigmoid"},
            "init": {"seed": 123},
            "train": {"iterations": 200, "learning_rate": 1.0},
        }
    ).run()
    from_kwargs = glassnet.Experiment(iterations=200, layers=[3, 1], seed=123).run()
    for other in (from_dict, from_kwargs):
        assert from_file.compare(other).identical
    assert from_file.history.error_sum.dtype == np.float64
    assert from_file.history.error_sum.shape == (200,)
    assert from_file.step(1).prediction.ravel().round(8).tolist() == [
        0.40018475,
        0.32312967,
        0.56698066,
        0.48370881,
    ]


def test_a_split_must_leave_examples_on_both_sides() -> None:
    with pytest.raises(DataError, match="both need at least one"):
        glassnet.Experiment(test_fraction=0.01)  # 4 seed rows: nothing held out


@needs_sklearn
def test_flat_settings_keep_split_options_in_any_order() -> None:
    exp = glassnet.Experiment(standardize=True, test_fraction=0.25, dataset="iris", layers=[4, 3])
    assert exp.config.data.standardize and exp.config.data.test_fraction == 0.25
    assert exp.test is not None and exp.test.X.shape == (36, 4)  # round(0.25 * 50) = 12 per class
