"""scikit-learn estimators that train a glassnet network and keep its whole run.

:class:`GlassNetClassifier` and :class:`GlassNetRegressor` follow
scikit-learn's conventions: ``__init__`` only stores the settings, ``fit``
validates them and the data, learned attributes end in ``_``. Each fitted
estimator keeps the glassnet :class:`~glassnet.run.Run` it trained as
``run_``, so ``clf.run_.explain(1)`` prints iteration #1 worked by hand.

Learning rate: mean over examples
---------------------------------
glassnet's engine is full-batch gradient descent on a loss *summed* over the
examples (the post's ``syn0 += l0.T @ l1_delta``): its step grows with the
number of examples. scikit-learn's (and most people's) learning rate is a step
on the *mean* loss. These estimators take the mean convention and train the
run with::

    run learning rate = learning_rate / n_samples

so ``W += (learning_rate / n_samples) * a_prev.T @ delta`` is exactly a
gradient step of size ``learning_rate`` on the mean loss. A learning rate
that works on 100 examples then works on 10,000. ``loss_curve_`` is likewise
the mean loss per example (the run's ``history.loss / n_samples``).
For two classes, scikit-learn's ``MLPClassifier(solver="sgd",
batch_size=n_samples, momentum=0, alpha=0, learning_rate_init=learning_rate)``
takes steps of the same size on the same loss (its initial weights differ);
for more classes it uses a softmax output where glassnet uses one sigmoid per
class.

The post's network is ``GlassNetClassifier(hidden_layer_sizes=(),
bias=False, loss="half_squared_error", learning_rate=4.0, max_iter=100_000,
random_state=123)`` on its four examples: ``4.0 / 4`` gives the run
learning rate 1.0 of the post.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "glassnet.sklearn needs scikit-learn >= 1.6: pip install 'glassnet[sklearn]'"
    ) from exc

from glassnet.activations import ACTIVATIONS
from glassnet.errors import ConfigError, describe
from glassnet.losses import LOSSES
from glassnet.network import forward
from glassnet.types import Array

__all__ = ["GlassNetClassifier", "GlassNetRegressor"]

#: Weight snapshots a fitted estimator keeps for replaying iterations.
CHECKPOINTS = 200


class _GlassNet(BaseEstimator):
    """What both estimators share: settings, their validation, and training the run."""

    _output_activation = "sigmoid"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (8,),
        activation: str = "sigmoid",
        learning_rate: float = 1.0,
        max_iter: int = 1000,
        random_state: int | np.random.RandomState | None = None,
        bias: bool = True,
        loss: str = "binary_cross_entropy",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.random_state = random_state
        self.bias = bias
        self.loss = loss

    # ------------------------------------------------------------------ validation

    def _invalid(self, name: str, rule: str, value: Any) -> ConfigError:
        # a ConfigError is a ValueError too, as scikit-learn's checks expect
        return ConfigError(
            f"The {name!r} parameter of {type(self).__name__} must be {rule}. "
            f"Got {describe(value)} instead."
        )

    def _refuse_fit_params(self, fit_params: dict[str, Any]) -> None:
        """``fit`` takes ``X`` and ``y`` only; say so for ``sample_weight`` and the like."""
        for name, value in fit_params.items():
            if name == "sample_weight":
                raise ConfigError(
                    f"{type(self).__name__}.fit does not take sample_weight (got "
                    f"{describe(value, 40)}): glassnet trains on every example with the same "
                    f"weight. To weight examples, repeat them in X and y."
                )
            raise ConfigError(
                f"{type(self).__name__}.fit takes X and y only; got the keyword {name}="
                f"{describe(value, 40)}."
            )

    def _validated_settings(self) -> dict[str, Any]:
        """The settings checked once, here, as glassnet experiment keys."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = (int(hidden),)
        if (
            isinstance(hidden, (str, bytes))
            or (not isinstance(hidden, Sequence) and not isinstance(hidden, np.ndarray))
        ) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in hidden
        ):
            raise self._invalid(
                "hidden_layer_sizes",
                "a positive int or a sequence of positive ints (() for no hidden layer)",
                self.hidden_layer_sizes,
            )
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise self._invalid("activation", f"a str among {sorted(ACTIVATIONS)}", self.activation)
        lr = self.learning_rate
        if (
            not isinstance(lr, numbers.Real)
            or isinstance(lr, bool)
            or not math.isfinite(lr)
            or lr <= 0
        ):
            raise self._invalid("learning_rate", "a float in the range (0, inf)", lr)
        if (
            not isinstance(self.max_iter, numbers.Integral)
            or isinstance(self.max_iter, bool)
            or self.max_iter < 1
        ):
            raise self._invalid("max_iter", "an int in the range [1, inf)", self.max_iter)
        if not isinstance(self.bias, (bool, np.bool_)):
            raise self._invalid("bias", "an instance of 'bool'", self.bias)
        allowed = [
            name
            for name, loss in LOSSES.items()
            if loss.requires in (None, ACTIVATIONS[self._output_activation])
        ]
        if not isinstance(self.loss, str) or self.loss not in allowed:
            raise self._invalid("loss", f"a str among {allowed}", self.loss)
        random_state = self.random_state
        if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
            if not 0 <= random_state < 2**32:
                raise self._invalid(
                    "random_state", "an int in the range [0, 2**32 - 1]", random_state
                )
            seed = int(random_state)  # the seed glassnet's RandomState draws the weights from
        else:
            seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
        return {
            "hidden": tuple(int(n) for n in hidden),
            "seed": seed,
            "learning_rate": float(lr),
            "max_iter": int(self.max_iter),
            "bias": bool(self.bias),
        }

    # ------------------------------------------------------------------ training

    def _train(self, settings: dict[str, Any], X: Array, Y: Array) -> None:
        """Train a glassnet run on ``X`` ``(n_samples, n_in)``, ``Y`` ``(n_samples, n_out)``.

        ``settings`` are those :meth:`_validated_settings` returned.
        """
        from glassnet.experiment import Experiment

        n_samples, n_in = X.shape
        sizes = [n_in, *settings["hidden"], Y.shape[1]]
        n_layers = len(sizes) - 1
        experiment = Experiment(
            {
                "data": {"inputs": X.tolist(), "targets": Y.tolist()},
                "network": {
                    "layers": sizes,
                    "activation": [self.activation] * (n_layers - 1) + [self._output_activation],
                    "bias": settings["bias"],
                },
                "init": {"seed": settings["seed"]},
                "train": {
                    "iterations": settings["max_iter"],
                    # a step of learning_rate on the mean loss (see the module docstring)
                    "learning_rate": settings["learning_rate"] / n_samples,
                    "loss": self.loss,
                    "checkpoints": max(2, min(CHECKPOINTS, settings["max_iter"])),
                },
            }
        )
        run = experiment.run()
        if run.stop is not None:
            warnings.warn(
                f"{type(self).__name__}: training stopped at iteration #{run.stop.iteration} "
                f"({run.stop.reason}); lower learning_rate (now {self.learning_rate}).",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.run_ = run
        self.n_iter_ = run.iterations
        self.loss_curve_ = list(run.history.loss / n_samples)
        self.coefs_ = [w.copy() for w in run.final.weights]
        self.intercepts_ = [
            np.zeros(w.shape[1]) if b is None else b.copy()
            for w, b in zip(run.final.weights, run.final.biases)
        ]

    def _forward(self, X: Any) -> Array:
        """The trained network's output for ``X``, shape ``(n_samples, n_out)``."""
        check_is_fitted(self, "run_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with np.errstate(all="ignore"):
            _, activations = forward(self.run_.network, self.run_.final, X)
        return activations[-1]


class GlassNetClassifier(ClassifierMixin, _GlassNet):
    """A small sigmoid-output network, trained by full-batch gradient descent and recorded.

    Two classes use one sigmoid output ``a = P(class 1)``; ``k > 2`` classes
    use ``k`` sigmoid outputs trained on one-hot targets, and
    ``predict_proba`` normalizes them to sum to 1 (one-vs-rest).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(8,)
        Units of each hidden layer; ``()`` for none (the post's network).
    activation : {"sigmoid", "tanh", "relu", "linear"}, default="sigmoid"
        Activation of the hidden layers.
    learning_rate : float, default=1.0
        Step size on the mean loss over examples (the run uses
        ``learning_rate / n_samples`` on its summed loss).
    max_iter : int, default=1000
        Number of full-batch updates.
    random_state : int, RandomState or None, default=None
        An int is glassnet's seed: weights are ``2 * RandomState(seed).random_sample - 1``.
    bias : bool, default=True
        Whether every layer has a (trained) bias.
    loss : {"binary_cross_entropy", "half_squared_error"}, default="binary_cross_entropy"

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    run_ : glassnet.Run
        The recorded training run (explain, plot, compare it).
    loss_curve_ : list of float
        Mean loss per example of iterations #0 .. #max_iter-1.
    n_iter_ : int
        Updates applied.
    coefs_, intercepts_ : lists of ndarray
        Final weights ``(n_in, n_out)`` and biases ``(n_out,)`` per layer.
    n_features_in_ : int

    Examples
    --------
    >>> from glassnet.sklearn import GlassNetClassifier
    >>> X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    >>> clf = GlassNetClassifier(hidden_layer_sizes=(), bias=False, loss="half_squared_error",
    ...                          learning_rate=4.0, max_iter=2, random_state=123)
    >>> clf.fit(X, [0, 0, 1, 1]).run_.step(1).prediction.ravel().round(8)
    array([0.40018475, 0.32312967, 0.56698066, 0.48370881])
    """

    _output_activation = "sigmoid"

    def fit(self, X: Any, y: Any, **fit_params: Any) -> GlassNetClassifier:
        """Train on ``X`` ``(n_samples, n_features)`` and class labels ``y`` ``(n_samples,)``.

        ``sample_weight`` (or any other keyword) is refused with a
        :class:`~glassnet.errors.ConfigError`: every example weighs the same.
        """
        self._refuse_fit_params(fit_params)
        settings = self._validated_settings()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs examples of at least 2 classes; got 1 class "
                f"({self.classes_[0]!r})."
            )
        from glassnet.data.real import encode_targets

        Y, _ = encode_targets(labels, tuple(str(c) for c in self.classes_))
        self._train(settings, X, Y)
        return self

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, shape ``(n_samples, n_classes)``, rows summing to 1."""
        check_is_fitted(self, "run_")
        a = self._forward(X)
        if len(self.classes_) == 2:
            return np.hstack([1.0 - a, a])
        total = a.sum(axis=1, keepdims=True)
        with np.errstate(all="ignore"):
            proba = np.where(total > 0, a / total, 1.0 / a.shape[1])
        return proba

    def predict_log_proba(self, X: Any) -> Array:
        """``log(predict_proba(X))``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> Array:
        """The most probable class of each example, shape ``(n_samples,)``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class GlassNetRegressor(RegressorMixin, _GlassNet):
    """A small network with a linear output, trained on half squared error and recorded.

    Parameters are those of :class:`GlassNetClassifier` (with ``loss``
    fixed to ``"half_squared_error"``); the output layer is linear, so
    ``predict`` returns the network's output, ``(n_samples,)`` for a 1-d ``y``
    and ``(n_samples, n_outputs)`` for a 2-d one.
    """

    _output_activation = "linear"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (8,),
        activation: str = "sigmoid",
        learning_rate: float = 0.1,
        max_iter: int = 1000,
        random_state: int | np.random.RandomState | None = None,
        bias: bool = True,
        loss: str = "half_squared_error",
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            learning_rate=learning_rate,
            max_iter=max_iter,
            random_state=random_state,
            bias=bias,
            loss=loss,
        )

    def fit(self, X: Any, y: Any, **fit_params: Any) -> GlassNetRegressor:
        """Train on ``X`` ``(n_samples, n_features)`` and targets ``y`` ``(n_samples,)`` or 2-d.

        ``sample_weight`` (or any other keyword) is refused, as by the classifier.
        """
        self._refuse_fit_params(fit_params)
        settings = self._validated_settings()
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._y_1d = y.ndim == 1
        self._train(settings, X, y.reshape(len(y), -1).astype(np.float64))
        return self

    def predict(self, X: Any) -> Array:
        """The network's output, ``(n_samples,)`` or ``(n_samples, n_outputs)``."""
        a = self._forward(X)
        return a.ravel() if self._y_1d else a

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
