"""Feature and target preprocessing, fitted on the training split only.

The feature pipeline is built from scikit-learn: missing numbers are filled,
numeric columns are standardised with `StandardScaler`, and text columns are
one-hot encoded with `OneHotEncoder`. Its fitted state is plain numbers and
strings, so a saved model stores it as JSON and never needs pickle.

The target transform maps prices to the space the network predicts in (the log
of the price, then standardised, by default) and maps predictions back to the
currency for every number reported.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError, DataError

__all__ = ["FeaturePipeline", "TargetTransform", "TARGET_TRANSFORMS"]

MISSING_CATEGORY = "None"


class FeaturePipeline(TransformerMixin, BaseEstimator):
    """Impute, standardise and one-hot encode a DataFrame into a float matrix.

    Parameters
    ----------
    none_categorical : iterable of str
        Text columns where a missing value means "none" (no pool, no garage).
    none_numeric : iterable of str
        Numeric columns where a missing value means zero (no basement, so 0
        square feet of basement).
    scale : bool
        Standardise numeric columns to mean 0 and standard deviation 1.
        Turning it off is only for showing why scaling matters.

    Notes
    -----
    Missing values are filled on purpose, not by a generic rule. In a text
    column every missing value becomes its own category, ``"None"``: in the
    Ames data that is what NA means (no alley, no fireplace), and imputing the
    most frequent category would invent a garage for a house with none. In a
    numeric column listed in ``none_numeric`` a missing value is 0; any other
    missing number is filled with the training median. A category first seen
    after fitting gets all-zero one-hot columns instead of an error. Numeric
    columns come first in the output, then the one-hot columns in the order of
    `feature_names_out`. A constant column is scaled to 0, never NaN, because
    `StandardScaler` leaves a zero standard deviation as 1.

    It is a scikit-learn transformer, so it can be the first step of a
    `sklearn.pipeline.Pipeline`.
    """

    def __init__(self, none_categorical: Iterable[str] = (), none_numeric: Iterable[str] = (), scale: bool = True):
        self.none_categorical = none_categorical
        self.none_numeric = none_numeric
        self.scale = scale
        self.numeric_columns: list[str] = []
        self.categorical_columns: list[str] = []
        self.fill_values: dict[str, float] = {}
        self.scaler: StandardScaler | None = None
        self.encoder: OneHotEncoder | None = None

    @property
    def input_columns(self) -> list[str]:
        return self.numeric_columns + self.categorical_columns

    @property
    def is_fitted(self) -> bool:
        return self.scaler is not None or self.encoder is not None

    def fit(self, X: pd.DataFrame, y=None) -> FeaturePipeline:
        """Learn fill values, means, standard deviations and categories from ``X``."""
        X = _as_frame(X)
        none_numeric = set(self.none_numeric)
        self.numeric_columns = [c for c in X.columns if _is_numeric(X[c])]
        self.categorical_columns = [c for c in X.columns if c not in self.numeric_columns]

        numeric = X[self.numeric_columns].astype(np.float64)
        medians = numeric.median()
        self.fill_values = {
            column: 0.0 if column in none_numeric or np.isnan(medians[column]) else float(medians[column])
            for column in self.numeric_columns
        }
        self.scaler = StandardScaler(with_mean=bool(self.scale), with_std=bool(self.scale)).fit(
            self._fill_numeric(X).to_numpy()) if self.numeric_columns else None
        self.encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float64).fit(
            self._fill_categorical(X)) if self.categorical_columns else None
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return the float64 design matrix of shape (n_samples, n_features_out)."""
        if not self.is_fitted:
            raise RuntimeError("FeaturePipeline.transform() was called before fit()")
        X = _as_frame(X)
        missing = [c for c in self.input_columns if c not in X.columns]
        if missing:
            shown = ", ".join(repr(c) for c in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise DataError(f"the input is missing feature column{'s' if len(missing) > 1 else ''} {shown}, "
                            "which the model was trained with; add the column (empty cells are allowed)")
        blocks = []
        if self.scaler is not None:
            numeric = self._fill_numeric(X)
            blocks.append(self.scaler.transform(numeric.to_numpy()))
        if self.encoder is not None:
            blocks.append(self.encoder.transform(self._fill_categorical(X)))
        return np.ascontiguousarray(np.hstack(blocks), dtype=np.float64)

    def fit_transform(self, X: pd.DataFrame, y=None) -> np.ndarray:
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(self.feature_names_out, dtype=object)

    @property
    def feature_names_out(self) -> list[str]:
        names = list(self.numeric_columns)
        if self.encoder is not None:
            names += list(self.encoder.get_feature_names_out(self.categorical_columns))
        return names

    # ------------------------------------------------------------------
    # Filling
    # ------------------------------------------------------------------

    def _fill_numeric(self, X: pd.DataFrame) -> pd.DataFrame:
        numeric = pd.DataFrame({c: _to_float(X[c], c) for c in self.numeric_columns}, index=X.index)
        return numeric.fillna(self.fill_values)

    def _fill_categorical(self, X: pd.DataFrame) -> pd.DataFrame:
        # Every text column, not only those in none_categorical, keeps missing
        # values as a category of their own: for a column where NA is truly
        # unknown that is still better than guessing the most frequent value.
        return pd.DataFrame(
            {c: X[c].astype(object).where(X[c].notna(), MISSING_CATEGORY).astype(str) for c in self.categorical_columns},
            index=X.index,
        )

    # ------------------------------------------------------------------
    # Saving without pickle
    # ------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Return the fitted state as JSON-ready numbers and strings."""
        state = {
            "none_categorical": list(self.none_categorical),
            "none_numeric": list(self.none_numeric),
            "scale": bool(self.scale),
            "numeric_columns": list(self.numeric_columns),
            "categorical_columns": list(self.categorical_columns),
            "fill_values": dict(self.fill_values),
        }
        if self.scaler is not None:
            state["mean"] = _float_list(self.scaler.mean_) if self.scale else None
            state["std"] = _float_list(self.scaler.scale_) if self.scale else None
            state["n_samples_seen"] = int(np.max(self.scaler.n_samples_seen_))
        if self.encoder is not None:
            state["categories"] = [[str(v) for v in values] for values in self.encoder.categories_]
        return state

    @classmethod
    def from_dict(cls, state: dict) -> FeaturePipeline:
        """Rebuild a fitted pipeline from `to_dict` output, with identical transforms."""
        pipeline = cls(state["none_categorical"], state["none_numeric"], state["scale"])
        pipeline.numeric_columns = list(state["numeric_columns"])
        pipeline.categorical_columns = list(state["categorical_columns"])
        pipeline.fill_values = {k: float(v) for k, v in state["fill_values"].items()}
        if pipeline.numeric_columns:
            pipeline.scaler = _restore_scaler(state, len(pipeline.numeric_columns))
        if pipeline.categorical_columns:
            categories = [np.array(values, dtype=object) for values in state["categories"]]
            encoder = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False,
                                    dtype=np.float64)
            # With the categories given, fitting only checks them: one row of
            # known values reproduces the fitted encoder exactly.
            sample = pd.DataFrame({c: [values[0]] for c, values in zip(pipeline.categorical_columns, categories)})
            pipeline.encoder = encoder.fit(sample)
        return pipeline


def _restore_scaler(state: dict, n_columns: int) -> StandardScaler:
    scale = state["scale"]
    scaler = StandardScaler(with_mean=scale, with_std=scale)
    # These are StandardScaler's documented fitted attributes, the only ones
    # its transform reads.
    scaler.n_features_in_ = n_columns
    scaler.n_samples_seen_ = state.get("n_samples_seen", 0)
    scaler.mean_ = np.array(state["mean"], dtype=np.float64) if scale else None
    scaler.scale_ = np.array(state["std"], dtype=np.float64) if scale else None
    scaler.var_ = scaler.scale_ ** 2 if scale else None
    return scaler


# ----------------------------------------------------------------------
# Target transform
# ----------------------------------------------------------------------

TARGET_TRANSFORMS = ("log", "standardize", "ratio", "none")


class TargetTransform:
    r"""Map prices to the space the network trains in, and back.

    Parameters
    ----------
    kind : {"log", "standardize", "ratio", "none"}
        ``"log"``: :math:`z = (\ln y - \mu) / \sigma` with the mean and standard
        deviation of :math:`\ln y` over the training split. Prices are
        right-skewed, and on the log scale an error of 10% costs the same for a
        cheap and a dear house.
        ``"standardize"``: :math:`z = (y - \mu) / \sigma`.
        ``"ratio"``: :math:`z = y / m` with the training median :math:`m`, which
        keeps prices positive for losses that need them (MSLE, MAPE).
        ``"none"``: :math:`z = y`.
    """

    def __init__(self, kind: str = "log"):
        if kind not in TARGET_TRANSFORMS:
            raise ConfigError(f"unknown target transform {kind!r}; choose one of {', '.join(TARGET_TRANSFORMS)}")
        self.kind = kind
        self.shift = 0.0
        self.scale = 1.0

    def fit(self, y, column: str = "price") -> TargetTransform:
        """Learn the shift and scale from the training targets."""
        y = np.asarray(y, dtype=np.float64).ravel()
        if self.kind == "log" and np.any(y <= 0):
            rows = np.flatnonzero(y <= 0)[:10].tolist()
            raise DataError(f"the {column!r} column has values of 0 or below (rows {rows} of the training split), "
                            "so its log is undefined; remove those rows or use --target-transform standardize")
        values = np.log(y) if self.kind == "log" else y
        if self.kind in ("log", "standardize"):
            self.shift = float(values.mean())
            self.scale = float(values.std()) or 1.0
        elif self.kind == "ratio":
            self.scale = float(np.median(values)) or 1.0
        return self

    def transform(self, y) -> np.ndarray:
        """Return the training-space target as a column, shape (n_samples, 1)."""
        y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
        values = np.log(y) if self.kind == "log" else y
        return (values - self.shift) / self.scale

    def inverse(self, z) -> np.ndarray:
        """Map network outputs back to prices, shape (n_samples,)."""
        values = np.asarray(z, dtype=np.float64).reshape(-1) * self.scale + self.shift
        if self.kind == "log":
            # exp overflows above about 709; such a prediction is a diverged model.
            with np.errstate(over="ignore"):
                return np.exp(values)
        return values

    def to_dict(self) -> dict:
        return {"kind": self.kind, "shift": self.shift, "scale": self.scale}

    @classmethod
    def from_dict(cls, state: dict) -> TargetTransform:
        transform = cls(state["kind"])
        transform.shift, transform.scale = float(state["shift"]), float(state["scale"])
        return transform


# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, (n_samples, n_features); got shape {X.shape}")
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def _to_float(column: pd.Series, name: str) -> pd.Series:
    try:
        return column.astype(np.float64)
    except (TypeError, ValueError):
        converted = pd.to_numeric(column, errors="coerce")
        bad = column[converted.isna() & column.notna()]
        raise DataError(f"column {name!r} was numeric in training but row {bad.index[0]} holds {bad.iloc[0]!r}; "
                        "write a number there or leave the cell empty") from None


def _float_list(values) -> list[float]:
    return [float(v) for v in np.asarray(values).ravel()]
