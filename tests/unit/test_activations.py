"""glassnet.activations: one definition per activation, read everywhere, matched by name nowhere.

Also the issue's proof that adding an activation is one definition: leaky_relu
and softplus, trained on Trask's xor network, against a plain numpy loop
written here, on every engine, and through the finite-difference check.
"""

from __future__ import annotations

import ast
import copy
import pickle
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import engines
from glassnet.activations import ACTIVATIONS, LEAKY_RELU, SIGMOID, SOFTMAX, SOFTPLUS, activation
from glassnet.engines.tolerance import mismatch
from glassnet.gradcheck import check_gradient
from glassnet.losses import LOSSES
from glassnet.sweep import sweep
from glassnet.training import CheckpointSchedule

SRC = Path(glassnet.__file__).parent
#: The modules that define activations, losses and optimizers.
DEFINITIONS = {"activations.py", "losses.py", "optimizers.py"}
NAMES = set(ACTIVATIONS) | set(LOSSES)


def _names_compared(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, name)`` of every comparison of a definition's name with a string literal."""
    found: list[tuple[int, str]] = []

    def literal_names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value] if node.value in NAMES else []
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [n for elt in node.elts for n in literal_names(elt)]
        return []

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                found += [(node.lineno, name) for name in literal_names(side)]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, name) for name in literal_names(node.value)]
    return found


def test_no_module_outside_the_definitions_compares_an_activation_or_loss_name():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in DEFINITIONS and path.parent == SRC:
            continue
        for line, name in _names_compared(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(SRC)}:{line}: compares with {name!r}")
    assert not offenders, "read the definition instead:\n" + "\n".join(offenders)


def test_the_scan_finds_what_it_looks_for():
    sample = (
        "if act.name == 'relu': pass\n"
        "x = loss in ('half_squared_error', 'x')\n"
        "match name:\n    case 'tanh': pass\n"
        "ok = ACTIVATIONS['tanh']\n"
    )
    assert [n for _, n in _names_compared(ast.parse(sample))] == [
        "relu",
        "half_squared_error",
        "tanh",
    ]


def test_an_unknown_name_raises_naming_the_known_ones():
    with pytest.raises(KeyError, match="unknown activation 'swish'; known: sigmoid, tanh"):
        activation("swish")
    with pytest.raises(glassnet.errors.ConfigError, match="activation must be one of"):
        glassnet.Experiment(activation="swish")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_each_definition_is_one_object_pickled_and_copied_by_name(name):
    act = ACTIVATIONS[name]
    assert pickle.loads(pickle.dumps(act)) is act
    assert copy.deepcopy(act) is act


ELEMENTWISE = sorted(name for name, a in ACTIVATIONS.items() if not a.rowwise)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_the_derivative_from_the_output_is_the_slope_of_the_function(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-6, 6, 241)
    z = z[np.abs(z) > 1e-3]  # away from a kink
    h = 1e-6
    slope = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.grad(act.fn(z)), slope, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_the_kernel_source_computes_the_numpy_function(name):
    act = ACTIVATIONS[name]
    math = _numba_math()
    z = np.array([-800.0, -30.0, -1.5, -1e-300, 0.0, 1e-300, 0.3, 2.0, 40.0, 800.0])
    with np.errstate(all="ignore"):
        expected = act.fn(z)
        grad_expected = act.grad(expected)
    for x, e, g in zip(z, expected, grad_expected):
        value = eval(act.kernel("z"), {"math": math}, {"z": float(x)})
        assert value == e or abs(value - e) <= 1e-15 * abs(e), (x, value, e)
        slope = eval(act.kernel_grad("a"), {"math": math}, {"a": float(e)})
        assert slope == g or abs(slope - g) <= 1e-15 * abs(g), (x, slope, g)


def test_softmax_rows_are_probabilities_and_its_kernel_numerator_matches():
    z = np.array([[1.0, 2.0, 3.0], [-800.0, 0.0, 800.0], [0.5, 0.5, 0.5]])
    a = SOFTMAX.fn(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(a[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-15)
    assert a[1, 2] == 1.0 and a[1, 0] == 0.0  # no overflow, no NaN
    math = _numba_math()
    row = z[0]
    numerators = [
        eval(SOFTMAX.kernel("z", max="top"), {"math": math}, {"z": v, "top": row.max()})
        for v in row
    ]
    np.testing.assert_allclose(np.array(numerators) / sum(numerators), a[0], rtol=1e-15)
    assert SOFTMAX.rowwise and SOFTMAX.saturation_ends == ()
    with pytest.raises(ValueError, match="no elementwise derivative"):
        SOFTMAX.grad(a)


def _numba_math():
    """Python's math module as numba compiles it: overflow gives inf, not an error."""
    import math
    from types import SimpleNamespace

    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    return SimpleNamespace(
        exp=exp, log=math.log, log1p=math.log1p, expm1=math.expm1, tanh=math.tanh, inf=math.inf
    )


def test_leaky_relu_and_softplus_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(LEAKY_RELU.fn(z), [-0.02, -0.005, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(LEAKY_RELU.grad(LEAKY_RELU.fn(z)), [0.01, 0.01, 0.01, 1, 1])
    np.testing.assert_allclose(SOFTPLUS.fn(z), np.log1p(np.exp(z)), rtol=1e-15)
    assert SOFTPLUS.fn(np.array([800.0]))[0] == 800.0  # no overflow
    # the derivative, from the output, is the sigmoid of z
    np.testing.assert_allclose(SOFTPLUS.grad(SOFTPLUS.fn(z)), SIGMOID.fn(z), rtol=1e-14)
    assert SOFTPLUS.saturation_ends == (0.0,) and LEAKY_RELU.saturation_ends == ()
    assert SIGMOID.saturation_ends == (0.0, 1.0)


# --------------------------------------------------------------------------- xor, by hand


def plain_numpy_loop(hidden, hidden_grad, iterations: int):
    """Trask's three-layer network written out, with another hidden activation."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0, 1, 1, 0]], dtype=float).T
    # Trask's own legacy-API calls, kept as he wrote them (his weights depend on them)
    np.random.seed(1)  # noqa: NPY002
    syn0 = 2 * np.random.random((3, 4)) - 1  # noqa: NPY002
    syn1 = 2 * np.random.random((4, 1)) - 1  # noqa: NPY002
    errors = []
    for _ in range(iterations):
        l1 = hidden(X @ syn0)
        l2 = 1 / (1 + np.exp(-(l1 @ syn1)))
        l2_error = y - l2
        errors.append(np.abs(l2_error).sum())
        l2_delta = l2_error * (l2 * (1 - l2))
        l1_delta = (l2_delta @ syn1.T) * hidden_grad(l1)
        syn1 += l1.T @ l2_delta
        syn0 += X.T @ l1_delta
    return syn0, syn1, np.array(errors)


PLAIN = {
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda a: np.where(a > 0, 1.0, 0.01),
    ),
    "softplus": (
        lambda z: np.logaddexp(0, z),
        lambda a: 1 - np.exp(-a),  # the sigmoid of z, from a = ln(1 + e^z)
    ),
}
XOR_ITERATIONS = 10_000


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("name", sorted(PLAIN))
def test_xor_with_the_new_activations_matches_a_plain_numpy_loop(name, engine):
    syn0, syn1, errors = plain_numpy_loop(*PLAIN[name], XOR_ITERATIONS)
    run = glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        activation=[name, "sigmoid"],
        seed=1,
        iterations=XOR_ITERATIONS,
    ).run(engine=engine)
    assert run.engine == engine
    assert errors[-1] < 0.05  # it learned xor
    # to 1e-12 of each array's largest entry
    for mine, theirs, what in [
        (run.final.weights[0], syn0, "W0"),
        (run.final.weights[1], syn1, "W1"),
        (run.history.error_sum, errors, "error sums"),
    ]:
        scale = np.max(np.abs(theirs))
        assert np.max(np.abs(mine - theirs)) <= 1e-12 * scale, what


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_xor_with_the_new_activations_in_a_sweep_matches_single_runs(name):
    settings = dict(dataset="xor", layers=[3, 4, 1], activation=[name, "sigmoid"], iterations=2000)
    result = sweep(glassnet.Experiment(**settings), seeds=[1, 2], engine="compiled")
    for index, seed in enumerate((1, 2)):
        run = glassnet.Experiment(**settings, seed=seed).run(engine="numpy")
        assert mismatch(result.final_params[index], run.final.flat()) is None


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_xor_with_the_new_activations_passes_the_gradient_check(name):
    run = glassnet.Experiment(
        dataset="xor", layers=[3, 4, 1], activation=[name, "sigmoid"], seed=1, iterations=101
    ).run(engine="numpy")
    for k in (0, 100):
        step = run.step(k)
        check = check_gradient(run.network, step.before, run.data.X, run.data.y)
        assert check.max_relative < 1e-6, (k, check.max_relative)


def test_engines_train_the_new_activations_with_the_same_schedule():
    exp = glassnet.Experiment(
        dataset="xor",
        layers=[3, 4, 1],
        activation=["softplus", "leaky_relu"],
        seed=2,
        iterations=500,
    )
    schedule = CheckpointSchedule.for_run(500, 20)
    args = dict(iterations=500, learning_rate=0.2, train_biases=True, schedule=schedule)
    ref = engines.trainer("numpy")(exp.network, exp.initial.copy(), exp.data.X, exp.data.y, **args)
    mine = engines.trainer("compiled")(
        exp.network, exp.initial.copy(), exp.data.X, exp.data.y, **args
    )
    assert mismatch(mine.loss, ref.loss) is None
    assert mismatch(mine.final.flat(), ref.final.flat()) is None
