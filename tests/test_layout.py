"""The package's layout is its map: layers import only downward, and no module imports itself
back through others. The graph is built from the source, every import counted (at the top, inside
functions, for type checking alone)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "simulator"

# bottom to top; a module may import its own layer's modules (without cycles) and any layer below
LAYERS = (
    ("calendar", "kernel_cache", "draws", "steady", "special"),
    ("scenario",),
    ("pay",),
    ("world",),
    ("state",),
    ("selling", "conduct"),
    ("behaviour",),
    ("levers",),
    ("sim",),
    ("analysis",),
    ("experiments",),
    ("report",),
    ("validation", "dashboard", "calibration", "optimise"),
    ("cli", "__init__"),
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package's modules `path` imports, wherever in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(path, set(mods)) for name, path in mods.items()}


def layer_of(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    return RANK[key]


def test_every_module_sits_in_a_layer():
    unplaced = [m for m in modules() if (m.split(".")[1] if "." in m else "__init__") not in RANK]
    assert not unplaced, f"modules outside the layers of tests/test_layout.py: {unplaced}"


def test_no_import_points_up_a_layer():
    upward = sorted((a, b) for a, deps in graph().items() for b in deps
                    if b != "simulator" and layer_of(b) > layer_of(a))
    assert not upward, "imports that point up a layer:\n" + "\n".join(f"  {a} -> {b}" for a, b in upward)


def test_the_import_graph_has_no_cycles():
    g = {k: {d for d in v if d != "simulator"} for k, v in graph().items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(g[node]):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in cycles)


@pytest.mark.parametrize("layer", ["analysis"])
def test_analysis_never_imports_presentation(layer):
    """Functions of result tables never draw or serve: figures live in `report`, the dashboard above it."""
    bad = sorted((a, b) for a, deps in graph().items() if a.startswith(f"simulator.{layer}.")
                 for b in deps if b.startswith(("simulator.report", "simulator.dashboard")))
    assert not bad, bad
    sources = "\n".join(p.read_text() for p in (PACKAGE / layer).glob("*.py"))
    assert "matplotlib" not in sources
