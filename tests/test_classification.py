"""Tests of housing.classification: price bands and their labels, metrics against
hand-worked cases, settings and task errors, and price-band classifiers trained
end to end on Ames through the Python API and the command line."""

import json

import numpy as np
import pandas as pd
import pytest

from housing.classification import (
    ClassificationSettings,
    PriceBands,
    classification_metrics,
    format_price_range,
    largest_band_baseline,
    one_hot,
    output_width,
    run_classification,
)
from housing.cli import main
from housing.datasets import DATA_DIR, read_csv_features
from housing.errors import ConfigError, DataError, ModelFileError
from housing.model import PriceBandModel
from housing.persistence import load_model
from housing.plotting import plot_confusion_matrix


@pytest.fixture(scope="module")
def two_band_run():
    return run_classification(ClassificationSettings(bands=2))


@pytest.fixture(scope="module")
def four_band_run():
    return run_classification(ClassificationSettings())


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("classify")
    status = main(["train", "--task", "classify", "--out", str(out), "--progress-every", "50"])
    return status, out


# Price bands


def test_bands_cut_at_quartiles():
    # Eight prices 100..800: NumPy's linear quantile at q sits at position 7q, so the
    # quartiles are 200 + 0.75 * 100 = 275, 450 and 625.
    prices = np.arange(100.0, 900.0, 100.0)
    bands = PriceBands.fit(prices, 4)
    assert bands.edges == [275.0, 450.0, 625.0]
    assert bands.n_bands == 4
    np.testing.assert_array_equal(bands.assign(prices), [0, 0, 1, 1, 2, 2, 3, 3])


def test_two_bands_cut_at_median():
    prices = pd.Series([120_000.0, 300_000.0, 90_000.0, 150_000.0, 210_000.0])
    bands = PriceBands.fit(prices, 2)
    assert bands.edges == [150_000.0]
    # A price equal to an edge belongs to the band above it.
    np.testing.assert_array_equal(bands.assign(prices), [0, 1, 0, 1, 1])


def test_bands_cover_every_price():
    bands = PriceBands([130_000.0, 160_000.0])
    np.testing.assert_array_equal(bands.assign([1.0, 129_999.0, 130_000.0, 159_999.0, 1e9]), [0, 0, 1, 1, 2])


def test_band_labels_in_dollars():
    bands = PriceBands([130_000.0, 160_000.0, 214_000.0])
    assert bands.labels("USD") == ["under $130k", "$130k–$160k", "$160k–$214k", "$214k and over"]


def test_band_labels_in_rupees():
    assert PriceBands([4_000_000.0, 6_000_000.0]).labels("INR") == [
        "under ₹40 lakh", "₹40–60 lakh", "₹60 lakh and over"]


@pytest.mark.parametrize("low, high, currency, expected", [
    (130_000, 160_000, "USD", "$130k–$160k"),
    (4_000_000, 6_000_000, "INR", "₹40–60 lakh"),
    (8_000_000, 12_000_000, "INR", "₹80 lakh–₹1.2 crore"),
    (20_000_000, 35_000_000, "inr", "₹2–3.5 crore"),
    (950, 1_500, "USD", "$950–$1.5k"),
])
def test_format_price_range(low, high, currency, expected):
    assert format_price_range(low, high, currency) == expected


def test_band_labels_add_digits_until_distinct():
    # With three digits both edges read "$160k".
    assert PriceBands([160_000.0, 160_400.0]).labels() == ["under $160k", "$160k–$160.4k", "$160.4k and over"]


def test_bands_with_repeated_cut_point_raise():
    prices = np.array([100.0] * 6 + [200.0, 300.0])
    with pytest.raises(DataError, match=r"'price'.*4 bands.*\$100.*--bands"):
        PriceBands.fit(prices, 4)


def test_bands_with_missing_price_raise():
    prices = pd.Series([1.0, np.nan, 3.0], index=[10, 11, 12])
    with pytest.raises(DataError, match=r"'SalePrice'.*rows 11\b"):
        PriceBands.fit(prices, 2, column="SalePrice")


@pytest.mark.parametrize("edges", [[], [2.0, 1.0], [1.0, 1.0], [np.inf]])
def test_invalid_band_edges_raise(edges):
    with pytest.raises(ValueError, match="band edges"):
        PriceBands(edges)


def test_bands_round_trip_through_json():
    bands = PriceBands([129_500.0, 160_000.0, 213_500.0])
    assert PriceBands.from_dict(json.loads(json.dumps(bands.to_dict()))) == bands


# Targets


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0.5, 1]])
def test_one_hot_rejects_bad_labels(labels):
    with pytest.raises(ValueError, match="whole numbers from 0 to 2"):
        one_hot(labels, 3)


def test_output_width():
    assert output_width("bce", 2) == 1
    assert output_width("cce", 2) == 2
    assert output_width("cce", 5) == 5


# Metrics, worked by hand


def test_classification_metrics_by_hand():
    y_true = [0, 0, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 0]
    metrics = classification_metrics(y_true, y_pred, 3)
    assert metrics["accuracy"] == 3 / 5
    assert metrics["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    # Band 0: predicted twice, right once. Band 1: predicted 3 times, right twice. Band 2: never predicted.
    assert metrics["precision"] == pytest.approx([1 / 2, 2 / 3, 0.0])
    assert metrics["recall"] == pytest.approx([1 / 2, 1.0, 0.0])
    assert metrics["support"] == [2, 2, 1]
    assert "log_loss" not in metrics


def test_classification_metrics_log_loss_by_hand():
    # Probabilities of the true band: 0.5 and 0.25, so the log loss is (ln 2 + ln 4) / 2.
    probabilities = np.array([[0.5, 0.5], [0.75, 0.25]])
    metrics = classification_metrics([0, 1], [0, 0], 2, probabilities)
    assert metrics["log_loss"] == pytest.approx((np.log(2) + np.log(4)) / 2, rel=1e-12)


def test_classification_metrics_keep_absent_bands():
    metrics = classification_metrics([0, 0], [0, 0], 4)
    assert len(metrics["confusion_matrix"]) == 4
    assert metrics["support"] == [2, 0, 0, 0]


def test_largest_band_baseline_takes_lowest_on_tie():
    band, predictions = largest_band_baseline([0, 2, 2, 1, 1], 3, 3)
    assert band == 1
    np.testing.assert_array_equal(predictions, [1, 1, 1])


# Settings and task errors


def test_loss_defaults_by_band_count():
    assert ClassificationSettings(bands=2).loss == "bce"
    assert ClassificationSettings().loss == "cce"
    assert ClassificationSettings(bands=2, loss="cce").validate().loss == "cce"


@pytest.mark.parametrize("options, words", [
    ({"loss": "mse"}, ["'mse' is a regression loss", "bce (2 bands)"]),
    ({"loss": "bce", "bands": 4}, ["'bce'", "--bands is 4", "--loss cce"]),
    ({"bands": 1}, ["--bands", "at least 2"]),
    ({"target_transform": "log"}, ["--target-transform", "--task regress"]),
    ({"loss": "hinge"}, ["Unknown loss 'hinge'"]),
])
def test_invalid_settings_raise(options, words):
    with pytest.raises(ConfigError) as error:
        ClassificationSettings(**options).validate()
    for word in words:
        assert word in str(error.value)


def test_settings_record_task_and_bands():
    values = ClassificationSettings(bands=3).to_dict()
    assert values["task"] == "classification"
    assert values["bands"] == 3
    assert values["loss"] == "cce"


@pytest.mark.parametrize("arguments, words", [
    (["train", "--task", "classify", "--loss", "mse"], ["'mse' is a regression loss", "--task classify"]),
    (["train", "--loss", "bce"], ["'bce' is a classification loss", "Regression losses (--task regress): mse"]),
    (["train", "--loss", "cce"], ["'cce' is a classification loss"]),
    (["train", "--bands", "3"], ["--bands 3 applies to --task classify only"]),
    (["train", "--task", "classify", "--bands", "4", "--loss", "bce"], ["--loss cce"]),
    (["compare", "--losses", "bce"], ["'bce' is a classification loss"]),
])
def test_loss_for_wrong_task_exits_2(arguments, words, tmp_path, capsys):
    assert main([*arguments, "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1
    for word in words:
        assert word in error


# Training on Ames


def test_two_bands_accuracy(two_band_run):
    test = two_band_run.metrics["test"]
    assert test["accuracy"] >= 0.90
    assert test["accuracy"] > two_band_run.metrics["baseline"]["accuracy"] + 0.3
    assert two_band_run.model.network.n_outputs == 1
    assert two_band_run.model.loss["name"] == "bce"


def test_four_bands_accuracy(four_band_run):
    test = four_band_run.metrics["test"]
    assert test["accuracy"] >= 0.75
    assert test["accuracy"] > four_band_run.metrics["baseline"]["accuracy"] + 0.3
    assert four_band_run.model.network.n_outputs == 4
    assert four_band_run.model.loss["name"] == "cce"


def test_bands_fitted_on_training_split_only(four_band_run):
    from housing.experiment import load_data, split_data

    settings = ClassificationSettings()
    X, y, info = load_data(settings)
    split = split_data(X, y, info, settings)
    expected = np.quantile(split.y_train.to_numpy(), [0.25, 0.5, 0.75])
    np.testing.assert_array_equal(four_band_run.model.bands.edges, expected)
    assert not np.array_equal(four_band_run.model.bands.edges, np.quantile(y.to_numpy(), [0.25, 0.5, 0.75]))


def test_metrics_match_predictions(four_band_run):
    # The confusion matrix and accuracy agree with the stored test predictions.
    true, predicted = four_band_run.true_bands["test"], four_band_run.predicted_bands["test"]
    matrix = np.array(four_band_run.metrics["test"]["confusion_matrix"])
    assert matrix.sum() == len(true)
    assert np.trace(matrix) == np.sum(true == predicted)
    assert four_band_run.metrics["test"]["accuracy"] == np.mean(true == predicted)


def test_probabilities_sum_to_one(two_band_run, four_band_run):
    for result in (two_band_run, four_band_run):
        probabilities = result.probabilities["test"]
        assert probabilities.shape == (len(result.true_bands["test"]), result.model.bands.n_bands)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
        assert (probabilities >= 0).all()


def test_same_seed_same_numbers_twice():
    first = run_classification(ClassificationSettings(bands=2, epochs=5))
    second = run_classification(ClassificationSettings(bands=2, epochs=5))
    assert first.metrics == second.metrics
    np.testing.assert_array_equal(first.model.network.params, second.model.network.params)


# The command line


def test_train_classify_writes_every_file(cli_run):
    status, out = cli_run
    assert status == 0
    for name in ["model.npz", "model.json", "metrics.json", "history.csv", "loss_curves.png",
                 "confusion_matrix.png"]:
        assert (out / name).is_file(), name


def test_metrics_json_holds_test_accuracy(cli_run, four_band_run):
    _, out = cli_run
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["task"] == "classification"
    assert metrics["test"]["accuracy"] == four_band_run.metrics["test"]["accuracy"]
    assert len(metrics["test"]["precision"]) == 4
    assert len(metrics["test"]["recall"]) == 4
    assert metrics["baseline"]["accuracy"] < 0.5
    assert metrics["bands"]["labels"][1].startswith("$")
    assert metrics["config"]["bands"] == 4


def test_train_classify_prints_bands_and_baseline(tmp_path, capsys):
    arguments = ["train", "--task", "classify", "--bands", "2", "--epochs", "3", "--currency", "INR",
                 "--out", str(tmp_path)]
    assert main(arguments) == 0
    output = capsys.readouterr().out
    assert "329 -> 64 -> 32 -> 1 (1 logit, sigmoid)" in output
    assert "under ₹1.6 lakh" in output
    assert "precision" in output
    assert "always predicting the largest training band" in output
    assert str(tmp_path / "confusion_matrix.png") in output


def test_predict_prints_band_range_and_probabilities(cli_run, tmp_path, capsys):
    _, out = cli_run
    rows = pd.read_csv(DATA_DIR / "ames.csv.gz").head(12)
    rows.drop(columns=["price"]).to_csv(tmp_path / "houses.csv", index=False)
    capsys.readouterr()
    status = main(["predict", "--model", str(out), "--input", str(tmp_path / "houses.csv"),
                   "--output", str(tmp_path / "banded.csv")])
    assert status == 0
    output = capsys.readouterr().out
    model = load_model(out)
    labels = model.band_labels()
    assert "probability of each band" in output
    assert all(label in output for label in labels)

    banded = pd.read_csv(tmp_path / "banded.csv")
    probability_columns = [f"probability_band_{band}" for band in range(4)]
    expected = model.predict_proba(read_csv_features(tmp_path / "houses.csv"))
    np.testing.assert_array_equal(banded[probability_columns].to_numpy(), expected)
    np.testing.assert_array_equal(banded["predicted_band"], expected.argmax(axis=1))
    assert banded["predicted_price_range"].tolist() == [labels[band] for band in expected.argmax(axis=1)]


# Saving and loading


def test_saved_model_round_trip(cli_run, four_band_run):
    _, out = cli_run
    model = load_model(out)
    assert isinstance(model, PriceBandModel)
    assert model.bands == four_band_run.model.bands
    assert json.loads((out / "model.json").read_text())["task"] == "classification"
    frame = pd.read_csv(DATA_DIR / "ames.csv.gz").head(20).drop(columns=["price"])
    np.testing.assert_array_equal(model.predict_proba(frame), four_band_run.model.predict_proba(frame))


def test_model_file_without_bands_raises(cli_run, tmp_path):
    _, out = cli_run
    for name in ("model.npz", "model.json"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    config = json.loads((tmp_path / "model.json").read_text())
    del config["bands"]
    (tmp_path / "model.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match=r"model\.json has invalid price bands"):
        load_model(tmp_path)


def test_band_model_rejects_wrong_output_width(two_band_run):
    model = two_band_run.model
    with pytest.raises(ValueError, match="4 price bands needs 4 outputs; got 1"):
        PriceBandModel(model.network, model.pipeline, PriceBands([1.0, 2.0, 3.0]), model.loss)


# The confusion-matrix figure


def test_confusion_matrix_figure_cells_and_labels():
    labels = PriceBands([130_000.0, 160_000.0]).labels("USD")
    fig = plot_confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], labels)
    ax = fig.axes[0]
    texts = [text.get_text() for text in ax.texts]
    # Row 0 (2 sales): 1 right, 1 called band 1. Row 2 (3 sales): 2 right, 1 called band 0.
    assert texts == ["1\n50%", "1\n50%", "0\n0%", "0\n0%", "1\n100%", "0\n0%", "1\n33%", "0\n0%", "2\n67%"]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == [r"under \$130k", r"\$130k–\$160k",
                                                                   r"\$160k and over"]
    assert ax.get_xlabel() == "Predicted price band"
    assert ax.get_ylabel() == "Actual price band"
    assert "accuracy 0.667" in ax.get_title()


def test_confusion_matrix_rejects_unknown_band():
    with pytest.raises(DataError, match="band 3.*bands 0 to 1"):
        plot_confusion_matrix([0, 1], [0, 3], ["cheap", "dear"])
