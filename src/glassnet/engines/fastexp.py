"""An exponential the compiler can vectorize: :func:`exp`.

numba built from PyPI has no vector math library, so ``math.exp`` in a numba
loop is a call to the C library, one number at a time, and a loop over
thousands of networks cannot use the CPU's vector units. This ``exp`` is
written out in arithmetic LLVM vectorizes (no calls, no table lookups):

1. Range reduction: ``x = n * ln 2 + r`` with ``n = round(x / ln 2)`` and
   ``|r| <= ln(2) / 2``; ``n * ln 2`` is taken in two parts (Cody and Waite:
   ``LN2_HI`` has trailing zero bits so ``n * LN2_HI`` is exact).
2. ``e^r`` by its Taylor polynomial to degree 13 (the first left-out term,
   ``r^14 / 14!``, is below ``4e-18``), evaluated by Horner's rule as
   ``1 + (r + r^2 * (1/2! + r * (1/3! + ...)))`` so the large terms are added
   last.
3. ``e^x = e^r * 2^n1 * 2^n2`` with ``n1 + n2 = n`` (``n`` read off the low
   bits of ``x / ln 2 + 1.5 * 2^52``): the powers of two are
   built from their bits, and splitting ``n`` keeps both factors normal
   numbers, so results down in the subnormal range are still right.

Inputs above ``MAX_ARG`` give ``inf`` and below ``MIN_ARG`` give ``0``, like
the C library; NaN gives NaN. ``tests/unit/test_engines_fastexp.py`` checks it
against the C library's ``exp`` (``math.exp``) and numpy's: within 1 ulp
everywhere on ``[-745, 709.78]``.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

#: Largest ``x`` with a finite ``e^x``.
MAX_ARG = 709.782712893384
#: Below this, ``e^x`` rounds to 0.
MIN_ARG = -745.1332191019412

LOG2E = 1.4426950408889634  # 1 / ln 2
LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits (fdlibm's ln2_hi)
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI
#: Adding then subtracting 1.5 * 2^52 rounds a float to the nearest whole number.
ROUND = 6755399441055744.0

# 1/k! for k = 2 .. 13
C2 = 1.0 / 2.0
C3 = 1.0 / 6.0
C4 = 1.0 / 24.0
C5 = 1.0 / 120.0
C6 = 1.0 / 720.0
C7 = 1.0 / 5040.0
C8 = 1.0 / 40320.0
C9 = 1.0 / 362880.0
C10 = 1.0 / 3628800.0
C11 = 1.0 / 39916800.0
C12 = 1.0 / 479001600.0
C13 = 1.0 / 6227020800.0


@intrinsic
def _bits_as_float(typingctx, bits):  # type: ignore[no-untyped-def]  # numba's intrinsic signature
    """Reinterpret an int64's bits as a float64 (no conversion)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]  # numba's intrinsic signature
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@intrinsic
def _float_bits(typingctx, value):  # type: ignore[no-untyped-def]  # numba's intrinsic signature
    """Reinterpret a float64's bits as an int64 (no conversion)."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]  # numba's intrinsic signature
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


#: The bits of ``ROUND``: ``bits(ROUND + n) - ROUND_BITS == n`` for whole ``|n| < 2**51``.
ROUND_BITS = 0x4338000000000000


@njit(cache=True, inline="always", error_model="numpy")
def pow2(n: int) -> float:  # pragma: no cover - compiled
    """``2.0 ** n`` for whole ``n`` in ``[-1022, 1023]``, from its bits."""
    return _bits_as_float((n + 1023) << 52)  # type: ignore[call-arg]  # numba intrinsic


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp(x: float) -> float:  # pragma: no cover - compiled
    """``e^x`` within 1 ulp of the C library's, in arithmetic LLVM can vectorize."""
    xc = min(max(x, -746.0), 710.0)  # keeps n in range; NaN passes through
    t = xc * LOG2E + ROUND
    n_float = t - ROUND
    r = (xc - n_float * LN2_HI) - n_float * LN2_LO
    p = C12 + r * C13
    p = C11 + r * p
    p = C10 + r * p
    p = C9 + r * p
    p = C8 + r * p
    p = C7 + r * p
    p = C6 + r * p
    p = C5 + r * p
    p = C4 + r * p
    p = C3 + r * p
    p = C2 + r * p
    e_r = 1.0 + (r + (r * r) * p)
    n = _float_bits(t) - ROUND_BITS  # type: ignore[call-arg]  # n, read off t's low bits
    n1 = n >> 1
    y = e_r * pow2(n1) * pow2(n - n1)
    y = math.inf if x > MAX_ARG else y
    return 0.0 if x < MIN_ARG else y
