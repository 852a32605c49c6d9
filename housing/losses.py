r"""Regression losses: each value with its gradient, and a registry by name.

Every loss takes ``(y_true, y_pred)`` in that order, as scikit-learn's metrics
do, and returns the mean over all ``N = n_samples * n_outputs`` elements as a
Python float. ``gradient(y_true, y_pred)`` returns :math:`\partial L / \partial
\hat{y}` with the shape and dtype of ``y_pred``, already divided by ``N``, so
the network can pass it straight to the output layer. The residual is
:math:`r = \hat{y} - y`.

``y_true`` may come as ``(n_samples,)``, ``(n_samples, 1)`` or ``(1, n_samples)``
when ``y_pred`` has one output column. It is reshaped to ``y_pred``'s shape
before any arithmetic, so a ``(n,)`` target never broadcasts against a
``(n, 1)`` prediction into an ``n x n`` matrix.

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
    "LOSSES",
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
    if not np.issubdtype(y_pred.dtype, np.floating):
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
    """Base class of the regression losses.

    Attributes
    ----------
    name : str
        The registry name, as given to :func:`get_loss`.
    task : str
        Always ``"regression"``.
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


LOSSES: dict[str, type[Loss]] = {
    loss.name: loss for loss in (MSE, RMSE, MAE, Huber, LogCosh, Quantile, MSLE, MAPE)
}


def get_loss(name: str, **params: Any) -> Loss:
    """Build a loss from its registry name and hyperparameters.

    Parameters
    ----------
    name : str
        One of the keys of :data:`LOSSES`, in any letter case.
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
    if key not in LOSSES:
        raise ConfigError(
            f"Unknown loss {name!r}. Choose one of: {', '.join(LOSSES)}."
        )
    loss_class = LOSSES[key]
    valid = sorted(loss_class().params)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ConfigError(
            f"Loss {key!r} has no parameter {unknown[0]!r}. "
            f"Valid parameters: {', '.join(valid) if valid else 'none'}."
        )
    return loss_class(**params)
