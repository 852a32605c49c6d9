"""Saving and loading a model folder: bit-identical round trip, no pickle, every check."""

import hashlib
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from housing.errors import ModelFileError
from housing.model import HousePriceModel
from housing.network import MLP
from housing.persistence import CONFIG_FILE, WEIGHTS_FILE, load_model, save_model
from housing.preprocessing import FeaturePipeline, TargetTransform


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "area": rng.normal(1500, 400, 40),
        "rooms": rng.integers(1, 6, 40).astype(float),
        "city": rng.choice(["Pune", "Delhi", "Mumbai"], 40),
    })


@pytest.fixture
def model(frame):
    pipeline = FeaturePipeline().fit(frame)
    prices = 100 * frame["area"] + 5000 * frame["rooms"]
    transform = TargetTransform("log").fit(prices)
    network = MLP(len(pipeline.feature_names_out), (5, 3), 1, rng=np.random.default_rng(1))
    return HousePriceModel(network, pipeline, transform, {"name": "huber", "params": {"delta": 1.0}},
                           metadata={"data": "test"})


def test_round_trip_is_bit_identical(model, frame, tmp_path):
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    original = model.network.named_parameters()
    restored = loaded.network.named_parameters()
    assert list(restored) == list(original)
    for name in original:
        assert restored[name].dtype == original[name].dtype
        np.testing.assert_array_equal(restored[name], original[name])
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))
    assert loaded.loss == {"name": "huber", "params": {"delta": 1.0}}


def test_float32_round_trip(frame, tmp_path):
    pipeline = FeaturePipeline().fit(frame)
    network = MLP(len(pipeline.feature_names_out), (4,), 1, rng=np.random.default_rng(2), dtype=np.float32)
    model = HousePriceModel(network, pipeline, TargetTransform("none").fit(frame["area"]), {"name": "mse", "params": {}})
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.network.dtype == np.float32
    np.testing.assert_array_equal(loaded.network.params, network.params)


def test_json_records_weights_checksum(model, tmp_path):
    save_model(model, tmp_path)
    config = json.loads((tmp_path / CONFIG_FILE).read_text())
    assert config["weights_sha256"] == hashlib.sha256((tmp_path / WEIGHTS_FILE).read_bytes()).hexdigest()
    assert config["input_columns"] == ["area", "rooms", "city"]


def _rewrite_weights(folder, data: bytes):
    (folder / WEIGHTS_FILE).write_bytes(data)
    config = json.loads((folder / CONFIG_FILE).read_text())
    config["weights_sha256"] = hashlib.sha256(data).hexdigest()
    (folder / CONFIG_FILE).write_text(json.dumps(config))


class _RunsCodeWhenUnpickled:
    marker = None

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickled_weights_never_run(model, tmp_path):
    save_model(model, tmp_path)
    marker = tmp_path / "code-ran"
    payload = _RunsCodeWhenUnpickled()
    payload.marker = marker
    _rewrite_weights(tmp_path, pickle.dumps(payload))
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(tmp_path)
    assert not marker.exists()


def test_object_array_rejected(model, tmp_path):
    import io
    save_model(model, tmp_path)
    marker = tmp_path / "code-ran"
    payload = _RunsCodeWhenUnpickled()
    payload.marker = marker
    buffer = io.BytesIO()
    arrays = {name: value for name, value in model.network.named_parameters().items()}
    arrays["W0"] = np.array([payload, 1], dtype=object)
    np.savez(buffer, **arrays)
    _rewrite_weights(tmp_path, buffer.getvalue())
    with pytest.raises(ModelFileError, match="object arrays"):
        load_model(tmp_path)
    assert not marker.exists()


def test_checksum_mismatch_rejected(model, tmp_path):
    save_model(model, tmp_path)
    data = bytearray((tmp_path / WEIGHTS_FILE).read_bytes())
    data[-30] ^= 0xFF
    (tmp_path / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="do not belong together"):
        load_model(tmp_path)


def test_wrong_shape_rejected(model, tmp_path):
    import io
    save_model(model, tmp_path)
    arrays = {name: value for name, value in model.network.named_parameters().items()}
    arrays["W1"] = np.zeros((2, 2))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _rewrite_weights(tmp_path, buffer.getvalue())
    with pytest.raises(ModelFileError, match="W1 has shape"):
        load_model(tmp_path)


def test_missing_folder_rejected(tmp_path):
    with pytest.raises(ModelFileError, match="no model folder"):
        load_model(tmp_path / "nowhere")


def test_invalid_json_rejected(model, tmp_path):
    save_model(model, tmp_path)
    (tmp_path / CONFIG_FILE).write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(tmp_path)


def test_incompatible_version_rejected(model, tmp_path):
    save_model(model, tmp_path)
    config = json.loads((tmp_path / CONFIG_FILE).read_text())
    config["format_version"] = 99
    (tmp_path / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="version 99"):
        load_model(tmp_path)


def test_field_of_wrong_type_rejected(model, tmp_path):
    save_model(model, tmp_path)
    config = json.loads((tmp_path / CONFIG_FILE).read_text())
    config["architecture"] = "64,32"
    (tmp_path / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="'architecture' must be a JSON dict"):
        load_model(tmp_path)


def test_no_temporary_files_left(model, tmp_path):
    save_model(model, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([WEIGHTS_FILE, CONFIG_FILE])


def test_single_npy_array_rejected(model, tmp_path):
    import io
    save_model(model, tmp_path)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(5))
    _rewrite_weights(tmp_path, buffer.getvalue())
    with pytest.raises(ModelFileError, match="single array"):
        load_model(tmp_path)


def test_nan_weights_rejected(model, tmp_path):
    import io
    save_model(model, tmp_path)
    arrays = {name: value.copy() for name, value in model.network.named_parameters().items()}
    arrays["b1"][0] = np.nan
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _rewrite_weights(tmp_path, buffer.getvalue())
    with pytest.raises(ModelFileError, match="b1 contains NaN"):
        load_model(tmp_path)


def _edit_config(folder, edit):
    config = json.loads((folder / CONFIG_FILE).read_text())
    edit(config)
    (folder / CONFIG_FILE).write_text(json.dumps(config))


def test_huge_layer_claim_fails_without_allocating(model, tmp_path):
    save_model(model, tmp_path)
    _edit_config(tmp_path, lambda config: config["architecture"].update(n_features=10**12))
    with pytest.raises(ModelFileError, match="inputs"):
        load_model(tmp_path)


@pytest.mark.parametrize("hidden", ["64", [5, "3"], [5, 0], [5, True]])
def test_bad_hidden_widths_rejected(model, tmp_path, hidden):
    save_model(model, tmp_path)
    _edit_config(tmp_path, lambda config: config["architecture"].update(hidden=hidden))
    with pytest.raises(ModelFileError, match="positive whole numbers"):
        load_model(tmp_path)


def test_deeply_nested_json_rejected(model, tmp_path):
    save_model(model, tmp_path)
    (tmp_path / CONFIG_FILE).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelFileError, match=CONFIG_FILE):
        load_model(tmp_path)
