"""Atomic file writes: a temporary file in the same folder, then a rename.

`os.replace` within one folder is atomic on POSIX and Windows, so a reader
sees either the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "ensure_writable_dir", "remove_stale_outputs"]

# Every file name that housing train writes into its --out folder, in any task.
RUN_OUTPUTS = ("model.npz", "model.json", "metrics.json", "history.csv", "loss_curves.png", "residuals.png",
               "confusion_matrix.png")


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file readable by its owner only. Give it the mode
        # a plain open() would, so others can read results in a shared folder.
        os.fchmod(handle, 0o666 & ~_current_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def ensure_writable_dir(path: str | Path, option: str = "--out") -> Path:
    """Create the folder if needed and check that files can be written in it.

    Raises `ConfigError` naming the folder and the option to change.
    """
    from .errors import ConfigError

    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-test.", dir=path)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"cannot write to the output folder {str(path)!r} ({reason}); "
                          f"choose another folder with {option}") from None
    return path


def remove_stale_outputs(folder: str | Path, written: list[Path]) -> None:
    """Delete run outputs left in ``folder`` by an earlier run that this run did not rewrite.

    Without this, a classification run after a regression run in the same
    folder would leave the old residuals.png beside the new model.
    """
    kept = {Path(path).name for path in written}
    for name in RUN_OUTPUTS:
        if name not in kept:
            (Path(folder) / name).unlink(missing_ok=True)
