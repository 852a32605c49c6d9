"""Redraw the loss curves while a model trains: in a notebook, in a window, or not at all.

`LivePlot` is a training callback. In a Jupyter notebook it shows the figure
of `housing.plotting.plot_loss_curves` below the cell and replaces it in place
every few epochs. In a terminal with a display it redraws the same figure in
a matplotlib window. With neither, it prints one line saying so, and training
carries on without it. Example::

    from housing.experiment import Settings, run
    from housing.live import LivePlot

    result = run(Settings(), callbacks=[LivePlot(every=5)])

On the command line, ``housing train --live`` adds it.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from .errors import ConfigError
from .history import History

__all__ = ["LivePlot", "LIVE_MODES", "detect_mode", "has_display"]

LIVE_MODES = ("auto", "notebook", "window", "off")

# Backends that draw to files only; a window needs any other one (TkAgg, QtAgg, macosx, ...).
_FILE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}

_NOTEBOOK_DPI = 100


def has_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Return True if a window can be opened: DISPLAY or WAYLAND_DISPLAY is set, or on macOS or Windows."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")) or platform in ("darwin", "win32")


def detect_mode() -> str:
    """Return "notebook" inside a Jupyter kernel, "window" when a display is available, else "off"."""
    if _in_notebook():
        return "notebook"
    return "window" if has_display() else "off"


def _in_notebook() -> bool:
    # Only a kernel has `shell.kernel`; a terminal IPython session has none and
    # cannot show images inline. IPython is not imported if nothing else has.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class LivePlot:
    """Training callback that redraws the loss curves every ``every`` epochs.

    Parameters
    ----------
    every : int, default 5
        Redraw after epoch 1, every ``every`` epochs, and at the last epoch
        (the epoch limit, or the epoch where early stopping ends the run).
    mode : {"auto", "notebook", "window", "off"}, default "auto"
        Where to draw. "auto" picks "notebook" inside a Jupyter kernel,
        "window" when `has_display` is True, and "off" otherwise.
    log_scale : bool or "auto", default "auto"
        Passed to `plot_loss_curves`: True draws the loss on a logarithmic
        axis, and "auto" does so when the losses span more than a factor of 1000.
    stream : text stream, optional
        Where the one-line notice goes when no display is found (default: stdout).

    Attributes
    ----------
    mode : str
        The mode in use; "off" after a failed attempt to open a window.
    redraws : int
        How many times the figure has been drawn.

    Notes
    -----
    In a notebook the figure is rendered to PNG and shown through
    ``IPython.display.display(image, display_id=True)``; later redraws call
    ``handle.update(image)``, so the cell keeps one figure that changes in place,
    and a saved notebook keeps the last one. In a window, pyplot's interactive
    backend draws and ``plt.pause`` lets the window refresh between epochs.
    """

    def __init__(self, every: int = 5, *, mode: str = "auto", log_scale: bool | str = "auto",
                 stream: TextIO | None = None):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"every must be a whole number of epochs of at least 1; got {every!r}. Try every=5")
        if mode not in LIVE_MODES:
            raise ConfigError(f"unknown live plot mode {mode!r}; choose one of {', '.join(LIVE_MODES)}")
        if not (isinstance(log_scale, bool) or log_scale == "auto"):
            raise ConfigError(f"log_scale must be True, False or 'auto', got {log_scale!r}")
        self.every = every
        self.log_scale = log_scale
        self.stream = stream
        self.redraws = 0
        self._handle = None      # the notebook's display handle
        self._figure = None      # the pyplot figure of the window
        self._last_drawn = None  # the epoch shown now
        self.mode = detect_mode() if mode == "auto" else mode
        if mode == "auto" and self.mode == "off":
            self._notify("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the live "
                         "loss curve is off; training carries on without it.")

    def __repr__(self) -> str:
        return f"LivePlot(every={self.every}, mode={self.mode!r}, log_scale={self.log_scale!r})"

    def __call__(self, trainer, history: History) -> None:
        if self.mode == "off" or len(history) == 0:
            return
        epoch = history.epoch[-1]
        if epoch == 1 or epoch % self.every == 0 or _is_last_epoch(trainer, epoch):
            self.draw(history)

    def draw(self, history: History) -> None:
        """Draw the curves of ``history`` now, replacing the previous figure."""
        if self.mode == "off" or len(history) == 0:
            return
        if self.mode == "notebook":
            self._draw_in_notebook(history)
        else:
            self._draw_in_window(history)
        if self.mode != "off":
            self.redraws += 1
            self._last_drawn = history.epoch[-1]

    def finish(self, history: History) -> None:
        """Draw the final epoch if the last redraw showed an earlier one (after a stop the callback missed)."""
        if len(history) and self._last_drawn != history.epoch[-1]:
            self.draw(history)

    # ------------------------------------------------------------------
    # Notebook
    # ------------------------------------------------------------------

    def _draw_in_notebook(self, history: History) -> None:
        from IPython.display import Image, display

        image = Image(data=self._render_png(history), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)

    def _render_png(self, history: History) -> bytes:
        from .plotting import plot_loss_curves

        figure = plot_loss_curves(history, log_scale=self.log_scale)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_NOTEBOOK_DPI)
        return buffer.getvalue()

    # ------------------------------------------------------------------
    # Window
    # ------------------------------------------------------------------

    def _draw_in_window(self, history: History) -> None:
        from .plotting import plot_loss_curves

        try:
            import matplotlib.pyplot as plt

            if self._figure is None and not self._open_window(plt):
                return
            axes = self._figure.axes[0]
            axes.clear()
            plot_loss_curves(history, ax=axes, log_scale=self.log_scale)
            self._figure.canvas.draw_idle()
            plt.pause(0.001)
        # NOTE: each GUI toolkit raises its own error classes (tkinter.TclError,
        # Qt's RuntimeError, ...) when the display is unusable, so any error here
        # turns the live plot off rather than stopping the training run.
        except Exception as error:  # noqa: BLE001
            self._turn_off(f"the live loss curve window failed ({type(error).__name__}: {error}), so it is off; "
                           "training carries on without it.")

    def _open_window(self, plt) -> bool:
        backend = plt.get_backend()
        if backend.lower() in _FILE_BACKENDS:
            self._turn_off(f"matplotlib has no window backend here (it uses {backend!r}; install tkinter or "
                           "PyQt to get one), so the live loss curve is off; training carries on without it.")
            return False
        plt.ion()
        self._figure = plt.figure(figsize=(9, 5.5), layout="constrained")
        self._figure.add_subplot()
        plt.show(block=False)
        return True

    def _turn_off(self, sentence: str) -> None:
        self.mode = "off"
        self._notify(sentence)

    def _notify(self, sentence: str) -> None:
        print(f"Live plot: {sentence}", file=self.stream or sys.stdout, flush=True)


def _is_last_epoch(trainer, epoch: int) -> bool:
    """Return True if the trainer will stop after this epoch: its limit, or early stopping."""
    if epoch >= getattr(trainer, "max_epochs", float("inf")):
        return True
    patience = getattr(trainer, "patience", None)
    return patience is not None and getattr(trainer, "epochs_without_improvement", 0) >= patience
