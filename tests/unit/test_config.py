"""glassnet.config: the settings of an experiment are checked once, with messages that name the rule."""

from __future__ import annotations

import pytest

from glassnet.config import parse
from glassnet.errors import ConfigError


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dataset": "iris", "test_fraction": 1}, "test_fraction must be a number from 0"),
        ({"dataset": "iris", "test_fraction": -0.1}, "test_fraction must be a number from 0"),
        ({"dataset": "iris", "test_fraction": "0.2"}, "got '0.2'"),
        ({"dataset": "iris", "standardize": "yes"}, "standardize must be true or false"),
        ({"dataset": "iris", "split_seed": -1}, "split_seed must be a whole number"),
        ({"dataset": "iriss"}, "Did you mean 'iris'?"),
        ({"dataset": "breast-cancer"}, "Did you mean 'breast_cancer'?"),
    ],
)
def test_data_settings_are_validated(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        parse({"data": data})
