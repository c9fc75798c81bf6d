"""The batched kernels' bookkeeping of a chunk of networks, compiled once per machine.

Every generated kernel of :mod:`glassnet.engines.batched` keeps the networks of
a chunk in one block of work buffers ``C`` (float64, one column per network)
and ``I`` (int64), whose rows are, in this order:

``C``: ``rates``, ``errs``, ``losses``, ``blosses`` (one row each: a network's
learning rate, and the error sum, loss and batch loss of the current pass),
then its weights (``n_w`` rows), biases (``n_b``) and optimizer state (``n_s``),
then the kernel's own buffers. ``I``: ``reach`` (the first pass whose error sum
reached the target) and ``idx`` (the network's index in the caller's arrays).

Only the chunk's *live* networks are in the buffers, in columns ``0 .. n-1``.
These functions move them in and out and take a network whose loss stopped
being finite out of the chunk; they are the same for every architecture, so
they are compiled (and cached) once rather than written into every kernel.
"""

from __future__ import annotations

import math

from numba import njit

#: Rows of ``C`` before the weights.
RATES, ERRS, LOSSES, BLOSSES, PARAMS = 0, 1, 2, 3, 4
#: Rows of ``I``.
REACH, IDX = 0, 1


@njit(cache=True, nogil=True, error_model="numpy")
def gather(W, b, S, rates, reach, stop, lo, hi, C, I):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Networks ``lo .. hi-1`` that have not stopped (``stop < 0``) into the buffers;
    returns how many."""
    n = 0
    for q in range(lo, hi):
        if stop[q] < 0:
            I[IDX, n] = q
            n += 1
    rows = ((W, PARAMS), (b, PARAMS + W.shape[0]), (S, PARAMS + W.shape[0] + b.shape[0]))
    for src, at in rows:
        for p in range(src.shape[0]):
            for j in range(n):
                C[at + p, j] = src[p, I[IDX, j]]
    for j in range(n):
        C[RATES, j] = rates[I[IDX, j]]
        I[REACH, j] = reach[I[IDX, j]]
    return n


@njit(cache=True, nogil=True, error_model="numpy")
def scatter(W, b, S, reach, out_err, out_loss, n, final, C, I):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The buffers' networks back into the caller's arrays (with ``final``, also the
    figures of the last pass: the final params' error sum and loss)."""
    rows = ((W, PARAMS), (b, PARAMS + W.shape[0]), (S, PARAMS + W.shape[0] + b.shape[0]))
    for dst, at in rows:
        for p in range(dst.shape[0]):
            for j in range(n):
                dst[p, I[IDX, j]] = C[at + p, j]
    for j in range(n):
        q = I[IDX, j]
        reach[q] = I[REACH, j]
        if final:
            out_err[q] = C[ERRS, j]
            out_loss[q] = C[LOSSES, j]


@njit(cache=True, nogil=True, error_model="numpy")
def record(hist, rec, n, C, I):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Column ``rec`` of the error history: the pass's error sums."""
    for j in range(n):
        hist[I[IDX, j], rec] = C[ERRS, j]


@njit(cache=True, nogil=True, error_model="numpy")
def leave(k, n, batched, every, W, b, S, reach, stop, out_err, out_loss, hist, C, I):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Networks whose loss (or batch loss) at iteration ``k`` is not finite: their update
    was not applied, so they keep their params; they are written out, marked stopped
    at ``k``, and leave the chunk (the last live network takes each one's column).
    Returns the number of networks left."""
    j = n - 1
    while j >= 0:
        bad = not abs(C[LOSSES, j]) < math.inf
        if batched:
            bad = bad or not abs(C[BLOSSES, j]) < math.inf
        if bad:
            q = I[IDX, j]
            stop[q] = k
            scatter_one(W, b, S, reach, out_err, out_loss, j, q, C, I)
            if every > 0:  # its later error sums are of these same params
                for col in range(k // every + 1, hist.shape[1]):
                    hist[q, col] = C[ERRS, j]
            n -= 1
            for row in range(C.shape[0]):
                C[row, j] = C[row, n]
            for row in range(I.shape[0]):
                I[row, j] = I[row, n]
        j -= 1
    return n


@njit(cache=True, nogil=True, error_model="numpy")
def scatter_one(W, b, S, reach, out_err, out_loss, j, q, C, I):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Column ``j`` of the buffers into network ``q`` of the caller's arrays."""
    rows = ((W, PARAMS), (b, PARAMS + W.shape[0]), (S, PARAMS + W.shape[0] + b.shape[0]))
    for dst, at in rows:
        for p in range(dst.shape[0]):
            dst[p, q] = C[at + p, j]
    reach[q] = I[REACH, j]
    out_err[q] = C[ERRS, j]
    out_loss[q] = C[LOSSES, j]
