"""Random small experiments for the property tests of the explanation and the gradient check.

Networks of up to three layers, trained by every optimizer, with and without l2, on the full
batch and on mini-batches, with the loss summed or averaged, with sigmoid, tanh, relu and linear
layers and softmax outputs. :func:`experiments` draws (settings, iteration, digits).
"""

from __future__ import annotations

from hypothesis import strategies as st

from glassnet.optimizers import OPTIMIZERS

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]


@st.composite
def experiments(draw: st.DrawFn) -> tuple[dict, int, int]:
    big = draw(st.booleans())  # big enough that the explanation leaves rows and terms out
    n_in = draw(st.integers(1, 10 if big else 4))
    hidden = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    n_out = draw(st.integers(1, 2))
    sizes = [n_in, *hidden, n_out]
    n_layers = len(sizes) - 1
    acts = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=n_layers, max_size=n_layers))
    n_samples = draw(st.integers(1, 10 if big else 5))
    value = draw(
        st.sampled_from(
            [
                st.integers(0, 1),  # the post's kind of inputs
                st.floats(-3, 3).map(lambda v: round(v, 2)),  # typed-in data, printed exactly
                st.floats(-3, 3),  # measured data, rounded for print
            ]
        )
    )
    X = draw(
        st.lists(
            st.lists(value, min_size=n_in, max_size=n_in), min_size=n_samples, max_size=n_samples
        )
    )
    y = draw(
        st.lists(
            st.lists(st.sampled_from([0.0, 1.0, 0.25, 0.7]), min_size=n_out, max_size=n_out),
            min_size=n_samples,
            max_size=n_samples,
        )
    )
    loss = "half_squared_error"
    if acts[-1] == "sigmoid" and draw(st.booleans()):
        loss = "binary_cross_entropy"
    if n_out >= 2 and draw(st.booleans()):
        # a softmax output, trained on one-hot targets
        acts[-1], loss = "softmax", "categorical_cross_entropy"
        hot = draw(st.lists(st.integers(0, n_out - 1), min_size=n_samples, max_size=n_samples))
        y = [[1.0 if j == c else 0.0 for j in range(n_out)] for c in hot]
    method: dict = {
        "optimizer": draw(st.sampled_from(sorted(OPTIMIZERS))),
        "l2": draw(st.sampled_from([0.0, 0.01])),
        "reduction": draw(st.sampled_from(["sum", "mean"])),
    }
    batch_size = draw(st.one_of(st.none(), st.integers(1, n_samples)))
    if batch_size is not None:
        method["batch_size"] = batch_size
    config = {
        "data": {"inputs": X, "targets": y},
        "network": {
            "layers": sizes,
            "activation": acts,
            "bias": draw(st.lists(st.booleans(), min_size=n_layers, max_size=n_layers)),
        },
        "init": {"seed": draw(st.integers(0, 10_000))},
        "train": {
            "iterations": 3,
            "learning_rate": draw(st.sampled_from([0.1, 0.5, 1.0, 2.0])),
            "loss": loss,
            "train_biases": draw(st.booleans()),
            **method,
        },
    }
    return config, draw(st.integers(0, 3)), draw(st.integers(1, 6))
