"""Tests of the classification losses in housing.losses: gradients against central
differences through their output layers, exact values at the edges, the clipped
probability versions, targets and the registry."""

import math

import numpy as np
import pytest
from sklearn.metrics import log_loss

from housing.activations import Sigmoid
from housing.errors import ConfigError, DataError
from housing.gradcheck import check_network, numerical_gradient, relative_error
from housing.losses import (
    CLASSIFICATION_LOSSES,
    LOSSES,
    BinaryCrossEntropy,
    BinaryCrossEntropyOnProbabilities,
    CategoricalCrossEntropy,
    CategoricalCrossEntropyOnProbabilities,
    check_loss_task,
    get_loss,
    softmax,
)
from housing.network import MLP

SIGMOID = Sigmoid()


def _binary_point(n_samples, n_outputs, seed=0):
    """Return 0/1 targets and logits in [-3, 3], shape (n_samples, n_outputs)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=(n_samples, n_outputs)).astype(np.float64)
    return y_true, rng.uniform(-3.0, 3.0, size=(n_samples, n_outputs))


def _categorical_point(n_samples, n_classes, seed=0):
    """Return one-hot targets and logits in [-3, 3], shape (n_samples, n_classes)."""
    rng = np.random.default_rng(seed)
    y_true = np.eye(n_classes)[rng.integers(0, n_classes, size=n_samples)]
    return y_true, rng.uniform(-3.0, 3.0, size=(n_samples, n_classes))


def _softmax_backward(probabilities, dP):
    """Chain dL/dP through softmax: dZ_c = p_c (dP_c - sum_j p_j dP_j), row by row."""
    return probabilities * (dP - np.sum(probabilities * dP, axis=1, keepdims=True))


# Gradients against central differences


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_outputs", [1, 4])
def test_bce_gradient_matches_central_differences(n_samples, n_outputs):
    # One output is 2 classes; four outputs are four independent yes/no questions.
    y_true, logits = _binary_point(n_samples, n_outputs)
    loss = BinaryCrossEntropy()
    numeric = numerical_gradient(lambda: loss(y_true, logits), logits)
    assert relative_error(loss.gradient(y_true, logits), numeric) < 1e-7


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_cce_gradient_matches_central_differences(n_samples, n_classes):
    y_true, logits = _categorical_point(n_samples, n_classes)
    loss = CategoricalCrossEntropy()
    numeric = numerical_gradient(lambda: loss(y_true, logits), logits)
    assert relative_error(loss.gradient(y_true, logits), numeric) < 1e-7


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_outputs", [1, 4])
def test_bce_through_sigmoid_is_probability_minus_target(n_samples, n_outputs):
    # Differentiating the probability loss after a sigmoid, by central differences,
    # gives (sigmoid(z) - y) / N, the gradient the logit loss writes out.
    y_true, logits = _binary_point(n_samples, n_outputs, seed=1)
    probability_loss = BinaryCrossEntropyOnProbabilities()
    numeric = numerical_gradient(lambda: probability_loss(y_true, SIGMOID.forward(logits)), logits)
    expected = (SIGMOID.forward(logits) - y_true) / y_true.size
    assert relative_error(BinaryCrossEntropy().gradient(y_true, logits), expected) < 1e-15
    assert relative_error(numeric, expected) < 1e-7

    # The analytic probability gradient, chained by the sigmoid's derivative, agrees too.
    probabilities = SIGMOID.forward(logits)
    chained = probability_loss.gradient(y_true, probabilities) * SIGMOID.derivative(logits)
    assert relative_error(chained, expected) < 1e-12


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_cce_through_softmax_is_probability_minus_target(n_samples, n_classes):
    y_true, logits = _categorical_point(n_samples, n_classes, seed=1)
    probability_loss = CategoricalCrossEntropyOnProbabilities()
    numeric = numerical_gradient(lambda: probability_loss(y_true, softmax(logits)), logits)
    expected = (softmax(logits) - y_true) / n_samples
    assert relative_error(numeric, expected) < 1e-7

    chained = _softmax_backward(softmax(logits), probability_loss.gradient(y_true, softmax(logits)))
    assert relative_error(chained, expected) < 1e-12


@pytest.mark.parametrize("name, n_outputs", [("bce", 1), ("cce", 2), ("cce", 4)])
@pytest.mark.parametrize("n_samples", [1, 3])
def test_network_backpropagates_classification_loss(name, n_outputs, n_samples):
    rng = np.random.default_rng(2)
    network = MLP(3, (5,), n_outputs, activation="tanh", rng=rng)
    X = rng.normal(size=(n_samples, 3))
    if name == "bce":
        y_true = rng.integers(0, 2, size=(n_samples, 1)).astype(np.float64)
    else:
        y_true = np.eye(n_outputs)[rng.integers(0, n_outputs, size=n_samples)]
    assert check_network(network, get_loss(name), X, y_true) < 1e-7


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_outputs", [1, 4])
def test_bce_probability_gradient_matches_central_differences(n_samples, n_outputs):
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, size=(n_samples, n_outputs)).astype(np.float64)
    probabilities = rng.uniform(0.05, 0.95, size=(n_samples, n_outputs))
    loss = BinaryCrossEntropyOnProbabilities()
    numeric = numerical_gradient(lambda: loss(y_true, probabilities), probabilities)
    assert relative_error(loss.gradient(y_true, probabilities), numeric) < 1e-7


@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_cce_probability_gradient_matches_central_differences(n_samples, n_classes):
    y_true, logits = _categorical_point(n_samples, n_classes, seed=4)
    probabilities = softmax(logits)
    loss = CategoricalCrossEntropyOnProbabilities()
    numeric = numerical_gradient(lambda: loss(y_true, probabilities), probabilities)
    assert relative_error(loss.gradient(y_true, probabilities), numeric) < 1e-7


# Values against scikit-learn


def test_bce_matches_sklearn_log_loss():
    y_true, logits = _binary_point(20, 1, seed=5)
    expected = log_loss(y_true.ravel(), SIGMOID.forward(logits).ravel())
    assert BinaryCrossEntropy()(y_true, logits) == pytest.approx(expected, rel=1e-12)


def test_cce_matches_sklearn_log_loss():
    y_true, logits = _categorical_point(20, 4, seed=5)
    expected = log_loss(np.argmax(y_true, axis=1), softmax(logits), labels=range(4))
    assert CategoricalCrossEntropy()(y_true, logits) == pytest.approx(expected, rel=1e-12)


def test_bce_equals_two_class_cce():
    # A sigmoid on z is a softmax on the pair of logits (0, z).
    y_true, logits = _binary_point(6, 1, seed=6)
    pair_targets = np.hstack([1 - y_true, y_true])
    pair_logits = np.hstack([np.zeros_like(logits), logits])
    assert BinaryCrossEntropy()(y_true, logits) == pytest.approx(
        CategoricalCrossEntropy()(pair_targets, pair_logits), rel=1e-12)


def test_bce_reduction_is_mean_over_elements():
    # Two samples, two outputs, all logits 0: every element costs ln 2, and the mean is ln 2.
    y_true = np.array([[0.0, 1.0], [1.0, 1.0]])
    loss = BinaryCrossEntropy()
    assert loss(y_true, np.zeros((2, 2))) == pytest.approx(math.log(2), rel=1e-15)
    # Gradient (0.5 - y) / 4.
    np.testing.assert_allclose(loss.gradient(y_true, np.zeros((2, 2))), [[0.125, -0.125], [-0.125, -0.125]])


def test_cce_reduction_sums_classes_and_averages_samples():
    # Worked by hand: row 1 has logits (0, ln 3), true class 1: p = 3/4, cost ln(4/3).
    # Row 2 has logits (0, 0), true class 0: p = 1/2, cost ln 2. Mean over 2 samples.
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
    logits = np.array([[0.0, math.log(3)], [0.0, 0.0]])
    loss = CategoricalCrossEntropy()
    assert loss(y_true, logits) == pytest.approx((math.log(4 / 3) + math.log(2)) / 2, rel=1e-14)
    # Gradient (p - y) / 2: row 1 (1/4, 3/4 - 1) / 2, row 2 (1/2 - 1, 1/2) / 2.
    np.testing.assert_allclose(loss.gradient(y_true, logits), [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)


# Edges: logits of +-1000 and equal logits


def test_bce_logit_minus_100_is_exactly_100():
    loss = BinaryCrossEntropy()
    assert loss([[1.0]], [[-100.0]]) == 100.0
    # Gradient sigmoid(-100) - 1, which is -1 to within 4e-44.
    assert loss.gradient([[1.0]], [[-100.0]])[0, 0] == SIGMOID.forward(np.array(-100.0)) - 1


@pytest.mark.parametrize("y, z, expected", [(1.0, 1000.0, 0.0), (0.0, 1000.0, 1000.0),
                                            (1.0, -1000.0, 1000.0), (0.0, -1000.0, 0.0)])
def test_bce_extreme_logits_exact(y, z, expected):
    loss = BinaryCrossEntropy()
    assert loss([[y]], [[z]]) == expected
    assert loss.gradient([[y]], [[z]])[0, 0] == (1.0 if z > 0 else 0.0) - y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_extreme_logits_finite_in_each_dtype(dtype):
    logits = np.array([[1000.0], [-1000.0], [0.0]], dtype=dtype)
    y_true = np.array([[0.0], [1.0], [1.0]])
    loss = BinaryCrossEntropy()
    # (1000 + 1000 + ln 2) / 3, which float32 represents to about 7 digits.
    assert loss(y_true, logits) == pytest.approx((2000 + math.log(2)) / 3, rel=1e-6)
    gradient = loss.gradient(y_true, logits)
    assert gradient.dtype == dtype
    np.testing.assert_allclose(gradient, [[1 / 3], [-1 / 3], [-1 / 6]], rtol=1e-6)


def test_cce_three_equal_logits_give_ln_3():
    loss = CategoricalCrossEntropy()
    for value in (0.0, 7.5, -1000.0, 1000.0):
        assert loss([[0.0, 1.0, 0.0]], [[value] * 3]) == math.log(3)  # 1.0986123
        np.testing.assert_array_equal(loss.gradient([[0.0, 1.0, 0.0]], [[value] * 3]),
                                      [[1 / 3, 1 / 3 - 1, 1 / 3]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cce_extreme_logits_exact(dtype):
    logits = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]], dtype=dtype)
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    loss = CategoricalCrossEntropy()
    # Row 1 is right with certainty (cost 0); row 2 is 2000 logits short (cost 2000).
    assert loss(y_true, logits) == 1000.0
    gradient = loss.gradient(y_true, logits)
    assert gradient.dtype == dtype
    np.testing.assert_array_equal(gradient, np.array([[0, 0, 0], [0.5, -0.5, 0]], dtype=dtype))


def test_softmax_rows_sum_to_one_at_extremes():
    probabilities = softmax(np.array([[1000.0, -1000.0, 0.0], [5.0, 5.0, 5.0]]))
    np.testing.assert_array_equal(probabilities[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-15)


# The clipped probability versions


def test_bce_probability_saturated_float32():
    # In float32, 1 - 1e-9 rounds to 1, so a clip at 1e-9 would leave log(0). One clip
    # at 1e-7 in float64 gives -ln(1e-7) = 16.1180957 for both saturated mistakes.
    loss = BinaryCrossEntropyOnProbabilities()
    assert loss.epsilon == 1e-7
    for y, p in [(1.0, 0.0), (0.0, 1.0)]:
        value = loss(np.array([[y]], dtype=np.float32), np.array([[p]], dtype=np.float32))
        assert value == pytest.approx(16.1180957, abs=5e-8)
        # Clipping and then adding epsilon again would give -ln(2e-7) = 15.4249485.
        assert abs(value - 15.4249485) > 0.5
    half = loss(np.array([[1.0]], dtype=np.float32), np.array([[0.5]], dtype=np.float32))
    assert half == pytest.approx(0.6931472, abs=5e-8)


def test_bce_probability_exact_zero_and_one():
    loss = BinaryCrossEntropyOnProbabilities()
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    probabilities = np.array([[1.0], [0.0], [0.0], [1.0]])
    # Right with certainty: -ln(1 - 1e-7) each; wrong with certainty: -ln(1e-7) each.
    # In float64, 1 - (1 - 1e-7) is 1.0000000006e-7, which moves the last term by 6e-10.
    expected = (2 * -math.log1p(-1e-7) + 2 * -math.log(1e-7)) / 4
    assert loss(y_true, probabilities) == pytest.approx(expected, abs=1e-9)
    # The clip is flat at 0 and 1, so no element gets a gradient, not even the wrong ones.
    np.testing.assert_array_equal(loss.gradient(y_true, probabilities), np.zeros((4, 1)))


def test_bce_probability_gradient_keeps_float32():
    loss = BinaryCrossEntropyOnProbabilities()
    gradient = loss.gradient(np.array([[1.0]], dtype=np.float32), np.array([[0.5]], dtype=np.float32))
    assert gradient.dtype == np.float32
    assert gradient[0, 0] == pytest.approx(-2.0)  # (0.5 - 1) / (0.5 * 0.5)


def test_cce_probability_exact_zero_and_one():
    loss = CategoricalCrossEntropyOnProbabilities()
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    probabilities = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    # Row 1 gives the true class probability 0: -ln(1e-7). Row 2 gives it 1: exactly 0.
    assert loss(y_true, probabilities) == pytest.approx(16.1180957 / 2, abs=5e-8)
    assert loss(y_true[1:], probabilities[1:]) == 0.0
    gradient = loss.gradient(y_true, probabilities)
    np.testing.assert_array_equal(gradient, [[0.0, 0.0, 0.0], [-0.5, 0.0, 0.0]])


@pytest.mark.parametrize("epsilon", [0.0, 0.5, -1e-7, float("nan"), "small"])
def test_probability_epsilon_must_be_in_range(epsilon):
    with pytest.raises(ConfigError, match=r"'epsilon'"):
        BinaryCrossEntropyOnProbabilities(epsilon=epsilon)


# Targets and shapes


def test_bce_accepts_flat_target_for_one_output():
    loss = BinaryCrossEntropy()
    logits = np.array([[0.5], [-1.0], [2.0]])
    flat, column = np.array([1.0, 0.0, 1.0]), np.array([[1.0], [0.0], [1.0]])
    assert loss(flat, logits) == loss(column, logits)
    np.testing.assert_array_equal(loss.gradient(flat, logits), loss.gradient(column, logits))


@pytest.mark.parametrize("loss_class", [BinaryCrossEntropy, BinaryCrossEntropyOnProbabilities])
def test_binary_target_outside_unit_interval_raises(loss_class):
    with pytest.raises(DataError, match=r"outside \[0, 1\].*rows 1, 2\b.*--task classify"):
        loss_class()(np.array([0.0, 2.0, 215000.0]), np.zeros((3, 1)))


@pytest.mark.parametrize("loss_class", [CategoricalCrossEntropy, CategoricalCrossEntropyOnProbabilities])
def test_categorical_integer_labels_raise_with_fix(loss_class):
    with pytest.raises(ValueError, match=r"one-hot.*one_hot\(labels, n_classes\)"):
        loss_class()(np.array([0, 2, 1]), np.zeros((3, 3)))


@pytest.mark.parametrize("loss_class", [CategoricalCrossEntropy, CategoricalCrossEntropyOnProbabilities])
def test_categorical_rows_must_sum_to_one(loss_class):
    y_true = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    with pytest.raises(DataError, match=r"do not sum to 1 in rows 1, 2\b"):
        loss_class()(y_true, np.zeros((3, 2)))


def test_cce_one_column_raises():
    with pytest.raises(ValueError, match=r"n_classes >= 2"):
        CategoricalCrossEntropy()(np.ones((3, 1)), np.zeros((3, 1)))


def test_cce_accepts_soft_labels():
    # A soft label (0.25, 0.75) against logits (0, ln 3), whose softmax is (1/4, 3/4):
    # the cross-entropy is -(0.25 ln 0.25 + 0.75 ln 0.75), the entropy of the label.
    y_true = np.array([[0.25, 0.75]])
    value = CategoricalCrossEntropy()(y_true, np.array([[0.0, math.log(3)]]))
    assert value == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)), rel=1e-14)


# Registry and tasks


def test_registries_are_separate():
    assert set(CLASSIFICATION_LOSSES) == {"bce", "cce"}
    assert not set(CLASSIFICATION_LOSSES) & set(LOSSES)
    for name, loss_class in CLASSIFICATION_LOSSES.items():
        assert loss_class.name == name
        assert loss_class.task == "classification"
    for loss_class in LOSSES.values():
        assert loss_class.task == "regression"


def test_get_loss_builds_classification_losses():
    assert isinstance(get_loss("BCE"), BinaryCrossEntropy)
    assert isinstance(get_loss(" cce "), CategoricalCrossEntropy)
    assert get_loss("bce").params == {}


def test_teaching_versions_not_in_registry():
    with pytest.raises(ConfigError, match=r"Unknown loss 'bce_prob'.*bce, cce for classification"):
        get_loss("bce_prob")
    assert BinaryCrossEntropyOnProbabilities.task == "classification"
    assert CategoricalCrossEntropyOnProbabilities().params == {"epsilon": 1e-7}


@pytest.mark.parametrize("name, task", [("mse", "classification"), ("huber", "classification"),
                                        ("bce", "regression"), ("CCE", "regression")])
def test_loss_for_wrong_task_raises(name, task):
    with pytest.raises(ConfigError, match=r"Regression losses \(--task regress\): mse.*"
                                          r"Classification losses \(--task classify\): bce"):
        check_loss_task(name, task)


@pytest.mark.parametrize("name, task", [("mse", "regression"), ("bce", "classification"),
                                        ("cce", "classification"), ("hinge", "regression")])
def test_loss_for_right_task_passes(name, task):
    check_loss_task(name, task)
