r"""Gradient-descent optimizers and learning-rate schedules.

Each optimizer updates one flat parameter array in place from a flat gradient
array of the same shape (see `housing.network.MLP.params`). Every update is a
handful of whole-array operations, with scratch buffers allocated once.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ConfigError

__all__ = [
    "Optimizer", "SGD", "Momentum", "Nesterov", "Adam", "OPTIMIZERS", "get_optimizer",
    "Schedule", "ConstantSchedule", "StepDecay", "ReduceOnPlateau", "SCHEDULES", "get_schedule",
]


class Optimizer:
    """Base class of the optimizers: the learning rate and any per-parameter state."""

    name = "optimizer"

    def __init__(self, learning_rate: float = 1e-3):
        if not learning_rate > 0 or not math.isfinite(learning_rate):
            raise ConfigError(f"the learning rate must be a positive number; got {learning_rate}. Try 1e-3")
        self.learning_rate = float(learning_rate)

    def step(self, params: np.ndarray, grads: np.ndarray, *, overwrite_grads: bool = False) -> None:
        """Update ``params`` in place from ``grads``.

        With ``overwrite_grads=True`` an optimizer may use ``grads`` as scratch
        space, so it contains no gradient afterwards. The trainer allows this
        because backpropagation rewrites the gradients before the next step.
        """
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """Return the arrays and counters that a resumed run needs."""
        return {}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore what `state_dict` returned."""

    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.hyperparameters().items())
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    r"""Plain stochastic gradient descent.

    Notes
    -----
    .. math:: \theta \leftarrow \theta - \eta\, g
    """

    name = "sgd"

    def step(self, params, grads, *, overwrite_grads=False):
        params -= self.learning_rate * grads


class Momentum(Optimizer):
    r"""Gradient descent with classical (heavy-ball) momentum.

    Notes
    -----
    .. math:: v \leftarrow \mu v - \eta g, \qquad \theta \leftarrow \theta + v

    The velocity ``v`` averages recent gradients, so steps grow along
    directions where the gradient keeps its sign and cancel where it flips.
    """

    name = "momentum"

    def __init__(self, learning_rate: float = 1e-3, momentum: float = 0.9):
        super().__init__(learning_rate)
        if not 0 <= momentum < 1:
            raise ConfigError(f"momentum must be in [0, 1); got {momentum}. Try 0.9")
        self.momentum = float(momentum)
        self.velocity: np.ndarray | None = None

    def _velocity_for(self, params):
        if self.velocity is None or self.velocity.shape != params.shape:
            self.velocity = np.zeros_like(params)
        return self.velocity

    def step(self, params, grads, *, overwrite_grads=False):
        velocity = self._velocity_for(params)
        velocity *= self.momentum
        velocity -= self.learning_rate * grads
        params += velocity

    def state_dict(self):
        return {} if self.velocity is None else {"velocity": self.velocity.copy()}

    def load_state_dict(self, state):
        self.velocity = state["velocity"].copy() if "velocity" in state else None

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate, "momentum": self.momentum}


class Nesterov(Momentum):
    r"""Gradient descent with Nesterov's accelerated momentum.

    Notes
    -----
    Written in the form that needs no second gradient evaluation
    (Sutskever et al., 2013, as rearranged by Bengio et al., 2013):

    .. math:: v \leftarrow \mu v - \eta g, \qquad
              \theta \leftarrow \theta + \mu v - \eta g

    The step looks one velocity ahead, which damps the overshoot of plain
    momentum.
    """

    name = "nesterov"

    def step(self, params, grads, *, overwrite_grads=False):
        velocity = self._velocity_for(params)
        velocity *= self.momentum
        velocity -= self.learning_rate * grads
        params += self.momentum * velocity
        params -= self.learning_rate * grads


class Adam(Optimizer):
    r"""Adam: per-parameter steps from running moments of the gradient.

    Notes
    -----
    With step count :math:`t`:

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

        \theta \leftarrow \theta - \eta_t \frac{m}{\sqrt{v} + \epsilon},
        \qquad \eta_t = \eta \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}

    Folding both bias corrections into :math:`\eta_t` is the form given at the
    end of section 2 of Kingma and Ba (2015), and the one scikit-learn uses.

    To save two passes over the parameters per step, the code stores the
    moments divided by their weights, :math:`\tilde m = m / (1 - \beta_1)` and
    :math:`\tilde v = v / (1 - \beta_2)`. Their updates then need no
    multiplication of the gradient,

    .. math:: \tilde m \leftarrow \beta_1 \tilde m + g, \qquad
              \tilde v \leftarrow \beta_2 \tilde v + g^2,

    and the step is the same as above with the factors moved into the
    constants: :math:`\eta_t (1 - \beta_1) \tilde m / (\sqrt{1 - \beta_2}
    \sqrt{\tilde v} + \epsilon)`. `state_dict` returns the stored
    :math:`\tilde m` and :math:`\tilde v`, so a resumed run continues bit for bit.
    """

    name = "adam"

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
        super().__init__(learning_rate)
        for label, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= value < 1:
                raise ConfigError(f"{label} must be in [0, 1); got {value}")
        if not epsilon > 0:
            raise ConfigError(f"epsilon must be positive; got {epsilon}")
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)
        self.t = 0
        self.m: np.ndarray | None = None  # first moment / (1 - beta1)
        self.v: np.ndarray | None = None  # second moment / (1 - beta2)
        self._scratch: np.ndarray | None = None

    def step(self, params, grads, *, overwrite_grads=False):
        if self.m is None or self.m.shape != params.shape:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        if overwrite_grads:
            scratch = grads  # one parameter-sized array less in memory
        else:
            if self._scratch is None or self._scratch.shape != params.shape:
                self._scratch = np.empty_like(params)
            scratch = self._scratch
        self.t += 1
        m, v = self.m, self.v

        # First moment, stored as m / (1 - beta1): m = beta1 m + g.
        m *= self.beta1
        m += grads

        # Second moment, stored as v / (1 - beta2): v = beta2 v + g^2.
        # (When scratch is grads, this squares the gradient in place, its last use.)
        v *= self.beta2
        np.multiply(grads, grads, out=scratch)
        v += scratch

        # Step: theta -= eta_t (1 - beta1) m / (sqrt(1 - beta2) sqrt(v) + epsilon),
        # written as (step_size m) / (sqrt(v) + epsilon / sqrt(1 - beta2)).
        root = math.sqrt(1.0 - self.beta2)
        step_size = (self.learning_rate * math.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
                     * (1.0 - self.beta1) / root)
        np.sqrt(v, out=scratch)
        scratch += self.epsilon / root
        np.divide(m, scratch, out=scratch)
        scratch *= step_size
        params -= scratch

    def state_dict(self):
        if self.m is None:
            return {"t": np.array(self.t)}
        return {"t": np.array(self.t), "m": self.m.copy(), "v": self.v.copy()}

    def load_state_dict(self, state):
        self.t = int(state["t"])
        self.m = state["m"].copy() if "m" in state else None
        self.v = state["v"].copy() if "v" in state else None

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adam)}


def get_optimizer(name: str, learning_rate: float = 1e-3, **params) -> Optimizer:
    """Build an optimizer by name; raise ConfigError listing the valid names."""
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}") from None
    return cls(learning_rate, **params)


# ---------------------------------------------------------------------------
# Learning-rate schedules
# ---------------------------------------------------------------------------


class Schedule:
    """Sets the optimizer's learning rate after each epoch."""

    name = "constant"

    def start(self, learning_rate: float) -> None:
        """Remember the initial learning rate."""
        self.initial = float(learning_rate)

    def next_rate(self, epoch: int, val_loss: float, learning_rate: float) -> float:
        """Return the learning rate for the epoch after ``epoch`` (counted from 1)."""
        return learning_rate

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""


class ConstantSchedule(Schedule):
    """Keep the learning rate fixed."""


class StepDecay(Schedule):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Notes
    -----
    .. math:: \eta_e = \eta_0 \, \gamma^{\lfloor e / s \rfloor}
    """

    name = "step"

    def __init__(self, step_size: int = 50, gamma: float = 0.5):
        if step_size < 1:
            raise ConfigError(f"the step size of the step schedule must be at least 1 epoch; got {step_size}")
        if not 0 < gamma <= 1:
            raise ConfigError(f"gamma of the step schedule must be in (0, 1]; got {gamma}")
        self.step_size, self.gamma = int(step_size), float(gamma)

    def next_rate(self, epoch, val_loss, learning_rate):
        return self.initial * self.gamma ** (epoch // self.step_size)


class ReduceOnPlateau(Schedule):
    """Multiply the learning rate by ``factor`` when the validation loss stops improving.

    After ``patience`` epochs without a new best validation loss (by a relative
    margin of ``threshold``), the rate is multiplied by ``factor``, never going
    below ``min_rate``.
    """

    name = "plateau"

    def __init__(self, factor: float = 0.5, patience: int = 5, threshold: float = 1e-4, min_rate: float = 1e-6):
        if not 0 < factor < 1:
            raise ConfigError(f"the plateau factor must be in (0, 1); got {factor}")
        if patience < 1:
            raise ConfigError(f"the plateau patience must be at least 1 epoch; got {patience}")
        self.factor, self.patience = float(factor), int(patience)
        self.threshold, self.min_rate = float(threshold), float(min_rate)
        self.best = math.inf
        self.bad_epochs = 0

    def next_rate(self, epoch, val_loss, learning_rate):
        if val_loss < self.best * (1.0 - self.threshold):
            self.best, self.bad_epochs = val_loss, 0
            return learning_rate
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            self.bad_epochs = 0
            return max(learning_rate * self.factor, self.min_rate)
        return learning_rate

    def state_dict(self):
        return {"best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state):
        self.best, self.bad_epochs = float(state["best"]), int(state["bad_epochs"])


SCHEDULES = {cls.name: cls for cls in (ConstantSchedule, StepDecay, ReduceOnPlateau)}


def get_schedule(name: str, **params) -> Schedule:
    """Build a learning-rate schedule by name; raise ConfigError listing the valid names."""
    try:
        cls = SCHEDULES[name.lower()]
    except KeyError:
        raise ConfigError(f"unknown learning-rate schedule {name!r}; choose one of {', '.join(SCHEDULES)}") from None
    return cls(**params)
