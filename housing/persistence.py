"""Save and load a trained model as a folder of `model.npz` and `model.json`, without pickle.

`model.npz` holds only float arrays, one per layer parameter (``W0``, ``b0``,
``W1``, ...). `model.json` contains everything else: the architecture, the loss,
the fitted preprocessing, the target transform, the input columns, the
package version and the SHA-256 of `model.npz`. Loading reads the arrays with
``allow_pickle=False``, so a file that would need pickle is rejected before
any of its code could run, and checks every field of the JSON before use.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from pathlib import Path

import numpy as np

from . import __version__
from .errors import ModelFileError
from .fileio import atomic_write_bytes, atomic_write_text
from .model import HousePriceModel
from .network import MLP
from .preprocessing import FeaturePipeline, TargetTransform

__all__ = ["save_model", "load_model", "save_run_files", "save_checkpoint", "load_checkpoint", "remove_checkpoint",
           "WEIGHTS_FILE", "CONFIG_FILE", "CHECKPOINT_ARRAYS", "CHECKPOINT_STATE", "FORMAT_VERSION"]

WEIGHTS_FILE = "model.npz"
CONFIG_FILE = "model.json"
CHECKPOINT_ARRAYS = "checkpoint.npz"
CHECKPOINT_STATE = "checkpoint.json"
FORMAT_NAME = "housing-model"
FORMAT_VERSION = 1

# Top-level fields of model.json and the JSON type each must have.
_REQUIRED_FIELDS = {
    "format": str,
    "format_version": int,
    "package_version": str,
    "task": str,
    "architecture": dict,
    "loss": dict,
    "preprocessing": dict,
    "target_transform": dict,
    "target": str,
    "currency": str,
    "parameters": list,
    "weights_sha256": str,
}


def save_model(model: HousePriceModel, folder: str | Path, extra: dict | None = None) -> list[Path]:
    """Write `model.npz` then `model.json` into ``folder``; return both paths.

    Each file is written to a temporary name and renamed. The JSON, which
    records the weights' checksum, is written last, so an interrupted save
    leaves either the previous model or a pair that fails the checksum, never
    a silently mismatched one.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.ascontiguousarray(value) for name, value in model.network.named_parameters().items()}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    weights = buffer.getvalue()

    config = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "task": model.metadata.get("task", "regression"),
        "architecture": model.network.architecture(),
        "loss": model.loss,
        "preprocessing": model.pipeline.to_dict(),
        "target_transform": model.target_transform.to_dict(),
        "target": model.target,
        "currency": model.currency,
        "input_columns": model.input_columns,
        "parameters": list(arrays),
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
        "metadata": _json_safe(model.metadata),
    }
    bands = getattr(model, "bands", None)
    if bands is not None:
        config["bands"] = bands.to_dict()  # the band edges of a PriceBandModel, fitted on training prices
    if extra:
        config.update(_json_safe(extra))
    weights_path = atomic_write_bytes(folder / WEIGHTS_FILE, weights)
    config_path = atomic_write_text(folder / CONFIG_FILE, json.dumps(config, indent=2, allow_nan=False) + "\n")
    return [weights_path, config_path]


def save_run_files(model, history, scores: dict, seconds: float, currency: str, out: str | Path) -> list[Path]:
    """Write the model, `metrics.json` and `history.csv` of one training run into ``out``.

    ``scores`` are the metric blocks (``test``, ``validation``, ``baseline``
    and any task-specific entries); `metrics.json` adds the configuration and
    how the run ended. Returns the paths written.
    """
    out = Path(out)
    model.currency = currency
    model.metadata.update({"stop_reason": history.stop_reason, "interrupted": history.interrupted})
    paths = save_model(model, out)

    record = {
        **scores,
        "config": model.metadata["settings"],
        "epochs_run": len(history),
        "best_epoch": history.best_epoch,
        "stop_reason": history.stop_reason,
        "interrupted": history.interrupted,
        "diverged": history.diverged,
        "seconds": round(seconds, 3),
        "currency": currency,
    }
    paths.append(atomic_write_text(out / "metrics.json", json.dumps(record, indent=2, allow_nan=False) + "\n"))
    paths.append(atomic_write_text(out / "history.csv", history.to_frame().to_csv(index=False)))
    return paths


def load_model(folder: str | Path) -> HousePriceModel:
    """Load a model folder written by `save_model`, checking every part first.

    Raises
    ------
    ModelFileError
        The folder or a file is missing, the JSON is invalid or from an
        incompatible version, the weights do not match their checksum or the
        architecture, or the weights file needs pickle.
    """
    folder = Path(folder)
    config = read_config(folder)
    weights_path = folder / WEIGHTS_FILE
    if not weights_path.is_file():
        raise ModelFileError(f"{weights_path} is missing; the model folder needs both {WEIGHTS_FILE} and "
                             f"{CONFIG_FILE}. Train again with housing train --out {folder}")
    weights = weights_path.read_bytes()
    if hashlib.sha256(weights).hexdigest() != config["weights_sha256"]:
        raise ModelFileError(f"{weights_path} does not match the checksum recorded in {CONFIG_FILE}, so the two "
                             "files do not belong together; copy both from the same training run")
    arrays = _read_arrays(weights, weights_path)
    try:
        pipeline = FeaturePipeline.from_dict(config["preprocessing"])
        transform = TargetTransform.from_dict(config["target_transform"])
    except ModelFileError as error:
        raise ModelFileError(f"{folder / CONFIG_FILE}: {error}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ModelFileError(f"{folder / CONFIG_FILE} has invalid preprocessing fields ({error!r}); "
                             "train the model again") from None
    network = _build_network(config, arrays, folder, n_inputs=len(pipeline.feature_names_out))
    if config["task"] == "classification":
        return _load_band_model(config, network, pipeline, folder)
    return HousePriceModel(network, pipeline, transform, config["loss"], target=config["target"],
                           currency=config["currency"], metadata=config.get("metadata", {}))


def _load_band_model(config: dict, network: MLP, pipeline: FeaturePipeline, folder: Path):
    """Build the PriceBandModel of a classification model file, checking its band edges."""
    from .classification import PriceBands
    from .model import PriceBandModel

    try:
        bands = PriceBands.from_dict(config["bands"])
        return PriceBandModel(network, pipeline, bands, config["loss"], target=config["target"],
                              currency=config["currency"], metadata=config.get("metadata", {}))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{folder / CONFIG_FILE} has invalid price bands ({error}); "
                             "train the model again") from None


def read_config(folder: str | Path) -> dict:
    """Read and check `model.json` in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFileError(f"no model folder at {str(folder)!r}; pass the --out folder of a housing train run")
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise ModelFileError(f"{path} is missing; a model folder contains {WEIGHTS_FILE} and {CONFIG_FILE} "
                             "as written by housing train")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ModelFileError(f"{path} nests JSON too deeply to be a model file; train the model again") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path} is not valid JSON ({error}); train the model again") from None
    if not isinstance(config, dict):
        raise ModelFileError(f"{path} must hold a JSON object; train the model again")
    _check_fields(config, path)
    return config


def _check_fields(config: dict, path: Path) -> None:
    if config.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not a housing model file (format {config.get('format')!r})")
    version = config.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path} has model format version {version!r}, but this housing "
                             f"{__version__} reads version {FORMAT_VERSION}; train the model again with this version")
    for name, expected in _REQUIRED_FIELDS.items():
        value = config.get(name)
        if not isinstance(value, expected) or isinstance(value, bool) and expected is int:
            raise ModelFileError(f"{path}: field {name!r} must be a JSON {expected.__name__}; "
                                 f"got {type(value).__name__}. Train the model again")


def _read_arrays(weights: bytes, path: Path) -> dict[str, np.ndarray]:
    try:
        archive = np.load(io.BytesIO(weights), allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ModelFileError(f"{path} contains a single array, not the .npz archive of named weights that "
                                 "housing train writes; train the model again")
        with archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "pickle" in str(error).lower() or "object arrays" in str(error).lower():
            raise ModelFileError(f"{path} contains object arrays or pickled data, which could run code when "
                                 "loaded; it was rejected without loading. Use a model saved by housing train") from None
        raise ModelFileError(f"{path} is not a valid weights file ({error}); train the model again") from None
    except (OSError, EOFError) as error:
        raise ModelFileError(f"{path} is not a valid .npz weights file ({error}); train the model again") from None


def _build_network(config: dict, arrays: dict[str, np.ndarray], folder: Path, n_inputs: int) -> MLP:
    """Check the architecture against the pipeline and the arrays, then build the network.

    Every shape is compared before the network is allocated, so a model.json
    that claims a huge layer fails with a message instead of exhausting memory.
    """
    path = folder / CONFIG_FILE
    architecture = config["architecture"]
    widths = _architecture_widths(architecture, path)
    if widths[0] != n_inputs:
        raise ModelFileError(f"{path}: the network takes {widths[0]} inputs but the saved preprocessing makes "
                             f"{n_inputs} features; copy both files from the same run")
    names = [f"{kind}{index}" for index in range(len(widths) - 1) for kind in ("W", "b")]
    if sorted(arrays) != sorted(names) or config["parameters"] != names:
        raise ModelFileError(f"{folder / WEIGHTS_FILE} contains arrays {sorted(arrays)}, but the architecture in "
                             f"{CONFIG_FILE} needs {names}; copy both files from the same run")
    for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        for name, shape in ((f"W{index}", (fan_in, fan_out)), (f"b{index}", (fan_out,))):
            array = arrays[name]
            if array.shape != shape or array.dtype.kind != "f":
                raise ModelFileError(f"{folder / WEIGHTS_FILE}: array {name} has shape {array.shape} and dtype "
                                     f"{array.dtype}, but the architecture needs shape {shape} of floats; "
                                     "copy both files from the same run")
            if not np.all(np.isfinite(array)):
                raise ModelFileError(f"{folder / WEIGHTS_FILE}: array {name} contains NaN or infinite weights, so "
                                     "the model cannot price anything; train the model again")
    try:
        network = MLP(widths[0], widths[1:-1], widths[-1], activation=architecture["activation"],
                      output_activation=architecture["output_activation"], init="zeros",
                      dtype=architecture.get("dtype", "float64"))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path} has an invalid architecture ({error}); train the model again") from None
    for name, target in network.named_parameters().items():
        target[...] = arrays[name]
    return network


def _architecture_widths(architecture: dict, path: Path) -> list[int]:
    """Return the layer widths ``[n_features, *hidden, n_outputs]`` after checking their types."""
    hidden = architecture.get("hidden")
    widths = [architecture.get("n_features"), *(hidden if isinstance(hidden, list) else [None]),
              architecture.get("n_outputs")]
    if not all(isinstance(width, int) and not isinstance(width, bool) and width >= 1 for width in widths):
        raise ModelFileError(f"{path}: the architecture needs n_features, hidden (a list) and n_outputs as "
                             f"positive whole numbers; got {architecture!r:.200}. Train the model again")
    for name in ("activation", "output_activation"):
        if not isinstance(architecture.get(name), str):
            raise ModelFileError(f"{path}: the architecture field {name!r} must be a string; train the model again")
    if architecture.get("dtype", "float64") not in ("float32", "float64"):
        raise ModelFileError(f"{path}: the architecture dtype must be float32 or float64; "
                             f"got {architecture.get('dtype')!r}. Train the model again")
    return widths


def save_checkpoint(folder: str | Path, arrays: dict[str, np.ndarray], state: dict, settings: dict) -> list[Path]:
    """Write the state of an unfinished run, for ``housing train --resume``.

    ``arrays`` and ``state`` come from `housing.training.Trainer.state_dict`.
    The arrays go to `checkpoint.npz` and the rest, with the settings and
    the arrays' checksum, to `checkpoint.json`, which is written last.
    """
    folder = Path(folder)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    document = {
        "format": FORMAT_NAME + "-checkpoint",
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "settings": _json_safe(settings),
        "state": _json_safe(state),
        "arrays_sha256": hashlib.sha256(data).hexdigest(),
    }
    arrays_path = atomic_write_bytes(folder / CHECKPOINT_ARRAYS, data)
    state_path = atomic_write_text(folder / CHECKPOINT_STATE, json.dumps(document, indent=1, allow_nan=False) + "\n")
    return [arrays_path, state_path]


def load_checkpoint(folder: str | Path) -> tuple[dict, dict[str, np.ndarray], dict]:
    """Read a checkpoint written by `save_checkpoint`; return ``(settings, arrays, state)``."""
    folder = Path(folder)
    state_path = folder / CHECKPOINT_STATE
    if not state_path.is_file():
        raise ModelFileError(f"{folder} contains no unfinished run to resume ({CHECKPOINT_STATE} is missing); "
                             "--resume takes the --out folder of a training run that was interrupted")
    try:
        document = json.loads(state_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{state_path} is not valid JSON ({error}); start the run again without --resume") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME + "-checkpoint":
        raise ModelFileError(f"{state_path} is not a housing checkpoint; start the run again without --resume")
    if document.get("format_version") != FORMAT_VERSION or document.get("package_version") != __version__:
        raise ModelFileError(f"{state_path} was written by housing {document.get('package_version')}, and only "
                             f"the same version ({__version__}) can resume it exactly; start the run again")
    for name, expected in (("settings", dict), ("state", dict), ("arrays_sha256", str)):
        if not isinstance(document.get(name), expected):
            raise ModelFileError(f"{state_path}: field {name!r} must be a JSON {expected.__name__}; "
                                 "start the run again without --resume")
    arrays_path = folder / CHECKPOINT_ARRAYS
    if not arrays_path.is_file():
        raise ModelFileError(f"{arrays_path} is missing; start the run again without --resume")
    data = arrays_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != document["arrays_sha256"]:
        raise ModelFileError(f"{arrays_path} does not match the checksum in {CHECKPOINT_STATE}, so the two files "
                             "do not belong together; start the run again without --resume")
    return document["settings"], _read_arrays(data, arrays_path), document["state"]


def remove_checkpoint(folder: str | Path) -> None:
    """Delete the checkpoint files of a run that has now finished."""
    for name in (CHECKPOINT_STATE, CHECKPOINT_ARRAYS):
        (Path(folder) / name).unlink(missing_ok=True)


def _json_safe(value):
    """Replace non-finite floats by None and NumPy scalars by Python ones, recursively."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
