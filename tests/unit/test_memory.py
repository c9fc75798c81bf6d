"""glassnet.memory: estimates within 1.5x of the measured growth, the real limits, refusals.

The growth of a process is its peak resident memory at the end of a command
(``VmHWM``) minus its resident memory after importing glassnet (``VmRSS``),
both from ``/proc/self/status`` (not ``ru_maxrss``, which a child started from
a large parent inherits across exec); each case is large enough (100 MB or
more) that the interpreter's own noise is small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import glassnet
from glassnet import engines
from glassnet.errors import ResourceError
from glassnet.memory import _cgroup, available, check_memory, estimate

MEASURE = r"""
import json, sys
import glassnet
from glassnet.cli import main

def status(key):
    with open("/proc/self/status") as handle:
        return next(int(l.split()[1]) * 1024 for l in handle if l.startswith(key + ":"))

base = status("VmRSS")
code = main(json.loads(sys.argv[1]))
print(json.dumps([code, status("VmHWM") - base]), file=sys.stderr)
"""


def grown(args: list[str], env: dict[str, str] | None = None) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, GLASSNET_AOT="0", **(env or {})),
    )
    code, growth = json.loads(done.stderr.strip().splitlines()[-1])
    return code, growth


CASES = {
    "a long history as JSON, compiled": (
        dict(iterations=1_500_000),
        ["--engine", "compiled", "--json", "{out}"],
        0,
    ),
    "traced steps of digits as JSON": (
        dict(dataset="digits", layers=[64, 32, 10], iterations=100),
        ["--engine", "numpy", "--trace", "0,1,2,3,4", "--json", "{out}"],
        5,
    ),
    "adam's state in many checkpoints": (
        dict(
            dataset="xor",
            layers=[3, 8, 1],
            iterations=200_000,
            optimizer="adam",
            learning_rate=0.01,
            checkpoints=20_000,
        ),
        ["--engine", "compiled", "--json", "{out}"],
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_estimate_is_within_1_5x_of_the_measured_growth(name, tmp_path):
    settings, extra, trace = CASES[name]
    exp = glassnet.Experiment(**settings)
    args = ["run"]
    for key, value in settings.items():
        option = "--" + key.replace("_", "-")
        args += [option, ",".join(map(str, value)) if isinstance(value, list) else str(value)]
    args += [a.format(out=tmp_path / "run.json") for a in extra]
    engine = args[args.index("--engine") + 1]
    need = estimate(
        exp.network,
        exp.data.n_samples,
        exp.config.train.iterations,
        exp.config.train.checkpoints,
        method=exp.method,
        json=True,
        trace=trace,
        engine=engines.select(engine, exp.network, exp.config.train.iterations, 4),
        numba_loaded=False,  # in the process measured
    )
    code, growth = grown(args)
    assert code == 0
    assert growth > 100e6
    ratio = need.total / growth
    assert 1 / 1.5 <= ratio <= 1.5, (
        f"estimate {need.total / 1e6:.0f} MB, grew {growth / 1e6:.0f} MB"
    )


def test_tracing_a_thousand_digits_steps_is_refused_before_training():
    """Issue: each traced step of [64, 32, 10] on digits costs tens of MB; 1,000 were
    not counted at all."""
    exp = glassnet.Experiment(dataset="digits", layers=[64, 32, 10], iterations=2000)
    with pytest.raises(
        ResourceError, match=r"1,000 traced steps: .* trace fewer iterations \(--trace\), at most"
    ):
        check_memory(exp.network, exp.data, 2000, 2000, json=True, trace=1000, method=exp.method)


def test_ulimit_v_is_the_limit_when_it_binds(tmp_path):
    # an address space of 1.5 GB more than the process has: a 40-million-iteration
    # JSON history does not fit in it, whatever the machine has
    code = (
        "import resource, sys\n"
        "size = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0]) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 1_500_000_000, resource.RLIM_INFINITY))\n"
        "from glassnet.cli import main\n"
        f"sys.exit(main(['run', '--iterations', '40000000', '--engine', 'numpy', '--json', '{tmp_path}/r.json']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "of address space left under ulimit -v" in done.stderr
    assert "use at most" in done.stderr and "iterations" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_running_out_anyway_ends_with_one_line(tmp_path):
    # the check disabled, and too little address space: numpy raises MemoryError mid-run
    code = (
        "import resource, sys\n"
        "import glassnet.memory\n"
        "glassnet.memory.available = lambda: None\n"
        "size = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0]) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 300_000_000, resource.RLIM_INFINITY))\n"
        "from glassnet.cli import main\n"
        "sys.exit(main(['run', '--iterations', '100000000', '--engine', 'numpy']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"glassnet: error: {glassnet.memory.OUT_OF_MEMORY}."
    ]


def test_the_cgroup_limit_is_read_for_v2_and_v1(tmp_path):
    proc = tmp_path / "cgroup"
    proc.write_text("0::/user.slice/job\n")
    group = tmp_path / "sys" / "user.slice" / "job"
    group.mkdir(parents=True)
    (group / "memory.max").write_text("1073741824\n")
    (group / "memory.current").write_text("73741824\n")
    assert _cgroup(proc, tmp_path / "sys") == 1_000_000_000
    (group / "memory.max").write_text("max\n")
    assert _cgroup(proc, tmp_path / "sys") is None
    proc.write_text("12:memory:/docker/abc\n3:cpu:/docker/abc\n")
    v1 = tmp_path / "sys" / "memory" / "docker" / "abc"
    v1.mkdir(parents=True)
    (v1 / "memory.limit_in_bytes").write_text("500000000\n")
    (v1 / "memory.usage_in_bytes").write_text("100000000\n")
    assert _cgroup(proc, tmp_path / "sys") == 400_000_000
    assert _cgroup(tmp_path / "missing", tmp_path) is None


def test_the_least_limit_wins_and_is_named(monkeypatch):
    import glassnet.memory as memory

    monkeypatch.setattr(memory, "_meminfo", lambda: 8_000_000_000)
    monkeypatch.setattr(memory, "_cgroup", lambda: 2_000_000_000)
    monkeypatch.setattr(memory, "_address_space", lambda: None)
    room = available()
    assert room is not None and room.bytes == 2_000_000_000 and "cgroup" in room.limit
    exp = glassnet.Experiment()
    with pytest.raises(ResourceError, match=r"left under this cgroup's memory.max\); use at most"):
        check_memory(exp.network, exp.data, 10**8, 2000, json=True)
    # the same run fits without the cgroup
    monkeypatch.setattr(memory, "_cgroup", lambda: None)
    check_memory(exp.network, exp.data, 10**7, 2000, json=True)
