"""glassnet.cli.common: the training bar on a terminal once training takes over a second; never
when stderr is not a terminal."""

from __future__ import annotations

import io
import re
import time

import pytest

from glassnet.cli import common
from glassnet.cli.common import progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_and_no_callback_when_stderr_is_not_a_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(common.sys, "stderr", stream)
    with progress_bar(1_000, after_seconds=0.0) as progress:
        assert progress is None
    assert stream.getvalue() == ""


def test_no_bar_for_training_that_ends_within_the_first_second(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(common.sys, "stderr", stream)
    with progress_bar(100_000, after_seconds=1.0) as progress:
        assert progress is not None
        for done in range(0, 100_001, 2048):
            progress(done)
        progress(100_000)
    assert stream.getvalue() == ""


def test_bar_shows_iterations_rate_and_time_left_on_a_terminal(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(common.sys, "stderr", stream)
    with progress_bar(100_000, after_seconds=0.05) as progress:
        progress(0)
        time.sleep(0.06)
        progress(40_000)
        time.sleep(0.15)  # let rich refresh at least once
        progress(60_000)
    shown = stream.getvalue()
    assert "training" in shown
    assert "/100,000" in shown or "/100000" in shown
    assert "it/s" in shown
    assert re.search(r"\d+:\d\d left", shown)  # time left


def test_bar_stops_even_when_training_fails(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(common.sys, "stderr", stream)
    with pytest.raises(RuntimeError), progress_bar(10, after_seconds=0.0) as progress:
        progress(3)
        raise RuntimeError("boom")
    # a stopped rich bar shows the cursor again
    assert "\x1b[?25h" in stream.getvalue()
