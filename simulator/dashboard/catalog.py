"""The scenarios a trainer can pick: every file in `scenarios/`, `scenarios/demo/` and
`scenarios/field/` (profiles fitted to a field study's sizes), the Wells Fargo and Sears cases and
their reforms first (the stories a room comes for)."""

from __future__ import annotations

import os
from pathlib import Path

from simulator.scenario import ScenarioError

SUBFOLDERS = ("demo", "field")
FIRST = ("wells_fargo", "wells_fargo_reformed", "sears_auto", "sears_auto_reformed")
ENV_DIR = "SALESIM_SCENARIOS"  # a scenarios folder other than the checkout's
ENV_SCENARIO = "SALESIM_DASHBOARD_SCENARIO"  # the scenario `salesim dashboard SCENARIO` opens with
ENV_PRESENTER = "SALESIM_DASHBOARD_PRESENTER"  # "1": the page opens on the presenter's view (`--presenter`)


def scenarios_dir() -> Path:
    """The scenarios folder: $SALESIM_SCENARIOS, else ./scenarios, else the source checkout's."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    here = Path.cwd() / "scenarios"
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "scenarios"


def catalog(folder: Path | None = None) -> dict[str, Path]:
    """Scenario names (`wells_fargo`, `demo/current`, `field/enterprise_software`) to files, in the
    order the picker shows them."""
    folder = scenarios_dir() if folder is None else Path(folder)
    files = sorted(folder.glob("*.yaml")) + [f for sub in SUBFOLDERS for f in sorted((folder / sub).glob("*.yaml"))]
    found = {str(f.relative_to(folder).with_suffix("")): f for f in files}
    first = [name for name in FIRST if name in found]
    return {name: found[name] for name in first + [n for n in found if n not in first]}


def resolve(name_or_path: str | Path, folder: Path | None = None) -> tuple[str, Path]:
    """A picker name or a file path as (name, path); an unknown name lists the known ones."""
    known = catalog(folder)
    if str(name_or_path) in known:
        return str(name_or_path), known[str(name_or_path)]
    path = Path(name_or_path)
    if path.is_file():
        named = [name for name, known_path in known.items() if known_path.resolve() == path.resolve()]
        return (named[0], known[named[0]]) if named else (path.stem, path)
    raise ScenarioError(str(name_or_path), [f"no such scenario file or name; names are {', '.join(known)}"])
