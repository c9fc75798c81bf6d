"""Work shared with a forked process by estimated cost: the same bytes, and a failed child changes nothing."""

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


def who() -> str:
    return "parent" if os.getpid() == PARENT else "child"


PARENT = os.getpid()


@needs_fork
def test_each_task_runs_on_the_side_split_gives_it():
    tasks = {name: (lambda n=name: f"{n} by {who()}") for name in ("text", "a", "b", "c")}
    costs = {"text": 4.0, "a": 3.0, "b": 2.0, "c": 2.0}
    done = _fork.in_two(tasks, costs)
    assert list(done) == ["text", "a", "b", "c"]
    # LPT: text (4) to the child, a (3) here, b (2) here (3 < 4), c (2) to the child (4 < 5)
    assert [done[n].split(" by ")[1] for n in done] == ["child", "parent", "parent", "child"]


@needs_fork
def test_a_failing_child_is_replaced_by_working_here():
    def task(name):
        def work():
            if who() == "child":
                raise RuntimeError("the child fails")
            return f"{name} by {who()}"

        return work

    done = _fork.in_two({n: task(n) for n in "abc"}, {})
    assert done == {n: f"{n} by parent" for n in "abc"}


@needs_fork
def test_an_error_here_still_reaps_the_child():
    def work(name):
        def run():
            if who() == "parent":
                raise ValueError(f"bad figure {name}")
            return name

        return run

    with pytest.raises(ValueError, match="bad figure"):
        _fork.in_two({n: work(n) for n in "abcd"}, {})
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_no_fork_with_other_threads_or_when_turned_off(monkeypatch):
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not _fork.can_fork()
    monkeypatch.undo()
    monkeypatch.setenv(_fork.ENV, "off")
    assert not _fork.can_fork()
    done = _fork.in_two({"a": lambda: who(), "b": lambda: who()}, {"a": 1.0, "b": 1.0})
    assert done == {"a": "parent", "b": "parent"}


def test_no_fork_while_the_other_cpus_are_busy(monkeypatch):
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    monkeypatch.setattr(_fork, "runnable_tasks", lambda: cpus)
    assert not _fork.can_fork()


def test_runnable_tasks_reads_the_running_count():
    assert _fork.runnable_tasks() >= 1


def test_split_evens_the_estimated_costs():
    costs = {"error": 3.0, "weights": 2.0, "landscape": 2.0, "predictions": 2.0}
    assert _fork.split(costs) == (["error", "predictions"], ["weights", "landscape"])
    # the report's text (4) beside the plots: 6 and 7 instead of 9 and 4 for a split by halves
    assert _fork.split({**costs, "text": 4.0}) == (
        ["landscape", "text"],
        ["error", "weights", "predictions"],
    )


def test_split_of_one_task_or_none():
    assert _fork.split({"only": 5.0}) == (["only"], [])
    assert _fork.split({}) == ([], [])


def test_split_keeps_every_task_once_whatever_the_costs():
    costs = {name: float(cost) for name, cost in zip("abcdefg", (5, 1, 4, 1, 3, 9, 2))}
    theirs, mine = _fork.split(costs)
    assert sorted(theirs + mine) == sorted(costs)
    assert [n for n in costs if n in theirs] == theirs  # each side in the given order
    total = sum(costs.values())
    busier = max(sum(costs[n] for n in theirs), sum(costs[n] for n in mine))
    best = max(total / 2, max(costs.values()))  # no split does better than this
    assert busier <= 7 / 6 * best  # Graham's bound for two sides
