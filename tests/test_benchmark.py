"""Smoke test of benchmarks/compare_sklearn.py in its quickest mode.

It checks that the script runs end to end and writes the promised JSON, never
how fast anything is: timings on a shared test machine mean nothing.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_sklearn.py"
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
    for key in ("speedup_float64", "speedup_float32", "rmsle_ours", "rmsle_sklearn"):
        assert key in summary
        assert math.isfinite(summary[key])
        assert summary[key] > 0


def test_both_libraries_run_every_epoch(summary):
    for dtype in ("float64", "float32"):
        for library in ("housing", "sklearn"):
            block = summary["results"][dtype][library]
            assert block["epochs_run"] == EPOCHS
            assert block["weights_dtype"] == dtype
            assert block["ms_per_epoch"] > 0
            assert block["us_per_step_batch8"] > 0


def test_float32_rmsle_close_to_float64(summary):
    # Same seed and data in both precisions: float32 keeps about 7 significant
    # digits, so after a few epochs the test RMSLE agrees to 1e-3 relative.
    for library in ("housing", "sklearn"):
        rmsle64 = summary["results"]["float64"][library]["rmsle"]
        rmsle32 = summary["results"]["float32"][library]["rmsle"]
        assert rmsle32 == pytest.approx(rmsle64, rel=1e-3)


def test_environment_names_blas(summary):
    environment = summary["environment"]
    assert environment["blas"]
    assert environment["cpus"] >= 1
