"""The fit: simulated method of moments.

The estimate minimises (m_model(theta) - m_data)' W (m_model(theta) - m_data), with m_model the
moments averaged over R runs on fixed seeds (common random numbers) and W the inverse of the data
moments' bootstrap variances (diagonal). The search (`SEARCHES`) is optimagic's bounded Nelder-Mead on
that sum, or DFO-LS (Cartis, Fiala, Marteau and Roberts 2019), a derivative-free trust-region method
for least squares that models each weighted moment gap on its own, in coordinates where each
parameter's range has length 1. Standard errors are the usual sandwich
of simulated method of moments (Gourieroux and Monfort 1996, ch. 2; McFadden 1989):

    V = (1 + n_data / (R n_sim)) (G'WG)^-1 G'W Omega W G (G'WG)^-1

with G the derivative of the model's moments (central differences at a twentieth of each range,
on the same seeds), Omega the data moments' covariance, n the rep-periods of the data and of one
simulated run. Omega is the bootstrap's (reps resampled whole, periods for timing moments), each
moment's variance widened to the model's own spread between histories where that is larger
(`widened`): resampling one history's reps cannot see what every rep of it shares (the market's
months, the customers who learn to wait for period-end deals), and on the baseline the spread of the
share of sales in a period's last tenth between histories is 2.7 times the bootstrap's
(docs/calibration.md, "Keyed random draws"). The identification check reads G: how far each moment moves when a parameter
moves a tenth of its range, in the data moment's standard errors; and the sensitivity of each
estimate to each moment, -(G'WG)^-1 G'W (Andrews, Gentzkow and Shapiro 2017). A parameter is named
as not pinned down when no moment moves a standard error over a tenth of its range, or when its 95%
interval spans more than half of its range.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulator.calibration.moments import MOMENTS
from simulator.calibration.objective import SimulatedMoments
from simulator.calibration.parameters import FitParameter
from simulator.experiments.design import run_seeds

OFFSET = 3.0  # internal coordinate of the start; keeps Nelder-Mead's first simplex at 15% of each range
DERIVATIVE_STEP = 0.05  # of each parameter's range, for the moments' derivatives
SPREAD_RUNS = 12  # runs at the estimate on other seeds, beside its R, for the model's spread between histories
WEAK_MOVE = 1.0  # standard errors a moment must move over a tenth of a parameter's range
WEAK_SPAN = 0.5  # share of its range a parameter's 95% interval may cover before it counts as not pinned down
# the searches `estimate` offers: optimagic's algorithm and its options, given the most candidates and
# the tolerance on the parameters (a share of each range). The parameters' move alone decides
# convergence: below a run's resolution the objective of an agent-based model jumps from candidate
# to candidate (other paths, same seeds), so no tolerance on its value is ever met there.
# DFO-LS is told how noisy the objective is, so it restarts rather than stops when its trust region
# shrinks to the tolerance: each weighted gap carries simulation noise of about 1/R of a data standard
# error squared (the sandwich's n_data / (R n_sim) with histories of the data's size), so the sum of K
# of them about K / R. Its first trust region is 15% of each range, as Nelder-Mead's first simplex.
NELDER_MEAD = ("scipy_neldermead", lambda most, tol, noise: {
    "stopping_maxfun": most, "convergence_xtol_abs": tol, "convergence_ftol_abs": 1e12})
SEARCHES: dict[str, tuple[str, Callable[[int, float, float], dict]]] = {
    "nelder-mead": NELDER_MEAD,
    "dfo-ls": ("nag_dfols", lambda most, tol, noise: {
        "stopping_maxfun": most, "convergence_minimal_trustregion_radius_tolerance": tol,
        "trustregion_initial_radius": 0.15, "noise_additive_level": noise}),
    "multistart": NELDER_MEAD,  # its local searches (see below)
}
# "multistart": the Nelder-Mead search from the start, then TikTak (Arnoud, Guvenen and Kleineberg
# 2019), optimagic's multistart, built for estimates by simulated moments whose objective has several
# local minima: the objective at a Latin hypercube of points across the bounds (EXPLORE a parameter,
# at least 8), then up to LOCAL_SEARCHES Nelder-Mead searches, each from the next best point drawn
# towards the best optimum found so far, stopping early once the best is found twice; the lower of the
# two optima wins. Along a direction the moments hardly pin down, one search stops near where it
# starts (the goal's value came back at 281, 416 and 802 from 250, 500 and 1,000 on one history),
# while TikTak alone ended above the single search's objective on two of four histories (4.65 and
# 12.08 against 3.76 and 9.53): docs/calibration.md, "Each history its own runs, and where the search
# starts". `max_evaluations` bounds each local search.
EXPLORE = 4
LOCAL_SEARCHES = 3


@dataclass
class Fit:
    """A calibration's result: estimates with intervals, the fit moment by moment, identification."""

    parameters: list[FitParameter]
    moments: list[str]
    data: np.ndarray  # the data's moments
    data_cov: np.ndarray  # their bootstrap covariance
    estimate: np.ndarray
    cov: np.ndarray
    at_start: np.ndarray  # moments of each replication at the start (R x K)
    at_estimate: np.ndarray  # ... and at the estimate
    jacobian: np.ndarray  # K x P: derivative of the model's mean moments
    objective: float
    start_objective: float
    message: str
    success: bool
    evaluations: int
    simulated: int
    resumed: int
    seconds: float
    run_seconds: float
    wall_seconds: float
    replications: int
    noise_factor: float
    omega: np.ndarray | None = None  # the moments' covariance the intervals use (`widened`); None: data_cov
    spread: np.ndarray | None = None  # moments of the runs at the estimate on other seeds (SPREAD_RUNS x K)
    notes: list[str] = field(default_factory=list)
    search: str = "nelder-mead"
    descriptions: dict[str, str] = field(default_factory=dict)  # moments not in MOMENTS (a published size's)
    data_label: str = "data"  # what the data moments are, on the report ("published" for sizes from studies)

    @property
    def weights(self) -> np.ndarray:
        return 1.0 / np.diag(self.data_cov)

    @property
    def moment_se(self) -> np.ndarray:
        """Each data moment's standard error as the intervals count it."""
        return np.sqrt(np.diag(self.data_cov if self.omega is None else self.omega))

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0, None))

    def estimates(self) -> pd.DataFrame:
        """A row per parameter: start, estimate, standard error, 95% interval, bounds, pinned down."""
        weak = set(self.not_pinned_down())
        return pd.DataFrame([{
            "parameter": p.path, "start": p.start, "estimate": est, "std_error": se,
            "ci_low": est - 1.96 * se, "ci_high": est + 1.96 * se, "low": p.low, "high": p.high,
            "at_bound": bool(np.isclose(est, p.low) or np.isclose(est, p.high)),
            "pinned_down": p.path not in weak,
        } for p, est, se in zip(self.parameters, self.estimate, self.se)])

    def moment_table(self) -> pd.DataFrame:
        """A row per moment: its value in the data (with its standard error), the model's at the
        start and at the estimate (with the spread of a single run), and its weight. `data_se` is the
        bootstrap's standard error, `moment_se` the one the intervals use (`widened`)."""
        sd = np.sqrt(np.diag(self.data_cov))
        runs = self.at_estimate if self.spread is None else np.vstack([self.at_estimate, self.spread])
        return pd.DataFrame({
            "moment": self.moments, "description": [self.descriptions.get(m) or MOMENTS[m].description
                                             for m in self.moments],
            "data": self.data, "data_se": sd, "moment_se": self.moment_se,
            "model": np.nanmean(self.at_estimate, axis=0), "model_run_sd": _sd(runs),
            "model_at_start": np.nanmean(self.at_start, axis=0), "weight": self.weights,
            "gap_in_se": (np.nanmean(self.at_estimate, axis=0) - self.data) / self.moment_se,
        })

    def sensitivity(self) -> np.ndarray:
        """P x K: how each estimate moves with each data moment, -(G'WG)^-1 G'W."""
        g, w = self.jacobian, np.diag(self.weights)
        return -np.linalg.pinv(g.T @ w @ g) @ g.T @ w

    def identification(self) -> pd.DataFrame:
        """A row per moment and parameter: the derivative, the move over a tenth of the range in
        data standard errors, and the estimate's sensitivity to the moment."""
        sd = self.moment_se
        lam = self.sensitivity()
        weak = set(self.not_pinned_down())
        rows = []
        for j, p in enumerate(self.parameters):
            for k, m in enumerate(self.moments):
                rows.append({"parameter": p.path, "moment": m, "derivative": self.jacobian[k, j],
                             "move_per_tenth_in_se": self.jacobian[k, j] * (p.high - p.low) / 10 / sd[k],
                             "sensitivity": lam[j, k], "pinned_down": p.path not in weak})
        return pd.DataFrame(rows)

    def not_pinned_down(self) -> list[str]:
        """The parameters the data cannot pin down (see the module's docstring), in order."""
        sd = self.moment_se
        weak = []
        for j, p in enumerate(self.parameters):
            moves = np.abs(self.jacobian[:, j]) * (p.high - p.low) / 10 / sd
            span = 2 * 1.96 * self.se[j] / (p.high - p.low)
            if not np.nanmax(moves, initial=0) >= WEAK_MOVE or not span <= WEAK_SPAN:
                weak.append(p.path)
        return weak

    def condition_number(self) -> float:
        scaled = self.jacobian * np.sqrt(self.weights)[:, None] * np.array([p.high - p.low for p in self.parameters])
        return float(np.linalg.cond(scaled)) if scaled.size else float("nan")


def sandwich(jac: np.ndarray, weights: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """(G'WG)^-1 G'W Omega W G (G'WG)^-1: the estimate's covariance when the moments' gaps have
    covariance Omega (the module's docstring)."""
    w = np.diag(weights)
    bread = np.linalg.pinv(jac.T @ w @ jac)
    return bread @ jac.T @ w @ omega @ w @ jac @ bread


def widened(data_cov: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """data_cov with each moment's variance raised to its variance between `runs` (histories of the
    data's size simulated at the estimate) where that is larger, the correlations kept."""
    boot = np.diag(data_cov)
    model = np.nanvar(runs, axis=0, ddof=1) if len(runs) > 1 else boot
    scale = np.sqrt(np.maximum(np.nan_to_num(model, nan=0.0), boot) / boot)
    return data_cov * np.outer(scale, scale)


def _sd(values: np.ndarray) -> np.ndarray:
    return np.nanstd(values, axis=0, ddof=1) if len(values) > 1 else np.full(values.shape[1], np.nan)


def _internal(parameters: Sequence[FitParameter]):
    """Maps between parameter values and the search's coordinates (start at OFFSET, unit ranges)."""
    width = np.array([p.high - p.low for p in parameters])
    start = np.array([p.start for p in parameters])

    def to_theta(x):
        return start + (np.asarray(x, dtype=float) - OFFSET) * width

    def to_x(theta):
        return OFFSET + (np.asarray(theta, dtype=float) - start) / width

    low = to_x([p.low for p in parameters])
    high = to_x([p.high for p in parameters])
    return to_theta, to_x, low, high


@contextmanager
def library_random_state(seed: int) -> Iterator[None]:
    """numpy's global generator seeded for the block and restored after it. DFO-LS draws its restarts'
    directions from the global generator; seeded, the search asks for the same candidates again, so
    an interrupted fit replays its log, and nothing else in the process sees the change."""
    saved = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(saved)


def estimate(simulate: SimulatedMoments, data: np.ndarray, data_cov: np.ndarray, n_data: int, *,
             max_evaluations: int = 200, tolerance: float = 0.01, search: str = "nelder-mead",
             spread_runs: int = 0, progress: Callable[[str], None] | None = None) -> Fit:
    """Fit `simulate`'s parameters to the data's moments (see the module's docstring); `search` is
    one of SEARCHES. `spread_runs` > 0 (a history as data): that many runs at the estimate on other
    seeds measure the model's spread between histories, and the intervals use `widened`; 0 (published
    sizes, whose uncertainty is the studies' own) keeps data_cov."""
    import optimagic as om

    if search not in SEARCHES:
        raise ValueError(f"unknown search {search!r}; choose one of {', '.join(SEARCHES)}")

    started = time.perf_counter()
    parameters = simulate.parameters
    to_theta, to_x, low, high = _internal(parameters)
    weights = 1.0 / np.diag(data_cov)

    @om.mark.least_squares
    def criterion(x):
        """The weighted gaps one by one (their squares sum to the objective); a moment the model
        cannot produce (NaN) costs 1e6."""
        gap = simulate.mean(to_theta(x)) - data
        residuals = np.where(np.isnan(gap), 1e3, np.sqrt(weights) * np.nan_to_num(gap, nan=0.0))
        if progress:
            shown = ", ".join(f"{p.path.rsplit('.', 2)[-2] if p.path.endswith('.mean') else p.path.rsplit('.', 1)[-1]}"
                              f"={v:.4g}" for p, v in zip(parameters, to_theta(x)))
            progress(f"candidate {simulate.evaluations:>3}: {shown}  objective {float(residuals @ residuals):.3f}")
        return residuals

    x0 = to_x([p.start for p in parameters])
    start_gaps = criterion(x0)
    start_objective = float(start_gaps @ start_gaps)
    if progress:
        progress(f"start: objective {start_objective:.3f}")
    algorithm, options = SEARCHES[search]
    multistart = None
    if search == "multistart":
        multistart = om.MultistartOptions(
            n_samples=max(8, EXPLORE * len(parameters)), stopping_maxopt=LOCAL_SEARCHES,
            sampling_method="latin_hypercube", seed=simulate.seeds[0] % 2**32, n_cores=1, error_handling="raise")
    algo_options = options(max_evaluations, tolerance, len(data) / len(simulate.seeds))
    with library_random_state(simulate.seeds[0]):
        result = om.minimize(fun=criterion, params=x0, algorithm=algorithm, bounds=om.Bounds(lower=low, upper=high),
                             algo_options=algo_options)
        if multistart is not None:  # the search from the start stays one of the local searches: the better one wins
            wide = om.minimize(fun=criterion, params=x0, algorithm=algorithm, bounds=om.Bounds(lower=low, upper=high),
                               algo_options=algo_options, multistart=multistart)
            result = wide if wide.fun < result.fun else result
    x_hat = np.asarray(result.params, dtype=float)
    theta_hat = np.array([p.clip(v) for p, v in zip(parameters, to_theta(x_hat))])
    if progress:
        progress(f"search done after {simulate.evaluations - 1} candidates: objective {result.fun:.3f}; derivatives next")
    deriv = om.first_derivative(
        lambda x: simulate.mean(to_theta(x)), to_x(theta_hat), method="central",
        step_size=np.full(len(parameters), DERIVATIVE_STEP), min_steps=np.full(len(parameters), DERIVATIVE_STEP / 2),
        bounds=om.Bounds(lower=low, upper=high), n_cores=1, batch_evaluator="joblib")
    widths = np.array([p.high - p.low for p in parameters])
    jac = np.atleast_2d(np.asarray(deriv.derivative, dtype=float)).reshape(len(data), len(parameters)) / widths
    sizes = simulate.rep_periods or [n_data]
    noise_factor = 1.0 + n_data / (len(simulate.seeds) * float(np.mean(sizes)))
    at_estimate = simulate(theta_hat)
    omega, spread = data_cov, None
    if spread_runs > 0:
        if progress:
            progress(f"{spread_runs} runs at the estimate on other seeds: the model's spread between histories")
        spread = simulate.on_other_seeds(theta_hat, [int(s) for s in run_seeds(simulate.seeds[0], 1, spread_runs)])
        omega = widened(data_cov, np.vstack([at_estimate, spread]))
    cov = noise_factor * sandwich(jac, weights, omega)
    fit = Fit(parameters=list(parameters), moments=list(simulate.names), data=data, data_cov=data_cov,
              estimate=theta_hat, cov=cov, at_start=simulate([p.start for p in parameters]),
              at_estimate=at_estimate, jacobian=jac, objective=float(result.fun),
              start_objective=start_objective, message=str(result.message), success=bool(result.success),
              evaluations=simulate.evaluations, simulated=simulate.simulated, resumed=simulate.resumed,
              seconds=time.perf_counter() - started, run_seconds=simulate.run_seconds,
              wall_seconds=simulate.wall_seconds, replications=len(simulate.seeds), noise_factor=noise_factor,
              search=search, omega=None if spread is None else omega, spread=spread)
    return fit
