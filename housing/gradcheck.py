r"""Finite-difference gradient checking, for tests and for learners in notebooks.

A hand-written gradient is checked against central differences,

.. math:: \frac{\partial f}{\partial x_i} \approx
          \frac{f(x + h e_i) - f(x - h e_i)}{2h},

whose error shrinks as :math:`h^2`. The two are compared by their relative
error. In float64 with ``h = 1e-6``, a correct gradient of a smooth function
at moderate values gives below 1e-7 in this package's tests, and the wrong
gradients there give above 1e-3. Checks run in float64,
because float32 rounding swamps the differences at that ``h``. Points where the
function has a kink (0 for ReLU and MAE, ``delta`` for Huber) give a large
error even for a correct gradient, so test away from them.

Example::

    >>> import numpy as np
    >>> from housing.gradcheck import check_loss
    >>> from housing.losses import get_loss
    >>> check_loss(get_loss("mse"), np.array([[1.0], [2.0]]), np.array([[1.5], [1.0]])) < 1e-7
    True
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = [
    "numerical_gradient",
    "relative_error",
    "check_loss",
    "check_activation",
    "check_layer",
    "check_network",
]


def numerical_gradient(func: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Estimate the gradient of ``func`` with respect to ``x`` by central differences.

    Each element of ``x`` is moved by ``+h`` and ``-h`` in place, ``func()`` is
    evaluated at both, and the element is restored, also when ``func`` raises.
    ``func`` takes no arguments and reads ``x`` itself, for example through a
    closure or because ``x`` is a layer's weight array.

    Parameters
    ----------
    func : callable
        Returns a float computed from the current contents of ``x``.
    x : ndarray of floating dtype
        The array to differentiate by. It is modified during the call and
        equal to its original contents afterwards.
    h : float, default=1e-6
        The step size.

    Returns
    -------
    ndarray of float64 with the shape of ``x``
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be a floating-point ndarray, got {type(x).__name__} "
            f"with dtype {getattr(x, 'dtype', None)}. Pass x.astype(np.float64)."
        )
    gradient = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            loss_plus = func()
            x[index] = original - h
            loss_minus = func()
        finally:
            x[index] = original
        gradient[index] = (loss_plus - loss_minus) / (2 * h)
    return gradient


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    r"""Return :math:`\|a - n\| / \max(\|a\| + \|n\|, \text{tiny})`, with Euclidean norms.

    The result is 0 when both arrays are zero, and at most 1 otherwise.
    ``tiny`` is the smallest positive normal float64.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"analytic has shape {analytic.shape} but numeric has shape {numeric.shape}. "
            f"Both gradients must have the shape of the array they differentiate by."
        )
    norm_sum = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(norm_sum, np.finfo(np.float64).tiny))


def check_loss(loss: Any, y_true: Any, y_pred: Any, h: float = 1e-6) -> float:
    """Compare ``loss.gradient`` with central differences of ``loss`` at ``y_pred``.

    Parameters
    ----------
    loss : Loss
        A loss from :mod:`housing.losses`, or any object with ``__call__`` and
        ``gradient`` taking ``(y_true, y_pred)``.
    y_true, y_pred : array-like
        The point to check at. Both are copied to float64, so the caller's
        arrays are never changed.
    h : float, default=1e-6
        The step size.

    Returns
    -------
    float
        The relative error between the two gradients (see :func:`relative_error`).
    """
    y_true = np.array(y_true, dtype=np.float64)
    y_pred = np.array(y_pred, dtype=np.float64)
    analytic = loss.gradient(y_true, y_pred)
    numeric = numerical_gradient(lambda: loss(y_true, y_pred), y_pred, h)
    return relative_error(analytic, numeric)


def check_activation(activation: Any, Z: Any, h: float = 1e-6) -> float:
    r"""Compare an activation's ``derivative`` and ``backward`` with central differences.

    Central differences of :math:`f(Z) = \sum_{ij} W_{ij}\, a(Z_{ij})` give
    :math:`W \odot a'(Z)`, which must equal both ``W * derivative(Z, A)`` and
    ``backward(Z, A, W)``. The fixed weights ``W``, evenly spaced in
    [0.5, 1.5], make a ``backward`` that ignores its upstream gradient fail.

    Parameters
    ----------
    activation : Activation
        An activation from :mod:`housing.activations`.
    Z : array-like
        The pre-activation to check at, copied to float64.
    h : float, default=1e-6
        The step size.

    Returns
    -------
    float
        The larger of the two relative errors (see :func:`relative_error`).
    """
    Z = np.array(Z, dtype=np.float64)
    weights = np.linspace(0.5, 1.5, Z.size).reshape(Z.shape)
    A = activation.forward(Z).copy()  # Identity returns Z itself, and numerical_gradient modifies Z
    numeric = numerical_gradient(lambda: float(np.sum(weights * activation.forward(Z))), Z, h)

    derivative_error = relative_error(weights * activation.derivative(Z, A), numeric)
    backward_error = relative_error(activation.backward(Z, A, weights), numeric)
    return max(derivative_error, backward_error)


def check_layer(layer: Any, X: Any, h: float = 1e-6) -> dict[str, float]:
    r"""Compare a dense layer's ``dW``, ``db`` and ``dX`` with central differences.

    The scalar checked is :math:`f = \sum_{ij} G_{ij} A_{ij}` with fixed weights
    ``G`` evenly spaced in [0.5, 1.5], so ``backward(G)`` must return
    :math:`\partial f / \partial X` and store :math:`\partial f / \partial W`
    and :math:`\partial f / \partial b`. The layer must hold float64
    parameters; its ``W`` and ``b`` are moved and restored during the check.

    Returns
    -------
    dict
        The relative error for each of ``"W"``, ``"b"`` and ``"X"``.
    """
    X = np.array(X, dtype=np.float64)
    output = layer.forward(X)
    weights = np.linspace(0.5, 1.5, output.size).reshape(output.shape)
    dX = layer.backward(weights)
    analytic = {"W": layer.dW.copy(), "b": layer.db.copy(), "X": dX.copy()}

    def objective() -> float:
        return float(np.sum(weights * layer.forward(X)))

    numeric = {"W": numerical_gradient(objective, layer.W, h), "b": numerical_gradient(objective, layer.b, h),
               "X": numerical_gradient(objective, X, h)}
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


def check_network(network: Any, loss: Any, X: Any, y: Any, h: float = 1e-6) -> float:
    """Compare backpropagation through a whole network with central differences of the loss.

    ``network`` is a float64 `housing.network.MLP`; every parameter in its one
    buffer ``network.params`` is moved and restored in turn, so this costs two
    forward passes per parameter: keep the network small.

    Returns
    -------
    float
        The relative error over all parameters at once.
    """
    X = np.array(X, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    network.backward(loss.gradient(y, network.forward(X)))
    analytic = network.grads.copy()
    numeric = numerical_gradient(lambda: loss(y, network.forward(X)), network.params, h)
    return relative_error(analytic, numeric)
