"""One training run from settings to scored model, shared by the command line and the notebooks.

The steps are the data flow of the package: load, split (seeded), fit the
preprocessing and the target transform on the training split, train, invert
the predictions to the currency, and score them against the median baseline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .datasets import DatasetInfo, load_dataset
from .errors import ConfigError, DataError
from .evaluation import median_baseline, regression_metrics
from .history import History
from .losses import get_loss
from .model import HousePriceModel
from .network import MLP
from .optimizers import get_optimizer, get_schedule
from .preprocessing import FeaturePipeline, TargetTransform
from .training import Callback, Trainer

__all__ = ["Settings", "Split", "RunResult", "load_data", "split_data", "prepare", "build_trainer", "run",
           "seed_stream", "loss_params"]

# Each random choice draws from its own stream of the one seed, so that changing
# how one of them draws (say, outlier injection) leaves the others unchanged.
_STREAMS = {"init": 1, "shuffle": 2, "outliers": 3}


@dataclass
class Settings:
    """Every option of a training run, with the defaults of `housing train`."""

    data: str = "ames"
    target: str | None = None
    loss: str = "mse"
    delta: float = 1.0
    quantile: float = 0.5
    hidden: Sequence[int] = (64, 32)
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    batch_size: int = 64
    epochs: int = 200
    patience: int | None = 20
    weight_decay: float = 1e-2
    schedule: str = "plateau"
    seed: int = 42
    currency: str | None = None
    target_transform: str | None = None
    scale: bool = True
    init: str = "auto"
    dtype: str = "float64"
    drop_large_houses: bool = False
    validation_fraction: float = 0.15
    test_fraction: float = 0.15

    def validate(self) -> Settings:
        """Check every option before any data is loaded; raise ConfigError naming the first bad one."""
        from .activations import get_activation
        from .network import _check_architecture
        from .training import _check_positive_int

        get_loss(self.loss, **loss_params(self))
        get_activation(self.activation)
        _check_architecture(1, self.hidden, 1, self.init)
        optimizer_params = {"momentum": self.momentum} if self.optimizer in ("momentum", "nesterov") else {}
        get_optimizer(self.optimizer, self.lr, **optimizer_params)
        get_schedule(self.schedule)
        _check_positive_int("batch size", self.batch_size, "--batch-size", 64)
        _check_positive_int("number of epochs", self.epochs, "--epochs", 200)
        if self.patience is not None and self.patience < 0:
            raise ConfigError(f"the patience must be 0 (no early stopping) or more epochs; got {self.patience}")
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"the seed must be a whole number from 0 to {2**32 - 1}, as scikit-learn's "
                              f"splitter needs; got {self.seed}")
        if self.target_transform is not None:
            TargetTransform(self.target_transform)
        _dtype(self.dtype)
        return self

    def to_dict(self) -> dict:
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        return values


@dataclass
class Split:
    """The three splits in raw form (DataFrames and prices) and in network form."""

    X_train: pd.DataFrame
    X_val: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_val: pd.Series
    y_test: pd.Series
    info: DatasetInfo
    features_train: np.ndarray | None = None
    features_val: np.ndarray | None = None
    features_test: np.ndarray | None = None
    z_train: np.ndarray | None = None
    z_val: np.ndarray | None = None
    pipeline: FeaturePipeline | None = None
    target_transform: TargetTransform | None = None


@dataclass
class RunResult:
    """The outcome of one run: the model, its history and its scores."""

    model: HousePriceModel
    history: History
    trainer: Trainer
    metrics: dict
    predictions: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0


def seed_stream(seed: int, purpose: str) -> np.random.Generator:
    """Return the generator for one purpose ("init", "shuffle", "outliers") of a seed."""
    return np.random.default_rng([int(seed), _STREAMS[purpose]])


def loss_params(settings: Settings) -> dict:
    """Return the hyperparameters of the chosen loss, for `get_loss`."""
    if settings.loss == "huber":
        return {"delta": settings.delta}
    if settings.loss == "quantile":
        return {"tau": settings.quantile}
    return {}


def load_data(settings: Settings) -> tuple[pd.DataFrame, pd.Series, DatasetInfo]:
    """Load the data set named in the settings."""
    if settings.data == "ames":
        from .datasets import load_ames
        return load_ames(drop_large_houses=settings.drop_large_houses)
    return load_dataset(settings.data, settings.target)


def split_data(X: pd.DataFrame, y: pd.Series, info: DatasetInfo, settings: Settings) -> Split:
    """Split rows into training, validation and test sets, seeded."""
    for name in ("validation_fraction", "test_fraction"):
        value = getattr(settings, name)
        if not 0 < value < 0.5:
            raise ConfigError(f"{name} must be between 0 and 0.5; got {value}")
    n_test = max(1, round(len(X) * settings.test_fraction))
    n_val = max(1, round(len(X) * settings.validation_fraction))
    if len(X) - n_test - n_val < 2:
        raise DataError(f"{info.name} has only {len(X)} rows, too few to split into training, validation "
                        "and test sets; use a data file with at least 10 rows")
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=n_test, random_state=settings.seed)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=n_val, random_state=settings.seed)
    return Split(X_train, X_val, X_test, y_train, y_val, y_test, info)


def prepare(split: Split, settings: Settings, loss) -> Split:
    """Fit the feature pipeline and the target transform on the training split and apply them."""
    # Every split is checked, not only the training one, so that a zero price
    # that MAPE cannot take is reported before training, wherever it falls.
    all_targets = pd.concat([split.y_train, split.y_val, split.y_test]).sort_index()
    try:
        loss.validate_target(all_targets, column=split.info.target)
    except DataError as error:
        raise DataError(f"{split.info.source if split.info.source.endswith('.csv') else split.info.name}: "
                        f"{error}") from None
    pipeline = FeaturePipeline(split.info.none_categorical, split.info.none_numeric, scale=settings.scale)
    split.features_train = pipeline.fit_transform(split.X_train)
    split.features_val = pipeline.transform(split.X_val)
    split.features_test = pipeline.transform(split.X_test)

    kind = settings.target_transform or getattr(loss, "target_transform", "log")
    if kind == "log" and (all_targets <= 0).any():
        rows = all_targets.index[all_targets <= 0].tolist()
        listed = ", ".join(str(row) for row in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
        raise DataError(f"column {split.info.target!r} has values of 0 or below in row{'s' if len(rows) > 1 else ''} "
                        f"{listed}, and the default target transform takes their log; remove those rows or use "
                        "--target-transform standardize")
    transform = TargetTransform(kind).fit(split.y_train, column=split.info.target)
    split.z_train = transform.transform(split.y_train)
    split.z_val = transform.transform(split.y_val)
    split.pipeline, split.target_transform = pipeline, transform
    return split


def build_trainer(settings: Settings, n_features: int, loss, callbacks: Sequence[Callback] = (), *,
                  n_outputs: int = 1) -> Trainer:
    """Build the network, optimizer, schedule and trainer from the settings.

    ``n_outputs`` is 1 for a price, or the number of logits of a classifier.
    """
    network = MLP(n_features, settings.hidden, n_outputs, activation=settings.activation, init=settings.init,
                  rng=seed_stream(settings.seed, "init"), dtype=_dtype(settings.dtype))
    optimizer_params = {"momentum": settings.momentum} if settings.optimizer in ("momentum", "nesterov") else {}
    optimizer = get_optimizer(settings.optimizer, settings.lr, **optimizer_params)
    return Trainer(network, loss, optimizer, batch_size=settings.batch_size, max_epochs=settings.epochs,
                   patience=settings.patience, weight_decay=settings.weight_decay,
                   schedule=get_schedule(settings.schedule), rng=seed_stream(settings.seed, "shuffle"),
                   callbacks=callbacks)


def run(settings: Settings, callbacks: Sequence[Callback] = (), split: Split | None = None,
        trainer: Trainer | None = None) -> RunResult:
    """Train and score one model; ``split`` skips loading when the caller already has one."""
    started = time.perf_counter()
    loss = get_loss(settings.loss, **loss_params(settings))
    if split is None:
        X, y, info = load_data(settings)
        split = split_data(X, y, info, settings)
    if split.pipeline is None:
        prepare(split, settings, loss)
    if trainer is None:
        trainer = build_trainer(settings, split.features_train.shape[1], loss, callbacks)
    history = trainer.fit(split.features_train, split.z_train, split.features_val, split.z_val)

    info = split.info
    model = HousePriceModel(trainer.network, split.pipeline, split.target_transform,
                            {"name": loss.name, "params": dict(getattr(loss, "params", {}))},
                            target=info.target, currency=settings.currency or info.currency,
                            metadata={"data": info.name, "settings": settings.to_dict()})
    predictions = {
        "validation": model.predict_features(split.features_val),
        "test": model.predict_features(split.features_test),
    }
    metrics = {
        "test": regression_metrics(split.y_test, predictions["test"]),
        "validation": regression_metrics(split.y_val, predictions["validation"]),
        "baseline": regression_metrics(split.y_test, median_baseline(split.y_train, len(split.y_test))),
    }
    return RunResult(model, history, trainer, metrics, predictions, time.perf_counter() - started)


def _dtype(name: str):
    if name not in ("float64", "float32"):
        raise ConfigError(f"dtype must be float64 or float32; got {name!r}")
    return np.dtype(name)
