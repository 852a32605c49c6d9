"""The handlers of the `housing` subcommands, called once the options are parsed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .errors import ConfigError, DataError
from .experiment import RunResult, Settings, Split, build_trainer, load_data, loss_params, prepare, run, split_data
from .fileio import atomic_write_text, ensure_writable_dir, remove_stale_outputs
from .losses import check_loss_task, get_loss
from .report import format_table, metrics_table

__all__ = ["train_command", "predict_command", "settings_from_args", "write_run_outputs"]


def settings_from_args(args) -> Settings:
    """Collect the training options of a parsed command line into validated `Settings`."""
    if args.data.lower() not in ("ames", "california") and not args.data.lower().endswith(".csv"):
        raise ConfigError(f"unknown data set {args.data!r} for --data: choose ames, california or the path "
                          "of a .csv file")
    builtin = args.data.lower() in ("ames", "california")
    if not builtin and not Path(args.data).is_file():
        raise DataError(f"{args.data}: file not found; check the path given to --data")
    if not builtin and not args.target:
        raise ConfigError(f"--target is required with a CSV file: name the column of {args.data} to predict, "
                          "for example --target price")
    if builtin and args.target not in (None, "price"):
        raise ConfigError(f"--target {args.target} is not available for {args.data.lower()}: its target is "
                          "price. To predict another column, export the data to CSV and pass --data PATH.csv")
    _check_loss_parameters(args)
    settings = Settings(
        data=args.data, target=args.target, loss=getattr(args, "loss", None) or "mse",
        delta=1.0 if args.delta is None else args.delta,
        quantile=0.5 if args.quantile is None else args.quantile, hidden=tuple(args.hidden), activation=args.activation, optimizer=args.optimizer,
        lr=args.lr, momentum=args.momentum, batch_size=args.batch_size, epochs=args.epochs,
        patience=args.patience or None, weight_decay=args.weight_decay, schedule=args.schedule, seed=args.seed,
        currency=args.currency, target_transform=args.target_transform, scale=args.scale, init=args.init,
        dtype=args.dtype, drop_large_houses=args.drop_large_houses,
    )
    if args.patience is not None and args.patience < 0:
        raise ConfigError(f"--patience must be 0 (no early stopping) or more epochs; got {args.patience}")
    if args.progress_every < 1:
        raise ConfigError(f"--progress-every must be at least 1 epoch; got {args.progress_every}")

    # --task classify turns the same options into classification settings with price bands.
    if getattr(args, "task", "regress") == "classify":
        from .classification import ClassificationSettings
        return ClassificationSettings.from_settings(settings, bands=args.bands, loss=args.loss).validate()
    if getattr(args, "bands", None) is not None:
        raise ConfigError(f"--bands {args.bands} applies to --task classify only; add --task classify or "
                          "remove --bands")
    check_loss_task(settings.loss, "regression")
    return settings.validate()


def _check_loss_parameters(args) -> None:
    """Reject --delta or --quantile given with a loss that does not use it."""
    losses = [name.lower() for name in (getattr(args, "losses", None) or [getattr(args, "loss", None) or "mse"])]
    for option, value, owner in (("--delta", args.delta, "huber"), ("--quantile", args.quantile, "quantile")):
        if value is not None and owner not in losses:
            raise ConfigError(f"{option} {value:g} sets the {owner} loss, which this run does not use; "
                              f"add --loss {owner} or remove {option}")


# ----------------------------------------------------------------------
# housing train
# ----------------------------------------------------------------------


def train_command(args) -> int:
    """Train one model, print its scores and write the run's files."""
    from .cli import stop_on_interrupt
    from .persistence import load_checkpoint
    from .training import ProgressPrinter

    checkpoint = None
    if getattr(args, "resume", None):
        saved_settings, arrays, state = load_checkpoint(args.resume)
        checkpoint = (arrays, state)
        settings = settings_from_dict(saved_settings)
        out = ensure_writable_dir(args.resume, "--resume")
    else:
        settings = settings_from_args(args)
        out = ensure_writable_dir(args.out)
    if getattr(settings, "task", "regression") == "classification":
        return train_classifier(args, settings, out, checkpoint)
    loss = get_loss(settings.loss, **loss_params(settings))

    X, y, info = load_data(settings)
    split = prepare(split_data(X, y, info, settings), settings, loss)
    currency = settings.currency or info.currency
    callbacks = [ProgressPrinter(args.progress_every)]
    if getattr(args, "live", False):
        from .live import LivePlot
        callbacks.append(LivePlot(every=5))
    trainer = build_trainer(settings, split.features_train.shape[1], loss, callbacks)
    print_configuration(settings, split, trainer, currency)
    if checkpoint is not None:
        trainer.load_state_dict(*checkpoint)
        print(f"Resuming the interrupted run in {out} after epoch {trainer.epoch} "
              f"({trainer.position} rows into epoch {trainer.epoch + 1}), with its saved settings.\n")

    with stop_on_interrupt([trainer]):
        result = run(settings, split=split, trainer=trainer)
    print(f"\n{result.history.stop_reason}")
    if result.history.best_epoch:
        print(f"The weights of epoch {result.history.best_epoch}, the best on the validation set, were restored.")
    print_results(result, split, currency)

    return finish_run(write_run_outputs(result, split, out, currency), trainer, settings, out)


def finish_run(paths: list[Path], trainer, settings, out: Path) -> int:
    """Tidy the run folder, keep or drop the checkpoint, list the files; return the exit status.

    An interrupted run keeps a checkpoint for ``--resume`` and exits with 130;
    a finished one removes any checkpoint and files of an earlier run.
    """
    from .cli import EXIT_INTERRUPTED, list_written
    from .persistence import remove_checkpoint, save_checkpoint

    remove_stale_outputs(out, paths)
    if trainer.finished:
        remove_checkpoint(out)
    else:
        paths += save_checkpoint(out, *trainer.state_dict(), settings.to_dict())
    list_written(paths)
    if trainer.history.interrupted:
        print(f"\nThe best model so far is saved. Continue with: housing train --resume {out}")
        return EXIT_INTERRUPTED
    return 0


def settings_from_dict(values: dict) -> Settings:
    """Rebuild validated settings from their `to_dict` output, as saved in a checkpoint."""
    kind = Settings
    if values.get("task") == "classification":
        from .classification import ClassificationSettings as kind
    names = {item.name for item in dataclasses.fields(kind)}  # fields() leaves out class variables such as task
    known = {name: value for name, value in values.items() if name in names}
    known["hidden"] = tuple(known.get("hidden", ()))
    return kind(**known).validate()


def print_configuration(settings: Settings, split: Split, trainer, currency: str) -> None:
    info, network = split.info, trainer.network
    widths = " -> ".join(str(w) for w in (network.n_features, *network.hidden, network.n_outputs))
    transform = split.target_transform.kind
    target_space = {"log": f"log({info.target}), standardised", "standardize": f"{info.target}, standardised",
                    "ratio": f"{info.target} / training median", "none": info.target}[transform]
    loss = trainer.loss
    params = ", ".join(f"{k}={v}" for k, v in getattr(loss, "params", {}).items())
    note = "" if currency == info.currency else f", shown as {currency} with no exchange rate applied"
    print(f"housing train: {info.name}, {info.n_rows:,} rows -> {info.target} ({info.currency}{note})")
    layers = f"{settings.activation if network.hidden else 'linear (no hidden layer)'}"
    rows = _configuration_rows(settings, split, network, f"{widths}, {layers}", [
        ("loss", f"{loss.name}{f' ({params})' if params else ''} on {target_space}"),
    ])
    _print_rows(rows)


def print_results(result: RunResult, split: Split, currency: str) -> None:
    print(f"\nTest set: {len(split.y_test):,} sales, in {currency}")
    print(metrics_table({"model": result.metrics["test"], "median baseline": result.metrics["baseline"]}, currency))
    print(f"Trained for {len(result.history)} epochs in {result.seconds:.1f} s.")


def write_run_outputs(result: RunResult, split: Split, out: Path, currency: str) -> list[Path]:
    """Write the model, metrics.json, history.csv and the two figures into ``out``."""
    from .persistence import save_run_files
    from .plotting import plot_loss_curves, plot_residuals, save_figure

    paths = save_run_files(result.model, result.history, result.metrics, result.seconds, currency, out)
    if len(result.history):
        loss_figure = plot_loss_curves(result.history)
        paths.append(save_figure(loss_figure, out / "loss_curves.png"))
    residual_figure = plot_residuals(split.y_test.to_numpy(), result.predictions["test"], currency=currency,
                                     loss_name=result.model.loss["name"])
    paths.append(save_figure(residual_figure, out / "residuals.png"))
    return paths


# ----------------------------------------------------------------------
# housing train --task classify
# ----------------------------------------------------------------------


def train_classifier(args, settings, out: Path, checkpoint=None) -> int:
    """Train one price-band classifier, print its scores and write the run's files.

    ``checkpoint`` is ``(arrays, state)`` from an interrupted run to resume.
    """
    from .classification import output_width, prepare_classification, run_classification, write_classification_outputs
    from .cli import stop_on_interrupt
    from .training import ProgressPrinter

    loss = get_loss(settings.loss)
    X, y, info = load_data(settings)
    split = prepare_classification(split_data(X, y, info, settings), settings)
    currency = settings.currency or info.currency
    callbacks = [ProgressPrinter(args.progress_every)]
    if getattr(args, "live", False):
        from .live import LivePlot
        callbacks.append(LivePlot(every=5))
    trainer = build_trainer(settings, split.features_train.shape[1], loss, callbacks,
                            n_outputs=output_width(settings.loss, settings.bands))
    print_classifier_configuration(settings, split, trainer, currency)
    if checkpoint is not None:
        trainer.load_state_dict(*checkpoint)
        print(f"Resuming the interrupted run in {out} after epoch {trainer.epoch}, with its saved settings.\n")

    with stop_on_interrupt([trainer]):
        result = run_classification(settings, split=split, trainer=trainer)
    print(f"\n{result.history.stop_reason}")
    if result.history.best_epoch:
        print(f"The weights of epoch {result.history.best_epoch}, the best on the validation set, were restored.")
    print_classifier_results(result, currency)

    return finish_run(write_classification_outputs(result, out, currency), trainer, settings, out)


def print_classifier_configuration(settings, split, trainer, currency: str) -> None:
    info, network = split.info, trainer.network
    widths = " -> ".join(str(w) for w in (network.n_features, *network.hidden, network.n_outputs))
    output = "1 logit, sigmoid" if network.n_outputs == 1 else f"{network.n_outputs} logits, softmax"
    cut = "the training median" if settings.bands == 2 else "the training quantiles"
    print(f"housing train --task classify: {info.name}, {info.n_rows:,} rows -> {settings.bands} bands of "
          f"{info.target} ({currency})")
    rows = _configuration_rows(settings, split, network, f"{widths} ({output}), {settings.activation}", [
        ("loss", f"{trainer.loss.name}, cross-entropy computed from the logits"),
    ])
    rows.insert(1, ("bands", f"{', '.join(split.bands.labels(currency))} (cut at {cut})"))
    _print_rows(rows)


def _configuration_rows(settings, split, network, architecture: str, task_rows: list) -> list[tuple[str, str]]:
    """Return the labelled lines that describe a run before it starts, shared by both tasks."""
    return [
        ("split", f"{len(split.y_train):,} training / {len(split.y_val):,} validation / {len(split.y_test):,} "
                  f"test rows (seed {settings.seed})"),
        ("features", f"{len(split.X_train.columns)} columns -> {network.n_features} after imputing, "
                     "scaling and one-hot encoding"),
        ("network", f"{architecture}, {network.params.size:,} parameters, {settings.dtype}"),
        *task_rows,
        ("optimizer", f"{settings.optimizer}, learning rate {settings.lr:g}, batch size {settings.batch_size}, "
                      f"weight decay {settings.weight_decay:g}, {settings.schedule} schedule"),
        ("stopping", f"at most {settings.epochs} epoch{'s' if settings.epochs != 1 else ''}"
                     + (f", patience {settings.patience}" if settings.patience else ", no early stopping")),
    ]


def _print_rows(rows: list[tuple[str, str]]) -> None:
    for label, text in rows:
        print(f"  {label:<10} {text}")
    print()


def print_classifier_results(result, currency: str) -> None:
    from .classification import band_table

    labels = result.model.bands.labels(currency)
    test, baseline = result.metrics["test"], result.metrics["baseline"]
    print(f"\nTest set: {sum(test['support']):,} sales in {len(labels)} price bands, in {currency}")
    print(band_table(test, labels))
    print(f"Accuracy {test['accuracy']:.3f}; always predicting the largest training band, "
          f"{labels[baseline['band']]}, scores {baseline['accuracy']:.3f}.")
    print(f"Trained for {len(result.history)} epochs in {result.seconds:.1f} s.")


# ----------------------------------------------------------------------
# housing predict
# ----------------------------------------------------------------------


def predict_command(args) -> int:
    """Price the rows of a CSV file with a saved model."""
    from .cli import list_written
    from .datasets import read_csv_features
    from .money import format_money
    from .persistence import load_model

    model = load_model(args.model)
    output_path = _check_output_path(args.output, args.input)
    frame = read_csv_features(args.input)
    try:
        if getattr(model, "bands", None) is not None:
            return predict_bands(model, frame, output_path, _raw_rows(args.input, frame))
        prices = model.predict(frame)
    except DataError as error:
        raise DataError(f"{args.input}: {error}") from None

    column = f"predicted_{model.target}"
    result = _raw_rows(args.input, frame)
    result[column] = prices
    shown = min(len(result), 10)
    rows = [[str(index), format_money(price, model.currency)] for index, price in zip(result.index[:shown], prices[:shown])]
    print(format_table(["row", f"predicted {model.target} ({model.currency})"], rows))
    if len(result) > shown:
        print(f"... and {len(result) - shown} more rows")
    print(f"Median prediction: {format_money(float(np.median(prices)), model.currency)} over {len(result):,} rows.")
    unpriceable = result.index[~np.isfinite(prices)].tolist()
    if unpriceable:
        listed = ", ".join(str(row) for row in unpriceable[:10]) + (" ..." if len(unpriceable) > 10 else "")
        print(f"Warning: {len(unpriceable)} rows could not be priced (rows {listed}): their features are far "
              "outside the training data, so the prediction overflowed. Check those rows' values and units.")
    if output_path is not None:
        written = atomic_write_text(output_path, result.to_csv(index=False))
        list_written([written])
    return 0


def _check_output_path(output: str | None, input_path: str) -> Path | None:
    """Return the --output path after checking that it can be written and is not the input."""
    if not output:
        return None
    output_path = Path(output)
    if output_path.is_dir():
        raise ConfigError(f"--output {output} is a folder; give a file name such as {output_path / 'priced.csv'}")
    if output_path.exists() and output_path.resolve() == Path(input_path).resolve():
        raise ConfigError(f"--output {output} is the input file, which would be overwritten; choose another name")
    ensure_writable_dir(output_path.parent if str(output_path.parent) else ".", "--output")
    return output_path


def _raw_rows(path: str, frame):
    """Return the input rows as the text they were written in, for the output file.

    The parsed frame has numbers as floats (1 becomes 1.0); writing the raw
    text back keeps identifiers such as PID exactly as they came in.
    """
    import pandas as pd

    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    if raw.shape != frame.shape:  # should not happen: both read the same file
        return frame.copy()
    raw.index = frame.index
    return raw


def predict_bands(model, frame, output_path: Path | None, raw=None) -> int:
    """Print the price band and the band probabilities of each row, and write them to ``output_path``."""
    from .cli import list_written

    probabilities = model.predict_proba(frame)  # (n_samples, n_bands)
    bands = np.argmax(probabilities, axis=1)
    labels = model.band_labels()
    result = frame.copy() if raw is None else raw
    result["predicted_band"] = bands
    result["predicted_price_range"] = [labels[band] for band in bands]
    for band in range(len(labels)):
        result[f"probability_band_{band}"] = probabilities[:, band]

    shown = min(len(result), 10)
    rows = [[str(index), labels[band], *(f"{probability:.3f}" for probability in row)]
            for index, band, row in zip(result.index[:shown], bands[:shown], probabilities[:shown])]
    print(f"Price bands of {model.target} ({model.currency}) and the probability of each band:")
    print(format_table(["row", "predicted band", *labels], rows))
    if len(result) > shown:
        print(f"... and {len(result) - shown} more rows")
    if output_path is not None:
        written = atomic_write_text(output_path, result.to_csv(index=False))
        list_written([written])
    return 0


# ----------------------------------------------------------------------
# housing compare
# ----------------------------------------------------------------------


def add_compare_parser(commands, add_training_options, add_common_options) -> None:
    compare = commands.add_parser(
        "compare", help="train one model per loss from identical starting conditions and compare them",
        description="Train one model per loss on the same split, initial weights, optimizer and seed, "
                    "then print one table of test scores and write comparison figures.")
    compare.add_argument("--losses", nargs="+", default=["mse", "mae", "huber", "logcosh"], metavar="NAME",
                         help="losses to compare: mse, rmse, mae, huber, logcosh, quantile, msle, mape "
                              "(default: mse mae huber logcosh)")
    compare.add_argument("--outliers", type=float, default=0.0, metavar="FRACTION",
                         help="fraction of training prices to multiply by 10, as data-entry errors; validation "
                              "and test prices stay clean (default: 0)")
    compare.add_argument("--n-jobs", type=int, default=1, metavar="N",
                         help="losses trained at once in separate processes; -1 for one per core. The numbers "
                              "are identical to a serial run (default: 1)")
    add_training_options(compare, loss=False)
    compare.add_argument("--out", default="runs/compare", metavar="DIR",
                         help="folder for comparison.csv and the figures (default: %(default)s)")
    compare.set_defaults(handler=compare_command)


def compare_command(args) -> int:
    """Train one model per loss, print the comparison table and write its files."""
    from .cli import EXIT_INTERRUPTED, list_written, stop_on_interrupt
    from .comparison import check_comparison_options, check_losses, compare_losses
    from .training import ProgressPrinter

    args.losses = check_losses(args.losses)
    args.loss = args.losses[0]
    check_comparison_options(args.outliers, args.n_jobs)
    settings = settings_from_args(args)
    out = ensure_writable_dir(args.out)
    count = f"{len(args.losses)} loss{'es' if len(args.losses) > 1 else ''}"
    print(f"housing compare: {count} ({', '.join(args.losses)}) on {settings.data}, "
          f"seed {settings.seed}, {settings.optimizer} lr {settings.lr:g}, batch size {settings.batch_size}, "
          f"at most {settings.epochs} epochs")

    # A Ctrl-C stops the loss in training at the end of its epoch and skips
    # the rest. The partial table is still printed and saved, marked as such.
    stop_requested = []

    def stop_when_requested(trainer, history) -> None:
        if stop_requested:
            trainer.request_stop()

    def callbacks_for(name):
        return [ProgressPrinter(args.progress_every, prefix=f"{name:<8} "), stop_when_requested]

    if args.n_jobs != 1:
        processes = args.n_jobs if args.n_jobs > 0 else "one per core"
        print(f"Training in parallel processes ({processes}); progress lines are shown only for serial runs.")

    def run_comparison():
        return compare_losses(settings, args.losses, outliers=args.outliers, n_jobs=args.n_jobs,
                              callbacks_for=callbacks_for, should_stop=lambda: bool(stop_requested))

    if args.n_jobs == 1:
        with stop_on_interrupt([], on_interrupt=lambda: stop_requested.append(True),
                               message="stopping the loss in training after this epoch and skipping the rest"):
            comparison = run_comparison()
    else:
        comparison = run_comparison()  # Ctrl-C ends the worker processes, and the command with them
    if args.outliers:
        print(f"Corrupted {len(comparison.corrupted_rows)} of {comparison.n_train:,} training prices "
              f"(multiplied by 10); validation and test prices are clean.")
    print(f"\nTest set: {len(comparison.y_test):,} sales, in {comparison.currency}, sorted by RMSE")
    print(comparison_table(comparison.table, comparison.currency))
    stopped = comparison.interrupted
    if stopped or comparison.skipped:
        parts = [f"{', '.join(stopped)} stopped before the end of training"] if stopped else []
        parts += [f"{', '.join(comparison.skipped)} not trained"] if comparison.skipped else []
        print(f"\nInterrupted: {'; '.join(parts)}. This table is not a fair comparison; run the command "
              "again to completion.")
    paths = write_comparison_outputs(comparison, out) if len(comparison.table) else []
    list_written(paths)
    return EXIT_INTERRUPTED if stopped or comparison.skipped else 0


def comparison_table(table, currency: str) -> str:
    from .report import format_metric

    header = ["loss", "RMSE", "MAE", "Median AE", "R²", "RMSLE", "epochs", "seconds"]
    rows = []
    for record in table.to_dict("records"):
        rows.append([record["loss"]] + [format_metric(name, record[name], currency)
                                        for name in ("rmse", "mae", "median_ae", "r2", "rmsle")]
                    + [str(record["epochs"]), f"{record['seconds']:.2f}"])
    return format_table(header, rows)


def write_comparison_outputs(comparison, out: Path) -> list[Path]:
    """Write comparison.csv and the four comparison figures into ``out``."""
    from .plotting import (plot_loss_curves, plot_loss_shapes, plot_predicted_vs_actual_grid,
                           plot_residual_grid, save_figure)

    paths = [atomic_write_text(out / "comparison.csv", comparison.table.to_csv(index=False))]
    currency = comparison.currency
    results = {name: (comparison.y_test, comparison.predictions[name]) for name in comparison.table["loss"]}
    paths.append(save_figure(plot_loss_curves(comparison.histories), out / "loss_curves.png"))
    paths.append(save_figure(plot_residual_grid(results, currency=currency), out / "residual_grid.png"))
    paths.append(save_figure(plot_predicted_vs_actual_grid(results, currency=currency),
                             out / "predicted_vs_actual.png"))
    shape_names = [name for name in comparison.table["loss"] if name not in ("msle", "mape")] or ["mse", "mae"]
    params = {name: comparison.loss_params.get(name, {}) for name in shape_names}
    paths.append(save_figure(plot_loss_shapes(shape_names, params=params), out / "loss_shapes.png"))
    return paths


from .worked_example import add_losses_parser  # noqa: E402  (housing losses, the worked loss example)

EXTRA_COMMANDS = [add_compare_parser, add_losses_parser]
