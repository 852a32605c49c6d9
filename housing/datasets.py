"""Data loaders: the embedded Ames data, California housing, and any CSV file.

Every loader returns ``(X, y, info)``: a DataFrame of features only (numeric
columns as float64, text columns as object), the target as a float64 Series,
and a `DatasetInfo`. The index of ``X`` and ``y`` is the data row number
counting from 0, so later errors can name the row in the file.

The Ames file ships in ``data/`` and its SHA-256 is checked on every load.
California housing is fetched once through scikit-learn and cached as a
gzipped CSV in ``data/``; this module never loads a pickle.

References
----------
De Cock, D. (2011). "Ames, Iowa: Alternative to the Boston Housing Data as an
End of Semester Regression Project." Journal of Statistics Education 19(3).
"""

from __future__ import annotations

import csv
import difflib
import gzip
import hashlib
import io
import os
import re
import tempfile
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, DataError
from .preprocessing import MAX_ABS_VALUE

__all__ = [
    "DATA_DIR",
    "MIN_ROWS",
    "DatasetInfo",
    "load_ames",
    "load_california",
    "load_csv",
    "load_dataset",
    "parse_number",
    "read_csv_features",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Fewer rows than this cannot be split into training, validation and test sets
# that each hold more than a row or two.
MIN_ROWS = 10

_AMES_FILE = "ames.csv.gz"
_AMES_SHA256 = "d80b19521cc7ee66db54fc783bc91e175d4854e5d30d8d6a9a29941a65fadeaa"
_AMES_IDENTIFIERS = ("Order", "PID")
_AMES_LARGE_AREA = 4000  # square feet of above-grade living area

# In the Ames data a missing value in these text columns means "none": no
# alley access, veneer, basement, fireplace, garage, pool, fence or extra
# feature. It is unknown only in a few rows, listed in data/README.md:
# 3 basements without Bsmt.Exposure, 1 without BsmtFin.Type.2, 2 detached
# garages without finish, quality or condition, and 23 rows of unknown veneer.
_AMES_NONE_CATEGORICAL = (
    "Alley",
    "Mas.Vnr.Type",
    "Bsmt.Qual",
    "Bsmt.Cond",
    "Bsmt.Exposure",
    "BsmtFin.Type.1",
    "BsmtFin.Type.2",
    "Fireplace.Qu",
    "Garage.Type",
    "Garage.Finish",
    "Garage.Qual",
    "Garage.Cond",
    "Pool.QC",
    "Fence",
    "Misc.Feature",
)

# Numeric columns whose missing value means 0: the two houses with missing
# basement areas or basement bathrooms (rows 1341 and 1497) have no basement.
# Garage.Cars, Garage.Area and Mas.Vnr.Area are not listed: houses without a
# garage or veneer already hold 0 there, and their only missing values belong
# to a house with a detached garage and to 23 houses of unknown veneer.
# Garage.Yr.Blt is missing for the 157 houses without a garage, but a year of
# 0 would be absurd. The imputer fills it, and Garage.Type NA marks those houses.
_AMES_NONE_NUMERIC = (
    "BsmtFin.SF.1",
    "BsmtFin.SF.2",
    "Bsmt.Unf.SF",
    "Total.Bsmt.SF",
    "Bsmt.Full.Bath",
    "Bsmt.Half.Bath",
)

_AMES_SOURCE = (
    "De Cock (2011), Ames, Iowa housing data, Journal of Statistics Education 19(3); "
    "openintro R package table 'ames'"
)
_AMES_NOTES = (
    "2,930 residential sales in Ames, Iowa, 2006 to 2010; price is the sale price in US dollars. "
    "MS.SubClass is a dwelling-type code and is loaded as text. "
    "Lot.Frontage NA is unknown; Garage.Yr.Blt NA means no garage (or, in 2 rows, unknown) and "
    "is left to the imputer. Five houses have over 4,000 square feet of living area "
    "(load_ames(drop_large_houses=True) removes them). See data/README.md."
)

_CALIFORNIA_FILE = "california.csv.gz"
_CALIFORNIA_FEATURES = (
    "MedInc",
    "HouseAge",
    "AveRooms",
    "AveBedrms",
    "Population",
    "AveOccup",
    "Latitude",
    "Longitude",
)
_CALIFORNIA_TARGET = "MedHouseVal"  # median house value in units of 100,000 US dollars
_CALIFORNIA_SOURCE = (
    "Pace and Barry (1997), California housing from the 1990 US census, "
    "through scikit-learn's fetch_california_housing"
)
_CALIFORNIA_NOTES = (
    "20,640 census block groups in California, 1990. price is MedHouseVal times 100,000: "
    "the median house value of the block group in US dollars, capped at 500,001 in the source."
)

_COLUMNS_LISTED = 30  # columns named in a "target column not found" message
_ROWS_LISTED = 10  # rows named in a "missing target" message


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about a loaded data set that preprocessing and reports need.

    Attributes
    ----------
    name : str
        "ames", "california", or the CSV file name.
    target : str
        Name of the target column, and of the returned Series.
    currency : str
        ISO code of the target's currency, "USD" or "INR".
    source : str
        One-line citation, or the path of the CSV file.
    n_rows : int
        Number of rows returned.
    none_categorical : tuple of str
        Text columns where a missing value means "none" rather than "unknown".
    none_numeric : tuple of str
        Numeric columns where a missing value means 0.
    dropped_columns : tuple of str
        Identifier columns removed from the features.
    notes : str
        Units, caveats and decisions, in sentences.
    """

    name: str
    target: str
    currency: str
    source: str
    n_rows: int
    none_categorical: tuple[str, ...] = ()
    none_numeric: tuple[str, ...] = ()
    dropped_columns: tuple[str, ...] = ()
    notes: str = ""


# ----------------------------------------------------------------------
# Numbers written as text
# ----------------------------------------------------------------------

_CURRENCY = r"(?:US\$|\$|₹|₨|€|£|¥|Rs\.?|INR|USD|EUR|GBP)"
_NUMBER_PATTERN = re.compile(
    rf"""
    (?P<sign>[+-]?)\s*
    (?:{_CURRENCY}\s*)?
    (?P<inner_sign>[+-]?)
    (?P<whole>
        \d{{1,3}}(?:,\d{{3}})+             # Western grouping: 245,000
      | \d{{1,2}}(?:,\d{{2}})+,\d{{3}}     # Indian grouping: 12,00,000
      | \d*                                # no grouping
    )
    (?P<fraction>\.\d*)?
    (?P<exponent>[eE][+-]?\d+)?
    \s*(?:{_CURRENCY})?
    \s*(?:/-)?                             # "5,00,000/-", common on Indian price lists
    """,
    re.VERBOSE | re.IGNORECASE,
)
_INDIAN_GROUPING = re.compile(r"\d,\d\d,\d{3}")
_RUPEE_MARK = re.compile(r"₹|₨|\bRs\b|\bINR\b", re.IGNORECASE)

# Text made of digits, separators (, . space), currency marks, signs in front,
# parentheses around and an exponent: what a number looks like in any
# spreadsheet format, including those `parse_number` rejects ("1.200,50").
# Signs only in front keep dates such as "2010-05-01" out.
_LOOKS_NUMERIC = re.compile(
    rf"""
    \(?\s*[+-]?\s*(?:{_CURRENCY}\s*)?[+-]?\s*\(?\s*
    [\d.,\s]*\d[\d.,\s]*
    (?:[eE][+-]?\d+)?
    \s*\)?\s*(?:{_CURRENCY})?\s*(?:/-)?\s*\)?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_NUMBER_ADVICE = "write numbers like 1200.50 (a dot for decimals, commas only between thousands)"


class _OutOfRangeError(ValueError):
    """A well-formed number too large for float64, such as "1e400"."""


def parse_number(text: str) -> float:
    """Parse a number written as text, with currency marks and digit grouping.

    Accepts an optional sign, a currency symbol or code before or after the
    digits ($, ₹, Rs., INR, USD, ...), Western grouping ("245,000"), Indian
    grouping ("12,00,000"), a decimal part, an exponent on ungrouped digits,
    and a trailing "/-". A number in parentheses is negative, as in finance
    exports: "(1,200)" is -1200.0 and "($1,234.50)" is -1234.5. The
    parentheses must enclose the whole cell, currency marks included, and the
    number inside must have no sign of its own.

    Parameters
    ----------
    text : str
        The cell as written, for example "$245,000" or "₹ 37,50,000".

    Returns
    -------
    float
        The finite value, for example 245000.0 or 3750000.0.

    Raises
    ------
    ValueError
        If the text is not a number in one of these forms, for example
        "12O,000" (letter O), "12,5" or "1.200,50" (decimal comma), "inf",
        or "1e400" (beyond the float64 range).
    """
    text = str(text).strip()
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if inner[:1] in ("+", "-") or inner.startswith("("):
            raise ValueError(f"not a number: {text!r}")
        return -_parse_unsigned_form(inner, text)
    return _parse_unsigned_form(text, text)


def _parse_unsigned_form(text: str, original: str) -> float:
    """Parse ``text``, a number without accounting parentheses; ``original`` is the cell for messages."""
    match = _NUMBER_PATTERN.fullmatch(text)
    if match is None:
        raise ValueError(f"not a number: {original!r}")
    whole, fraction, exponent = match["whole"], match["fraction"] or "", match["exponent"] or ""
    has_digits = whole != "" or len(fraction) > 1
    if not has_digits or (match["sign"] and match["inner_sign"]) or ("," in whole and exponent):
        raise ValueError(f"not a number: {original!r}")

    sign = match["sign"] or match["inner_sign"]
    value = float(sign + whole.replace(",", "") + fraction + exponent)
    if not np.isfinite(value):
        raise _OutOfRangeError(f"number out of range: {original!r}")
    return value


def _try_parse_number(text: str) -> float:
    """Return the parsed number, or NaN when the text is not a number."""
    try:
        return parse_number(text)
    except ValueError:
        return np.nan


def _looks_numeric(text: str) -> bool:
    """Return True when ``text`` is written like a number in some format, parsable or not."""
    return _LOOKS_NUMERIC.fullmatch(text.strip()) is not None


def _cell_problem(text: str) -> tuple[str, str]:
    """Return why a cell is not a usable number, as a "which ..." clause, and what to do about it."""
    if text.strip().lstrip("+-").lower() in ("inf", "infinity"):
        return "which is infinite", "write a finite number"
    try:
        parse_number(text)
    except _OutOfRangeError:
        return "which is beyond the range of float64", "check the unit or remove the row"
    except ValueError:
        return "which cannot be read as a number", _NUMBER_ADVICE
    return (f"which is beyond {MAX_ABS_VALUE:g} in magnitude, and values this large overflow in float64 arithmetic",
            "check the unit or remove the row")


# ----------------------------------------------------------------------
# Ames
# ----------------------------------------------------------------------


def load_ames(*, drop_large_houses: bool = False) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load the embedded Ames, Iowa housing data (De Cock, 2011).

    Parameters
    ----------
    drop_large_houses : bool, default=False
        Remove the 5 sales of houses with over 4,000 square feet of living
        area (``area``), 3 of them partial sales at low prices. The returned
        index keeps the file's row numbers, so the removed numbers are gaps.

    Returns
    -------
    X : DataFrame of shape (n_samples, 79)
        Features, without the identifiers ``Order`` and ``PID``.
    y : Series of shape (n_samples,)
        Sale price in US dollars, named "price".
    info : DatasetInfo

    Raises
    ------
    DataError
        If ``data/ames.csv.gz`` is missing or its SHA-256 does not match.
    """
    return _load_ames_file(DATA_DIR / _AMES_FILE, drop_large_houses=drop_large_houses)


def _load_ames_file(path: Path, *, drop_large_houses: bool = False) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load the Ames CSV at ``path`` after checking its SHA-256."""
    content = _read_verified_ames(path)
    # Missing cells are written as empty fields; no other text means NA here.
    table = pd.read_csv(io.BytesIO(content), compression="gzip", keep_default_na=False, na_values=[""])
    if drop_large_houses:
        table = table[table["area"] <= _AMES_LARGE_AREA]

    y = table["price"].astype(np.float64)
    X = table.drop(columns=[*_AMES_IDENTIFIERS, "price"])
    X = _standard_dtypes(X)
    # MS.SubClass codes a dwelling type (20 = one-story 1946 and newer, ...);
    # as a number it would imply an order and distances that do not exist.
    X["MS.SubClass"] = X["MS.SubClass"].map(lambda code: f"{code:.0f}").astype(object)

    info = DatasetInfo(
        name="ames",
        target="price",
        currency="USD",
        source=_AMES_SOURCE,
        n_rows=len(X),
        none_categorical=_AMES_NONE_CATEGORICAL,
        none_numeric=_AMES_NONE_NUMERIC,
        dropped_columns=_AMES_IDENTIFIERS,
        notes=_AMES_NOTES,
    )
    return X, y, info


def _read_verified_ames(path: Path) -> bytes:
    """Return the bytes of ``path``, raising DataError unless their SHA-256 is that of the shipped Ames file."""
    restore = "restore it with `git checkout data/ames.csv.gz`"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: Ames data file not found; {restore}") from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != _AMES_SHA256:
        raise DataError(
            f"{path}: SHA-256 checksum does not match (expected {_AMES_SHA256[:12]}..., "
            f"got {digest[:12]}...), so the file is damaged or was changed; {restore}"
        )
    return content


def _standard_dtypes(X: pd.DataFrame) -> pd.DataFrame:
    """Return ``X`` with numeric columns as float64 and all other columns as object."""
    columns = {}
    for name in X.columns:
        column = X[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            columns[name] = column.astype(np.float64)
        else:
            columns[name] = column.astype(object)
    return pd.DataFrame(columns, index=X.index)


# ----------------------------------------------------------------------
# California
# ----------------------------------------------------------------------


def load_california(
    *, data_home: Path | None = None, download: bool = True
) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load California housing (20,640 census block groups, 1990).

    The first call downloads the data with scikit-learn's
    ``fetch_california_housing`` into a temporary folder and writes it to
    ``california.csv.gz`` in ``data_home``; later calls read only that CSV.

    Parameters
    ----------
    data_home : Path, optional
        Folder of the cached CSV. Defaults to the repository's ``data/``.
    download : bool, default=True
        Download the data when the CSV is missing.

    Returns
    -------
    X : DataFrame of shape (n_samples, 8)
        The 8 census features of each block group.
    y : Series of shape (n_samples,)
        Median house value in US dollars (the source's MedHouseVal times
        100,000, rounded to cents), named "price".
    info : DatasetInfo

    Raises
    ------
    DataError
        If the CSV is missing and cannot be downloaded, or is damaged.
    """
    csv_path = Path(data_home if data_home is not None else DATA_DIR) / _CALIFORNIA_FILE
    if not csv_path.exists():
        if not download:
            raise DataError(
                f"{csv_path}: California housing is not cached and download=False; "
                "call load_california() once with download=True on a machine with network access"
            )
        _download_california(csv_path)

    table = _read_california_cache(csv_path)
    X = table[list(_CALIFORNIA_FEATURES)].astype(np.float64)
    # MedHouseVal is in units of $100,000. The source values are whole
    # dollars, so rounding to cents removes only the float error of the product.
    y = (table[_CALIFORNIA_TARGET].astype(np.float64) * 100_000).round(2).rename("price")
    info = DatasetInfo(
        name="california",
        target="price",
        currency="USD",
        source=_CALIFORNIA_SOURCE,
        n_rows=len(X),
        notes=_CALIFORNIA_NOTES,
    )
    return X, y, info


def _download_california(csv_path: Path) -> None:
    """Fetch California housing through scikit-learn and cache it as a gzipped CSV."""
    from sklearn.datasets import fetch_california_housing

    # scikit-learn caches a joblib pickle in data_home. Pointing data_home at
    # a temporary folder deletes that pickle, so data/ never contains one.
    with tempfile.TemporaryDirectory(prefix="housing-california-") as scratch:
        try:
            with warnings.catch_warnings():
                # scikit-learn warns before each retry; the error below says all a user needs.
                warnings.filterwarnings("ignore", message="Retry downloading", category=UserWarning)
                bunch = fetch_california_housing(data_home=scratch, download_if_missing=True, as_frame=True)
        except OSError as error:
            raise DataError(
                f"{csv_path}: California housing is not cached and could not be downloaded ({error}); "
                "run `housing train --data california` once on a machine with network access "
                f"and copy its data/{_CALIFORNIA_FILE} to {csv_path.parent}"
            ) from None
        frame = bunch.frame[[*_CALIFORNIA_FEATURES, _CALIFORNIA_TARGET]]

    try:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        _write_gzip_csv(frame, csv_path)
    except OSError as error:
        raise DataError(
            f"{csv_path}: could not write the California housing cache ({error}); "
            "pass data_home= a folder you can write to"
        ) from None


def _write_gzip_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as a reproducible gzipped CSV: mtime 0 and no file name in the header.

    The bytes go to a temporary file in the same folder first, then replace
    ``path`` in one rename, so an interrupted write never leaves half a file.
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_california_cache(csv_path: Path) -> pd.DataFrame:
    """Read the cached California CSV, raising DataError when it is damaged."""
    fix = f"delete {csv_path} and load again to download a fresh copy"
    try:
        table = pd.read_csv(csv_path)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(f"{csv_path}: cannot read the California housing cache ({error}); {fix}") from None

    expected = [*_CALIFORNIA_FEATURES, _CALIFORNIA_TARGET]
    if list(table.columns) != expected:
        raise DataError(f"{csv_path}: expected the columns {', '.join(expected)}; {fix}")
    numbers = table.apply(pd.to_numeric, errors="coerce")
    if not np.isfinite(numbers.to_numpy(dtype=np.float64)).all():
        raise DataError(f"{csv_path}: the California housing cache contains missing or non-numeric values; {fix}")
    return numbers


# ----------------------------------------------------------------------
# Any CSV file
# ----------------------------------------------------------------------


def load_csv(path: str | Path, target: str) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load a CSV file with a header row and a numeric target column.

    Cells such as "$245,000", "12,00,000", "₹ 37,50,000", "Rs. 5,00,000"
    or "(1,200)" are read as numbers (see `parse_number`). A column where
    more than half of the filled cells are numbers is numeric, and any other
    filled cell in it is an error. So is a column where more than half of
    the filled cells look like numbers in a format `parse_number` rejects
    (digits, separators, currency marks, signs and parentheses only, such as
    "1.200,50"). Other columns stay text, including boolean-like ones
    ("True"/"False", "yes"/"no"), which the one-hot encoder turns into
    categories. Empty cells and pandas' missing-value markers ("NA", "N/A",
    "NaN", "null", "None", ...) are missing. Numbers beyond 1e100 in
    magnitude, "inf" and "1e400" are errors, not numbers.

    Checks on the target (present, numeric, no missing cells) come before the
    check on the number of rows, so a short file with missing prices is
    reported for its missing prices first.

    Parameters
    ----------
    path : str or Path
        The CSV file: comma-separated, UTF-8 (or Windows-1252) text.
    target : str
        Name of the column to predict.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
        Every column except the target; missing feature cells are NaN.
    y : Series of shape (n_samples,)
        The target as float64, named ``target``.
    info : DatasetInfo
        ``currency`` is "INR" when a target cell has a rupee mark (₹, Rs,
        INR) or Indian digit grouping, else "USD".

    Raises
    ------
    DataError
        If the file is missing, empty, not a CSV, has a column name twice,
        or has only a header or fewer than `MIN_ROWS` data rows. Also if the
        target column is absent, or missing or not a number in some row, if
        a numeric column has a text cell, or if a cell is out of range. The
        message names the file, column, row and cell.
    """
    path = Path(path)
    table = _read_table(path)
    _check_target_column(path, table, target)

    raw_target = table[target]
    y = _parse_target(path, raw_target)
    if len(table) < MIN_ROWS:
        raise DataError(
            f"{path}: {len(table)} data {'row' if len(table) == 1 else 'rows'}, fewer than the {MIN_ROWS} needed to split into "
            "training, validation and test sets; add rows"
        )

    X = pd.DataFrame(
        {name: _parse_feature(path, table[name]) for name in table.columns if name != target},
        index=table.index,
    )
    info = DatasetInfo(
        name=path.name,
        target=target,
        currency=_guess_currency(raw_target),
        source=str(path),
        n_rows=len(X),
    )
    return X, y, info


def read_csv_features(path: str | Path) -> pd.DataFrame:
    """Read rows to price: every column parsed as in `load_csv`, with no target needed.

    Used by ``housing predict``. Missing cells stay NaN, for the fitted
    pipeline to fill; columns the model does not use are ignored later.
    """
    path = Path(path)
    table = _read_table(path)
    if len(table.columns) == 1:
        separator = next((mark for mark in (";", "\t", "|") if mark in table.columns[0]), None)
        if separator:
            raise DataError(f"{path}: found one column {table.columns[0][:60]!r}; the header contains "
                            f"{separator!r}, so save the file with commas as separators")
    return pd.DataFrame({name: _parse_feature(path, table[name]) for name in table.columns}, index=table.index)


def _read_table(path: Path) -> pd.DataFrame:
    """Read every cell of a CSV as stripped text, with NaN for missing cells."""
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path")
    if not path.is_file():
        raise DataError(f"{path}: is a folder, not a CSV file; give the path of a .csv file")

    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise DataError(f"{path}: file is empty; write a header row and data rows")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise DataError(
            f"{path}: not a valid CSV file ({detail}); every row needs as many fields as the header, "
            'and numbers with commas need quotes ("1,400")'
        ) from None

    _check_unique_header(path, text)
    table.columns = [str(name).strip() for name in table.columns]
    if table.empty:
        raise DataError(f"{path}: has a header but no data rows; add rows below the header")
    # A cell of spaces is as empty as an empty cell.
    table = table.apply(lambda column: column.str.strip().replace("", np.nan))
    table.index = pd.RangeIndex(len(table))
    return table


def _check_unique_header(path: Path, text: str) -> None:
    """Raise DataError when two header fields have the same name after stripping spaces.

    pandas would rename the second "price" to "price.1" without a word, so
    the header is read again here with the csv module, which keeps names as
    written.
    """
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        header = next((row for row in rows if any(field.strip() for field in row)), [])
    except csv.Error:
        # The csv module is stricter than pandas (for example about fields of
        # over 128 KiB); a header it cannot read is left to pandas' names.
        return
    names = [field.strip() for field in header]
    duplicated = [name for name in dict.fromkeys(names) if name and names.count(name) > 1]
    if duplicated:
        listed = ", ".join(repr(name) for name in duplicated)
        raise DataError(
            f"{path}: the header names column {listed} more than once, so its values would be ambiguous; "
            "rename or remove one of them"
        )


def _decode(path: Path, content: bytes) -> str:
    """Decode a CSV file's bytes as UTF-8 or Windows-1252, rejecting binary files."""
    if content.startswith(b"PK\x03\x04"):
        raise DataError(f"{path}: is a zip archive or Excel workbook, not a CSV file; save it as CSV (comma-separated)")
    if b"\x00" in content[:8192]:
        raise DataError(f"{path}: is a binary file, not a CSV file; save the data as CSV (comma-separated text)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: is not UTF-8 text, so it cannot be read as CSV; save it as UTF-8 CSV")


def _check_target_column(path: Path, table: pd.DataFrame, target: str) -> None:
    """Raise DataError unless ``target`` is a column and at least one feature column remains."""
    columns = list(table.columns)
    if len(columns) == 1 and target not in columns:
        separator = next((mark for mark in (";", "\t", "|") if mark in columns[0]), None)
        hint = f" (the header contains {separator!r}; save the file with commas as separators)" if separator else ""
        raise DataError(
            f"{path}: not a CSV file with columns: found one column {columns[0]!r} and no target "
            f"column {target!r}{hint}"
        )
    if target not in columns:
        raise DataError(f"{path}: target column {target!r} not found; {_suggest_column(target, columns)}")
    if len(columns) == 1:
        raise DataError(f"{path}: has only the target column {target!r}; add at least one feature column")


def _suggest_column(target: str, columns: list[str]) -> str:
    """Return advice that lists the available columns and the closest name to ``target``."""
    listed = ", ".join(repr(name) for name in columns[:_COLUMNS_LISTED])
    if len(columns) > _COLUMNS_LISTED:
        listed += f" and {len(columns) - _COLUMNS_LISTED} more"
    lowered = {name.lower(): name for name in columns}
    closest = difflib.get_close_matches(target.lower(), list(lowered), n=1)
    suggestion = f"; did you mean {lowered[closest[0]]!r}?" if closest else ""
    return f"choose one of the columns {listed}{suggestion}"


def _parse_target(path: Path, cells: pd.Series) -> pd.Series:
    """Return the target column as float64, raising DataError for missing or text cells."""
    name = cells.name
    filled = cells.dropna()
    if filled.empty:
        raise DataError(f"{path}: target column {name!r} has no values; fill in the target values")

    values = filled.map(_try_parse_number)
    text_cells = filled[values.isna()]
    if not text_cells.empty:
        row, text = text_cells.index[0], text_cells.iloc[0]
        reason, fix = _cell_problem(text)
        raise DataError(
            f"{path}: target column {name!r} is not numeric: row {row} (data rows count from 0) "
            f"contains {text!r}, {reason}; the target must be a number in every row, so {fix}"
        )

    missing_rows = cells.index[cells.isna()].tolist()
    if missing_rows:
        raise DataError(
            f"{path}: target column {name!r} is missing in {_describe_rows(missing_rows)} "
            "(data rows count from 0); fill in those values or remove the rows"
        )

    too_large = values.abs() > MAX_ABS_VALUE
    if too_large.any():
        row = too_large.idxmax()
        reason, fix = _cell_problem(cells[row])
        raise DataError(
            f"{path}: target column {name!r}, row {row} (data rows count from 0) contains {cells[row]!r}, {reason}; {fix}"
        )
    return values.astype(np.float64).rename(name)


def _describe_rows(rows: list[int]) -> str:
    """Return "row 4" or "rows 1, 2, ... and N more", naming at most ten rows."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    listed = ", ".join(str(row) for row in rows[:_ROWS_LISTED])
    if len(rows) > _ROWS_LISTED:
        listed += f" and {len(rows) - _ROWS_LISTED} more"
    return f"rows {listed}"


def _parse_feature(path: Path, cells: pd.Series) -> pd.Series:
    """Return a feature column as float64 when mostly numbers, else as object text.

    A column that is not numeric but whose filled cells mostly look like
    numbers in another format ("1.200,50") is an error rather than text, so
    that it does not silently become one one-hot column per value.
    """
    filled = cells.dropna()
    parsed_unique = {text: _try_parse_number(text) for text in filled.unique()}
    values = cells.map(parsed_unique).astype(np.float64)  # NaN for missing cells and for text
    text_cells = filled[values[filled.index].isna()]
    n_numbers = len(filled) - len(text_cells)

    if text_cells.empty:
        _check_feature_magnitude(path, cells, values)
        return values
    if n_numbers * 2 > len(filled):
        row, text = text_cells.index[0], text_cells.iloc[0]
        reason, fix = _cell_problem(text)
        others = f" ({len(text_cells) - 1} more such cells)" if len(text_cells) > 1 else ""
        raise DataError(
            f"{path}: column {cells.name!r}, row {row} (data rows count from 0) contains {text!r}, {reason}, "
            f"but the column's other cells are numbers{others}; {fix}, or leave the cell empty if the value is unknown"
        )

    looks_numeric = filled.map({text: _looks_numeric(text) for text in filled.unique()})
    if int(looks_numeric.sum()) * 2 > len(filled):
        bad = text_cells[looks_numeric[text_cells.index]]
        row, text = bad.index[0], bad.iloc[0]
        reason, fix = _cell_problem(text)
        raise DataError(
            f"{path}: column {cells.name!r} looks numeric but row {row} (data rows count from 0) "
            f"contains {text!r}, {reason}; {fix}"
        )
    return cells.astype(object)


def _check_feature_magnitude(path: Path, cells: pd.Series, values: pd.Series) -> None:
    """Raise DataError for the first number beyond `MAX_ABS_VALUE` in magnitude."""
    too_large = values.abs() > MAX_ABS_VALUE
    if too_large.any():
        row = too_large.idxmax()
        reason, fix = _cell_problem(cells[row])
        raise DataError(
            f"{path}: column {cells.name!r}, row {row} (data rows count from 0) contains {cells[row]!r}, {reason}; {fix}"
        )


def _guess_currency(cells: pd.Series) -> str:
    """Return "INR" when a cell has a rupee mark or Indian digit grouping, else "USD"."""
    for text in cells.dropna():
        if _RUPEE_MARK.search(text) or _INDIAN_GROUPING.search(text):
            return "INR"
    return "USD"


# ----------------------------------------------------------------------
# By name
# ----------------------------------------------------------------------


def load_dataset(name_or_path: str | Path, target: str | None = None) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load "ames", "california", or a CSV file by path.

    Parameters
    ----------
    name_or_path : str or Path
        "ames", "california" (either in any case), or a path ending in ".csv".
    target : str, optional
        The target column. Required for a CSV file; for "ames" and
        "california" it may only be "price", the default.

    Returns
    -------
    X, y, info
        As returned by `load_ames`, `load_california` or `load_csv`.

    Raises
    ------
    ConfigError
        If the name is unknown, a CSV file has no target, or a built-in data
        set is asked for a target other than "price".
    """
    name = str(name_or_path)
    builtin = {"ames": load_ames, "california": load_california}
    if name.lower() in builtin:
        if target not in (None, "price"):
            raise ConfigError(f"target {target!r} is not available for {name.lower()}: its target is 'price'")
        return builtin[name.lower()]()

    if name.lower().endswith(".csv"):
        if target is None:
            raise ConfigError(
                f"{name}: a CSV file needs the name of its target column; pass target= (on the command line, --target COLUMN)"
            )
        return load_csv(name, target)

    raise ConfigError(f"unknown data set {name!r}: choose 'ames', 'california' or the path of a .csv file")
