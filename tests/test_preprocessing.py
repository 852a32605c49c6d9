"""Feature pipeline and target transform: scaling, one-hot, missing values, JSON round trip."""

import json

import numpy as np
import pandas as pd
import pytest

from housing.errors import DataError
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
