"""The post's and Andrew Trask's published numbers, reproduced (absolute tolerance 1e-8).

The expected values are copied from the post (part II of the series) and
from the outputs of Trask's "A Neural Network in 11 lines of Python" examples.
"""

from __future__ import annotations

from numpy.testing import assert_allclose

import glassnet

TOL = dict(rtol=0, atol=1e-8)


def test_seed_initial_weights(seed_run):
    assert_allclose(
        seed_run.initial.weights[0].ravel(), [0.39293837, -0.42772133, -0.54629709], **TOL
    )


def test_seed_iteration_0(seed_run):
    step = seed_run.step(0)
    assert_allclose(
        step.prediction.ravel(), [0.36672394, 0.27408027, 0.46173529, 0.35868411], **TOL
    )
    assert_allclose(step.after.weights[0].ravel(), [0.67423821, -0.33473064, -0.40469539], **TOL)
    assert_allclose(step.error_sum, 1.82038481, **TOL)


def test_seed_iteration_1(seed_run):
    step = seed_run.step(1)
    assert_allclose(step.before.weights[0].ravel(), [0.67423821, -0.33473064, -0.40469539], **TOL)
    assert_allclose(
        step.layers[0].z.ravel(), [-0.40469539, -0.73942603, 0.26954282, -0.06518782], **TOL
    )
    assert_allclose(
        step.prediction.ravel(), [0.40018475, 0.32312967, 0.56698066, 0.48370881], **TOL
    )
    assert_allclose(step.error.ravel(), [-0.40018475, -0.32312967, 0.43301934, 0.51629119], **TOL)
    assert_allclose(step.after.weights[0].ravel(), [0.90948611, -0.27646878, -0.33618051], **TOL)
    assert_allclose(step.error_sum, 1.67262494, **TOL)


def test_seed_error_history(seed_run):
    h = seed_run.history.error_sum
    assert len(h) == 100_000
    assert_allclose(h[[0, 1, 9999, 99999]], [1.82038481, 1.67262494, 0.03181991, 0.00994979], **TOL)
    # The history is the same figure the traced steps report.
    assert h[1] == seed_run.step(1).error_sum


def test_seed_final_weights(seed_run):
    assert seed_run.iterations == 100_000
    assert_allclose(
        seed_run.final.weights[0].ravel(), [12.00871622, -0.20447873, -5.80024997], **TOL
    )
    # The post's last section: sigmoid outputs .003, .002, .998, .997.
    assert_allclose(seed_run.final_prediction.ravel(), [0.003, 0.002, 0.998, 0.997], atol=6e-4)


def test_trask_two_layer():
    run = glassnet.Experiment(dataset="seed", seed=1, iterations=10_000).run(engine="numpy")
    assert_allclose(run.initial.weights[0].ravel(), [-0.16595599, 0.44064899, -0.99977125], **TOL)
    assert_allclose(run.final.weights[0].ravel(), [9.67299303, -0.2078435, -4.62963669], **TOL)


def test_trask_three_layer(xor_run):
    assert_allclose(xor_run.history.error_sum[0] / 4, 0.496410031903, rtol=0, atol=1e-12)
    assert_allclose(
        xor_run.step(59999).prediction.ravel(),
        [0.00260572, 0.99672209, 0.99701711, 0.00386759],
        **TOL,
    )
