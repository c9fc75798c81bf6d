"""glassnet explain: the worked iteration on the command line, its formats and its errors."""

from __future__ import annotations

import pytest
from helpers.printed import false_lines

from glassnet.cli import main


def test_cli_explain_prints_the_worked_iteration(capsys):
    code = main(["explain", "--iteration", "1", "--format", "text"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "---------ITERATION #1-------------" in out and "= -.7394" in out


def test_cli_explain_markdown_digits_and_options(tmp_path, capsys):
    exp = tmp_path / "xor.toml"
    exp.write_text('[data]\ndataset = "xor"\n[network]\nlayers = [3, 4, 1]\n[init]\nseed = 1\n')
    code = main(["explain", str(exp), "--iteration", "0", "--format", "md", "--digits", "3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("## ITERATION #0") and "| from \\ to | h1 | h2 | h3 | h4 |" in out
    assert false_lines(out) == []


def test_cli_explain_defaults_to_plain_text_when_piped(capsys):
    assert main(["explain", "--iterations", "5", "--iteration", "5"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b[" not in out and "ITERATION #5" in out and "not applied" in out


@pytest.mark.parametrize(
    "args,expected",
    [
        (["explain", "--iteration", "7", "--iterations", "5"], "--iteration must be from 0 to 5"),
        (["explain", "--iteration", "-1"], "--iteration must be from 0 to"),
        (["explain", "--format", "html"], "--format"),
        (["explain", "--digits", "0"], "--digits"),
        # one meaning each: --digits significant digits (delta), --decimals fixed (chain)
        (["explain", "--iteration", "1", "--notation", "chain", "--digits", "5"], "--decimals 5"),
        (["explain", "--iteration", "1", "--decimals", "5"], "--digits 5"),
        # no silent default for a run longer than one iteration; the typo is named
        (["explain", "--iterations", "5"], "did you mean --iteration rather than --iterations?"),
    ],
)
def test_cli_explain_bad_arguments_get_one_line(args, expected, capsys):
    code = main(args)
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_cli_explain_asks_for_the_iteration_without_guessing_a_typo(capsys):
    assert main(["explain"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "glassnet: error: --iteration is needed: which iteration of #0 to #100,000 "
        "should be worked out? e.g. --iteration 1\n"
    )


def test_cli_terminal_format_keeps_colour_only_when_asked(capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["explain", "--iteration", "1", "--format", "terminal"]) == 0
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["explain", "--iteration", "1", "--format", "terminal"]) == 0
    assert "\x1b[" not in capsys.readouterr().out
