"""Type aliases shared across glassnet."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: A float64 array (weights, activations, histories).
Array = NDArray[np.float64]
#: An int64 array (iteration numbers, sample orders).
IntArray = NDArray[np.int64]
