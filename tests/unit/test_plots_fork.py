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
    theirs, _ = _fork.split(costs)
    assert theirs == ["text", "b"]  # 6 and 5, the best split of 11
    done = _fork.in_two(tasks, costs)
    assert list(done) == ["text", "a", "b", "c"]
    assert [n for n in done if done[n].endswith("by child")] == theirs
    assert all(done[n] == f"{n} by parent" for n in done if n not in theirs)


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
    costs = {"error": 5.0, "weights": 3.0, "landscape": 4.0, "predictions": 3.0}
    assert _fork.split(costs) == (["error", "weights"], ["landscape", "predictions"])
    # the report's text (4) beside the plots: 9 and 10, the best split of 19
    assert _fork.split({**costs, "text": 4.0}) == (
        ["error", "landscape"],
        ["weights", "predictions", "text"],
    )


def test_split_of_one_task_or_none():
    assert _fork.split({"only": 5.0}) in ((["only"], []), ([], ["only"]))
    assert _fork.split({}) == ([], [])


def brute_force_best(costs):
    names, total, best = list(costs), sum(costs.values()), float("inf")
    for mask in range(1 << len(names)):
        theirs = sum(costs[n] for i, n in enumerate(names) if mask >> i & 1)
        best = min(best, max(theirs, total - theirs))
    return best


@pytest.mark.parametrize("exact_up_to", [12, 0])  # every split tried; Graham's LPT rule
def test_split_keeps_every_task_once_and_evens_the_work(monkeypatch, exact_up_to):
    monkeypatch.setattr(_fork, "EXACT_UP_TO", exact_up_to)
    costs = {name: float(cost) for name, cost in zip("abcdefg", (5, 1, 4, 1, 3, 9, 2))}
    theirs, mine = _fork.split(costs)
    assert sorted(theirs + mine) == sorted(costs)
    assert [n for n in costs if n in theirs] == theirs  # each side in the given order
    busier = max(sum(costs[n] for n in theirs), sum(costs[n] for n in mine))
    best = brute_force_best(costs)  # 13 of 25
    assert busier == best if exact_up_to else best <= busier <= 7 / 6 * best


@needs_fork
def test_meanwhile_runs_the_work_in_a_child_while_this_process_does_its_own():
    seen = []
    assert _fork.meanwhile(lambda: who(), here=lambda: seen.append(who())) == "child"
    assert seen == ["parent"]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped


@needs_fork
def test_meanwhile_does_the_work_here_when_the_child_fails():
    def work():
        if who() == "child":
            raise RuntimeError("the child fails")
        return "done by parent"

    assert _fork.meanwhile(work, here=lambda: None) == "done by parent"


def test_meanwhile_without_forks_does_both_here_in_order(monkeypatch):
    monkeypatch.setenv(_fork.ENV, "0")
    order = []
    result = _fork.meanwhile(
        lambda: order.append("work") or who(), here=lambda: order.append("here")
    )
    assert result == "parent" and order == ["here", "work"]


@needs_fork
def test_an_error_here_stops_the_background_work():
    import signal

    read, write = os.pipe()  # the child's work waits on it forever: only a kill ends it

    def hung(signum, frame):
        raise AssertionError("meanwhile waited for a child whose work was not wanted")

    def fails():
        raise KeyboardInterrupt  # Ctrl-C while matplotlib is imported

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(KeyboardInterrupt):
            _fork.meanwhile(lambda: os.read(read, 1), here=fails)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.close(read)
        os.close(write)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_the_report_page_is_the_same_with_and_without_forks(seed_run, monkeypatch):
    from glassnet.report import render_report

    forked, forked_images = render_report(seed_run)
    monkeypatch.setenv(_fork.ENV, "0")
    alone, alone_images = render_report(seed_run)
    assert forked == alone
    assert forked_images == alone_images


@needs_fork
def test_an_error_here_stops_the_child_instead_of_waiting_for_it():
    import signal

    read, write = os.pipe()  # the child's task waits on it forever: only a kill ends it

    def never_done():
        os.read(read, 1)
        return "never"

    def fails():
        raise KeyboardInterrupt  # Ctrl-C while this process draws

    def hung(signum, frame):
        raise AssertionError("in_two waited for a child whose work was not wanted")

    assert _fork.split({"slow": 1.0, "here": 1.0}) == (["slow"], ["here"])
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(KeyboardInterrupt):
            _fork.in_two({"slow": never_done, "here": fails}, {"slow": 1.0, "here": 1.0})
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.close(read)
        os.close(write)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # stopped and reaped
