"""The MLP: one parameter buffer, initialisation, whole-network gradients."""

import numpy as np
import pytest

from housing.errors import ConfigError
from housing.gradcheck import numerical_gradient, relative_error
from housing.losses import get_loss
from housing.network import MLP


def test_layers_are_views_into_one_buffer():
    network = MLP(5, (4, 3), 2, rng=np.random.default_rng(0))
    assert network.params.size == 5 * 4 + 4 * 3 + 3 * 2 + 4 + 3 + 2
    network.params[:] = 0.0
    assert all(np.all(layer.W == 0) and np.all(layer.b == 0) for layer in network.layers)
    network.layers[1].W[0, 0] = 7.0
    assert network.params[5 * 4] == 7.0


def test_weights_come_before_biases():
    network = MLP(3, (2,), 1, rng=np.random.default_rng(0))
    assert network.n_weights == 3 * 2 + 2 * 1
    assert np.all(network.params[network.n_weights:] == 0)  # biases start at 0


def test_he_initialisation_variance():
    network = MLP(400, (300,), 1, activation="relu", rng=np.random.default_rng(0))
    # He: W ~ N(0, 2 / fan_in); with 120,000 draws the sample std is within 1%.
    assert network.layers[0].W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.01)


def test_glorot_initialisation_limit():
    network = MLP(400, (300,), 1, activation="tanh", rng=np.random.default_rng(0))
    limit = np.sqrt(6 / (400 + 300))
    W = network.layers[0].W
    assert W.max() <= limit
    assert W.min() >= -limit
    assert W.max() > 0.99 * limit


def test_same_seed_same_weights():
    first = MLP(6, (5,), 1, rng=np.random.default_rng(3))
    second = MLP(6, (5,), 1, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(first.params, second.params)


def test_linear_model_without_hidden_layers():
    network = MLP(2, (), 1, init="zeros")
    network.layers[0].W[:] = [[2.0], [-1.0]]
    network.layers[0].b[:] = 0.5
    np.testing.assert_array_equal(network.predict(np.array([[1.0, 3.0]])), [[2 - 3 + 0.5]])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "identity"])
@pytest.mark.parametrize("n_samples", [1, 3])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_network_gradient_matches_finite_differences(activation, n_samples, n_outputs):
    rng = np.random.default_rng(11)
    network = MLP(4, (5, 3), n_outputs, activation=activation, rng=rng)
    network.params[network.n_weights:] = rng.normal(scale=0.1, size=network.params.size - network.n_weights)
    X = rng.normal(size=(n_samples, 4))
    y = rng.normal(size=(n_samples, n_outputs))
    loss = get_loss("mse")

    output = network.forward(X)
    network.backward(loss.gradient(y, output))
    analytic = network.grads.copy()
    numeric = numerical_gradient(lambda: loss(y, network.forward(X)), network.params)
    assert relative_error(analytic, numeric) < 1e-6


def test_float32_network_gradient_at_looser_tolerance():
    # float32 has about 7 significant digits, so central differences with
    # h = 1e-3 agree to about 1e-3 relative; float64 reaches 1e-6 above.
    rng = np.random.default_rng(5)
    network = MLP(4, (6,), 1, activation="tanh", rng=rng, dtype=np.float32)
    X = rng.normal(size=(3, 4)).astype(np.float32)
    y = rng.normal(size=(3, 1)).astype(np.float32)
    loss = get_loss("mse")
    network.backward(loss.gradient(y, network.forward(X)))
    assert network.grads.dtype == np.float32
    numeric = numerical_gradient(lambda: loss(y, network.forward(X)), network.params, h=1e-3)
    assert relative_error(network.grads.astype(np.float64), numeric) < 1e-3


def test_predict_rejects_wrong_width():
    network = MLP(3, (2,), 1)
    with pytest.raises(ValueError, match=r"\(n_samples, 3\)"):
        network.predict(np.ones((2, 4)))


@pytest.mark.parametrize("hidden", [(0,), (64, 0), (-3,)])
def test_zero_width_layer_rejected(hidden):
    with pytest.raises(ConfigError, match="hidden layer width"):
        MLP(3, hidden, 1)


def test_unknown_activation_rejected():
    with pytest.raises(ConfigError, match="relu"):
        MLP(3, (2,), 1, activation="swish")


def test_predict_stores_nothing():
    network = MLP(3, (4,), 1, rng=np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(5, 3))
    expected = network.forward(X).copy()
    for layer in network.layers:
        layer.X = layer.Z = layer.A = None
    np.testing.assert_array_equal(network.predict(X), expected)
    assert all(layer.X is None for layer in network.layers)


def test_pickle_keeps_layers_as_views():
    import pickle

    network = MLP(3, (4,), 2, rng=np.random.default_rng(0))
    restored = pickle.loads(pickle.dumps(network))
    np.testing.assert_array_equal(restored.params, network.params)
    restored.params[:] = 0.0
    assert np.all(restored.layers[0].W == 0)
    assert np.all(restored.layers[1].b == 0)
