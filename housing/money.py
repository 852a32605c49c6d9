"""Currency formatting for the command line, the figures and the notebooks.

Two currencies are known: US dollars ("$245,000", thousands separators every
three digits) and Indian rupees ("₹37,50,000", Indian digit grouping: the last
three digits, then groups of two). Compact labels for axis ticks use "k", "M",
"B" and "T" for dollars, and "lakh" (10^5), "crore" (10^7) and "lakh crore"
(10^12) for rupees.

No exchange rates are applied anywhere. A value is shown in the currency the
data is in, and choosing "INR" only changes the symbol and the grouping: a
price of 180000 becomes "₹1,80,000", not its dollar equivalent in rupees.

A sign always comes before the symbol ("-$1,234", "-₹1,234"), and a value that
rounds to zero is shown without a sign ("$0"). Text output uses the ASCII
hyphen-minus. Axis tick labels from `money_formatter` use the true minus sign
"−" (U+2212) instead, as matplotlib's own tick labels do while the rcParam
``axes.unicode_minus`` is True (its default).
"""

from __future__ import annotations

import math
import re

from matplotlib.ticker import FuncFormatter

from housing.errors import ConfigError

__all__ = [
    "CURRENCIES",
    "check_currency",
    "currency_symbol",
    "group_digits",
    "format_money",
    "format_compact",
    "format_scientific",
    "format_squared_money",
    "money_formatter",
]

CURRENCIES = ("USD", "INR")

_SYMBOLS = {"USD": "$", "INR": "₹"}

# Compact units as (size, suffix), largest first. Dollar suffixes attach to the
# number ("$245k"), but rupee units are words that follow a space ("₹40 lakh").
_COMPACT_UNITS = {
    "USD": ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k")),
    "INR": ((10**12, " lakh crore"), (10**7, " crore"), (10**5, " lakh")),
}

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

_DIGITS = re.compile(r"[0-9]+")


def check_currency(currency: str) -> str:
    """Normalise a currency code to upper case and check that it is known.

    Parameters
    ----------
    currency : str
        A code from `CURRENCIES`, in any case and with surrounding spaces allowed.

    Returns
    -------
    str
        The code in upper case, for example "INR" for " inr".

    Raises
    ------
    ConfigError
        If the code is not a string or not one of `CURRENCIES`.
    """
    code = currency.strip().upper() if isinstance(currency, str) else None
    if code not in CURRENCIES:
        raise ConfigError(
            f"unknown currency {currency!r}: use one of {', '.join(CURRENCIES)} "
            "(values are shown in the currency of the data, without conversion)"
        )
    return code


def currency_symbol(currency: str) -> str:
    """Return the symbol of a currency: "$" for "USD", "₹" for "INR"."""
    return _SYMBOLS[check_currency(currency)]


def group_digits(integer_text: str, currency: str) -> str:
    """Insert the thousands separators of a currency into a string of digits.

    Parameters
    ----------
    integer_text : str
        Decimal digits only, with no sign, separator or fraction ("33750000").
    currency : str
        "USD" groups every three digits; "INR" groups the last three digits and
        then every two (lakh, crore).

    Returns
    -------
    str
        "33,750,000" for "USD" and "3,37,50,000" for "INR".

    Raises
    ------
    ValueError
        If `integer_text` contains anything but the digits 0 to 9.
    """
    code = check_currency(currency)
    if not isinstance(integer_text, str) or not _DIGITS.fullmatch(integer_text):
        raise ValueError(f"integer_text must contain only the digits 0-9, got {integer_text!r}")

    if code == "INR":
        head, tail = integer_text[:-3], integer_text[-3:]
        first = len(head) % 2
        groups = ([head[:first]] if first else []) + [head[i : i + 2] for i in range(first, len(head), 2)]
        return ",".join(groups + [tail])

    first = len(integer_text) % 3 or 3
    groups = [integer_text[:first]] + [integer_text[i : i + 3] for i in range(first, len(integer_text), 3)]
    return ",".join(groups)


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ConfigError(f"decimals must be a non-negative integer, got {decimals!r}")
    return decimals


def _signed(negative: bool, text: str) -> str:
    return "-" + text if negative else text


def format_money(value: float, currency: str = "USD", *, decimals: int = 0) -> str:
    """Format an amount with the currency's symbol and digit grouping.

    Parameters
    ----------
    value : float
        The amount, in the currency of the data.
    currency : str, default "USD"
        One of `CURRENCIES`, in any case.
    decimals : int, default 0
        Digits after the decimal point.

    Returns
    -------
    str
        "$245,000", "-₹1,234", "₹1,234.50"; "n/a" for NaN and "$∞" or "-$∞"
        for an infinite value.

    Notes
    -----
    Rounding happens once, on the whole number, before the digits are grouped,
    so a carry crosses group boundaries: 999.996 with two decimals is
    "$1,000.00". Python's float formatting rounds the exact binary value, half
    to even. A value that rounds to zero has no sign.
    """
    symbol = currency_symbol(currency)
    decimals = _check_decimals(decimals)
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return _signed(value < 0, symbol + "∞")

    rounded = f"{abs(value):.{decimals}f}"
    integer_text, _, fraction = rounded.partition(".")
    text = symbol + group_digits(integer_text, currency)
    if fraction:
        text += "." + fraction
    return _signed(value < 0 and float(rounded) != 0.0, text)


def _round_significant(scaled: float, digits: int, max_decimals: int | None) -> str:
    """Round a non-negative number to `digits` significant digits, never dropping integer digits."""
    integer_digits = len(str(int(scaled))) if scaled >= 1 else 1
    decimals = max(digits - integer_digits, 0)
    if max_decimals is not None:
        decimals = min(decimals, max_decimals)
    text = f"{scaled:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_compact(value: float, currency: str = "USD", *, digits: int = 3) -> str:
    """Format an amount as a short label for an axis tick or a price band.

    Parameters
    ----------
    value : float
        The amount, in the currency of the data.
    currency : str, default "USD"
        One of `CURRENCIES`, in any case.
    digits : int, default 3
        Significant digits kept. Integer digits of the scaled number are never
        dropped, and trailing zeros after the point are removed.

    Returns
    -------
    str
        Dollars: "$950", "$245k", "$1.2M", "$3.5B", "$1,000T". Rupees: "₹950",
        "₹45,000", "₹40 lakh", "₹3.4 crore", "₹1,000 crore", "₹2 lakh crore".
        NaN gives "n/a".

    Notes
    -----
    Rupee amounts below one lakh are written in full with Indian grouping,
    because thousands are not a compact unit in that system. Amounts below one
    unit of scale keep at most two decimals (cents or paise), so floating-point
    noise such as 1e-11 at a zero tick prints as "$0". A value that rounds up to
    the next unit moves to it: 999,999 is "$1M", not "$1000k".
    """
    code = check_currency(currency)
    symbol = _SYMBOLS[code]
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ConfigError(f"digits must be a positive integer, got {digits!r}")
    value = float(value)
    if not math.isfinite(value):
        return format_money(value, code)

    magnitude = abs(value)
    units = _COMPACT_UNITS[code]
    for index, (size, suffix) in enumerate(units):
        if magnitude < size:
            continue
        text = _round_significant(magnitude / size, digits, None)
        # A carry to 1000 of this unit belongs to the next larger unit ("$1M").
        larger = units[index - 1][0] if index > 0 else None
        if larger is not None and float(text) * size >= larger:
            text = _round_significant(magnitude / larger, digits, None)
            suffix = units[index - 1][1]
        integer_text, _, fraction = text.partition(".")
        grouped = group_digits(integer_text, code) + ("." + fraction if fraction else "")
        return _signed(value < 0, symbol + grouped + suffix)

    # Below the smallest unit: the number itself, grouped, with at most two decimals.
    text = _round_significant(magnitude, digits, 2)
    smallest = units[-1][0]
    if float(text) >= smallest:
        return format_compact(math.copysign(float(text), value), code, digits=digits)
    integer_text, _, fraction = text.partition(".")
    grouped = group_digits(integer_text, code) + ("." + fraction if fraction else "")
    return _signed(value < 0 and float(text) != 0.0, symbol + grouped)


def format_scientific(value: float, *, digits: int = 6) -> str:
    """Format a number in scientific notation with a superscript exponent.

    Parameters
    ----------
    value : float
        Any number.
    digits : int, default 6
        Significant digits of the mantissa; trailing zeros are removed.

    Returns
    -------
    str
        "1.40625 × 10¹³", "-2.5 × 10⁻³", "7" (no power for exponent 0), "0",
        "n/a" for NaN, "∞" or "-∞" for an infinite value.
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ConfigError(f"digits must be a positive integer, got {digits!r}")
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return _signed(value < 0, "∞")
    if value == 0.0:
        return "0"

    # Python's "e" format rounds once and carries into the exponent (9.9999995e3 -> 1e4).
    mantissa, _, exponent = f"{value:.{digits - 1}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    power = int(exponent)
    if power == 0:
        return mantissa
    return f"{mantissa} × 10{str(power).translate(_SUPERSCRIPTS)}"


def format_squared_money(value: float, currency: str, *, scientific: bool = False, digits: int = 6) -> str:
    """Format a value in currency squared, such as a mean squared error in price units.

    Parameters
    ----------
    value : float
        The value in squared currency units.
    currency : str
        One of `CURRENCIES`, in any case.
    scientific : bool, default False
        False writes every digit with the currency's grouping; True writes the
        mantissa and a power of ten through `format_scientific`.
    digits : int, default 6
        Significant digits of the mantissa when `scientific` is True.

    Returns
    -------
    str
        With "INR": "1,40,62,50,00,00,000 ₹²", or "1.40625 × 10¹³ ₹²" when
        `scientific` is True. With "USD": "14,062,500,000,000 $²". NaN gives "n/a".

    Notes
    -----
    Squared prices are large: an RMSE of ₹37,50,000 is an MSE of 1.40625e13
    rupees squared, and a float64 holds about 16 significant digits, so the
    plain form of a value above 10^16 shows digits that are not meaningful.
    Use the scientific form there.
    """
    symbol = currency_symbol(currency)
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if scientific:
        return f"{format_scientific(value, digits=digits)} {symbol}²"
    plain = format_money(value, currency)
    return f"{plain.replace(symbol, '', 1)} {symbol}²"


class _MoneyTickFormatter(FuncFormatter):
    """Tick formatter that adds digits until all tick labels on an axis differ."""

    def __init__(self, currency: str, compact: bool) -> None:
        self.currency = currency
        self.compact = compact
        self._base_precision = 3 if compact else 0
        self.precision = self._base_precision
        super().__init__(self._format)

    def _format(self, x: float, pos: int | None = None) -> str:
        if self.compact:
            text = format_compact(x, self.currency, digits=self.precision)
        else:
            text = format_money(x, self.currency, decimals=self.precision)
        # Formatter.fix_minus swaps "-" for "−" unless axes.unicode_minus is False.
        return self.fix_minus(text)

    def format_ticks(self, values: list[float]) -> list[str]:
        distinct = len(set(values))
        for precision in range(self._base_precision, self._base_precision + 4):
            self.precision = precision
            labels = [self._format(value, pos) for pos, value in enumerate(values)]
            if len(set(labels)) == distinct:
                break
        return labels


def money_formatter(currency: str, compact: bool = True) -> FuncFormatter:
    """Build a matplotlib tick formatter that labels an axis in a currency.

    Parameters
    ----------
    currency : str
        One of `CURRENCIES`, in any case.
    compact : bool, default True
        True gives `format_compact` labels ("$245k", "₹40 lakh"); False gives
        whole amounts from `format_money` ("$245,000", "₹40,00,000").

    Returns
    -------
    matplotlib.ticker.FuncFormatter
        Pass it to ``ax.xaxis.set_major_formatter``. When two ticks would get
        the same label (ticks at $245,000 and $245,500 both rounding to "$245k"),
        it adds digits, up to three more, until the labels differ. A negative
        amount starts with the minus sign "−" ("−$100k"), or with "-" while
        matplotlib's ``axes.unicode_minus`` is False.
    """
    return _MoneyTickFormatter(check_currency(currency), compact)
