"""The package's own error classes and the exit codes the command line maps them to.

Every error raised for bad input is a :class:`GlassnetError` whose message is
one line shaped like scikit-learn's parameter errors::

    [train] learning_rate must be > 0; got -1. Use a positive number such as 1.0.

The command line prints that line on stderr and exits with
:data:`EXIT_USAGE`; it never shows a traceback for these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

EXIT_OK = 0
#: Bad input: a configuration, data file or command-line option was rejected.
EXIT_USAGE = 2
#: Training stopped early because the numbers left float64's range (see issue
#: on saturation): the partial run is still reported and saved.
EXIT_DIVERGED = 3


class GlassnetError(Exception):
    """Base class for every error glassnet raises on purpose."""

    exit_code: int = EXIT_USAGE


class ConfigError(GlassnetError, ValueError):
    """An experiment setting is missing, unknown, of the wrong type or out of range."""


class DataError(GlassnetError, ValueError):
    """Inputs or targets (inline, built-in or CSV) cannot be used."""


class ResourceError(GlassnetError, ValueError):
    """A run would need more memory than the machine has; refused before training."""


class FileError(GlassnetError):
    """A file cannot be written (or read) as asked: a folder, a read-only file, a disk
    that is full, a path that names a disk device (see :mod:`glassnet.files`)."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM); raised between kernel calls, never mid-write.

    A ``BaseException``, like ``KeyboardInterrupt``: no ``except Exception``
    swallows it. The command line turns it into one line and exit code 143.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: Exit codes of a run stopped by Ctrl-C (SIGINT) and by SIGTERM: 128 + the signal.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class GlassnetWarning(UserWarning):
    """Something allowed but worth knowing (``allow=True`` targets the loss cannot reach)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""


def describe(value: object, limit: int = 60) -> str:
    """A short, one-line ``repr`` of a received value for error messages."""
    try:
        text = repr(value).replace("\n", " ")
    except RecursionError:  # a list nested thousands deep, say
        return f"a {type(value).__name__} nested too deeply to show"
    except ValueError:  # an int beyond Python's 4300-digit str conversion limit
        if isinstance(value, int):
            return f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"
        raise
    return text if len(text) <= limit else text[: limit - 3] + "..."
