r"""The worked loss example: every loss and its gradient for a few houses, with the working shown.

Run it as::

    housing losses --actual 33750000 --predicted 30000000 --currency INR

Every number that a loss produces comes from `housing.losses.get_loss`, so
there is no second copy of the formulas here. This module only writes the
working around those numbers as text, with the unit of each one. A squared
error is in currency squared (₹², $²), not an amount of money, which is why
RMSE takes the root. MSLE and MAPE have no unit, and their gradients are per
unit of currency.

The example works on raw prices, not on the standardised log price that the
network trains on. So Huber's threshold is in currency too, and log-cosh,
whose quadratic zone is about one unit wide, is almost exactly
:math:`|r| - \ln 2` for any residual of more than a few rupees or dollars.
"""

from __future__ import annotations

import argparse
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .losses import Loss, get_loss
from .money import CURRENCIES, check_currency, currency_symbol, format_money, format_scientific, format_squared_money
from .report import format_table

__all__ = [
    "DEFAULT_DELTA_FRACTION",
    "MAX_HOUSES",
    "MAX_PRICE",
    "MIN_ACTUAL_PRICE",
    "default_delta",
    "worked_example_lines",
    "add_losses_parser",
    "losses_command",
]

# Huber's default threshold here, as a fraction of the mean actual price: errors
# within 10% of a typical price count as ordinary, larger ones as outliers.
DEFAULT_DELTA_FRACTION = 0.10

# Every house gets its own line in every section, so the printout stays readable
# only for a handful of houses.
MAX_HOUSES = 20

# The largest price or amount accepted, a thousand trillion: far beyond any house, and small
# enough that every square (at most 1e30) stays finite and every amount prints without noise.
MAX_PRICE = 1e15
_MAX_PRICE_TEXT = "1e15"

# The smallest actual price accepted, one dollar or rupee. MAPE divides by the actual price,
# and amounts print to the cent, so a smaller price would print as "$0" and the losses that
# divide by it would no longer match the working shown.
MIN_ACTUAL_PRICE = 1.0

# From this size on, float64 values are about 0.002 apart, close to a cent, so amounts
# print as whole units.
_CENTS_LIMIT = 1e13

# From this size on, a value in currency squared prints in scientific notation only. A float64
# keeps about 16 significant digits, so the plain form of a larger value ends in rounding noise.
_PLAIN_SQUARED_LIMIT = 1e15

# Explanatory sentences are wrapped at this width. The working lines are not,
# because a formula broken across lines is harder to follow than a long line.
_WIDTH = 88

_MINUS = "\u2212"  # the typographic minus sign, as in "−₹37,50,000"


def default_delta(actual: Sequence[float]) -> float:
    """Return Huber's default threshold for the worked example: 10% of the mean actual price."""
    return DEFAULT_DELTA_FRACTION * float(np.mean(np.asarray(actual, dtype=np.float64)))


# ----------------------------------------------------------------------
# Number formatting with units
# ----------------------------------------------------------------------


def _minus(text: str) -> str:
    """Replace a leading hyphen-minus by the typographic minus sign."""
    return _MINUS + text[1:] if text.startswith("-") else text


def _money(value: float, currency: str) -> str:
    """Format an amount, with two decimals only when it is not a whole number."""
    decimals = 0 if abs(value - round(value)) < 0.005 or abs(value) >= _CENTS_LIMIT else 2
    return _minus(format_money(value, currency, decimals=decimals))


def _count(n: int, noun: str) -> str:
    """Return "1 price" or "3 prices"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _number(value: float) -> str:
    """Format a number with 6 significant digits, in scientific notation when very large or small."""
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e6:  # where "%.6g" writes no exponent
        return _minus(f"{value:.6g}")
    return _minus(format_scientific(value))


def _squared_money(value: float, currency: str) -> str:
    """Format a value in currency squared, adding the scientific form when it is large."""
    symbol = currency_symbol(currency)
    if abs(value) < 1e4:
        return f"{_number(value)} {symbol}²"
    if abs(value) >= _PLAIN_SQUARED_LIMIT:
        return _minus(format_squared_money(value, currency, scientific=True))
    plain = _minus(format_squared_money(value, currency))
    return f"{plain} ({_minus(format_squared_money(value, currency, scientific=True))})"


# ----------------------------------------------------------------------
# The example and its losses
# ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Example:
    """The houses of the example, with the settings of Huber and the quantile loss."""

    actual: np.ndarray      # (n_samples,)
    predicted: np.ndarray   # (n_samples,)
    currency: str
    delta: float
    delta_given: bool
    tau: float

    @property
    def n_samples(self) -> int:
        return self.actual.size

    @property
    def residual(self) -> np.ndarray:
        return self.predicted - self.actual

    @property
    def symbol(self) -> str:
        return currency_symbol(self.currency)

    def money(self, value: float) -> str:
        return _money(value, self.currency)

    def squared(self, value: float) -> str:
        return _squared_money(value, self.currency)

    def per_house(self, loss: Loss) -> np.ndarray:
        """Return the loss of each house alone: the terms that the batch loss averages."""
        return np.array([loss(self.actual[i:i + 1], self.predicted[i:i + 1]) for i in range(self.n_samples)])


@dataclass(frozen=True)
class _Working:
    """How to show one loss: its formula for one house, the working, the units."""

    heading: str
    label: str                                         # "MSE"
    loss: Loss
    term: Callable[[int, float], str]                  # (house, its loss) -> "r² = (...)² = value"
    value: Callable[[float], str]                      # a loss value with its unit
    gradient_formula: tuple[str, str]                  # (one house, batch), e.g. ("2r", "2rᵢ / N")
    gradient_term: Callable[[int], str] | None         # the substitution for one house, or None
    gradient_value: Callable[[float], str]             # a gradient, without its unit
    gradient_unit: str                                 # "in ₹ (₹² per ₹ of prediction)"
    units: str                                         # "₹²": the loss's unit, for the summary table
    gradient_units: str                                # "₹": the gradient's unit, for the summary table
    notes: tuple[str, ...] = ()
    branches: bool = False                             # the term picks a case, so it is not a formula


def _mse(ex: _Example) -> _Working:
    r = ex.residual
    sym = ex.symbol
    return _Working(
        "MSE, mean squared error", "MSE", get_loss("mse"),
        term=lambda i, value: f"r² = ({ex.money(r[i])})² = {ex.squared(value)}",
        value=ex.squared,
        gradient_formula=("2r", "2rᵢ / N"),
        gradient_term=lambda i: f"2 × ({ex.money(r[i])})",
        gradient_value=ex.money,
        gradient_unit=f"in {sym} ({sym}² per {sym} of prediction)",
        units=f"{sym}²", gradient_units=sym,
        notes=(f"Units: {sym}², currency squared. A squared error is not an amount of money, "
               "which is exactly why RMSE exists.",),
    )


def _mae(ex: _Example) -> _Working:
    r = ex.residual
    sym = ex.symbol
    return _Working(
        "MAE, mean absolute error", "MAE", get_loss("mae"),
        term=lambda i, value: f"|r| = |{ex.money(r[i])}| = {ex.money(value)}",
        value=ex.money,
        gradient_formula=("sign(r)", "sign(rᵢ) / N"),
        gradient_term=None,
        gradient_value=_number,
        gradient_unit=f"unitless ({sym} per {sym})",
        units=sym, gradient_units="none",
        notes=(f"Units: {sym}, an amount of money. Every {sym}1 of error costs the same, however "
               "large the error, so one outlier pulls no harder than any other house.",),
    )


def _huber(ex: _Example) -> _Working:
    r, delta = ex.residual, ex.delta
    sym = ex.symbol

    def term(i: int, value: float) -> str:
        size = ex.money(abs(r[i]))
        if abs(r[i]) <= delta:
            return f"|r| = {size} ≤ δ, so ½r² = ½ × ({ex.money(r[i])})² = {ex.squared(value)}"
        return (f"|r| = {size} > δ, so δ(|r| − δ/2) = {ex.money(delta)} × ({size} − {ex.money(delta / 2)}) "
                f"= {ex.squared(value)}")

    source = ("set by --delta" if ex.delta_given
              else f"{DEFAULT_DELTA_FRACTION:.0%} of the mean actual price, the default here; set it with --delta")
    return _Working(
        f"Huber, δ = {ex.money(delta)} ({source})", "Huber", get_loss("huber", delta=delta),
        term=term,
        value=ex.squared,
        gradient_formula=("clip(r, −δ, δ)", "clip(rᵢ, −δ, δ) / N"),
        gradient_term=None,
        gradient_value=ex.money,
        gradient_unit=f"in {sym} ({sym}² per {sym} of prediction)",
        units=f"{sym}²", gradient_units=sym,
        notes=(f"Units: {sym}², like MSE, because δ is in {sym} here: it is in the units of the residual. "
               "This example is on raw prices, where the training default δ = 1 (meant for the "
               f"standardised log price) would put every error above {sym}1 in the linear branch, "
               "where Huber equals the MAE minus 0.5.",),
        branches=True,
    )


def _logcosh(ex: _Example) -> _Working:
    r = ex.residual
    sym = ex.symbol

    def term(i: int, value: float) -> str:
        residual_count = ex.money(r[i]).replace(sym, "")  # the residual as a plain count of currency units
        text = f"ln cosh(r) = ln cosh({residual_count}) = {_money_exact(ex, value)}"
        if abs(r[i]) > 20:
            text += f" ≈ |r| − ln 2 = {ex.money(abs(r[i]))} − 0.693147"
        return text

    return _Working(
        "log-cosh", "log-cosh", get_loss("logcosh"),
        term=term,
        value=lambda value: _money_exact(ex, value),
        gradient_formula=("tanh(r)", "tanh(rᵢ) / N"),
        gradient_term=None,
        gradient_value=_number,
        gradient_unit="unitless",
        units=f"≈ {sym}", gradient_units="none",
        notes=(f"Units: about {sym}. On raw prices r counts whole {sym}, and log-cosh is quadratic only "
               f"for |r| below about {sym}1; above a few {sym} it is |r| − ln 2 and its gradient is ±1, "
               "exactly like MAE. Its smooth middle matters only on a scaled target, as in training.",),
    )


def _money_exact(ex: _Example, value: float) -> str:
    decimals = 2 if abs(value) < _CENTS_LIMIT else 0
    return _minus(format_money(value, ex.currency, decimals=decimals))


def _quantile(ex: _Example) -> _Working:
    r, tau = ex.residual, ex.tau
    sym = ex.symbol

    def term(i: int, value: float) -> str:
        shortfall = -r[i]
        if shortfall > 0:
            return (f"y − ŷ = {ex.money(shortfall)} > 0 (priced too low), so τ(y − ŷ) = "
                    f"{tau:g} × {ex.money(shortfall)} = {ex.money(value)}")
        if shortfall < 0:
            return (f"y − ŷ = {ex.money(shortfall)} < 0 (priced too high), so (1 − τ)(ŷ − y) = "
                    f"{1 - tau:g} × {ex.money(-shortfall)} = {ex.money(value)}")
        return f"y = ŷ, so the loss is {ex.money(value)}"

    return _Working(
        f"Quantile (pinball) loss, τ = {tau:g}", "quantile", get_loss("quantile", tau=tau),
        term=term,
        value=ex.money,
        gradient_formula=(_quantile_slope(r[0]), "(−τ if ŷᵢ < yᵢ, 1 − τ if ŷᵢ > yᵢ, 0 if equal) / N"),
        gradient_term=None,
        gradient_value=_number,
        gradient_unit="unitless",
        units=sym, gradient_units="none",
        notes=(f"Units: {sym}. A price too low costs τ per {sym} and a price too high 1 − τ, so with "
               "τ = 0.9 the model learns the 90th percentile of the price, and with τ = 0.1 the 10th.",),
        branches=True,
    )


def _quantile_slope(residual: float) -> str:
    """Return the quantile loss's slope for one house, as a formula with its case."""
    if residual < 0:
        return "−τ (because ŷ < y)"
    if residual > 0:
        return "1 − τ (because ŷ > y)"
    return "0 (because ŷ = y)"


def _msle(ex: _Example) -> _Working:
    log_actual, log_predicted = np.log1p(ex.actual), np.log1p(ex.predicted)
    sym = ex.symbol

    def term(i: int, value: float) -> str:
        difference = log_predicted[i] - log_actual[i]
        return (f"(ln(1 + ŷ) − ln(1 + y))² = ({log_predicted[i]:.6f} − {log_actual[i]:.6f})² "
                f"= ({_number(difference)})² = {_number(value)}")

    return _Working(
        "MSLE, mean squared logarithmic error", "MSLE", get_loss("msle"),
        term=term,
        value=_number,
        gradient_formula=("2(ln(1 + ŷ) − ln(1 + y)) / (1 + ŷ)", "2(ln(1 + ŷᵢ) − ln(1 + yᵢ)) / ((1 + ŷᵢ) N)"),
        gradient_term=lambda i: (f"2 × ({_number(log_predicted[i] - log_actual[i])}) / "
                                 f"{ex.money(1 + ex.predicted[i]).replace(sym, '')}"),
        gradient_value=_number,
        gradient_unit=f"in {sym}⁻¹ (per {sym} of prediction)",
        units="none", gradient_units=f"{sym}⁻¹",
        notes=("Units: none. A difference of logs is the log of a ratio of prices, so MSLE scores "
               "relative errors: 10% off costs the same on a cheap house and on a dear one.",),
    )


def _mape(ex: _Example) -> _Working:
    r = ex.residual
    sym = ex.symbol

    def term(i: int, value: float) -> str:
        return f"|r| / |y| = {ex.money(abs(r[i]))} / {ex.money(ex.actual[i])} = {_percent(value)}"

    return _Working(
        "MAPE, mean absolute percentage error", "MAPE", get_loss("mape"),
        term=term,
        value=_percent,
        gradient_formula=("sign(r) / |y|", "sign(rᵢ) / (|yᵢ| N)"),
        gradient_term=lambda i: f"{_number(np.sign(r[i]))} / {ex.money(ex.actual[i])}",
        gradient_value=_number,
        gradient_unit=f"in {sym}⁻¹ (per {sym} of prediction)",
        units="none (%)", gradient_units=f"{sym}⁻¹",
        notes=(f"Units: none, a fraction shown as a percentage. Its gradient is per {sym}: one {sym} of "
               "error matters more on a cheap house than on a dear one.",),
    )


def _percent(value: float) -> str:
    percent = 100 * value
    if abs(percent) >= 1e6:  # where two decimals would print rounding noise
        return f"{_number(value)} = {_number(percent)}%"
    return f"{_number(value)} = {percent:.2f}%"


# ----------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------


def worked_example_lines(actual: Sequence[float], predicted: Sequence[float], *, currency: str = "USD",
                         delta: float | None = None, tau: float = 0.5) -> list[str]:
    r"""Write every loss and its gradient for a few houses, with the working and the units.

    Parameters
    ----------
    actual, predicted : sequence of float
        Actual and predicted prices of the same houses, in currency units.
        Actual prices must be positive and predictions 0 or more.
    currency : {"USD", "INR"}, default "USD"
        How amounts are written. No exchange rate is applied.
    delta : float, optional
        Huber's threshold in currency units; 10% of the mean actual price when omitted.
    tau : float, default 0.5
        The level of the quantile loss, in (0, 1).

    Returns
    -------
    list of str
        The lines of the printout, without line endings.

    Raises
    ------
    ConfigError
        If the prices are missing, of different lengths, more than `MAX_HOUSES`,
        not finite or out of range, or if ``delta`` or ``tau`` is out of range.

    Notes
    -----
    With residual :math:`r_i = \hat{y}_i - y_i` over :math:`N` houses, each
    loss is the mean of its per-house terms and each gradient
    :math:`\partial L / \partial \hat{y}_i` is already divided by :math:`N`,
    as in training. RMSE is :math:`\sqrt{\mathrm{MSE}}`, not a mean of terms.
    """
    example = _check_example(actual, predicted, currency, delta, tau)
    lines = _header_lines(example)
    workings = [_mse(example), _mae(example), _huber(example), _logcosh(example), _quantile(example),
                _msle(example), _mape(example)]
    summary = []
    for working in workings:
        lines += ["", *_section_lines(example, working)]
        summary.append(_summary_row(example, working))
        if working.label == "MSE":
            lines += ["", *_rmse_lines(example, working)]
            summary.append(_rmse_summary_row(example))
    lines += ["", "Summary: each loss, its unit and the unit of its gradient dL/dŷ", ""]
    lines += format_table(["loss", "value", "unit", "gradient unit"], summary).splitlines()
    return lines


def _check_example(actual, predicted, currency, delta, tau) -> _Example:
    actual_prices = _check_prices("--actual", actual)
    predicted_prices = _check_prices("--predicted", predicted)
    if actual_prices.size != predicted_prices.size:
        raise ConfigError(f"--actual gives {_count(actual_prices.size, 'price')} but --predicted gives "
                          f"{_count(predicted_prices.size, 'price')}; give one predicted price per house")
    if np.any(actual_prices <= 0):
        house = int(np.flatnonzero(actual_prices <= 0)[0]) + 1
        raise ConfigError(f"--actual must be positive prices; house {house} is {actual_prices[house - 1]:g}. "
                          "MAPE divides by the actual price and MSLE takes its log")
    if np.any(actual_prices < MIN_ACTUAL_PRICE):
        house = int(np.flatnonzero(actual_prices < MIN_ACTUAL_PRICE)[0]) + 1
        raise ConfigError(f"--actual must be prices of at least {MIN_ACTUAL_PRICE:g}; house {house} is "
                          f"{actual_prices[house - 1]:g}. MAPE divides by the actual price, so give prices "
                          "in whole currency units, such as 245000")
    if np.any(predicted_prices < 0):
        house = int(np.flatnonzero(predicted_prices < 0)[0]) + 1
        raise ConfigError(f"--predicted must be prices of 0 or more; house {house} is "
                          f"{predicted_prices[house - 1]:g}")
    code = check_currency(currency)
    delta_given = delta is not None
    if delta_given and not (isinstance(delta, (int, float)) and math.isfinite(delta) and 0 < delta <= MAX_PRICE):
        raise ConfigError(f"--delta must be a positive amount in {code} of at most {_MAX_PRICE_TEXT}, such as 10% "
                          f"of a typical price; got {delta}")
    if not (isinstance(tau, (int, float)) and 0 < tau < 1):
        raise ConfigError(f"--quantile must be a level in the open interval (0, 1), such as 0.9; got {tau}")
    delta_value = float(delta) if delta_given else default_delta(actual_prices)
    return _Example(actual_prices, predicted_prices, code, delta_value, delta_given, float(tau))


def _check_prices(option: str, values) -> np.ndarray:
    prices = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if prices.ndim != 1 or prices.size == 0:
        raise ConfigError(f"{option} needs one price per house, such as {option} 245000 310000")
    if prices.size > MAX_HOUSES:
        raise ConfigError(f"{option} gives {prices.size} prices; the worked example shows every house, "
                          f"so give at most {MAX_HOUSES}")
    if not np.all(np.isfinite(prices)):
        raise ConfigError(f"{option} must be finite numbers; got {', '.join(f'{p:g}' for p in prices)}")
    too_large = np.flatnonzero(np.abs(prices) > MAX_PRICE)
    if too_large.size:
        house = int(too_large[0]) + 1
        raise ConfigError(f"{option} must be prices of at most {_MAX_PRICE_TEXT} (a thousand trillion); house {house} "
                          f"is {prices[house - 1]:g}. Give prices in currency units, such as 245000")
    return prices


def _header_lines(ex: _Example) -> list[str]:
    houses = "1 house" if ex.n_samples == 1 else f"{ex.n_samples} houses"
    lines = [f"Worked example: {houses}, amounts in {ex.currency} ({ex.symbol})", ""]
    if ex.n_samples == 1:
        y, y_hat, r = ex.actual[0], ex.predicted[0], ex.residual[0]
        lines += [
            f"  actual price      y = {ex.money(y)}",
            f"  predicted price   ŷ = {ex.money(y_hat)}",
            f"  residual          r = predicted − actual = {ex.money(y_hat)} − {ex.money(y)} = {ex.money(r)}",
        ]
    else:
        rows = [[f"house {i + 1}", ex.money(y), ex.money(y_hat), ex.money(y_hat - y)]
                for i, (y, y_hat) in enumerate(zip(ex.actual, ex.predicted))]
        lines += format_table(["", "actual y", "predicted ŷ", "residual r = ŷ − y"], rows).splitlines()
        lines += [""] + _wrap([f"Each loss below is the mean of its per-house terms over N = {ex.n_samples} "
                               "houses, and each gradient is divided by N, as in training."], indent="")
    lines += [""] + _wrap(["Every value comes from housing.losses; the lines show the working. A gradient "
                           f"dL/dŷ is how much the loss changes per {ex.symbol}1 of prediction."], indent="")
    return lines


def _section_lines(ex: _Example, working: _Working) -> list[str]:
    terms = ex.per_house(working.loss)
    value = working.loss(ex.actual, ex.predicted)
    gradient = np.asarray(working.loss.gradient(ex.actual, ex.predicted)).reshape(-1)
    lines = [working.heading]
    if ex.n_samples == 1 and working.branches:
        lines.append(f"  {working.term(0, terms[0])}")
        lines.append(f"  {working.label} = {working.value(value)}")
    elif ex.n_samples == 1:
        lines.append(f"  {working.label} = {working.term(0, terms[0])}")
    else:
        lines += [f"  house {i + 1}: {working.term(i, terms[i])}" for i in range(ex.n_samples)]
        lines.append(f"  {working.label} = mean of the {ex.n_samples} terms = {working.value(value)}")

    if ex.n_samples == 1:
        substitution = f" = {working.gradient_term(0)}" if working.gradient_term else ""
        lines.append(f"  dL/dŷ = {working.gradient_formula[0]}{substitution} = "
                     f"{working.gradient_value(gradient[0])}, {working.gradient_unit}")
    else:
        lines.append(f"  dL/dŷᵢ = {working.gradient_formula[1]}, {working.gradient_unit}:")
        lines += [f"    house {i + 1}: {working.gradient_value(g)}" for i, g in enumerate(gradient)]
    lines += _wrap(working.notes)
    return lines


def _wrap(paragraphs: Sequence[str], indent: str = "  ") -> list[str]:
    """Wrap sentences to the printout's width, indented under their section."""
    lines = []
    for paragraph in paragraphs:
        lines += textwrap.wrap(paragraph, _WIDTH, initial_indent=indent, subsequent_indent=indent)
    return lines


def _rmse_lines(ex: _Example, mse: _Working) -> list[str]:
    rmse_loss = get_loss("rmse")
    mse_value = mse.loss(ex.actual, ex.predicted)
    value = rmse_loss(ex.actual, ex.predicted)
    gradient = np.asarray(rmse_loss.gradient(ex.actual, ex.predicted)).reshape(-1)
    sym = ex.symbol
    scientific = _minus(format_squared_money(mse_value, ex.currency, scientific=True))
    lines = ["RMSE, root mean squared error",
             f"  RMSE = √MSE = √({scientific}) = {ex.money(value)}"]
    if ex.n_samples == 1:
        lines.append(f"  dL/dŷ = r / RMSE = {ex.money(ex.residual[0])} / {ex.money(value)} = "
                     f"{_number(gradient[0])}, unitless ({sym} per {sym})")
    else:
        lines.append(f"  dL/dŷᵢ = rᵢ / (N · RMSE), unitless ({sym} per {sym}):")
        lines += [f"    house {i + 1}: {_number(g)}" for i, g in enumerate(gradient)]
    lines += _wrap([f"Units: {sym}, back in the units of the price. RMSE is the root of the mean, not the "
                    "mean of |r|, so it weighs large errors more than MAE does."])
    return lines


def _summary_row(ex: _Example, working: _Working) -> list[str]:
    value = working.loss(ex.actual, ex.predicted)
    return [working.label, working.value(value), working.units, working.gradient_units]


def _rmse_summary_row(ex: _Example) -> list[str]:
    return ["RMSE", ex.money(get_loss("rmse")(ex.actual, ex.predicted)), ex.symbol, "none"]


# ----------------------------------------------------------------------
# housing losses
# ----------------------------------------------------------------------


def _price(text: str) -> float:
    """Parse a price for argparse, accepting grouping and a currency mark ("₹3,37,50,000")."""
    from .datasets import parse_number

    try:
        return parse_number(text)
    except ValueError:
        pass
    if _reads_as_non_finite(text):
        raise argparse.ArgumentTypeError(f"not a finite price: {text!r}; give a price of at most {_MAX_PRICE_TEXT}, "
                                         "such as 245000")
    raise argparse.ArgumentTypeError(f"not a price: {text!r}; write it as 245000, 245,000 or ₹2,45,000")


def _reads_as_non_finite(text: str) -> bool:
    """Return True for text that Python reads as a float that is not finite: "nan", "inf", "1e400"."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def add_losses_parser(commands, add_training_options, add_common_options) -> None:
    """Register ``housing losses``; the signature is that of the `EXTRA_COMMANDS` registrars."""
    parser = commands.add_parser(
        "losses", help="print every loss and its gradient for a few houses, with the working and units",
        description="Work every loss and its gradient by hand for one house or a few, in the currency given. "
                    "Example: housing losses --actual 33750000 --predicted 30000000 --currency INR")
    parser.add_argument("--actual", type=_price, nargs="+", required=True, metavar="PRICE",
                        help="actual price of each house, in currency units (245000, 245,000 or ₹2,45,000)")
    parser.add_argument("--predicted", type=_price, nargs="+", required=True, metavar="PRICE",
                        help="predicted price of each house, in the same order")
    parser.add_argument("--currency", type=str.upper, choices=CURRENCIES, default="USD",
                        help="how amounts are written: USD ($1,234,567) or INR (₹12,34,567); no exchange "
                             "rate is applied (default: %(default)s)")
    parser.add_argument("--delta", type=_price, metavar="AMOUNT",
                        help="Huber threshold in currency units (default: 10%% of the mean actual price)")
    parser.add_argument("--quantile", type=float, default=0.5, metavar="TAU",
                        help="quantile loss level tau in (0, 1) (default: %(default)s)")
    add_common_options(parser)
    parser.set_defaults(handler=losses_command)


def losses_command(args) -> int:
    """Print the worked example for the prices on the command line."""
    lines = worked_example_lines(args.actual, args.predicted, currency=args.currency, delta=args.delta,
                                 tau=args.quantile)
    print("\n".join(lines))
    return 0
