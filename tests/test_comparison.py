"""Comparing losses: outlier injection, determinism, parallel runs and the robustness lesson."""

import numpy as np
import pandas as pd
import pytest

from housing.comparison import COMPARISON_COLUMNS, OUTLIER_FACTOR, compare_losses, inject_outliers
from housing.errors import ConfigError
from housing.experiment import Settings, load_data, seed_stream, split_data


def test_outlier_count_and_factor():
    y = pd.Series(np.arange(1.0, 201.0), index=np.arange(1000, 1200))
    corrupted, rows = inject_outliers(y, 0.05, np.random.default_rng(0))
    assert len(rows) == 10
    changed = corrupted[corrupted != y]
    assert sorted(changed.index) == sorted(rows)
    np.testing.assert_array_equal(changed.to_numpy(), y[changed.index].to_numpy() * OUTLIER_FACTOR)
    assert y.iloc[0] == 1.0  # the input is not modified


def test_outliers_follow_the_seed():
    y = pd.Series(np.arange(100.0))
    _, first = inject_outliers(y, 0.1, np.random.default_rng(4))
    _, again = inject_outliers(y, 0.1, np.random.default_rng(4))
    _, other = inject_outliers(y, 0.1, np.random.default_rng(5))
    assert first == again
    assert first != other


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 2.0])
def test_bad_outlier_fraction_rejected(fraction):
    with pytest.raises(ConfigError, match="--outliers"):
        inject_outliers(pd.Series([1.0, 2.0]), fraction, np.random.default_rng(0))


def test_only_training_rows_change():
    settings = Settings(seed=3)
    X, y, info = load_data(settings)
    split = split_data(X, y, info, settings)
    corrupted, rows = inject_outliers(split.y_train, 0.05, seed_stream(settings.seed, "outliers"))
    assert set(rows) <= set(split.y_train.index)
    assert not set(rows) & set(split.y_val.index)
    assert not set(rows) & set(split.y_test.index)
    assert len(rows) == round(0.05 * len(split.y_train))


FAST = dict(epochs=15, patience=None, hidden=(16,))


def _numbers(table):
    return table.drop(columns="seconds")


def test_same_command_same_table():
    first = compare_losses(Settings(**FAST), ["mse", "mae"], outliers=0.02)
    second = compare_losses(Settings(**FAST), ["mse", "mae"], outliers=0.02)
    assert list(first.table.columns) == COMPARISON_COLUMNS
    pd.testing.assert_frame_equal(_numbers(first.table), _numbers(second.table))
    assert first.corrupted_rows == second.corrupted_rows


def test_parallel_equals_serial():
    serial = compare_losses(Settings(**FAST), ["mse", "huber", "logcosh"], outliers=0.02, n_jobs=1)
    parallel = compare_losses(Settings(**FAST), ["mse", "huber", "logcosh"], outliers=0.02, n_jobs=2)
    pd.testing.assert_frame_equal(_numbers(serial.table), _numbers(parallel.table))
    for name in serial.predictions:
        np.testing.assert_array_equal(serial.predictions[name], parallel.predictions[name])


def test_table_sorted_by_rmse():
    comparison = compare_losses(Settings(**FAST), ["mse", "mae", "huber"])
    rmse = comparison.table["rmse"].to_numpy()
    assert np.all(np.diff(rmse) >= 0)


def test_unknown_or_repeated_loss_rejected():
    with pytest.raises(ConfigError, match="mse"):
        compare_losses(Settings(**FAST), ["mse", "hinge"])
    with pytest.raises(ConfigError, match="more than once"):
        compare_losses(Settings(**FAST), ["mse", "mse"])
    with pytest.raises(ConfigError, match="classification loss"):
        compare_losses(Settings(**FAST), ["mse", "bce"])


def test_robust_losses_ignore_corrupted_prices():
    # With 5% of training prices multiplied by 10, MSE chases them: its test
    # MAE must be worse than that of MAE or Huber at the default settings.
    comparison = compare_losses(Settings(), ["mse", "mae", "huber"], outliers=0.05)
    test_mae = comparison.table.set_index("loss")["mae"]
    assert min(test_mae["mae"], test_mae["huber"]) < test_mae["mse"]
