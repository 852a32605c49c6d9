"""The training loop: shuffled mini-batches, validation, early stopping, divergence.

`Trainer` owns everything that changes during a run: the epoch counter, the
shuffled order of the current epoch, the random generator, the best weights so
far and the patience counter. So a run can stop after any step and continue
later with the same result as if it had never stopped.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import numpy as np
from threadpoolctl import threadpool_limits

from .errors import ConfigError, DataError
from .history import History
from .network import MLP
from .optimizers import ConstantSchedule, Optimizer, Schedule

__all__ = ["Trainer", "ProgressPrinter", "History"]

Callback = Callable[["Trainer", History], None]


class Trainer:
    """Train an `MLP` by mini-batch gradient descent on one loss.

    Parameters
    ----------
    network : MLP
    loss : a loss object with ``loss(y_true, y_pred) -> float`` and
        ``loss.gradient(y_true, y_pred)``, both means over all elements.
    optimizer : Optimizer
    batch_size : int
        Rows per step; a batch size at least the training set's size gives
        full-batch gradient descent.
    max_epochs : int
        Upper limit on passes over the training data.
    patience : int or None
        Stop after this many epochs without a new best validation loss;
        None turns early stopping off.
    weight_decay : float
        L2 penalty ``weight_decay / 2 * sum(W**2)`` added to the weights'
        gradient (not to the biases'). It is not included in reported losses.
    schedule : Schedule, optional
        Sets the learning rate after each epoch.
    rng : numpy.random.Generator
        Shuffles the rows at the start of every epoch.
    callbacks : sequence of callables
        Each is called as ``callback(trainer, history)`` after every epoch.
    blas_threads : int or None
        Threads the BLAS library may use during `fit`; None leaves its setting
        alone. The default is 1 because mini-batch products of this size are
        too small to share. On a 2-core machine with the other core busy, two
        OpenBLAS 0.3.31 threads made a (64, 300) @ (300, 64) product 86 times
        slower than one thread did (8.6 ms against 0.1 ms).
    """

    def __init__(self, network: MLP, loss, optimizer: Optimizer, *, batch_size: int = 64, max_epochs: int = 200,
                 patience: int | None = 20, weight_decay: float = 0.0, schedule: Schedule | None = None,
                 rng: np.random.Generator | None = None, callbacks: Sequence[Callback] = (),
                 blas_threads: int | None = 1):
        _check_positive_int("batch size", batch_size, "--batch-size", 64)
        _check_positive_int("number of epochs", max_epochs, "--epochs", 200)
        if patience is not None:
            _check_positive_int("patience", patience, "--patience", 20)
        if not weight_decay >= 0 or not math.isfinite(weight_decay):
            raise ConfigError(f"weight decay must be 0 or a positive number; got {weight_decay}. Try 1e-4")
        self.network, self.loss, self.optimizer = network, loss, optimizer
        self.batch_size, self.max_epochs, self.patience = int(batch_size), int(max_epochs), patience
        self.weight_decay = float(weight_decay)
        self.schedule = schedule if schedule is not None else ConstantSchedule()
        self.schedule.start(optimizer.learning_rate)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.callbacks = list(callbacks)
        self.blas_threads = blas_threads
        self._decay = np.empty(network.n_weights, dtype=network.dtype)  # scratch for weight decay
        self._value_and_gradient = _step_loss_function(loss)
        self.history = History(loss_name=getattr(loss, "name", ""))

        # Run state, kept between calls to `fit` so that a stopped run can go on.
        self.epoch = 0                      # epochs completed
        self.order: np.ndarray | None = None  # row order of the epoch in progress
        self.position = 0                   # rows of that epoch already used
        self.epoch_loss_sum = 0.0
        self.epoch_seconds = 0.0
        self.best_val = math.inf
        self.best_epoch = 0
        self.best_params = network.params.copy()
        self.epochs_without_improvement = 0
        self.finished = False
        self.stop_kind = ""
        self.resume_params: np.ndarray | None = None
        self._stop_requested = False

    # ------------------------------------------------------------------
    # Public entry points
    # ------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask the loop to stop after the step in progress (safe to call from a signal handler)."""
        self._stop_requested = True

    def fit(self, X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray | None = None,
            y_val: np.ndarray | None = None) -> History:
        """Train until the epoch limit, early stopping, divergence or a stop request.

        ``y_train`` and ``y_val`` are 2-D, ``(n_samples, n_outputs)``, in the
        space the network predicts in. At the end the weights with the lowest
        validation loss are restored (the lowest training loss when there is
        no validation set), and ``history.stop_reason`` states why the run ended.
        """
        X_train, y_train = self._as_arrays(X_train, y_train, "training")
        if X_val is not None:
            X_val, y_val = self._as_arrays(X_val, y_val, "validation")
        self._stop_requested = False
        if self.resume_params is not None:
            self.network.params[:] = self.resume_params
            self.resume_params = None
        if self.epoch == 0 and self.position == 0 and not self.history.epoch:
            # The initial weights are the first candidate for the best: a run
            # whose every epoch makes things worse gives them back.
            self.best_params[:] = self.network.params
            with threadpool_limits(self.blas_threads, "blas"):
                initial = self._monitored_loss(X_train, y_train, X_val, y_val)
            self.best_val = initial if math.isfinite(initial) else math.inf
        try:
            # Overflow is expected when a run diverges: the loop detects the
            # non-finite loss and stops with advice, so NumPy need not warn.
            with np.errstate(over="ignore", invalid="ignore"), threadpool_limits(self.blas_threads, "blas"):
                self._run(X_train, y_train, X_val, y_val)
        except KeyboardInterrupt:
            # Ctrl-C arrived in the middle of a step, so the weights may be half
            # updated: the best weights replace them and the run cannot resume.
            self._stop("interrupted", f"Training was interrupted during epoch {self.epoch + 1}.")
            self.finished = True
            self.order = None
        if not self.finished:
            # Keep the weights of the step where the run stopped, so that a later
            # `fit` (or a checkpoint) continues from them rather than from the best.
            self.resume_params = self.network.params.copy()
        self._restore_best()
        return self.history

    # ------------------------------------------------------------------
    # The loop
    # ------------------------------------------------------------------

    def _run(self, X_train, y_train, X_val, y_val) -> None:
        while not self.finished and self.epoch < self.max_epochs:
            if self.order is None:
                self._start_epoch(len(X_train))
            if not self._run_steps(X_train, y_train):
                return
            self._end_epoch(X_train, y_train, X_val, y_val)
        if not self.finished:
            sentence = f"Training reached the limit of {self.max_epochs} epochs."
            if not self.best_epoch:
                sentence += (" No epoch improved on the initial weights, which were kept; the learning rate "
                             "(--lr) is probably too large.")
            self._stop("max_epochs", sentence)

    def _start_epoch(self, n_samples: int) -> None:
        self.order = self.rng.permutation(n_samples)
        self.position = 0
        self.epoch_loss_sum = 0.0
        self.epoch_seconds = 0.0

    def _run_steps(self, X_train, y_train) -> bool:
        """Run the remaining steps of the epoch; return False when the run must stop."""
        started = time.perf_counter()
        n_samples = len(self.order)
        while self.position < n_samples:
            batch = self.order[self.position:self.position + self.batch_size]
            batch_loss = self._step(X_train[batch], y_train[batch])
            if not math.isfinite(batch_loss):
                self.epoch_seconds += time.perf_counter() - started
                self._stop_diverged(batch_loss)
                return False
            self.position += len(batch)
            self.epoch_loss_sum += batch_loss * len(batch)
            if self._stop_requested and self.position < n_samples:
                self.epoch_seconds += time.perf_counter() - started
                self._stop("interrupted", f"Training was interrupted during epoch {self.epoch + 1}, "
                           f"after {self.position} of {n_samples} rows.")
                return False
        self.epoch_seconds += time.perf_counter() - started
        return True

    def _step(self, X_batch: np.ndarray, y_batch: np.ndarray) -> float:
        """One step of gradient descent on one mini-batch; return the batch loss."""
        network = self.network

        # Forward pass, loss and dL/d(output).
        output = network.forward(X_batch)  # (batch_size, n_outputs)
        batch_loss, output_gradient = self._value_and_gradient(y_batch, output)
        if not math.isfinite(batch_loss):
            return batch_loss

        # Backward pass: every layer's dW and db.
        network.backward(output_gradient)

        # L2 weight decay on the weights only: d/dW (lambda/2 ||W||^2) = lambda W.
        if self.weight_decay:
            n_weights = network.n_weights
            np.multiply(network.params[:n_weights], self.weight_decay, out=self._decay)
            network.grads[:n_weights] += self._decay

        self.optimizer.step(network.params, network.grads, overwrite_grads=True)
        return batch_loss

    def _end_epoch(self, X_train, y_train, X_val, y_val) -> None:
        started = time.perf_counter()
        self.epoch += 1
        self.order = None
        train_loss = self.epoch_loss_sum / len(X_train)
        val_loss = self._monitored_loss(X_train, y_train, X_val, y_val)
        self.epoch_seconds += time.perf_counter() - started
        self.history.append(self.epoch, train_loss, val_loss, self.optimizer.learning_rate, self.epoch_seconds)

        if not math.isfinite(val_loss):
            self._stop_diverged(val_loss, epoch=self.epoch)
            return
        self._track_best(val_loss)
        self.optimizer.learning_rate = self.schedule.next_rate(self.epoch, val_loss, self.optimizer.learning_rate)
        for callback in self.callbacks:
            callback(self, self.history)
        if self.patience is not None and self.epochs_without_improvement >= self.patience:
            monitored = "validation" if X_val is not None else "training"
            best = (f"its best, {self.best_val:.6g} at epoch {self.best_epoch}" if self.best_epoch
                    else f"the initial weights ({self.best_val:.6g}), which were kept; the learning rate "
                         "(--lr) is probably too large")
            self._stop("early_stopping",
                       f"Training stopped early at epoch {self.epoch}: the {monitored} loss had not improved "
                       f"for {self.patience} epochs since {best}.")
        elif self._stop_requested:
            self._stop("interrupted", f"Training was interrupted at the end of epoch {self.epoch}.")

    def _evaluate(self, X: np.ndarray, y: np.ndarray) -> float:
        """Return the loss over all of ``X``, predicting one batch of rows at a time.

        Batches keep the largest temporary array as small as a training step's,
        and predict, unlike forward, keeps no activations in the layers.
        """
        output = np.empty((len(X), self.network.n_outputs), dtype=self.network.dtype)
        for start in range(0, len(X), self.batch_size):
            output[start:start + self.batch_size] = self.network.predict(X[start:start + self.batch_size])
        return self.loss(y, output)

    def _monitored_loss(self, X_train, y_train, X_val, y_val) -> float:
        """Return the loss that early stopping and the best weights follow.

        That is the validation loss, or without a validation set the training
        loss of the current weights (not the mean over the epoch's batches,
        which were measured while the weights changed).
        """
        if X_val is not None:
            return self._evaluate(X_val, y_val)
        return self._evaluate(X_train, y_train)

    def _track_best(self, val_loss: float) -> None:
        if val_loss < self.best_val:
            self.best_val, self.best_epoch = val_loss, self.epoch
            self.best_params[:] = self.network.params
            self.epochs_without_improvement = 0
            self.history.best_epoch = self.epoch
        else:
            self.epochs_without_improvement += 1

    # ------------------------------------------------------------------
    # Stopping
    # ------------------------------------------------------------------

    def _stop(self, kind: str, sentence: str) -> None:
        self.finished = kind != "interrupted"
        self.history.stop_reason = sentence
        self.history.interrupted = kind == "interrupted"
        self.stop_kind = kind

    def _stop_diverged(self, value: float, epoch: int | None = None) -> None:
        """Stop because the loss of ``epoch`` (the epoch in progress by default) is not finite."""
        epoch = self.epoch + 1 if epoch is None else epoch
        kept = (f"the best weights so far, from epoch {self.best_epoch}, were kept" if self.best_epoch
                else "no epoch improved on the initial weights, so those were kept")
        self._stop("diverged",
                   f"Training stopped in epoch {epoch} because the loss became {value}: {kept}. "
                   "Lower the learning rate (--lr) or scale the features and target "
                   "(the default target transform is log then standardise).")
        self.history.diverged = True
        self.order = None

    def _restore_best(self) -> None:
        # best_params are the initial weights until an epoch improves on them.
        self.network.params[:] = self.best_params

    # ------------------------------------------------------------------
    # Saving and restoring the run state
    # ------------------------------------------------------------------

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict]:
        """Return the run state as arrays and JSON-ready values, for a checkpoint.

        Together with the same data, network shape and settings, this is
        enough for `load_state_dict` to continue the run as if it had never
        stopped: the weights where it stopped, the best weights, the
        optimizer's moments, the random generator, the row order and
        position within the epoch, the schedule and the history.
        """
        current = self.resume_params if self.resume_params is not None else self.network.params
        arrays = {"params": current.copy(), "best_params": self.best_params.copy()}
        if self.order is not None:
            arrays["order"] = self.order.copy()
        arrays.update({f"optimizer.{key}": np.asarray(value) for key, value in self.optimizer.state_dict().items()})
        history = self.history
        values = {
            "epoch": self.epoch, "position": self.position, "epoch_loss_sum": self.epoch_loss_sum,
            "epoch_seconds": self.epoch_seconds, "best_val": self.best_val if math.isfinite(self.best_val) else None,
            "best_epoch": self.best_epoch, "epochs_without_improvement": self.epochs_without_improvement,
            "learning_rate": self.optimizer.learning_rate, "rng": self.rng.bit_generator.state,
            "schedule": {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                         for k, v in self.schedule.state_dict().items()},
            "schedule_initial": getattr(self.schedule, "initial", self.optimizer.learning_rate),
            "history": {"epoch": history.epoch, "train_loss": history.train_loss, "val_loss": history.val_loss,
                        "learning_rate": history.learning_rate, "seconds": history.seconds,
                        "best_epoch": history.best_epoch},
        }
        return arrays, values

    def load_state_dict(self, arrays: dict[str, np.ndarray], values: dict) -> None:
        """Restore a state returned by `state_dict`, so the next `fit` continues the run."""
        if arrays["params"].shape != self.network.params.shape:
            raise ValueError(f"the checkpoint has {arrays['params'].size} parameters, but the network has "
                             f"{self.network.params.size}")
        self.network.params[:] = arrays["params"]
        self.resume_params = None
        self.best_params[:] = arrays["best_params"]
        self.order = arrays["order"].copy() if "order" in arrays else None
        self.optimizer.load_state_dict({key.split(".", 1)[1]: value for key, value in arrays.items()
                                        if key.startswith("optimizer.")})
        self.epoch, self.position = int(values["epoch"]), int(values["position"])
        self.epoch_loss_sum, self.epoch_seconds = float(values["epoch_loss_sum"]), float(values["epoch_seconds"])
        self.best_val = math.inf if values["best_val"] is None else float(values["best_val"])
        self.best_epoch = int(values["best_epoch"])
        self.epochs_without_improvement = int(values["epochs_without_improvement"])
        self.optimizer.learning_rate = float(values["learning_rate"])
        self.rng.bit_generator.state = values["rng"]
        self.schedule.initial = float(values["schedule_initial"])
        self.schedule.load_state_dict({k: (math.inf if v is None else v) for k, v in values["schedule"].items()})
        recorded = values["history"]
        self.history = History(loss_name=self.history.loss_name, epoch=list(recorded["epoch"]),
                               train_loss=list(recorded["train_loss"]), val_loss=list(recorded["val_loss"]),
                               learning_rate=list(recorded["learning_rate"]), seconds=list(recorded["seconds"]),
                               best_epoch=recorded["best_epoch"])
        self.finished = False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _as_arrays(self, X, y, split: str) -> tuple[np.ndarray, np.ndarray]:
        """Check shapes and values once, before any step, and cast to the network's dtype."""
        X, y = np.asarray(X), np.asarray(y)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != self.network.n_features or len(X) == 0:
            raise ValueError(f"X must have shape (n_samples, {self.network.n_features}) with at least one row; "
                             f"got {X.shape}")
        if y.shape != (X.shape[0], self.network.n_outputs):
            raise ValueError(f"y must have shape ({X.shape[0]}, {self.network.n_outputs}) to match X {X.shape}; "
                             f"got {y.shape}")
        dtype = self.network.dtype
        _check_fits_dtype(X, dtype, f"the {split} features")
        _check_fits_dtype(y, dtype, f"the {split} target")
        X = np.ascontiguousarray(X, dtype=dtype)
        y = np.ascontiguousarray(y, dtype=dtype)
        # NaN and infinities show in the minimum or the maximum. The two
        # reductions allocate nothing, where np.isfinite(X) would allocate a
        # boolean array as large as X (0.7 MB for the Ames training split).
        if not (math.isfinite(X.min()) and math.isfinite(X.max())):
            row, column = np.argwhere(~np.isfinite(X))[0]
            raise DataError(f"the {split} features contain {X[row, column]} in row {row}, column {column}; "
                            "fill or remove non-finite values before training (the feature pipeline imputes NaN)")
        validate_target = getattr(self.loss, "validate_target", None)
        if validate_target is not None:
            validate_target(y, column=f"{split} target")
        return X, y


def _check_fits_dtype(values: np.ndarray, dtype: np.dtype, label: str) -> None:
    """Raise DataError if a finite value of ``values``, a 2-D array, would become infinite in ``dtype``."""
    if values.dtype.kind != "f" or values.dtype.itemsize <= dtype.itemsize:
        return
    largest = float(np.finfo(dtype).max)
    # fmin and fmax skip NaN and allocate nothing. NaN and infinities are
    # left to the check after the cast, which names them as such.
    if -np.fmin.reduce(values, axis=None) <= largest and np.fmax.reduce(values, axis=None) <= largest:
        return
    with np.errstate(invalid="ignore"):
        too_large = np.isfinite(values) & (np.abs(values) > largest)
    if not too_large.any():
        return
    index = np.argwhere(too_large)[0]
    column = f", column {index[1]}" if values.shape[1] > 1 else ""
    raise DataError(f"the value {values[tuple(index)]:.6g} in row {index[0]}{column} of {label} is beyond the range of "
                    f"{dtype.name} (largest {largest:.4g}); train in float64 (--dtype float64) or scale the "
                    "values down")


def _defining_class(cls: type, name: str) -> type | None:
    return next((klass for klass in cls.__mro__ if name in vars(klass)), None)


def _step_loss_function(loss) -> Callable:
    """Return the function a training step calls for the loss value and its gradient.

    The trainer checks each split's targets once, in `Trainer._as_arrays`,
    so a step may call the loss's `value_and_gradient_unchecked`, which can
    skip those checks. That method is passed over when a subclass below the
    class that defines it overrides `value_and_gradient`, `__call__` or
    `gradient`, so that the override runs on every step.
    """
    cls = type(loss)
    owners = {name: _defining_class(cls, name) for name in
              ("value_and_gradient_unchecked", "value_and_gradient", "__call__", "gradient")}

    def overrides_none_of(name: str, others: tuple[str, ...]) -> bool:
        owner = owners[name]
        return owner is not None and all(owners[other] is None or issubclass(owner, owners[other])
                                         for other in others)

    if overrides_none_of("value_and_gradient_unchecked", ("value_and_gradient", "__call__", "gradient")):
        return loss.value_and_gradient_unchecked
    if overrides_none_of("value_and_gradient", ("__call__", "gradient")):
        return loss.value_and_gradient
    return lambda y_true, y_pred: (loss(y_true, y_pred), loss.gradient(y_true, y_pred))


class ProgressPrinter:
    """Print one fixed-format line every ``every`` epochs (and at the last epoch).

    The line reads ``epoch   12/200  train 0.123456  val 0.145678  lr 1.00e-03  0.05 s``,
    with a star after the validation loss when it is the best so far.
    """

    def __init__(self, every: int = 10, stream: TextIO | None = None, prefix: str = ""):
        self.every = max(1, int(every))
        self.stream = stream
        self.prefix = prefix

    def __call__(self, trainer: Trainer, history: History) -> None:
        epoch = history.epoch[-1]
        is_last = epoch == trainer.max_epochs
        if epoch % self.every and epoch != 1 and not is_last:
            return
        best = "*" if history.best_epoch == epoch else " "
        width = len(str(trainer.max_epochs))
        line = (f"{self.prefix}epoch {epoch:>{width}}/{trainer.max_epochs}  "
                f"train {_fixed(history.train_loss[-1])}  val {_fixed(history.val_loss[-1])}{best}  "
                f"lr {history.learning_rate[-1]:.2e}  "
                f"{history.seconds[-1]:6.3f} s")
        print(line, file=self.stream or sys.stdout, flush=True)


def _fixed(value: float) -> str:
    """Format a loss in 10 characters: 6 decimals, or scientific notation once it is too large for them."""
    return f"{value:10.6f}" if abs(value) < 1e3 else f"{value:10.3e}"


def _check_positive_int(label: str, value, option: str, example: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"the {label} must be a whole number of at least 1; got {value!r}. "
                          f"Set {option}, for example {option} {example}")
