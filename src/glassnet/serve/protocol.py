"""The messages between the page and the server, checked at the boundary.

Every message is one JSON object with a ``type``. The page sends:

==============  ==============================================  ==================================
type            fields                                          what the server does
==============  ==============================================  ==================================
``play``                                                        trains until ``pause`` (or a limit)
``pause``
``step``        ``count`` (1 to 1,000,000)                      trains that many iterations
``reset``                                                       back to ``#0``, same initial weights
``new_seed``                                                    new initial weights, back to ``#0``
``speed``       ``value``: iterations a second, 0 = full speed
``scrub``       ``iteration``                                   shows that iteration, replayed
``select``      ``part``: ``"W0[0,0]"``, ``"b0[1]"``,          sends its arithmetic, and again
                ``"unit:1:0"`` or ``null``                      whenever the shown iteration changes
``edit``        ``target`` (a parameter or ``"learning_rate"``),  sets it before the latest iteration
                ``value``
``configure``   ``settings``: some of                           a new experiment, at ``#0``
                :data:`~glassnet.serve.session.SETTING_KEYS`
``point``       ``x``, ``y``, ``label`` (0 or 1)                adds an example on the plane
``export``                                                      sends a ``file`` message (a zip)
``report``                                                      sends a ``file`` message (HTML)
==============  ==============================================  ==================================

The server sends ``hello`` (the session's id and the choices the page
offers), ``setup`` (the experiment: settings, network, data's plane),
``frame`` (at most 30 a second: the shown iteration's weights, figures,
curve and boundary), ``arithmetic``, ``file`` (a URL), ``notice`` (a
one-line message: a setting refused, a limit reached) and ``error`` (a
malformed message: the session ends).

:func:`parse` turns a text message into a :class:`Command` or raises
:class:`ProtocolError`; it checks the *form* of a message. Whether the
values make a valid experiment is the core's to say (a ``notice``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from glassnet.errors import GlassnetError
from glassnet.serve.session import SETTING_KEYS

#: Iterations one ``step`` message may ask for.
MAX_STEP = 1_000_000


class ProtocolError(GlassnetError):
    """A message that is not one the page sends: its session ends."""


@dataclass(frozen=True)
class Command:
    """A checked message: its type and its fields."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProtocolError(f"{where} must be a finite number; got {_shown(value)}.")
    return float(value)


def _whole(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProtocolError(
            f"{where} must be a whole number from {low:,} to {high:,}; got {_shown(value)}."
        )
    return value


def _text(value: Any, where: str, limit: int = 100) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ProtocolError(
            f"{where} must be a name of at most {limit} characters; got {_shown(value)}."
        )
    return value


def _shown(value: Any) -> str:
    text = json.dumps(value)[:40] if _jsonable(value) else type(value).__name__
    return text


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


#: The settings' forms: what ``configure`` may carry.
def _setting(key: str, value: Any) -> Any:
    where = f"settings.{key}"
    if key in ("dataset", "activation", "output", "loss", "optimizer"):
        return _text(value, where, 40)
    if key in ("standardize", "bias"):
        if not isinstance(value, bool):
            raise ProtocolError(f"{where} must be true or false; got {_shown(value)}.")
        return value
    if key in ("n", "data_seed"):
        return _whole(value, where, 0, 2**32 - 1)
    if key == "seed":
        return None if value is None else _whole(value, where, 0, 2**32 - 1)
    if key in ("noise", "learning_rate", "l2"):
        return _number(value, where)
    if key == "batch_size":
        return None if value is None else _whole(value, where, 1, 10**9)
    if key == "hidden":
        if not isinstance(value, list) or len(value) > 64:
            raise ProtocolError(f"{where} must be a list of layer sizes; got {_shown(value)}.")
        return [_whole(v, f"{where}[{i}]", 1, 10**6) for i, v in enumerate(value)]
    if key == "features":
        if not isinstance(value, list) or not 1 <= len(value) <= 16:
            raise ProtocolError(f"{where} must be a list of feature names; got {_shown(value)}.")
        return [_text(v, f"{where}[{i}]", 20) for i, v in enumerate(value)]
    raise ProtocolError(f"unknown setting {key!r}; the page sends {', '.join(SETTING_KEYS)}.")


#: The fields each type of message carries, and how each is checked.
_FIELDS: dict[str, dict[str, Any]] = {
    "play": {},
    "pause": {},
    "reset": {},
    "new_seed": {},
    "export": {},
    "report": {},
    "step": {"count": lambda v: _whole(v, "step count", 1, MAX_STEP)},
    "speed": {"value": lambda v: _whole(v, "speed value", 0, 10**9)},
    "scrub": {"iteration": lambda v: _whole(v, "scrub iteration", 0, 10**12)},
    "select": {"part": lambda v: None if v is None else _text(v, "select part", 40)},
    "edit": {
        "target": lambda v: _text(v, "edit target", 40),
        "value": lambda v: _number(v, "edit value"),
    },
    "configure": {
        "settings": lambda v: {
            k: _setting(k, x) for k, x in _object(v, "configure settings").items()
        }
    },
    "point": {
        "x": lambda v: _number(v, "point x"),
        "y": lambda v: _number(v, "point y"),
        "label": lambda v: _whole(v, "point label", 0, 1),
    },
}

#: The message types the page sends.
TYPES = tuple(_FIELDS)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{where} must be an object; got {_shown(value)}.")
    return value


def parse(text: str) -> Command:
    """The command a text message carries; :class:`ProtocolError` for anything else."""
    try:
        message = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ProtocolError(f"a message must be one JSON object; got {text[:40]!r}.") from None
    message = _object(message, "a message")
    kind = message.get("type")
    if kind not in _FIELDS:
        raise ProtocolError(f"message type must be one of {', '.join(TYPES)}; got {_shown(kind)}.")
    checks = _FIELDS[kind]
    extra = [key for key in message if key != "type" and key not in checks]
    if extra:
        raise ProtocolError(f"a {kind!r} message has no field {extra[0]!r}.")
    missing = [key for key in checks if key not in message]
    if missing:
        raise ProtocolError(f"a {kind!r} message needs {', '.join(missing)}.")
    return Command(kind, {key: check(message[key]) for key, check in checks.items()})
