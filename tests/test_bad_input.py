"""Every kind of bad input gets a short message, exit status 2 and no traceback."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from housing.cli import main
from housing.datasets import DATA_DIR, load_csv
from housing.errors import DataError
from housing.persistence import CONFIG_FILE, WEIGHTS_FILE


def _good_rows(n=12):
    return ["area,rooms,price"] + [f"{1000 + 10 * i},{1 + i % 4},{100000 + 1000 * i}" for i in range(n)]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def _expect_error(capsys, arguments, *words):
    status = main(arguments)
    error = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in error
    assert 1 <= len(error.strip().splitlines()) <= 2
    for word in words:
        assert word in error, (word, error)
    return error


# ----------------------------------------------------------------------
# Data files
# ----------------------------------------------------------------------


def test_missing_file(tmp_path, capsys):
    _expect_error(capsys, ["train", "--data", str(tmp_path / "sales.csv"), "--target", "price",
                           "--out", str(tmp_path / "out")], "sales.csv", "not found")


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "empty.csv", "empty")


def test_header_only(tmp_path, capsys):
    path = _write(tmp_path / "header.csv", ["area,price"])
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "header.csv", "no data rows")


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 4)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "photo.csv", "not a CSV")


def test_too_few_rows(tmp_path, capsys):
    path = _write(tmp_path / "few.csv", _good_rows(4))
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "few.csv", "fewer than", "10")


def test_target_missing_suggests_closest(tmp_path, capsys):
    path = _write(tmp_path / "sales.csv", _good_rows())
    _expect_error(capsys, ["train", "--data", str(path), "--target", "prices", "--out", str(tmp_path / "o")],
                  "'prices' not found", "'area'", "did you mean 'price'")


def test_target_not_numeric(tmp_path, capsys):
    lines = _good_rows()
    lines[3] = "1020,3,expensive"
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "'price'", "row 2", "expensive")


def test_target_all_missing(tmp_path, capsys):
    lines = ["area,price"] + [f"{1000 + i}," for i in range(12)]
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "'price'", "no values")


def test_target_partly_missing_names_rows(tmp_path, capsys):
    lines = _good_rows()
    lines[2] = "1010,2,"
    lines[3] = "1020,3,NA"
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "'price'", "rows 1, 2")


def test_unparsable_feature_cell_named(tmp_path, capsys):
    lines = _good_rows()
    lines[4] = '"12O,000",3,130000'
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                  "'area'", "row 3", "12O,000")


# ----------------------------------------------------------------------
# Targets a loss cannot take
# ----------------------------------------------------------------------


def test_zero_price_with_mape_names_row(tmp_path, capsys):
    lines = _good_rows()
    lines[2] = "1010,2,0"
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--loss", "mape",
                           "--out", str(tmp_path / "o")], "'price'", "row 1", "mae")
    assert not (tmp_path / "o" / "model.npz").exists()


def test_negative_price_with_msle_names_rows(tmp_path, capsys):
    lines = _good_rows()
    lines[5] = "1040,1,-5"
    lines[8] = "1070,4,-1"
    path = _write(tmp_path / "sales.csv", lines)
    _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--loss", "msle",
                           "--out", str(tmp_path / "o")], "'price'", "4", "7")


# ----------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------


@pytest.mark.parametrize("arguments, words", [
    (["--lr", "-0.1"], ["learning rate", "-0.1"]),
    (["--epochs", "0"], ["epochs", "0"]),
    (["--patience", "-2"], ["patience", "-2"]),
    (["--weight-decay", "-1"], ["weight decay"]),
    (["--delta", "0", "--loss", "huber"], ["delta"]),
    (["--quantile", "1.5", "--loss", "quantile"], ["tau", "1.5"]),
    (["--schedule", "cosine"], ["constant, step, plateau"]),
    (["--momentum", "1.5", "--optimizer", "momentum"], ["momentum", "1.5"]),
    (["--currency", "EUR"], ["--currency", "EUR"]),
    (["--data", "boston"], ["boston", "ames"]),
    (["--data", "sales.csv"], ["sales.csv", "not found"]),
    (["--target", "area"], ["--target area", "price"]),
    (["--quantile", "0.9"], ["--quantile", "--loss quantile"]),
    (["--delta", "2"], ["--delta", "--loss huber"]),
    (["--seed", "99999999999999"], ["seed", "99999999999999"]),
    (["--los", "mae"], ["unrecognized arguments", "--los"]),
])
def test_out_of_range_options(arguments, words, tmp_path, capsys):
    _expect_error(capsys, ["train", *arguments, "--out", str(tmp_path)], *words)


def test_csv_without_target_option(tmp_path, capsys):
    path = _write(tmp_path / "sales.csv", _good_rows())
    _expect_error(capsys, ["train", "--data", str(path), "--out", str(tmp_path / "o")], "--target is required")


def test_output_folder_not_writable(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    _expect_error(capsys, ["train", "--out", str(blocker / "run")], "output folder", "--out")


# ----------------------------------------------------------------------
# Predict-time problems with the model folder or the input
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    assert main(["train", "--epochs", "2", "--out", str(out)]) == 0
    rows = tmp_path_factory.mktemp("rows") / "rows.csv"
    pd.read_csv(DATA_DIR / "ames.csv.gz").head(3).to_csv(rows, index=False)
    return out, rows


def _copy_model(source, target):
    target.mkdir()
    for name in (WEIGHTS_FILE, CONFIG_FILE):
        (target / name).write_bytes((source / name).read_bytes())
    return target


def test_predict_no_model(model_folder, tmp_path, capsys):
    _, rows = model_folder
    _expect_error(capsys, ["predict", "--model", str(tmp_path / "none"), "--input", str(rows)],
                  "no model folder", "none")


def test_predict_invalid_json(model_folder, tmp_path, capsys):
    source, rows = model_folder
    folder = _copy_model(source, tmp_path / "m")
    (folder / CONFIG_FILE).write_text("{")
    _expect_error(capsys, ["predict", "--model", str(folder), "--input", str(rows)], "model.json", "not valid JSON")


def test_predict_incompatible_version(model_folder, tmp_path, capsys):
    source, rows = model_folder
    folder = _copy_model(source, tmp_path / "m")
    config = json.loads((folder / CONFIG_FILE).read_text())
    config["format_version"] = 7
    (folder / CONFIG_FILE).write_text(json.dumps(config))
    _expect_error(capsys, ["predict", "--model", str(folder), "--input", str(rows)], "version 7", "train the model again")


def test_predict_shape_mismatch(model_folder, tmp_path, capsys):
    source, rows = model_folder
    folder = _copy_model(source, tmp_path / "m")
    config = json.loads((folder / CONFIG_FILE).read_text())
    config["architecture"]["hidden"] = [64, 16]
    (folder / CONFIG_FILE).write_text(json.dumps(config))
    _expect_error(capsys, ["predict", "--model", str(folder), "--input", str(rows)], "W1", "shape")


def test_predict_missing_feature_column(model_folder, tmp_path, capsys):
    source, rows = model_folder
    frame = pd.read_csv(rows).drop(columns=["Neighborhood"])
    frame.to_csv(tmp_path / "rows.csv", index=False)
    _expect_error(capsys, ["predict", "--model", str(source), "--input", str(tmp_path / "rows.csv")],
                  "'Neighborhood'")


def test_predict_output_not_writable(model_folder, tmp_path, capsys):
    source, rows = model_folder
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _expect_error(capsys, ["predict", "--model", str(source), "--input", str(rows),
                           "--output", str(blocker / "priced.csv")], "--output")


def test_predict_output_is_a_folder(model_folder, tmp_path, capsys):
    source, rows = model_folder
    _expect_error(capsys, ["predict", "--model", str(source), "--input", str(rows), "--output", str(tmp_path)],
                  "--output", "is a folder")


def test_predict_output_is_the_input(model_folder, tmp_path, capsys):
    source, rows = model_folder
    before = rows.read_bytes()
    _expect_error(capsys, ["predict", "--model", str(source), "--input", str(rows), "--output", str(rows)],
                  "is the input file")
    assert rows.read_bytes() == before


def test_predict_output_keeps_input_text(model_folder, tmp_path, capsys):
    source, rows = model_folder
    assert main(["predict", "--model", str(source), "--input", str(rows), "--output", str(tmp_path / "o.csv")]) == 0
    written = (tmp_path / "o.csv").read_text().splitlines()
    original = rows.read_text().splitlines()
    assert written[0] == original[0] + ",predicted_price"
    assert written[1].startswith(original[1] + ",")  # PID 526301100 stays, not 526301100.0


def test_model_paths_never_followed(model_folder, tmp_path, capsys):
    # A model.json naming a weights file elsewhere is not followed: only the
    # folder's own model.npz is read, and its checksum must match.
    source, rows = model_folder
    folder = _copy_model(source, tmp_path / "m")
    config = json.loads((folder / CONFIG_FILE).read_text())
    config["weights_file"] = str(tmp_path / "elsewhere.npz")
    (folder / CONFIG_FILE).write_text(json.dumps(config))
    assert main(["predict", "--model", str(folder), "--input", str(rows)]) == 0
    assert not (tmp_path / "elsewhere.npz").exists()


def test_debug_shows_traceback(tmp_path):
    with pytest.raises(DataError):
        main(["train", "--data", str(tmp_path / "x.csv"), "--target", "price", "--debug", "--out", str(tmp_path)])


# ----------------------------------------------------------------------
# Any CSV text: parsed or rejected with DataError, never another exception
# ----------------------------------------------------------------------

_CELLS = st.one_of(
    st.integers(-10**9, 10**9).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["", "NA", "$245,000", "12,00,000", "₹ 37,50,000", "Pune", "1,400", "abc", "  ", "-", "1e400"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=0, max_size=14))
def test_csv_loader_parses_or_rejects(rows, tmp_path):
    path = tmp_path / "random.csv"
    frame = pd.DataFrame(rows, columns=["a", "b", "price"]) if rows else pd.DataFrame(columns=["a", "b", "price"])
    frame.to_csv(path, index=False)
    try:
        X, y, _ = load_csv(path, "price")
    except DataError as error:
        assert str(error)
        return
    assert np.all(np.isfinite(y.to_numpy()))
    assert len(X) == len(y) >= 10
    for column in X.columns:
        values = X[column]
        if values.dtype == np.float64:
            assert not np.isinf(values).any()


@pytest.mark.parametrize("row", [1, 5, 9])
def test_non_positive_price_with_log_transform_names_row(row, tmp_path, capsys):
    # Wherever the split puts the row, training stops before it starts.
    lines = _good_rows()
    lines[row + 1] = f"{1000 + 10 * row},2,-5"
    path = _write(tmp_path / "sales.csv", lines)
    error = _expect_error(capsys, ["train", "--data", str(path), "--target", "price", "--out", str(tmp_path / "o")],
                          "'price'", "0 or below", "--target-transform standardize")
    assert f"row {row}," in error


def test_predict_error_names_input_file(model_folder, tmp_path, capsys):
    source, rows = model_folder
    frame = pd.read_csv(rows)
    frame["Lot.Area"] = frame["Lot.Area"].astype(object)
    frame.loc[0, "Lot.Area"] = "big"
    frame.to_csv(tmp_path / "rows.csv", index=False)
    _expect_error(capsys, ["predict", "--model", str(source), "--input", str(tmp_path / "rows.csv")],
                  "rows.csv", "Lot.Area")
