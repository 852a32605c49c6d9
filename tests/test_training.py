"""The training loop: divergence, scaling, early stopping, determinism, stop and resume."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score, root_mean_squared_error

from housing.errors import ConfigError, DataError
from housing.losses import MSE, get_loss
from housing.network import MLP
from housing.optimizers import SGD, Adam
from housing.preprocessing import FeaturePipeline, TargetTransform
from housing.training import ProgressPrinter, Trainer, _step_loss_function

# Six sales with living area (square feet), bedrooms and price (US dollars).
SMALL_SALES = pd.DataFrame({
    "area": [1400, 1600, 1700, 1875, 1100, 1550],
    "bedrooms": [3, 3, 4, 4, 2, 3],
    "price": [245000, 312000, 279000, 308000, 199000, 219000],
})


def _linear_trainer(n_features, lr, epochs, **options):
    network = MLP(n_features, (), 1, init="zeros")
    return Trainer(network, get_loss("mse"), SGD(lr), batch_size=6, max_epochs=epochs, patience=None, **options)


def test_raw_prices_diverge_and_stop_with_advice():
    X = SMALL_SALES[["area", "bedrooms"]].to_numpy(float)
    y = SMALL_SALES[["price"]].to_numpy(float)
    trainer = _linear_trainer(2, lr=0.01, epochs=100)
    history = trainer.fit(X, y)

    # Zero weights predict 0, so the first loss is mean(price^2) = 6.96e10.
    assert history.train_loss[0] == pytest.approx(np.mean(y ** 2))
    assert history.train_loss[0] == pytest.approx(6.96e10, rel=1e-3)
    assert history.train_loss[1] == pytest.approx(1.62e20, rel=1e-2)
    assert history.diverged
    assert len(history) <= 32
    assert "epoch" in history.stop_reason
    assert "learning rate" in history.stop_reason
    assert "scale" in history.stop_reason
    assert np.all(np.isfinite(trainer.network.params))


def test_scaled_prices_fall_every_step_and_reach_least_squares():
    features = FeaturePipeline().fit_transform(SMALL_SALES[["area", "bedrooms"]])
    target = TargetTransform("standardize").fit(SMALL_SALES["price"])
    z = target.transform(SMALL_SALES["price"])

    short = _linear_trainer(2, lr=0.01, epochs=50).fit(features, z)
    assert np.all(np.diff(short.train_loss) < 0)

    trainer = _linear_trainer(2, lr=0.1, epochs=3000)
    trainer.fit(features, z)
    W, b = trainer.network.layers[0].W.ravel(), trainer.network.layers[0].b[0]
    std = SMALL_SALES[["area", "bedrooms"]].std(ddof=0).to_numpy()
    mean = SMALL_SALES[["area", "bedrooms"]].mean().to_numpy()
    coefficients = target.scale * W / std
    intercept = target.shift + target.scale * (b - np.sum(W * mean / std))
    # The least-squares optimum: price = 191.80 area - 18404.96 bedrooms + 23720.66.
    np.testing.assert_allclose(coefficients, [191.80, -18404.96], rtol=1e-4)
    assert intercept == pytest.approx(23720.66, rel=1e-4)

    prices = target.inverse(trainer.network.predict(features))
    assert r2_score(SMALL_SALES["price"], prices) == pytest.approx(0.67202, abs=1e-5)
    assert root_mean_squared_error(SMALL_SALES["price"], prices) == pytest.approx(24516.34, rel=1e-6)


def _regression_problem(seed=0, n_samples=200):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 3))
    y = (np.sin(X[:, :1]) + 0.5 * X[:, 1:2] ** 2 + 0.1 * rng.normal(size=(n_samples, 1)))
    return X[:150], y[:150], X[150:], y[150:]


def _trainer(seed=0, **options):
    settings = {"batch_size": 16, "max_epochs": 30, "patience": None, "rng": np.random.default_rng(seed)}
    settings.update(options)
    network = MLP(3, (8,), 1, activation="tanh", rng=np.random.default_rng(seed))
    return Trainer(network, get_loss("mse"), Adam(0.01), **settings)


def test_same_seed_same_numbers():
    data = _regression_problem()
    first, second = _trainer(), _trainer()
    history_a, history_b = first.fit(*data), second.fit(*data)
    assert history_a.train_loss == history_b.train_loss
    assert history_a.val_loss == history_b.val_loss
    np.testing.assert_array_equal(first.network.params, second.network.params)


def test_early_stopping_restores_best_weights():
    # Twenty training rows and a 32-unit layer overfit: the validation loss
    # falls, then rises, and early stopping must give back its lowest point.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.sin(X[:, :1]) + 0.5 * X[:, 1:2] ** 2 + 0.3 * rng.normal(size=(200, 1))
    network = MLP(3, (32,), 1, activation="tanh", rng=np.random.default_rng(0))
    trainer = Trainer(network, get_loss("mse"), Adam(0.01), batch_size=16, max_epochs=400, patience=10,
                      rng=np.random.default_rng(0))
    history = trainer.fit(X[:20], y[:20], X[150:], y[150:])
    assert len(history) < 400
    assert history.best_epoch == len(history) - 10
    assert "stopped early" in history.stop_reason
    restored = trainer.loss(y[150:], trainer.network.predict(X[150:]))
    assert restored == pytest.approx(min(history.val_loss), rel=1e-12)


def test_initial_weights_kept_when_no_epoch_improves():
    X_train, y_train, X_val, _ = _regression_problem()
    y_val = np.random.default_rng(9).normal(size=(len(X_val), 1)) * 3  # noise: nothing to learn
    trainer = _trainer(max_epochs=200, patience=5)
    initial = trainer.network.params.copy()
    history = trainer.fit(X_train, y_train, X_val, y_val)
    assert history.best_epoch is None
    assert "initial weights" in history.stop_reason
    np.testing.assert_array_equal(trainer.network.params, initial)


def test_without_validation_best_weights_match_their_loss():
    # Raw prices diverge; the weights kept must be the ones whose training loss
    # was lowest, here the initial zeros (loss 6.96e10), not epoch 1's weights.
    X = SMALL_SALES[["area", "bedrooms"]].to_numpy(float)
    y = SMALL_SALES[["price"]].to_numpy(float)
    trainer = _linear_trainer(2, lr=0.01, epochs=100)
    trainer.fit(X, y)
    np.testing.assert_array_equal(trainer.network.params, np.zeros(3))
    assert "initial weights" in trainer.history.stop_reason


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("split", ["training", "validation"])
def test_non_finite_features_rejected_before_training(value, split):
    X_train, y_train, X_val, y_val = _regression_problem()
    (X_train if split == "training" else X_val)[4, 1] = value
    trainer = _trainer()
    start = trainer.network.params.copy()
    with pytest.raises(DataError, match=f"the {split} features contain {value} in row 4, column 1"):
        trainer.fit(X_train, y_train, X_val, y_val)
    np.testing.assert_array_equal(trainer.network.params, start)


def test_float32_overflow_rejected_before_cast():
    X_train, y_train, _, _ = _regression_problem()
    X_train[7, 2] = -1e50
    network = MLP(3, (8,), 1, dtype=np.float32)
    with pytest.raises(DataError, match=r"value -1e\+50 in row 7, column 2 of the training features is beyond "
                                        r"the range of float32"):
        Trainer(network, get_loss("mse"), Adam(0.01), patience=None).fit(X_train, y_train)


def test_float32_target_overflow_rejected():
    X_train, y_train, _, _ = _regression_problem()
    y_train[3, 0] = 1e300
    network = MLP(3, (8,), 1, dtype=np.float32)
    with pytest.raises(DataError, match=r"value 1e\+300 in row 3 of the training target"):
        Trainer(network, get_loss("mse"), Adam(0.01), patience=None).fit(X_train, y_train)


@pytest.mark.parametrize("X", [np.array([np.nan, 1.0, 2.0]), np.empty((0, 3))], ids=["one_dimensional", "no_rows"])
def test_bad_feature_shape_rejected(X):
    with pytest.raises(ValueError, match="X must have shape"):
        _trainer().fit(X, np.ones(len(X)))


class _DoubledMSE(MSE):
    """MSE times 2, written the way a user would override one method."""

    def value_and_gradient(self, y_true, y_pred):
        value, gradient = super().value_and_gradient(y_true, y_pred)
        return 2 * value, 2 * gradient


class _DoubledValueMSE(MSE):
    def __call__(self, y_true, y_pred):
        return 2 * super().__call__(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return 2 * super().gradient(y_true, y_pred)


def test_plain_mse_step_skips_checks():
    step_function = _step_loss_function(MSE())
    assert step_function.__func__ is MSE.value_and_gradient_unchecked


@pytest.mark.parametrize("loss", [_DoubledMSE(), _DoubledValueMSE()], ids=["value_and_gradient", "call_and_gradient"])
def test_subclass_override_runs_every_step(loss):
    X = np.arange(12.0).reshape(6, 2) / 10
    y = np.arange(6.0)
    trainer = Trainer(MLP(2, (), 1, init="zeros"), loss, SGD(0.1), batch_size=6, max_epochs=1, patience=None)
    history = trainer.fit(X, y)
    assert history.train_loss[0] == pytest.approx(2 * np.mean(y ** 2))


def test_bad_target_named_by_row_before_any_step():
    X = np.arange(6.0).reshape(3, 2)
    trainer = Trainer(MLP(2, (), 1, init="zeros"), get_loss("mape"), SGD(0.1), batch_size=1, patience=None)
    with pytest.raises(DataError, match="row 1"):
        trainer.fit(X, np.array([1.0, 0.0, 2.0]))
    assert trainer.optimizer.learning_rate == 0.1
    np.testing.assert_array_equal(trainer.network.params, np.zeros(3))


def test_weight_decay_shrinks_weights():
    data = _regression_problem()
    plain, decayed = _trainer(), _trainer(weight_decay=0.5)
    plain.fit(*data)
    decayed.fit(*data)
    n = plain.network.n_weights
    assert np.linalg.norm(decayed.network.params[:n]) < np.linalg.norm(plain.network.params[:n])


def test_stop_request_then_resume_equals_uninterrupted():
    data = _regression_problem()
    reference = _trainer()
    reference.fit(*data)

    interrupted = _trainer()

    def stop_in_epoch_7(trainer, history):
        if history.epoch[-1] == 6:
            trainer.request_stop()

    interrupted.callbacks.append(stop_in_epoch_7)
    history = interrupted.fit(*data)
    assert history.interrupted
    assert len(history) == 6
    interrupted.callbacks.clear()
    interrupted.fit(*data)
    np.testing.assert_array_equal(interrupted.network.params, reference.network.params)
    assert interrupted.history.train_loss == reference.history.train_loss


def test_stop_mid_epoch_then_resume_equals_uninterrupted():
    data = _regression_problem()
    reference = _trainer()
    reference.fit(*data)

    interrupted = _trainer()
    original_step = interrupted._step
    calls = {"count": 0}

    def step_and_stop(X_batch, y_batch):
        calls["count"] += 1
        if calls["count"] == 25:  # the 5th step of epoch 3 (10 steps per epoch)
            interrupted.request_stop()
        return original_step(X_batch, y_batch)

    interrupted._step = step_and_stop
    history = interrupted.fit(*data)
    assert history.interrupted
    assert interrupted.position == 5 * 16
    interrupted.fit(*data)
    np.testing.assert_array_equal(interrupted.network.params, reference.network.params)


def test_progress_line_format():
    stream = io.StringIO()
    trainer = _trainer(max_epochs=20, callbacks=[ProgressPrinter(every=10, stream=stream)])
    trainer.fit(*_regression_problem())
    lines = stream.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["1/20", "10/20", "20/20"]
    assert lines[0].startswith("epoch  1/20  train ")
    assert " val " in lines[0]
    assert " lr 1.00e-02 " in lines[0]
    assert lines[0].endswith(" s")


@pytest.mark.parametrize("option, value", [("batch_size", 0), ("max_epochs", 0), ("patience", 0),
                                           ("weight_decay", -1.0)])
def test_bad_training_options_rejected(option, value):
    with pytest.raises(ConfigError):
        _trainer(**{option: value})


def test_target_shape_mismatch_rejected():
    X_train, y_train, _, _ = _regression_problem()
    with pytest.raises(ValueError, match="y must have shape"):
        _trainer().fit(X_train, y_train[:-1])
