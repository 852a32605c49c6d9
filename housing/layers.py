r"""The dense (fully connected) layer: forward pass and backpropagation.

Shapes follow scikit-learn's vocabulary: a batch ``X`` has shape
``(n_samples, fan_in)``, the weights ``W`` have shape ``(fan_in, fan_out)``
and the biases ``b`` have shape ``(fan_out,)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, get_activation

__all__ = ["Dense"]


class Dense:
    r"""A fully connected layer followed by an elementwise activation.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out)
        Weights. The layer keeps a reference, not a copy, so a network can
        hand it a view into one contiguous parameter buffer.
    b : ndarray of shape (fan_out,)
        Biases, also kept by reference.
    activation : str or Activation
        The activation applied to ``Z = X W + b``.
    dW, db : ndarray, optional
        Where `backward` writes the parameter gradients. New arrays when omitted.

    Notes
    -----
    Forward pass, for a batch of ``n_samples`` rows:

    .. math:: Z = X W + b, \qquad A = g(Z)

    Backward pass, given :math:`\partial L / \partial A` (``dA``) from the
    layer above. Define the *delta* of this layer as
    :math:`\delta = \partial L / \partial Z = dA \odot g'(Z)`. Then

    .. math:: \frac{\partial L}{\partial W} = X^\top \delta, \qquad
              \frac{\partial L}{\partial b} = \sum_{i} \delta_i, \qquad
              \frac{\partial L}{\partial X} = \delta\, W^\top

    No division by the batch size happens here: the loss gradient that
    starts backpropagation is already divided by it.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: str | Activation = "identity",
                 dW: np.ndarray | None = None, db: np.ndarray | None = None):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"W must be 2-D and b must have shape ({W.shape[-1]},); got W {W.shape} and b {b.shape}")
        self.W = W
        self.b = b
        self.dW = np.zeros_like(W) if dW is None else dW
        self.db = np.zeros_like(b) if db is None else db
        self.activation = get_activation(activation) if isinstance(activation, str) else activation
        self.X: np.ndarray | None = None
        self.Z: np.ndarray | None = None
        self.A: np.ndarray | None = None

    @property
    def fan_in(self) -> int:
        return self.W.shape[0]

    @property
    def fan_out(self) -> int:
        return self.W.shape[1]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Compute ``A = g(X W + b)`` and cache ``X``, ``Z`` and ``A`` for `backward`."""
        Z = X @ self.W  # (n_samples, fan_in) @ (fan_in, fan_out) -> (n_samples, fan_out)
        Z += self.b
        self.X, self.Z = X, Z
        self.A = self.activation.forward(Z)
        return self.A

    def backward(self, dA: np.ndarray, need_input_gradient: bool = True) -> np.ndarray | None:
        """Store ``dW`` and ``db`` and return ``dX``, the gradient for the layer below.

        The first layer passes ``need_input_gradient=False`` because nothing
        below it needs ``dX``; that saves one matrix product per step.
        """
        if self.X is None:
            raise RuntimeError("backward() was called before forward()")
        delta = self.activation.backward(self.Z, self.A, dA)  # dL/dZ, (n_samples, fan_out)
        np.matmul(self.X.T, delta, out=self.dW)  # (fan_in, n_samples) @ (n_samples, fan_out)
        delta.sum(axis=0, out=self.db)  # the method skips np.sum's Python wrapper, a few microseconds per call
        if not need_input_gradient:
            return None
        return delta @ self.W.T  # (n_samples, fan_out) @ (fan_out, fan_in) -> (n_samples, fan_in)

    def __repr__(self) -> str:
        return f"Dense(fan_in={self.fan_in}, fan_out={self.fan_out}, activation={self.activation.name!r})"
