"""The vectorizable exp of the batched kernel is within 1 ulp of the C library's exp.

Compared on millions of points over the whole range the kernels use
(``[-745.2, 709.8]``, where ``e^x`` goes from 0 through the subnormal numbers
to the largest double), with the C library's ``exp`` (``math.exp``) and with
numpy's own, plus the special values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("numba")

from glassnet.engines import runtime

runtime.start_numba()  # sets up numba's cache folder before the kernels import numba
from numba import njit  # noqa: E402

from glassnet.engines.fastexp import MAX_ARG, MIN_ARG, exp  # noqa: E402


@njit(cache=True)
def exp_all(x, out):  # pragma: no cover - compiled
    for i in range(x.shape[0]):
        out[i] = exp(x[i])


def fast_exp(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    exp_all(x, out)
    return out


def ulps(mine: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Distance in units in the last place of ``ref`` (subnormals: of the smallest subnormal)."""
    return np.abs(mine - ref) / np.spacing(np.abs(ref))


def test_within_one_ulp_of_the_c_library_over_the_whole_range():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(MIN_ARG, MAX_ARG, 300_000),  # everything
            rng.uniform(-40.0, 40.0, 300_000),  # where sigmoids of real networks live
            rng.uniform(-1e-6, 1e-6, 20_000),  # near 0
            rng.uniform(-745.2, -708.0, 20_000),  # subnormal results
            np.arange(-745, 710, dtype=np.float64),  # whole numbers (r = 0 exactly)
            np.arange(-1074, 1024) * math.log(2),  # at the range-reduction boundaries
        ]
    )
    libm = np.array([math.exp(v) for v in x])
    mine = fast_exp(x)
    worst = ulps(mine, libm)
    assert worst.max() <= 1.0, (
        f"x = {x[worst.argmax()]!r}: {mine[worst.argmax()]!r} vs {libm[worst.argmax()]!r}"
    )
    assert (worst == 0).mean() > 0.85  # most results are the C library's bit for bit
    assert ulps(mine, np.exp(x)).max() <= 1.0  # and numpy's


def test_special_values_match_the_c_library():
    x = np.array(
        [
            0.0,
            -0.0,
            MAX_ARG,
            709.79,
            1000.0,
            MIN_ARG,
            -745.2,
            -1000.0,
            np.inf,
            -np.inf,
            np.nan,
            5e-324,
        ]
    )
    mine = fast_exp(x)
    expected = np.array(
        [
            1.0,
            1.0,
            math.exp(MAX_ARG),
            np.inf,
            np.inf,
            math.exp(MIN_ARG),
            0.0,
            0.0,
            np.inf,
            0.0,
            np.nan,
            1.0,
        ]
    )
    np.testing.assert_array_equal(mine, expected)
