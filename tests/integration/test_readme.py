"""Every command in the README runs as printed and prints what the README shows (issue 15).

Each ```console block of README.md is a session: a ``$ command`` line (``\\``
continues it) followed by the output the README shows for it. The commands run
in order, in a temporary folder holding a copy of ``examples/``, with
``glassnet`` replaced by ``python -m glassnet`` under this interpreter and this
checkout's ``src/``. Each must exit with 0 and, where the README shows output,
print it line for line, numbers included; a ``...`` line stands for any number
of lines left out. A ``glassnet: warning/hint/note`` line is never left out: a
README example that set off a false alarm would fail here.

``bin/demo``, ``bin/test`` and ``source .venv/bin/activate`` are not run here
(they set up .venv/ and run this suite; ``.ci/run`` runs them), but the README
must show them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: Set-up commands CI runs itself (``.ci/run``); the README must show them.
SET_UP = ("bin/demo", "bin/test", "source .venv/bin/activate")
ELIDED = "..."
MAX_BYTES = 12_000


@dataclass(frozen=True)
class Command:
    """One ``$ ...`` line of a console block and the output shown under it."""

    line: int  # where it is in README.md, for messages
    text: str
    expected: tuple[str, ...]


def console_commands(markdown: str) -> list[Command]:
    """The ``$`` commands of every ```console block, in order, with their shown output."""
    commands: list[Command] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        i += 1
        start, text, expected = 0, "", []
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ "):
                if text:
                    commands.append(Command(start, text, tuple(expected)))
                start, text, expected = i + 1, line[2:], []
                while text.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    text = text[:-1] + " " + lines[i].strip()
            else:
                expected.append(line.rstrip())
            i += 1
        if text:
            commands.append(Command(start, text, tuple(expected)))
        i += 1
    return commands


def matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` line for line, a ``...`` line matching any run of
    lines (none included)."""
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        if (i, j) not in memo:
            if i == len(expected):
                result = j == len(actual)
            elif expected[i] == ELIDED:
                result = any(match(i + 1, k) for k in range(j, len(actual) + 1))
            else:
                result = j < len(actual) and actual[j] == expected[i] and match(i + 1, j + 1)
            memo[i, j] = result
        return memo[i, j]

    return match(0, 0)


def argv(command: Command) -> list[str]:
    words = shlex.split(command.text, comments=True)
    if words[0] != "glassnet":
        raise AssertionError(
            f"README.md line {command.line}: {command.text!r} is not a glassnet command; "
            "teach tests/integration/test_readme.py to run it or leave it out of the README"
        )
    return [sys.executable, "-m", "glassnet", *words[1:]]


def is_set_up(command: Command) -> bool:
    return command.text.startswith(SET_UP)


COMMANDS = console_commands(README.read_text(encoding="utf-8"))


def test_the_readme_is_short_and_shows_the_set_up_commands():
    assert len(README.read_bytes()) <= MAX_BYTES, "README.md has grown past 12 KB"
    shown = [c.text.split("#")[0].strip() for c in COMMANDS if is_set_up(c)]
    assert shown == list(SET_UP)


def test_the_readme_links_to_files_that_exist():
    for target in re.findall(r"\]\(([^)#:]+)\)", README.read_text(encoding="utf-8")):
        assert (ROOT / target).exists(), f"README.md links to {target}, which does not exist"


def test_every_console_command_in_the_readme_runs_as_printed(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",  # stdout and stderr in the order a terminal shows them
        NO_COLOR="1",
    )
    ran = 0
    for command in COMMANDS:
        if is_set_up(command):
            continue
        done = subprocess.run(
            argv(command),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        where = f"README.md line {command.line}: $ {command.text}"
        assert done.returncode == 0, f"{where}\nexit code {done.returncode}:\n{done.stdout}"
        actual = [line.rstrip() for line in done.stdout.splitlines()]
        for line in actual:
            if line.startswith("glassnet: "):
                assert line in command.expected, f"{where}\nprinted, but not shown:\n{line}"
        if command.expected:
            assert matches(command.expected, actual), (
                f"{where}\nshows:\n" + "\n".join(command.expected) + "\n\nprints:\n" + done.stdout
            )
        ran += 1
    assert ran >= 5


def test_the_matcher_reads_elisions_as_any_lines():
    assert matches(("a", "...", "d"), ["a", "b", "c", "d"])
    assert matches(("a", "...", "b"), ["a", "b"])
    assert matches(("...",), [])
    assert not matches(("a", "...", "d"), ["a", "b", "c"])
    assert not matches(("a", "b"), ["a", "b", "c"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="bin/glassnet is a bash script")
def test_bin_glassnet_runs_the_checkouts_venv_even_through_a_symlink(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "bin").mkdir(parents=True)
    for name in ("glassnet", "_venv.sh"):
        shutil.copy2(ROOT / "bin" / name, checkout / "bin" / name)
    shutil.copy2(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    venv_bin = checkout / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    fake = venv_bin / "glassnet"
    fake.write_text('#!/bin/sh\necho "the venv\'s glassnet: $*"\n')
    fake.chmod(0o755)
    # a stamp as bin/demo leaves it, so that nothing is installed
    digest = subprocess.run(
        ["sha256sum"], input=(checkout / "pyproject.toml").read_bytes(), capture_output=True
    ).stdout.decode()[:16]
    (checkout / ".venv" / ".glassnet-installed").write_text(f"{digest} [serve]\n")
    on_path = tmp_path / "path"
    on_path.mkdir()
    (on_path / "glassnet").symlink_to(checkout / "bin" / "glassnet")
    done = subprocess.run(
        ["glassnet", "run", "--iterations", "3"],
        cwd=tmp_path,
        env=dict(
            os.environ, PATH=f"{on_path}{os.pathsep}{os.environ['PATH']}", PYTHON=sys.executable
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the venv's glassnet: run --iterations 3\n"


def test_readme_python_api_example_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[
        readme.index("## Python API, Jupyter, scikit-learn, real data, comparing runs") :
    ]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    expected = section.split("```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == expected
