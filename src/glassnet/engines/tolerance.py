"""The tolerance policy: how closely every engine must match the reference, on any x86-64 CPU.

The numpy reference (:mod:`glassnet.network`, :func:`glassnet.training.train_reference`)
is the specification. The compiled engines do its operations in its order, but
not bit for bit everywhere: numpy's ``exp`` and ``tanh`` are its own vectorized
routines (different on AVX2 and AVX-512), its sums of more than eight terms are
pairwise, and its matrix products come from BLAS, each a last-bit difference
here and there that training carries along. So engines are compared with one
rule, the same on every machine:

    Two arrays agree when every entry differs by at most ``RTOL`` times the
    largest magnitude in the reference array (and the two have their
    infinities and NaNs in the same places).

That is a combined absolute-and-relative tolerance whose absolute part is the
array's own scale: an entry near zero in an array of weights near 12 is held to
``12 * RTOL``, not to a relative error of its own tiny size, which no two
correct implementations could promise (an entry of 5e-16 that is 3e-12 off
relative to itself is 1.5e-27 off in absolute terms). A whole history (100,000
losses falling from 0.9 to 5e-5) is one array: its entries are held to
``RTOL`` of its largest.

``RTOL = 1e-12``. Measured on the post's run (100,000 iterations), Trask's xor
(60,000) and every activation x loss over 5,000 iterations, the largest
difference between the compiled engine and the reference, relative to its
array's largest entry, was 4.3e-15, the same with numba compiling for this
machine (AVX-512), for a plain AVX2 CPU (``NUMBA_CPU_NAME=haswell`` with
``NUMBA_CPU_FEATURES=""``: the name alone keeps this CPU's features, AVX-512
included) and for generic x86-64 (``NUMBA_CPU_NAME=generic``): a margin of more
than 200. The engines' tests use this policy and nothing looser; ``.ci/run``
runs them under all three.

Where two engines must agree *exactly* (the unrolled and the table-driven
kernels, an ahead-of-time module and its JIT kernel) the tests compare bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: Entries may differ by this much relative to the largest magnitude of their array.
RTOL = 1e-12


@dataclass(frozen=True)
class Mismatch:
    """Where two arrays disagree beyond the policy."""

    what: str
    index: tuple[int, ...]
    actual: float
    expected: float
    allowed: float

    def __str__(self) -> str:
        return (
            f"{self.what}: entry {self.index}: {self.actual!r} vs reference {self.expected!r} "
            f"(differ by {abs(self.actual - self.expected):.3g}, allowed {self.allowed:.3g})"
        )


def mismatch(actual: ArrayLike, expected: ArrayLike, what: str = "array") -> Mismatch | None:
    """The worst disagreement of ``actual`` with ``expected`` beyond :data:`RTOL`, or ``None``."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return Mismatch(f"{what}: shape {a.shape} != {e.shape}", (), np.nan, np.nan, 0.0)
    finite = np.isfinite(e)
    if not np.array_equal(np.isfinite(a), finite) or not np.array_equal(
        a[~finite], e[~finite], equal_nan=True
    ):
        index = (
            tuple(int(i) for i in np.argwhere(np.isfinite(a) != finite)[0])
            if (np.any(np.isfinite(a) != finite))
            else ()
        )
        return Mismatch(f"{what}: infinities or NaNs differ", index, np.nan, np.nan, 0.0)
    if not finite.any():
        return None
    scale = float(np.max(np.abs(e[finite])))
    allowed = RTOL * scale
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(finite, np.abs(a - e), 0.0)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    if diff[worst] <= allowed:
        return None
    return Mismatch(what, tuple(int(i) for i in worst), float(a[worst]), float(e[worst]), allowed)


def assert_close(actual: ArrayLike, expected: ArrayLike, what: str = "array") -> None:
    """Raise ``AssertionError`` naming the worst entry if the arrays disagree beyond the policy."""
    found = mismatch(actual, expected, what)
    if found is not None:
        raise AssertionError(str(found))
