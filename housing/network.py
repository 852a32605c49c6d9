r"""The multi-layer perceptron: a stack of dense layers over one parameter buffer.

All weights and biases live in one contiguous array, `MLP.params`, and every
layer's ``W`` and ``b`` are views into it. The gradients live the same way in
`MLP.grads`. An optimizer then updates the whole network with a few array
operations instead of a Python loop over layers, which is most of the cost of
a training step at this size. The weights of all layers come first, then all
biases, so L2 weight decay applies to ``params[:n_weights]`` alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import ConfigError
from .layers import Dense

__all__ = ["MLP", "INITIALISATIONS"]

INITIALISATIONS = ("auto", "he", "glorot", "zeros")


class MLP:
    r"""A fully connected network ``n_features -> hidden... -> n_outputs``.

    Parameters
    ----------
    n_features : int
        Width of the input.
    hidden : sequence of int
        Width of each hidden layer; empty for a linear model.
    n_outputs : int
        Width of the output layer.
    activation : str
        Activation of every hidden layer.
    output_activation : str
        Activation of the output layer; ``"identity"`` for regression and for
        losses that take logits.
    init : {"auto", "he", "glorot", "zeros"}
        Weight initialisation. ``"auto"`` uses He for ReLU-like layers and
        Glorot otherwise. ``"zeros"`` is only sensible without hidden layers.
    rng : numpy.random.Generator
        Source of the initial weights.
    dtype : numpy dtype
        float64 (default) or float32.

    Notes
    -----
    He initialisation draws :math:`W \sim \mathcal{N}(0, 2/\text{fan\_in})`,
    which keeps the variance of ReLU outputs constant from layer to layer.
    Glorot (uniform) draws :math:`W \sim U(-a, a)` with
    :math:`a = \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`. Biases start at 0.
    """

    def __init__(self, n_features: int, hidden: Sequence[int] = (64, 32), n_outputs: int = 1, *,
                 activation: str = "relu", output_activation: str = "identity", init: str = "auto",
                 rng: np.random.Generator | None = None, dtype=np.float64):
        _check_architecture(n_features, hidden, n_outputs, init)
        self.n_features = int(n_features)
        self.hidden = tuple(int(width) for width in hidden)
        self.n_outputs = int(n_outputs)
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ConfigError(f"dtype must be float32 or float64; got {self.dtype}")

        widths = (self.n_features, *self.hidden, self.n_outputs)
        self.shapes = list(zip(widths[:-1], widths[1:]))
        self.n_weights = sum(fan_in * fan_out for fan_in, fan_out in self.shapes)
        n_biases = sum(fan_out for _, fan_out in self.shapes)
        self.params = np.zeros(self.n_weights + n_biases, dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        self.layers = self._build_layers()
        self.initialise(rng if rng is not None else np.random.default_rng(0))

    def _build_layers(self) -> list[Dense]:
        layers = []
        weight_start, bias_start = 0, self.n_weights
        for index, (fan_in, fan_out) in enumerate(self.shapes):
            weight_end, bias_end = weight_start + fan_in * fan_out, bias_start + fan_out
            is_output = index == len(self.shapes) - 1
            layers.append(Dense(
                self.params[weight_start:weight_end].reshape(fan_in, fan_out),
                self.params[bias_start:bias_end],
                self.output_activation if is_output else self.activation,
                dW=self.grads[weight_start:weight_end].reshape(fan_in, fan_out),
                db=self.grads[bias_start:bias_end],
            ))
            weight_start, bias_start = weight_end, bias_end
        return layers

    def initialise(self, rng: np.random.Generator) -> None:
        """Draw new weights for every layer in place and set the biases to 0."""
        self.params[:] = 0.0
        if self.init == "zeros":
            return
        for layer in self.layers:
            scheme = layer.activation.init if self.init == "auto" else self.init
            fan_in, fan_out = layer.W.shape
            if scheme == "he":
                layer.W[:] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
            else:
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                layer.W[:] = rng.uniform(-limit, limit, size=(fan_in, fan_out))

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the network's output, shape (n_samples, n_outputs), caching what backward needs."""
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def backward(self, dY: np.ndarray) -> None:
        """Backpropagate ``dY = dL/d(output)`` and fill `grads` for every layer."""
        delta = dY
        for index in range(len(self.layers) - 1, -1, -1):
            delta = self.layers[index].backward(delta, need_input_gradient=index > 0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return the output for ``X`` of shape (n_samples, n_features), cast to the network's dtype.

        Unlike `forward`, it stores nothing in the layers, so several threads
        may predict with one network at once.
        """
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n_samples, {self.n_features}); got {X.shape}")
        A = X
        for layer in self.layers:
            Z = A @ layer.W  # (n_samples, fan_in) @ (fan_in, fan_out) -> (n_samples, fan_out)
            Z += layer.b  # in place: one temporary array fewer per layer
            A = layer.activation.forward(Z)
        return A

    def __getstate__(self) -> dict:
        # Only the buffers and the settings: the layers are views into the
        # buffers, and a copy of them would no longer share their memory.
        state = {key: value for key, value in self.__dict__.items() if key != "layers"}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.layers = self._build_layers()

    @property
    def weights(self) -> list[np.ndarray]:
        """The weight matrices, one per layer (views into `params`)."""
        return [layer.W for layer in self.layers]

    @property
    def biases(self) -> list[np.ndarray]:
        """The bias vectors, one per layer (views into `params`)."""
        return [layer.b for layer in self.layers]

    def named_parameters(self) -> dict[str, np.ndarray]:
        """Return ``{"W0": ..., "b0": ..., "W1": ...}``, views into `params`."""
        named = {}
        for index, layer in enumerate(self.layers):
            named[f"W{index}"] = layer.W
            named[f"b{index}"] = layer.b
        return named

    def architecture(self) -> dict:
        """Return the constructor arguments as plain JSON-ready values."""
        return {
            "n_features": self.n_features,
            "hidden": list(self.hidden),
            "n_outputs": self.n_outputs,
            "activation": self.activation,
            "output_activation": self.output_activation,
            "init": self.init,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        widths = " -> ".join(str(width) for width in (self.n_features, *self.hidden, self.n_outputs))
        return f"MLP({widths}, activation={self.activation!r}, parameters={self.params.size})"


def _check_architecture(n_features, hidden, n_outputs, init) -> None:
    if int(n_features) < 1:
        raise ConfigError(f"the network needs at least one input feature; got n_features={n_features}")
    for width in hidden:
        if int(width) < 1:
            raise ConfigError(f"every hidden layer width must be at least 1; got {list(hidden)}. "
                              "Use --hidden with positive integers, or no values for a linear model")
    if int(n_outputs) < 1:
        raise ConfigError(f"n_outputs must be at least 1; got {n_outputs}")
    if init not in INITIALISATIONS:
        raise ConfigError(f"unknown initialisation {init!r}; choose one of {', '.join(INITIALISATIONS)}")
