"""Figures that compare losses: loss curves, residuals, predicted against actual, loss shapes.

Every function builds its figure with `matplotlib.figure.Figure` rather than
pyplot, so it works without a display and without choosing a backend, and
nothing here changes matplotlib's global style. A function either draws on
the `ax` (or `axes`) it is given or makes a new figure with constrained
layout, and returns the figure. `save_figure` writes a PNG at 150 dpi.

The figures are made for a projector. Font sizes are set on each figure
(ticks 11 pt, axis labels 12 pt, titles 14 pt). Prices are labelled through
`housing.money.money_formatter`, and each loss keeps one colour from the
Okabe-Ito palette in every figure.

Example::

    fig = plot_loss_curves({"mse": history_mse, "mae": history_mae})
    save_figure(fig, "runs/loss_curves.png")
"""

from __future__ import annotations

import math
import os
import secrets
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatter, MaxNLocator

from housing.errors import ConfigError, DataError
from housing.history import History
from housing.losses import LOSSES, get_loss
from housing.money import check_currency, money_formatter

__all__ = [
    "DPI",
    "LOSS_COLORS",
    "FALLBACK_COLOR",
    "LOSS_MARKERS",
    "FALLBACK_MARKER",
    "LOSS_LABELS",
    "loss_color",
    "loss_marker",
    "loss_label",
    "save_figure",
    "plot_loss_curves",
    "plot_residuals",
    "plot_predicted_vs_actual",
    "plot_predicted_vs_actual_grid",
    "plot_loss_shapes",
    "plot_residual_grid",
    "plot_confusion_matrix",
]

DPI = 150

_TICK_SIZE = 11
_LABEL_SIZE = 12
_TITLE_SIZE = 14
_SUPTITLE_SIZE = 15
_LEGEND_SIZE = 11

# Grids of panels aim at this size in inches: a 1920 × 1080 projector at 150 dpi,
# the resolution of `save_figure`, shows such a figure without shrinking it.
_SCREEN_SIZE = (12.8, 7.2)
_PANEL_HEIGHT_RANGE = (3.0, 5.0)
# An estimate of how many characters of a suptitle fit in one inch at `_SUPTITLE_SIZE`
# (15 pt in DejaVu Sans, matplotlib's default font).
_SUPTITLE_CHARACTERS_PER_INCH = 7

# The Okabe-Ito palette: eight colours chosen to stay distinct under the
# common forms of colour blindness. The eight regression
# losses get one each. Yellow has the least contrast on white, so it goes to
# MSLE, the loss least often compared. The classification losses never share a
# figure with house prices and reuse the colours of MSE and MAE.
LOSS_COLORS = {
    "mse": "#0072B2",  # blue
    "rmse": "#56B4E9",  # sky blue
    "mae": "#D55E00",  # vermillion
    "huber": "#009E73",  # bluish green
    "logcosh": "#CC79A7",  # reddish purple
    "quantile": "#E69F00",  # orange
    "msle": "#F0E442",  # yellow
    "mape": "#000000",  # black
    "bce": "#0072B2",
    "cce": "#D55E00",
}
FALLBACK_COLOR = "#999999"  # neutral grey for a loss name not listed above

# The shape of the best-epoch marker of each loss, the same in every figure, so
# that two losses whose curves coincide still show two different markers.
LOSS_MARKERS = {
    "mse": "o",
    "rmse": "p",
    "mae": "s",
    "huber": "D",
    "logcosh": "^",
    "quantile": "v",
    "msle": "P",
    "mape": "X",
    "bce": "o",
    "cce": "s",
}
FALLBACK_MARKER = "o"

# Loss curves: "auto" turns the y axis logarithmic when the values span more than this factor.
_AUTO_LOG_RATIO = 1e3
# Slight transparency, so a curve drawn over an equal one does not hide it completely.
_CURVE_ALPHA = 0.85
_NO_BEST_EPOCH = "no epoch beat the initial weights"

# Parameters shown in a label, as the symbol used in the loss's formula.
_PARAM_SYMBOLS = {"delta": "δ", "tau": "τ", "alpha": "α", "epsilon": "ε", "eps": "ε"}

_BASE_LABELS = {
    "mse": "MSE",
    "rmse": "RMSE",
    "mae": "MAE",
    "huber": "Huber",
    "logcosh": "log-cosh",
    "quantile": "Quantile",
    "msle": "MSLE",
    "mape": "MAPE",
    "bce": "Binary cross-entropy",
    "cce": "Categorical cross-entropy",
}

# Parameters shown when a loss is named without any: the defaults of housing.losses.
_DEFAULT_PARAMS = {name: loss_class().params for name, loss_class in LOSSES.items()}


def _normalise_loss_name(name: str) -> str:
    return str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")


def loss_color(name: str) -> str:
    """Return the hex colour of a loss, the same in every figure.

    Case, hyphens and underscores are ignored ("log_cosh" is "logcosh"). A name
    not in `LOSS_COLORS` gets `FALLBACK_COLOR`.
    """
    return LOSS_COLORS.get(_normalise_loss_name(name), FALLBACK_COLOR)


def loss_marker(name: str) -> str:
    """Return the matplotlib marker of a loss's best epoch, the same in every figure.

    Names are normalised as in `loss_color`. A name not in `LOSS_MARKERS` gets
    `FALLBACK_MARKER`.
    """
    return LOSS_MARKERS.get(_normalise_loss_name(name), FALLBACK_MARKER)


def _format_param(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def loss_label(name: str, **params: object) -> str:
    """Format the display name of a loss with its parameters.

    Parameters
    ----------
    name : str
        A loss name such as "huber"; case, hyphens and underscores are ignored.
        A name without a display name is returned as given.
    **params
        The loss's parameters. Without any, the defaults of the loss in
        `housing.losses` are shown (δ=1 for Huber, τ=0.5 for quantile).

    Returns
    -------
    str
        "MSE", "Huber (δ=1)", "Huber (δ=0.5)", "Quantile (τ=0.9)", "log-cosh".
    """
    key = _normalise_loss_name(name)
    base = _BASE_LABELS.get(key, str(name))
    shown = params if params else _DEFAULT_PARAMS.get(key, {})
    if not shown:
        return base
    parts = [f"{_PARAM_SYMBOLS.get(param, param)}={_format_param(value)}" for param, value in shown.items()]
    return f"{base} ({', '.join(parts)})"


LOSS_LABELS = {name: loss_label(name) for name in LOSS_COLORS}


# ---------------------------------------------------------------- shared helpers


def save_figure(fig: Figure, path: str | os.PathLike) -> Path:
    """Write a figure to a file at 150 dpi, atomically.

    The figure is first written to a hidden temporary file in the target folder,
    then renamed over `path` with `os.replace`, so an interrupted save leaves
    either the old file or the new one, never half of one. The format follows
    the suffix of `path` (".png" unless another suffix is given). Missing
    parent folders are created.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    image_format = path.suffix.lstrip(".").lower() or "png"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")

    # os.open with mode 0o666 lets the umask set the permissions, as for any new file.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            fig.savefig(stream, dpi=DPI, format=image_format)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _style_axes(ax: Axes, title: str | None, xlabel: str, ylabel: str) -> None:
    if title:
        ax.set_title(title, fontsize=_TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=_LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=_LABEL_SIZE)
    ax.tick_params(labelsize=_TICK_SIZE)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _set_money_axis(ax: Axes, axis: str, currency: str) -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(money_formatter(currency))
    # Steps of 1, 2, 2.5 and 5 give round prices ($50k, $100k) rather than $60k or $120k.
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


def _as_price_vector(values: object, name: str) -> np.ndarray:
    """Return prices as a 1-D float array, accepting (n_samples,), (n_samples, 1) or (1, n_samples)."""
    array = np.asarray(values, dtype=float)
    if array.ndim > 2 or (array.ndim == 2 and 1 not in array.shape) or array.ndim == 0:
        raise DataError(f"{name} must be one column of prices, got an array of shape {array.shape}")
    vector = array.reshape(-1)
    if vector.size == 0:
        raise DataError(f"{name} is empty: pass at least one price")
    bad = np.flatnonzero(~np.isfinite(vector))
    if bad.size:
        raise DataError(
            f"{name} contains {bad.size} non-finite value(s), the first at row {bad[0]}: "
            "a diverged model gives NaN predictions, so retrain it before plotting"
        )
    return vector


def _as_price_pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    true = _as_price_vector(y_true, "y_true")
    pred = _as_price_vector(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise DataError(
            f"y_true and y_pred must hold the same number of prices, "
            f"got shapes {np.shape(y_true)} and {np.shape(y_pred)}"
        )
    return true, pred


def _title_suffix(loss_name: str | None) -> str:
    return f", {loss_label(loss_name)} loss" if loss_name else ""


def _point_color(loss_name: str | None) -> str:
    return loss_color(loss_name) if loss_name else LOSS_COLORS["mse"]


def _grid_shape(n_panels: int) -> tuple[int, int]:
    """Return (n_rows, n_cols) of the squarest grid for the panels, never taller than wide.

    2 panels give 1 × 2, 3 give 1 × 3, 4 give 2 × 2, 5 and 6 give 2 × 3, 7 and 8 give 2 × 4.
    """
    n_rows = math.isqrt(n_panels)
    return n_rows, -(-n_panels // n_rows)


def _grid_figure(n_panels: int, panel_aspect: float) -> tuple[Figure, np.ndarray]:
    """Make a figure of panels that share both axes, sized to fit a projected screen.

    The figure aims at `_SCREEN_SIZE`, so a projector shows it at about its own
    size and the fonts keep their point sizes. Panels stay between
    `_PANEL_HEIGHT_RANGE` inches high, so many panels make a taller figure
    rather than unreadable ones. Returns the figure and its axes, flattened row
    by row, with the cells past `n_panels` hidden.
    """
    n_rows, n_cols = _grid_shape(n_panels)
    # Room outside the panels, in inches: y tick labels and label on the left, the suptitle,
    # x tick labels and label at the bottom, a title over each row.
    extra_width = 1.1 + 0.15 * (n_cols - 1)
    extra_height = 1.0 + 0.45 * n_rows
    screen_width, screen_height = _SCREEN_SIZE
    fitting = min((screen_width - extra_width) / (n_cols * panel_aspect), (screen_height - extra_height) / n_rows)
    panel_height = float(np.clip(fitting, *_PANEL_HEIGHT_RANGE))

    fig = _new_figure(n_cols * panel_height * panel_aspect + extra_width, n_rows * panel_height + extra_height)
    # A gap between columns, so the last x tick label of one panel stays clear of the first of the next.
    fig.get_layout_engine().set(wspace=0.06)
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes


def _label_grid_edges(axes: np.ndarray, n_panels: int, n_cols: int, xlabel: str) -> None:
    """Keep axis labels and tick labels on the outer panels only, with x labels under every column."""
    for ax in axes[:n_panels]:
        ax.label_outer()
    # label_outer hides x labels above the bottom row, so a panel above an empty cell gets them back.
    for ax in axes[max(n_panels - n_cols, 0) : n_panels]:
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.set_xlabel(xlabel, fontsize=_LABEL_SIZE)


def _set_grid_suptitle(fig: Figure, title: str) -> None:
    """Set the title of a grid figure, wrapped to its width, because constrained layout does not shrink it."""
    characters_per_line = int(fig.get_figwidth() * _SUPTITLE_CHARACTERS_PER_INCH)
    fig.suptitle(textwrap.fill(title, characters_per_line), fontsize=_SUPTITLE_SIZE)


# ---------------------------------------------------------------- loss curves


class _PlainLogFormatter(LogFormatter):
    """Log-axis formatter that labels the ticks LogFormatter picks, written as "%g" ("0.3", "1000")."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{x:g}" if super().__call__(x, pos) else ""


def _histories_by_name(histories: History | Mapping[str, History]) -> dict[str, History]:
    if isinstance(histories, History):
        return {histories.loss_name or "loss": histories}
    if not isinstance(histories, Mapping) or not histories:
        raise ConfigError("histories must be a History or a non-empty dict of loss name to History")
    for name, history in histories.items():
        if not isinstance(history, History):
            raise ConfigError(f"histories[{name!r}] must be a History, got {type(history).__name__}")
    return dict(histories)


def _curve_color(name: str, history: History) -> str:
    if _normalise_loss_name(name) in LOSS_COLORS or not history.loss_name:
        return loss_color(name)
    return loss_color(history.loss_name)


def _curve_marker(name: str, history: History) -> str:
    if _normalise_loss_name(name) in LOSS_MARKERS or not history.loss_name:
        return loss_marker(name)
    return loss_marker(history.loss_name)


def _first_epoch_scale(name: str, history: History) -> float:
    scale = history.train_loss[0]
    if not np.isfinite(scale) or scale <= 0:
        raise DataError(
            f"cannot show the {name!r} curve relative to epoch 1: its first training loss is {scale!r}. "
            "Plot that history on its own"
        )
    return scale


def _best_point(history: History, scale: float) -> tuple[int, float] | None:
    if history.best_epoch is None or history.best_epoch not in history.epoch:
        return None
    index = history.epoch.index(history.best_epoch)
    return history.best_epoch, history.val_loss[index] / scale


def _check_log_scale(log_scale: object) -> None:
    if not (isinstance(log_scale, bool) or log_scale == "auto"):
        raise ConfigError(f"log_scale must be True, False or 'auto', got {log_scale!r}")


def _wants_log_scale(log_scale: bool | str, values: np.ndarray) -> bool:
    """Resolve ``log_scale="auto"``: a log axis when every finite value is positive and they span over 1000×."""
    if isinstance(log_scale, bool):
        return log_scale
    finite = values[np.isfinite(values)]
    if finite.size == 0 or np.any(finite <= 0):
        return False
    return finite.max() / finite.min() > _AUTO_LOG_RATIO


def _curve_sizes(n_runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Return a line width and a marker size per run, from wide to narrow.

    A run drawn later over an equal curve is narrower, so the earlier one stays
    visible as a rim around it, and its marker sits inside the earlier marker.
    """
    if n_runs == 1:
        return np.array([2.2]), np.array([9.0])
    # Each run is 0.6 pt narrower than the one before, which leaves a rim of 0.3 pt on each side.
    order = np.arange(n_runs)
    return np.maximum(3.2 - 0.6 * order, 0.8), np.maximum(13.0 - 1.5 * order, 6.0)


def _single_point_style(filled: bool, size: float = 8.0) -> dict[str, object]:
    """Marker style for a curve of one epoch, which a line alone cannot show."""
    style: dict[str, object] = {"marker": "o", "markersize": size}
    if not filled:
        style["markerfacecolor"] = "white"
    return style


def _draw_run(ax: Axes, name: str, history: History, scale: float, width: float, marker_size: float,
              mark_best_with_line: bool) -> tuple[Line2D, str | None, np.ndarray]:
    """Draw one run's training and validation curves and its best-epoch marker.

    Returns the run's legend handle, the marker shape drawn (None when there is
    no best epoch to mark) and the plotted values.
    """
    color = _curve_color(name, history)
    marker = _curve_marker(name, history)
    single = len(history) == 1
    epochs = np.asarray(history.epoch)
    train = np.asarray(history.train_loss, dtype=float) / scale
    val = np.asarray(history.val_loss, dtype=float) / scale
    line_style = {"color": color, "linewidth": width, "alpha": _CURVE_ALPHA}
    # One epoch gives one point per curve, drawn smaller than the best-epoch marker and, like
    # the lines, smaller for each later run, so equal points stay visible.
    point_size = marker_size - 3
    ax.plot(epochs, train, linestyle="-", **line_style, **(_single_point_style(True, point_size) if single else {}))
    ax.plot(epochs, val, linestyle="--", **line_style, **(_single_point_style(False, point_size) if single else {}))

    label = loss_label(name)
    best = _best_point(history, scale)
    if best is not None:
        ax.plot([best[0]], [best[1]], marker=marker, markersize=marker_size, color=color,
                markeredgecolor="black", linestyle="", zorder=3)
        label += f", best epoch {best[0]}"
        if mark_best_with_line:
            ax.axvline(best[0], color="#555555", linestyle=":", linewidth=1.2)
    elif history.best_epoch is None:
        label += f", {_NO_BEST_EPOCH}"
    handle = Line2D([], [], color=color, linewidth=3, label=label, marker=marker if best else None,
                    markersize=9, markeredgecolor="black")
    return handle, (marker if best else None), np.concatenate([train, val])


def _key_handles(best_markers: list[str], any_single: bool) -> tuple[list[object], list[str]]:
    """Return the grey legend entries that explain line styles and markers, with their labels."""
    train_style = _single_point_style(True) if any_single else {}
    val_style = _single_point_style(False) if any_single else {}
    handles: list[object] = [
        Line2D([], [], color="#555555", linewidth=2, linestyle="-", **train_style),
        Line2D([], [], color="#555555", linewidth=2, linestyle="--", **val_style),
    ]
    labels = ["training", "validation"]
    shapes = list(dict.fromkeys(best_markers))
    if shapes:
        # Several shapes share one legend handle, so they are drawn smaller to stay apart.
        size = 9 if len(shapes) == 1 else 6
        markers = [Line2D([], [], color="#555555", marker=shape, markersize=size, markeredgecolor="black",
                          linestyle="") for shape in shapes]
        handles.append(markers[0] if len(markers) == 1 else tuple(markers))
        labels.append("best epoch (kept)")
    return handles, labels


def _set_epoch_axis(ax: Axes, runs: Mapping[str, History]) -> None:
    epochs = [epoch for history in runs.values() for epoch in history.epoch]
    first, last = min(epochs), max(epochs)
    if first == last:
        # One epoch: a default locator would spread fractional ticks (0.95 to 1.05) around it.
        ax.set_xlim(first - 1, first + 1)
        ax.set_xticks([first])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _set_loss_axis(ax: Axes, values: np.ndarray, log_axis: bool, single_epoch: bool) -> None:
    finite = values[np.isfinite(values)]
    if log_axis:
        ax.set_yscale("log")
        # Plain numbers ("0.3") read better than powers of ten ("3 × 10⁻¹") where they stay short,
        # and matplotlib's default powers of ten read better beyond. LogFormatter labels minor
        # ticks only while the axis spans fewer than two decades.
        if finite.size and finite.min() >= 1e-4 and finite.max() < 1e5:
            ax.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
            ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    elif single_epoch and finite.size and finite.min() > 0:
        # Every run has one epoch: start at zero, so the axis shows the size of the loss
        # rather than a narrow band of fractional ticks around one or two values.
        ax.set_ylim(0, 1.2 * finite.max())


def plot_loss_curves(
    histories: History | Mapping[str, History],
    *,
    log_scale: bool | str = "auto",
    ax: Axes | None = None,
) -> Figure:
    """Plot training and validation loss per epoch for one or several runs.

    Training loss is a solid line and validation loss a dashed line, both in the
    loss's colour. A marker on the validation curve, in the loss's own shape
    (`LOSS_MARKERS`), marks the best epoch (the one early stopping keeps), and
    the legend gives its number. With one history, a dotted vertical line also
    marks it. A run in which no epoch beat the initial weights has no best epoch
    (`History.best_epoch` is None), and its legend entry says so. A run of one
    epoch is drawn as points: filled for training, hollow for validation.

    Parameters
    ----------
    histories : History or dict of str to History
        One run, or runs keyed by loss name ("mse", "huber"). Keys that are not
        loss names take their colour and marker from `History.loss_name`.
    log_scale : bool or "auto", default "auto"
        True uses a logarithmic y axis, which shows late epochs better. "auto"
        uses one when every plotted finite value is positive and the largest is
        over 1000 times the smallest, as in a run that diverged or started far
        off. The y label says "log scale" whenever the axis is logarithmic.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The network trains on a transformed target (the log or the standardised
    price), so losses are in those training units, not in currency. Different
    losses are not on a common scale either: an MSE and an MAE of the same
    residuals differ by a square. With one history the y axis shows the loss
    as recorded. With several, each curve is divided by its own first-epoch
    training loss, so every training curve starts at 1 and the axis compares
    how fast and how far each loss falls ("Loss relative to epoch 1"). The
    absolute values are in each run's `history.csv`.

    Similar losses (Huber and log-cosh) can give nearly equal curves. Runs are
    drawn in order with slightly transparent lines that get narrower, and
    markers that get smaller, from the first run to the last, so a later curve
    on top of an earlier one leaves the earlier one visible around it.
    """
    _check_log_scale(log_scale)
    runs = _histories_by_name(histories)
    for name, history in runs.items():
        if len(history) == 0:
            raise DataError(f"the history of {name!r} has no epochs to plot")
    relative = len(runs) > 1

    fig = ax.figure if ax is not None else _new_figure(9, 5.5)
    if ax is None:
        ax = fig.add_subplot()

    # Draw each run, wide lines first.
    widths, marker_sizes = _curve_sizes(len(runs))
    legend_handles, best_markers, plotted = [], [], []
    for (name, history), width, marker_size in zip(runs.items(), widths, marker_sizes):
        scale = _first_epoch_scale(name, history) if relative else 1.0
        handle, marker, values = _draw_run(ax, name, history, scale, width, marker_size, not relative)
        legend_handles.append(handle)
        best_markers += [marker] if marker else []
        plotted.append(values)

    # Line styles and markers are explained once in grey, so the legend stays short with many losses.
    any_single = any(len(history) == 1 for history in runs.values())
    key_handles, key_labels = _key_handles(best_markers, any_single)
    labels = [handle.get_label() for handle in legend_handles] + key_labels
    ax.legend(handles=legend_handles + key_handles, labels=labels, handler_map={tuple: HandlerTuple(ndivide=None)},
              fontsize=_LEGEND_SIZE, loc="upper right")

    # Axes: the scale is resolved from the values actually drawn.
    values = np.concatenate(plotted)
    log_axis = _wants_log_scale(log_scale, values)
    if relative:
        title = "Loss curves: " + ", ".join(loss_label(name) for name in runs)
        ylabel = "Loss relative to epoch 1 (training loss at epoch 1 = 1)"
    else:
        title = f"Training and validation loss: {loss_label(next(iter(runs)))}"
        ylabel = "Loss (training units: transformed target)"
    _style_axes(ax, title, "Epoch", ylabel + (", log scale" if log_axis else ""))
    _set_epoch_axis(ax, runs)
    _set_loss_axis(ax, values, log_axis, all(len(history) == 1 for history in runs.values()))
    return fig


# ---------------------------------------------------------------- residuals


def _draw_residual_scatter(ax: Axes, y_pred: np.ndarray, residuals: np.ndarray, color: str, currency: str) -> None:
    ax.scatter(y_pred, residuals, s=14, alpha=0.55, color=color, edgecolors="none")
    ax.axhline(0.0, color="black", linewidth=1.2)
    _set_money_axis(ax, "x", currency)
    _set_money_axis(ax, "y", currency)


def plot_residuals(
    y_true: object,
    y_pred: object,
    *,
    currency: str = "USD",
    loss_name: str | None = None,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Plot residuals against predicted price and their distribution.

    The residual is predicted minus actual price, in the currency of the data,
    so a point above zero is a house the model priced too high. The left panel
    shows residual against predicted price with the zero line. The right panel
    shows a histogram of residuals with the zero line.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, 1)
        Actual and predicted prices in currency, not in training units.
    currency : str, default "USD"
        Currency of the prices, for labels only ("USD" or "INR").
    loss_name : str, optional
        The loss the model was trained with: sets the title and the colour.
    axes : sequence of two matplotlib.axes.Axes, optional
        Axes for the two panels; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    code = check_currency(currency)
    true, pred = _as_price_pair(y_true, y_pred)
    residuals = pred - true
    color = _point_color(loss_name)

    if axes is None:
        fig = _new_figure(13, 5.5)
        scatter_ax, hist_ax = fig.subplots(1, 2)
    else:
        if len(axes) != 2:
            raise ConfigError(f"axes must hold two Axes (scatter, histogram), got {len(axes)}")
        scatter_ax, hist_ax = axes
        fig = scatter_ax.figure

    residual_label = f"Residual: predicted − actual ({code})"
    _draw_residual_scatter(scatter_ax, pred, residuals, color, code)
    _style_axes(scatter_ax, "Residual against predicted price", f"Predicted price ({code})", residual_label)

    bins = np.histogram_bin_edges(residuals, bins="auto")
    hist_ax.hist(residuals, bins=bins if len(bins) <= 61 else 60, color=color, alpha=0.85, edgecolor="white")
    hist_ax.axvline(0.0, color="black", linewidth=1.2)
    _set_money_axis(hist_ax, "x", code)
    _style_axes(hist_ax, "Distribution of residuals", residual_label, "Number of houses")

    fig.suptitle(f"Residuals on {true.size} houses{_title_suffix(loss_name)}", fontsize=_SUPTITLE_SIZE)
    return fig


def plot_predicted_vs_actual(
    y_true: object,
    y_pred: object,
    *,
    currency: str = "USD",
    loss_name: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot predicted against actual price with the identity line.

    Both axes share the same limits and scale, so a point on the diagonal is a
    perfect prediction, and a point above it is a house priced too high.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, 1)
        Actual and predicted prices in currency.
    currency : str, default "USD"
        Currency of the prices, for labels only ("USD" or "INR").
    loss_name : str, optional
        The loss the model was trained with: sets the title and the colour.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    code = check_currency(currency)
    true, pred = _as_price_pair(y_true, y_pred)

    fig = ax.figure if ax is not None else _new_figure(7, 7)
    if ax is None:
        ax = fig.add_subplot()

    low = min(true.min(), pred.min())
    high = max(true.max(), pred.max())
    margin = 0.04 * (high - low) if high > low else max(abs(high), 1.0) * 0.04
    limits = (low - margin, high + margin)

    ax.scatter(true, pred, s=14, alpha=0.55, color=_point_color(loss_name), edgecolors="none", label="house")
    ax.plot(limits, limits, color="black", linewidth=1.3, label="perfect prediction")
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    ax.set_aspect("equal", adjustable="box")
    _set_money_axis(ax, "x", code)
    _set_money_axis(ax, "y", code)
    ax.legend(fontsize=_LEGEND_SIZE, loc="upper left")

    title = f"Predicted against actual price{_title_suffix(loss_name)}"
    _style_axes(ax, title, f"Actual price ({code})", f"Predicted price ({code})")
    return fig


def plot_predicted_vs_actual_grid(results: Mapping[str, tuple[object, object]], *, currency: str = "USD") -> Figure:
    """Plot predicted against actual price for several losses, one panel each, on identical axes.

    Parameters
    ----------
    results : dict of str to (y_true, y_pred)
        Actual and predicted prices per loss name, in currency.
    currency : str, default "USD"
        Currency of the prices, for labels only.

    Returns
    -------
    matplotlib.figure.Figure
    """
    code = check_currency(currency)
    if not isinstance(results, Mapping) or not results:
        raise ConfigError("results must be a non-empty dict of loss name to (y_true, y_pred)")
    pairs = {name: _as_price_pair(*pair) for name, pair in results.items()}
    low = min(min(true.min(), pred.min()) for true, pred in pairs.values())
    high = max(max(true.max(), pred.max()) for true, pred in pairs.values())
    margin = 0.04 * (high - low) if high > low else max(abs(high), 1.0) * 0.04
    limits = (low - margin, high + margin)

    fig, axes = _grid_figure(len(pairs), panel_aspect=1.0)
    for ax, (name, (true, pred)) in zip(axes, pairs.items()):
        ax.scatter(true, pred, s=10, alpha=0.5, color=loss_color(name), edgecolors="none")
        ax.plot(limits, limits, color="black", linewidth=1.2)
        ax.set_xlim(limits)
        ax.set_ylim(limits)
        ax.set_aspect("equal", adjustable="box")
        _set_money_axis(ax, "x", code)
        _set_money_axis(ax, "y", code)
        _style_axes(ax, None, f"Actual price ({code})", f"Predicted price ({code})")
        ax.set_title(loss_label(name), fontsize=_TITLE_SIZE, color=loss_color(name), fontweight="bold")
    _label_grid_edges(axes, len(pairs), _grid_shape(len(pairs))[1], f"Actual price ({code})")

    _set_grid_suptitle(fig, "Predicted against actual price on the test set (diagonal: perfect prediction)")
    return fig


def plot_residual_grid(results: Mapping[str, tuple[object, object]], *, currency: str = "USD") -> Figure:
    """Plot residual against predicted price for several losses on identical axes.

    One panel per loss, titled with the loss name in its colour. All panels
    share the same x and y limits, so the spread of residuals can be compared
    by eye.

    Parameters
    ----------
    results : dict of str to (y_true, y_pred)
        Actual and predicted prices in currency, keyed by loss name.
    currency : str, default "USD"
        Currency of the prices, for labels only ("USD" or "INR").

    Returns
    -------
    matplotlib.figure.Figure
    """
    code = check_currency(currency)
    if not isinstance(results, Mapping) or not results:
        raise ConfigError("results must be a non-empty dict of loss name to (y_true, y_pred)")
    pairs = {name: _as_price_pair(*pair) for name, pair in results.items()}

    fig, axes = _grid_figure(len(pairs), panel_aspect=1.2)
    residual_label = f"Residual: predicted − actual ({code})"
    for ax, (name, (true, pred)) in zip(axes, pairs.items()):
        _draw_residual_scatter(ax, pred, pred - true, loss_color(name), code)
        _style_axes(ax, None, f"Predicted price ({code})", residual_label)
        ax.set_title(loss_label(name), fontsize=_TITLE_SIZE, color=loss_color(name), fontweight="bold")
    _label_grid_edges(axes, len(pairs), _grid_shape(len(pairs))[1], f"Predicted price ({code})")

    _set_grid_suptitle(fig, "Residuals by loss, on identical axes")
    return fig


# ---------------------------------------------------------------- loss shapes


def _per_sample_curves(loss: object, residuals: np.ndarray, y_true: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the loss and its gradient for one sample at each residual."""
    values = np.empty_like(residuals)
    gradients = np.empty_like(residuals)
    target = np.array([[y_true]])
    for i, residual in enumerate(residuals):
        # One sample at a time: with n_samples = 1 the mean and the 1/n of the gradient drop out.
        prediction = np.array([[y_true + residual]])
        values[i] = loss(target, prediction)
        gradients[i] = np.asarray(loss.gradient(target, prediction)).item()
    return values, gradients


def _keeps_growing(loss: object, reach: float, y_true: float) -> bool:
    """Return True if the gradient at 10 times the plotted reach is over twice the gradient at the reach."""
    _, gradients = _per_sample_curves(loss, np.array([reach, 10.0 * reach]), y_true)
    return abs(gradients[1]) > 2.0 * abs(gradients[0])


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _shape_caption(growing: list[str], bounded: list[str]) -> str:
    if growing and bounded:
        return (
            f"An outlier pulls on the fit with the gradient: it keeps growing for {_join_names(growing)} "
            f"but levels off for {_join_names(bounded)}, which therefore shrug off outliers."
        )
    if growing:
        return f"The gradient keeps growing with the residual for {_join_names(growing)}, so outliers dominate the fit."
    return f"The gradient levels off for {_join_names(bounded)}, so an outlier pulls no harder than a moderate error."


def _shape_title(growing: list[str], bounded: list[str]) -> str:
    if growing and bounded:
        verb = "shrugs" if len(bounded) == 1 else "shrug"
        does = "does" if len(growing) == 1 else "do"
        return f"Why {_join_names(bounded)} {verb} off outliers and {_join_names(growing)} {does} not"
    return "Loss and gradient against the residual"


def plot_loss_shapes(
    loss_names: Sequence[str] = ("mse", "mae", "huber", "logcosh"),
    *,
    residual_range: tuple[float, float] = (-3, 3),
    params: Mapping[str, Mapping[str, object]] | None = None,
    y_true: float = 0.0,
) -> Figure:
    """Plot each loss and its gradient against the residual, for one sample.

    The top panel shows the loss of one sample, the bottom panel its gradient
    with respect to the prediction, both against the residual
    r = y_pred - y_true. A loss whose gradient keeps growing with r (MSE) lets a
    few outliers dominate the fit. A loss whose gradient levels off (MAE, Huber,
    log-cosh) does not. The title and the caption under the figure say which is
    which, from the gradient at 1 and at 10 times the plotted reach: a gradient
    more than twice as large at the far point counts as growing.

    Parameters
    ----------
    loss_names : sequence of str, default ("mse", "mae", "huber", "logcosh")
        Names accepted by `housing.losses.get_loss`.
    residual_range : (float, float), default (-3, 3)
        Residuals to plot, in training units.
    params : dict of str to dict, optional
        Keyword arguments per loss name for `get_loss`, such as
        ``{"huber": {"delta": 0.5}}``.
    y_true : float, default 0.0
        The target the residuals are measured from. Losses that depend on the
        target itself (MSLE, MAPE) need a positive one.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each point is a separate call with one sample, so the value is the per-sample
    loss and the gradient is dL/dŷ for that sample. For RMSE this is |r| and
    sign(r), the one-sample case of a loss that is not a mean of per-sample terms.
    """
    low, high = (float(bound) for bound in residual_range)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ConfigError(f"residual_range must be two finite numbers, low < high, got {residual_range!r}")
    if not loss_names:
        raise ConfigError("loss_names must name at least one loss, for example ('mse', 'mae')")
    params = dict(params or {})
    residuals = np.linspace(low, high, 401)
    reach = max(abs(low), abs(high))

    fig = _new_figure(9, 8.5)
    value_ax, gradient_ax = fig.subplots(2, 1, sharex=True)
    growing, bounded = [], []
    for name in loss_names:
        loss_params = dict(params.get(name, {}))
        loss = get_loss(name, **loss_params)
        label = loss_label(name, **loss_params)
        values, gradients = _per_sample_curves(loss, residuals, y_true)
        value_ax.plot(residuals, values, color=loss_color(name), linewidth=2.4, label=label)
        gradient_ax.plot(residuals, gradients, color=loss_color(name), linewidth=2.4, label=label)
        (growing if _keeps_growing(loss, reach, y_true) else bounded).append(name)

    for ax in (value_ax, gradient_ax):
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.axhline(0.0, color="black", linewidth=0.8)
    value_ax.legend(fontsize=_LEGEND_SIZE, loc="upper center")
    _style_axes(value_ax, "Loss of one sample", "", "Loss")
    _style_axes(gradient_ax, "Gradient: how hard one sample pulls", "Residual r = predicted − actual (training units)", "Gradient dL/dŷ")

    # The title names losses without parameters, and the caption with them.
    title_names = ([_BASE_LABELS.get(_normalise_loss_name(name), name) for name in group] for group in (growing, bounded))
    fig.suptitle(_shape_title(*title_names), fontsize=_SUPTITLE_SIZE)
    caption = _shape_caption(*([loss_label(name, **params.get(name, {})) for name in group] for group in (growing, bounded)))
    # The caption goes in the figure's x label slot, because constrained layout reserves room there.
    fig.supxlabel(textwrap.fill(caption, 95), fontsize=_LEGEND_SIZE, style="italic")
    return fig


# ---------------------------------------------------------------- confusion matrix


def plot_confusion_matrix(
    y_true: object,
    y_pred: object,
    band_labels: Sequence[str],
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot the confusion matrix of price bands: actual band in rows, predicted band in columns.

    Each cell shows the number of sales and, below it, that number as a share
    of its row: on the diagonal this share is the band's recall. The colour
    follows the row share too, so bands with few sales read as clearly as
    large ones. Counts come from scikit-learn's ``confusion_matrix``.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n_samples,)
        Actual and predicted bands, from 0 (cheapest) to ``len(band_labels) - 1``.
    band_labels : sequence of str
        One label per band, cheapest first, such as ``PriceBands.labels("USD")``
        gives ("under $130k", "$130k–$160k", ...).
    title : str, optional
        Defaults to the number of sales and the accuracy.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from sklearn.metrics import confusion_matrix

    true = np.asarray(y_true).reshape(-1)
    pred = np.asarray(y_pred).reshape(-1)
    n_bands = len(band_labels)
    if true.shape != pred.shape or true.size == 0:
        raise DataError(f"y_true and y_pred must hold the same number of bands, at least one; "
                        f"got shapes {np.shape(y_true)} and {np.shape(y_pred)}")
    for name, values in (("y_true", true), ("y_pred", pred)):
        outside = values[(values < 0) | (values >= n_bands)]
        if outside.size:
            raise DataError(f"{name} contains band {outside[0]}, but band_labels names only bands 0 to {n_bands - 1}")
    counts = confusion_matrix(true, pred, labels=list(range(n_bands)))  # (n_bands, n_bands)
    row_totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, row_totals, out=np.zeros(counts.shape), where=row_totals > 0)

    size = 2.2 + 1.5 * n_bands
    fig = ax.figure if ax is not None else _new_figure(size + 1.2, size)
    if ax is None:
        ax = fig.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for row, column in np.ndindex(counts.shape):
        color = "white" if shares[row, column] > 0.5 else "black"
        ax.text(column, row, f"{counts[row, column]:,}\n{100 * shares[row, column]:.0f}%", ha="center",
                va="center", color=color, fontsize=_LABEL_SIZE)

    # Two dollar signs in one label ("$130k–$160k") would switch matplotlib to math mode.
    tick_labels = [str(label).replace("$", r"\$") for label in band_labels]
    ticks = np.arange(n_bands)
    ax.set_xticks(ticks, labels=tick_labels, rotation=30, ha="right", rotation_mode="anchor")
    ax.set_yticks(ticks, labels=tick_labels)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("Share of the actual band's sales", fontsize=_LABEL_SIZE)
    accuracy = float(np.trace(counts)) / true.size
    if title is None:
        title = f"Price bands of {true.size:,} test sales: accuracy {accuracy:.3f}"
    _style_axes(ax, title, "Predicted price band", "Actual price band")
    ax.grid(False)
    return fig
