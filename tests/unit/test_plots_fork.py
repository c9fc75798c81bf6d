"""Half of the figures drawn in a forked process: the same bytes, and a failed child changes nothing."""

from __future__ import annotations

import os
import threading

import pytest

from glassnet.plots import _fork, render_plots


def fork_possible() -> bool:
    """Whether this machine can fork at all, busy or not (Linux, two CPUs, no other thread)."""
    real = _fork.runnable_tasks
    _fork.runnable_tasks = lambda: 1  # type: ignore[assignment]
    try:
        return _fork.can_fork()
    finally:
        _fork.runnable_tasks = real  # type: ignore[assignment]


needs_fork = pytest.mark.skipif(not fork_possible(), reason="no fork here (or one CPU, or threads)")


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch):
    """Other work on the machine must not decide whether these tests fork."""
    monkeypatch.setattr(_fork, "runnable_tasks", lambda: 1)


@needs_fork
def test_forked_drawing_gives_the_same_bytes(seed_run, monkeypatch):
    forked = render_plots(seed_run, ("png", "svg"))
    monkeypatch.setenv(_fork.ENV, "0")
    assert not _fork.can_fork()
    alone = render_plots(seed_run, ("png", "svg"))
    assert list(forked) == list(alone) == ["error", "weights", "landscape", "predictions"]
    for kind in alone:
        assert forked[kind]["png"] == alone[kind]["png"], kind
        assert forked[kind]["svg"] == alone[kind]["svg"], kind


@needs_fork
def test_the_child_draws_the_first_half_and_the_caller_works_meanwhile():
    parent = os.getpid()
    seen: list[tuple[str, bool]] = []

    def draw(kinds):
        return {
            k: {"png": f"{k} by {'parent' if os.getpid() == parent else 'child'}".encode()}
            for k in kinds
        }

    images = _fork.render_in_two(
        ["a", "b", "c", "d"], draw, meanwhile=lambda: seen.append(("meanwhile", True))
    )
    assert list(images) == ["a", "b", "c", "d"]
    assert [images[k]["png"].decode().split(" by ")[1] for k in images] == [
        "child",
        "child",
        "parent",
        "parent",
    ]
    assert seen == [("meanwhile", True)]


@needs_fork
def test_a_failing_child_is_replaced_by_drawing_here():
    parent = os.getpid()

    def draw(kinds):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return {k: {"png": k.encode()} for k in kinds}

    assert _fork.render_in_two(["a", "b", "c"], draw) == {k: {"png": k.encode()} for k in "abc"}


@needs_fork
def test_an_error_here_still_reaps_the_child():
    def draw(kinds):
        if "c" in kinds:
            raise ValueError("bad figure")
        return {k: {"png": b""} for k in kinds}

    with pytest.raises(ValueError, match="bad figure"):
        _fork.render_in_two(["a", "b", "c", "d"], draw)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_no_fork_with_other_threads_or_when_turned_off(monkeypatch):
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not _fork.can_fork()
    monkeypatch.undo()
    monkeypatch.setenv(_fork.ENV, "off")
    assert not _fork.can_fork()
    calls = []
    images = _fork.render_in_two(
        ["a", "b"], lambda kinds: {k: {"png": b"x"} for k in kinds}, lambda: calls.append(1)
    )
    assert list(images) == ["a", "b"] and calls == [1]


def test_no_fork_while_the_other_cpus_are_busy(monkeypatch):
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    monkeypatch.setattr(_fork, "runnable_tasks", lambda: cpus)
    assert not _fork.can_fork()


def test_runnable_tasks_reads_the_running_count():
    assert _fork.runnable_tasks() >= 1


def test_split_gives_the_child_the_first_half():
    assert _fork.split(["error", "weights", "landscape", "predictions"]) == (
        ["error", "weights"],
        ["landscape", "predictions"],
    )
    assert _fork.split(["error", "weights", "predictions"]) == (
        ["error", "weights"],
        ["predictions"],
    )
