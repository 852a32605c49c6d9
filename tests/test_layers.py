"""The dense layer: a forward pass worked by hand and finite-difference gradients."""

import numpy as np
import pytest

from housing.gradcheck import numerical_gradient, relative_error
from housing.layers import Dense

ACTIVATIONS = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"]


def _layer(fan_in, fan_out, activation, seed=0):
    rng = np.random.default_rng(seed)
    return Dense(rng.normal(size=(fan_in, fan_out)), rng.normal(size=fan_out), activation)


def test_forward_by_hand():
    # Z = X W + b = [1, 2] @ [[1, -1], [2, 0.5]] + [0.5, -3] = [5.5, -3]
    # ReLU keeps 5.5 and clips -3 to 0.
    layer = Dense(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.5, -3.0]), "relu")
    A = layer.forward(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(layer.Z, [[5.5, -3.0]])
    np.testing.assert_array_equal(A, [[5.5, 0.0]])


def test_backward_by_hand():
    # With identity: dW = X^T dA, db = sum of dA over rows, dX = dA W^T.
    layer = Dense(np.array([[1.0], [2.0]]), np.array([0.0]), "identity")
    layer.forward(np.array([[1.0, 3.0], [2.0, -1.0]]))
    dX = layer.backward(np.array([[0.5], [-1.0]]))
    np.testing.assert_allclose(layer.dW, [[1 * 0.5 + 2 * -1.0], [3 * 0.5 + -1 * -1.0]])
    np.testing.assert_allclose(layer.db, [-0.5])
    np.testing.assert_allclose(dX, [[0.5, 1.0], [-1.0, -2.0]])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("fan_out", [1, 2])
def test_dense_gradients_match_finite_differences(activation, n_samples, fan_out):
    rng = np.random.default_rng(7)
    layer = _layer(4, fan_out, activation)
    X = rng.normal(size=(n_samples, 4))
    # A fixed random projection of the output makes a scalar with a rich gradient.
    weights = rng.normal(size=(n_samples, fan_out))

    def objective():
        return float(np.sum(layer.forward(X) * weights))

    layer.forward(X)
    dX = layer.backward(weights)
    analytic = {"W": layer.dW.copy(), "b": layer.db.copy(), "X": dX}
    numeric = {"W": numerical_gradient(objective, layer.W), "b": numerical_gradient(objective, layer.b),
               "X": numerical_gradient(objective, X)}
    for name in analytic:
        assert relative_error(analytic[name], numeric[name]) < 1e-6, name


def test_first_layer_skips_input_gradient():
    layer = _layer(3, 2, "tanh")
    layer.forward(np.ones((2, 3)))
    assert layer.backward(np.ones((2, 2)), need_input_gradient=False) is None
    assert np.any(layer.dW != 0)


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="before forward"):
        _layer(2, 2, "relu").backward(np.ones((1, 2)))


def test_mismatched_bias_shape_raises():
    with pytest.raises(ValueError, match="b must have shape"):
        Dense(np.ones((3, 2)), np.ones(3))
