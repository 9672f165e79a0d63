"""The payout-curve figure: what each plan pays in a quota period against attainment, plans overlaid,
with thresholds, tiers, caps and bonuses marked. The first picture a compensation designer draws,
computed by `simulator.analysis.payout_curve` from the engine's own pay code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt

from simulator.analysis.payout_curve import PayoutCurve, payout_curve
from simulator.report.page import PALETTE, STYLE, png_bytes
from simulator.report.terms import PERIOD_WORDS, commission_terms, quota_size
from simulator.scenario import Scenario

MARK_STYLE = {"threshold": ":", "tier": "--", "cap": "-.", "bonus": (0, (1, 3))}


def fig_payout(plans: Sequence[tuple[str, str, Scenario]]):
    """Variable pay against attainment: as % of target incentive (left) and in $ a quota period (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(13.5, 5.2 + 0.3 * len(plans)), squeeze=False)
    share_ax, money_ax = axes[0, 0], axes[0, 1]
    curves: list[tuple[str, str, PayoutCurve]] = [(name, colour, payout_curve(s)) for name, colour, s in plans]
    for k, ((name, colour, curve), (_, _, scenario)) in enumerate(zip(curves, plans)):
        bonus = [m.label for m in curve.marks if m.kind == "bonus"]
        quota = f"quota {quota_size(scenario, curve.quota)} a {PERIOD_WORDS[curve.period]}"
        label = "; ".join([f"{name}: {commission_terms(scenario)}", *bonus, quota]).replace("$", r"\$")
        x = curve.attainment * 100
        width = 2.0 + 2.0 * (len(curves) - 1 - k)  # earlier plans drawn wider, so plans that coincide stay visible
        share_ax.plot(x, curve.share_of_target * 100, color=colour, label=label, lw=width)
        money_ax.plot(x, curve.pay / 1e3, color=colour, label=label, lw=width)
        for mark in curve.marks:
            y = curve.pay_at(mark.at)
            for ax, value in ((share_ax, y / curve.target * 100 if curve.target > 0 else 0.0), (money_ax, y / 1e3)):
                ax.axvline(mark.at * 100, color=colour, ls=MARK_STYLE[mark.kind], lw=1, alpha=0.7)
                ax.plot([mark.at * 100], [value], "o", color=colour, ms=5)
    share_ax.axhline(100, color="grey", lw=0.8, alpha=0.5)
    stated = all(c.target_stated for _, _, c in curves)
    share_ax.set(title="Payout as % of target incentive", xlabel="attainment, % of quota",
                 ylabel="% of target incentive" + ("" if stated else "\n(target = pay at 100% of quota)"), xlim=(0, 250))
    money_ax.set(title="Payout in $ per quota period (base salary apart)", xlabel="attainment, % of quota",
                 ylabel="variable pay, $ thousand a period", xlim=(0, 250))
    handles, labels = share_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", frameon=False, fontsize=11, ncol=1,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.02 + 0.042 * len(curves), 1, 1))
    caption = ("Variable pay in one quota period against attainment, from the plan's own pay code. "
               "Dotted lines: thresholds; dashed: accelerator or decelerator tiers; dash-dot: caps; "
               "fine dots: bonuses. Where plans coincide, the earlier plan's wider line shows beneath. The target incentive is the plan's stated target where it has one, "
               "otherwise what it pays at 100% of quota.")
    return fig, caption


def write_payout_png(plans: Sequence[tuple[str, Scenario]], target: str | Path) -> Path:
    """Draw the payout curves of named scenarios into one PNG (`salesim plan`)."""
    coloured = [(name, PALETTE[k % len(PALETTE)], s) for k, (name, s) in enumerate(plans)]
    with plt.rc_context(STYLE):
        fig, _ = fig_payout(coloured)
        data = png_bytes(fig)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
