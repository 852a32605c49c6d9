"""Tests for the figures: titles, labels, lines, colours and tick labels read back from matplotlib."""

import struct

import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from sklearn.metrics import mean_absolute_error, mean_squared_error

from housing.errors import ConfigError, DataError
from housing.history import History
from housing.losses import get_loss
from housing.plotting import (
    DPI,
    FALLBACK_COLOR,
    LOSS_COLORS,
    LOSS_LABELS,
    LOSS_MARKERS,
    loss_color,
    loss_label,
    loss_marker,
    plot_loss_curves,
    plot_loss_shapes,
    plot_predicted_vs_actual,
    plot_predicted_vs_actual_grid,
    plot_residual_grid,
    plot_residuals,
    save_figure,
)

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
REGRESSION_LOSSES = ("mse", "rmse", "mae", "huber", "logcosh", "quantile", "msle", "mape")


def make_history(loss_name, train, val, best_epoch=None):
    history = History(loss_name=loss_name)
    for epoch, (train_loss, val_loss) in enumerate(zip(train, val), start=1):
        history.append(epoch, train_loss, val_loss, 1e-3, 0.1)
    history.best_epoch = best_epoch
    return history


@pytest.fixture
def prices():
    rng = np.random.default_rng(7)
    y_true = np.exp(rng.normal(np.log(180_000), 0.3, 120))
    y_pred = y_true + rng.normal(0, 20_000, 120)
    return y_true, y_pred


def tick_texts(axis):
    return [label.get_text() for label in axis.get_ticklabels() if label.get_text()]


def lines_in_color(ax, color):
    return [line for line in ax.get_lines() if same_color(line.get_color(), color)]


# ---------------------------------------------------------------- colours and labels


def test_loss_colors_are_okabe_ito():
    assert set(LOSS_COLORS) == set(REGRESSION_LOSSES) | {"bce", "cce"}
    assert set(LOSS_COLORS.values()) <= OKABE_ITO
    regression_colors = [LOSS_COLORS[name] for name in REGRESSION_LOSSES]
    assert len(set(regression_colors)) == len(REGRESSION_LOSSES)


def test_loss_color_normalises_and_falls_back():
    assert loss_color("MSE") == LOSS_COLORS["mse"]
    assert loss_color("log_cosh") == LOSS_COLORS["logcosh"]
    assert loss_color("Log-Cosh") == LOSS_COLORS["logcosh"]
    assert loss_color("tukey") == FALLBACK_COLOR
    assert FALLBACK_COLOR not in LOSS_COLORS.values()


def test_loss_labels():
    assert LOSS_LABELS["mse"] == "MSE"
    assert LOSS_LABELS["huber"] == "Huber (δ=1)"
    assert LOSS_LABELS["logcosh"] == "log-cosh"
    assert LOSS_LABELS["quantile"] == "Quantile (τ=0.5)"
    assert loss_label("huber", delta=0.5) == "Huber (δ=0.5)"
    assert loss_label("quantile", tau=0.9) == "Quantile (τ=0.9)"
    assert loss_label("tukey") == "tukey"


def test_default_labels_match_loss_defaults():
    assert get_loss("huber").params == {"delta": 1.0}
    assert get_loss("quantile").params == {"tau": 0.5}


# ---------------------------------------------------------------- loss curves


def test_loss_curves_single_history():
    history = make_history("mse", [4.0, 2.0, 1.0, 0.9], [4.5, 2.5, 1.2, 1.3], best_epoch=3)
    fig = plot_loss_curves(history)
    (ax,) = fig.axes

    assert isinstance(fig, Figure)
    assert ax.get_title() == "Training and validation loss: MSE"
    assert ax.get_xlabel() == "Epoch"
    assert "training units" in ax.get_ylabel()

    train, val, best = lines_in_color(ax, LOSS_COLORS["mse"])
    assert train.get_linestyle() == "-"
    assert val.get_linestyle() == "--"
    assert list(train.get_ydata()) == [4.0, 2.0, 1.0, 0.9]
    assert list(val.get_ydata()) == [4.5, 2.5, 1.2, 1.3]
    assert list(best.get_xdata()) == [3]
    assert list(best.get_ydata()) == [1.2]
    assert best.get_marker() == "o"
    assert len(ax.get_lines()) == 4  # the vertical line at the best epoch is the fourth

    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == "MSE, best epoch 3"
    assert legend[1:] == ["training", "validation", "best epoch (kept)"]


def test_loss_curves_several_relative():
    histories = {
        "mse": make_history("mse", [4.0, 2.0, 1.0], [5.0, 3.0, 2.0], best_epoch=3),
        "mae": make_history("mae", [0.5, 0.4, 0.25], [0.6, 0.5, 0.45], best_epoch=2),
    }
    fig = plot_loss_curves(histories)
    (ax,) = fig.axes

    assert ax.get_title() == "Loss curves: MSE, MAE"
    assert "relative to epoch 1" in ax.get_ylabel()
    assert len(ax.get_lines()) == 6  # training, validation and best-epoch dot per loss

    mse_train, mse_val, mse_best = lines_in_color(ax, LOSS_COLORS["mse"])
    mae_train, mae_val, mae_best = lines_in_color(ax, LOSS_COLORS["mae"])
    # Each curve is divided by its own first training loss: 4.0 for MSE, 0.5 for MAE.
    np.testing.assert_allclose(mse_train.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(mse_val.get_ydata(), [1.25, 0.75, 0.5])
    np.testing.assert_allclose(mae_train.get_ydata(), [1.0, 0.8, 0.5])
    np.testing.assert_allclose(mae_best.get_ydata(), [1.0])
    assert list(mae_best.get_xdata()) == [2]

    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[:2] == ["MSE, best epoch 3", "MAE, best epoch 2"]


def test_loss_curves_log_scale_and_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    history = make_history("huber", [1.0, 0.1, 0.01], [1.1, 0.2, 0.05], best_epoch=3)
    assert plot_loss_curves(history, log_scale=True, ax=ax) is fig
    assert ax.get_yscale() == "log"
    assert ax.get_title() == "Training and validation loss: Huber (δ=1)"
    assert ax.get_ylabel().endswith(", log scale")
    fig.draw_without_rendering()
    assert "0.1" in tick_texts(ax.yaxis)


def test_loss_curves_without_best_epoch():
    # best_epoch None: no epoch beat the initial weights, so there is no marker to explain.
    history = make_history("mae", [1.0, 0.5], [1.1, 0.6])
    (ax,) = plot_loss_curves(history).axes
    assert len(ax.get_lines()) == 2
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["MAE, no epoch beat the initial weights", "training", "validation"]


def test_loss_curves_best_epoch_key_only_with_marker():
    histories = {
        "mse": make_history("mse", [4.0, 2.0], [5.0, 6.0]),
        "mae": make_history("mae", [0.5, 0.4], [0.6, 0.5], best_epoch=2),
    }
    (ax,) = plot_loss_curves(histories).axes
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["MSE, no epoch beat the initial weights", "MAE, best epoch 2",
                      "training", "validation", "best epoch (kept)"]
    assert len(lines_in_color(ax, LOSS_COLORS["mse"])) == 2  # training and validation, no marker
    (marker,) = [line for line in lines_in_color(ax, LOSS_COLORS["mae"]) if line.get_linestyle() == "None"]
    assert marker.get_marker() == LOSS_MARKERS["mae"]


def test_loss_curves_overlapping_stay_visible():
    # Huber and log-cosh can give equal curves: the later one must not hide the earlier.
    same_train, same_val = [1.0, 0.8, 0.7], [0.5, 0.4, 0.45]
    histories = {
        "mse": make_history("mse", [2.0, 1.0, 0.5], [1.5, 1.0, 0.9], best_epoch=3),
        "mae": make_history("mae", [1.0, 0.6, 0.5], [0.9, 0.7, 0.6], best_epoch=3),
        "huber": make_history("huber", same_train, same_val, best_epoch=2),
        "logcosh": make_history("logcosh", same_train, same_val, best_epoch=2),
    }
    (ax,) = plot_loss_curves(histories).axes
    names = list(histories)
    trains = [lines_in_color(ax, LOSS_COLORS[name])[0] for name in names]
    markers = [lines_in_color(ax, LOSS_COLORS[name])[2] for name in names]

    widths = [line.get_linewidth() for line in trains]
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths)
    assert all(line.get_alpha() < 1 for line in trains)
    assert [line.get_marker() for line in markers] == [loss_marker(name) for name in names]
    assert len({line.get_marker() for line in markers}) == len(names)
    sizes = [line.get_markersize() for line in markers]
    assert sizes == sorted(sizes, reverse=True)
    assert min(line.get_zorder() for line in markers) > max(line.get_zorder() for line in trains)
    # The later of two equal curves is drawn on top, and the earlier one is wider, so it shows around it.
    huber, logcosh = trains[2], trains[3]
    assert ax.get_lines().index(logcosh) > ax.get_lines().index(huber)
    assert huber.get_linewidth() > logcosh.get_linewidth()


def test_loss_markers_one_per_regression_loss():
    assert len({LOSS_MARKERS[name] for name in REGRESSION_LOSSES}) == len(REGRESSION_LOSSES)
    assert loss_marker("Log_Cosh") == LOSS_MARKERS["logcosh"]
    assert loss_marker("tukey") == "o"


def test_loss_curves_auto_log_for_diverging_run():
    # A run that starts at 2.6e13 and ends near 4.6e5: max/min is about 6e7, far above 1e3.
    history = make_history("mse", [2.6e13, 3.0e11, 1.1e9, 4.6e5], [1.0e12, 2.8e10, 2.2e9, 1.4e9])
    (ax,) = plot_loss_curves(history).axes
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "Loss (training units: transformed target), log scale"
    (linear_ax,) = plot_loss_curves(history, log_scale=False).axes
    assert linear_ax.get_yscale() == "linear"
    assert "log scale" not in linear_ax.get_ylabel()


@pytest.mark.parametrize("train, val", [
    ([1.0, 0.5, 0.2], [1.1, 0.6, 0.3]),  # max/min = 5.5: a linear axis shows it well
    ([1.0, 999.0], [1.0, 1.0]),          # max/min = 999: just under the 1e3 threshold
    ([-1.0, 1e6], [1.0, 1.0]),           # a negative value has no place on a log axis
])
def test_loss_curves_auto_stays_linear(train, val):
    (ax,) = plot_loss_curves(make_history("mse", train, val)).axes
    assert ax.get_yscale() == "linear"
    assert "log scale" not in ax.get_ylabel()


@pytest.mark.parametrize("bad", ["log", "yes", None, 1.5])
def test_loss_curves_rejects_bad_log_scale(bad):
    with pytest.raises(ConfigError, match="log_scale must be True, False or 'auto'"):
        plot_loss_curves(make_history("mse", [1.0], [1.0]), log_scale=bad)


def test_loss_curves_single_epoch():
    history = make_history("mse", [0.342], [0.195], best_epoch=1)
    fig = plot_loss_curves(history)
    (ax,) = fig.axes
    train, val, best = lines_in_color(ax, LOSS_COLORS["mse"])
    # A line through one point draws nothing, so both curves carry a marker.
    assert train.get_marker() == "o"
    assert val.get_marker() == "o"
    assert list(train.get_ydata()) == [0.342]

    fig.draw_without_rendering()
    assert list(ax.get_xticks()) == [1]
    assert tick_texts(ax.xaxis) == ["1"]
    low, high = ax.get_ylim()
    assert low == 0.0
    assert high > 0.342


def test_loss_curves_single_epoch_equal_values():
    # Two runs of one epoch: each training curve is 1 by definition, and validation equals it.
    histories = {"mse": make_history("mse", [2.0], [2.0]), "mae": make_history("mae", [0.5], [0.5])}
    (ax,) = plot_loss_curves(histories).axes
    ax.figure.draw_without_rendering()
    assert ax.get_ylim()[0] == 0.0
    assert ax.get_ylim()[1] > 1.0
    assert tick_texts(ax.xaxis) == ["1"]


def test_loss_curves_rejects_bad_histories():
    with pytest.raises(DataError, match="'mse' has no epochs"):
        plot_loss_curves({"mse": History(loss_name="mse")})
    with pytest.raises(DataError, match="relative to epoch 1"):
        plot_loss_curves({"mse": make_history("mse", [0.0, 0.0], [1, 1]), "mae": make_history("mae", [1, 1], [1, 1])})
    with pytest.raises(ConfigError, match="must be a History"):
        plot_loss_curves({"mse": [1.0, 0.5]})
    with pytest.raises(ConfigError, match="non-empty dict"):
        plot_loss_curves({})


# ---------------------------------------------------------------- residuals


def test_residuals_panels_and_data(prices):
    y_true, y_pred = prices
    fig = plot_residuals(y_true, y_pred.reshape(-1, 1), loss_name="mae")
    scatter_ax, hist_ax = fig.axes

    assert fig.get_suptitle() == "Residuals on 120 houses, MAE loss"
    assert scatter_ax.get_xlabel() == "Predicted price (USD)"
    assert scatter_ax.get_ylabel() == "Residual: predicted − actual (USD)"
    assert hist_ax.get_xlabel() == "Residual: predicted − actual (USD)"
    assert hist_ax.get_ylabel() == "Number of houses"

    offsets = scatter_ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], y_pred)
    np.testing.assert_allclose(offsets[:, 1], y_pred - y_true)
    assert same_color(scatter_ax.collections[0].get_facecolor()[0][:3], LOSS_COLORS["mae"])
    assert sum(patch.get_height() for patch in hist_ax.patches) == 120

    zero_line = scatter_ax.get_lines()[0]
    assert list(zero_line.get_ydata()) == [0.0, 0.0]
    assert list(hist_ax.get_lines()[0].get_xdata()) == [0.0, 0.0]


def test_residuals_tick_labels_in_currency(prices):
    y_true, y_pred = prices
    fig = plot_residuals(y_true, y_pred)
    fig.draw_without_rendering()
    scatter_ax, hist_ax = fig.axes
    for axis in (scatter_ax.xaxis, scatter_ax.yaxis, hist_ax.xaxis):
        labels = tick_texts(axis)
        assert labels
        assert all(label.removeprefix("\u2212").startswith("$") for label in labels)
        assert not any("-" in label for label in labels)
    assert "$200k" in tick_texts(scatter_ax.xaxis)
    assert any(label.startswith("\u2212$") for label in tick_texts(scatter_ax.yaxis))


def test_residuals_in_rupees(prices):
    y_true, y_pred = prices
    fig = plot_residuals(y_true * 20, y_pred * 20, currency="inr")
    fig.draw_without_rendering()
    scatter_ax, _ = fig.axes
    assert scatter_ax.get_xlabel() == "Predicted price (INR)"
    labels = tick_texts(scatter_ax.xaxis)
    assert all(label == "₹0" or (label.startswith("₹") and label.endswith(" lakh")) for label in labels)


def test_residuals_reject_bad_input(prices):
    y_true, y_pred = prices
    with pytest.raises(DataError, match=r"shapes \(120,\) and \(119,\)"):
        plot_residuals(y_true, y_pred[:-1])
    with pytest.raises(DataError, match="one column of prices"):
        plot_residuals(y_true, np.column_stack([y_pred, y_pred]))
    broken = y_pred.copy()
    broken[5] = np.nan
    with pytest.raises(DataError, match="first at row 5"):
        plot_residuals(y_true, broken)
    with pytest.raises(ConfigError, match="'EUR'"):
        plot_residuals(y_true, y_pred, currency="EUR")


# ---------------------------------------------------------------- predicted against actual


def test_predicted_vs_actual_identity_and_limits(prices):
    y_true, y_pred = prices
    fig = plot_predicted_vs_actual(y_true, y_pred, loss_name="huber")
    (ax,) = fig.axes

    assert ax.get_title() == "Predicted against actual price, Huber (δ=1) loss"
    assert ax.get_xlabel() == "Actual price (USD)"
    assert ax.get_ylabel() == "Predicted price (USD)"
    assert ax.get_xlim() == ax.get_ylim()
    low, high = ax.get_xlim()
    assert low < min(y_true.min(), y_pred.min())
    assert high > max(y_true.max(), y_pred.max())

    (identity,) = ax.get_lines()
    assert list(identity.get_xdata()) == list(identity.get_ydata())
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], y_true)
    np.testing.assert_allclose(offsets[:, 1], y_pred)

    fig.draw_without_rendering()
    assert all(label.startswith("$") for label in tick_texts(ax.yaxis))


# ---------------------------------------------------------------- residual grid


def test_residual_grid_identical_limits(prices):
    y_true, y_pred = prices
    results = {
        "mse": (y_true, y_pred),
        "mae": (y_true, y_pred * 0.9),
        "huber": (y_true, y_pred + 50_000),
        "logcosh": (y_true, y_pred - 10_000),
        "rmse": (y_true, y_pred * 1.2),
    }
    fig = plot_residual_grid(results)
    visible = [ax for ax in fig.axes if ax.get_visible()]

    assert len(fig.axes) == 6  # a 2 x 3 grid with the last cell hidden
    assert len(visible) == 5
    assert fig.get_suptitle() == "Residuals by loss, on identical axes"
    for ax, name in zip(visible, results):
        assert ax.get_xlim() == visible[0].get_xlim()
        assert ax.get_ylim() == visible[0].get_ylim()
        assert ax.get_title() == LOSS_LABELS[name]
        assert same_color(ax.title.get_color(), LOSS_COLORS[name])

    # The shared limits cover every panel's data, including the shifted Huber residuals.
    low, high = visible[0].get_ylim()
    assert high > (y_pred + 50_000 - y_true).max()
    assert low < (y_pred * 0.9 - y_true).min()


def test_residual_grid_labels(prices):
    y_true, y_pred = prices
    fig = plot_residual_grid({"mse": (y_true, y_pred), "mae": (y_true, y_pred)}, currency="INR")
    fig.draw_without_rendering()
    left, right = fig.axes
    assert left.get_xlabel() == "Predicted price (INR)"
    assert left.get_ylabel() == "Residual: predicted − actual (INR)"
    assert all(label.removeprefix("\u2212").startswith("₹") for label in tick_texts(left.yaxis))
    with pytest.raises(ConfigError, match="non-empty dict"):
        plot_residual_grid({})


# ---------------------------------------------------------------- grid layout

GRID_FUNCTIONS = [plot_residual_grid, plot_predicted_vs_actual_grid]


def grid_results(prices, n_panels):
    y_true, y_pred = prices
    return {name: (y_true, y_pred * (1 + 0.05 * i)) for i, name in enumerate(REGRESSION_LOSSES[:n_panels])}


@pytest.mark.parametrize("plot_grid", GRID_FUNCTIONS)
@pytest.mark.parametrize("n_panels, rows, columns", [(1, 1, 1), (2, 1, 2), (3, 1, 3), (4, 2, 2), (5, 2, 3),
                                                      (6, 2, 3), (7, 2, 4), (8, 2, 4)])
def test_grid_is_as_square_as_possible(prices, plot_grid, n_panels, rows, columns):
    fig = plot_grid(grid_results(prices, n_panels))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == n_panels
    assert len(fig.axes) == rows * columns
    assert visible[0].get_subplotspec().get_geometry()[:2] == (rows, columns)


@pytest.mark.parametrize("plot_grid", GRID_FUNCTIONS)
@pytest.mark.parametrize("n_panels", [2, 3, 4, 5, 6])
def test_grid_readable_on_projector(prices, plot_grid, n_panels):
    # A 1920 x 1080 projector shows 12.8 x 7.2 inches at the 150 dpi of save_figure. The width
    # fits, so fonts are not shrunk sideways, and every panel is at least 3 inches high.
    fig = plot_grid(grid_results(prices, n_panels))
    fig.draw_without_rendering()
    width, height = fig.get_size_inches()
    assert width <= 12.8 + 1e-9
    assert height <= 8.0
    for ax in fig.axes[:n_panels]:
        panel = ax.get_position()
        assert min(panel.width * width, panel.height * height) >= 2.7
        assert ax.title.get_fontsize() == 14
        assert all(label.get_fontsize() == 11 for label in ax.get_yticklabels())


def test_grid_labels_outer_panels_only(prices):
    # Five panels on 2 x 3: y tick labels in the left column, x tick labels under every column,
    # including the top-right panel above the empty cell.
    fig = plot_predicted_vs_actual_grid(grid_results(prices, 5))
    fig.draw_without_rendering()
    axes = fig.axes
    assert [bool(tick_texts(ax.yaxis)) for ax in axes[:5]] == [True, False, False, True, False]
    assert [bool(tick_texts(ax.xaxis)) for ax in axes[:5]] == [False, False, True, True, True]
    assert [ax.get_xlabel() for ax in axes[:5]] == ["", "", "Actual price (USD)", "Actual price (USD)",
                                                    "Actual price (USD)"]
    assert not axes[5].get_visible()
    assert all(ax.get_xlim() == axes[0].get_xlim() == ax.get_ylim() for ax in axes[:5])


def test_predicted_vs_actual_grid_titles(prices):
    fig = plot_predicted_vs_actual_grid(grid_results(prices, 4), currency="INR")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [LOSS_LABELS[name] for name in REGRESSION_LOSSES[:4]]
    assert all(same_color(ax.title.get_color(), LOSS_COLORS[name]) for ax, name in zip(fig.axes, REGRESSION_LOSSES))
    assert fig.axes[2].get_xlabel() == "Actual price (INR)"
    assert "perfect prediction" in fig.get_suptitle()
    with pytest.raises(ConfigError, match="non-empty dict"):
        plot_predicted_vs_actual_grid({})


# ---------------------------------------------------------------- loss shapes


def test_loss_shapes_values_and_gradients():
    fig = plot_loss_shapes(("mse", "mae", "huber"), residual_range=(-3, 3))
    value_ax, gradient_ax = fig.axes

    assert fig.get_suptitle() == "Why MAE and Huber shrug off outliers and MSE does not"
    assert "keeps growing for MSE" in fig.get_supxlabel()
    assert gradient_ax.get_xlabel() == "Residual r = predicted − actual (training units)"
    assert value_ax.get_ylabel() == "Loss"
    assert gradient_ax.get_ylabel() == "Gradient dL/dŷ"

    (mse_value,) = lines_in_color(value_ax, LOSS_COLORS["mse"])
    (mae_value,) = lines_in_color(value_ax, LOSS_COLORS["mae"])
    (huber_value,) = lines_in_color(value_ax, LOSS_COLORS["huber"])
    (mse_gradient,) = lines_in_color(gradient_ax, LOSS_COLORS["mse"])
    (mae_gradient,) = lines_in_color(gradient_ax, LOSS_COLORS["mae"])
    (huber_gradient,) = lines_in_color(gradient_ax, LOSS_COLORS["huber"])
    residuals = mse_value.get_xdata()
    assert residuals[0] == -3
    assert residuals[-1] == 3

    # One-sample values from scikit-learn, and the closed-form Huber with delta = 1.
    expected_mse = [mean_squared_error([0.0], [r]) for r in residuals]
    expected_mae = [mean_absolute_error([0.0], [r]) for r in residuals]
    absolute = np.abs(residuals)
    expected_huber = np.where(absolute <= 1, 0.5 * residuals**2, absolute - 0.5)
    np.testing.assert_allclose(mse_value.get_ydata(), expected_mse, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mae_value.get_ydata(), expected_mae, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(huber_value.get_ydata(), expected_huber, rtol=1e-12, atol=1e-15)

    # Derivatives of r^2, |r| and Huber: 2r, sign(r) and clip(r, -1, 1).
    np.testing.assert_allclose(mse_gradient.get_ydata(), 2 * residuals, rtol=1e-12, atol=1e-15)
    nonzero = residuals != 0
    np.testing.assert_allclose(mae_gradient.get_ydata()[nonzero], np.sign(residuals[nonzero]))
    np.testing.assert_allclose(huber_gradient.get_ydata(), np.clip(residuals, -1, 1), rtol=1e-12, atol=1e-15)


def test_loss_shapes_params_and_titles():
    fig = plot_loss_shapes(("huber", "logcosh"), params={"huber": {"delta": 0.5}})
    value_ax, gradient_ax = fig.axes
    legend = [text.get_text() for text in value_ax.get_legend().get_texts()]
    assert legend == ["Huber (δ=0.5)", "log-cosh"]
    assert fig.get_suptitle() == "Loss and gradient against the residual"
    assert "levels off for Huber (δ=0.5) and log-cosh" in fig.get_supxlabel()
    (huber_gradient,) = lines_in_color(gradient_ax, LOSS_COLORS["huber"])
    assert np.max(huber_gradient.get_ydata()) == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [(3, -3), (0, 0), (-np.inf, 1)])
def test_loss_shapes_rejects_bad_range(bad):
    with pytest.raises(ConfigError, match="residual_range"):
        plot_loss_shapes(residual_range=bad)


# ---------------------------------------------------------------- saving


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_save_figure_writes_png(tmp_path, prices):
    fig = plot_predicted_vs_actual(*prices)
    fig.set_size_inches(4, 3)
    target = tmp_path / "figures" / "pred.png"

    assert save_figure(fig, target) == target
    assert DPI == 150
    assert png_size(target) == (4 * 150, 3 * 150)
    assert [path.name for path in target.parent.iterdir()] == ["pred.png"]


def test_save_figure_replaces_existing(tmp_path):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old")
    fig = plot_loss_curves(make_history("mse", [1.0, 0.5], [1.2, 0.6], best_epoch=2))
    save_figure(fig, target)
    assert png_size(target)[0] > 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["loss.png"]


def test_save_figure_cleans_up_on_failure(tmp_path):
    fig = plot_loss_curves(make_history("mse", [1.0, 0.5], [1.2, 0.6]))
    with pytest.raises(ValueError):
        save_figure(fig, tmp_path / "loss.notaformat")
    assert list(tmp_path.iterdir()) == []
