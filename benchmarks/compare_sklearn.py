"""Time `housing` against scikit-learn's MLPRegressor and a plain NumPy network on the Ames data.

Run from the repository root, with the package installed (``pip install -e .``)::

    python benchmarks/compare_sklearn.py                  # 5 repetitions, several minutes
    python benchmarks/compare_sklearn.py --quick          # 2 repetitions
    python benchmarks/compare_sklearn.py --json out.json  # also write the numbers as JSON

Both libraries train on the same preprocessed matrices, the output of
`housing.experiment.prepare`. Both use hidden layers (64, 32), ReLU, Adam with
the same learning rate, betas and epsilon, no L2 penalty and batch size 64.
Both run the same number of epochs with no early stopping, on one BLAS
thread. Our side runs the full `Trainer`: it evaluates the validation loss
after every epoch, keeps the history, prints progress (into memory) and
restores the weights of the best validation epoch. scikit-learn gets no
validation set.

A third contender, the plain NumPy network of `plain_numpy.py`, has no
validation, history or progress: the report shows how our full trainer
compares with that bare loop too.

Every fit runs in a fresh process of this script (``--worker``), the three
contenders take turns going first, and the report gives medians over the
repetitions. The same runs at batch size 8 give the time per step, where
Python overhead dominates. The results page is benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The parent process imports only the standard library. A child process
# started by exec inherits the parent's peak resident memory as its own
# starting ru_maxrss on Linux, so a parent holding NumPy and the data would
# hide the workers' own peaks.

__all__ = ["main"]

LIBRARIES = ("housing", "sklearn", "plain")
DTYPES = ("float64", "float32")
HIDDEN = (64, 32)
SEED = 42
LEARNING_RATE = 1e-3
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8

# The minimum speedups (scikit-learn's time per epoch over ours) that the report checks.
TARGET_SPEEDUP = {"float64": 2.0, "float32": 2.5}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the report and optionally write JSON; return the exit status."""
    args = _parse_args(argv)
    if args.worker:
        return _worker(args)

    repeats = args.repeats
    if repeats is None:
        repeats = 2 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="housing-bench-") as folder:
        data_folder = Path(folder)
        environment = _run_worker(["--worker", "prepare", "--data", str(data_folder)])
        runs = _run_all(data_folder, repeats, args)

    summary = _summarise(runs, environment, repeats, args)
    print(_format_report(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions instead of 5")
    parser.add_argument("--repeats", type=int, help="repetitions of every run (overrides --quick)")
    parser.add_argument("--epochs", type=int, default=200, help="epochs of the batch-64 runs (default 200)")
    parser.add_argument("--step-epochs", type=int, default=10,
                        help="epochs of the batch-8 runs that measure the time per step (default 10)")
    # The default is 0 because no alpha matches a weight decay exactly: see _fit_sklearn.
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="our L2 weight decay; scikit-learn gets alpha = weight decay * batch size / 2 (default 0)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers to this JSON file")
    # Options of the child processes.
    parser.add_argument("--worker", choices=("prepare", *LIBRARIES), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--dtype", choices=DTYPES, default="float64", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=64, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("repeats", "epochs", "step_epochs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {value}")
    if not args.weight_decay >= 0:
        parser.error(f"--weight-decay must be 0 or more; got {args.weight_decay}")
    return args


# ----------------------------------------------------------------------
# The parent: run the workers in alternation
# ----------------------------------------------------------------------


def _run_all(data_folder: Path, repeats: int, args) -> list[dict]:
    runs = []
    for repeat in range(repeats):
        configurations = [(dtype, 64, args.epochs) for dtype in DTYPES]
        configurations += [(dtype, 8, args.step_epochs) for dtype in DTYPES]
        for index, (dtype, batch_size, epochs) in enumerate(configurations):
            # Rotate which contender goes first from one configuration to the
            # next, so that a slow spell of the machine does not always land
            # on the same one.
            shift = (repeat + index) % len(LIBRARIES)
            order = LIBRARIES[shift:] + LIBRARIES[:shift]
            for library in order:
                result = _run_worker([
                    "--worker", library, "--data", str(data_folder / f"ames-{dtype}.npz"), "--dtype", dtype,
                    "--batch-size", str(batch_size), "--epochs", str(epochs),
                    "--weight-decay", repr(args.weight_decay),
                ])
                runs.append({"repeat": repeat, **result})
                print(f"  repeat {repeat + 1}/{repeats}  {library:8s} {dtype}  batch {batch_size:2d}  "
                      f"{result['seconds']:7.3f} s", file=sys.stderr, flush=True)
    return runs


def _run_worker(options: list[str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *options]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark worker failed: {shlex.join(command)}\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def _summarise(runs: list[dict], environment: dict, repeats: int, args) -> dict:
    summary = {"environment": environment, "repeats": repeats, "epochs": args.epochs,
               "step_epochs": args.step_epochs, "weight_decay": args.weight_decay,
               "command": shlex.join(["python", "benchmarks/compare_sklearn.py", *(sys.argv[1:])]),
               "date": time.strftime("%Y-%m-%d %H:%M %Z"), "results": {}}
    for dtype in DTYPES:
        block = {}
        for library in LIBRARIES:
            main_runs = _select(runs, library, dtype, 64)
            step_runs = _select(runs, library, dtype, 8)
            block[library] = {
                "ms_per_epoch": statistics.median(1e3 * run["seconds"] / run["epochs"] for run in main_runs),
                "ms_per_epoch_all": [round(1e3 * run["seconds"] / run["epochs"], 3) for run in main_runs],
                "us_per_step_batch8": statistics.median(1e6 * run["seconds"] / run["steps"] for run in step_runs),
                "peak_rss_increase_mib": statistics.median(run["peak_rss_increase_mib"] for run in main_runs),
                "peak_rss_mib": statistics.median(run["peak_rss_mib"] for run in main_runs),
                "rmsle": statistics.median(run["rmsle"] for run in main_runs),
                "epochs_run": main_runs[0]["epochs_run"],
                "weights_dtype": main_runs[0]["weights_dtype"],
            }
        ours, theirs, plain = block["housing"], block["sklearn"], block["plain"]
        block["speedup"] = theirs["ms_per_epoch"] / ours["ms_per_epoch"]
        block["speedup_step_batch8"] = theirs["us_per_step_batch8"] / ours["us_per_step_batch8"]
        block["speedup_over_plain"] = plain["ms_per_epoch"] / ours["ms_per_epoch"]
        summary["results"][dtype] = block

    results = summary["results"]
    summary["speedup_float64"] = results["float64"]["speedup"]
    summary["speedup_float32"] = results["float32"]["speedup"]
    summary["speedup_over_plain_float64"] = results["float64"]["speedup_over_plain"]
    summary["speedup_over_plain_float32"] = results["float32"]["speedup_over_plain"]
    summary["rmsle_ours"] = results["float64"]["housing"]["rmsle"]
    summary["rmsle_sklearn"] = results["float64"]["sklearn"]["rmsle"]
    summary["targets"] = _check_targets(results)
    return summary


def _select(runs, library, dtype, batch_size) -> list[dict]:
    return [run for run in runs
            if run["library"] == library and run["dtype"] == dtype and run["batch_size"] == batch_size]


def _check_targets(results: dict) -> dict[str, bool]:
    checks = {}
    for dtype in DTYPES:
        block = results[dtype]
        ours, theirs = block["housing"], block["sklearn"]
        checks[f"speedup_{dtype}_at_least_{TARGET_SPEEDUP[dtype]}"] = block["speedup"] >= TARGET_SPEEDUP[dtype]
        checks[f"peak_memory_{dtype}_lower"] = ours["peak_rss_increase_mib"] < theirs["peak_rss_increase_mib"]
        checks[f"rmsle_{dtype}_no_worse"] = ours["rmsle"] <= theirs["rmsle"]
        checks[f"not_slower_than_plain_{dtype}"] = block["speedup_over_plain"] >= 1.0
    return checks


def _format_report(summary: dict) -> str:
    environment = summary["environment"]
    lines = [
        f"housing against scikit-learn {environment['sklearn']} MLPRegressor and a plain NumPy network "
        f"on {environment['data']}",
        f"hidden {HIDDEN}, ReLU, Adam (lr {LEARNING_RATE:g}, betas {BETA1}, {BETA2}, epsilon {EPSILON:g}), "
        f"weight decay {summary['weight_decay']:g} (scikit-learn alpha = weight decay * batch size / 2), "
        f"{summary['epochs']} epochs at batch 64, {summary['step_epochs']} at batch 8, "
        f"median of {summary['repeats']} fresh-process repetitions",
        "",
        f"{'':34s}{'housing':>10s}{'sklearn':>10s}{'plain':>10s}{'sklearn/':>10s}{'plain/':>8s}",
        f"{'':64s}{'housing':>10s}{'housing':>8s}",
    ]

    rows = (("time per epoch, batch 64 (ms)", "ms_per_epoch", "{:10.2f}"),
            ("time per step, batch 8 (us)", "us_per_step_batch8", "{:10.1f}"),
            ("peak RSS increase (MiB)", "peak_rss_increase_mib", "{:10.1f}"),
            ("peak RSS (MiB)", "peak_rss_mib", "{:10.1f}"),
            ("test RMSLE", "rmsle", "{:10.5f}"))
    for dtype in DTYPES:
        block = summary["results"][dtype]
        lines.append(dtype)
        for label, key, template in rows:
            values = [block[library][key] for library in LIBRARIES]
            ours, theirs, plain = values
            ratios = f"{theirs / ours:10.2f}{plain / ours:8.2f}" if key != "rmsle" and ours else ""
            lines.append(f"  {label:32s}{''.join(template.format(value) for value in values)}{ratios}")
        lines.append(f"  {'each repetition, ms per epoch':32s}housing {block['housing']['ms_per_epoch_all']}")
        lines.append(f"  {'':32s}sklearn {block['sklearn']['ms_per_epoch_all']}")
        lines.append(f"  {'':32s}plain   {block['plain']['ms_per_epoch_all']}")
        lines.append(f"  {'weights dtype':32s}" + "".join(f"{block[library]['weights_dtype']:>10s}"
                                                             for library in LIBRARIES))
        lines.append(f"  {'epochs run':32s}" + "".join(f"{block[library]['epochs_run']:10d}"
                                                          for library in LIBRARIES))

    lines.append("")
    lines.append("sklearn/housing and plain/housing: ratios, where above 1 means housing is faster or smaller")
    lines.append("targets: " + ", ".join(f"{name} {'met' if met else 'NOT met'}"
                                         for name, met in summary["targets"].items()))

    lines.append("")
    lines.append(f"machine: {environment['cpu']}, {environment['cpus']} CPUs; Python {environment['python']}, "
                 f"NumPy {environment['numpy']}, scikit-learn {environment['sklearn']}")
    for library in environment["blas"]:
        lines.append(f"BLAS: {library}")
    lines.append(f"environment: {environment['openblas_variables']}")
    lines.append(f"date: {summary['date']}; command: {summary['command']}")
    return "\n".join(lines)


# ----------------------------------------------------------------------
# The workers: one data preparation or one timed fit per process
# ----------------------------------------------------------------------


def _worker(args) -> int:
    if args.worker == "prepare":
        result = _prepare_data(Path(args.data))
    else:
        result = _timed_fit(args)
    print(json.dumps(result))
    return 0


def _prepare_data(folder: Path) -> dict:
    """Split and preprocess the Ames data as `housing train` does, save the matrices, describe the machine.

    The matrices are saved once per dtype, so that a worker loads them without
    a conversion whose temporary copy would raise its baseline peak memory.
    """
    import platform

    import numpy as np
    import sklearn
    from threadpoolctl import threadpool_info

    from housing.experiment import Settings, load_data, prepare, split_data
    from housing.losses import get_loss

    settings = Settings(seed=SEED)
    X, y, info = load_data(settings)
    split = prepare(split_data(X, y, info, settings), settings, get_loss("mse"))
    transform = split.target_transform.to_dict()
    matrices = {"features_train": split.features_train, "z_train": split.z_train, "features_val": split.features_val,
                "z_val": split.z_val, "features_test": split.features_test}
    for dtype in DTYPES:
        np.savez(folder / f"ames-{dtype}.npz", **{name: matrix.astype(dtype) for name, matrix in matrices.items()},
                 y_test=split.y_test.to_numpy(dtype=np.float64), transform_kind=np.array(transform["kind"]),
                 transform_shift=np.array(transform["shift"]), transform_scale=np.array(transform["scale"]))

    blas = [f"{entry['internal_api']} {entry.get('version')} ({entry.get('architecture')} kernel, "
            f"{Path(entry['filepath']).name})" for entry in threadpool_info() if entry["user_api"] == "blas"]
    return {
        "data": f"{info.name} ({split.features_train.shape[0]} training rows, "
                f"{split.features_val.shape[0]} validation, {split.features_test.shape[0]} test, "
                f"{split.features_train.shape[1]} features)",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "blas": blas,
        "openblas_variables": {name: os.environ.get(name) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def _timed_fit(args) -> dict:
    """Fit one library once on the saved matrices; return its time, memory and test RMSLE."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    fit = {"housing": _fit_housing, "sklearn": _fit_sklearn, "plain": _fit_plain}[args.worker]
    data = np.load(args.data, allow_pickle=False)
    matrices = {name: data[name] for name in ("features_train", "z_train", "features_val", "z_val", "features_test")}

    # Both workers import both libraries before the baseline, so the memory
    # increase counts training alone and not the code of either library.
    import sklearn.neural_network  # noqa: F401

    import housing.experiment  # noqa: F401
    import housing.training  # noqa: F401
    baseline = _peak_rss_mib()

    with threadpool_limits(1, "blas"):
        # A one-epoch fit on 64 rows first keeps first-call imports and caches
        # out of the time. Its memory counts, but it needs less than the real fit.
        small = {name: matrix[:64] for name, matrix in matrices.items()}
        fit(small, args.dtype, args.batch_size, 1, args.weight_decay)

        started = time.perf_counter()
        predict, epochs_run, weights_dtype = fit(matrices, args.dtype, args.batch_size, args.epochs,
                                                 args.weight_decay)
        seconds = time.perf_counter() - started
        peak = _peak_rss_mib()

    z_test = np.asarray(predict(matrices["features_test"]), dtype=np.float64)
    n_train = len(matrices["features_train"])
    return {
        "library": args.worker,
        "dtype": args.dtype,
        "batch_size": args.batch_size,
        "epochs": args.epochs,
        "epochs_run": epochs_run,
        "steps": args.epochs * -(-n_train // args.batch_size),
        "seconds": seconds,
        "peak_rss_mib": peak,
        "peak_rss_increase_mib": peak - baseline,
        "rmsle": _test_rmsle(data, z_test),
        "weights_dtype": weights_dtype,
    }


def _fit_housing(matrices, dtype, batch_size, epochs, weight_decay):
    import io

    from housing.experiment import Settings, build_trainer
    from housing.losses import get_loss
    from housing.training import ProgressPrinter

    settings = Settings(hidden=HIDDEN, activation="relu", optimizer="adam", lr=LEARNING_RATE,
                        batch_size=batch_size, epochs=epochs, patience=None, weight_decay=weight_decay,
                        schedule="constant", seed=SEED, dtype=dtype)
    progress = ProgressPrinter(every=10, stream=io.StringIO())
    trainer = build_trainer(settings, matrices["features_train"].shape[1], get_loss("mse"), callbacks=[progress])
    trainer.fit(matrices["features_train"], matrices["z_train"], matrices["features_val"], matrices["z_val"])
    network = trainer.network
    return network.predict, len(trainer.history), network.dtype.name


def _fit_sklearn(matrices, dtype, batch_size, epochs, weight_decay):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    # Our loss is mean(r^2) + weight_decay / 2 * ||W||^2 per batch of n rows.
    # scikit-learn's is mean(r^2) / 2 + alpha / (2 n) * ||W||^2, which is half
    # of ours when alpha = weight_decay * n / 2. Adam ignores that factor of 2.
    # NOTE: scikit-learn divides by the rows of each batch, so its penalty is
    # stronger than ours on a last, partial batch. Ames has 2050 training rows,
    # 32 batches of 64 and one of 2, where the penalty is 32 times ours.
    model = MLPRegressor(hidden_layer_sizes=HIDDEN, activation="relu", solver="adam",
                         alpha=weight_decay * batch_size / 2, batch_size=batch_size, learning_rate="constant",
                         learning_rate_init=LEARNING_RATE, beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON,
                         max_iter=epochs, shuffle=True, random_state=SEED, early_stopping=False,
                         n_iter_no_change=epochs + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(matrices["features_train"], matrices["z_train"].ravel())
    return model.predict, model.n_iter_, model.coefs_[0].dtype.name


def _fit_plain(matrices, dtype, batch_size, epochs, weight_decay):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from plain_numpy import fit_plain

    predict, epochs_run, weights = fit_plain(
        matrices["features_train"], matrices["z_train"], hidden=HIDDEN, learning_rate=LEARNING_RATE, beta1=BETA1,
        beta2=BETA2, epsilon=EPSILON, batch_size=batch_size, epochs=epochs, weight_decay=weight_decay, seed=SEED)
    return predict, epochs_run, weights[0].dtype.name


def _test_rmsle(data, z_test) -> float:
    from housing.evaluation import regression_metrics
    from housing.preprocessing import TargetTransform

    transform = TargetTransform.from_dict({"kind": str(data["transform_kind"]),
                                           "shift": float(data["transform_shift"]),
                                           "scale": float(data["transform_scale"])})
    return regression_metrics(data["y_test"], transform.inverse(z_test))["rmsle"]


def _peak_rss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in kibibytes on Linux and in bytes on macOS.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


if __name__ == "__main__":
    sys.exit(main())
