"""The worked explanation of an iteration: the seed's numbers, gold files, formats, big networks, CLI.

Equations are checked by the evaluator in tests/helpers/printed.py, written
independently of glassnet.explain.numbers: it parses the printed lines,
evaluates each left side from the printed numbers and compares with the
printed right side.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from helpers.printed import NUMBER, agrees_with_seed, false_lines, printed_equations, section

import glassnet
from glassnet.cli import main
from glassnet.explain import explain
from glassnet.explain.gold import GOLD, SUFFIXES, render
from glassnet.explain.walkthrough import format_walkthrough

GOLD_DIR = Path(__file__).parent / "gold"


# --------------------------------------------------------------------------- the seed's numbers


@pytest.fixture(scope="module")
def seed_1(seed_run) -> str:
    return explain(seed_run, 1)


def test_seed_iteration_1_has_the_seeds_dot_products_predictions_and_weights(seed_1):
    forward = section(seed_1, "1. Forward pass", "2. Error")
    for dot in ["= -.4047", "= -.7394", "=  .2695", "= -.0652"]:
        assert dot in forward, dot
    for a in [".4002", ".3231", ".5670", ".4837"]:
        assert f"= {a}" in forward, a
    # the dot products are written out with the numbers substituted
    assert "(0 * .6742) + (1 * -.3347) + (1 * -.4047) = -.7394" in forward
    assert "1/(1+e^-(-.4047)) = .4002" in forward
    new = section(seed_1, "new weight = old + update", "4. Gradient check")
    for w in [".9095", "-.2765", "-.3362"]:
        assert f"= {w}" in " ".join(new.split()), w
    assert "w1:   .6742 + .2352 =  .9095" in new


def test_seed_iteration_1_error_sum_falls_from_1_82_to_1_67(seed_1):
    assert "sum of absolute errors: 1.82 -> 1.67 (down .15): so there was improvement." in seed_1
    assert "|-.4002| + |-.3231| + |.4330| + |.5163| = 1.6726" in seed_1


def test_seed_iteration_1_backward_pass_is_written_out(seed_1):
    back = section(seed_1, "3. Backward pass", "4. Gradient check")
    assert ".4002 * (1 - .4002) = .2400" in back  # derivative at the prediction
    assert "-.4002 * .2400 = -.0961" in back  # delta = error * derivative
    # the example line, with the numbers of the seed's iteration #1
    assert "w1:  (0 * -.0961) + (0 * -.0707) + (1 * .1063) + (1 * .1289) = +.2352" in back


def test_seed_iteration_1_says_why_each_weight_moved(seed_1):
    why = " ".join(section(seed_1, "5. Why each weight moved", "6. Compared").split())
    assert "w1 rose by .2352 (.6742 -> .9095)" in why
    # the example: w1 rose because the two examples whose first input is 1 both had
    # positive error; the examples with first input 0 contribute nothing to it
    assert (
        "Pushed up by ex3 and ex4 (+.1063, +.1289): there x1 = 1 and the error is positive "
        "(the target is above the prediction); nothing pushed it down."
    ) in why
    assert "ex1 and ex2 contribute nothing: x1 is 0 there." in why
    assert "w2 rose by .0583 (-.3347 -> -.2765), toward zero: its size shrank" in why
    assert (
        "x3 is 1 in every example, so w3 moves by the sum of all the deltas, exactly as a bias would"
        in why
    )


def test_seed_iteration_1_compares_old_and_new(seed_1):
    cmp = section(seed_1, "6. Compared with iteration #0")
    assert "they all went up" in cmp
    # the seed: "the first weight is larger and the second two weights got smaller" (in size)
    assert (
        "w1 .3929 -> .6742 (up, size grew); w2 -.4277 -> -.3347 (up, size shrank); "
        "w3 -.5463 -> -.4047 (up, size shrank)."
    ) in " ".join(cmp.split())
    assert re.search(r"ex1\s+0\s+\.3667\s+\.4002\s+\+\.0335 up\s+-\.3667\s+-\.4002", cmp)
    assert "1.673 - 1.820 = -.148" in cmp


def test_constant_input_column_is_named_as_a_bias(seed_1):
    assert (
        "Input x3 is 1 in every example, so it acts like a bias unit: w3 plays the role of a bias."
        in " ".join(seed_1.split())
    )


def test_gradient_check_agrees(seed_1, seed_run):
    from glassnet.gradcheck import check_step

    check = check_step(seed_run.network, seed_run.step(1))
    assert check.max_relative < 1e-8
    np.testing.assert_allclose(
        check.analytic.weights[0], -seed_run.step(1).layers[0].dW, rtol=1e-12
    )
    grad = section(seed_1, "4. Gradient check", "5. Why")
    assert re.search(r"w1\s+-\.23524790\s+-\.23524790\s+\d\.\de-\d+", grad)
    assert "Largest relative difference over all 3 parameters" in " ".join(grad.split())


def test_every_printed_line_of_the_seed_and_xor_is_true(seed_1, seed_run, xor_run):
    for text in [
        seed_1,
        explain(seed_run, 0),
        explain(xor_run, 0),
        explain(xor_run, 7),
        explain(seed_run, seed_run.iterations),
        format_walkthrough(seed_run),
    ]:
        assert len(printed_equations(text)) >= 20
        assert false_lines(text) == []


def test_final_state_has_the_seeds_dot_products_and_sigmoids(seed_run):
    text = format_walkthrough(seed_run)
    final = section(text, "FINAL STATE (#100,000")
    dots = section(final, "dot products", "sigmoid, a")
    sigmoids = section(final, "sigmoid, a", "The largest weight")
    results = [float(m) for m in re.findall(rf"=\s+({NUMBER})\s*$", dots, re.M)]
    assert len(results) == 4
    for seed, value in zip(["-5.8", "-6.0", "6.2", "6.0"], results):
        assert agrees_with_seed([value], seed), (seed, value)
        assert seed in final
    values = [float(m) for m in re.findall(rf"=\s+({NUMBER})\s*$", sigmoids, re.M)]
    for seed, value in zip([".003", ".002", ".998", ".997"], values):
        assert agrees_with_seed([value], seed), (seed, value)
        assert seed in final
    # the weights the seed quotes, 12.0087 / -0.2044 / -5.8002, at their displayed precision
    assert "(1 * 12.01) + (1 * -.20) + (1 * -5.80) =  6.00" in final
    assert "The largest weight in size is w1 = 12.01." in final


def test_walkthrough_shows_0_1_the_error_over_time_and_the_final_state(seed_run):
    text = format_walkthrough(seed_run)
    order = [
        text.index(h) for h in ["ITERATION #0", "ITERATION #1", "ERROR OVER TIME", "FINAL STATE"]
    ]
    assert order == sorted(order)
    assert re.search(r"10,000\s+#9999\s+\.03182", text)
    assert re.search(r"100,000\s+#99999\s+\.009950", text)


# --------------------------------------------------------------------------- gold files


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


# --------------------------------------------------------------------------- formats and options


def test_markdown_has_tables_and_code_blocks(seed_run):
    md = explain(seed_run, 1, format="md")
    assert md.startswith("## ITERATION #1\n")
    assert "| weight | value |\n|:---|---:|\n| w1 (from x1) | .6742 |" in md
    assert "```text\nex1:  (0 * .6742) + (0 * -.3347) + (1 * -.4047) = -.4047" in md
    assert false_lines(md) == []


def test_terminal_colour_follows_no_color_and_force_color(seed_run, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = explain(seed_run, 1, format="terminal")
    assert "\x1b[" not in plain
    assert "(0 * .6742) + (1 * -.3347) + (1 * -.4047) = -.7394" in plain
    monkeypatch.delenv("NO_COLOR")
    piped = explain(seed_run, 1, format="terminal")  # pytest captures stdout: not a tty
    assert "\x1b[" not in piped
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = explain(seed_run, 1, format="terminal")
    assert "\x1b[32m" in coloured  # green: a weight or prediction went up
    assert false_lines(re.sub(r"\x1b\[[0-9;]*m", "", coloured)) == []


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


def test_last_iteration_says_its_update_was_not_applied():
    run = glassnet.Experiment(iterations=3).run(engine="numpy")
    assert "this update was worked out but not applied" in explain(run, 3)
    assert "not applied" not in explain(run, 2)


def test_biases_learning_rate_and_cross_entropy_are_written_out():
    run = glassnet.Experiment(
        dataset="or",
        layers=[3, 2, 1],
        bias=True,
        seed=4,
        learning_rate=0.5,
        loss="binary_cross_entropy",
        iterations=3,
    ).run(engine="numpy")
    text = explain(run, 2)
    assert "b->h1:" in text and "b->out:" in text
    assert re.search(r"^  x1->h1:\s+\.5 \* \(", text, re.M)
    assert "-(ln(1 - " in text and "delta = error:" in text
    assert false_lines(text) == []


# --------------------------------------------------------------------------- big networks


@pytest.fixture(scope="module")
def big_run() -> glassnet.Run:
    rng = np.random.RandomState(0)
    X = (rng.rand(16, 64) > 0.5).astype(float).tolist()
    y = (rng.rand(16, 1) > 0.5).astype(float).tolist()
    return glassnet.Experiment(
        {
            "data": {"inputs": X, "targets": y},
            "network": {"layers": [64, 32, 1]},
            "train": {"iterations": 3},
        }
    ).run(engine="numpy")


def test_a_64_input_32_hidden_step_renders_fast_and_fits_a_terminal(big_run):
    big_run.step(2)  # replaying the step is the run's work, not the renderer's
    for fmt in ("text", "terminal"):  # timed in benchmarks/ (about 0.2 s), never here
        text = explain(big_run, 2, format=fmt)
        assert max(len(line) for line in text.splitlines()) <= 120
    assert (
        "showing 3 of 16 examples, 3 of 32 units and 3 of 64 inputs; --all shows every one" in text
    )
    assert "[61 more terms:" in text
    assert false_lines(explain(big_run, 2)) == []


def test_the_chain_view_of_a_big_network_fits_and_holds(big_run, xor_run):
    big_run.step(2)
    text = explain(big_run, 2, notation="chain")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert false_lines(text) == []
    every = explain(xor_run, 5, notation="chain", show_all=True)
    assert "dE_total/dW0[0,0]" in every and "W1[3,0]+" in every
    assert max(len(line) for line in every.splitlines()) <= 100
    assert false_lines(every) == []


def test_all_shows_every_unit(big_run):
    text = explain(big_run, 2, show_all=True)
    assert "ex16 h32:" in text and "x64->h32:" in text and "more terms" not in text
    assert false_lines(text) == []


# --------------------------------------------------------------------------- command line


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
    ],
)
def test_cli_explain_bad_arguments_get_one_line(args, expected, capsys):
    code = main(args)
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_cli_terminal_format_keeps_colour_only_when_asked(capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["explain", "--iteration", "1", "--format", "terminal"]) == 0
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["explain", "--iteration", "1", "--format", "terminal"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


def test_finite_differences_of_a_sample_match_the_reference_number_for_number(xor_run, big_run):
    from glassnet.gradcheck import check_gradient, finite_difference_at
    from glassnet.network import finite_difference_gradient

    step = xor_run.step(3)
    full = finite_difference_gradient(xor_run.network, step.before, step.X, step.y).flat()
    some = np.array([0, 5, 11, 15])
    assert np.array_equal(
        finite_difference_at(xor_run.network, step.before, step.X, step.y, some), full[some]
    )
    step = big_run.step(1)
    sampled = check_gradient(big_run.network, step.before, step.X, step.y, budget=1e6)
    full = sampled.analytic.flat()
    assert 64 <= sampled.n_checked < full.size
    assert np.isnan(sampled.numeric.flat()).sum() == full.size - sampled.n_checked
    assert sampled.max_relative < 1e-6


def test_a_big_data_set_checks_a_sample_of_the_parameters():
    rng = np.random.RandomState(1)
    X = rng.rand(1500, 64).round(3).tolist()
    y = (rng.rand(1500, 10) > 0.5).astype(float).tolist()
    run = glassnet.Experiment(
        {
            "data": {"inputs": X, "targets": y},
            "network": {"layers": [64, 32, 10]},
            "train": {"iterations": 2},
        }
    ).run(engine="numpy")
    run.step(1), run.step(0)
    text = explain(run, 1)
    # what keeps it fast (timed in benchmarks/, never here): the gradient check samples
    # a few dozen of the 2,368 parameters, and the tables show a few rows
    checked = re.search(r"over the (\d+) parameters checked", text)
    assert checked is not None and int(checked.group(1)) <= 128
    assert "showing 18 of 2368 parameters" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert false_lines(text) == []


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


def test_a_diverged_step_is_explained_with_its_infinite_loss():
    run = glassnet.Experiment(learning_rate=1e6, loss="binary_cross_entropy", iterations=5).run(
        engine="numpy"
    )
    assert run.stop is not None and run.iterations == 1
    text = explain(run, 1)
    assert "loss:  -(ln(1 - 1.000) + ln(1 - 1.000) + ln(1.000) + ln(1.000)) = inf" in text
    assert "Largest relative difference over all 3 parameters: inf" in " ".join(text.split())
    assert false_lines(text) == []
