"""NumpyMLPRegressor: scikit-learn's estimator checks, determinism, losses, Pipeline and grid search on Ames."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from housing import NumpyMLPClassifier, NumpyMLPRegressor
from housing.classification import PriceBands, one_hot
from housing.datasets import load_ames
from housing.errors import ConfigError, DataError
from housing.experiment import Settings, build_trainer
from housing.losses import get_loss
from housing.preprocessing import FeaturePipeline

# 50 epochs reach R^2 > 0.5 on the checks' regression data in well under a
# second per fit. No check is skipped, and only max_epochs differs from the defaults.
@parametrize_with_checks([NumpyMLPRegressor(max_epochs=50), NumpyMLPClassifier(max_epochs=50)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _linear_data(n_samples=300, n_features=4, seed=0):
    """Return X and y = X @ coef + 0.5 + N(0, 0.1^2) noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    coef = np.arange(1.0, n_features + 1)
    y = X @ coef + 0.5 + rng.normal(0.0, 0.1, size=n_samples)
    return X, y


# ----------------------------------------------------------------------
# Determinism and the shared training core
# ----------------------------------------------------------------------


def test_same_random_state_same_weights():
    X, y = _linear_data()
    first = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_epochs=15, random_state=7).fit(X, y)
    second = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_epochs=15, random_state=7).fit(X, y)
    for W_first, W_second in zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_):
        np.testing.assert_array_equal(W_first, W_second)
    assert first.loss_curve_ == second.loss_curve_
    assert first.validation_loss_curve_ == second.validation_loss_curve_
    np.testing.assert_array_equal(first.predict(X), second.predict(X))


def test_different_random_state_different_weights():
    X, y = _linear_data()
    first = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_epochs=3, random_state=1).fit(X, y)
    second = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_epochs=3, random_state=2).fit(X, y)
    assert not np.array_equal(first.coefs_[0], second.coefs_[0])


def test_seeded_random_state_instance_repeats():
    X, y = _linear_data()
    first = NumpyMLPRegressor(max_epochs=3, random_state=np.random.RandomState(5)).fit(X, y)
    second = NumpyMLPRegressor(max_epochs=3, random_state=np.random.RandomState(5)).fit(X, y)
    np.testing.assert_array_equal(first.network_.params, second.network_.params)


def test_global_seed_drives_random_state_none():
    X, y = _linear_data()
    np.random.seed(11)
    first = NumpyMLPRegressor(max_epochs=3).fit(X, y)
    np.random.seed(11)
    second = NumpyMLPRegressor(max_epochs=3).fit(X, y)
    np.testing.assert_array_equal(first.network_.params, second.network_.params)


def test_matches_command_line_trainer():
    # Without early stopping the estimator trains on all rows, so the
    # command line's builder with the same seed must give identical weights.
    X, y = _linear_data(n_samples=120)
    settings = Settings(hidden=(6, 3), epochs=8, patience=None, batch_size=16, lr=3e-3, seed=3)
    trainer = build_trainer(settings, X.shape[1], get_loss("mse"))
    z = ((y - y.mean()) / y.std()).reshape(-1, 1)
    trainer.fit(X, z)

    model = NumpyMLPRegressor(hidden_layer_sizes=(6, 3), max_epochs=8, early_stopping=False, batch_size=16,
                              learning_rate=3e-3, random_state=3).fit(X, y)
    np.testing.assert_array_equal(model.network_.params, trainer.network.params)
    assert model.loss_curve_ == trainer.history.train_loss


# ----------------------------------------------------------------------
# Fitted state
# ----------------------------------------------------------------------


def test_coefs_shapes_follow_layers():
    X, y = _linear_data(n_features=4)
    Y = np.column_stack([y, -y])
    model = NumpyMLPRegressor(hidden_layer_sizes=(5, 3), max_epochs=2, random_state=0).fit(X, Y)
    assert [W.shape for W in model.coefs_] == [(4, 5), (5, 3), (3, 2)]
    assert [b.shape for b in model.intercepts_] == [(5,), (3,), (2,)]
    assert model.n_outputs_ == 2
    assert model.predict(X).shape == (len(X), 2)


def test_predict_is_forward_pass_of_coefs():
    # Reference: the forward pass written out with the public coefs_ and
    # intercepts_, then the inverse of z = (y - mean) / std over all rows,
    # which is the training set when early stopping is off.
    X, y = _linear_data()
    model = NumpyMLPRegressor(hidden_layer_sizes=(6,), max_epochs=20, early_stopping=False,
                              random_state=0).fit(X, y)
    hidden = np.maximum(X @ model.coefs_[0] + model.intercepts_[0], 0.0)
    z = hidden @ model.coefs_[1] + model.intercepts_[1]
    np.testing.assert_allclose(model.predict(X), z.ravel() * y.std() + y.mean(), rtol=1e-12)


def test_predict_shape_follows_y():
    X, y = _linear_data()
    assert NumpyMLPRegressor(max_epochs=2, random_state=0).fit(X, y).predict(X).shape == (len(X),)
    column = y.reshape(-1, 1)
    assert NumpyMLPRegressor(max_epochs=2, random_state=0).fit(X, column).predict(X).shape == (len(X), 1)


def test_curves_and_stop_with_early_stopping():
    X, y = _linear_data()
    model = NumpyMLPRegressor(max_epochs=400, patience=3, learning_rate=1e-2, random_state=0).fit(X, y)
    assert model.n_iter_ < 400
    assert len(model.loss_curve_) == model.n_iter_
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert model.n_iter_ - model.best_epoch_ == 3
    best = model.validation_loss_curve_[model.best_epoch_ - 1]
    assert best == min(model.validation_loss_curve_)
    assert "stopped early" in model.stop_reason_


def test_no_validation_curve_without_early_stopping():
    X, y = _linear_data()
    model = NumpyMLPRegressor(max_epochs=6, early_stopping=False, random_state=0).fit(X, y)
    assert model.validation_loss_curve_ is None
    assert model.n_iter_ == 6
    assert len(model.loss_curve_) == 6
    assert "limit of 6 epochs" in model.stop_reason_


def test_each_output_has_own_target_scale():
    # The second output is the first times 1000: with one shared scale the
    # first would be fitted poorly. Scored with scikit-learn's r2_score.
    X, y = _linear_data()
    Y = np.column_stack([y, 1000 * y])
    model = NumpyMLPRegressor(max_epochs=150, learning_rate=1e-2, random_state=0).fit(X, Y)
    assert [transform.scale for transform in model.target_transforms_] == pytest.approx(
        [np.std(Y[:, 0]), np.std(Y[:, 1])], rel=0.1)
    scores = r2_score(Y, model.predict(X), multioutput="raw_values")
    assert scores[0] > 0.98
    assert scores[1] > 0.98


def test_float32_network():
    X, y = _linear_data()
    model = NumpyMLPRegressor(max_epochs=5, dtype="float32", random_state=0).fit(X, y)
    assert model.network_.dtype == np.float32
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert model.predict(X).dtype == np.float64


def test_verbose_prints_progress(capsys):
    X, y = _linear_data()
    NumpyMLPRegressor(max_epochs=10, early_stopping=False, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    # ProgressPrinter prints epoch 1, then every 10th epoch.
    assert [line.split()[1] for line in lines] == ["1/10", "10/10"]


def test_divergence_warns_and_keeps_finite_weights():
    X, y = _linear_data()
    model = NumpyMLPRegressor(optimizer="sgd", learning_rate=1e12, max_epochs=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="infinite or NaN after .* kept"):
        model.fit(X, y)
    assert np.isfinite(model.network_.params).all()
    assert np.isfinite(model.predict(X)).all()


# ----------------------------------------------------------------------
# Losses
# ----------------------------------------------------------------------


@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_quantile_loss_covers_its_share(quantile):
    # y = x + N(0, 1), so the tau-quantile of y given x is x + z_tau with
    # z_0.1 = -1.2816 and z_0.9 = 1.2816: a share tau of the targets lies
    # below the fitted line.
    rng = np.random.default_rng(0)
    X = rng.uniform(-2.0, 2.0, size=(2000, 1))
    y = X[:, 0] + rng.normal(size=2000)
    model = NumpyMLPRegressor(hidden_layer_sizes=(), loss="quantile", quantile=quantile, learning_rate=1e-2,
                              max_epochs=30, early_stopping=False, random_state=0).fit(X, y)
    share_below = np.mean(y < model.predict(X))
    assert share_below == pytest.approx(quantile, abs=0.03)
    intercept = model.predict(np.zeros((1, 1)))[0]
    assert intercept == pytest.approx(1.2816 if quantile == 0.9 else -1.2816, abs=0.15)


def test_quantile_09_predicts_above_01():
    rng = np.random.default_rng(1)
    X = rng.uniform(-2.0, 2.0, size=(1000, 2))
    y = X @ [1.0, -1.0] + rng.normal(size=1000)
    options = dict(hidden_layer_sizes=(16,), loss="quantile", learning_rate=1e-2, max_epochs=30, random_state=0)
    high = NumpyMLPRegressor(quantile=0.9, **options).fit(X, y).predict(X)
    low = NumpyMLPRegressor(quantile=0.1, **options).fit(X, y).predict(X)
    assert np.mean(high > low) > 0.95
    # The gap between the two quantiles of N(0, 1) is 2 * 1.2816.
    assert np.median(high - low) == pytest.approx(2.563, rel=0.15)


def test_huber_resists_outliers_mse_does_not():
    # y = 2x + N(0, 0.1^2) with 30 added to every 20th target. Least squares
    # moves the line up by about 0.05 * 30 = 1.5, but Huber, linear beyond
    # delta, stays near the clean line through 0.
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.0, 1.0, size=(1000, 1))
    y = 2 * X[:, 0] + rng.normal(0.0, 0.1, size=1000)
    y[::20] += 30.0
    options = dict(hidden_layer_sizes=(), learning_rate=1e-2, max_epochs=60, early_stopping=False,
                   weight_decay=0.0, random_state=0)
    mse = NumpyMLPRegressor(loss="mse", **options).fit(X, y)
    huber = NumpyMLPRegressor(loss="huber", delta=0.1, **options).fit(X, y)

    design = np.column_stack([X[:, 0], np.ones(len(X))])
    least_squares_slope, least_squares_intercept = np.linalg.lstsq(design, y, rcond=None)[0]
    assert mse.predict([[0.0]])[0] == pytest.approx(least_squares_intercept, abs=0.05)
    assert mse.coefs_[0][0, 0] * mse.target_transforms_[0].scale == pytest.approx(least_squares_slope, abs=0.05)
    assert abs(huber.predict([[0.0]])[0]) < 0.2
    assert huber.predict([[1.0]])[0] - huber.predict([[0.0]])[0] == pytest.approx(2.0, abs=0.2)


def test_msle_with_ratio_transform_trains():
    X, y = _linear_data()
    y = np.exp(y / 10)  # positive targets
    model = NumpyMLPRegressor(loss="msle", target_transform="ratio", max_epochs=5, random_state=0).fit(X, y)
    assert np.isfinite(model.loss_curve_).all()


# ----------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------


@pytest.mark.parametrize("name, value, match", [
    ("hidden_layer_sizes", (64, 0), r"hidden_layer_sizes must be a tuple of whole numbers of at least 1"),
    ("hidden_layer_sizes", "64", r"hidden_layer_sizes must be .*; got '64'"),
    ("activation", "softmax", r"activation must be one of 'identity', 'relu'.*; got 'softmax'"),
    ("loss", "MSE", r"loss must be one of 'mse'.*; got 'MSE'"),
    ("delta", 0.0, r"delta must be a finite number > 0; got 0.0"),
    ("quantile", 1.0, r"quantile must be in the open interval \(0, 1\); got 1.0"),
    ("optimizer", "rmsprop", r"optimizer must be one of 'sgd'.*; got 'rmsprop'"),
    ("learning_rate", -1e-3, r"learning_rate must be a finite number > 0; got -0.001"),
    ("learning_rate", float("nan"), r"learning_rate must be a finite number > 0; got nan"),
    ("momentum", 1.0, r"momentum must be in \[0, 1\); got 1.0"),
    ("batch_size", 0, r"batch_size must be a whole number of at least 1; got 0"),
    ("max_epochs", 2.5, r"max_epochs must be a whole number of at least 1; got 2.5"),
    ("early_stopping", "yes", r"early_stopping must be True or False; got 'yes'"),
    ("patience", True, r"patience must be a whole number of at least 1; got True"),
    ("validation_fraction", 1.5, r"validation_fraction must be in the open interval \(0, 1\); got 1.5"),
    ("weight_decay", -0.1, r"weight_decay must be a finite number >= 0; got -0.1"),
    ("schedule", "cosine", r"schedule must be one of 'constant', 'step', 'plateau'; got 'cosine'"),
    ("target_transform", "sqrt", r"target_transform must be one of 'log', 'standardize'.*; got 'sqrt'"),
    ("dtype", "float16", r"dtype must be one of 'float64', 'float32'; got 'float16'"),
    ("random_state", -1, r"random_state must be None, an int from 0 to 2\*\*32 - 1.*; got -1"),
    ("verbose", 2, r"verbose must be True or False; got 2"),
])
def test_bad_hyperparameter_named(name, value, match):
    X, y = _linear_data(n_samples=20)
    model = NumpyMLPRegressor(**{name: value})  # accepted unchanged until fit
    assert model.get_params()[name] is value
    with pytest.raises(ConfigError, match=match):
        model.fit(X, y)


def test_config_error_is_value_error():
    assert issubclass(ConfigError, ValueError)


def test_msle_with_standardize_rejected():
    X, y = _linear_data(n_samples=20)
    with pytest.raises(ConfigError, match=r"loss='msle' .* target_transform='standardize'.*'ratio'"):
        NumpyMLPRegressor(loss="msle").fit(X, np.abs(y))


def test_log_transform_names_bad_rows():
    X, y = _linear_data(n_samples=20)
    y = np.abs(y) + 1
    y[[3, 8]] = [0.0, -2.0]
    with pytest.raises(DataError, match=r"target_transform='log' needs y > 0.* rows 3, 8"):
        NumpyMLPRegressor(target_transform="log").fit(X, y)


def test_mape_zero_target_names_row():
    X, y = _linear_data(n_samples=20)
    y = np.abs(y) + 1
    y[5] = 0.0
    with pytest.raises(DataError, match=r"Column 'y' has zero values in row 5"):
        NumpyMLPRegressor(loss="mape", target_transform="ratio").fit(X, y)


def test_huge_target_names_row_of_y():
    X, y = _linear_data(n_samples=20)
    y[3] = 1e300
    with pytest.raises(DataError, match=r"the 'y' column is infinite or beyond 1e\+100 in magnitude in row 3 "):
        NumpyMLPRegressor(target_transform="none", max_epochs=2).fit(X, y)


def test_one_sample_needs_early_stopping_off():
    X, y = np.ones((1, 3)), np.ones(1)
    with pytest.raises(DataError, match="at least 2 samples; got 1 sample"):
        NumpyMLPRegressor(max_epochs=2).fit(X, y)
    model = NumpyMLPRegressor(max_epochs=2, early_stopping=False).fit(X, y)
    assert model.predict(X).shape == (1,)


# ----------------------------------------------------------------------
# Pipeline, cross-validation and grid search on Ames
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ames_sample():
    """A random 400-row subsample of Ames, so each fit takes a fraction of a second."""
    X, y, info = load_ames()
    X_sample = X.sample(400, random_state=0)
    return X_sample, y.loc[X_sample.index], info


def _ames_pipeline(info, max_epochs=15):
    features = FeaturePipeline(none_categorical=info.none_categorical, none_numeric=info.none_numeric)
    model = NumpyMLPRegressor(target_transform="log", max_epochs=max_epochs, random_state=0)
    return Pipeline([("features", features), ("mlp", model)])


def test_pipeline_predicts_prices(ames_sample):
    X, y, info = ames_sample
    pipeline = _ames_pipeline(info).fit(X, y)
    predictions = pipeline.predict(X)
    assert predictions.shape == (len(X),)
    # The log transform is inverted, so predictions are dollars: the median
    # prediction is within a factor of 1.5 of the median price.
    assert np.median(y) / 1.5 < np.median(predictions) < np.median(y) * 1.5
    assert pipeline.score(X, y) == pytest.approx(r2_score(y, predictions))


def test_cross_val_score_on_ames(ames_sample):
    X, y, info = ames_sample
    scores = cross_val_score(_ames_pipeline(info), X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    # R^2 above 0.5 on each held-out fold: the median baseline scores about 0.
    assert (scores > 0.5).all()


def test_grid_search_two_jobs_on_ames(ames_sample):
    X, y, info = ames_sample
    grid = {"mlp__loss": ["mse", "huber"], "mlp__learning_rate": [1e-3, 1e-2]}
    search = GridSearchCV(_ames_pipeline(info, max_epochs=8), grid, cv=2, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["mlp__loss"] in ("mse", "huber")
    assert search.best_params_["mlp__learning_rate"] in (1e-3, 1e-2)
    assert search.best_estimator_.named_steps["mlp"].loss == search.best_params_["mlp__loss"]

    # random_state fixes every fit, so the worker processes reproduce a
    # single-process search exactly.
    serial = GridSearchCV(_ames_pipeline(info, max_epochs=8), grid, cv=2, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])


# ----------------------------------------------------------------------
# The classifier
# ----------------------------------------------------------------------


def _blobs(n_classes=3, seed=0):
    """Return well separated Gaussian blobs in 4 dimensions with labels 0 .. n_classes - 1."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(n_classes, 4))
    labels = rng.integers(0, n_classes, size=240)
    return centres[labels] + rng.normal(size=(240, 4)), labels


def test_classifier_matches_command_line_trainer():
    # The same seed and the command line's builder give identical weights:
    # one training core for both.
    X, labels = _blobs()
    settings = Settings(hidden=(6,), epochs=5, patience=None, batch_size=16, lr=3e-3, seed=3)
    trainer = build_trainer(settings, X.shape[1], get_loss("cce"), n_outputs=3)
    trainer.fit(X, one_hot(labels, 3))

    model = NumpyMLPClassifier(hidden_layer_sizes=(6,), max_epochs=5, early_stopping=False, batch_size=16,
                               learning_rate=3e-3, random_state=3).fit(X, labels)
    np.testing.assert_array_equal(model.network_.params, trainer.network.params)


def test_classifier_keeps_string_labels():
    X, labels = _blobs()
    names = np.array(["cheap", "middle", "dear"])[labels]
    model = NumpyMLPClassifier(random_state=0).fit(X, names)
    assert list(model.classes_) == ["cheap", "dear", "middle"]
    assert set(model.predict(X)) <= set(names)
    assert model.score(X, names) > 0.9


@pytest.mark.parametrize("loss, n_outputs", [("cce", 2), ("bce", 1)])
def test_classifier_two_class_probabilities(loss, n_outputs):
    X, labels = _blobs(n_classes=2)
    model = NumpyMLPClassifier(loss=loss, random_state=0).fit(X, labels)
    probabilities = model.predict_proba(X)
    assert model.n_outputs_ == n_outputs
    assert probabilities.shape == (len(X), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), model.classes_[probabilities.argmax(axis=1)])
    assert model.score(X, labels) > 0.9


def test_classifier_bce_rejects_three_classes():
    X, labels = _blobs()
    with pytest.raises(ConfigError, match="loss='bce' takes two classes; y has 3"):
        NumpyMLPClassifier(loss="bce").fit(X, labels)


def test_classifier_rejects_regression_loss():
    X, labels = _blobs()
    with pytest.raises(ConfigError, match="NumpyMLPClassifier: loss must be one of 'bce', 'cce'; got 'mse'"):
        NumpyMLPClassifier(loss="mse").fit(X, labels)


def _ames_band_pipeline(info, max_epochs=15):
    features = FeaturePipeline(none_categorical=info.none_categorical, none_numeric=info.none_numeric)
    model = NumpyMLPClassifier(max_epochs=max_epochs, random_state=0)
    return Pipeline([("features", features), ("mlp", model)])


def test_classifier_pipeline_cross_validation_on_ames_bands(ames_sample):
    X, y, info = ames_sample
    bands = PriceBands.fit(y, 2).assign(y)
    scores = cross_val_score(_ames_band_pipeline(info), X, bands, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    # Accuracy above 0.8 on each held-out fold: the largest band alone gives about 0.5.
    assert (scores > 0.8).all()


def test_classifier_grid_search_two_jobs_on_ames_bands(ames_sample):
    X, y, info = ames_sample
    bands = PriceBands.fit(y, 4).assign(y)
    grid = {"mlp__learning_rate": [1e-3, 1e-2], "mlp__weight_decay": [0.0, 1e-2]}
    search = GridSearchCV(_ames_band_pipeline(info, max_epochs=8), grid, cv=2, n_jobs=2).fit(X, bands)
    serial = GridSearchCV(_ames_band_pipeline(info, max_epochs=8), grid, cv=2, n_jobs=1).fit(X, bands)
    assert len(search.cv_results_["params"]) == 4
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
    assert search.best_estimator_.predict(X.iloc[:5]).dtype.kind == "i"
