"""Regression metrics in the target's own units, and the baseline to beat.

The metrics are scikit-learn's. This module only picks the set that every
report in the package uses, and makes each one safe to put in JSON.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    median_absolute_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = ["regression_metrics", "median_baseline", "METRIC_LABELS"]

METRIC_LABELS = {
    "rmse": "RMSE",
    "mae": "MAE",
    "median_ae": "Median AE",
    "r2": "R²",
    "mape": "MAPE",
    "rmsle": "RMSLE",
}


def regression_metrics(y_true, y_pred) -> dict[str, float | None]:
    """Score predictions in the target's units.

    Returns ``rmse``, ``mae``, ``median_ae`` (same units as the target),
    ``r2``, ``mape`` (a fraction: 0.1 is 10%) and ``rmsle``, the RMSE of
    ``log(1 + y)``. Predictions below 0 count as 0 in the RMSLE. MAPE is None
    when a target is 0, and RMSLE is None when a target is negative, because
    neither is defined there. Any other metric that is not finite (a diverged
    model) is None too, so the result is always valid JSON.
    """
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.float64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {y_true.shape} and {y_pred.shape}")
    if not np.all(np.isfinite(y_pred)):
        return {name: None for name in METRIC_LABELS}

    metrics = {
        "rmse": root_mean_squared_error(y_true, y_pred),
        "mae": mean_absolute_error(y_true, y_pred),
        "median_ae": median_absolute_error(y_true, y_pred),
        "r2": r2_score(y_true, y_pred) if len(y_true) > 1 else None,
        "mape": mean_absolute_percentage_error(y_true, y_pred) if np.all(y_true != 0) else None,
        "rmsle": _rmsle(y_true, y_pred),
    }
    return {name: _finite_or_none(value) for name, value in metrics.items()}


def median_baseline(y_train, n_samples: int) -> np.ndarray:
    """Predict the training median for every row: the score any model must beat."""
    return np.full(n_samples, float(np.median(np.asarray(y_train, dtype=np.float64))))


def _rmsle(y_true: np.ndarray, y_pred: np.ndarray) -> float | None:
    if np.any(y_true < 0):
        return None
    return root_mean_squared_error(np.log1p(y_true), np.log1p(np.maximum(y_pred, 0.0)))


def _finite_or_none(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
