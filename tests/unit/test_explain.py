"""glassnet.explain: the options of explain() are checked at the boundary; text and Markdown
never import rich.
"""

from __future__ import annotations

import re

import pytest
from helpers.printed import false_lines

import glassnet
from glassnet.explain import explain


def test_digits_changes_the_display_but_not_the_truth(seed_run):
    more = explain(seed_run, 1, digits=8)
    assert "(0 * .67423821) + (1 * -.33473064) + (1 * -.40469539) = -.73942603" in more
    fewer = explain(seed_run, 1, digits=2)
    assert "= -.74" in fewer
    for text in (more, fewer):
        assert false_lines(text) == []


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"format": "html"}, "format must be one of text, md, terminal; got 'html'"),
        ({"digits": 0}, "digits must be a whole number from 1 to 12"),
        ({"digits": 2.5}, "got 2.5"),
    ],
)
def test_bad_options_are_refused_with_one_line(seed_run, kwargs, message):
    with pytest.raises(glassnet.ConfigError, match=re.escape(message)):
        explain(seed_run, 1, **kwargs)


def test_bad_iteration_is_refused(seed_run):
    with pytest.raises(
        glassnet.ConfigError, match="iteration must be a whole number from 0 to 100000"
    ):
        explain(seed_run, 100_001)


def test_text_and_markdown_do_not_import_rich():
    import subprocess
    import sys

    code = (
        "import sys, glassnet\n"
        "from glassnet.explain import explain\n"
        "run = glassnet.Experiment(iterations=2).run(engine='numpy')\n"
        "explain(run, 1); explain(run, 1, format='md')\n"
        "print('rich' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
