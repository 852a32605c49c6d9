"""The worked loss example: values against hand-worked numbers and scikit-learn, units, the command."""

import math
import re

import numpy as np
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_pinball_loss,
    mean_squared_error,
    mean_squared_log_error,
)

from housing.cli import main
from housing.errors import ConfigError
from housing.worked_example import MAX_HOUSES, MAX_PRICE, MIN_ACTUAL_PRICE, default_delta, worked_example_lines

# One house, in rupees: y = 3,37,50,000 and ŷ = 3,00,00,000, so r = −37,50,000.
# By hand: r² = 14,062,500,000,000 = 1.40625e13; √ of it = 3,750,000; |r| / y = 1/9.
ACTUAL, PREDICTED = 33_750_000.0, 30_000_000.0


@pytest.fixture(scope="module")
def rupee_lines():
    return worked_example_lines([ACTUAL], [PREDICTED], currency="INR")


def _line(lines, start):
    matches = [line.strip() for line in lines if line.strip().startswith(start)]
    assert len(matches) == 1, (start, matches)
    return matches[0]


def test_residual_line_shows_subtraction(rupee_lines):
    assert _line(rupee_lines, "residual") == (
        "residual          r = predicted − actual = ₹3,00,00,000 − ₹3,37,50,000 = −₹37,50,000")


def test_mse_in_rupees_squared(rupee_lines):
    line = _line(rupee_lines, "MSE =")
    assert line.endswith("= 1,40,62,50,00,00,000 ₹² (1.40625 × 10¹³ ₹²)")
    assert "r² = (−₹37,50,000)²" in line


def test_rmse_back_in_rupees(rupee_lines):
    assert _line(rupee_lines, "RMSE =") == "RMSE = √MSE = √(1.40625 × 10¹³ ₹²) = ₹37,50,000"


def test_mae_line(rupee_lines):
    assert _line(rupee_lines, "MAE =").endswith("= ₹37,50,000")


def test_huber_default_delta_linear_branch(rupee_lines):
    # δ = 10% of 3,37,50,000 = 33,75,000 < |r|, so δ(|r| − δ/2) = 3,375,000 × 2,062,500 = 6,960,937,500,000.
    assert default_delta([ACTUAL]) == pytest.approx(3_375_000.0)
    assert "Huber, δ = ₹33,75,000 (10% of the mean actual price" in "\n".join(rupee_lines)
    assert _line(rupee_lines, "Huber =") == "Huber = 69,60,93,75,00,000 ₹² (6.96094 × 10¹² ₹²)"
    assert _line(rupee_lines, "|r| = ₹37,50,000 > δ").startswith("|r| = ₹37,50,000 > δ, so δ(|r| − δ/2)")


def test_logcosh_is_abs_residual_minus_ln2(rupee_lines):
    # ln cosh(3,750,000) = 3,750,000 − ln 2 = 3,749,999.3069 to float64 precision.
    line = _line(rupee_lines, "log-cosh =")
    assert "= ₹37,49,999.31 ≈ |r| − ln 2" in line
    assert f"{3_750_000 - math.log(2):.2f}" == "3749999.31"


def test_quantile_under_prediction(rupee_lines):
    # The house is priced too low: ℓ = τ(y − ŷ) = 0.5 × 37,50,000, gradient −τ.
    assert _line(rupee_lines, "quantile =") == "quantile = ₹18,75,000"
    assert mean_pinball_loss([ACTUAL], [PREDICTED], alpha=0.5) == pytest.approx(1_875_000.0)
    assert _line(rupee_lines, "dL/dŷ = −τ") == "dL/dŷ = −τ (because ŷ < y) = −0.5, unitless"


def test_msle_and_mape_match_sklearn(rupee_lines):
    msle = mean_squared_log_error([ACTUAL], [PREDICTED])
    assert _line(rupee_lines, "MSLE =").endswith(f"= {msle:.6g}")
    mape = mean_absolute_percentage_error([ACTUAL], [PREDICTED])
    assert mape == pytest.approx(1 / 9)
    assert _line(rupee_lines, "MAPE =").endswith("= 0.111111 = 11.11%")


def test_gradients_name_their_units(rupee_lines):
    # MSE: 2r = −75,00,000 in ₹; MAPE: sign(r)/y = −1/33,750,000 = −2.96296e-8 per ₹.
    gradients = [line.strip() for line in rupee_lines if line.strip().startswith("dL/dŷ")]
    assert len(gradients) == 8
    assert gradients[0] == "dL/dŷ = 2r = 2 × (−₹37,50,000) = −₹75,00,000, in ₹ (₹² per ₹ of prediction)"
    for line in gradients:
        assert any(unit in line for unit in ("in ₹ (", "unitless", "in ₹⁻¹")), line
    assert _line(rupee_lines, "dL/dŷ = sign(r) / |y|").endswith("= −2.96296 × 10⁻⁸, in ₹⁻¹ (per ₹ of prediction)")


def test_every_loss_line_has_a_unit(rupee_lines):
    units = {"MSE =": "₹²)", "RMSE =": "₹", "MAE =": "₹", "Huber =": "₹²)", "log-cosh =": "₹",
             "quantile =": "₹", "MSLE =": "", "MAPE =": "%"}
    notes = {"MSE": "₹², currency squared", "MSLE": "Units: none", "MAPE": "Units: none"}
    text = " ".join("\n".join(rupee_lines).split())  # explanatory sentences are wrapped
    for start, unit in units.items():
        line = _line(rupee_lines, start)
        assert unit in line.split(" = ")[-1], line
    for name, note in notes.items():
        assert note in text, name
    assert "A squared error is not an amount of money, which is exactly why RMSE exists." in text


def test_batch_means_and_gradients_match_sklearn():
    # r = [−20,000, +15,000, −20,000]: MSE = (4e8 + 2.25e8 + 4e8) / 3 = 341,666,666.67 $².
    actual, predicted = [200_000.0, 150_000.0, 320_000.0], [180_000.0, 165_000.0, 300_000.0]
    lines = worked_example_lines(actual, predicted, delta=16_000.0, tau=0.9)
    assert mean_squared_error(actual, predicted) == pytest.approx(341_666_666.667)
    assert _line(lines, "MSE =") == "MSE = mean of the 3 terms = 341,666,667 $² (3.41667 × 10⁸ $²)"
    assert _line(lines, "MAE =").endswith(f"${mean_absolute_error(actual, predicted):,.2f}")
    assert _line(lines, "RMSE =").endswith(f"${math.sqrt(mean_squared_error(actual, predicted)):,.2f}")
    # Pinball at τ = 0.9: (0.9 × 20,000 + 0.1 × 15,000 + 0.9 × 20,000) / 3 = 12,500.
    assert mean_pinball_loss(actual, predicted, alpha=0.9) == pytest.approx(12_500.0)
    assert _line(lines, "quantile =") == "quantile = mean of the 3 terms = $12,500"
    # The MSE gradient per house is 2rᵢ/N: −40,000/3, 30,000/3, −40,000/3.
    text = "\n".join(lines)
    assert "dL/dŷᵢ = 2rᵢ / N, in $ ($² per $ of prediction):\n    house 1: −$13,333.33\n    house 2: $10,000" in text
    # Huber with δ = 16,000: house 1 is linear (16,000 × 12,000), house 2 quadratic (15,000² / 2).
    assert "house 1: |r| = $20,000 > δ" in text and "= 192,000,000 $²" in text
    assert "house 2: |r| = $15,000 ≤ δ, so ½r² = ½ × ($15,000)² = 112,500,000 $²" in text
    assert "Huber, δ = $16,000 (set by --delta)" in text


def test_batch_table_lists_each_residual():
    lines = worked_example_lines([100.0, 200.0], [110.0, 150.0])
    assert _line(lines, "house 1  ") .split() == ["house", "1", "$100", "$110", "$10"]
    assert _line(lines, "house 2  ").split() == ["house", "2", "$200", "$150", "−$50"]


@pytest.mark.parametrize("kwargs, message", [
    ({"actual": [1.0, 2.0], "predicted": [1.0]}, "--actual gives 2 prices but --predicted gives 1"),
    ({"actual": [0.0], "predicted": [1.0]}, "--actual must be positive prices; house 1 is 0"),
    ({"actual": [5.0], "predicted": [-1.0]}, "--predicted must be prices of 0 or more; house 1 is -1"),
    ({"actual": [float("nan")], "predicted": [1.0]}, "--actual must be finite numbers"),
    ({"actual": [float("inf")], "predicted": [1.0]}, "--actual must be finite numbers"),
    ({"actual": [5.0], "predicted": [float("-inf")]}, "--predicted must be finite numbers"),
    ({"actual": [1e308], "predicted": [1e-308]}, r"--actual must be prices of at most 1e15 .* house 1 is 1e\+308"),
    ({"actual": [1e160], "predicted": [1.0]}, r"--actual must be prices of at most 1e15 .* house 1 is 1e\+160"),
    ({"actual": [5.0, 1e20], "predicted": [1.0, 1.0]}, r"--actual .* house 2 is 1e\+20"),
    ({"actual": [5.0], "predicted": [1.0000001e15]}, "--predicted must be prices of at most 1e15"),
    ({"actual": [1e-308], "predicted": [1.0]}, "--actual must be prices of at least 1; house 1 is 1e-308"),
    ({"actual": [1.0], "predicted": [1.0], "delta": 1e16}, "--delta must be a positive amount in USD of at most 1e15"),
    ({"actual": [1.0], "predicted": [1.0, 2.0]}, "--actual gives 1 price but --predicted gives 2 prices"),
    ({"actual": [], "predicted": []}, "--actual needs one price per house"),
    ({"actual": [1.0] * (MAX_HOUSES + 1), "predicted": [1.0] * (MAX_HOUSES + 1)}, f"give at most {MAX_HOUSES}"),
    ({"actual": [1.0], "predicted": [1.0], "delta": 0.0}, "--delta must be a positive amount"),
    ({"actual": [1.0], "predicted": [1.0], "tau": 1.0}, r"--quantile must be a level in the open interval \(0, 1\)"),
    ({"actual": [1.0], "predicted": [1.0], "currency": "EUR"}, "unknown currency 'EUR'"),
])
def test_bad_input_rejected(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        worked_example_lines(**kwargs)


def test_losses_command_prints_example(capsys):
    status = main(["losses", "--actual", "33750000", "--predicted", "30000000", "--currency", "INR"])
    out = capsys.readouterr().out
    assert status == 0
    assert "r = predicted − actual = ₹3,00,00,000 − ₹3,37,50,000 = −₹37,50,000" in out
    assert "1,40,62,50,00,00,000 ₹² (1.40625 × 10¹³ ₹²)" in out
    assert "RMSE = √MSE = √(1.40625 × 10¹³ ₹²) = ₹37,50,000" in out


def test_losses_command_accepts_grouped_prices(capsys):
    status = main(["losses", "--actual", "₹3,37,50,000", "--predicted", "3,00,00,000", "--currency", "inr",
                   "--delta", "₹40,00,000"])
    out = capsys.readouterr().out
    assert status == 0
    # |r| = 37,50,000 ≤ δ = 40,00,000, so Huber is ½r² = 7,031,250,000,000.
    assert "Huber = 70,31,25,00,00,000 ₹²" in out


def test_losses_command_bad_input_exits_2(capsys):
    status = main(["losses", "--actual", "100", "200", "--predicted", "100"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == ("housing losses: error: --actual gives 2 prices but --predicted gives 1 price; "
                           "give one predicted price per house")


def test_losses_command_unparsable_price(capsys):
    status = main(["losses", "--actual", "12O,000", "--predicted", "100"])
    assert status == 2
    assert "not a price: '12O,000'" in capsys.readouterr().err


def test_lines_use_package_losses_not_copies():
    # A value that only get_loss produces: MSLE for ŷ = 0 against y = 2 is (ln 1 − ln 3)² = 1.206949.
    lines = worked_example_lines([2.0], [0.0])
    assert _line(lines, "MSLE =").endswith(f"= {np.log(3) ** 2:.6g}")


@pytest.mark.parametrize("currency", ["USD", "INR"])
@pytest.mark.parametrize("actual, predicted", [
    ([MAX_PRICE], [0.0]),
    ([MIN_ACTUAL_PRICE], [MAX_PRICE]),
    ([MAX_PRICE, MIN_ACTUAL_PRICE], [MIN_ACTUAL_PRICE, MAX_PRICE]),
    ([123_456_789_012.34], [98_765_432_109.87]),
])
def test_extreme_prices_print_finite_exact_numbers(actual, predicted, currency):
    text = "\n".join(worked_example_lines(actual, predicted, currency=currency))
    for word in ("∞", "inf", "nan", "n/a"):
        assert word not in text
    # A float64 holds about 16 significant digits, so a number printed with more shows rounding noise.
    for number in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
        assert len(re.sub(r"\D", "", number)) <= 16, number


def test_largest_price_by_hand():
    # y = 1e15, ŷ = 0: r = −1e15, so MSE = r² = 1e30 $², shown in scientific form only,
    # RMSE = 1e15 and MAPE = |r| / y = 1 = 100%.
    lines = worked_example_lines([1e15], [0.0])
    assert _line(lines, "MSE =") == "MSE = r² = (−$1,000,000,000,000,000)² = 1 × 10³⁰ $²"
    assert _line(lines, "RMSE =") == "RMSE = √MSE = √(1 × 10³⁰ $²) = $1,000,000,000,000,000"
    assert _line(lines, "MAPE =").endswith("= 1 = 100.00%")


def test_huge_percentage_in_scientific_form():
    # y = 1, ŷ = 1e15: MAPE = (1e15 − 1) / 1 ≈ 1e15, which is 1e17 percent.
    lines = worked_example_lines([1.0], [1e15])
    assert _line(lines, "MAPE =").endswith("= 1 × 10¹⁵ = 1 × 10¹⁷%")


def test_header_grammar_one_and_several_houses():
    assert worked_example_lines([100.0], [90.0])[0] == "Worked example: 1 house, amounts in USD ($)"
    assert worked_example_lines([100.0, 200.0], [90.0, 210.0])[0] == "Worked example: 2 houses, amounts in USD ($)"
    text = "\n".join(worked_example_lines([100.0], [90.0]))
    assert not re.search(r"\b1 (houses|prices|terms)\b", text)


@pytest.mark.parametrize("text", ["nan", "inf", "Infinity", "1e400"])
def test_losses_command_rejects_non_finite(capsys, text):
    status = main(["losses", "--actual", text, "--predicted", "100"])
    assert status == 2
    assert f"not a finite price: '{text}'" in capsys.readouterr().err


@pytest.mark.parametrize("args, option", [
    (["--actual", "1e308", "--predicted", "1e-308"], "--actual"),
    (["--actual", "1e160", "--predicted", "1"], "--actual"),
    (["--actual", "1e20", "--predicted", "1"], "--actual"),
    (["--actual", "100", "--predicted", "2e15"], "--predicted"),
])
def test_losses_command_rejects_huge_prices(capsys, args, option):
    status = main(["losses", *args])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert f"{option} must be prices of at most 1e15" in captured.err
    assert "Traceback" not in captured.err
