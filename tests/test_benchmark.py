"""Smoke test of benchmarks/compare_sklearn.py in its quickest mode.

It checks that the script runs end to end and writes the promised JSON, never
how fast anything is: timings on a shared test machine mean nothing.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from housing.losses import MSE
from housing.network import MLP
from housing.optimizers import Adam

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPT = BENCHMARKS / "compare_sklearn.py"
EPOCHS = 3


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    path = tmp_path_factory.mktemp("benchmark") / "results.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--repeats", "1", "--epochs", str(EPOCHS),
         "--step-epochs", "1", "--json", str(path)],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    assert "time per epoch" in completed.stdout
    return json.loads(path.read_text())


def test_json_has_headline_keys(summary):
    for key in ("speedup_float64", "speedup_float32", "speedup_over_plain_float64", "speedup_over_plain_float32",
                "rmsle_ours", "rmsle_sklearn"):
        assert key in summary
        assert math.isfinite(summary[key])
        assert summary[key] > 0


def test_every_contender_runs_every_epoch(summary):
    for dtype in ("float64", "float32"):
        for library in ("housing", "sklearn", "plain"):
            block = summary["results"][dtype][library]
            assert block["epochs_run"] == EPOCHS
            assert block["weights_dtype"] == dtype
            assert block["ms_per_epoch"] > 0
            assert block["us_per_step_batch8"] > 0


def test_float32_rmsle_close_to_float64(summary):
    # Same seed and data in both precisions: float32 keeps about 7 significant
    # digits, so after a few epochs the test RMSLE agrees to 1e-3 relative.
    for library in ("housing", "sklearn", "plain"):
        rmsle64 = summary["results"]["float64"][library]["rmsle"]
        rmsle32 = summary["results"]["float32"][library]["rmsle"]
        assert rmsle32 == pytest.approx(rmsle64, rel=1e-3)


def test_report_checks_plain_network(summary):
    for dtype in ("float64", "float32"):
        assert f"not_slower_than_plain_{dtype}" in summary["targets"]


def test_environment_names_blas(summary):
    environment = summary["environment"]
    assert environment["blas"]
    assert environment["cpus"] >= 1


def _load_fit_plain():
    sys.path.insert(0, str(BENCHMARKS))
    from plain_numpy import fit_plain

    return fit_plain


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_plain_network_takes_our_adam_step(weight_decay):
    # Five full-batch steps of the plain network must equal five steps of
    # our network, loss and optimizer from the same initial weights, or the
    # benchmark would compare different computations. Several steps test the
    # gradients more than one does: Adam's first step is close to
    # -learning_rate * sign(gradient).
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(20, 5)), rng.normal(size=(20, 1))
    predict, epochs_run, weights = _load_fit_plain()(X, y, hidden=(4, 3), batch_size=20, epochs=5,
                                                     weight_decay=weight_decay, seed=3)

    network = MLP(5, (4, 3), 1)
    weight_rng = np.random.default_rng(3)  # the plain network draws its weights first, layer by layer
    for layer in network.layers:
        fan_in, fan_out = layer.W.shape
        layer.W[:] = weight_rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
    before = network.predict(X)
    optimizer = Adam(1e-3)
    for _ in range(5):
        _, output_gradient = MSE().value_and_gradient(y, network.forward(X))
        network.backward(output_gradient)
        network.grads[:network.n_weights] += weight_decay * network.params[:network.n_weights]
        optimizer.step(network.params, network.grads)

    after = network.predict(X)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(predict(X), after, rtol=1e-10, atol=1e-12)
    assert epochs_run == 5
    assert [weight.shape for weight in weights] == [(5, 4), (4, 3), (3, 1)]


def test_plain_network_keeps_float32():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(20, 5)).astype(np.float32), rng.normal(size=(20, 1)).astype(np.float32)
    predict, _, weights = _load_fit_plain()(X, y, hidden=(4, 3), batch_size=8, epochs=2, seed=3)
    assert {weight.dtype for weight in weights} == {np.dtype(np.float32)}
    assert predict(X).dtype == np.float32
