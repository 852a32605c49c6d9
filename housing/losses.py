r"""Regression and classification losses: each value with its gradient, and registries by name.

Every loss takes ``(y_true, y_pred)`` in that order, as scikit-learn's metrics
do. A regression loss returns the mean over all ``N = n_samples * n_outputs``
elements as a Python float. ``gradient(y_true, y_pred)`` returns :math:`\partial L / \partial
\hat{y}` with the shape and dtype of ``y_pred``, already divided by ``N``, so
the network can pass it straight to the output layer. The residual is
:math:`r = \hat{y} - y`.

``y_true`` may come as ``(n_samples,)``, ``(n_samples, 1)`` or ``(1, n_samples)``
when ``y_pred`` has one output column. It is reshaped to ``y_pred``'s shape
before any arithmetic, so a ``(n,)`` target never broadcasts against a
``(n, 1)`` prediction into an ``n x n`` matrix.

The classification losses (``bce``, ``cce``) take the logits of a linear
output layer as ``y_pred`` and class labels as ``y_true``. BCE is a mean over
all elements, like the regression losses. CCE is a sum over classes and a mean
over samples, and its gradient is divided by ``n_samples``.

Example::

    >>> from housing.losses import get_loss
    >>> loss = get_loss("huber", delta=2.0)
    >>> loss([[1.0], [2.0]], [[1.5], [5.0]])
    2.0625
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from housing.errors import ConfigError, DataError

__all__ = [
    "Loss",
    "MSE",
    "RMSE",
    "MAE",
    "Huber",
    "LogCosh",
    "Quantile",
    "MSLE",
    "MAPE",
    "ClassificationLoss",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "BinaryCrossEntropyOnProbabilities",
    "CategoricalCrossEntropyOnProbabilities",
    "softmax",
    "LOSSES",
    "CLASSIFICATION_LOSSES",
    "check_loss_task",
    "get_loss",
]

_MAX_ROWS_LISTED = 10


# Shapes and targets


def _match_target_shape(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert both to float arrays and reshape y_true to y_pred's shape.

    y_pred keeps a floating dtype (integers become float64) and y_true takes
    that dtype. With one output column, y_true may have shape (n,), (n, 1) or
    (1, n). Otherwise its shape must equal y_pred's. Raises ValueError giving
    both shapes for anything else.
    """
    y_pred = np.asarray(y_pred)
    if y_pred.dtype.kind != "f":  # the test of np.issubdtype(dtype, np.floating), without its Python overhead
        y_pred = y_pred.astype(np.float64)
    y_true = np.asarray(y_true, dtype=y_pred.dtype)

    if y_pred.ndim not in (1, 2) or y_pred.size == 0:
        raise ValueError(
            f"y_pred must be a non-empty array of shape (n_samples,) or "
            f"(n_samples, n_outputs), got shape {y_pred.shape}."
        )
    if y_true.shape == y_pred.shape:
        return y_true, y_pred

    n_samples = y_pred.shape[0]
    one_output = y_pred.ndim == 1 or y_pred.shape[1] == 1
    if one_output and y_true.shape in {(n_samples,), (n_samples, 1), (1, n_samples)}:
        return y_true.reshape(y_pred.shape), y_pred

    raise ValueError(
        f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}. "
        f"y_true must have y_pred's shape, or (n,), (n, 1) or (1, n) when y_pred "
        f"has one output column."
    )


def _has_index(y_true: Any) -> bool:
    return isinstance(y_true, (pd.Series, pd.DataFrame))


def _format_rows(labels: list) -> str:
    """Format row labels as 'row 4' or 'rows 1, 4, 7', listing ten at most then 'and N more'."""
    noun = "row" if len(labels) == 1 else "rows"
    shown = ", ".join(str(label) for label in labels[:_MAX_ROWS_LISTED])
    hidden = len(labels) - _MAX_ROWS_LISTED
    return f"{noun} {shown} and {hidden} more" if hidden > 0 else f"{noun} {shown}"


def _raise_for_rows(y_true: Any, bad: np.ndarray, column: str, problem: str, fix: str) -> None:
    """Raise DataError naming the rows where the elementwise mask `bad` is set.

    Rows are labelled by the pandas index when y_true has one, else by position.
    A 2-D mask of shape (n_samples, n_outputs) flags a row if any output is bad.
    """
    bad_rows = bad.any(axis=1) if bad.ndim == 2 else bad.reshape(-1)
    if not bad_rows.any():
        return
    if _has_index(y_true):
        labels = list(y_true.index[bad_rows])
    else:
        labels = np.flatnonzero(bad_rows).tolist()
    raise DataError(f"Column {column!r} {problem} in {_format_rows(labels)}. {fix}")


# The base class


class Loss:
    """Base class of the losses.

    Attributes
    ----------
    name : str
        The registry name, as given to :func:`get_loss`.
    task : str
        ``"regression"``, or ``"classification"`` for a `ClassificationLoss`.
    target_transform : str
        ``"log"``: the trainer fits on the standardised log of the price.
        ``"ratio"``: the trainer divides the price by the training median,
        because the loss needs the positive price itself.
    params : dict
        The hyperparameters, ready for JSON. ``get_loss(name, **params)``
        rebuilds an equal loss.
    """

    name = ""
    task = "regression"
    target_transform = "log"

    @property
    def params(self) -> dict[str, float]:
        return {}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{type(self).__name__}({arguments})"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        raise NotImplementedError

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        raise NotImplementedError

    def value_and_gradient(self, y_true: Any, y_pred: Any) -> tuple[float, np.ndarray]:
        """Return ``(loss, gradient)`` together, as one training step needs both.

        Subclasses override it where the two share work; the result always
        equals ``(self(y_true, y_pred), self.gradient(y_true, y_pred))``.
        """
        return self(y_true, y_pred), self.gradient(y_true, y_pred)

    def value_and_gradient_unchecked(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, np.ndarray]:
        """Return `value_and_gradient` for targets that were checked before.

        The trainer checks each split's targets once, with `validate_target`,
        and then calls this on every mini-batch, with ``y_true`` and ``y_pred``
        2-D arrays of one shape and dtype. A loss may skip its checks of the
        target values here. By default they run as usual. MSE skips them,
        which saves about 4 microseconds of a training step that takes 200
        to 400.
        """
        return self.value_and_gradient(y_true, y_pred)

    def validate_target(self, y_true: Any, column: str = "price") -> None:
        """Raise DataError if this loss cannot take the target values.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets. The message names rows by the index of a pandas
            Series or DataFrame, and by position for anything else.
        column : str, default="price"
            The column name used in the message.

        Raises
        ------
        DataError
            If a target is NaN or infinite, or outside the loss's domain.
            The message names the column and up to ten rows.
        """
        values = np.asarray(y_true, dtype=np.float64)
        _raise_for_rows(
            y_true,
            ~np.isfinite(values),
            column,
            "has missing or infinite values",
            "Remove or fill those rows before training.",
        )
        self._validate_domain(y_true, values, column)

    def _validate_domain(self, y_true: Any, values: np.ndarray, column: str) -> None:
        """Raise DataError for finite targets outside the loss's domain (none for this class)."""

    def _target_is_valid(self, y_true: np.ndarray) -> bool:
        return bool(np.isfinite(y_true).all())

    def _prepare(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Reshape the target to y_pred's shape and check it with a fast test."""
        y_true_2d, y_pred = _match_target_shape(y_true, y_pred)
        if not self._target_is_valid(y_true_2d):
            # The slow path builds the message, keeping a pandas index if given.
            self.validate_target(y_true if _has_index(y_true) else y_true_2d, "y_true")
        return y_true_2d, y_pred


# The losses


class MSE(Loss):
    r"""Mean squared error, equal to scikit-learn's ``mean_squared_error``.

    Notes
    -----
    With residual :math:`r_i = \hat{y}_i - y_i` over all :math:`N` elements,

    .. math:: L = \frac{1}{N} \sum_i r_i^2, \qquad
              \frac{\partial L}{\partial \hat{y}_i} = \frac{2 r_i}{N}.

    A mean over all elements, with no factor 1/2. The gradient is already
    divided by :math:`N`.
    """

    name = "mse"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        residual = y_pred - y_true
        return float(np.mean(residual * residual))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return 2 * (y_pred - y_true) / y_pred.size

    def value_and_gradient(self, y_true: Any, y_pred: Any) -> tuple[float, np.ndarray]:
        return self.value_and_gradient_unchecked(*self._prepare(y_true, y_pred))

    def value_and_gradient_unchecked(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, np.ndarray]:
        if y_true.shape != y_pred.shape or y_pred.dtype.kind != "f":
            # Broadcasting unequal shapes would return a wrong value, so such calls take the checked path.
            return self.value_and_gradient(y_true, y_pred)
        residual = y_pred - y_true
        value = float(np.vdot(residual, residual)) / residual.size
        residual *= 2 / residual.size  # reuse the array as the gradient 2 r / N
        return value, residual


class RMSE(Loss):
    r"""Root mean squared error over all elements.

    Notes
    -----
    .. math:: L = \sqrt{\frac{1}{N} \sum_i r_i^2}, \qquad
              \frac{\partial L}{\partial \hat{y}_i} = \frac{r_i}{N L}.

    A root of the mean over all elements. The gradient is already divided by
    :math:`N`. At a perfect fit (:math:`L = 0`) the gradient is set to 0, a
    valid subgradient, instead of 0/0. Value and gradient use :math:`r / \max|r|`,
    whose squares lie in [0, 1] and cannot overflow, and whose largest square
    is exactly 1, so a tiny nonzero residual never gives 0/0.

    With several outputs this is the RMSE of all elements together, which
    equals ``sqrt(mean_squared_error(...))`` but not scikit-learn's
    ``root_mean_squared_error``, whose default averages one RMSE per output.
    """

    name = "rmse"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        scale, unit_rms, _ = _scaled_residual(y_pred - y_true)
        return float(scale * unit_rms)

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        scale, unit_rms, unit_residual = _scaled_residual(y_pred - y_true)
        if scale == 0:
            return np.zeros_like(y_pred)
        return unit_residual / (y_pred.size * unit_rms)


def _scaled_residual(residual: np.ndarray) -> tuple[Any, Any, np.ndarray]:
    """Split r into max|r| times r / max|r|, and return the RMS of the second part."""
    scale = np.max(np.abs(residual))
    if scale == 0:
        return scale, scale, residual
    unit_residual = residual / scale
    return scale, np.sqrt(np.mean(unit_residual * unit_residual)), unit_residual


class MAE(Loss):
    r"""Mean absolute error, equal to scikit-learn's ``mean_absolute_error``.

    Notes
    -----
    .. math:: L = \frac{1}{N} \sum_i |r_i|, \qquad
              \frac{\partial L}{\partial \hat{y}_i} = \frac{\operatorname{sign}(r_i)}{N}.

    A mean over all elements. The gradient is already divided by :math:`N`
    and is 0 where :math:`r_i = 0`, a valid subgradient at the kink.
    """

    name = "mae"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return float(np.mean(np.abs(y_pred - y_true)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return np.sign(y_pred - y_true) / y_pred.size


class Huber(Loss):
    r"""Huber loss: quadratic for small residuals, linear for large ones.

    Parameters
    ----------
    delta : float, default=1.0
        The residual size where the loss turns from quadratic to linear.
        Must be finite and > 0. It is in the units of the training target.

    Notes
    -----
    .. math:: \ell(r) = \begin{cases}
                  \tfrac12 r^2 & |r| \le \delta \\
                  \delta \left(|r| - \tfrac12 \delta\right) & |r| > \delta
              \end{cases}, \qquad
              \ell'(r) = \operatorname{clip}(r, -\delta, \delta).

    :math:`L = \frac{1}{N} \sum_i \ell(r_i)` is a mean over all elements,
    and the gradient :math:`\ell'(r_i) / N` is already divided by :math:`N`.
    This is the scaling of scikit-learn's ``HuberRegressor``, where the two
    pieces meet with equal value and slope at :math:`|r| = \delta`.
    """

    name = "huber"

    def __init__(self, *, delta: float = 1.0) -> None:
        self.delta = _positive_number("huber", "delta", delta)

    @property
    def params(self) -> dict[str, float]:
        return {"delta": self.delta}

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        abs_residual = np.abs(y_pred - y_true)
        quadratic = 0.5 * abs_residual * abs_residual
        linear = self.delta * (abs_residual - 0.5 * self.delta)
        return float(np.mean(np.where(abs_residual <= self.delta, quadratic, linear)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return np.clip(y_pred - y_true, -self.delta, self.delta) / y_pred.size


class LogCosh(Loss):
    r"""Log-cosh loss: close to :math:`r^2 / 2` near 0 and to :math:`|r| - \log 2` far away.

    Notes
    -----
    .. math:: \ell(r) = \log\cosh r
                      = |r| + \operatorname{log1p}\left(e^{-2|r|}\right) - \log 2,
              \qquad \ell'(r) = \tanh r.

    The second form never evaluates :math:`\cosh r`, which overflows for
    :math:`|r| > 710` in float64 and :math:`|r| > 89` in float32.
    :math:`L = \frac{1}{N} \sum_i \ell(r_i)` is a mean over all elements, and
    the gradient :math:`\tanh(r_i) / N` is already divided by :math:`N`.
    """

    name = "logcosh"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        abs_residual = np.abs(y_pred - y_true)
        elementwise = abs_residual + np.log1p(np.exp(-2 * abs_residual)) - math.log(2)
        return float(np.mean(elementwise))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return np.tanh(y_pred - y_true) / y_pred.size


class Quantile(Loss):
    r"""Pinball (quantile) loss, equal to scikit-learn's ``mean_pinball_loss(alpha=tau)``.

    Parameters
    ----------
    tau : float, default=0.5
        The quantile to predict, in the open interval (0, 1). At 0.5 the loss
        is half the MAE and the prediction moves toward the median.

    Notes
    -----
    .. math:: \ell(y, \hat{y}) = \max\left(\tau (y - \hat{y}),\;
                                           (\tau - 1)(y - \hat{y})\right), \qquad
              \frac{\partial \ell}{\partial \hat{y}} = \begin{cases}
                  1 - \tau & \hat{y} > y \\
                  -\tau & \hat{y} < y \\
                  0 & \hat{y} = y
              \end{cases}.

    :math:`L = \frac{1}{N} \sum_i \ell_i` is a mean over all elements, and the
    gradient is already divided by :math:`N`. At the kink the gradient is 0,
    which lies in the subdifferential :math:`[-\tau, 1 - \tau]`.
    """

    name = "quantile"

    def __init__(self, *, tau: float = 0.5) -> None:
        self.tau = _open_unit_interval("quantile", "tau", tau)

    @property
    def params(self) -> dict[str, float]:
        return {"tau": self.tau}

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        shortfall = y_true - y_pred
        return float(np.mean(np.maximum(self.tau * shortfall, (self.tau - 1) * shortfall)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        residual = y_pred - y_true
        slope = (1 - self.tau) * (residual > 0) - self.tau * (residual < 0)
        return (slope / y_pred.size).astype(y_pred.dtype, copy=False)


class MSLE(Loss):
    r"""Mean squared logarithmic error, equal to scikit-learn's ``mean_squared_log_error``.

    Targets must be >= 0, and a negative target raises DataError. Predictions may
    be any real number, by the extension of log1p described in the Notes.

    Notes
    -----
    .. math:: L = \frac{1}{N} \sum_i \left(g(\hat{y}_i) - \log(1 + y_i)\right)^2,
              \qquad \frac{\partial L}{\partial \hat{y}_i}
                  = \frac{2}{N} \left(g(\hat{y}_i) - \log(1 + y_i)\right) g'(\hat{y}_i).

    For predictions :math:`\hat{y} \ge -0.9`, :math:`g(\hat{y}) = \log(1 + \hat{y})`
    and :math:`g'(\hat{y}) = 1 / (1 + \hat{y})`, so the loss equals scikit-learn's
    wherever scikit-learn accepts the prediction. Below -0.9, where log1p
    falls steeply toward :math:`-\infty` at -1, :math:`g` continues as the
    tangent line of log1p at -0.9: :math:`g(\hat{y}) = \log 0.1 + 10 (\hat{y} + 0.9)`
    and :math:`g'(\hat{y}) = 10`. Value and gradient are therefore finite and
    continuous for every finite prediction, and a network that predicts too
    low is still pushed up. A mean over all elements, and the gradient is
    already divided by :math:`N`.
    """

    name = "msle"
    target_transform = "ratio"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        log_error = _extended_log1p(y_pred)[0] - np.log1p(y_true)
        return float(np.mean(log_error * log_error))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        log_pred, log_pred_slope = _extended_log1p(y_pred)
        return 2 * (log_pred - np.log1p(y_true)) * log_pred_slope / y_pred.size

    def _target_is_valid(self, y_true: np.ndarray) -> bool:
        return bool(np.isfinite(y_true).all() and (y_true >= 0).all())

    def _validate_domain(self, y_true: Any, values: np.ndarray, column: str) -> None:
        _raise_for_rows(
            y_true,
            values < 0,
            column,
            "has negative values",
            "MSLE takes log(1 + y) of the target, so remove those rows or "
            "choose another loss such as mae.",
        )


_LOG1P_KNOT = -0.9
_LOG1P_AT_KNOT = math.log1p(_LOG1P_KNOT)
_LOG1P_SLOPE_AT_KNOT = 1 / (1 + _LOG1P_KNOT)


def _extended_log1p(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return log1p(x) and its derivative, continued by the tangent at -0.9 below it."""
    below = x < _LOG1P_KNOT
    x_clipped = np.maximum(x, _LOG1P_KNOT)  # keeps log1p away from -1 in the unused branch
    value = np.where(below, _LOG1P_AT_KNOT + _LOG1P_SLOPE_AT_KNOT * (x - _LOG1P_KNOT), np.log1p(x_clipped))
    slope = np.where(below, _LOG1P_SLOPE_AT_KNOT, 1 / (1 + x_clipped))
    return value.astype(x.dtype, copy=False), slope.astype(x.dtype, copy=False)


class MAPE(Loss):
    r"""Mean absolute percentage error as a fraction (0.05 means 5 %).

    Equal to scikit-learn's ``mean_absolute_percentage_error``. A zero target
    raises DataError, because the percentage error is undefined there.

    Notes
    -----
    .. math:: L = \frac{1}{N} \sum_i \frac{|r_i|}{\max(|y_i|, \varepsilon)}, \qquad
              \frac{\partial L}{\partial \hat{y}_i}
                  = \frac{\operatorname{sign}(r_i)}{N \max(|y_i|, \varepsilon)}.

    :math:`\varepsilon` is the float64 machine epsilon (about 2.2e-16), the
    floor scikit-learn uses. It only matters for targets that are nonzero but
    tinier than that, and it keeps value and gradient finite there. A mean
    over all elements. The gradient is already divided by :math:`N` and is 0
    where :math:`r_i = 0`.
    """

    name = "mape"
    target_transform = "ratio"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return float(np.mean(np.abs(y_pred - y_true) / _mape_denominator(y_true)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, y_pred = self._prepare(y_true, y_pred)
        return np.sign(y_pred - y_true) / (y_pred.size * _mape_denominator(y_true))

    def _target_is_valid(self, y_true: np.ndarray) -> bool:
        return bool(np.isfinite(y_true).all() and (y_true != 0).all())

    def _validate_domain(self, y_true: Any, values: np.ndarray, column: str) -> None:
        _raise_for_rows(
            y_true,
            values == 0,
            column,
            "has zero values",
            "MAPE divides by the target, so remove those rows or choose "
            "another loss such as mae.",
        )


def _mape_denominator(y_true: np.ndarray) -> np.ndarray:
    return np.maximum(np.abs(y_true), np.finfo(np.float64).eps).astype(y_true.dtype, copy=False)


# Classification losses


def _sigmoid(Z: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + exp(-Z)), evaluating only exp(-|Z|) <= 1 so that nothing overflows."""
    exp_neg_abs = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)


def _shift_logits(Z: np.ndarray) -> np.ndarray:
    """Subtract each row's maximum, so that the largest logit of a row is 0 and exp cannot overflow."""
    return Z - np.max(Z, axis=1, keepdims=True)


def softmax(Z: Any) -> np.ndarray:
    r"""Return the softmax of each row of logits.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_classes)
        Logits, any finite values.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Class probabilities; each row sums to 1.

    Notes
    -----
    .. math:: \operatorname{softmax}(z)_c = \frac{e^{z_c - m}}{\sum_j e^{z_j - m}},
              \qquad m = \max_j z_j.

    Subtracting :math:`m` changes nothing mathematically, but the largest
    exponent becomes :math:`e^0 = 1`, so logits of 1000 do not overflow.
    """
    Z = np.asarray(Z)
    if not np.issubdtype(Z.dtype, np.floating):
        Z = Z.astype(np.float64)
    exp_shifted = np.exp(_shift_logits(np.atleast_2d(Z)))
    return exp_shifted / np.sum(exp_shifted, axis=1, keepdims=True)


class ClassificationLoss(Loss):
    """Base class of the classification losses.

    The attributes are those of `Loss`, with ``task = "classification"``
    and ``target_transform = "none"``, because the targets are class
    labels, not prices. The target, as the first argument of a loss, must
    lie in [0, 1]: 0 or 1 for hard labels, a probability in between for
    soft labels.
    """

    task = "classification"
    target_transform = "none"

    def _target_is_valid(self, y_true: np.ndarray) -> bool:
        return bool(np.isfinite(y_true).all() and (y_true >= 0).all() and (y_true <= 1).all())

    def _validate_domain(self, y_true: Any, values: np.ndarray, column: str) -> None:
        _raise_for_rows(
            y_true,
            (values < 0) | (values > 1),
            column,
            "has values outside [0, 1]",
            f"Loss {self.name!r} takes class labels (0 or 1, one-hot for several classes), "
            "not prices. Train it with housing train --task classify.",
        )


class _OneHotTargets:
    """Mixin for losses whose target is one probability distribution over classes per row."""

    _ROW_SUM_TOLERANCE = 1e-5

    def _prepare(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        shape_true, shape_pred = np.shape(y_true), np.shape(y_pred)
        if len(shape_pred) != 2 or shape_pred[1] < 2 or shape_true != shape_pred:
            raise ValueError(
                f"{self.name} needs y_pred of shape (n_samples, n_classes) with n_classes >= 2 and a "
                f"one-hot y_true of the same shape; got y_true {shape_true} and y_pred {shape_pred}. "
                f"Convert integer labels with housing.classification.one_hot(labels, n_classes)."
            )
        return super()._prepare(y_true, y_pred)

    def _target_is_valid(self, y_true: np.ndarray) -> bool:
        row_sums = np.sum(y_true, axis=1)
        return super()._target_is_valid(y_true) and bool(
            (np.abs(row_sums - 1) <= self._ROW_SUM_TOLERANCE).all()
        )

    def _validate_domain(self, y_true: Any, values: np.ndarray, column: str) -> None:
        if values.ndim != 2:
            raise DataError(
                f"Column {column!r} must be one-hot, of shape (n_samples, n_classes), for loss "
                f"{self.name!r}; got shape {values.shape}. Convert integer labels with "
                f"housing.classification.one_hot(labels, n_classes)."
            )
        super()._validate_domain(y_true, values, column)
        _raise_for_rows(
            y_true,
            np.abs(np.sum(values, axis=1) - 1) > self._ROW_SUM_TOLERANCE,
            column,
            "has rows that do not sum to 1",
            f"Loss {self.name!r} takes one-hot rows: a 1 in the column of the true class and 0 elsewhere.",
        )


class BinaryCrossEntropy(ClassificationLoss):
    r"""Binary cross-entropy computed from logits, for a sigmoid output.

    The network's output layer stays linear, and ``y_pred`` contains the logits
    :math:`z`. The probability of class 1 is :math:`\sigma(z) = 1 / (1 + e^{-z})`,
    applied only at prediction time. ``y_true`` contains 0 or 1 (a probability in
    between is allowed as a soft label) with ``y_pred``'s shape, or shape
    (n,) or (1, n) with one output column.

    Notes
    -----
    With :math:`p = \sigma(z)`, the cross-entropy of one element is

    .. math:: \ell(y, z) = -y \log p - (1 - y) \log(1 - p)
                         = \log(1 + e^{z}) - y z
                         = \max(z, 0) + \log\left(1 + e^{-|z|}\right) - y z.

    The middle form uses :math:`\log p = -\log(1 + e^{-z})` and
    :math:`\log(1 - p) = -z - \log(1 + e^{-z})`. The last is the log-sum-exp
    form of :math:`\log(e^0 + e^z)`: it evaluates :math:`e^{-|z|} \le 1`
    only, so it stays finite for any finite logit. It never takes the log of a
    probability that has rounded to 0, so it needs no clipping. At
    :math:`y = 1, z = -100` it gives exactly 100.

    The derivative is the probability minus the target,

    .. math:: \frac{\partial \ell}{\partial z} = \sigma(z) - y,

    because :math:`d/dz \log(1 + e^z) = e^z / (1 + e^z) = \sigma(z)` and
    :math:`d/dz (y z) = y`. It is bounded by 1 in size, and a confidently
    wrong logit gets the largest push. :math:`L = \frac{1}{N} \sum_i \ell_i` is
    the mean over all :math:`N` = n_samples * n_outputs elements, and the
    gradient :math:`(\sigma(z_i) - y_i) / N` is already divided by :math:`N`.
    With several output columns each is an independent yes/no question.
    """

    name = "bce"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, logits = self._prepare(y_true, y_pred)
        softplus = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))
        return float(np.mean(softplus - y_true * logits))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, logits = self._prepare(y_true, y_pred)
        return (_sigmoid(logits) - y_true) / logits.size


class CategoricalCrossEntropy(_OneHotTargets, ClassificationLoss):
    r"""Categorical cross-entropy computed from logits, for a softmax output.

    ``y_pred`` contains the logits :math:`z`, shape (n_samples, n_classes), from a
    linear output layer. The class probabilities :math:`\operatorname{softmax}(z)`
    are applied only at prediction time. ``y_true`` is one-hot with the same
    shape: integer labels are turned into one-hot rows once, at the boundary,
    by `housing.classification.one_hot`. A row of probabilities that sums to 1
    is also accepted, as a soft label.

    Notes
    -----
    With :math:`p = \operatorname{softmax}(z)`, one sample's cross-entropy is

    .. math:: \ell(y, z) = -\sum_c y_c \log p_c
                         = \log \sum_c e^{z_c} - \sum_c y_c z_c
                         = \log \sum_c e^{s_c} - \sum_c y_c s_c,
              \qquad s_c = z_c - \max_j z_j.

    The second form uses :math:`\log p_c = z_c - \log \sum_j e^{z_j}` and
    :math:`\sum_c y_c = 1`. The third is the same value with the row maximum
    subtracted (the log-sum-exp trick): every :math:`e^{s_c} \le 1` and the
    sum is at least 1, so the log is finite for any finite logits. Three equal
    logits give exactly :math:`\log 3`.

    The derivative is the probability minus the target,

    .. math:: \frac{\partial \ell}{\partial z_c} = p_c - y_c,

    because :math:`\partial / \partial z_c \log \sum_j e^{z_j} = p_c`. The loss
    is summed over classes and averaged over samples,
    :math:`L = \frac{1}{n} \sum_i \ell_i` with :math:`n` = n_samples, and the
    gradient :math:`(p_{ic} - y_{ic}) / n` is already divided by :math:`n`.
    """

    name = "cce"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, logits = self._prepare(y_true, y_pred)
        shifted = _shift_logits(logits)  # (n_samples, n_classes), each row's maximum is 0
        log_sum_exp = np.log(np.sum(np.exp(shifted), axis=1))
        return float(np.mean(log_sum_exp - np.sum(y_true * shifted, axis=1)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, logits = self._prepare(y_true, y_pred)
        return (softmax(logits) - y_true) / logits.shape[0]


class BinaryCrossEntropyOnProbabilities(ClassificationLoss):
    r"""Binary cross-entropy of probabilities, for teaching: use `BinaryCrossEntropy` to train.

    ``y_pred`` contains probabilities, as from a sigmoid output layer. A
    probability of exactly 0 or 1 has an infinite log, so each is clipped
    once into :math:`[\varepsilon, 1 - \varepsilon]`. Not in the registry of
    `get_loss`.

    Parameters
    ----------
    epsilon : float, default=1e-7
        The clipping margin, in (0, 0.5). The arithmetic is float64 whatever
        the dtype of ``y_pred``, so that :math:`1 - \varepsilon` is below 1. In
        float32, 1 - 1e-9 rounds to 1, and even 1 - 1e-7 rounds to
        1 - 1.19e-7.

    Notes
    -----
    .. math:: \tilde{p} = \operatorname{clip}(p, \varepsilon, 1 - \varepsilon),
              \qquad \ell = -y \log \tilde{p} - (1 - y) \log(1 - \tilde{p}),

    .. math:: \frac{\partial \ell}{\partial p} = \begin{cases}
                  \dfrac{\tilde{p} - y}{\tilde{p} (1 - \tilde{p})} &
                      \varepsilon \le p \le 1 - \varepsilon \\
                  0 & \text{otherwise (the clip is flat there)}
              \end{cases}.

    At :math:`(y = 1, p = 0)` and :math:`(y = 0, p = 1)` the loss is
    :math:`-\log 10^{-7} = 16.1180957`, a bound that depends on
    :math:`\varepsilon` alone, and the gradient is 0: a saturated, wrong
    prediction gets no push back. Chained through a sigmoid,
    :math:`\partial p / \partial z = p (1 - p)` cancels the denominator and
    leaves :math:`\tilde{p} - y`, the gradient of `BinaryCrossEntropy`, which
    needs no clip at all. The value is a mean over all elements, and the
    gradient is already divided by :math:`N`.
    """

    name = "bce_prob"

    def __init__(self, *, epsilon: float = 1e-7) -> None:
        self.epsilon = _margin(self.name, "epsilon", epsilon)

    @property
    def params(self) -> dict[str, float]:
        return {"epsilon": self.epsilon}

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, probabilities, _ = self._prepare_float64(y_true, y_pred)
        clipped = np.clip(probabilities, self.epsilon, 1 - self.epsilon)
        return float(np.mean(-y_true * np.log(clipped) - (1 - y_true) * np.log(1 - clipped)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, probabilities, dtype = self._prepare_float64(y_true, y_pred)
        clipped = np.clip(probabilities, self.epsilon, 1 - self.epsilon)
        inside = clipped == probabilities
        slope = np.where(inside, (clipped - y_true) / (clipped * (1 - clipped)), 0.0)
        return (slope / probabilities.size).astype(dtype, copy=False)

    def _prepare_float64(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.dtype]:
        """Return the reshaped target and prediction in float64, and the prediction's own dtype."""
        y_true, y_pred = self._prepare(y_true, y_pred)
        return y_true.astype(np.float64), y_pred.astype(np.float64), y_pred.dtype


class CategoricalCrossEntropyOnProbabilities(_OneHotTargets, BinaryCrossEntropyOnProbabilities):
    r"""Categorical cross-entropy of probabilities, for teaching: use `CategoricalCrossEntropy` to train.

    ``y_pred`` contains probabilities of shape (n_samples, n_classes), as from a
    softmax output layer, and ``y_true`` is one-hot of the same shape. Only
    the lower end is clipped, because :math:`\log 1 = 0` is exact. Not in the
    registry of `get_loss`.

    Parameters
    ----------
    epsilon : float, default=1e-7
        The clipping floor, in (0, 0.5). The arithmetic is float64.

    Notes
    -----
    .. math:: \tilde{p}_c = \max(p_c, \varepsilon), \qquad
              \ell = -\sum_c y_c \log \tilde{p}_c, \qquad
              \frac{\partial \ell}{\partial p_c} = \begin{cases}
                  -y_c / \tilde{p}_c & p_c \ge \varepsilon \\
                  0 & p_c < \varepsilon
              \end{cases}.

    A true class with probability 0 costs :math:`-\log 10^{-7} = 16.1180957`;
    with probability 1 it costs 0. Summed over classes and averaged over
    samples; the gradient is already divided by n_samples.
    """

    name = "cce_prob"

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        y_true, probabilities, _ = self._prepare_float64(y_true, y_pred)
        clipped = np.maximum(probabilities, self.epsilon)
        return float(np.mean(-np.sum(y_true * np.log(clipped), axis=1)))

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        y_true, probabilities, dtype = self._prepare_float64(y_true, y_pred)
        clipped = np.maximum(probabilities, self.epsilon)
        slope = np.where(probabilities >= self.epsilon, -y_true / clipped, 0.0)
        return (slope / probabilities.shape[0]).astype(dtype, copy=False)


# Parameter checks and the registry


def _real_number(loss_name: str, parameter: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(
            f"Loss {loss_name!r} parameter {parameter!r} must be a number, "
            f"got {value!r} of type {type(value).__name__}."
        )
    return float(value)


def _positive_number(loss_name: str, parameter: str, value: Any) -> float:
    number = _real_number(loss_name, parameter, value)
    if not (math.isfinite(number) and number > 0):
        raise ConfigError(
            f"Loss {loss_name!r} parameter {parameter!r} must be a finite number > 0, "
            f"got {value!r}. Use a positive value such as 1.0."
        )
    return number


def _open_unit_interval(loss_name: str, parameter: str, value: Any) -> float:
    number = _real_number(loss_name, parameter, value)
    if not 0 < number < 1:
        raise ConfigError(
            f"Loss {loss_name!r} parameter {parameter!r} must be in the open interval "
            f"(0, 1), got {value!r}. Use 0.5 for the median or 0.9 for the 90th percentile."
        )
    return number


def _margin(loss_name: str, parameter: str, value: Any) -> float:
    number = _real_number(loss_name, parameter, value)
    if not 0 < number < 0.5:
        raise ConfigError(
            f"Loss {loss_name!r} parameter {parameter!r} must be in the open interval "
            f"(0, 0.5), got {value!r}. Use 1e-7."
        )
    return number


LOSSES: dict[str, type[Loss]] = {
    loss.name: loss for loss in (MSE, RMSE, MAE, Huber, LogCosh, Quantile, MSLE, MAPE)
}

# The classification losses that `get_loss` and the command line offer. The
# versions that take probabilities are for teaching and stay out of it.
CLASSIFICATION_LOSSES: dict[str, type[Loss]] = {
    loss.name: loss for loss in (BinaryCrossEntropy, CategoricalCrossEntropy)
}

_TASK_OPTIONS = {"regression": "--task regress", "classification": "--task classify"}


def check_loss_task(name: str, task: str) -> None:
    """Raise ConfigError if the loss called ``name`` does not fit ``task``.

    Parameters
    ----------
    name : str
        A loss name, in any letter case. A name in neither registry passes,
        so that `get_loss` can report it as unknown.
    task : {"regression", "classification"}
        The task the loss is meant for.

    Raises
    ------
    ConfigError
        If the loss is a regression loss and the task is classification, or
        the reverse. The message lists the losses of each task.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    loss_class = LOSSES.get(key) or CLASSIFICATION_LOSSES.get(key)
    if loss_class is None or loss_class.task == task:
        return
    raise ConfigError(
        f"Loss {key!r} is a {loss_class.task} loss, but {_TASK_OPTIONS[task]} trains a {task} model. "
        f"Regression losses (--task regress): {', '.join(LOSSES)}. "
        f"Classification losses (--task classify): bce (2 bands), cce (2 or more bands)."
    )


def get_loss(name: str, **params: Any) -> Loss:
    """Build a loss from its registry name and hyperparameters.

    Parameters
    ----------
    name : str
        One of the keys of :data:`LOSSES` (regression) or
        :data:`CLASSIFICATION_LOSSES`, in any letter case.
    **params
        Hyperparameters of that loss, such as ``delta`` for ``"huber"`` or
        ``tau`` for ``"quantile"``.

    Raises
    ------
    ConfigError
        If the name is unknown, a parameter is unknown to that loss, or a
        parameter value is outside its valid range.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    registry = {**LOSSES, **CLASSIFICATION_LOSSES}
    if key not in registry:
        raise ConfigError(
            f"Unknown loss {name!r}. Choose one of: {', '.join(LOSSES)} for regression, "
            f"or {', '.join(CLASSIFICATION_LOSSES)} for classification."
        )
    loss_class = registry[key]
    valid = sorted(loss_class().params)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ConfigError(
            f"Loss {key!r} has no parameter {unknown[0]!r}. "
            f"Valid parameters: {', '.join(valid) if valid else 'none'}."
        )
    return loss_class(**params)
