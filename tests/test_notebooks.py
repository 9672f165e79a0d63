"""Every notebook runs top to bottom, in the quick mode its first cell reads (SALESIM_QUICK=1)."""

from pathlib import Path

import pytest
from test_notebook_figures import missing_figures

pytestmark = pytest.mark.slow  # each notebook executes top to bottom

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_are_shipped():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, monkeypatch, tmp_path):
    monkeypatch.setenv("SALESIM_QUICK", "1")
    monkeypatch.setenv("SALESIM_NOTEBOOK_OUT", str(tmp_path))  # a fresh results folder each time
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "class " not in code and "mesa.Model" not in code and "import mesa" not in code, \
        "notebooks import the package and define no model code"
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert missing_figures(notebook.cells) == [], "cells that draw a figure but show none when run"
