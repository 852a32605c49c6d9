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

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError, DataError, ModelFileError

__all__ = ["FeaturePipeline", "TargetTransform", "TARGET_TRANSFORMS", "MAX_ABS_VALUE"]

MISSING_CATEGORY = "None"

# Largest magnitude accepted in a feature or target. Squares of values up to
# 1e100 stay far below float64's maximum of about 1.8e308, so means,
# variances and losses stay finite with room for millions of rows.
MAX_ABS_VALUE = 1e100

_ROWS_LISTED = 10  # rows named in an error message


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
    `StandardScaler` leaves a zero standard deviation as 1. Infinite numbers,
    and numbers beyond `MAX_ABS_VALUE` in magnitude, are a `DataError` in
    `fit` and `transform`: their squares would overflow.

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

    @property
    def n_features_out(self) -> int:
        """Number of columns `transform` returns: one per numeric column plus one per category."""
        if not self.is_fitted:
            raise RuntimeError("FeaturePipeline.n_features_out was read before fit()")
        n_categories = sum(len(values) for values in self.encoder.categories_) if self.encoder is not None else 0
        return len(self.numeric_columns) + n_categories

    def fit(self, X: pd.DataFrame, y=None) -> FeaturePipeline:
        """Learn fill values, means, standard deviations and categories from ``X``."""
        X = _as_frame(X)
        none_numeric = set(self.none_numeric)
        self.numeric_columns = [c for c in X.columns if _is_numeric(X[c])]
        self.categorical_columns = [c for c in X.columns if c not in self.numeric_columns]

        numeric = self._numeric_values(X)
        medians = numeric.median()
        self.fill_values = {
            column: 0.0 if column in none_numeric or np.isnan(medians[column]) else float(medians[column])
            for column in self.numeric_columns
        }
        self.scaler = StandardScaler(with_mean=bool(self.scale), with_std=bool(self.scale)).fit(
            numeric.fillna(self.fill_values).to_numpy()) if self.numeric_columns else None
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
            numeric = self._numeric_values(X).fillna(self.fill_values)
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

    def _numeric_values(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the numeric columns as float64, NaN where missing, after checking their magnitude."""
        numeric = pd.DataFrame({c: _to_float(X[c], c) for c in self.numeric_columns}, index=X.index)
        _check_feature_magnitude(numeric)
        return numeric

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
        """Rebuild a fitted pipeline from `to_dict` output, with identical transforms.

        Raises
        ------
        ModelFileError
            If a field is missing or has the wrong type, length or range.
        """
        _check_pipeline_state(state)
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
# Checks of a saved pipeline
# ----------------------------------------------------------------------

_PIPELINE_FIELDS = ("none_categorical", "none_numeric", "scale", "numeric_columns", "categorical_columns",
                    "fill_values")


def _check_pipeline_state(state) -> None:
    """Raise ModelFileError unless ``state`` is a complete, consistent `FeaturePipeline.to_dict` output."""
    if not isinstance(state, dict):
        raise _state_error("preprocessing", "the preprocessing state", "a JSON object", state)
    for key in _PIPELINE_FIELDS:
        _require_field(state, key, "preprocessing")
    if not isinstance(state["scale"], bool):
        raise _state_error("preprocessing", "scale", "true or false", state["scale"])
    for key in ("none_categorical", "none_numeric", "numeric_columns", "categorical_columns"):
        _check_string_list(state[key], key)

    numeric, categorical = state["numeric_columns"], state["categorical_columns"]
    if len(set(numeric + categorical)) != len(numeric) + len(categorical):
        raise _state_error("preprocessing", "numeric_columns and categorical_columns",
                           "column names that appear once in both lists together", numeric + categorical)
    _check_fill_values(state["fill_values"], numeric)
    if numeric and state["scale"]:
        _check_scaler_state(state, len(numeric))
    if "n_samples_seen" in state and not (_is_finite_number(state["n_samples_seen"])
                                          and isinstance(state["n_samples_seen"], int)
                                          and state["n_samples_seen"] >= 0):
        raise _state_error("preprocessing", "n_samples_seen", "a whole number of 0 or more", state["n_samples_seen"])
    if categorical:
        _require_field(state, "categories", "preprocessing")
        _check_categories(state["categories"], len(categorical))


def _check_string_list(value, key: str) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _state_error("preprocessing", key, "a list of column names (strings)", value)


def _check_fill_values(fill_values, numeric: list[str]) -> None:
    rule = "an object mapping each numeric column to a finite number"
    if not isinstance(fill_values, dict) or set(fill_values) != set(numeric):
        raise _state_error("preprocessing", "fill_values", rule, fill_values)
    if not all(_is_finite_number(value) for value in fill_values.values()):
        raise _state_error("preprocessing", "fill_values", rule, fill_values)


def _check_scaler_state(state: dict, n_numeric: int) -> None:
    for key in ("mean", "std"):
        values = _require_field(state, key, "preprocessing")
        if not isinstance(values, list) or len(values) != n_numeric or not all(map(_is_finite_number, values)):
            raise _state_error("preprocessing", key, f"a list of {n_numeric} finite numbers, one per numeric column",
                               values)
    if any(value <= 0 for value in state["std"]):
        raise _state_error("preprocessing", "std", "positive standard deviations (above 0)", state["std"])


def _check_categories(categories, n_categorical: int) -> None:
    rule = f"a list of {n_categorical} lists, one per categorical column, each of distinct category names (strings)"
    if not isinstance(categories, list) or len(categories) != n_categorical:
        raise _state_error("preprocessing", "categories", rule, categories)
    for values in categories:
        if (not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values)
                or len(set(values)) != len(values)):
            raise _state_error("preprocessing", "categories", rule + " and none empty", values)


def _require_field(state: dict, key: str, part: str):
    """Return ``state[key]``, raising ModelFileError when the field is absent."""
    if key not in state:
        raise ModelFileError(f"the saved {part} state has no field {key!r}, so the model file is incomplete or "
                             "damaged; train the model again")
    return state[key]


def _state_error(part: str, key: str, rule: str, value) -> ModelFileError:
    """Return the ModelFileError for a saved field ``key`` that breaks ``rule``."""
    value_text = repr(value)
    if len(value_text) > 60:
        value_text = value_text[:57] + "..."
    return ModelFileError(f"the saved {part} field {key!r} must be {rule}, but it is {value_text}; "
                          "the model file is damaged or from another version, so train the model again")


def _is_finite_number(value) -> bool:
    """Return True for an int or float that is finite; bools and strings are not numbers here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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

    Notes
    -----
    `fit` and `transform` raise `DataError` for a missing (NaN) or infinite
    target, for one beyond `MAX_ABS_VALUE` in magnitude, and, under "log", for
    one of 0 or below. The message names the rows by the index of a pandas
    Series (the data row numbers of a loaded file), else by position.
    """

    def __init__(self, kind: str = "log"):
        if kind not in TARGET_TRANSFORMS:
            raise ConfigError(f"unknown target transform {kind!r}; choose one of {', '.join(TARGET_TRANSFORMS)}")
        self.kind = kind
        self.shift = 0.0
        self.scale = 1.0

    def fit(self, y, column: str = "price") -> TargetTransform:
        """Learn the shift and scale from the training targets."""
        values = self.checked_values(y, column)
        if self.kind == "log":
            values = np.log(values)
        if self.kind in ("log", "standardize"):
            self.shift = float(values.mean())
            self.scale = float(values.std()) or 1.0
        elif self.kind == "ratio":
            median = float(np.median(values))
            if median < 0:
                raise DataError(f"the {column!r} column has a training median of {median:g}, and the ratio target "
                                "transform divides by it, which needs a positive median; use --target-transform "
                                "standardize")
            self.scale = median or 1.0
        return self

    def transform(self, y, column: str = "price") -> np.ndarray:
        """Return the training-space target as a column, shape (n_samples, 1)."""
        values = self.checked_values(y, column).reshape(-1, 1)
        if self.kind == "log":
            values = np.log(values)
        return (values - self.shift) / self.scale

    def checked_values(self, y, column: str = "price") -> np.ndarray:
        """Return ``y`` as a 1-D float64 array, raising DataError for values this transform cannot take."""
        rows = np.asarray(y.index) if isinstance(y, pd.Series) else None
        values = np.asarray(y, dtype=np.float64).ravel()
        if rows is None or len(rows) != len(values):
            rows = np.arange(len(values))

        missing = np.isnan(values)
        if missing.any():
            raise DataError(f"the {column!r} column is missing in {_describe_rows(rows[missing])}; "
                            "fill in those values or remove the rows")
        too_large = np.abs(values) > MAX_ABS_VALUE  # inf included
        if too_large.any():
            raise DataError(f"the {column!r} column is infinite or beyond {MAX_ABS_VALUE:g} in magnitude in "
                            f"{_describe_values(rows, values, too_large)}, and values this large overflow in float64 "
                            "arithmetic; check the unit or remove those rows")
        not_positive = values <= 0
        if self.kind == "log" and not_positive.any():
            raise DataError(f"the {column!r} column is 0 or below in {_describe_values(rows, values, not_positive)}, "
                            "so its log is undefined; remove those rows or use --target-transform standardize")
        return values

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
        """Rebuild a fitted transform from `to_dict` output.

        Raises
        ------
        ModelFileError
            If ``kind`` is unknown, or ``shift`` or ``scale`` is not a finite
            number, ``scale`` is not positive, or "ratio" or "none" has a
            shift, or "none" has a scale other than 1.
        """
        _check_target_state(state)
        transform = cls(state["kind"])
        transform.shift, transform.scale = float(state["shift"]), float(state["scale"])
        return transform


def _check_target_state(state) -> None:
    """Raise ModelFileError unless ``state`` is a valid `TargetTransform.to_dict` output."""
    part = "target transform"
    if not isinstance(state, dict):
        raise _state_error(part, "target_transform", "a JSON object", state)
    kind, shift, scale = (_require_field(state, key, part) for key in ("kind", "shift", "scale"))
    if kind not in TARGET_TRANSFORMS:
        raise _state_error(part, "kind", f"one of {', '.join(TARGET_TRANSFORMS)}", kind)
    for key, value in (("shift", shift), ("scale", scale)):
        if not _is_finite_number(value):
            raise _state_error(part, key, "a finite number", value)
    if scale <= 0:
        raise _state_error(part, "scale", "above 0", scale)
    if kind in ("ratio", "none") and shift != 0:
        raise _state_error(part, "shift", f"0 for the {kind!r} transform", shift)
    if kind == "none" and scale != 1:
        raise _state_error(part, "scale", "1 for the 'none' transform", scale)


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
        raise DataError(f"column {name!r} was numeric in training but row {bad.index[0]} contains {bad.iloc[0]!r}; "
                        "write a number there or leave the cell empty") from None


def _check_feature_magnitude(numeric: pd.DataFrame) -> None:
    """Raise DataError for the first infinite value, or value beyond `MAX_ABS_VALUE`, in row order."""
    too_large = np.abs(numeric.to_numpy()) > MAX_ABS_VALUE  # inf included, NaN not
    if not too_large.any():
        return
    position, column_position = np.argwhere(too_large)[0]
    column, row = numeric.columns[column_position], numeric.index[position]
    value = float(numeric.iat[position, column_position])
    others = int(too_large.sum()) - 1
    more = f" ({others} more such cells)" if others else ""
    raise DataError(f"column {column!r}, row {row} contains {value!r}{more}, and values that are infinite or beyond "
                    f"{MAX_ABS_VALUE:g} in magnitude overflow in float64 arithmetic; check the unit or remove the row")


def _describe_rows(rows) -> str:
    """Return "row 4" or "rows 1, 2, ... and N more", naming at most ten rows."""
    rows = list(rows)
    if len(rows) == 1:
        return f"row {rows[0]}"
    listed = ", ".join(str(row) for row in rows[:_ROWS_LISTED])
    if len(rows) > _ROWS_LISTED:
        listed += f" and {len(rows) - _ROWS_LISTED} more"
    return f"rows {listed}"


def _describe_values(rows: np.ndarray, values: np.ndarray, bad: np.ndarray) -> str:
    """Return "row 4 (-5.0)" or "rows 4, 9 (first -5.0)" for the rows where ``bad`` is True."""
    first = float(values[bad][0])
    return f"{_describe_rows(rows[bad])} ({'first ' if bad.sum() > 1 else ''}{first!r})"


def _float_list(values) -> list[float]:
    return [float(v) for v in np.asarray(values).ravel()]
