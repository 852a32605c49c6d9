"""Tests of housing.losses: values against scikit-learn and hand-worked cases,
gradients against central differences, shapes, edges, registry and targets."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn import metrics

from housing.errors import ConfigError, DataError
from housing.gradcheck import check_loss
from housing.losses import LOSSES, MAPE, MSE, MSLE, RMSE, Loss, LogCosh, get_loss

LOSS_CASES = [
    ("mse", {}),
    ("rmse", {}),
    ("mae", {}),
    ("huber", {}),
    ("huber", {"delta": 2.0}),
    ("logcosh", {}),
    ("quantile", {}),
    ("quantile", {"tau": 0.9}),
    ("msle", {}),
    ("mape", {}),
]
CASE_IDS = [name + "".join(f"-{k}={v}" for k, v in params.items()) for name, params in LOSS_CASES]


def _smooth_point(n_samples, n_outputs, seed=0):
    """Return targets in [1, 4] and predictions off by 0.3, 0.7, 1.5 or 2.5 in either direction.

    Residual sizes avoid the kinks at 0 (mae, quantile) and at 1 and 2 (huber),
    and predictions stay above -0.9, where msle switches to its tangent line.
    """
    rng = np.random.default_rng(seed)
    shape = (n_samples, n_outputs)
    y_true = rng.uniform(1.0, 4.0, size=shape)
    sizes = rng.choice([0.3, 0.7, 1.5, 2.5], size=shape)
    signs = rng.choice([-1.0, 1.0], size=shape)
    return y_true, y_true + signs * sizes


# Gradients against central differences


@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_gradient_matches_central_differences(name, params, n_samples, n_outputs):
    y_true, y_pred = _smooth_point(n_samples, n_outputs)
    assert check_loss(get_loss(name, **params), y_true, y_pred, h=1e-6) < 1e-7


def test_msle_gradient_below_knot():
    y_true = np.array([[1.0], [2.0], [3.0]])
    y_pred = np.array([[1.0], [-2.0], [-50.0]])
    assert check_loss(MSLE(), y_true, y_pred) < 1e-7


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_gradient_shape_and_dtype(name, params):
    y_true, y_pred = _smooth_point(4, 2)
    gradient = get_loss(name, **params).gradient(y_true, y_pred)
    assert gradient.shape == y_pred.shape
    assert gradient.dtype == np.float64


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_equal_separate_calls(name, params, dtype):
    loss = get_loss(name, **params)
    y_true, y_pred = (array.astype(dtype) for array in _smooth_point(5, 2))
    expected_value, expected_gradient = loss(y_true, y_pred), loss.gradient(y_true, y_pred)
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    for method in (loss.value_and_gradient, loss.value_and_gradient_unchecked):
        value, gradient = method(y_true, y_pred.copy())
        assert value == pytest.approx(expected_value, rel=tolerance)
        assert gradient.dtype == dtype
        assert gradient.shape == y_pred.shape
        np.testing.assert_allclose(gradient, expected_gradient, rtol=tolerance)


def test_value_and_gradient_leaves_prediction_unchanged():
    # MSE reuses its residual array as the gradient, so that array must not be the prediction.
    y_true, y_pred = _smooth_point(4, 1)
    original = y_pred.copy()
    MSE().value_and_gradient_unchecked(y_true, y_pred)
    np.testing.assert_array_equal(y_pred, original)


@pytest.mark.parametrize("y_true, y_pred", [
    (np.array([1.0, 2.0, 4.0]), np.array([[1.0], [2.0], [3.0]])),
    (np.array([[1], [2], [4]]), np.array([[1], [2], [3]])),
], ids=["flat_target", "integer_prediction"])
def test_unchecked_mse_outside_contract_takes_checked_path(y_true, y_pred):
    value, gradient = MSE().value_and_gradient_unchecked(y_true, y_pred)
    assert value == pytest.approx(1 / 3)
    np.testing.assert_allclose(gradient, [[0.0], [0.0], [-2 / 3]])


def test_value_and_gradient_checks_target():
    with pytest.raises(DataError, match="row 1"):
        MSE().value_and_gradient(np.array([[1.0], [np.nan]]), np.array([[1.0], [2.0]]))


# Values against scikit-learn


@pytest.fixture
def random_pair():
    rng = np.random.default_rng(7)
    y_true = rng.uniform(0.5, 5.0, size=(50, 1))
    y_pred = y_true + rng.normal(0.0, 0.8, size=(50, 1))
    return y_true, np.abs(y_pred)  # msle needs predictions > -1 for scikit-learn


@pytest.fixture
def random_pair_wide():
    rng = np.random.default_rng(8)
    y_true = rng.uniform(0.5, 5.0, size=(40, 2))
    y_pred = np.abs(y_true + rng.normal(0.0, 0.8, size=(40, 2)))
    return y_true, y_pred


def test_mse_equals_sklearn(random_pair, random_pair_wide):
    for y_true, y_pred in (random_pair, random_pair_wide):
        expected = metrics.mean_squared_error(y_true, y_pred)
        assert get_loss("mse")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_rmse_equals_sklearn(random_pair, random_pair_wide):
    y_true, y_pred = random_pair
    expected = metrics.root_mean_squared_error(y_true, y_pred)
    assert get_loss("rmse")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)

    # With two outputs, the RMSE of all elements is the root of the overall MSE.
    y_true, y_pred = random_pair_wide
    expected = math.sqrt(metrics.mean_squared_error(y_true, y_pred))
    assert get_loss("rmse")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_mae_equals_sklearn(random_pair, random_pair_wide):
    for y_true, y_pred in (random_pair, random_pair_wide):
        expected = metrics.mean_absolute_error(y_true, y_pred)
        assert get_loss("mae")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_quantile_equals_sklearn_pinball(tau, random_pair, random_pair_wide):
    for y_true, y_pred in (random_pair, random_pair_wide):
        expected = metrics.mean_pinball_loss(y_true, y_pred, alpha=tau)
        assert get_loss("quantile", tau=tau)(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_msle_equals_sklearn(random_pair, random_pair_wide):
    for y_true, y_pred in (random_pair, random_pair_wide):
        expected = metrics.mean_squared_log_error(y_true, y_pred)
        assert get_loss("msle")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_mape_equals_sklearn(random_pair, random_pair_wide):
    for y_true, y_pred in (random_pair, random_pair_wide):
        expected = metrics.mean_absolute_percentage_error(y_true, y_pred)
        assert get_loss("mape")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_mape_negative_targets_equal_sklearn():
    y_true = np.array([-2.0, 4.0, -0.5])
    y_pred = np.array([-1.0, 5.0, 0.5])
    expected = metrics.mean_absolute_percentage_error(y_true, y_pred)
    assert get_loss("mape")(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


# Values worked by hand


def test_huber_hand_worked_default_delta():
    # delta = 1, r = [0.5, -2, 3]:
    #   0.5 * 0.5^2 = 0.125, 1 * (2 - 0.5) = 1.5, 1 * (3 - 0.5) = 2.5
    #   mean = 4.125 / 3 = 1.375, gradient = clip(r, -1, 1) / 3 = [0.5, -1, 1] / 3
    loss = get_loss("huber")
    y_true = np.zeros((3, 1))
    y_pred = np.array([[0.5], [-2.0], [3.0]])
    assert loss(y_true, y_pred) == pytest.approx(1.375, rel=1e-15)
    np.testing.assert_allclose(loss.gradient(y_true, y_pred), [[0.5 / 3], [-1 / 3], [1 / 3]], rtol=1e-15)


def test_huber_hand_worked_delta_two():
    # delta = 2, y_true = [1, 2], y_pred = [2, -1], so r = [1, -3]:
    #   0.5 * 1^2 = 0.5, 2 * (3 - 1) = 4, mean = 2.25
    #   gradient = clip(r, -2, 2) / 2 = [0.5, -1]
    loss = get_loss("huber", delta=2.0)
    assert loss([1.0, 2.0], [2.0, -1.0]) == pytest.approx(2.25, rel=1e-15)
    np.testing.assert_allclose(loss.gradient([1.0, 2.0], [2.0, -1.0]), [0.5, -1.0], rtol=1e-15)


def test_huber_continuous_at_delta():
    loss = get_loss("huber", delta=1.5)
    below = loss([0.0], [1.5 - 1e-9])
    above = loss([0.0], [1.5 + 1e-9])
    assert below == pytest.approx(0.5 * 1.5**2, abs=1e-8)
    assert above == pytest.approx(0.5 * 1.5**2, abs=1e-8)


def test_logcosh_hand_worked_half():
    # cosh(0.5) = (e^0.5 + e^-0.5) / 2 = (1.6487213 + 0.6065307) / 2 = 1.1276260
    # log(1.1276260) = 0.1201145, tanh(0.5) = 0.4621172
    loss = LogCosh()
    assert loss([0.0], [0.5]) == pytest.approx(0.1201145, abs=1e-7)
    np.testing.assert_allclose(loss.gradient([0.0], [0.5]), [0.4621172], atol=1e-7)


def test_logcosh_equals_naive_formula():
    rng = np.random.default_rng(3)
    y_true = rng.normal(size=(20, 2))
    y_pred = y_true + rng.uniform(-30, 30, size=(20, 2))
    expected = np.mean(np.log(np.cosh(y_pred - y_true)))
    assert LogCosh()(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


# Edges that must stay finite


def test_logcosh_large_residual_float64():
    loss = LogCosh()
    assert loss([0.0], [712.0]) == pytest.approx(711.30685, abs=1e-5)
    assert loss.gradient([0.0], [712.0])[0] == 1.0


def test_logcosh_large_residual_float32():
    y_true = np.zeros(2, dtype=np.float32)
    y_pred = np.array([100.0, -100.0], dtype=np.float32)
    # log cosh(100) = 100 - log 2 to within e^-200.
    assert LogCosh()(y_true, y_pred) == pytest.approx(100 - math.log(2), rel=1e-6)
    assert LogCosh()(y_true, y_pred) == pytest.approx(99.30685, abs=1e-4)


def test_mape_zero_target_validate_names_row():
    with pytest.raises(DataError, match=r"'price'.*zero.*row 1\b.*mae"):
        MAPE().validate_target(np.array([1.0, 0.0, 2.0]))


def test_mape_zero_target_call_raises():
    with pytest.raises(DataError, match=r"row 1\b"):
        MAPE()([1.0, 0.0, 2.0], [0.9, 0.1, 2.1])


def test_mape_zero_target_gradient_raises():
    with pytest.raises(DataError, match=r"row 1\b"):
        MAPE().gradient([1.0, 0.0, 2.0], [0.9, 0.1, 2.1])


def test_mape_nonzero_rows():
    # |0.9 - 1| / 1 = 0.1, |2.1 - 2| / 2 = 0.05, mean = 0.075
    assert MAPE()([1.0, 2.0], [0.9, 2.1]) == pytest.approx(0.075, rel=1e-12)


def test_mape_tiny_target_stays_finite():
    y_true = np.array([5e-324, 1.0])
    y_pred = np.array([1e6, 1.0])
    assert math.isfinite(MAPE()(y_true, y_pred))
    assert np.isfinite(MAPE().gradient(y_true, y_pred)).all()


def test_msle_zero_prediction():
    # (log 1 - log 3)^2 / 3 = 1.0986123^2 / 3 = 0.4023163
    # gradient = 2 (log 1 - log 3) / (1 + 0) / 3 = -0.7324082
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = np.array([1.0, 0.0, 3.0])
    assert MSLE()(y_true, y_pred) == pytest.approx(0.4023163, abs=1e-7)
    assert MSLE().gradient(y_true, y_pred)[1] == pytest.approx(-0.7324082, abs=1e-7)


def test_msle_negative_prediction_above_knot():
    # (log 0.5 - log 3)^2 / 3 = (-1.7917595)^2 / 3 = 1.0701340
    assert MSLE()([1.0, 2.0, 3.0], [1.0, -0.5, 3.0]) == pytest.approx(1.0701340, abs=1e-7)


def test_msle_negative_target_raises():
    with pytest.raises(DataError, match=r"'price'.*negative.*row 2\b"):
        MSLE().validate_target(np.array([1.0, 2.0, -3.0]))
    with pytest.raises(DataError, match=r"negative.*row 2\b"):
        MSLE()([1.0, 2.0, -3.0], [1.0, 2.0, 3.0])


def _msle_middle(prediction):
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = np.array([1.0, prediction, 3.0])
    return MSLE()(y_true, y_pred), MSLE().gradient(y_true, y_pred)[1]


def test_msle_continuous_at_knot():
    value_left, gradient_left = _msle_middle(-0.9 - 1e-12)
    value_at, gradient_at = _msle_middle(-0.9)
    value_right, gradient_right = _msle_middle(-0.9 + 1e-12)

    # At -0.9, g = log 0.1 and g' = 10 from both sides.
    expected_value = (math.log(0.1) - math.log(3.0)) ** 2 / 3
    expected_gradient = 2 * (math.log(0.1) - math.log(3.0)) * 10 / 3
    assert value_at == pytest.approx(expected_value, rel=1e-12)
    assert gradient_at == pytest.approx(expected_gradient, rel=1e-12)
    assert value_left == pytest.approx(value_at, rel=1e-9)
    assert value_right == pytest.approx(value_at, rel=1e-9)
    assert gradient_left == pytest.approx(gradient_at, rel=1e-9)
    assert gradient_right == pytest.approx(gradient_at, rel=1e-9)


def test_msle_tangent_far_below_knot():
    value, gradient = _msle_middle(-1e6)

    # g(-1e6) = log 0.1 + 10 (-1e6 + 0.9), g' = 10
    tangent = math.log(0.1) + 10 * (-1e6 + 0.9)
    assert value == pytest.approx((tangent - math.log(3.0)) ** 2 / 3, rel=1e-12)
    assert gradient == pytest.approx(2 * (tangent - math.log(3.0)) * 10 / 3, rel=1e-12)
    assert math.isfinite(value)
    assert math.isfinite(gradient)


def test_rmse_perfect_fit():
    y = np.array([1.0, 2.0, 3.0])
    assert RMSE()(y, y.copy()) == 0.0
    gradient = RMSE().gradient(y, y.copy())
    assert np.isfinite(gradient).all()
    assert (gradient == 0).all()


def test_rmse_normal_case():
    # sqrt((9 + 16) / 2) = 3.5355339, gradient = r / (N L) = [3, -4] / 7.0710678
    loss = RMSE()
    assert loss([0.0, 0.0], [3.0, -4.0]) == pytest.approx(3.5355339, abs=1e-7)
    np.testing.assert_allclose(loss.gradient([0.0, 0.0], [3.0, -4.0]), [0.4242641, -0.5656854], atol=1e-7)


def test_rmse_tiny_residual_gradient_finite():
    y_true = np.array([0.0, 0.0])
    y_pred = np.array([1e-200, -1e-200])
    # r^2 underflows to 0 in float64, so a plain formula gives L = 0 and r / 0 = inf.
    # L = 1e-200, gradient = r / (N L) = [1e-200, -1e-200] / 2e-200 = [0.5, -0.5]
    assert RMSE()(y_true, y_pred) == pytest.approx(1e-200, rel=1e-12)
    np.testing.assert_allclose(RMSE().gradient(y_true, y_pred), [0.5, -0.5], rtol=1e-12)


# Shapes


@pytest.mark.parametrize("y_true", [[1, 2, 3], [[1], [2], [3]], [[1, 2, 3]]], ids=["n", "n_by_1", "1_by_n"])
def test_column_prediction_flat_target(y_true):
    y_pred = np.array([[1.0], [2.0], [3.0]])
    assert MSE()(np.array(y_true, dtype=float), y_pred) == 0.0


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_target_shapes_give_same_result(name, params):
    loss = get_loss(name, **params)
    y_flat = np.array([1.0, 2.5, 4.0])
    y_pred = np.array([[1.3], [2.0], [5.5]])
    reference_value = loss(y_flat.reshape(3, 1), y_pred)
    reference_gradient = loss.gradient(y_flat.reshape(3, 1), y_pred)
    for y_true in (y_flat, y_flat.reshape(1, 3)):
        assert loss(y_true, y_pred) == reference_value
        np.testing.assert_array_equal(loss.gradient(y_true, y_pred), reference_gradient)


def test_two_outputs_half_mse():
    # L = 0.5 * mean([1, 4]) = 1.25, dL/dP = 0.5 * 2 * (P - Y) / 2 = [-0.5, -1]
    Y = np.array([[1.0, 2.0]])
    P = np.array([[0.0, 0.0]])
    assert 0.5 * MSE()(Y, P) == 1.25
    np.testing.assert_array_equal(0.5 * MSE().gradient(Y, P), [[-0.5, -1.0]])


@pytest.mark.parametrize(
    "true_shape, pred_shape",
    [((3,), (3, 2)), ((2,), (3, 1)), ((3, 2), (3, 1)), ((2, 3), (3, 2)), ((6,), (3, 2)), ((3,), (1, 3))],
)
def test_shape_mismatch_raises(true_shape, pred_shape):
    pattern = rf"{true_shape}".replace("(", r"\(").replace(")", r"\)")
    pattern += r".*" + rf"{pred_shape}".replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(ValueError, match=pattern):
        MSE()(np.ones(true_shape), np.ones(pred_shape))
    with pytest.raises(ValueError, match=pattern):
        MSE().gradient(np.ones(true_shape), np.ones(pred_shape))


def test_empty_prediction_raises():
    with pytest.raises(ValueError, match="non-empty"):
        MSE()(np.ones((0, 1)), np.ones((0, 1)))


# float32


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_float32_matches_float64(name, params):
    loss = get_loss(name, **params)
    y_true, y_pred = _smooth_point(16, 2, seed=5)
    value64 = loss(y_true, y_pred)
    gradient64 = loss.gradient(y_true, y_pred)
    value32 = loss(y_true.astype(np.float32), y_pred.astype(np.float32))
    gradient32 = loss.gradient(y_true.astype(np.float32), y_pred.astype(np.float32))

    assert gradient32.dtype == np.float32
    assert value32 == pytest.approx(value64, rel=1e-5)
    np.testing.assert_allclose(gradient32, gradient64, rtol=1e-5, atol=1e-7)


def test_float64_target_takes_prediction_dtype():
    gradient = MSE().gradient(np.ones(3), np.zeros(3, dtype=np.float32))
    assert gradient.dtype == np.float32


def test_integer_inputs_give_float64():
    gradient = MSE().gradient([1, 2], [2, 2])
    assert gradient.dtype == np.float64
    np.testing.assert_array_equal(gradient, [1.0, 0.0])


# Property: finite values or DataError, for any bounded finite input


_bounded = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _pairs(draw):
    n_samples = draw(st.integers(1, 5))
    n_outputs = draw(st.integers(1, 2))
    shape = (n_samples, n_outputs)
    return draw(hnp.arrays(np.float64, shape, elements=_bounded)), draw(hnp.arrays(np.float64, shape, elements=_bounded))


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
@settings(max_examples=200, deadline=None)
@given(pair=_pairs())
def test_finite_or_data_error(name, params, pair):
    loss = get_loss(name, **params)
    y_true, y_pred = pair
    try:
        value = loss(y_true, y_pred)
    except DataError:
        return
    gradient = loss.gradient(y_true, y_pred)
    assert math.isfinite(value)
    assert np.isfinite(gradient).all()


@settings(max_examples=100, deadline=None)
@given(pair=_pairs())
def test_float32_finite_or_data_error(pair):
    y_true, y_pred = (array.astype(np.float32) for array in pair)
    for loss_class in LOSSES.values():
        loss = loss_class()
        try:
            value = loss(y_true, y_pred)
        except DataError:
            continue
        assert math.isfinite(value), loss.name
        assert np.isfinite(loss.gradient(y_true, y_pred)).all(), loss.name


# Targets


@pytest.mark.parametrize("name", list(LOSSES))
def test_nonfinite_target_raises(name):
    y_true = np.array([1.0, np.nan, 2.0, np.inf])
    with pytest.raises(DataError, match=r"'price'.*missing or infinite.*rows 1, 3\b"):
        get_loss(name).validate_target(y_true)
    with pytest.raises(DataError, match=r"rows 1, 3\b"):
        get_loss(name)(y_true, np.ones(4))


def test_validate_target_uses_series_index():
    y_true = pd.Series([3.0, 0.0, 2.0, 0.0], index=[10, 11, 12, 13], name="SalePrice")
    with pytest.raises(DataError, match=r"'SalePrice'.*rows 11, 13\b"):
        MAPE().validate_target(y_true, column="SalePrice")


def test_loss_call_keeps_series_index():
    y_true = pd.Series([3.0, 0.0], index=["a", "b"])
    with pytest.raises(DataError, match=r"row b\b"):
        MAPE()(y_true, np.ones((2, 1)))


def test_validate_target_lists_ten_rows():
    y_true = -np.arange(1.0, 16.0)
    with pytest.raises(DataError, match=r"rows 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 5 more\."):
        MSLE().validate_target(y_true)


def test_validate_target_two_outputs_names_rows():
    y_true = np.array([[1.0, 2.0], [3.0, 0.0], [0.0, 0.0]])
    with pytest.raises(DataError, match=r"rows 1, 2\."):
        MAPE().validate_target(y_true)


@pytest.mark.parametrize("name", ["mse", "rmse", "mae", "huber", "logcosh", "quantile"])
def test_other_losses_accept_any_target(name):
    y_true = np.array([0.0, -2.0, 3.0])
    get_loss(name).validate_target(y_true)
    assert math.isfinite(get_loss(name)(y_true, np.zeros(3)))


def test_msle_accepts_zero_target():
    MSLE().validate_target(np.array([0.0, 1.0]))


# Registry and parameters


def test_registry_names():
    assert set(LOSSES) == {"mse", "rmse", "mae", "huber", "logcosh", "quantile", "msle", "mape"}
    for name, loss_class in LOSSES.items():
        assert issubclass(loss_class, Loss)
        assert loss_class.name == name


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_loss_attributes(name, params):
    loss = get_loss(name, **params)
    assert loss.name == name
    assert loss.task == "regression"
    expected_transform = "ratio" if name in ("msle", "mape") else "log"
    assert loss.target_transform == expected_transform
    for key, value in params.items():
        assert loss.params[key] == value


@pytest.mark.parametrize("name, params", LOSS_CASES, ids=CASE_IDS)
def test_params_round_trip_through_json(name, params):
    loss = get_loss(name, **params)
    saved = json.loads(json.dumps({"name": loss.name, "params": loss.params}))
    rebuilt = get_loss(saved["name"], **saved["params"])
    assert type(rebuilt) is type(loss)
    assert rebuilt.params == loss.params


def test_default_params():
    assert get_loss("huber").params == {"delta": 1.0}
    assert get_loss("quantile").params == {"tau": 0.5}
    assert get_loss("mse").params == {}


def test_repr_shows_params():
    assert repr(get_loss("huber", delta=2.0)) == "Huber(delta=2.0)"
    assert repr(get_loss("mse")) == "MSE()"


def test_get_loss_ignores_case():
    assert isinstance(get_loss("MSE"), MSE)


def test_unknown_loss_lists_names():
    with pytest.raises(ConfigError, match=r"'hinge'.*mse, rmse, mae, huber, logcosh, quantile, msle, mape"):
        get_loss("hinge")


def test_unknown_parameter_raises():
    with pytest.raises(ConfigError, match=r"'mse'.*'delta'.*none"):
        get_loss("mse", delta=2.0)
    with pytest.raises(ConfigError, match=r"'huber'.*'tau'.*delta"):
        get_loss("huber", tau=0.5)


@pytest.mark.parametrize("delta", [0, -1.0, float("nan"), float("inf")])
def test_bad_delta_raises(delta):
    with pytest.raises(ConfigError, match=rf"'delta'.*> 0.*{delta!r}"):
        get_loss("huber", delta=delta)


@pytest.mark.parametrize("tau", [0, 1, -0.1, 1.5, float("nan")])
def test_bad_tau_raises(tau):
    with pytest.raises(ConfigError, match=rf"'tau'.*\(0, 1\).*{tau!r}"):
        get_loss("quantile", tau=tau)


@pytest.mark.parametrize("value", ["2", None, True])
def test_non_numeric_parameter_raises(value):
    with pytest.raises(ConfigError, match=r"'delta'.*must be a number"):
        get_loss("huber", delta=value)
