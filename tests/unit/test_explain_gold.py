"""glassnet.explain.gold: the stored explanations match the output byte for byte, fit 100 columns and
hold as printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.printed import false_lines

from glassnet.explain.gold import GOLD, SUFFIXES, render

GOLD_DIR = Path(__file__).resolve().parents[1] / "gold"


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_gold_files_match_byte_for_byte(name, suffix):
    """Regenerate with: .venv/bin/python -m glassnet.explain.gold tests/gold"""
    expected = (GOLD_DIR / f"{name}{suffix}").read_bytes()
    assert render(name, SUFFIXES[suffix]).encode("utf-8") == expected


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_explanations_fit_within_100_columns(name):
    text = (GOLD_DIR / f"{name}.txt").read_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    # in Markdown, the equations (code blocks) fit too; sentences are paragraphs
    md = (GOLD_DIR / f"{name}.md").read_text()
    blocks = re.findall(r"```text\n(.*?)```", md, re.S)
    assert blocks and max(len(line) for b in blocks for line in b.splitlines()) <= 100
    assert false_lines(text) == [] and false_lines(md) == []


def test_gold_xor_explains_the_hidden_layer():
    text = (GOLD_DIR / "xor_3_4_1_seed_1_iteration_0.txt").read_text()
    assert "error back-propagated to each unit, delta_next @ W1.T:" in text
    assert "ex1 h1:  (-.1181 * -.5911) =  .0698" in text
    assert "x1->h1:" in text and "h4->out:" in text
    md = (GOLD_DIR / "xor_3_4_1_seed_1_iteration_0.md").read_text()
    assert "| from \\ to | h1 | h2 | h3 | h4 |" in md
    assert "```text" in md and md.count("```") % 2 == 0
