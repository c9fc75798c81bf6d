"""glassnet.explain.chain: the chain-rule view (Mazur's notation) of a big network fits and holds."""

from __future__ import annotations

from helpers.printed import false_lines

from glassnet.explain import explain


def test_the_chain_view_of_a_big_network_fits_and_holds(big_run, xor_run):
    big_run.step(2)
    text = explain(big_run, 2, notation="chain")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert false_lines(text) == []
    every = explain(xor_run, 5, notation="chain", show_all=True)
    assert "dE_total/dW0[0,0]" in every and "W1[3,0]+" in every
    assert max(len(line) for line in every.splitlines()) <= 100
    assert false_lines(every) == []
