"""Optimizers and schedules: one step worked by hand, convergence, saved state."""

import math

import numpy as np
import pytest

from housing.errors import ConfigError
from housing.optimizers import (
    SGD, Adam, Momentum, Nesterov, ReduceOnPlateau, StepDecay, get_optimizer, get_schedule,
)


def test_sgd_step_by_hand():
    params = np.array([1.0, -2.0])
    SGD(0.1).step(params, np.array([0.5, -1.0]))
    # 1 - 0.1 * 0.5 = 0.95 and -2 - 0.1 * (-1) = -1.9
    np.testing.assert_allclose(params, [0.95, -1.9])


def test_momentum_two_steps_by_hand():
    params = np.array([0.0])
    optimizer = Momentum(0.1, momentum=0.9)
    optimizer.step(params, np.array([1.0]))  # v = -0.1, theta = -0.1
    optimizer.step(params, np.array([1.0]))  # v = 0.9 * -0.1 - 0.1 = -0.19, theta = -0.29
    np.testing.assert_allclose(params, [-0.29])


def test_nesterov_two_steps_by_hand():
    params = np.array([0.0])
    optimizer = Nesterov(0.1, momentum=0.9)
    optimizer.step(params, np.array([1.0]))  # v = -0.1; theta += 0.9 * -0.1 - 0.1 = -0.19
    np.testing.assert_allclose(params, [-0.19])
    optimizer.step(params, np.array([1.0]))  # v = -0.19; theta += 0.9 * -0.19 - 0.1 = -0.271
    np.testing.assert_allclose(params, [-0.461])


def test_adam_first_step_is_learning_rate_sized():
    # At t = 1, m = (1 - b1) g and v = (1 - b2) g^2, so the bias-corrected step
    # is lr * g / |g| = lr * sign(g), whatever the size of g. Epsilon is not
    # bias-corrected in this form, so a tiny g (1e-3) would shift the step by 3e-4.
    params = np.array([1.0, 1.0, 1.0])
    Adam(0.01).step(params, np.array([0.5, -5.0, 200.0]))
    np.testing.assert_allclose(params, [0.99, 1.01, 0.99], rtol=1e-6)


def test_adam_matches_textbook_form():
    rng = np.random.default_rng(0)
    params = rng.normal(size=5)
    reference = params.copy()
    m = np.zeros(5)
    v = np.zeros(5)
    optimizer = Adam(0.05, beta1=0.8, beta2=0.99, epsilon=1e-8)
    for t in range(1, 6):
        grads = rng.normal(size=5)
        optimizer.step(params, grads)
        m = 0.8 * m + 0.2 * grads
        v = 0.99 * v + 0.01 * grads ** 2
        step = 0.05 * math.sqrt(1 - 0.99 ** t) / (1 - 0.8 ** t)
        reference -= step * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(params, reference, rtol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adam"])
def test_optimizer_minimises_quadratic(name):
    # f(theta) = 0.5 * sum(a * (theta - c)^2), gradient a * (theta - c), minimum at c.
    a = np.array([1.0, 4.0])
    c = np.array([3.0, -1.0])
    params = np.zeros(2)
    optimizer = get_optimizer(name, 0.05)
    for _ in range(2000):
        optimizer.step(params, a * (params - c))
    np.testing.assert_allclose(params, c, atol=1e-3)


@pytest.mark.parametrize("name", ["momentum", "nesterov", "adam"])
def test_optimizer_state_round_trip(name):
    rng = np.random.default_rng(1)
    first = get_optimizer(name, 0.01)
    params = rng.normal(size=4)
    for _ in range(3):
        first.step(params, rng.normal(size=4))
    second = get_optimizer(name, 0.01)
    second.load_state_dict(first.state_dict())
    continued, resumed = params.copy(), params.copy()
    grads = rng.normal(size=4)
    first.step(continued, grads)
    second.step(resumed, grads)
    np.testing.assert_array_equal(continued, resumed)


def test_float32_params_stay_float32():
    params = np.ones(3, dtype=np.float32)
    Adam(0.01).step(params, np.ones(3, dtype=np.float32))
    assert params.dtype == np.float32


@pytest.mark.parametrize("rate", [0.0, -1e-3, float("nan"), float("inf")])
def test_bad_learning_rate_rejected(rate):
    with pytest.raises(ConfigError, match="learning rate"):
        get_optimizer("adam", rate)


def test_unknown_optimizer_lists_choices():
    with pytest.raises(ConfigError, match="sgd, momentum, nesterov, adam"):
        get_optimizer("adamw")


def test_step_decay_halves_every_step_size():
    schedule = StepDecay(step_size=10, gamma=0.5)
    schedule.start(1.0)
    rates = [schedule.next_rate(epoch, 0.0, 1.0) for epoch in (9, 10, 19, 20, 30)]
    assert rates == [1.0, 0.5, 0.5, 0.25, 0.125]


def test_plateau_reduces_after_patience():
    schedule = ReduceOnPlateau(factor=0.5, patience=2)
    schedule.start(1.0)
    rate = 1.0
    rates = []
    for loss in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95]:
        rate = schedule.next_rate(0, loss, rate)
        rates.append(rate)
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_unknown_schedule_lists_choices():
    with pytest.raises(ConfigError, match="constant, step, plateau"):
        get_schedule("cosine")


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adam"])
def test_overwrite_grads_gives_same_step(name):
    rng = np.random.default_rng(2)
    start, grads = rng.normal(size=6), rng.normal(size=6)
    kept, overwritten = start.copy(), start.copy()
    get_optimizer(name, 0.01).step(kept, grads.copy())
    get_optimizer(name, 0.01).step(overwritten, grads.copy(), overwrite_grads=True)
    np.testing.assert_array_equal(kept, overwritten)
