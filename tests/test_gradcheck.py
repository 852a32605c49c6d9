"""Tests of housing.gradcheck on functions with known gradients, and on wrong gradients."""

import numpy as np
import pytest

from housing.activations import ReLU, Sigmoid
from housing.gradcheck import check_activation, check_loss, numerical_gradient, relative_error
from housing.losses import MSE


def test_numerical_gradient_of_quadratic_form():
    # f(x) = sum(c * x^2) + x_00 * x_11 has gradient 2 c x + [[x_11, 0], [0, x_00]].
    c = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = np.array([[0.5, -1.0], [2.0, 1.5]])
    expected = 2 * c * x + np.array([[1.5, 0.0], [0.0, 0.5]])
    numeric = numerical_gradient(lambda: float(np.sum(c * x**2) + x[0, 0] * x[1, 1]), x)
    np.testing.assert_allclose(numeric, expected, rtol=1e-8)


def test_numerical_gradient_restores_x():
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_on_error():
    x = np.array([1.0, 2.0])

    def failing():
        raise RuntimeError("failed inside func")

    with pytest.raises(RuntimeError, match="failed inside func"):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_rejects_integer_array():
    with pytest.raises(TypeError, match=r"floating-point.*int64"):
        numerical_gradient(lambda: 0.0, np.array([1, 2], dtype=np.int64))


def test_numerical_gradient_step_size():
    # Central differences of x^3 at 1 with step h are exactly 3 + h^2.
    x = np.array([1.0])
    numeric = numerical_gradient(lambda: float(x[0] ** 3), x, h=1e-2)
    assert numeric[0] == pytest.approx(3 + 1e-4, rel=1e-10)


def test_relative_error_values():
    # ||[1, 0] - [0, 1]|| / (1 + 1) = sqrt(2) / 2
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(2**0.5 / 2, rel=1e-15)
    assert relative_error(np.array([2.0, 3.0]), np.array([2.0, 3.0])) == 0.0
    # Opposite signs give the maximum, 1.
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0


def test_relative_error_both_zero():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 1\)"):
        relative_error(np.zeros(3), np.zeros((3, 1)))


def test_check_loss_passes_correct_gradient():
    y_true = np.array([[1.0], [2.0], [3.0]])
    y_pred = np.array([[1.5], [1.0], [4.0]])
    assert check_loss(MSE(), y_true, y_pred) < 1e-7


def test_check_loss_leaves_inputs_unchanged():
    y_true = np.array([[1.0], [2.0]])
    y_pred = np.array([[1.5], [1.0]])
    before = y_pred.copy()
    check_loss(MSE(), y_true, y_pred)
    np.testing.assert_array_equal(y_pred, before)


class _MSEWithoutMean(MSE):
    """MSE whose gradient omits the division by the number of elements."""

    def gradient(self, y_true, y_pred):
        return super().gradient(y_true, y_pred) * np.asarray(y_pred).size


def test_check_loss_catches_missing_mean():
    y_true = np.array([[1.0, 2.0]])
    y_pred = np.array([[0.0, 0.0]])
    # The wrong gradient is twice the right one: relative error |2g - g| / (2|g| + |g|) = 1/3.
    assert check_loss(_MSEWithoutMean(), y_true, y_pred) == pytest.approx(1 / 3, rel=1e-6)


def test_check_activation_passes_sigmoid():
    Z = np.linspace(-3, 3, 12).reshape(3, 4)
    assert check_activation(Sigmoid(), Z) < 1e-7


class _ReLUIgnoringUpstream(ReLU):
    """ReLU whose backward drops the upstream gradient dA."""

    def backward(self, Z, A, dA):
        return self.derivative(Z, A)


def test_check_activation_catches_wrong_backward():
    Z = np.array([[0.5, -1.0, 2.0, 1.5]])
    assert check_activation(_ReLUIgnoringUpstream(), Z) > 1e-3


class _SigmoidWrongDerivative(Sigmoid):
    """Sigmoid whose derivative omits the factor (1 - a)."""

    def derivative(self, Z, A=None):
        return self.forward(Z)


def test_check_activation_catches_wrong_derivative():
    Z = np.array([[0.5, -1.0, 2.0]])
    assert check_activation(_SigmoidWrongDerivative(), Z) > 1e-3


def test_check_layer_and_network_accept_correct_gradients():
    from housing.layers import Dense
    from housing.losses import get_loss
    from housing.network import MLP
    from housing.gradcheck import check_layer, check_network

    rng = np.random.default_rng(0)
    layer = Dense(rng.normal(size=(3, 2)), rng.normal(size=2), "tanh")
    errors = check_layer(layer, rng.normal(size=(4, 3)))
    assert set(errors) == {"W", "b", "X"}
    assert max(errors.values()) < 1e-7

    network = MLP(3, (4,), 2, activation="sigmoid", rng=rng)
    assert check_network(network, get_loss("mse"), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))) < 1e-7


def test_check_network_catches_wrong_gradient():
    from housing.losses import get_loss
    from housing.network import MLP
    from housing.gradcheck import check_network

    class HalfGradient:
        # MSE with a gradient that forgets the factor 2: a classic slip.
        def __call__(self, y_true, y_pred):
            return get_loss("mse")(y_true, y_pred)

        def gradient(self, y_true, y_pred):
            return get_loss("mse").gradient(y_true, y_pred) / 2

    rng = np.random.default_rng(1)
    network = MLP(3, (4,), 1, activation="tanh", rng=rng)
    assert check_network(network, HalfGradient(), rng.normal(size=(3, 3)), rng.normal(size=(3, 1))) > 0.1
