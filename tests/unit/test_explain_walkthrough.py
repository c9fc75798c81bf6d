"""glassnet.explain.walkthrough: the post's walkthrough, iterations #0 and #1, the error over
time and the final state.
"""

from __future__ import annotations

import re

from helpers.printed import NUMBER, agrees_with_seed, section

from glassnet.explain.walkthrough import format_walkthrough


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
