"""The committed notebooks show every figure they draw: a code cell that draws one (a `fig_*` call,
`plt.subplots`, a `fig` it assigns) has an image among its outputs, so a reader opening a notebook
sees the picture its caption describes. Read from the files, not executed (tests/test_notebooks.py
executes them and applies the same check). Each notebook also says how long its full mode takes."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
DRAWS = re.compile(r"\bfig_\w+\(|\bplt\.subplots\(|^\s*fig\s*(?:,[^=\n]*)?=", re.MULTILINE)


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def missing_figures(cells: list[dict]) -> list[int]:
    """Indices of code cells that draw a figure but hold no image output."""
    return [i for i, cell in enumerate(cells) if cell.get("cell_type") == "code" and DRAWS.search(source(cell))
            and not any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_that_draws_a_figure_shows_it(path):
    cells = json.loads(path.read_text())["cells"]
    assert missing_figures(cells) == [], f"{path.name}: cells that draw a figure but show none"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_says_how_long_its_full_mode_takes(path):
    intro = source(json.loads(path.read_text())["cells"][0])
    assert re.search(r"[Ff]ull mode takes about \d", intro), f"{path.name}: say how long the full mode takes"


def test_the_check_sees_a_caption_without_its_figure():
    drawn = {"cell_type": "code", "source": "fig, caption = fig_attainment(plans)\nprint(caption)",
             "outputs": [{"output_type": "stream", "text": "How far reps get"}]}
    shown = dict(drawn, outputs=[{"output_type": "display_data", "data": {"image/png": "iVBOR"}}])
    imported = {"cell_type": "code", "source": "from simulator.report.plans import fig_attainment", "outputs": []}
    assert missing_figures([drawn, shown, imported]) == [0]
