"""Feature pipeline and target transform: scaling, one-hot, missing values, JSON round trip."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from housing.errors import DataError, ModelFileError
from housing.preprocessing import FeaturePipeline, TargetTransform


def test_constant_column_scales_to_zero_not_nan():
    X = pd.DataFrame([[0, 1, 2, 5], [1, 2, 3, 5], [3, 1, 2, 5]], columns=list("abcd"), dtype=float)
    Z = FeaturePipeline().fit_transform(X)
    np.testing.assert_array_equal(Z[:, 3], [0.0, 0.0, 0.0])
    # Column a: mean 4/3, population std sqrt(14/9); (0 - 4/3) / (sqrt(14)/3) = -4/sqrt(14).
    np.testing.assert_allclose(Z[:, 0], [-1.0690450, -0.2672612, 1.3363062], atol=1e-7)


def test_one_hot_gives_float_matrix():
    X = pd.DataFrame({"area": [1400, 1600, 1700], "city": ["Pune", "Delhi", "Pune"]})
    pipeline = FeaturePipeline(scale=False).fit(X)
    Z = pipeline.transform(X)
    assert Z.dtype == np.float64
    np.testing.assert_array_equal(Z, [[1400, 0, 1], [1600, 1, 0], [1700, 0, 1]])
    assert pipeline.feature_names_out == ["area", "city_Delhi", "city_Pune"]


def test_boolean_column_is_numeric():
    X = pd.DataFrame({"area": [1.0, 2.0], "garage": [True, False]})
    Z = FeaturePipeline(scale=False).fit_transform(X)
    assert Z.dtype == np.float64
    np.testing.assert_array_equal(Z[:, 1], [1.0, 0.0])


def test_missing_values_follow_their_meaning():
    X = pd.DataFrame({
        "pool_area": [np.nan, 100.0, 200.0, 0.0],       # NA means no pool: 0
        "frontage": [np.nan, 10.0, 20.0, 60.0],         # NA means unknown: median 20
        "pool_quality": [np.nan, "Gd", "Ex", np.nan],   # NA means none: own category
    })
    pipeline = FeaturePipeline(none_categorical=["pool_quality"], none_numeric=["pool_area"], scale=False)
    Z = pipeline.fit_transform(X)
    assert not np.isnan(Z).any()
    assert Z[0, 0] == 0.0
    assert Z[0, 1] == 20.0
    assert "pool_quality_None" in pipeline.feature_names_out
    none_column = pipeline.feature_names_out.index("pool_quality_None")
    np.testing.assert_array_equal(Z[:, none_column], [1, 0, 0, 1])


def test_unseen_category_gives_zero_columns():
    pipeline = FeaturePipeline(scale=False).fit(pd.DataFrame({"city": ["Pune", "Delhi"]}))
    np.testing.assert_array_equal(pipeline.transform(pd.DataFrame({"city": ["Mumbai"]})), [[0.0, 0.0]])


def test_missing_feature_column_named():
    pipeline = FeaturePipeline().fit(pd.DataFrame({"area": [1.0, 2.0], "rooms": [3.0, 4.0]}))
    with pytest.raises(DataError, match="'rooms'"):
        pipeline.transform(pd.DataFrame({"area": [1.0]}))


def test_fitted_on_training_rows_only():
    train = pd.DataFrame({"area": [1.0, 2.0, 3.0]})
    test = pd.DataFrame({"area": [100.0]})
    pipeline = FeaturePipeline().fit(train)
    # Mean 2, population std sqrt(2/3): (100 - 2) / 0.8165 = 120.02.
    np.testing.assert_allclose(pipeline.transform(test), [[98 / np.sqrt(2 / 3)]])


def test_json_round_trip_is_bit_identical():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "area": rng.normal(1500, 300, 50),
        "rooms": rng.integers(1, 6, 50).astype(float),
        "city": rng.choice(["Pune", "Delhi", None], 50),
    })
    X.loc[3, "area"] = np.nan
    pipeline = FeaturePipeline(none_categorical=["city"]).fit(X)
    restored = FeaturePipeline.from_dict(json.loads(json.dumps(pipeline.to_dict())))
    np.testing.assert_array_equal(restored.transform(X), pipeline.transform(X))
    assert restored.feature_names_out == pipeline.feature_names_out


@pytest.mark.parametrize("kind", ["log", "standardize", "ratio", "none"])
def test_target_transform_inverts(kind):
    y = np.array([120000.0, 250000.0, 90000.0, 400000.0])
    transform = TargetTransform(kind).fit(y)
    z = transform.transform(y)
    assert z.shape == (4, 1)
    np.testing.assert_allclose(transform.inverse(z), y, rtol=1e-12)
    restored = TargetTransform.from_dict(json.loads(json.dumps(transform.to_dict())))
    np.testing.assert_array_equal(restored.transform(y), z)


def test_log_transform_standardises_log_price():
    y = np.array([np.e, np.e ** 3])  # logs 1 and 3: mean 2, population std 1
    np.testing.assert_allclose(TargetTransform("log").fit(y).transform(y).ravel(), [-1.0, 1.0])


def test_ratio_transform_divides_by_median():
    y = np.array([100.0, 200.0, 400.0])
    np.testing.assert_allclose(TargetTransform("ratio").fit(y).transform(y).ravel(), [0.5, 1.0, 2.0])


def test_log_transform_rejects_zero_price():
    with pytest.raises(DataError, match="0 or below"):
        TargetTransform("log").fit(np.array([1.0, 0.0, 3.0]))


# ----------------------------------------------------------------------
# Values too large for float64 arithmetic
# ----------------------------------------------------------------------


def test_huge_feature_rejected_not_nan():
    # The variance of [1e200, 2, 3] is about 2.2e399, beyond float64, so a silent fit would give NaN.
    with pytest.raises(DataError) as raised:
        FeaturePipeline().fit_transform(pd.DataFrame({"a": [1e200, 2.0, 3.0]}))
    message = str(raised.value)
    assert "column 'a'" in message
    assert "row 0 " in message
    assert "1e+200" in message
    assert "check the unit or remove the row" in message


@pytest.mark.parametrize("value", [np.inf, -np.inf, -1e101])
def test_infinite_feature_rejected_in_fit(value):
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, value]}, index=[10, 11, 12])
    with pytest.raises(DataError, match=rf"column 'b', row 12 contains {re.escape(repr(value))}"):
        FeaturePipeline(scale=False).fit(X)


def test_infinite_feature_rejected_in_transform():
    pipeline = FeaturePipeline().fit(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    with pytest.raises(DataError, match=r"column 'a', row 1 contains inf \(1 more such cells\)"):
        pipeline.transform(pd.DataFrame({"a": [1.0, np.inf, -np.inf]}))


def test_feature_at_limit_and_nan_accepted():
    X = pd.DataFrame({"a": [1e100, -1e100, np.nan, 0.0]})
    Z = FeaturePipeline().fit_transform(X)
    # NaN is filled with the median 0; mean 0 and population std sqrt(2e200 / 4) = 1e100 / sqrt(2).
    np.testing.assert_allclose(Z.ravel(), [np.sqrt(2), -np.sqrt(2), 0.0, 0.0])


# ----------------------------------------------------------------------
# Target values the transform cannot take
# ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["log", "standardize", "ratio", "none"])
def test_target_missing_value_rejected(kind):
    with pytest.raises(DataError, match=r"'price' column is missing in row 1;"):
        TargetTransform(kind).fit([1.0, np.nan, 3.0])


@pytest.mark.parametrize("kind", ["log", "standardize", "ratio", "none"])
@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e101, -3e200])
def test_target_huge_value_rejected(kind, value):
    y = pd.Series([2.0, 3.0, value, 4.0], index=[7, 8, 9, 10])
    with pytest.raises(DataError) as raised:
        TargetTransform(kind).fit(y, column="SalePrice")
    message = str(raised.value)
    assert "'SalePrice'" in message
    assert f"row 9 ({float(value)!r})" in message
    assert "overflow in float64" in message


def test_log_fit_names_series_rows():
    y = pd.Series([5.0, 0.0, 7.0, -2.0], index=[3, 17, 4, 29], name="price")
    with pytest.raises(DataError) as raised:
        TargetTransform("log").fit(y, column="price")
    message = str(raised.value)
    assert "'price'" in message
    assert "rows 17, 29 (first 0.0)" in message
    assert "[" not in message
    assert "training split" not in message


def test_log_fit_lists_ten_rows_then_count():
    y = pd.Series([0.0] * 13 + [1.0], index=range(100, 114))
    with pytest.raises(DataError, match=r"rows 100, 101, 102, 103, 104, 105, 106, 107, 108, 109 and 3 more "):
        TargetTransform("log").fit(y)


def test_log_fit_names_positions_of_array():
    with pytest.raises(DataError, match=r"rows 1, 2 \(first 0\.0\)"):
        TargetTransform("log").fit(np.array([1.0, 0.0, -3.0]))


def test_log_transform_rejects_validation_price():
    transform = TargetTransform("log").fit(np.array([100.0, 200.0]))
    with pytest.raises(DataError, match=r"'price' column is 0 or below in row 42 \(-5\.0\)"):
        transform.transform(pd.Series([150.0, -5.0], index=[41, 42]))


def test_transform_rejects_missing_validation_price():
    transform = TargetTransform("standardize").fit(np.array([100.0, 200.0]))
    with pytest.raises(DataError, match=r"missing in row 0;"):
        transform.transform([np.nan])


def test_ratio_fit_rejects_negative_median():
    with pytest.raises(DataError, match="training median of -2"):
        TargetTransform("ratio").fit([-1.0, -2.0, -3.0])


# ----------------------------------------------------------------------
# Output width
# ----------------------------------------------------------------------


def test_n_features_out_counts_categories():
    X = pd.DataFrame({
        "area": [1.0, 2.0, 3.0],
        "rooms": [1.0, 2.0, 2.0],
        "city": ["Pune", "Delhi", None],    # Delhi, None, Pune
        "garage": ["yes", "no", "no"],      # no, yes
    })
    pipeline = FeaturePipeline().fit(X)
    assert pipeline.n_features_out == 2 + 3 + 2
    assert pipeline.transform(X).shape == (3, pipeline.n_features_out)
    restored = FeaturePipeline.from_dict(json.loads(json.dumps(pipeline.to_dict())))
    assert restored.n_features_out == 7


def test_n_features_out_needs_fit():
    with pytest.raises(RuntimeError, match="before fit"):
        FeaturePipeline().n_features_out


# ----------------------------------------------------------------------
# Saved state checked on loading
# ----------------------------------------------------------------------


def saved_pipeline_state() -> dict:
    X = pd.DataFrame({"area": [1400.0, 1600.0, np.nan], "rooms": [3.0, 3.0, 4.0], "city": ["Pune", "Delhi", "Pune"]})
    return json.loads(json.dumps(FeaturePipeline().fit(X).to_dict()))


BAD_PIPELINE_FIELDS = {
    "no scale": (lambda s: s.pop("scale"), "no field 'scale'"),
    "no fill values": (lambda s: s.pop("fill_values"), "no field 'fill_values'"),
    "no mean": (lambda s: s.pop("mean"), "no field 'mean'"),
    "no categories": (lambda s: s.pop("categories"), "no field 'categories'"),
    "scale as text": (lambda s: s.update(scale="yes"), "'scale' must be true or false"),
    "scale as number": (lambda s: s.update(scale=1), "'scale' must be true or false"),
    "numeric columns as text": (lambda s: s.update(numeric_columns="area"), "'numeric_columns' must be a list"),
    "numeric column as number": (lambda s: s.update(numeric_columns=["area", 2]), "'numeric_columns' must be a list"),
    "categorical columns as dict": (lambda s: s.update(categorical_columns={"city": 1}), "'categorical_columns'"),
    "none lists as text": (lambda s: s.update(none_numeric="area"), "'none_numeric' must be a list"),
    "column in both lists": (lambda s: s.update(categorical_columns=["area"], categories=[["a"]]), "appear once"),
    "fill values as list": (lambda s: s.update(fill_values=[1500.0, 3.0]), "'fill_values' must be an object"),
    "fill value missing": (lambda s: s["fill_values"].pop("rooms"), "'fill_values'"),
    "fill value extra": (lambda s: s["fill_values"].update(pool=0.0), "'fill_values'"),
    "fill value text": (lambda s: s["fill_values"].update(area="1500"), "'fill_values'"),
    "fill value NaN": (lambda s: s["fill_values"].update(area=float("nan")), "'fill_values'"),
    "fill value bool": (lambda s: s["fill_values"].update(area=True), "'fill_values'"),
    "mean too short": (lambda s: s["mean"].pop(), "'mean' must be a list of 2 finite numbers"),
    "mean as text": (lambda s: s.update(mean="1500,3"), "'mean' must be a list of 2 finite numbers"),
    "mean infinite": (lambda s: s["mean"].__setitem__(0, float("inf")), "'mean' must be a list of 2 finite"),
    "std none while scaling": (lambda s: s.update(std=None), "'std' must be a list of 2 finite numbers"),
    "std zero": (lambda s: s["std"].__setitem__(1, 0.0), "'std' must be positive"),
    "std negative": (lambda s: s["std"].__setitem__(0, -100.0), "'std' must be positive"),
    "categories as text": (lambda s: s.update(categories="Pune"), "'categories' must be a list of 1 lists"),
    "categories too many": (lambda s: s["categories"].append(["x"]), "'categories' must be a list of 1 lists"),
    "category list empty": (lambda s: s.update(categories=[[]]), "'categories'.*none empty"),
    "category not text": (lambda s: s.update(categories=[["Pune", 3]]), "'categories'"),
    "category repeated": (lambda s: s.update(categories=[["Pune", "Pune"]]), "'categories'"),
    "samples seen as text": (lambda s: s.update(n_samples_seen="3"), "'n_samples_seen'"),
}


@pytest.mark.parametrize("case", list(BAD_PIPELINE_FIELDS))
def test_pipeline_state_checked_on_load(case):
    change, pattern = BAD_PIPELINE_FIELDS[case]
    state = saved_pipeline_state()
    change(state)
    with pytest.raises(ModelFileError, match=pattern) as raised:
        FeaturePipeline.from_dict(state)
    message = str(raised.value)
    assert "train the model again" in message
    assert "\n" not in message


def test_pipeline_state_not_object_rejected():
    with pytest.raises(ModelFileError, match="must be a JSON object"):
        FeaturePipeline.from_dict(["area"])


def test_unscaled_pipeline_state_loads():
    X = pd.DataFrame({"area": [1400.0, 1600.0], "city": ["Pune", "Delhi"]})
    pipeline = FeaturePipeline(scale=False).fit(X)
    state = json.loads(json.dumps(pipeline.to_dict()))
    assert state["mean"] is None
    np.testing.assert_array_equal(FeaturePipeline.from_dict(state).transform(X), pipeline.transform(X))


def test_text_only_pipeline_state_loads():
    X = pd.DataFrame({"city": ["Pune", "Delhi"]})
    pipeline = FeaturePipeline().fit(X)
    state = json.loads(json.dumps(pipeline.to_dict()))
    assert "mean" not in state
    np.testing.assert_array_equal(FeaturePipeline.from_dict(state).transform(X), [[0.0, 1.0], [1.0, 0.0]])


BAD_TARGET_FIELDS = {
    "no kind": ({"shift": 0.0, "scale": 1.0}, "no field 'kind'"),
    "no scale": ({"kind": "log", "shift": 12.0}, "no field 'scale'"),
    "unknown kind": ({"kind": "sqrt", "shift": 0.0, "scale": 1.0}, "'kind' must be one of log, standardize"),
    "kind not text": ({"kind": 1, "shift": 0.0, "scale": 1.0}, "'kind' must be one of"),
    "shift as text": ({"kind": "log", "shift": "12.0", "scale": 0.4}, "'shift' must be a finite number"),
    "scale as text": ({"kind": "log", "shift": 12.0, "scale": "0.4"}, "'scale' must be a finite number"),
    "scale as bool": ({"kind": "log", "shift": 12.0, "scale": True}, "'scale' must be a finite number"),
    "shift NaN": ({"kind": "standardize", "shift": float("nan"), "scale": 1.0}, "'shift' must be a finite"),
    "scale infinite": ({"kind": "log", "shift": 12.0, "scale": float("inf")}, "'scale' must be a finite"),
    "scale zero": ({"kind": "log", "shift": 12.0, "scale": 0.0}, "'scale' must be above 0"),
    "scale negative": ({"kind": "ratio", "shift": 0.0, "scale": -2.0}, "'scale' must be above 0"),
    "none with scale": ({"kind": "none", "shift": 0.0, "scale": 2.0}, "'scale' must be 1 for the 'none'"),
    "none with shift": ({"kind": "none", "shift": 5.0, "scale": 1.0}, "'shift' must be 0 for the 'none'"),
    "ratio with shift": ({"kind": "ratio", "shift": 5.0, "scale": 2.0}, "'shift' must be 0 for the 'ratio'"),
    "not an object": ([12.0, 0.4], "must be a JSON object"),
}


@pytest.mark.parametrize("case", list(BAD_TARGET_FIELDS))
def test_target_state_checked_on_load(case):
    state, pattern = BAD_TARGET_FIELDS[case]
    with pytest.raises(ModelFileError, match=pattern) as raised:
        TargetTransform.from_dict(state)
    assert "train the model again" in str(raised.value)


def test_target_state_accepts_integers():
    # JSON writes 1.0 as 1 in some tools; an integer is a valid number.
    transform = TargetTransform.from_dict({"kind": "ratio", "shift": 0, "scale": 200000})
    np.testing.assert_array_equal(transform.transform([100000.0]), [[0.5]])
