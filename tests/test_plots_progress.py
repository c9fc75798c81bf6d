"""Progress on a terminal: the training bar once training takes over a second, the drawing line while
plots are drawn; never when stderr is not a terminal."""

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


def test_training_calls_the_progress_callback():
    import glassnet

    seen: list[int] = []
    glassnet.Experiment(iterations=5_000).run(engine="numpy", progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 5_000 and seen == sorted(seen)


# ---- drawing the plots ---------------------------------------------------------------------


def test_drawing_progress_is_one_line_on_a_terminal_and_cleared_at_the_end(monkeypatch):
    from glassnet.cli import plot as plot_cli

    stream = FakeTerminal()
    monkeypatch.setattr(plot_cli.sys, "stderr", stream)
    with plot_cli.drawing_progress() as progress:
        assert progress is not None
        for done, kind in enumerate(("error", "weights", "landscape", "predictions"), start=1):
            progress(done, 4, kind)
    shown = stream.getvalue()
    assert "drawing the plots: 1 of 4 done (error)" in shown
    assert "3 of 4 done (landscape)" in shown and "4 of 4" not in shown
    assert "\n" not in shown and shown.endswith("\r\x1b[K")  # one line, erased when done


def test_no_drawing_progress_when_stderr_is_not_a_terminal(monkeypatch, seed_run):
    from glassnet.cli import plot as plot_cli
    from glassnet.plots import render_plots

    stream = io.StringIO()
    monkeypatch.setattr(plot_cli.sys, "stderr", stream)
    with plot_cli.drawing_progress() as progress:
        assert progress is None
    assert stream.getvalue() == ""
    seen: list[tuple[int, int, str]] = []
    render_plots(seed_run, kinds=["error", "predictions"], progress=lambda *a: seen.append(a))
    assert seen and all(total == 2 for _, total, _ in seen)  # the kinds drawn in this process
