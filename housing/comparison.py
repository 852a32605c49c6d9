"""Train one model per loss from identical starting conditions and compare them.

Every model is trained on the same rows, the same split, the same fitted feature
pipeline, the same initial weights, the same mini-batch order and the same
optimizer settings. Only the loss, and the target transform it needs,
differs. All of them are scored with the same metrics on the same clean test
set, whatever loss trained them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from .errors import ConfigError
from .experiment import Settings, Split, load_data, prepare, run, seed_stream, split_data
from .history import History
from .losses import LOSSES, check_loss_task, get_loss

__all__ = ["inject_outliers", "compare_losses", "check_losses", "check_comparison_options", "Comparison", "COMPARISON_COLUMNS", "OUTLIER_FACTOR"]

COMPARISON_COLUMNS = ["loss", "rmse", "mae", "median_ae", "r2", "rmsle", "epochs", "seconds"]

# A corrupted price is the true price times this factor: a misplaced digit, the
# kind of data-entry error that a squared loss chases and an absolute loss does not.
OUTLIER_FACTOR = 10.0


@dataclass
class Comparison:
    """The results of `compare_losses`."""

    table: pd.DataFrame
    histories: dict[str, History]
    predictions: dict[str, np.ndarray]
    y_test: np.ndarray
    corrupted_rows: list = field(default_factory=list)
    n_train: int = 0
    currency: str = "USD"
    loss_params: dict[str, dict] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def interrupted(self) -> list[str]:
        """Losses whose training was stopped by a stop request before it ended on its own."""
        return [name for name, history in self.histories.items() if history.interrupted]


def inject_outliers(y: pd.Series, fraction: float, rng: np.random.Generator,
                    factor: float = OUTLIER_FACTOR) -> tuple[pd.Series, list]:
    """Multiply a random ``fraction`` of the prices by ``factor``; return the new prices and the rows changed.

    The number of rows is ``round(fraction * len(y))``, drawn without
    replacement from ``rng``. The input is not modified.
    """
    if not 0 <= fraction < 1:
        raise ConfigError(f"--outliers must be a fraction in [0, 1), such as 0.05 for 5% of the training "
                          f"rows; got {fraction}")
    n_rows = int(round(fraction * len(y)))
    positions = np.sort(rng.choice(len(y), size=n_rows, replace=False)) if n_rows else np.array([], dtype=int)
    corrupted = y.copy()
    corrupted.iloc[positions] = corrupted.iloc[positions] * factor
    return corrupted, y.index[positions].tolist()


def compare_losses(settings: Settings, losses: list[str], *, outliers: float = 0.0, n_jobs: int = 1,
                   callbacks_for=None, should_stop=None) -> Comparison:
    """Train one model per loss and score each on the test split.

    Parameters
    ----------
    settings : Settings
        Everything but the loss; ``settings.loss`` is ignored.
    losses : list of str
        Loss names; Huber takes ``settings.delta`` and quantile ``settings.quantile``.
    outliers : float
        Fraction of the training targets to multiply by `OUTLIER_FACTOR`.
        Validation and test targets stay clean.
    n_jobs : int
        Losses trained at once, in separate processes through joblib. The
        results are identical to ``n_jobs=1``; only the seconds differ.
    callbacks_for : callable, optional
        ``callbacks_for(loss_name)`` returns the per-epoch callbacks of that
        run (only used when ``n_jobs == 1``).
    should_stop : callable, optional
        Checked before each loss of a serial run; once it returns True the
        remaining losses are skipped and listed in `Comparison.skipped`.
    """
    losses = check_losses(losses)
    check_comparison_options(outliers, n_jobs)
    settings.validate()

    X, y, info = load_data(settings)
    split = split_data(X, y, info, settings)
    split.y_train, corrupted_rows = inject_outliers(split.y_train, outliers, seed_stream(settings.seed, "outliers"))

    jobs = [delayed(_train_one)(replace(settings, loss=name), copy.copy(split),
                                callbacks_for(name) if callbacks_for and n_jobs == 1 else ())
            for name in losses]
    skipped = []
    if n_jobs != 1:
        results = Parallel(n_jobs=n_jobs)(jobs)
    else:
        results = []
        for name, (function, arguments, keywords) in zip(losses, jobs):
            if should_stop is not None and should_stop():
                skipped.append(name)
                continue
            results.append(function(*arguments, **keywords))

    rows, histories, predictions, params = [], {}, {}, {}
    for name, metrics, history, test_prediction, epochs, seconds, loss_params in results:
        rows.append({"loss": name, **{key: metrics[key] for key in ("rmse", "mae", "median_ae", "r2", "rmsle")},
                     "epochs": epochs, "seconds": round(seconds, 2)})
        histories[name], predictions[name], params[name] = history, test_prediction, loss_params
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    table = table.sort_values("rmse", kind="stable", na_position="last").reset_index(drop=True)
    return Comparison(table, histories, predictions, split.y_test.to_numpy(), corrupted_rows, len(split.y_train),
                      settings.currency or info.currency, params, skipped)


def check_comparison_options(outliers: float, n_jobs: int) -> None:
    """Raise ConfigError for an --outliers fraction or --n-jobs count out of range."""
    if not 0 <= outliers < 1:
        raise ConfigError(f"--outliers must be a fraction in [0, 1), such as 0.05 for 5% of the training "
                          f"rows; got {outliers}")
    if n_jobs == 0 or n_jobs < -1:
        raise ConfigError(f"--n-jobs must be a positive number of processes, or -1 for one process per core; "
                          f"got {n_jobs}")


def _train_one(settings: Settings, split: Split, callbacks=()):
    """Fit the preprocessing for this loss, train, and return what the table needs."""
    loss = get_loss(settings.loss, **_params(settings))
    prepare(split, settings, loss)
    result = run(settings, callbacks=callbacks, split=split)
    return (settings.loss, result.metrics["test"], result.history, result.predictions["test"],
            len(result.history), result.seconds, dict(loss.params))


def _params(settings: Settings) -> dict:
    from .experiment import loss_params
    return loss_params(settings)


def check_losses(losses: list[str]) -> list[str]:
    """Return the loss names in lower case; raise ConfigError for an unknown, repeated or classification loss."""
    if not losses:
        raise ConfigError(f"--losses needs at least one loss name; choose from {', '.join(LOSSES)}")
    names = [name.lower() for name in losses]
    for name in names:
        get_loss(name)  # raises ConfigError listing the valid names
        check_loss_task(name, "regression")  # compare scores prices, so cross-entropy does not fit
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"--losses names {', '.join(duplicates)} more than once; give each loss once")
    return names
