"""Tests of housing.activations: values, derivatives against central differences,
stability, dtypes and the registry."""

import math
import warnings

import numpy as np
import pytest

from housing.activations import (
    ACTIVATIONS,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Tanh,
    get_activation,
)
from housing.errors import ConfigError
from housing.gradcheck import check_activation

NAMES = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"]


def _points_away_from_zero(shape, seed=0):
    """Return values with |z| in [0.1, 3], away from the ReLU kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 3.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# Derivatives against central differences


@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (4, 5)])
@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name, shape):
    Z = _points_away_from_zero(shape)
    assert check_activation(get_activation(name), Z, h=1e-6) < 1e-7


def test_leaky_relu_custom_alpha_gradient():
    Z = _points_away_from_zero((3, 4), seed=1)
    assert check_activation(LeakyReLU(alpha=0.2), Z) < 1e-7


@pytest.mark.parametrize("name", NAMES)
def test_backward_equals_chain_rule(name):
    activation = get_activation(name)
    Z = _points_away_from_zero((5, 3), seed=2)
    dA = np.random.default_rng(3).normal(size=(5, 3))
    A = activation.forward(Z)
    np.testing.assert_allclose(activation.backward(Z, A, dA), dA * activation.derivative(Z, A), rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_without_cached_output(name):
    activation = get_activation(name)
    Z = _points_away_from_zero((4, 2), seed=4)
    np.testing.assert_array_equal(activation.derivative(Z), activation.derivative(Z, activation.forward(Z)))


@pytest.mark.parametrize("name", NAMES)
def test_inputs_not_modified(name):
    activation = get_activation(name)
    Z = _points_away_from_zero((4, 2), seed=5)
    dA = np.ones_like(Z)
    Z_before, dA_before = Z.copy(), dA.copy()
    A = activation.forward(Z)
    activation.backward(Z, A, dA)
    np.testing.assert_array_equal(Z, Z_before)
    np.testing.assert_array_equal(dA, dA_before)


# Values worked by hand


def test_relu_values():
    Z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ReLU().forward(Z), [[0.0, 0.0, 3.0]])
    # The derivative at the kink z = 0 is taken as 0.
    np.testing.assert_array_equal(ReLU().derivative(Z), [[0.0, 0.0, 1.0]])


def test_leaky_relu_values():
    Z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(LeakyReLU().forward(Z), [[-0.02, 0.0, 3.0]], rtol=1e-15)
    # The derivative at the kink z = 0 is taken as alpha.
    np.testing.assert_allclose(LeakyReLU().derivative(Z), [[0.01, 0.01, 1.0]], rtol=1e-15)


def test_identity_values():
    Z = np.array([[-2.0, 0.5]])
    np.testing.assert_array_equal(Identity().forward(Z), Z)
    np.testing.assert_array_equal(Identity().derivative(Z), [[1.0, 1.0]])


def test_sigmoid_values():
    # sigmoid(0) = 1/2, sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, sigmoid(-ln 3) = 1/4
    # derivative a (1 - a): 1/4, 3/16, 3/16
    Z = np.array([[0.0, math.log(3.0), -math.log(3.0)]])
    np.testing.assert_allclose(Sigmoid().forward(Z), [[0.5, 0.75, 0.25]], rtol=1e-15)
    np.testing.assert_allclose(Sigmoid().derivative(Z), [[0.25, 3 / 16, 3 / 16]], rtol=1e-15)


def test_tanh_values():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6, derivative 1 - 0.36 = 0.64
    Z = np.array([[0.0, math.log(2.0)]])
    np.testing.assert_allclose(Tanh().forward(Z), [[0.0, 0.6]], atol=1e-15)
    np.testing.assert_allclose(Tanh().derivative(Z), [[1.0, 0.64]], rtol=1e-15)


# Stability and dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_large_inputs_no_warning(dtype):
    Z = np.array([[-1e4, -800.0, -50.0, 50.0, 800.0, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            A = Sigmoid().forward(Z)
            derivative = Sigmoid().derivative(Z, A)
    assert np.isfinite(A).all()
    assert np.isfinite(derivative).all()
    assert A[0, 0] == 0.0
    assert A[0, -1] == 1.0
    assert ((A >= 0) & (A <= 1)).all()


def test_sigmoid_matches_naive_formula():
    Z = np.linspace(-30, 30, 61).reshape(1, -1)
    np.testing.assert_allclose(Sigmoid().forward(Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_float32_keeps_dtype(name):
    activation = get_activation(name)
    Z = _points_away_from_zero((3, 2)).astype(np.float32)
    A = activation.forward(Z)
    assert A.dtype == np.float32
    assert activation.derivative(Z, A).dtype == np.float32
    assert activation.backward(Z, A, np.ones_like(Z)).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_float32_matches_float64(name):
    activation = get_activation(name)
    Z = _points_away_from_zero((6, 3), seed=6)
    A32 = activation.forward(Z.astype(np.float32))
    np.testing.assert_allclose(A32, activation.forward(Z), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        activation.derivative(Z.astype(np.float32), A32), activation.derivative(Z), rtol=1e-5, atol=1e-6
    )


# Registry


def test_registry_names():
    assert list(ACTIVATIONS) == NAMES
    for name, activation_class in ACTIVATIONS.items():
        assert issubclass(activation_class, Activation)
        assert activation_class.name == name


@pytest.mark.parametrize(
    "name, init", [("identity", "glorot"), ("relu", "he"), ("leaky_relu", "he"), ("tanh", "glorot"), ("sigmoid", "glorot")]
)
def test_init_scheme(name, init):
    assert get_activation(name).init == init


def test_get_activation_ignores_case():
    assert isinstance(get_activation("ReLU"), ReLU)


def test_unknown_activation_lists_names():
    with pytest.raises(ConfigError, match=r"'softplus'.*identity, relu, leaky_relu, tanh, sigmoid"):
        get_activation("softplus")


def test_leaky_relu_alpha_parameter():
    activation = get_activation("leaky_relu", alpha=0.2)
    assert activation.alpha == 0.2
    assert activation.params == {"alpha": 0.2}
    assert repr(activation) == "LeakyReLU(alpha=0.2)"


@pytest.mark.parametrize("alpha", [-0.1, 1.0, 2.0, float("nan"), float("inf")])
def test_bad_alpha_raises(alpha):
    with pytest.raises(ConfigError, match=rf"'alpha'.*\[0, 1\).*{alpha!r}"):
        get_activation("leaky_relu", alpha=alpha)


def test_non_numeric_alpha_raises():
    with pytest.raises(ConfigError, match=r"'alpha'.*must be a number"):
        get_activation("leaky_relu", alpha="0.1")


def test_unknown_parameter_raises():
    with pytest.raises(ConfigError, match=r"'relu'.*'alpha'.*none"):
        get_activation("relu", alpha=0.1)
