"""glassnet.cli.plot: a one-line drawing progress while plots are drawn, on a terminal only."""

from __future__ import annotations

import io


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


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
