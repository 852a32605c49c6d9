"""The tutorial notebooks: each runs top to bottom in a fresh kernel of this Python, and reads as a tutorial."""

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPOSITORY / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
CELL_TIMEOUT = 180  # seconds for one cell; notebooks 01 to 05 each took 4 to 41 s on a busy 2-core machine


@pytest.fixture(scope="module")
def this_python_kernel(tmp_path_factory):
    """Make the `python3` kernel run this interpreter, whatever other kernelspecs are installed.

    Directories in JUPYTER_PATH are searched before the user's and the
    environment's own, so a kernelspec written there wins.
    """
    kernels = tmp_path_factory.mktemp("jupyter")
    spec_dir = kernels / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(kernels))
        yield "python3"


def _execute(notebook, kernel_name: str) -> None:
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name=kernel_name,
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()


def test_at_least_five_notebooks():
    assert [path.name[:2] for path in NOTEBOOKS][:5] == ["01", "02", "03", "04", "05"]


def test_kernel_is_this_python(this_python_kernel):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    _execute(notebook, this_python_kernel)
    assert notebook.cells[0].outputs[0]["text"].strip() == sys.executable


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_reads_as_tutorial(path):
    cells = nbformat.read(path, as_version=4).cells
    opening = cells[0].source
    assert cells[0].cell_type == "markdown"
    assert "**You will learn**" in opening
    assert 'pip install -e ".[notebooks]"' in opening
    assert cells[-1].cell_type == "markdown"
    assert cells[-1].source.startswith("## Exercises")
    # Two or three exercises, numbered.
    assert "\n2. " in cells[-1].source
    assert "\n4. " not in cells[-1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_committed_with_outputs(path):
    code_cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    assert all(cell.outputs for cell in code_cells[1:])  # every cell after the imports shows something


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs(path, this_python_kernel):
    notebook = nbformat.read(path, as_version=4)
    _execute(notebook, this_python_kernel)  # raises CellExecutionError naming the cell that failed
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert errors == []


def test_readme_lists_every_notebook():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, path.name
