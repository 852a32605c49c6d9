"""The live loss-curve callback: headless, in a Jupyter kernel, in a window without a GUI, and train --live."""

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from housing.cli import main
from housing.errors import ConfigError
from housing.experiment import Settings, run
from housing.live import LivePlot, detect_mode, has_display

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture
def headless(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")


@pytest.mark.parametrize("environ, platform, expected", [
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"DISPLAY": ""}, "linux", False),
    ({}, "darwin", True),
    ({}, "win32", True),
])
def test_has_display(environ, platform, expected):
    assert has_display(environ, platform) is expected


def test_headless_says_so_once(headless):
    stream = io.StringIO()
    live = LivePlot(every=2, stream=stream)
    assert live.mode == "off"
    assert detect_mode() == "off"
    assert stream.getvalue() == ("Live plot: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the "
                                 "live loss curve is off; training carries on without it.\n")


def test_headless_training_unchanged(headless):
    live = LivePlot(every=2, stream=io.StringIO())
    with_live = run(Settings(epochs=4), callbacks=[live])
    without = run(Settings(epochs=4))
    assert live.redraws == 0
    assert with_live.history.train_loss == without.history.train_loss
    assert with_live.metrics == without.metrics


def test_redraw_schedule_and_final_epoch(capsys):
    # Outside a kernel IPython's display prints the text form; the schedule is what matters here.
    live = LivePlot(every=5, mode="notebook")
    result = run(Settings(epochs=12, patience=None), callbacks=[live])
    assert len(result.history) == 12
    assert live.redraws == 4  # epochs 1, 5, 10 and the last, 12
    assert live._last_drawn == 12
    assert capsys.readouterr().out.count("Image") >= 1


def test_redraws_at_early_stop():
    # patience=1 stops the run once the validation loss fails to improve; the stop epoch is drawn.
    live = LivePlot(every=50, mode="notebook")
    result = run(Settings(epochs=200, patience=1, lr=0.05), callbacks=[live])
    assert result.history.stop_reason.startswith("Training stopped early")
    assert live._last_drawn == result.history.epoch[-1]


@pytest.mark.parametrize("kwargs, message", [
    ({"every": 0}, "every must be a whole number of epochs of at least 1; got 0"),
    ({"every": 2.5}, "got 2.5"),
    ({"mode": "screen"}, "unknown live plot mode 'screen'; choose one of auto, notebook, window, off"),
])
def test_bad_arguments_rejected(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LivePlot(**kwargs)


def test_window_without_gui_backend_turns_off():
    # A display is claimed but matplotlib can only draw to files, as on a server with DISPLAY forwarded
    # and no tkinter: the first redraw prints a notice and training carries on.
    script = textwrap.dedent("""
        from housing.experiment import Settings, run
        from housing.live import LivePlot
        live = LivePlot(every=1)
        print("mode", live.mode)
        result = run(Settings(epochs=3), callbacks=[live])
        print("epochs", len(result.history), "mode", live.mode, "redraws", live.redraws)
    """)
    environment = {**os.environ, "DISPLAY": ":99", "MPLBACKEND": "agg"}
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, env=environment,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "mode window"
    assert lines[1].startswith("Live plot: matplotlib has no window backend here (it uses 'agg'")
    assert lines[-1] == "epochs 3 mode off redraws 0"


@pytest.fixture
def this_python_kernel(tmp_path, monkeypatch):
    """Make the `python3` kernel run this interpreter: JUPYTER_PATH is searched before other kernelspecs."""
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "python3"


def test_notebook_kernel_updates_one_figure(this_python_kernel):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent("""
        from housing.experiment import Settings, run
        from housing.live import LivePlot
        live = LivePlot(every=5)
        result = run(Settings(epochs=12, patience=None), callbacks=[live])
        print(live.mode, live.redraws)
    """))]
    NotebookClient(notebook, timeout=120, kernel_name=this_python_kernel,
                   resources={"metadata": {"path": str(REPOSITORY)}}).execute()
    outputs = notebook.cells[0].outputs
    figures = [output for output in outputs if output.output_type == "display_data"]
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert printed.strip().endswith("notebook 4")
    assert len(figures) == 1  # four redraws, each replacing the figure in place
    assert "image/png" in figures[0].data


def test_train_live_without_display(headless, tmp_path, capsys):
    status = main(["train", "--live", "--epochs", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "Live plot: no display found" in out
    assert "epoch 3/3" in out
    assert (tmp_path / "loss_curves.png").is_file()
