"""A plain NumPy network, written the way a first from-scratch exercise would be.

The benchmark times it beside `housing` and scikit-learn, as the point of
comparison for our full trainer. It has one array per weight matrix and per
bias, updates them with Adam one array at a time, and does nothing else:
no validation loss, no history, no progress and no input checks. Its loop is
the core of what `housing`'s trainer does, so the trainer, which does all of
those things as well, should not be slower than it.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fit_plain"]


def fit_plain(X, y, *, hidden=(64, 32), learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8,
              batch_size=64, epochs=200, weight_decay=0.0, seed=0):
    """Train a ReLU network on ``X`` (n, d) and ``y`` (n, 1) with the MSE loss.

    Return ``(predict, epochs_run, weights)``: a function of new rows, the
    epochs the loop ran and the list of trained weight matrices.

    Weights start from He initialisation (normal, variance 2 / fan_in) and
    biases at 0. ``weight_decay`` adds ``weight_decay * W`` to each weight
    gradient, the L2 penalty of `housing`. Every array keeps the dtype of ``X``.
    """
    rng = np.random.default_rng(seed)
    dtype = X.dtype
    sizes = [X.shape[1], *hidden, 1]
    weights = [rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)).astype(dtype)
               for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(fan_out, dtype=dtype) for fan_out in sizes[1:]]
    params = weights + biases
    first_moments = [np.zeros_like(param) for param in params]
    second_moments = [np.zeros_like(param) for param in params]
    n_layers = len(weights)
    step = epochs_run = 0

    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            X_batch, y_batch = X[rows], y[rows]

            # Forward pass: keep every layer's output for the backward pass.
            outputs = [X_batch]
            for layer in range(n_layers):
                Z = outputs[-1] @ weights[layer] + biases[layer]
                outputs.append(np.maximum(Z, 0) if layer < n_layers - 1 else Z)

            # Backward pass of the mean squared error.
            delta = 2 * (outputs[-1] - y_batch) / len(y_batch)
            weight_grads, bias_grads = [None] * n_layers, [None] * n_layers
            for layer in reversed(range(n_layers)):
                weight_grads[layer] = outputs[layer].T @ delta
                if weight_decay:
                    weight_grads[layer] += weight_decay * weights[layer]
                bias_grads[layer] = delta.sum(axis=0)
                if layer > 0:
                    delta = (delta @ weights[layer].T) * (outputs[layer] > 0)

            # Adam, one array at a time, with both bias corrections in the step
            # size: the form of Kingma and Ba (2015) that scikit-learn and housing use.
            step += 1
            # A Python float: a NumPy float64 scalar would turn float32 updates into float64.
            step_size = learning_rate * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            grads = weight_grads + bias_grads
            for param, grad, m, v in zip(params, grads, first_moments, second_moments):
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad * grad
                param -= step_size * m / (np.sqrt(v) + epsilon)
        epochs_run += 1

    def predict(X_new):
        A = np.asarray(X_new, dtype=dtype)
        for layer in range(n_layers):
            Z = A @ weights[layer] + biases[layer]
            A = np.maximum(Z, 0) if layer < n_layers - 1 else Z
        return A

    return predict, epochs_run, weights
