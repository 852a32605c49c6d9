"""Classification of sales into price bands: the bands, their metrics and one training run.

The regression model predicts a price, and this one predicts which price band
a house falls in. ``housing train --task classify`` cuts the training prices at
their median (2 bands) or their quantiles (``--bands K``, 4 by default). It
trains the same network with a cross-entropy loss on its logits. Then it scores
the test split with scikit-learn's classification metrics, against the baseline
of always predicting the band with the most training sales.

The split, the feature pipeline, the network and the optimizer are those of
`housing.experiment`, with the same seed streams, so a classifier and a
regressor trained with the same options see the same rows in the same order.

Example::

    >>> from housing.classification import ClassificationSettings, run_classification
    >>> result = run_classification(ClassificationSettings(bands=2))  # doctest: +SKIP
    >>> result.metrics["test"]["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, log_loss, precision_recall_fscore_support

from .errors import ConfigError, DataError
from .experiment import Settings, Split, build_trainer, load_data, split_data
from .history import History
from .losses import check_loss_task, get_loss
from .model import PriceBandModel
from .money import check_currency, format_compact
from .preprocessing import FeaturePipeline
from .report import format_table
from .training import Callback, Trainer

__all__ = [
    "PriceBands",
    "format_price_range",
    "one_hot",
    "output_width",
    "ClassificationSettings",
    "ClassificationSplit",
    "ClassificationResult",
    "prepare_classification",
    "classification_metrics",
    "largest_band_baseline",
    "run_classification",
    "band_table",
    "write_classification_outputs",
]

_MAX_LABEL_DIGITS = 6  # significant digits tried before giving up on distinct band labels


# ----------------------------------------------------------------------
# Price bands
# ----------------------------------------------------------------------


@dataclass
class PriceBands:
    """Price bands cut at fixed prices, fitted on the training split.

    Attributes
    ----------
    edges : list of float
        The ``n_bands - 1`` cut points in increasing order, in the currency of
        the data. Band ``j`` contains the prices in ``[edges[j - 1], edges[j])``:
        band 0 is everything under ``edges[0]`` and the last band everything
        from ``edges[-1]`` up, so every price falls in exactly one band.
    """

    edges: list[float]

    def __post_init__(self) -> None:
        edges = np.asarray(self.edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 1:
            raise ValueError(f"band edges must be a list of at least one price; got {self.edges!r}")
        if not np.isfinite(edges).all() or np.any(np.diff(edges) <= 0):
            raise ValueError(f"band edges must be finite and strictly increasing; got {self.edges!r}")
        self.edges = [float(edge) for edge in edges]

    @classmethod
    def fit(cls, prices: Any, n_bands: int, *, column: str = "price") -> PriceBands:
        """Cut ``prices`` into ``n_bands`` bands of about equal size at their quantiles.

        With 2 bands the cut is the median. The quantiles are NumPy's default
        (linear interpolation), at ``j / n_bands`` for ``j = 1 .. n_bands - 1``.

        Raises
        ------
        DataError
            If a price is missing, or two cut points coincide because many
            sales share one price, which would leave a band empty.
        """
        values = _finite_prices(prices, column)
        cuts = np.quantile(values, np.arange(1, n_bands) / n_bands)
        if np.any(np.diff(cuts) <= 0):
            repeated = format_compact(float(cuts[np.flatnonzero(np.diff(cuts) <= 0)[0]]))
            raise DataError(f"Column {column!r} cannot be cut into {n_bands} bands of equal size: two cut points "
                            f"fall on the same price, {repeated}, shared by many sales. Use fewer bands (--bands).")
        return cls(cuts.tolist())

    @property
    def n_bands(self) -> int:
        return len(self.edges) + 1

    def assign(self, prices: Any, *, column: str = "price") -> np.ndarray:
        """Return the band of each price, an int array of shape (n_samples,)."""
        values = _finite_prices(prices, column)
        return np.searchsorted(np.asarray(self.edges), values, side="right")

    def labels(self, currency: str = "USD") -> list[str]:
        """Return a price-range label per band, such as "$130k–$160k" or "₹40–60 lakh".

        The first band reads "under $130k" and the last "$214k and over".
        Digits are added (up to six) until every cut point has its own label.
        """
        code = check_currency(currency)
        for digits in range(3, _MAX_LABEL_DIGITS + 1):
            texts = [format_compact(edge, code, digits=digits) for edge in self.edges]
            if len(set(texts)) == len(texts):
                break
        labels = [f"under {texts[0]}"]
        labels += [format_price_range(low, high, code, digits=digits)
                   for low, high in zip(self.edges[:-1], self.edges[1:])]
        labels.append(f"{texts[-1]} and over")
        return labels

    def to_dict(self) -> dict:
        return {"edges": list(self.edges)}

    @classmethod
    def from_dict(cls, state: dict) -> PriceBands:
        return cls([float(edge) for edge in state["edges"]])


def format_price_range(low: float, high: float, currency: str = "USD", *, digits: int = 3) -> str:
    """Format a price range compactly: "$130k–$160k", "₹40–60 lakh", "₹80 lakh–₹1.2 crore".

    Rupee ranges whose ends share a unit word (lakh, crore) name it once at
    the end, as Indian prices are usually written.
    """
    code = check_currency(currency)
    low_text = format_compact(low, code, digits=digits)
    high_text = format_compact(high, code, digits=digits)
    if code == "INR":
        low_number, _, low_unit = low_text.partition(" ")
        high_number, _, high_unit = high_text.partition(" ")
        if low_unit and low_unit == high_unit:
            return f"{low_number}–{high_number.lstrip('₹')} {high_unit}"
    return f"{low_text}–{high_text}"


def _finite_prices(prices: Any, column: str) -> np.ndarray:
    values = np.asarray(prices, dtype=np.float64).reshape(-1)
    bad = ~np.isfinite(values)
    if bad.any():
        index = prices.index if isinstance(prices, pd.Series) else range(len(values))
        rows = [str(label) for label, is_bad in zip(index, bad) if is_bad][:10]
        raise DataError(f"Column {column!r} has missing or infinite prices in rows {', '.join(rows)}; "
                        "remove or fill those rows before cutting prices into bands.")
    return values


# ----------------------------------------------------------------------
# Targets for the network
# ----------------------------------------------------------------------


def one_hot(labels: Any, n_classes: int) -> np.ndarray:
    """Turn integer labels of shape (n_samples,) into one-hot rows of shape (n_samples, n_classes).

    Raises
    ------
    ValueError
        If a label is not a whole number in ``[0, n_classes)``.
    """
    labels = np.asarray(labels).reshape(-1)
    if labels.size and (not np.all(np.equal(np.mod(labels, 1), 0)) or labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be whole numbers from 0 to {n_classes - 1}; got values from "
                         f"{labels.min()} to {labels.max()}")
    encoded = np.zeros((labels.size, n_classes))
    encoded[np.arange(labels.size), labels.astype(np.intp)] = 1.0
    return encoded


def output_width(loss_name: str, n_bands: int) -> int:
    """Return the number of network outputs: 1 logit for ``bce``, one per band for ``cce``."""
    return 1 if loss_name == "bce" else n_bands


def _network_targets(bands: np.ndarray, n_outputs: int, n_bands: int) -> np.ndarray:
    """Return the targets the loss compares with the logits, shape (n_samples, n_outputs)."""
    if n_outputs == 1:
        return bands.reshape(-1, 1).astype(np.float64)  # 1 for the upper band, 0 for the lower
    return one_hot(bands, n_bands)


# ----------------------------------------------------------------------
# Settings
# ----------------------------------------------------------------------


@dataclass
class ClassificationSettings(Settings):
    """The options of ``housing train --task classify``: those of `Settings`, and the number of bands.

    ``loss`` left as None becomes ``"bce"`` (one sigmoid logit) for 2 bands
    and ``"cce"`` (one softmax logit per band) for more.
    """

    task: ClassVar[str] = "classification"
    loss: str | None = None
    bands: int = 4

    def __post_init__(self) -> None:
        if self.loss is None:
            self.loss = "bce" if self.bands == 2 else "cce"

    @classmethod
    def from_settings(cls, settings: Settings, *, bands: int | None = None, loss: str | None = None,
                      ) -> ClassificationSettings:
        """Copy the shared options of regression ``settings`` and add the band count and loss."""
        shared = {item.name: getattr(settings, item.name) for item in fields(Settings)}
        shared["loss"] = loss
        return cls(**shared, bands=4 if bands is None else bands)

    def validate(self) -> ClassificationSettings:
        """Check every option, as `Settings.validate` does, and the band count and loss."""
        if isinstance(self.bands, bool) or not isinstance(self.bands, (int, np.integer)) or self.bands < 2:
            raise ConfigError(f"--bands must be a whole number of at least 2; got {self.bands!r}. "
                              "Use 2 for a split at the median or 4 for quartiles")
        check_loss_task(self.loss, "classification")
        if str(self.loss).strip().lower() == "bce" and self.bands != 2:
            raise ConfigError(f"Loss 'bce' has one output and separates 2 bands, but --bands is {self.bands}. "
                              "Use --loss cce for more than 2 bands, or --bands 2")
        if self.target_transform is not None:
            raise ConfigError(f"--target-transform {self.target_transform} applies to --task regress only; "
                              "with --task classify the bands are cut from the prices themselves. Remove it")
        super().validate()
        self.loss = self.loss.strip().lower()
        return self

    def to_dict(self) -> dict:
        return {**super().to_dict(), "task": self.task}


# ----------------------------------------------------------------------
# Preparing the data
# ----------------------------------------------------------------------


@dataclass
class ClassificationSplit(Split):
    """A `Split` whose network targets are price bands; ``z_train`` and ``z_val`` hold them as the loss wants them.

    ``target_transform`` stays None: prices are cut into bands, not transformed.
    """

    bands: PriceBands | None = None


def prepare_classification(split: Split, settings: ClassificationSettings) -> ClassificationSplit:
    """Fit the bands and the feature pipeline on the training split and build the network targets."""
    info = split.info
    prepared = ClassificationSplit(**{item.name: getattr(split, item.name) for item in fields(Split)})
    prepared.bands = PriceBands.fit(split.y_train, settings.bands, column=info.target)

    pipeline = FeaturePipeline(info.none_categorical, info.none_numeric, scale=settings.scale)
    prepared.features_train = pipeline.fit_transform(split.X_train)
    prepared.features_val = pipeline.transform(split.X_val)
    prepared.features_test = pipeline.transform(split.X_test)
    prepared.pipeline = pipeline

    n_outputs = output_width(settings.loss, settings.bands)
    for name in ("train", "val"):
        band = prepared.bands.assign(getattr(split, f"y_{name}"), column=info.target)
        setattr(prepared, f"z_{name}", _network_targets(band, n_outputs, settings.bands))
    return prepared


# ----------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------


def classification_metrics(y_true: Any, y_pred: Any, n_bands: int, probabilities: Any = None) -> dict:
    """Score predicted bands with scikit-learn's metrics.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n_samples,)
        True and predicted bands, from 0 (cheapest) to ``n_bands - 1``.
    n_bands : int
        The number of bands. Bands absent from both arrays still get a row
        and a column.
    probabilities : array-like of shape (n_samples, n_bands), optional
        Predicted probabilities, for the log loss.

    Returns
    -------
    dict
        ``accuracy``, and lists with one value per band: ``precision``,
        ``recall``, ``f1`` and ``support`` (true sales in the band).
        ``confusion_matrix`` has rows for true bands and columns for predicted
        ones. ``log_loss``, the mean cross-entropy in nats, is there when
        probabilities are given. A band never predicted has precision 0.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    labels = list(range(n_bands))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                                     zero_division=0)
    metrics = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": [float(value) for value in precision],
        "recall": [float(value) for value in recall],
        "f1": [float(value) for value in f1],
        "support": [int(value) for value in support],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }
    if probabilities is not None:
        value = float(log_loss(y_true, np.asarray(probabilities), labels=labels))
        metrics["log_loss"] = value if math.isfinite(value) else None
    return metrics


def largest_band_baseline(train_bands: Any, n_samples: int, n_bands: int) -> tuple[int, np.ndarray]:
    """Predict, for every row, the band with the most training sales (the lowest such band on a tie).

    Returns the band and the predictions, an int array of shape (n_samples,).
    """
    counts = np.bincount(np.asarray(train_bands).reshape(-1), minlength=n_bands)
    band = int(np.argmax(counts))
    return band, np.full(n_samples, band)


# ----------------------------------------------------------------------
# One run
# ----------------------------------------------------------------------


@dataclass
class ClassificationResult:
    """The outcome of one classification run.

    ``true_bands``, ``predicted_bands`` and ``probabilities`` are keyed by
    ``"validation"`` and ``"test"``.
    """

    model: PriceBandModel
    history: History
    trainer: Trainer
    metrics: dict
    true_bands: dict[str, np.ndarray] = field(default_factory=dict)
    predicted_bands: dict[str, np.ndarray] = field(default_factory=dict)
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0


def run_classification(settings: ClassificationSettings, callbacks: Sequence[Callback] = (),
                       split: Split | None = None, trainer: Trainer | None = None) -> ClassificationResult:
    """Train and score one price-band classifier.

    ``split`` skips loading (a `ClassificationSplit` also skips preparing),
    and ``trainer`` replaces the one built from the settings.
    """
    started = time.perf_counter()
    settings.validate()
    loss = get_loss(settings.loss)
    if split is None:
        X, y, info = load_data(settings)
        split = split_data(X, y, info, settings)
    if not isinstance(split, ClassificationSplit) or split.bands is None:
        split = prepare_classification(split, settings)
    if trainer is None:
        n_outputs = output_width(settings.loss, settings.bands)
        trainer = build_trainer(settings, split.features_train.shape[1], loss, callbacks, n_outputs=n_outputs)
    history = trainer.fit(split.features_train, split.z_train, split.features_val, split.z_val)

    info = split.info
    model = PriceBandModel(trainer.network, split.pipeline, split.bands, {"name": loss.name, "params": {}},
                           target=info.target, currency=settings.currency or info.currency,
                           metadata={"data": info.name, "settings": settings.to_dict()})
    result = ClassificationResult(model, history, trainer, {})
    for name, features, prices in (("validation", split.features_val, split.y_val),
                                   ("test", split.features_test, split.y_test)):
        result.true_bands[name] = split.bands.assign(prices, column=info.target)
        result.probabilities[name] = model.predict_proba_features(features)
        result.predicted_bands[name] = np.argmax(result.probabilities[name], axis=1)
        result.metrics[name] = classification_metrics(result.true_bands[name], result.predicted_bands[name],
                                                       split.bands.n_bands, result.probabilities[name])

    baseline_band, baseline = largest_band_baseline(split.bands.assign(split.y_train, column=info.target),
                                                    len(split.y_test), split.bands.n_bands)
    result.metrics["baseline"] = {"band": baseline_band,
                                  **classification_metrics(result.true_bands["test"], baseline, split.bands.n_bands)}
    result.seconds = time.perf_counter() - started
    return result


# ----------------------------------------------------------------------
# Reports and files
# ----------------------------------------------------------------------


def band_table(metrics: dict, labels: Sequence[str]) -> str:
    """Tabulate precision, recall and the number of true sales for each band."""
    rows = [[label, f"{precision:.3f}", f"{recall:.3f}", f"{support:,}"]
            for label, precision, recall, support
            in zip(labels, metrics["precision"], metrics["recall"], metrics["support"])]
    return format_table(["price band", "precision", "recall", "sales"], rows)


def write_classification_outputs(result: ClassificationResult, out: Path, currency: str) -> list[Path]:
    """Write the model, metrics.json, history.csv, the loss curves and the confusion matrix into ``out``."""
    from .persistence import save_run_files
    from .plotting import plot_confusion_matrix, plot_loss_curves, save_figure

    model = result.model
    labels = model.bands.labels(currency)
    scores = {"task": "classification", **result.metrics, "bands": {"edges": model.bands.edges, "labels": labels}}
    paths = save_run_files(model, result.history, scores, result.seconds, currency, out)

    if len(result.history):
        loss_figure = plot_loss_curves(result.history)
        loss_figure.axes[0].set_ylabel("Cross-entropy per sale (nats)")
        paths.append(save_figure(loss_figure, out / "loss_curves.png"))
    matrix_figure = plot_confusion_matrix(result.true_bands["test"], result.predicted_bands["test"], labels)
    paths.append(save_figure(matrix_figure, out / "confusion_matrix.png"))
    return paths
