"""Ctrl-C during training: a real subprocess, the files it keeps, and an exact resume."""

import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from housing.persistence import CHECKPOINT_ARRAYS, CHECKPOINT_STATE, load_model

RUN = ["--epochs", "60", "--patience", "0", "--progress-every", "1", "--hidden", "32", "--seed", "5"]


def _train(*arguments):
    return subprocess.run([sys.executable, "-m", "housing", "train", *arguments],
                          capture_output=True, text=True, timeout=300)


def _interrupt_after_epoch(out, epoch: int):
    """Start a training run, send SIGINT once it prints ``epoch``, and return it finished."""
    process = subprocess.Popen([sys.executable, "-m", "housing", "train", *RUN, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(f"epoch {epoch:>2}/60"):
            process.send_signal(signal.SIGINT)
            break
    output, errors = process.communicate(timeout=120)
    return process.returncode, "".join(lines) + output, errors


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("interrupted")
    status, output, errors = _interrupt_after_epoch(out, 5)
    return out, status, output, errors


def test_sigint_exits_130_and_keeps_files(interrupted):
    out, status, output, errors = interrupted
    assert status == 130, errors
    assert "Traceback" not in errors
    assert "Interrupted: stopping after the current step" in errors
    for name in ["model.npz", "model.json", "metrics.json", "history.csv", CHECKPOINT_ARRAYS, CHECKPOINT_STATE]:
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True
    assert "interrupted" in metrics["stop_reason"]
    assert f"housing train --resume {out}" in output


def test_predict_on_interrupted_model(interrupted, tmp_path):
    out = interrupted[0]
    import pandas as pd
    from housing.datasets import DATA_DIR

    pd.read_csv(DATA_DIR / "ames.csv.gz").head(4).to_csv(tmp_path / "rows.csv", index=False)
    completed = subprocess.run([sys.executable, "-m", "housing", "predict", "--model", str(out),
                                "--input", str(tmp_path / "rows.csv")], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "$" in completed.stdout
    assert load_model(out).network.hidden == (32,)


def test_resume_equals_uninterrupted_run(interrupted, tmp_path):
    out = interrupted[0]
    resumed = _train("--resume", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming the interrupted run" in resumed.stdout
    assert not (out / CHECKPOINT_STATE).exists()

    reference = _train(*RUN, "--out", str(tmp_path))
    assert reference.returncode == 0, reference.stderr
    with np.load(out / "model.npz") as first, np.load(tmp_path / "model.npz") as second:
        assert first.files == second.files
        for name in first.files:
            np.testing.assert_array_equal(first[name], second[name])
    resumed_history = (out / "history.csv").read_text().splitlines()
    reference_history = (tmp_path / "history.csv").read_text().splitlines()
    assert len(resumed_history) == len(reference_history) == 61
    columns = slice(0, 4)  # epoch, train_loss, val_loss, learning_rate; seconds differ
    assert [row.split(",")[columns] for row in resumed_history] == [row.split(",")[columns] for row in reference_history]


def test_resume_without_checkpoint_is_clear(tmp_path):
    completed = _train("--resume", str(tmp_path))
    assert completed.returncode == 2
    assert "no unfinished run to resume" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_classifier_resume_equals_uninterrupted_run(tmp_path):
    arguments = ["--task", "classify", "--bands", "4", "--epochs", "40", "--patience", "0",
                 "--progress-every", "1", "--hidden", "16", "--seed", "3"]
    out = tmp_path / "interrupted"
    process = subprocess.Popen([sys.executable, "-m", "housing", "train", *arguments, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("epoch  4/40"):
            process.send_signal(signal.SIGINT)
            break
    process.communicate(timeout=120)
    assert process.returncode == 130
    assert (out / CHECKPOINT_STATE).is_file()

    resumed = _train("--resume", str(out))
    assert resumed.returncode == 0, resumed.stderr
    reference = _train(*arguments, "--out", str(tmp_path / "reference"))
    assert reference.returncode == 0, reference.stderr
    with np.load(out / "model.npz") as first, np.load(tmp_path / "reference" / "model.npz") as second:
        for name in first.files:
            np.testing.assert_array_equal(first[name], second[name])
    assert json.loads((out / "metrics.json").read_text())["test"]["accuracy"] == \
        json.loads((tmp_path / "reference" / "metrics.json").read_text())["test"]["accuracy"]


def test_sigint_during_compare_marks_table_incomplete(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "housing", "compare", "--losses", "mse", "mae", "huber",
                                "--epochs", "60", "--patience", "0", "--progress-every", "1",
                                "--out", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("mae      epoch  3/60"):
            process.send_signal(signal.SIGINT)
            break
    output, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert "Traceback" not in errors
    assert "Interrupted: mae stopped before the end of training; huber not trained." in output
    assert "not a fair comparison" in output
    import pandas as pd
    assert sorted(pd.read_csv(tmp_path / "comparison.csv")["loss"]) == ["mae", "mse"]
