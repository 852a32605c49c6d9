"""Tests for currency formatting: grouping, signs, rounding, compact and squared forms."""

import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.ticker import FuncFormatter

from housing.errors import ConfigError
from housing.money import (
    CURRENCIES,
    check_currency,
    currency_symbol,
    format_compact,
    format_money,
    format_scientific,
    format_squared_money,
    group_digits,
    money_formatter,
)

# ---------------------------------------------------------------- check_currency


@pytest.mark.parametrize("given_code, expected", [("USD", "USD"), ("usd", "USD"), (" inr ", "INR"), ("Inr", "INR")])
def test_check_currency_normalises_case(given_code, expected):
    assert check_currency(given_code) == expected


@pytest.mark.parametrize("bad", ["EUR", "", "$", None, 840])
def test_check_currency_rejects_unknown(bad):
    with pytest.raises(ConfigError, match="use one of USD, INR"):
        check_currency(bad)


def test_unknown_currency_rejected_everywhere():
    for call in (
        lambda: format_money(1, "EUR"),
        lambda: format_compact(1, "EUR"),
        lambda: format_squared_money(1, "EUR"),
        lambda: group_digits("1000", "EUR"),
        lambda: money_formatter("EUR"),
    ):
        with pytest.raises(ConfigError, match="'EUR'"):
            call()


def test_currency_symbols():
    assert CURRENCIES == ("USD", "INR")
    assert currency_symbol("usd") == "$"
    assert currency_symbol("INR") == "₹"


# ---------------------------------------------------------------- group_digits


@pytest.mark.parametrize(
    "digits, usd, inr",
    [
        ("0", "0", "0"),
        ("999", "999", "999"),
        ("1000", "1,000", "1,000"),
        ("99999", "99,999", "99,999"),
        ("100000", "100,000", "1,00,000"),  # one lakh
        ("3750000", "3,750,000", "37,50,000"),
        ("10000000", "10,000,000", "1,00,00,000"),  # one crore
        ("33750000", "33,750,000", "3,37,50,000"),
        ("100000000000", "100,000,000,000", "1,00,00,00,00,000"),
    ],
)
def test_group_digits_by_hand(digits, usd, inr):
    assert group_digits(digits, "USD") == usd
    assert group_digits(digits, "INR") == inr


@given(st.integers(min_value=0, max_value=10**30))
def test_group_digits_usd_matches_python_format(number):
    # Python's "," format option is an independent implementation of 3-digit grouping.
    assert group_digits(str(number), "USD") == f"{number:,}"


@given(st.integers(min_value=0, max_value=10**30))
def test_group_digits_inr_group_sizes(number):
    text = group_digits(str(number), "INR")
    groups = text.split(",")
    assert "".join(groups) == str(number)
    assert len(groups[-1]) == min(3, len(str(number)))
    assert all(len(group) == 2 for group in groups[1:-1])
    assert 1 <= len(groups[0]) <= (3 if len(groups) == 1 else 2)


@pytest.mark.parametrize("bad", ["-100", "1,000", "12.5", "", " 12", "١٢٣"])
def test_group_digits_rejects_non_digits(bad):
    with pytest.raises(ValueError, match="only the digits"):
        group_digits(bad, "USD")


# ---------------------------------------------------------------- format_money


@pytest.mark.parametrize(
    "value, usd, inr",
    [
        (245000, "$245,000", "₹2,45,000"),
        (-1234, "-$1,234", "-₹1,234"),
        (0, "$0", "₹0"),
        (0.0, "$0", "₹0"),
        (999, "$999", "₹999"),
        (7, "$7", "₹7"),
        (-7, "-$7", "-₹7"),
        (3750000, "$3,750,000", "₹37,50,000"),
        (33750000, "$33,750,000", "₹3,37,50,000"),
        (1e11, "$100,000,000,000", "₹1,00,00,00,00,000"),
        (1e15, "$1,000,000,000,000,000", "₹1,00,00,00,00,00,00,000"),
        (-1e15, "-$1,000,000,000,000,000", "-₹1,00,00,00,00,00,00,000"),
        (np.float64(180000.4), "$180,000", "₹1,80,000"),
        (np.int64(180000), "$180,000", "₹1,80,000"),
    ],
)
def test_format_money_whole_amounts(value, usd, inr):
    assert format_money(value) == usd
    assert format_money(value, "usd") == usd
    assert format_money(value, "INR") == inr


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234.5, 2, "₹1,234.50"),
        (-1234.5, 2, "-₹1,234.50"),
        (0.05, 2, "₹0.05"),
        (-0.05, 2, "-₹0.05"),
        (999.996, 2, "₹1,000.00"),  # the carry crosses the group boundary
        (99999.996, 2, "₹1,00,000.00"),  # and creates a new lakh group
        (-999.996, 2, "-₹1,000.00"),
        (0.125, 1, "₹0.1"),  # 0.125 is exact in binary, so half to even gives 0.1 here and 0.12 with two decimals
        (1.5, 3, "₹1.500"),
    ],
)
def test_format_money_fractions_and_carry(value, decimals, expected):
    assert format_money(value, "INR", decimals=decimals) == expected


def test_format_money_rounding_carry_usd():
    assert format_money(999.996, "USD", decimals=2) == "$1,000.00"
    assert format_money(999.5, "USD") == "$1,000"  # 999.5 is exact in binary, and half to even rounds it up to 1000
    assert format_money(999999.6, "USD") == "$1,000,000"


def test_format_money_no_negative_zero():
    assert format_money(-0.0) == "$0"
    assert format_money(-0.004, decimals=2) == "$0.00"
    assert format_money(-0.4, "INR") == "₹0"


def test_format_money_non_finite():
    assert format_money(float("nan")) == "n/a"
    assert format_money(np.nan, "INR", decimals=2) == "n/a"
    assert format_money(math.inf) == "$∞"
    assert format_money(-math.inf, "INR") == "-₹∞"


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_format_money_rejects_bad_decimals(bad):
    with pytest.raises(ConfigError, match="decimals must be a non-negative integer"):
        format_money(1.0, decimals=bad)


# ---------------------------------------------------------------- format_compact


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, "$0"),
        (950, "$950"),
        (0.5, "$0.5"),
        (1e-11, "$0"),  # floating-point noise at a zero tick
        (-1e-11, "$0"),
        (1500, "$1.5k"),
        (245000, "$245k"),
        (180000, "$180k"),
        (-245000, "-$245k"),
        (1200000, "$1.2M"),
        (1250000, "$1.25M"),
        (999999, "$1M"),  # rounds to 1000k, which is shown as the next unit
        (999.6, "$1k"),
        (3.5e9, "$3.5B"),
        (1e15, "$1,000T"),
        (float("nan"), "n/a"),
    ],
)
def test_format_compact_usd(value, expected):
    assert format_compact(value, "USD") == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, "₹0"),
        (950, "₹950"),
        (45000, "₹45,000"),
        (99999, "₹99,999"),
        (100000, "₹1 lakh"),
        (4000000, "₹40 lakh"),
        (-4000000, "-₹40 lakh"),
        (9999999, "₹1 crore"),  # 99.99999 lakh rounds to 100 lakh, which is one crore
        (34000000, "₹3.4 crore"),
        (1e10, "₹1,000 crore"),
        (2e12, "₹2 lakh crore"),
        (1e15, "₹1,000 lakh crore"),
    ],
)
def test_format_compact_inr(value, expected):
    assert format_compact(value, "INR") == expected


def test_format_compact_more_digits():
    assert format_compact(245500, "USD", digits=4) == "$245.5k"
    assert format_compact(3456789, "INR", digits=4) == "₹34.57 lakh"


# ---------------------------------------------------------------- squared and scientific


def test_format_squared_money_plain():
    # An RMSE of 37,50,000 rupees squares to 3,750,000^2 = 14,062,500,000,000.
    assert format_squared_money(3_750_000.0**2, "INR") == "1,40,62,50,00,00,000 ₹²"
    assert format_squared_money(3_750_000.0**2, "USD") == "14,062,500,000,000 $²"
    assert format_squared_money(0.0, "USD") == "0 $²"
    assert format_squared_money(float("nan"), "INR") == "n/a"


def test_format_squared_money_scientific():
    assert format_squared_money(1.40625e13, "INR", scientific=True) == "1.40625 × 10¹³ ₹²"
    assert format_squared_money(1.40625e13, "USD", scientific=True, digits=3) == "1.41 × 10¹³ $²"


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (1.40625e13, 6, "1.40625 × 10¹³"),
        (-0.0025, 6, "-2.5 × 10⁻³"),
        (7.0, 6, "7"),
        (0.0, 6, "0"),
        (9999999.5, 3, "1 × 10⁷"),  # the mantissa carry moves into the exponent
        (1e-300, 2, "1 × 10⁻³⁰⁰"),
        (math.nan, 6, "n/a"),
        (-math.inf, 6, "-∞"),
    ],
)
def test_format_scientific(value, digits, expected):
    assert format_scientific(value, digits=digits) == expected


# ---------------------------------------------------------------- money_formatter


def test_money_formatter_labels_ticks():
    formatter = money_formatter("usd")
    assert isinstance(formatter, FuncFormatter)
    assert formatter(180000, 0) == "$180k"
    assert money_formatter("INR")(4000000, 0) == "₹40 lakh"
    assert money_formatter("INR", compact=False)(4000000, 0) == "₹40,00,000"


def test_money_formatter_keeps_tick_labels_distinct():
    labels = money_formatter("USD").format_ticks([245000, 245500, 246000])
    assert labels == ["$245k", "$245.5k", "$246k"]
    labels = money_formatter("USD", compact=False).format_ticks([0.0, 0.5, 1.0])
    assert labels == ["$0.0", "$0.5", "$1.0"]


def test_money_formatter_uses_minus_sign():
    # Tick labels follow matplotlib's axes.unicode_minus (True by default): U+2212, not "-".
    formatter = money_formatter("USD")
    assert formatter(-100_000, 0) == "\u2212$100k"
    assert formatter.format_ticks([-50_000, 0, 50_000]) == ["\u2212$50k", "$0", "$50k"]
    assert money_formatter("INR", compact=False)(-100_000, 0) == "\u2212₹1,00,000"


def test_money_formatter_respects_unicode_minus_off():
    with matplotlib.rc_context({"axes.unicode_minus": False}):
        assert money_formatter("USD")(-100_000, 0) == "-$100k"


def test_format_money_keeps_hyphen_minus():
    # Text output (tables, the command line) keeps the ASCII hyphen-minus.
    assert format_money(-1234, "USD") == "-$1,234"
    assert format_compact(-100_000, "USD") == "-$100k"
