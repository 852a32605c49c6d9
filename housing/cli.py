"""The `housing` command: train, compare, predict and the worked loss example.

Run ``housing train`` for a first model on the embedded Ames data, or
``python -m housing --help`` for every command. Errors caused by input print
one line and exit with status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import HousingError

__all__ = ["main", "build_parser"]

EXIT_INPUT_ERROR = 2
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or an option argparse rejected
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_INPUT_ERROR
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_INPUT_ERROR
    try:
        return args.handler(args)
    except HousingError as error:
        if args.debug:
            raise
        print(f"housing {args.command}: error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        if args.debug:
            raise
        # A second Ctrl-C during training, or one outside it: nothing more to save.
        print(f"\nhousing {args.command}: aborted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away, as in "housing train | head". Stop
        # quietly, and point stdout at /dev/null so that the flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line instead of the whole usage text.

    Abbreviated options are off: "--los mae" would otherwise be read as
    "--loss mae", and a typo should be an error, not a guess.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(EXIT_INPUT_ERROR, f"{self.prog}: error: {message}; run '{self.prog} --help' for the options\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="housing",
        description="Train a multi-layer perceptron written by hand in NumPy on real house prices.",
    )
    parser.add_argument("--version", action="version", version=f"housing {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    from . import commands as handlers

    train = commands.add_parser("train", help="train one model and write it, its metrics and figures to --out",
                                description="Train one model on a data set and report its test scores.")
    _add_training_options(train)
    train.add_argument("--out", default="runs/train", metavar="DIR",
                       help="folder for the model, metrics, history and figures (default: %(default)s)")
    train.add_argument("--live", action="store_true",
                       help="redraw the loss curves in a window every 5 epochs while training; without a "
                            "display it says so and trains anyway")
    train.add_argument("--resume", metavar="DIR",
                       help="continue the interrupted run saved in DIR with its own settings; other training "
                            "options are ignored")
    train.set_defaults(handler=handlers.train_command)

    predict = commands.add_parser("predict", help="price new houses with a saved model",
                                  description="Price the rows of a CSV file with a model saved by housing train.")
    predict.add_argument("--model", required=True, metavar="DIR", help="folder written by housing train --out")
    predict.add_argument("--input", required=True, metavar="PATH.csv", help="rows to price, with the training columns")
    predict.add_argument("--output", metavar="PATH.csv",
                         help="write the input rows with a predicted-price column here (default: print only)")
    _add_common_options(predict)
    predict.set_defaults(handler=handlers.predict_command)

    for extra in getattr(handlers, "EXTRA_COMMANDS", ()):
        extra(commands, _add_training_options, _add_common_options)
    return parser


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")


def _add_training_options(parser: argparse.ArgumentParser, loss: bool = True) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--data", default="ames", metavar="ames|california|PATH.csv",
                      help="data set: the embedded Ames sales, California districts, or a CSV file (default: ames)")
    data.add_argument("--target", metavar="COLUMN", help="column to predict (default: price for ames; required for CSV)")
    data.add_argument("--drop-large-houses", action="store_true",
                      help="drop the 5 Ames sales of houses over 4,000 square feet (default: keep them)")
    data.add_argument("--currency", type=str.upper, choices=("USD", "INR"),
                      help="how amounts are printed and plotted: USD ($1,234,567) or INR with lakh and crore "
                           "grouping (₹12,34,567); no exchange rate is applied (default: the data's currency)")
    data.add_argument("--target-transform", choices=("log", "standardize", "ratio", "none"),
                      help="target transform: log then standardise (default), standardise, divide by the "
                           "median (default for msle and mape), or none")
    data.add_argument("--no-scale", dest="scale", action="store_false",
                      help="do not standardise numeric features (to see why scaling matters)")

    model = parser.add_argument_group("network and loss")
    if loss:
        model.add_argument("--task", default="regress", choices=("regress", "classify"),
                           help="regress: predict the price; classify: predict its price band (default: %(default)s)")
        model.add_argument("--bands", type=int, metavar="K",
                           help="with --task classify: number of price bands, cut at the training median for 2 "
                                "or at the training quantiles for more (default: 4)")
        model.add_argument("--loss", default=None, metavar="NAME",
                           help="regression: mse, rmse, mae, huber, logcosh, quantile, msle or mape (default: mse); "
                                "classification: bce for 2 bands or cce (default: bce for 2 bands, cce for more)")
    model.add_argument("--delta", type=float,
                       help="Huber threshold, in units of the transformed target; with huber only (default: 1.0)")
    model.add_argument("--quantile", type=float, metavar="TAU",
                       help="quantile loss level tau in (0, 1); with quantile only (default: 0.5)")
    model.add_argument("--hidden", type=int, nargs="*", default=[64, 32], metavar="WIDTH",
                       help="hidden layer widths; none for a linear model (default: 64 32)")
    model.add_argument("--activation", default="relu",
                       help="hidden activation: relu, leaky_relu, tanh, sigmoid or identity (default: %(default)s)")
    model.add_argument("--init", default="auto", choices=("auto", "he", "glorot", "zeros"),
                       help="weight initialisation; auto is He for ReLU and Glorot otherwise (default: %(default)s)")
    model.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                       help="floating-point precision of the network (default: %(default)s)")

    fit = parser.add_argument_group("optimisation")
    fit.add_argument("--optimizer", default="adam",
                     help="sgd, momentum, nesterov or adam (default: %(default)s)")
    fit.add_argument("--lr", type=float, default=1e-3, help="initial learning rate (default: %(default)s)")
    fit.add_argument("--momentum", type=float, default=0.9,
                     help="momentum coefficient for momentum and nesterov (default: %(default)s)")
    fit.add_argument("--batch-size", type=int, default=64, help="rows per gradient step (default: %(default)s)")
    fit.add_argument("--epochs", type=int, default=200, help="maximum passes over the training data (default: %(default)s)")
    fit.add_argument("--patience", type=int, default=20,
                     help="stop after this many epochs without a better validation loss; 0 turns early "
                          "stopping off (default: %(default)s)")
    fit.add_argument("--weight-decay", type=float, default=1e-2,
                     help="L2 penalty on the weights, per unit of squared weight (default: %(default)s)")
    fit.add_argument("--schedule", default="plateau",
                     help="learning-rate schedule: constant, step (halve every 50 epochs) or plateau "
                          "(halve after 5 epochs without improvement) (default: %(default)s)")
    fit.add_argument("--seed", type=int, default=42,
                     help="seed of every random choice: split, initial weights, shuffling (default: %(default)s)")
    fit.add_argument("--progress-every", type=int, default=10, metavar="K",
                     help="print a progress line every K epochs (default: %(default)s)")
    _add_common_options(parser)


@contextmanager
def stop_on_interrupt(trainers, on_interrupt=None,
                      message="stopping after the current step and saving the best model so far"):
    """Turn the first Ctrl-C into a stop request; a second one aborts.

    ``trainers`` is a list that the caller fills as trainers are built; each
    gets `request_stop`. ``on_interrupt``, if given, is called as well.
    """
    state = {"count": 0}

    def handle(signum, frame):
        state["count"] += 1
        if state["count"] > 1:
            raise KeyboardInterrupt
        print(f"\nInterrupted: {message} (press Ctrl-C again to abort without saving).",
              file=sys.stderr, flush=True)
        for trainer in trainers:
            trainer.request_stop()
        if on_interrupt is not None:
            on_interrupt()

    try:
        previous = signal.signal(signal.SIGINT, handle)
    except ValueError:  # not the main thread, so signals cannot be handled here
        yield state
        return
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def list_written(paths: Sequence[Path]) -> None:
    """Print the files a command wrote, one path per line."""
    print("\nFiles written:")
    for path in paths:
        print(f"  {path}")
