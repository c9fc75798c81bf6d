"""The documentation site's pages: every page is in the nav, and every Python example that
shows its output prints exactly that (issue 15).

``mkdocs build --strict`` (run by ``.ci/run``) checks links, anchors and the API pages;
these checks run with the tests, without MkDocs installed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def nav_pages() -> list[str]:
    """The pages named in mkdocs.yml's nav (``- Title: page.md`` lines, comments left out)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    return re.findall(r"^\s+- [^:#\n]+: (\S+\.md)\s*$", nav, flags=re.MULTILINE)


def examples() -> list[tuple[str, str, str]]:
    """(page, code, printed) for every ```python block followed at once by a ```text block."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for code, printed in re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", text, re.S):
            found.append((page.name, code, printed))
    return found


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    pages = nav_pages()
    assert sorted(pages) == sorted(p.name for p in DOCS.glob("*.md")), (
        "docs/*.md and the nav of mkdocs.yml differ: add the page to the nav (or remove the entry)"
    )


@pytest.mark.parametrize(
    ("page", "code", "printed"),
    examples(),
    ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(examples())],
)
def test_a_python_example_prints_what_its_page_shows(
    page, code, printed, tmp_path, monkeypatch, capsys
):
    if "glassnet.sklearn" in code or "breast_cancer" in code:
        pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"docs/{page}", "exec"), {"__name__": "docs_example"})
    assert capsys.readouterr().out == printed


def test_the_pages_show_python_examples():
    assert {page for page, _, _ in examples()} >= {"python.md", "sweeps.md"}
