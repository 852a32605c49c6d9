r"""scikit-learn compatible estimators built on the package's own network and trainer.

`NumpyMLPRegressor` turns every option of ``housing train`` into a keyword
hyperparameter, and `NumpyMLPClassifier` every option of ``housing train
--task classify``, so both work inside `sklearn.pipeline.Pipeline`,
`sklearn.model_selection.cross_val_score` and `GridSearchCV`. Neither has a
training loop of its own: `fit` builds an `MLP`, a loss, an optimizer and a
learning-rate schedule from the registries, and trains with `Trainer`, the
same core the command line uses.

Example::

    >>> from sklearn.datasets import make_regression
    >>> from housing import NumpyMLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    >>> model = NumpyMLPRegressor(loss="huber", delta=0.5, max_epochs=50, random_state=0).fit(X, y)
    >>> model.predict(X[:3]).shape
    (3,)
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .activations import ACTIVATIONS
from .classification import one_hot, output_width
from .errors import ConfigError, DataError
from .experiment import seed_stream
from .losses import CLASSIFICATION_LOSSES, LOSSES, Loss, get_loss
from .model import class_probabilities
from .network import MLP
from .optimizers import OPTIMIZERS, SCHEDULES, get_optimizer, get_schedule
from .preprocessing import TARGET_TRANSFORMS, TargetTransform
from .training import ProgressPrinter, Trainer

__all__ = ["NumpyMLPRegressor", "NumpyMLPClassifier"]

_DTYPES = ("float64", "float32")
_PROGRESS_EVERY = 10  # epochs between progress lines when verbose, as in `housing train`


class _NumpyMLPBase(BaseEstimator):
    """The fitting steps that the regressor and the classifier share."""

    def _checked_hyperparameters(self) -> tuple[int, ...]:
        """Run `_validate_hyperparameters`, naming the estimator in any error."""
        try:
            return self._validate_hyperparameters()
        except ConfigError as error:
            raise ConfigError(f"{type(self).__name__}: {error}") from None

    def _validate_shared_hyperparameters(self) -> tuple[int, ...]:
        """Check the hyperparameters of both estimators; return the hidden layer widths as a tuple."""
        hidden = _hidden_layer_sizes(self.hidden_layer_sizes)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_real("learning_rate", self.learning_rate, "a finite number > 0", lambda v: v > 0, "1e-3")
        _check_real("momentum", self.momentum, "in [0, 1)", lambda v: 0 <= v < 1, "0.9")
        _check_positive_int("batch_size", self.batch_size, "64")
        _check_positive_int("max_epochs", self.max_epochs, "200")
        _check_bool("early_stopping", self.early_stopping)
        _check_positive_int("patience", self.patience, "20")
        _check_real("validation_fraction", self.validation_fraction, "in the open interval (0, 1)",
                    lambda v: 0 < v < 1, "0.15")
        _check_real("weight_decay", self.weight_decay, "a finite number >= 0", lambda v: v >= 0, "1e-2")
        _check_choice("schedule", self.schedule, SCHEDULES)
        _check_choice("dtype", self.dtype, _DTYPES)
        _check_bool("verbose", self.verbose)
        return hidden

    def _split(self, X: np.ndarray, Y: np.ndarray, seed: int):
        """Hold out the validation samples when early stopping is on."""
        if not self.early_stopping:
            return X, None, Y, None
        n_samples = X.shape[0]
        if n_samples < 2:
            raise DataError(f"{type(self).__name__}: early_stopping=True holds out a validation set, which needs at "
                            f"least 2 samples; got {n_samples} sample. Pass more samples or set early_stopping=False")
        X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=self.validation_fraction,
                                                          random_state=seed)
        return X_train, X_val, Y_train, Y_val

    def _build_trainer(self, n_features: int, n_outputs: int, hidden: tuple[int, ...], loss: Loss,
                       seed: int) -> Trainer:
        network = MLP(n_features, hidden, n_outputs, activation=self.activation,
                      rng=seed_stream(seed, "init"), dtype=np.dtype(self.dtype))
        optimizer_params = {"momentum": self.momentum} if self.optimizer in ("momentum", "nesterov") else {}
        optimizer = get_optimizer(self.optimizer, self.learning_rate, **optimizer_params)
        callbacks = [ProgressPrinter(_PROGRESS_EVERY)] if self.verbose else []
        return Trainer(network, loss, optimizer, batch_size=self.batch_size, max_epochs=self.max_epochs,
                       patience=self.patience if self.early_stopping else None, weight_decay=self.weight_decay,
                       schedule=get_schedule(self.schedule), rng=seed_stream(seed, "shuffle"),
                       callbacks=callbacks)

    def _store_fitted(self, trainer: Trainer, history) -> None:
        network = trainer.network
        self.network_ = network
        self.coefs_ = network.weights
        self.intercepts_ = network.biases
        self.n_outputs_ = network.n_outputs
        self.history_ = history
        self.loss_curve_ = list(history.train_loss)
        self.validation_loss_curve_ = list(history.val_loss) if self.early_stopping else None
        self.n_iter_ = len(history)
        self.best_epoch_ = history.best_epoch
        self.stop_reason_ = history.stop_reason
        if history.diverged:
            kept_weights = (f"the weights of epoch {history.best_epoch}" if history.best_epoch
                            else "the initial weights")
            warnings.warn(f"{type(self).__name__}: the loss became infinite or NaN after {len(history)} complete "
                          f"epochs, so training stopped and kept {kept_weights}. Lower learning_rate "
                          f"(now {self.learning_rate}) or scale X, for example with a StandardScaler before "
                          "this estimator in a Pipeline", ConvergenceWarning, stacklevel=3)


class NumpyMLPRegressor(RegressorMixin, _NumpyMLPBase):
    r"""A multi-layer perceptron regressor trained by the package's `Trainer`.

    Every hyperparameter is keyword-only and stored unchanged; `fit` checks
    them all and raises `ConfigError` (a `ValueError`) naming the parameter,
    the rule and the value received.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Width of each hidden layer. An empty tuple gives a linear model.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}, default="relu"
        Activation of every hidden layer. The output layer is linear.
    loss : {"mse", "rmse", "mae", "huber", "logcosh", "quantile", "msle", "mape"}, default="mse"
        Training loss, measured on the transformed target (see ``target_transform``).
    delta : float, default=1.0
        Where the Huber loss turns from quadratic to linear, in units of the
        transformed target. Used only when ``loss="huber"``.
    quantile : float, default=0.5
        The quantile in (0, 1) that the pinball loss predicts. Used only when
        ``loss="quantile"``.
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default="adam"
    learning_rate : float, default=1e-3
        Initial step size of the optimizer.
    momentum : float, default=0.9
        Momentum in [0, 1) of the "momentum" and "nesterov" optimizers.
    batch_size : int, default=64
        Samples per gradient step. A value at least the number of training
        samples gives full-batch gradient descent.
    max_epochs : int, default=200
        Upper limit on passes over the training samples.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the samples, stop after
        ``patience`` epochs without a new best validation loss, and keep the
        weights of the best epoch. When False, every sample is used for
        training, training runs all ``max_epochs`` epochs, and the weights of
        the epoch with the lowest training loss are kept.
    patience : int, default=20
        Epochs without improvement before early stopping.
    validation_fraction : float, default=0.15
        Share of the samples, in (0, 1), held out for early stopping.
    weight_decay : float, default=1e-2
        L2 penalty ``weight_decay / 2 * sum(W**2)`` on the weights, not the biases.
    schedule : {"constant", "step", "plateau"}, default="plateau"
        Learning-rate schedule, updated after each epoch.
    target_transform : {"standardize", "log", "ratio", "none"}, default="standardize"
        Map from ``y`` to the space the network trains in, fitted on the
        training samples for each output separately; predictions are mapped
        back. "log" suits prices, "ratio" suits the losses that need positive
        targets ("msle", "mape").
    dtype : {"float64", "float32"}, default="float64"
        Floating-point type of the weights and of ``X`` inside the network.
    random_state : int, RandomState instance or None, default=None
        Drives every random choice: the validation split, the initial weights
        and the order of samples in each epoch. An int gives the same fitted
        weights, bit for bit, on every call. The initial weights and the
        shuffling then come from the same random streams as in
        ``housing train --seed`` with that number.
    verbose : bool, default=False
        Print a progress line every 10 epochs.

    Attributes
    ----------
    coefs_ : list of ndarray of shape (fan_in, fan_out)
        Weight matrix of each layer. These are views into ``network_``, so
        changing them changes the predictions, as in `MLPRegressor`.
    intercepts_ : list of ndarray of shape (fan_out,)
        Bias vector of each layer, also views into ``network_``.
    loss_curve_ : list of float
        Mean training loss of each epoch, in the transformed target space.
    validation_loss_curve_ : list of float or None
        Validation loss after each epoch; None when ``early_stopping=False``,
        because there is then no validation set.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int or None
        Epoch whose weights were kept, counted from 1; None when no epoch
        finished before training diverged.
    stop_reason_ : str
        Why training stopped, in a full sentence.
    history_ : History
        The per-epoch record that `housing.plotting` charts.
    network_ : MLP
        The fitted network.
    target_transforms_ : list of TargetTransform
        The fitted target transform of each output.
    n_outputs_ : int
        Number of outputs, 1 for a 1-D ``y``.
    n_features_in_ : int
        Number of features seen during `fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during `fit`, when ``X`` had string column
        names.

    Notes
    -----
    `fit` runs the data flow of ``housing train`` on arrays:

    1. Split off ``validation_fraction`` of the samples (with ``early_stopping``).
    2. Fit the target transform on the training samples, for example
       :math:`z = (y - \mu) / \sigma` for "standardize".
    3. Train the network on :math:`(X, z)` with the chosen loss, optimizer
       and schedule, keeping the weights of the best epoch.

    `predict` maps the network's output back with the inverse transform, so
    predictions are in the units of ``y``. ``X`` is not scaled here: put a
    scaler or `housing.preprocessing.FeaturePipeline` before the estimator in
    a `Pipeline`.
    """

    def __init__(self, *, hidden_layer_sizes=(64, 32), activation="relu", loss="mse", delta=1.0, quantile=0.5,
                 optimizer="adam", learning_rate=1e-3, momentum=0.9, batch_size=64, max_epochs=200,
                 early_stopping=True, patience=20, validation_fraction=0.15, weight_decay=1e-2,
                 schedule="plateau", target_transform="standardize", dtype="float64", random_state=None,
                 verbose=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.delta = delta
        self.quantile = quantile
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.target_transform = target_transform
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------
    # scikit-learn API
    # ------------------------------------------------------------------

    def fit(self, X, y) -> NumpyMLPRegressor:
        """Train a new network on ``X`` of shape (n_samples, n_features) and ``y``.

        ``y`` has shape (n_samples,) or (n_samples, n_outputs). Any earlier
        fit is discarded.

        Raises
        ------
        ConfigError
            If a hyperparameter is invalid.
        DataError
            If ``y`` is outside what the loss or the target transform accepts,
            or there are too few samples for a validation split.
        ValueError
            If ``X`` or ``y`` is malformed: NaN, infinite, sparse, empty, or of
            mismatched lengths.
        """
        hidden = self._checked_hyperparameters()
        seed = _seed_from(self.random_state)
        loss = get_loss(self.loss, **self._loss_params())
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.dtype(self.dtype))
        self._y_is_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if self._y_is_1d else y  # (n_samples, n_outputs)
        self._check_target(Y, loss)

        # Split, then fit the target transforms on the training samples only.
        X_train, X_val, Y_train, Y_val = self._split(X, Y, seed)
        self.target_transforms_ = [TargetTransform(self.target_transform).fit(column, column="y")
                                   for column in Y_train.T]
        Z_train = self._transform_target(Y_train)
        Z_val = self._transform_target(Y_val) if Y_val is not None else None

        # Train with the same core as `housing train`.
        trainer = self._build_trainer(X.shape[1], Y.shape[1], hidden, loss, seed)
        history = trainer.fit(X_train, Z_train, X_val, Z_val)
        self._store_fitted(trainer, history)
        return self

    def predict(self, X) -> np.ndarray:
        """Return predictions in the units of ``y``.

        The shape is (n_samples,) when ``fit`` saw a 1-D ``y``, and
        (n_samples, n_outputs) otherwise.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype)
        # NOTE: MLP.forward caches each layer's input for backpropagation, so
        # calling predict on one fitted estimator from several threads at
        # once is unsafe.
        Z = self.network_.predict(X)  # (n_samples, n_outputs)
        Y = np.column_stack([transform.inverse(Z[:, [j]])
                             for j, transform in enumerate(self.target_transforms_)])
        return Y.ravel() if self._y_is_1d else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    # ------------------------------------------------------------------
    # Steps of fit
    # ------------------------------------------------------------------

    def _loss_params(self) -> dict:
        if self.loss == "huber":
            return {"delta": self.delta}
        if self.loss == "quantile":
            return {"tau": self.quantile}
        return {}

    def _check_target(self, Y: np.ndarray, loss: Loss) -> None:
        """Raise if the loss or the target transform cannot take ``Y``, naming the rows."""
        loss.validate_target(Y, column="y")
        if loss.target_transform == "ratio" and self.target_transform in ("log", "standardize"):
            raise ConfigError(f"NumpyMLPRegressor: loss={self.loss!r} needs a transformed target of 0 or more, "
                              f"but target_transform={self.target_transform!r} centres it on 0. "
                              "Set target_transform='ratio' or 'none'")
        if self.target_transform == "log" and np.any(Y <= 0):
            rows = np.flatnonzero(np.any(Y <= 0, axis=1))
            row_list = ", ".join(str(row) for row in rows[:10])
            if len(rows) > 10:
                row_list += f" and {len(rows) - 10} more"
            raise DataError(f"NumpyMLPRegressor: target_transform='log' needs y > 0, but y is 0 or below in "
                            f"row{'s' if len(rows) > 1 else ''} {row_list}. Remove those rows or set "
                            "target_transform='standardize'")
        for column in Y.T:
            # Run on all rows before the split, so that a message names the row of y.
            TargetTransform(self.target_transform).checked_values(column, column="y")

    def _transform_target(self, Y: np.ndarray) -> np.ndarray:
        """Apply each output's transform; return shape (n_samples, n_outputs)."""
        return np.hstack([transform.transform(Y[:, j]) for j, transform in enumerate(self.target_transforms_)])

    # ------------------------------------------------------------------
    # Hyperparameter checks
    # ------------------------------------------------------------------

    def _validate_hyperparameters(self) -> tuple[int, ...]:
        """Check every hyperparameter; return the hidden layer widths as a tuple."""
        hidden = self._validate_shared_hyperparameters()
        _check_choice("loss", self.loss, LOSSES)
        _check_real("delta", self.delta, "a finite number > 0", lambda v: v > 0, "1.0")
        _check_real("quantile", self.quantile, "in the open interval (0, 1)", lambda v: 0 < v < 1, "0.9")
        _check_choice("target_transform", self.target_transform, TARGET_TRANSFORMS)
        return hidden

class NumpyMLPClassifier(ClassifierMixin, _NumpyMLPBase):
    r"""A multi-layer perceptron classifier trained by the package's `Trainer`, for price bands and other labels.

    The hyperparameters are those of `NumpyMLPRegressor` without the
    regression loss and target transform; see there. ``y`` holds one class
    label per sample, of any type `numpy.unique` can sort. For price bands,
    cut the prices into labels first, for example with
    ``housing.classification.PriceBands.fit(prices, 4).assign(prices)``.

    Parameters
    ----------
    loss : {"cce", "bce"}, default="cce"
        "cce" is the categorical cross-entropy of one softmax logit per class.
        "bce" is the binary cross-entropy of one sigmoid logit and takes
        exactly two classes. Both are computed from logits.
    hidden_layer_sizes, activation, optimizer, learning_rate, momentum, \
batch_size, max_epochs, early_stopping, patience, validation_fraction, \
weight_decay, schedule, dtype, random_state, verbose
        As in `NumpyMLPRegressor`. With ``early_stopping`` the validation
        split is not stratified, as in the command line.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels; `predict_proba` has one column per label.
    coefs_, intercepts_, loss_curve_, validation_loss_curve_, n_iter_, \
best_epoch_, stop_reason_, history_, network_, n_outputs_, n_features_in_, \
feature_names_in_
        As in `NumpyMLPRegressor`. The losses are cross-entropies in nats.
    """

    def __init__(self, *, hidden_layer_sizes=(64, 32), activation="relu", loss="cce", optimizer="adam",
                 learning_rate=1e-3, momentum=0.9, batch_size=64, max_epochs=200, early_stopping=True,
                 patience=20, validation_fraction=0.15, weight_decay=1e-2, schedule="plateau", dtype="float64",
                 random_state=None, verbose=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y) -> NumpyMLPClassifier:
        """Train a new network on ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,).

        Raises
        ------
        ConfigError
            If a hyperparameter is invalid.
        ValueError
            If ``y`` has fewer than two classes, continuous values, or three
            or more classes with ``loss="bce"``; or if ``X`` is malformed.
        """
        hidden = self._checked_hyperparameters()
        seed = _seed_from(self.random_state)
        X, y = validate_data(self, X, y, dtype=np.dtype(self.dtype))
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"NumpyMLPClassifier needs at least 2 classes in y; got 1 class, {self.classes_[0]}. "
                             "Pass samples of at least two classes")
        if self.loss == "bce" and n_classes > 2:
            raise ConfigError(f"NumpyMLPClassifier: loss='bce' takes two classes; y has {n_classes}. "
                              "Use loss='cce'")

        n_outputs = output_width(self.loss, n_classes)
        targets = labels.reshape(-1, 1).astype(np.float64) if n_outputs == 1 else one_hot(labels, n_classes)
        X_train, X_val, T_train, T_val = self._split(X, targets, seed)
        trainer = self._build_trainer(X.shape[1], n_outputs, hidden, get_loss(self.loss), seed)
        history = trainer.fit(X_train, T_train, X_val, T_val)
        self._store_fitted(trainer, history)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Return the probability of each class, shape (n_samples, n_classes), in the order of ``classes_``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype)
        return class_probabilities(self.network_.predict(X))

    def predict(self, X) -> np.ndarray:
        """Return the most probable class label of each sample, shape (n_samples,)."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _validate_hyperparameters(self) -> tuple[int, ...]:
        """Check every hyperparameter; return the hidden layer widths as a tuple."""
        hidden = self._validate_shared_hyperparameters()
        _check_choice("loss", self.loss, CLASSIFICATION_LOSSES)
        return hidden


def _invalid(name: str, rule: str, value, fix: str) -> ConfigError:
    return ConfigError(f"{name} must be {rule}; got {value!r}. {fix}")


def _check_choice(name: str, value, choices) -> None:
    if not isinstance(value, str) or value not in choices:
        raise _invalid(name, f"one of {', '.join(repr(choice) for choice in choices)}", value,
                       f"Use, for example, {name}={next(iter(choices))!r}")


def _check_real(name: str, value, rule: str, is_valid, example: str) -> None:
    is_number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not is_number or not math.isfinite(value) or not is_valid(value):
        raise _invalid(name, rule, value, f"Use, for example, {name}={example}")


def _check_positive_int(name: str, value, example: str) -> None:
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if not is_int or value < 1:
        raise _invalid(name, "a whole number of at least 1", value, f"Use, for example, {name}={example}")


def _check_bool(name: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise _invalid(name, "True or False", value, f"Use {name}=True or {name}=False")


def _hidden_layer_sizes(value) -> tuple[int, ...]:
    """Return the hidden layer widths as a tuple; a single int means one hidden layer."""
    widths = (value,) if isinstance(value, numbers.Integral) else value
    is_sequence = isinstance(widths, (tuple, list, np.ndarray))
    if not is_sequence or not all(isinstance(width, numbers.Integral) and not isinstance(width, (bool, np.bool_))
                                  and width >= 1 for width in widths):
        raise _invalid("hidden_layer_sizes", "a tuple of whole numbers of at least 1 (empty for a linear model)",
                       value, "Use, for example, hidden_layer_sizes=(64, 32)")
    return tuple(int(width) for width in widths)


def _seed_from(random_state) -> int:
    """Turn ``random_state`` into the one integer seed of every random choice in `fit`.

    An int is used as given. None (NumPy's global RandomState) or a
    RandomState instance gives one draw, so a seeded RandomState still makes
    `fit` repeatable.
    """
    try:
        generator = check_random_state(random_state)
    except ValueError:
        raise _invalid("random_state", "None, an int from 0 to 2**32 - 1 or a numpy.random.RandomState",
                       random_state, "Use, for example, random_state=0") from None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(generator.randint(np.iinfo(np.int32).max))
