"""Every reference the code and the docs make resolves inside the repository: backticked module,
class and function names exist, backticked file paths exist, and nothing points to notes outside
the repository."""

import ast
import importlib
import re
from pathlib import Path

import pytest

from simulator.scenario import Scenario

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "simulator"
TOP = {p.stem for p in PACKAGE.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"} - {"__init__"}
DOTTED = re.compile(r"`((?:simulator\.)?[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(\))?`")
PATH = re.compile(r"`((?:simulator|tests|benchmarks|scripts|docs|scenarios|experiments|notebooks)/[A-Za-z0-9_./-]+)`")
# notes kept outside the repository, which the project must never point to (spelled apart so this file does not)
OUTSIDE_NOTES = ("DESIGN", "MECHANISM", "STYLE")
OUTSIDE = re.compile(r"\b(?:" + "|".join(OUTSIDE_NOTES) + r")\.md\b")


def code_texts() -> dict[str, str]:
    """Docstrings and comments of every module, by file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        docs = [ast.get_docstring(n) or "" for n in ast.walk(ast.parse(source))
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef))]
        comments = [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]
        out[str(path.relative_to(ROOT))] = "\n".join(docs + comments)
    return out


def doc_texts() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}


def resolves(name: str, package: str = "simulator") -> bool:
    """`name` is an importable module or an attribute chain from one (from the package, or from
    `package`, the subpackage of the file that names it), or a scenario field path."""
    if not name.startswith("simulator.") and package != "simulator" and resolves(f"{package}.{name}"):
        return True
    dotted = name if name.startswith("simulator.") else f"simulator.{name}"
    parts = dotted.split(".")
    for cut in range(len(parts), 1, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                break
            obj = getattr(obj, attr)
        else:
            return True
    return scenario_field(name)


def scenario_field(name: str) -> bool:
    model = Scenario
    for part in name.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return False
        annotation = fields[part].annotation
        model = next((a for a in getattr(annotation, "__args__", (annotation,)) if hasattr(a, "model_fields")), None)
    return True


def references(text: str) -> list[str]:
    """Backticked dotted names whose first part is one of the package's own modules (file names
    such as `cli.py` are checked as paths)."""
    names = []
    for name in DOTTED.findall(text):
        first = name.removeprefix("simulator.").split(".")[0]
        if name.endswith((".py", ".md", ".yaml")):
            continue
        if name.startswith("simulator.") or first in TOP:
            names.append(name)
    return names


TEXTS = {**code_texts(), **doc_texts()}


@pytest.mark.parametrize("source", sorted(TEXTS))
def test_backticked_names_resolve(source):
    package = ".".join(Path(source).parent.parts) if source.startswith("simulator/") else "simulator"
    missing = sorted({n for n in references(TEXTS[source]) if not resolves(n, package)})
    assert not missing, f"{source} names what does not exist: {missing}"


@pytest.mark.parametrize("source", sorted(TEXTS))
def test_backticked_paths_exist(source):
    missing = sorted({p for p in PATH.findall(TEXTS[source]) if not (ROOT / p.rstrip("/.")).exists()
                      and not any(ROOT.glob(p))})
    assert not missing, f"{source} points to files that do not exist: {missing}"


SKIPPED = {".git", ".venv", "runs", ".pytest_cache", "__pycache__"}


def project_files() -> list[Path]:
    """Every text file of the project (code, docs, scenarios, experiments, notebooks, build files)."""
    suffixes = {".py", ".md", ".yaml", ".yml", ".ipynb", ".toml", ".cfg", ".txt"}
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and not SKIPPED & set(p.relative_to(ROOT).parts)
                  and (p.suffix in suffixes or p.name in {"Makefile", "run"}) and p.name != "test_references.py")


def test_nothing_points_outside_the_repository():
    citing = [str(p.relative_to(ROOT)) for p in project_files() if OUTSIDE.search(p.read_text(errors="replace"))]
    assert not citing, f"these files cite notes that are not in the repository: {citing}"


def test_the_checks_can_fail():
    assert references("see `behaviour.effort.no_such_function` and `plan.bonus`") == ["behaviour.effort.no_such_function"]
    assert not resolves("behaviour.effort.no_such_function")
    assert resolves("behaviour.effort.choose_effort") and resolves("simulator.levers.base.Lever.settle")
    assert scenario_field("plan.contest.prize") and not scenario_field("plan.no_such_field")
    assert ROOT / "experiments" / "quota_frequency.yaml" in project_files() and OUTSIDE.search(f"see {OUTSIDE_NOTES[0]}.md")
