"""glassnet.explain.terminal: colour on a terminal, following NO_COLOR and FORCE_COLOR."""

from __future__ import annotations

import re

from helpers.printed import false_lines

from glassnet.explain import explain


def test_terminal_colour_follows_no_color_and_force_color(seed_run, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = explain(seed_run, 1, format="terminal")
    assert "\x1b[" not in plain
    assert "(0 * .6742) + (1 * -.3347) + (1 * -.4047) = -.7394" in plain
    monkeypatch.delenv("NO_COLOR")
    piped = explain(seed_run, 1, format="terminal")  # pytest captures stdout: not a tty
    assert "\x1b[" not in piped
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = explain(seed_run, 1, format="terminal")
    assert "\x1b[32m" in coloured  # green: a weight or prediction went up
    assert false_lines(re.sub(r"\x1b\[[0-9;]*m", "", coloured)) == []
