"""The layout of tests/: a reader finds a module's tests from the module's path.

* Every module of src/glassnet has a unit test file named after it,
  ``tests/unit/test_<path>.py``: its path under ``glassnet/`` with slashes as
  underscores and a private module's underscores dropped
  (``glassnet/explain/worked.py`` -> ``test_explain_worked.py``,
  ``glassnet/plots/_fork.py`` -> ``test_plots_fork.py``); a package's
  ``__init__.py`` is named after the package (``glassnet/plots/__init__.py`` ->
  ``test_plots.py``, ``glassnet/__init__.py`` -> ``test_glassnet.py``). A module
  tested only through others is listed in :data:`TESTED_ELSEWHERE`, with where
  and why.
* No test file sits at the top of tests/ (only conftest.py and README.md): a
  test is a unit test in tests/unit/ or an integration test in
  tests/integration/.
* No two test files share a name (tests/ has no ``__init__.py``, so pytest
  could not import both), and no integration file takes a name that belongs to
  a module's unit tests.

``python tests/unit/test_layout.py`` rewrites the tables of tests/README.md.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import glassnet

SRC = Path(glassnet.__file__).resolve().parent
TESTS = Path(__file__).resolve().parents[1]

#: Modules without a unit test file of their own: module -> (the files that test it, why).
TESTED_ELSEWHERE: dict[str, tuple[tuple[str, ...], str]] = {
    # The command line: each command translates its arguments into one library call; the
    # commands are run end to end, in this process and in fresh ones.
    "glassnet.__main__": (
        ("integration/test_command_line.py",),
        "`python -m glassnet` only calls the command line; the subprocess tests run it",
    ),
    "glassnet.cli": (
        ("integration/test_command_line.py", "integration/test_signals.py"),
        "main(): one-line errors, exit codes and signals, driven end to end",
    ),
    "glassnet.cli.compare": (("integration/test_command_compare.py",), "run end to end"),
    "glassnet.cli.demo": (("integration/test_command_plot_report.py",), "run end to end"),
    "glassnet.cli.explain": (("integration/test_command_explain.py",), "run end to end"),
    "glassnet.cli.init": (
        ("unit/test_schema.py",),
        "glassnet init writes the template the schema documents",
    ),
    "glassnet.cli.predict": (("integration/test_command_predict.py",), "run end to end"),
    "glassnet.cli.report": (("integration/test_command_plot_report.py",), "run end to end"),
    "glassnet.cli.run": (
        ("integration/test_command_line.py", "integration/test_divergence.py"),
        "run end to end",
    ),
    "glassnet.cli.serve": (
        ("integration/test_playground.py",),
        "starts the playground's server, which the browser tests drive",
    ),
    "glassnet.cli.sweep": (("integration/test_command_sweep.py",), "run end to end"),
    # Checked where their output is used.
    "glassnet.data": (
        ("integration/test_validation.py", "unit/test_resolve.py"),
        "the built-in and inline data sets, checked at the boundary",
    ),
    "glassnet.engines.batched_chunks": (
        ("unit/test_sweep.py", "unit/test_engines_batched.py"),
        "the batched kernels' bookkeeping: sweeps end where single runs end",
    ),
    "glassnet.engines.batched_numpy": (
        ("unit/test_sweep.py", "unit/test_engines.py"),
        "the numpy batch engine: the same sweeps as the compiled one",
    ),
    "glassnet.engines.codegen": (
        ("unit/test_engines_compiled.py", "unit/test_engines_aot.py"),
        "the kernels' source: the kernels it writes match the reference",
    ),
    "glassnet.engines.tolerance": (
        ("unit/test_engines.py",),
        "the tolerance policy, with the engines it judges",
    ),
    "glassnet.errors": (
        ("integration/test_validation.py", "integration/test_fuzz.py"),
        "the error classes: every message is checked at the boundary",
    ),
    "glassnet.explain.document": (
        ("unit/test_explain_formula.py", "unit/test_explain_worked.py"),
        "plain dataclasses, checked through what the renderers print",
    ),
    "glassnet.explain.summary": (
        ("integration/test_command_line.py", "integration/test_divergence.py"),
        "what glassnet run prints",
    ),
    "glassnet.explain.text": (
        ("unit/test_explain_formula.py", "unit/test_explain_worked.py"),
        "plain text is explain()'s default format",
    ),
    "glassnet.losses": (
        ("unit/test_network.py", "integration/test_torch_autograd.py"),
        "each loss's delta, checked by finite differences and against torch",
    ),
    "glassnet.plots._files": (
        ("integration/test_outputs.py",),
        "outputs checked before training and written all or nothing",
    ),
    "glassnet.predict": (
        ("integration/test_command_predict.py",),
        "predictions of saved runs, with glassnet predict",
    ),
    "glassnet.serve": (("integration/test_playground.py",), "the playground end to end"),
    "glassnet.serve.app": (
        ("unit/test_serve_security.py",),
        "the web application, with its guard",
    ),
    "glassnet.serve.protocol": (
        ("unit/test_serve_security.py",),
        "the messages, with the app that reads them",
    ),
    "glassnet.trace": (
        ("unit/test_run.py", "integration/test_published_numbers.py"),
        "a Step is what Run.step replays",
    ),
    "glassnet.types": ((), "type aliases only"),
}

#: Files that may sit at the top of tests/.
TOP_LEVEL = {"conftest.py", "__init__.py", "README.md"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name; a package by its own name."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def unit_file(module: str) -> str:
    """``glassnet.explain.worked`` -> ``test_explain_worked.py``; ``glassnet`` -> ``test_glassnet.py``."""
    parts = module.split(".")[1:] or ["glassnet"]
    return "test_" + "_".join(part.strip("_") for part in parts) + ".py"


def test_every_module_has_a_unit_test_file_or_says_where_it_is_tested():
    missing = [
        f"{module}: tests/unit/{unit_file(module)}"
        for module in modules()
        if module not in TESTED_ELSEWHERE and not (TESTS / "unit" / unit_file(module)).exists()
    ]
    assert missing == [], (
        "modules without a unit test file (add it, or the module with a reason to "
        "TESTED_ELSEWHERE in tests/unit/test_layout.py):\n" + "\n".join(missing)
    )


def test_the_modules_tested_elsewhere_are_current():
    known = modules()
    for module, (where, why) in TESTED_ELSEWHERE.items():
        assert module in known, (
            f"{module} is not a module any more: remove it from TESTED_ELSEWHERE"
        )
        assert not (TESTS / "unit" / unit_file(module)).exists(), (
            f"{module} has tests/unit/{unit_file(module)} now: remove it from TESTED_ELSEWHERE"
        )
        for name in where:
            assert (TESTS / name).is_file(), f"{module}: tests/{name} does not exist"
        assert why


def test_the_names_follow_the_modules_path():
    assert unit_file("glassnet") == "test_glassnet.py"
    assert unit_file("glassnet.explain.worked") == "test_explain_worked.py"
    assert unit_file("glassnet.plots._fork") == "test_plots_fork.py"
    assert unit_file("glassnet.__main__") == "test_main.py"
    assert modules()["glassnet.plots"] == SRC / "plots" / "__init__.py"


def test_no_test_file_sits_at_the_top_of_tests():
    files = sorted(path.name for path in TESTS.iterdir() if path.is_file())
    assert set(files) <= TOP_LEVEL, (
        f"move {sorted(set(files) - TOP_LEVEL)} to tests/unit (one module's tests, named after "
        "it) or tests/integration (a topic that crosses modules): see tests/README.md"
    )


def test_no_two_test_files_share_a_name():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    twice = [name for name, count in names.items() if count > 1]
    assert twice == [], f"{twice}: pytest imports test files by name; rename one of each"


def test_no_integration_file_takes_a_name_of_a_modules_unit_tests():
    taken = {unit_file(module) for module in modules()}
    integration = sorted(path.name for path in (TESTS / "integration").glob("test_*.py"))
    clash = [name for name in integration if name in taken]
    assert clash == [], f"{clash} name a module's unit tests: give the topic another name"


def _topic(path: Path) -> str:
    """The first paragraph of a test file's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _link(name: str) -> str:
    return f"[{name}]({name})"


def format_tables() -> str:
    """The two tables of tests/README.md: module -> tests, integration topic -> file."""
    lines = ["| module | tests |", "| --- | --- |"]
    for module in modules():
        if module in TESTED_ELSEWHERE:
            where, why = TESTED_ELSEWHERE[module]
            tests = ", ".join(_link(name) for name in where) + (": " if where else "") + why
        else:
            tests = _link(f"unit/{unit_file(module)}")
        lines.append(f"| {module} | {tests} |")
    named = {unit_file(module) for module in modules()}
    for path in sorted((TESTS / "unit").glob("test_*.py")):
        if path.name not in named:  # the tests of something outside the package
            lines.append(f"| (outside glassnet) | {_link(f'unit/{path.name}')}: {_topic(path)} |")
    lines += ["", "| integration topic | file |", "| --- | --- |"]
    for path in sorted((TESTS / "integration").glob("test_*.py")):
        lines.append(f"| {_topic(path).replace('|', '¦')} | {_link(f'integration/{path.name}')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    readme = TESTS / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- tables: python tests/unit/test_layout.py -->\n", "<!-- end of tables -->\n"
    head, rest = text.split(start)
    readme.write_text(head + start + format_tables() + end + rest.split(end)[1], encoding="utf-8")
    print(f"wrote {readme}", file=sys.stderr)
