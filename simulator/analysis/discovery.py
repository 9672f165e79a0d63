"""Scenario discovery: where in plan and market space a risk appears, in the user's own words.

After a sweep, a designer asks not "what is the average?" but "under which plans does fabrication
turn high?". Scenario discovery (Bryant and Lempert 2010; Kwakkel 2017, the EMA Workbench) answers
with boxes: PRIM (Friedman and Fisher 1999) peels the parameter space towards the cases where the
risk appears, trading coverage (the share of risky cases the box catches) against density (the
share of cases in the box that are risky) along a peeling trajectory; CART (Breiman et al. 1984)
gives a second view as a classification tree; extra-trees feature scores rank the parameters that
drive the risk. The EMA Workbench's analysis modules do the work (`pip install 'salesim[discovery]'`).

A case is risky when its figure, averaged over its replications as in the risk verdicts, passes
the threshold: a named risk's own `high` threshold by default, or any metric above or below a value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from simulator.analysis.risk import RISKS
from simulator.analysis.sweeps import parameter_columns, risk_values

MIN_DENSITY = 0.8  # the box chosen on PRIM's trajectory: the widest whose density reaches this


@dataclass
class Box:
    """A region of parameter space: its limits on the parameters it restricts, and how good it is."""

    limits: dict[str, list]  # parameter -> [low, high], or the allowed levels of a categorical one
    coverage: float
    density: float
    mass: float
    rule: str


@dataclass
class Discovery:
    """What scenario discovery found for one risk."""

    outcome: str  # e.g. "fabrication >= 2 (high)"
    cases: int
    risky: int
    boxes: list[Box] = field(default_factory=list)
    trajectory: list[dict] = field(default_factory=list)  # PRIM's peeling: coverage, density, mass, restricted dims
    tree: list[Box] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.outcome}: {self.risky} of {self.cases} cases"]
        if not self.risky:
            lines.append("  the risk appears nowhere in this sweep")
        elif self.risky == self.cases:
            lines.append("  the risk appears everywhere in this sweep")
        for k, box in enumerate(self.boxes, 1):
            lines.append(f"  PRIM box {k}: {box.rule}  (coverage {box.coverage:.0%}, density {box.density:.0%}, "
                         f"mass {box.mass:.0%})")
        for k, box in enumerate(self.tree, 1):
            lines.append(f"  CART leaf {k}: {box.rule}  (coverage {box.coverage:.0%}, density {box.density:.0%})")
        if self.scores:
            ranked = sorted(self.scores.items(), key=lambda kv: -kv[1])
            lines.append("  what drives it (extra-trees feature scores): "
                         + ", ".join(f"{name} {score:.2f}" for name, score in ranked))
        return "\n".join(lines)


def _ema():
    import warnings

    try:
        with warnings.catch_warnings():  # it warns about parallel back-ends this module does not use
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import cart, feature_scoring, prim
    except ImportError as exc:  # an optional extra
        raise ImportError("scenario discovery needs the EMA Workbench: pip install 'salesim[discovery]'") from exc
    return prim, cart, feature_scoring


def case_outcomes(runs: pd.DataFrame, values: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The parameters of each case and the mean of `values` over its replications."""
    parameters = parameter_columns(runs)
    x = runs.groupby("case")[parameters].first().sort_index()
    y = values.groupby(runs["case"]).mean().sort_index()
    x.columns = [c.split(".", 1)[1] for c in x.columns]
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]) or pd.api.types.is_bool_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
    return x, y


def rule_of(limits: dict[str, list]) -> str:
    """Box limits as a sentence: 'quota.difficulty > 1.3 and audit_rate < 0.002'."""
    parts = []
    for name, (low, high, kind) in limits.items():
        if kind == "levels":
            parts.append(f"{name} in {{{', '.join(map(str, low))}}}")
        elif low is not None and high is not None:
            parts.append(f"{name} between {low:.3g} and {high:.3g}")
        elif low is not None:
            parts.append(f"{name} > {low:.3g}")
        else:
            parts.append(f"{name} < {high:.3g}")
    return " and ".join(parts) if parts else "anywhere"


def restricted(box_lims: pd.DataFrame, box_init: pd.DataFrame) -> dict[str, tuple]:
    """The dimensions a box restricts: (low or None, high or None, 'range'), or (levels, None, 'levels')."""
    out = {}
    for name in box_init.columns:
        low, high = box_lims[name].iloc[0], box_lims[name].iloc[1]
        low0, high0 = box_init[name].iloc[0], box_init[name].iloc[1]
        if isinstance(low0, set):
            if set(low) != set(low0):
                out[name] = (sorted(low), None, "levels")
            continue
        lo = float(low) if float(low) > float(low0) else None
        hi = float(high) if float(high) < float(high0) else None
        if lo is not None or hi is not None:
            out[name] = (lo, hi, "range")
    return out


def _as_box(lims: dict[str, tuple], coverage: float, density: float, mass: float) -> Box:
    limits = {name: ([str(v) for v in lo] if kind == "levels" else [lo, hi]) for name, (lo, hi, kind) in lims.items()}
    return Box(limits, float(coverage), float(density), float(mass), rule_of(lims))


def prim_boxes(x: pd.DataFrame, y: np.ndarray, n_boxes: int = 2, min_density: float = MIN_DENSITY
               ) -> tuple[list[Box], list[dict]]:
    """PRIM boxes (the widest point of each peeling trajectory whose density reaches min_density,
    else the densest) and the first box's trajectory."""
    prim, _, _ = _ema()
    finder = prim.Prim(x, np.asarray(y, dtype=bool), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    boxes, trajectory = [], []
    for k in range(n_boxes):
        box = finder.find_box()
        if box is None:
            break
        peel = box.peeling_trajectory.reset_index(drop=True)
        good = peel.index[peel["density"] >= min_density]
        i = int(peel.loc[good, "coverage"].idxmax()) if len(good) else int(peel["density"].idxmax())
        if k == 0:
            trajectory = [{"coverage": float(r["coverage"]), "density": float(r["density"]), "mass": float(r["mass"]),
                           "restricted": int(r["res_dim"]), "chosen": j == i} for j, r in peel.iterrows()]
        row = peel.iloc[i]
        if row["density"] <= float(np.mean(y)) + 1e-12:  # no better than the whole space: nothing more to find
            break
        boxes.append(_as_box(restricted(box.box_lims[i], box.box_lims[0]), row["coverage"], row["density"], row["mass"]))
    return boxes, trajectory


def tree_leaves(x: pd.DataFrame, y: np.ndarray, min_density: float = 0.5) -> list[Box]:
    """CART's leaves where most cases are risky, as boxes."""
    _, cart, _ = _ema()
    tree = cart.CART(x, np.asarray(y, dtype=bool), mass_min=max(0.05, 2 / len(x)))  # a leaf holds two cases at least
    tree.build_tree()
    stats = tree.stats_to_dataframe() if hasattr(tree, "stats_to_dataframe") else pd.DataFrame(tree.stats)
    init = _initial_limits(x)
    leaves = []
    for k, lims in enumerate(tree.boxes):
        s = stats.iloc[k]
        if s["density"] >= min_density:
            leaves.append(_as_box(restricted(lims, init), s["coverage"], s["density"], s["mass"]))
    return sorted(leaves, key=lambda b: -b.coverage)


def _initial_limits(x: pd.DataFrame) -> pd.DataFrame:
    from ema_workbench.analysis.scenario_discovery_util import _make_box

    return _make_box(x)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Extra-trees importance of each parameter for telling risky cases from the others."""
    _, _, scoring = _ema()
    numeric = x.copy()
    for column in numeric.columns:
        if isinstance(numeric[column].dtype, pd.CategoricalDtype):
            numeric[column] = numeric[column].cat.codes
    scores, _ = scoring.get_ex_feature_scores(numeric, np.asarray(y, dtype=int), random_state=seed)
    return {str(k): float(v) for k, v in scores.iloc[:, 0].items()}


def discover(runs: pd.DataFrame, risk: str | None = None, threshold: float | None = None,
             metric: str | None = None, below: float | None = None, above: float | None = None,
             risk_thresholds: dict | None = None) -> Discovery:
    """Scenario discovery on a sweep's finished runs for a named risk (risky: its figure >= threshold,
    by default its 'high' threshold, the sweep's own `risk_thresholds` first) or a metric above or
    below a value. A ValueError says what the table or the question lacks."""
    if runs.empty:
        raise ValueError("no finished runs")
    if risk is not None:
        if risk not in RISKS:
            raise ValueError(f"no risk {risk!r}; risks are {', '.join(RISKS)}")
        limits = (risk_thresholds or {}).get(risk) or {}
        level = threshold if threshold is not None else limits.get("high") or RISKS[risk].high
        values = risk_values(runs)[f"risk.{risk}"]
        x, y = case_outcomes(runs, values)
        risky = (y >= level).to_numpy()
        outcome = f"{RISKS[risk].title}: {RISKS[risk].figure} >= {level:g}"
    else:
        if metric is None or (below is None) == (above is None):
            raise ValueError("name a --risk, or a --metric with one of --below or --above")
        if metric not in runs:
            raise ValueError(f"no metric {metric!r} in the results")
        x, y = case_outcomes(runs, runs[metric].astype(float))
        risky = (y < below).to_numpy() if below is not None else (y > above).to_numpy()
        outcome = f"{metric} {'<' if below is not None else '>'} {below if below is not None else above:g}"
    if x.shape[1] == 0:
        raise ValueError("no parameter varies in this sweep")
    found = Discovery(outcome, len(y), int(risky.sum()))
    if 0 < found.risky < found.cases:
        found.boxes, found.trajectory = prim_boxes(x, risky)
        found.tree = tree_leaves(x, risky)
        found.scores = feature_scores(x, risky)
    return found


__all__ = ["Box", "Discovery", "discover"]
