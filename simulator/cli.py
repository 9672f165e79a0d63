"""The `salesim` command: parsing arguments and printing results, nothing else."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from simulator.scenario import MAX_SEED, UNCERTAINTIES, ScenarioError, json_schema, load_scenario

EXIT_BAD_INPUT = 2
EXIT_DISK_FULL = 3  # writing stopped for want of space; the same command again resumes
EXIT_INTERRUPTED = 130
EXIT_FAILED_RUNS = 100  # a sweep with n failed runs exits with 100 + n (199 for 99 or more)


# ------------------------------------------------------------------------------------- argument types
# Each refuses a bad value with what is allowed; argparse then exits 2 naming the option.


def _whole(low: int, high: int, why: str = ""):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low:,} to {high:,}, got {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}{why}, got {value:,}")
        return value

    parse.__name__ = "whole number"
    return parse


def _number(low: float, high: float, words: str, low_open: bool = True, high_open: bool = False):
    """A number from low to high (each end open or closed); argparse names the option in the error."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text[:40]!r}") from None
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (math.isfinite(value) and above and below):
            raise argparse.ArgumentTypeError(f"must be {'more than' if low_open else 'at least'} {low:g} and "
                                             f"{'less than' if high_open else 'at most'} {high:g} {words}, got {text[:40]}")
        return value

    parse.__name__ = "number"
    return parse


_years = _number(0, 50, "years")
_positive = _number(0, 10, "(1.0 = 100% of quota)")
_open_share = _number(0, 1, "(a share of rep-periods)", high_open=True)


def _name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", text):
        raise argparse.ArgumentTypeError(f"must be a name of letters, digits, _ . - (up to 64, starting with a "
                                         f"letter or digit), got {text[:40]!r}")
    return text


SEED = _whole(0, MAX_SEED, " (seeds are 63-bit)")
WORKERS = _whole(1, 1024)
PORT = _whole(1, 65535)


def _scenario(path: str, overrides: list[str], years: float | None = None):
    extra = list(overrides or [])
    if years is not None:
        extra.append(f"horizon_years={years}")
    return load_scenario(path, extra)


def cmd_run(args: argparse.Namespace) -> int:
    from simulator.analysis.metrics import format_scorecard
    from simulator.analysis.risk import format_verdicts, verdicts
    from simulator.experiments.equal_cost import equal_cost_scale
    from simulator.experiments.run import run

    scenario = _scenario(args.file, [*args.set, *_threshold_fields(args.threshold)], args.years)
    seed = scenario.seed if args.seed is None else args.seed
    if args.equal_cost_to:
        # the reference plan is costed in the same world: overrides of the uncertainties apply to it
        world = [o for o in args.set if o.split(".", 1)[0] in UNCERTAINTIES]
        reference = _scenario(args.equal_cost_to, world, args.years)
        years = min(scenario.horizon_years, 2.0)
        _budget(args.file, scenario.model_copy(update={"horizon_years": years}), 40, 1, args.force)
        found = equal_cost_scale(scenario, reference, seeds=(seed, seed + 1, seed + 2), years=years)
        print(found.describe())
        scenario = scenario.with_variable_scale(found.scale)
    _budget(args.file, scenario, 1, 1, args.force)
    _banner(scenario)
    result = run(scenario, seed, progress=not args.quiet)
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.file).stem}-seed{seed}"
    result.write(out)
    print(f"{scenario.name} (seed {seed}, {scenario.horizon_years:g} years, {scenario.force.size} positions)")
    print(format_scorecard(result.summary))
    print("\nRISKS (one run: no interval; salesim compare runs replications)")
    print(format_verdicts(verdicts([result.summary], scenario.risk_thresholds())))
    print(f"wrote {out}/daily.parquet, rep_periods.parquet, summary.json; salesim report {out} draws its report")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from simulator.analysis.risk import format_verdicts, verdicts
    from simulator.experiments.compare import compare, format_comparison

    scenarios = [_scenario(path, [*args.set, *_threshold_fields(args.threshold)], args.years) for path in args.files]
    names = [Path(p).stem for p in args.files]
    for path, scenario in zip(args.files, scenarios):
        _budget(path, scenario, args.replications * len(scenarios), args.workers, args.force)
    for scenario in scenarios:
        _banner(scenario)
    result = compare(scenarios, names=names, replications=args.replications, seed=args.seed,
                     equal_cost=args.equal_cost, workers=args.workers, progress=not args.quiet)
    out = Path(args.out) if args.out else Path("runs") / ("compare-" + "-".join(names))
    result.write(out)
    if args.export:
        from simulator.experiments.export import export_comparison

        for path in export_comparison(result, out, sorted(set(args.export))):
            print(f"table: {path}")
    for plan in result.plans:
        if plan.calibration is not None:
            print(f"{plan.name}: {plan.calibration.describe()}")
    print(format_comparison(result))
    for plan in result.plans:
        print(f"\nRISKS: {plan.name}" + (f" (variable pay x {plan.scale:.3f} for equal cost)" if plan.scale != 1 else ""))
        print(format_verdicts(verdicts([r.summary for r in plan.results], plan.scenario.risk_thresholds())))
    if not args.no_report:
        from simulator.report import write_report

        page = write_report(out)
        print(f"\nreport: {page}")
    print(f"wrote {out}")
    return 0


def cmd_optimise(args: argparse.Namespace) -> int:
    """Search the named levers for plans that beat the current one (`simulator.optimise`)."""
    from simulator.experiments.runner import open_executor
    from simulator.optimise import output
    from simulator.optimise import problem as opt
    from simulator.optimise.search import search

    scenario = _scenario(args.scenario, [*args.set, *_threshold_fields(args.threshold)], args.years)
    first = scenario.seed if args.seed is None else args.seed
    settings = [*args.set, *_threshold_fields(args.threshold)]
    try:
        levers = opt.resolve_levers(scenario.model_dump(mode="json"), args.levers, opt.parse_bounds(args.bounds),
                                    scenario.n_days)
        problem = opt.Problem(Path(args.scenario), scenario, settings, levers, args.objective,
                              [opt.parse_constraint(c) for c in args.constraint],
                              [first + k for k in range(args.replications)], args.sampler)
    except opt.OptimiseError as exc:
        print(f"salesim optimise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    workers = 1 if args.engine == "serial" else (args.workers or 1)
    _budget(args.scenario, scenario, args.replications * args.trials, workers, args.force)
    out = Path(args.out) if args.out else Path("runs") / f"optimise-{Path(args.scenario).stem}"
    print(f"searching {len(levers)} lever{'s' * (len(levers) > 1)} of {scenario.name} for {args.objective}, "
          f"{args.replications} replications a plan on seeds {first}..{first + args.replications - 1}, "
          f"{args.trials} trials ({args.sampler}, seed {first}):")
    for lever in levers:
        print(f"  {lever.describe()}")
    try:
        with open_executor(args.engine, workers) as executor:
            outcome = search(problem, out, args.trials, executor, seed=first, batch=workers,
                                 progress=not args.quiet, say=print)
    except opt.OptimiseError as exc:
        print(f"salesim optimise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"interrupted; run the same command again to resume from {out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    paths = output.write_outputs(outcome, problem, out)
    front = output.front_table(outcome.study, problem, outcome.current)
    table = output.trials_table(outcome.study, problem, outcome.current)
    feasible = int(table["feasible"].sum()) if len(table) else 0
    print(f"{len(table)} trials ({outcome.ran} run now, {outcome.reused} of them plans already run; "
          f"{outcome.before} from the journal); {feasible} meet every constraint")
    print(output.format_front(front, problem, outcome.current))
    separation = output.best_separation(front, outcome.study, problem)
    if separation:
        print(separation)
    if len(front):
        extra = "".join(f" --set {s}" for s in args.set) + "".join(f" --threshold {t}" for t in args.threshold)
        years = f" --years {args.years:g}" if args.years is not None else ""
        print(f"check a plan: salesim compare {args.scenario} {out / 'plans' / 'plan-1.yaml'} --seed {first} "
              f"--replications {args.replications}{years}{extra}")
    print("wrote " + ", ".join(str(p) for p in paths[:2]) + f", {len(paths) - 3} plan files in {out / 'plans'}, "
          f"{paths[-1]}")
    return 0


def _banner(scenario) -> None:
    """The quota check's line (and its warnings) above a run or a comparison (`simulator.analysis.quota_fit`)."""
    from simulator.analysis.quota_fit import quota_fit

    fit = quota_fit(scenario)
    print(fit.banner())
    for warning in fit.warnings:
        print(f"WARNING: {warning}")


def cmd_check(args: argparse.Namespace) -> int:
    """Does the quota fit the world? The analytic check, and with --simulate one short run beside it."""
    from simulator.analysis.quota_fit import quota_fit

    if args.fit_world:
        return _fit_world(args)
    if args.median_attainment is not None or args.hit_rate is not None or args.segment_attainment:
        from simulator.experiments.fit_world import FitError

        raise FitError("--median-attainment, --hit-rate and --segment-attainment are targets of --fit-world: add it")
    status = 0
    for path in args.files:
        scenario = _scenario(path, args.set)
        fit = quota_fit(scenario)
        print(fit.describe())
        status = max(status, 1 if fit.warnings else 0)
        if args.simulate:
            status = max(status, _simulated_check(path, scenario, fit, args))
    return status


def _fit_world(args: argparse.Namespace) -> int:
    """`salesim check --fit-world`: scale the market to the quota (or to last year's median attainment and
    hit rate), print what changed, and write a scenario that extends the input with it."""
    from simulator.analysis.quota_fit import quota_fit
    from simulator.experiments import fit_world as fw

    if len(args.files) != 1:
        raise fw.FitError(f"--fit-world fits one scenario at a time, got {len(args.files)}")
    path = args.files[0]
    fw.check_targets(args.median_attainment, args.hit_rate)
    scenario = _scenario(path, args.set)
    if args.segment_attainment:
        if args.median_attainment is not None:
            raise fw.FitError("--segment-attainment fits the segments' ability to the quota and --median-attainment "
                              "the market to the force: give one or the other")
        fit = fw.fit_segments(scenario, fw.parse_segment_targets(args.segment_attainment, scenario))
    elif args.simulate and args.median_attainment is not None:
        _budget(path, scenario.model_copy(update={"horizon_years": args.years}), 40 * args.replications, 1, args.force)
        seeds = tuple(scenario.seed + i for i in range(args.replications))
        fit = fw.fit_world_simulated(scenario, args.scale, args.median_attainment, args.hit_rate, seeds, args.years)
    else:
        fit = fw.fit_world(scenario, args.scale, args.median_attainment, args.hit_rate)
    print(fit.describe())
    out = Path(args.write) if args.write else Path(path).with_name(f"{Path(path).stem}_fitted.yaml")
    out.write_text(fw.fitted_file(path, str(out), args.set, fit))
    print(f"wrote {out} (extends {path} with the fields above)")
    fitted = load_scenario(out)
    check = quota_fit(fitted)
    print(check.describe())
    if args.simulate and args.median_attainment is None:
        _simulated_check(str(out), fitted, check, args)
    return 0


def _simulated_check(path: str, scenario, fit, args: argparse.Namespace) -> int:
    """One short run of the model: what reps do under the plan, beside what normal effort would give."""
    from simulator.experiments.run import run

    short = scenario.model_copy(update={"horizon_years": args.years})
    _budget(path, short, 1, 1, args.force)
    card = run(short, short.seed, progress=False).summary
    ip, fin = card["internal_process"], card["financial"]
    from simulator.analysis.effort_units import effort_words

    print(f"  simulated ({args.years:g} year{'s' if args.years != 1 else ''}, seed {short.seed}, {short.force.size} positions): attainment "
          f"{ip['attainment_mean']:.0%}, hit rate {ip['hit_rate']:.0%}, effort {effort_words(short, ip['effort_mean'])}, "
          f"fixed share {fin['fixed_pay_share']:.0%} (designed {fit.fixed_share_design:.0%})")
    from simulator.analysis.quota_fit import FIT_RANGE

    low, high = FIT_RANGE
    reached = round(ip["attainment_mean"], 2)  # as printed
    if low <= reached <= high:
        return 0
    why = ("the plan pays so much per credited $ that reps work far beyond normal; lower plan.commission_rate and "
           "plan.tiers, or raise quota.amount, or narrow the market's leads and prices" if reached > high else
           "the quota is out of reach at the effort reps choose; lower quota.amount, or raise the market's leads "
           "and prices, or plan.commission_rate")
    print(f"WARNING: under this plan reps work at {effort_words(short, ip['effort_mean'])} and reach "
          f"{ip['attainment_mean']:.0%} of quota, outside {low:.0%}-{high:.0%}: {why}")
    return 1


def cmd_plan(args: argparse.Namespace) -> int:
    """Draw the payout curves of one or more plans into one PNG, and print each plan's terms."""
    from simulator.report.payout import write_payout_png
    from simulator.report.terms import plan_terms, world_terms

    scenarios = [(Path(path).stem, _scenario(path, args.set)) for path in args.files]
    for name, scenario in scenarios:
        print(f"{name}: {world_terms(scenario)}")
        for head, words in plan_terms(scenario):
            print(f"  {head:<17} {words}")
    print(f"wrote {write_payout_png(scenarios, args.out)}")
    return 0


def _budget(source: str, scenario, runs: int, workers: int, force: bool) -> None:
    """Refuse, before anything runs, runs that would not fit the machine (unless --force)."""
    from simulator.experiments.budget import BudgetError, check, estimate

    try:
        check(estimate(scenario), runs, workers, force, source)
    except BudgetError as exc:
        raise ScenarioError(source, [f"(size): {exc}".replace(f"{source}: ", "")]) from None


def _threshold_fields(items: list[str]) -> list[str]:
    """--threshold items as the scenario's own `risks:` overrides, so saved runs and reports carry them."""
    return [f"risks.{name}.{level}={value}" for name, levels in _parse_thresholds(items).items()
            for level, value in levels.items()]


def _parse_thresholds(items: list[str]) -> dict[str, dict[str, float]]:
    """NAME.LEVEL=VALUE items, e.g. fabrication.high=1.5."""
    from simulator.analysis.risk import RISKS

    out: dict[str, dict[str, float]] = {}
    for item in items or []:
        try:
            key, value = item.split("=", 1)
            name, level = key.split(".", 1)
            number = float(value)
        except ValueError:
            raise ScenarioError("--threshold", [f"{item!r}: expected NAME.LEVEL=VALUE, e.g. fabrication.high=1.5"]) from None
        if name not in RISKS or level not in ("elevated", "high"):
            raise ScenarioError("--threshold", [f"{item!r}: risks are {sorted(RISKS)}, levels elevated and high"])
        out.setdefault(name, {})[level] = number
    return out


def cmd_report(args: argparse.Namespace) -> int:
    from simulator.report import write_report

    try:
        page = write_report(args.folder, args.x, args.y, args.metric)
    except (FileNotFoundError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"report: {page}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every file given and report each: one bad file never stops the others being checked."""
    from simulator.scenario.advice import segment_warnings

    status = 0
    for path in args.files:
        try:
            scenario = load_scenario(path, args.set)
            print(f"ok    {path} ({scenario.name})")
            for warning in segment_warnings(scenario.force):
                print(f"warn  {path}: {warning}")
        except ScenarioError as exc:
            print(str(exc), file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not hide the files after it
            print(f"{path}: could not be checked (an error in salesim, please report it): "
                  f"{type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
            status = max(status, 1)
    return status


def cmd_sweep(args: argparse.Namespace) -> int:
    from simulator.experiments.design import describe, load_experiment
    from simulator.experiments.runner import open_executor, run_sweep
    from simulator.experiments.store import ResultsError

    changes = [f"replications={args.replications}"] * (args.replications is not None)
    changes += [f"design.samples={args.samples}"] * (args.samples is not None)
    world = list(args.set) + [f"horizon_years={args.years}"] * (args.years is not None)
    experiment = load_experiment(args.file, changes, world)
    out = Path(args.out) if args.out else Path("runs") / "sweeps" / experiment.name
    workers = 1 if args.engine == "serial" else (args.workers or _cores())
    if args.dry_run:
        print(describe(experiment))
        print(f"results would go to {out}/")
        print(_sweep_budget(experiment, workers, force=True))
        from simulator.experiments.probe import describe as timed

        print(timed(experiment, workers))
        return 0
    _sweep_budget(experiment, workers, args.force)
    try:
        with open_executor(args.engine, args.workers, args.scheduler) as executor:
            report = run_sweep(experiment, out, executor, resume=args.resume, batch=args.batch_size,
                               progress=not args.quiet)
    except ResultsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # while the workers were starting or stopping: nothing half-done is trusted
        print("interrupted: run the same command again to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"{experiment.name}: {report.ok} runs done now, {report.skipped} done before, {report.failed} failed, "
          f"{report.pending} not run ({report.rate:.2f} runs/s); results in {out}/")
    if report.failed:
        print(f"failed runs (see status, error and traceback in simulator.load_results({str(out)!r})): "
              f"{', '.join(map(str, report.failures[:20]))}{' ...' if report.failed > 20 else ''}", file=sys.stderr)
    if report.broken:
        print(f"the engine stopped taking work ({report.broken}); run the same command again to finish",
              file=sys.stderr)
    if report.interrupted:
        print("interrupted: run the same command again to finish the missing runs", file=sys.stderr)
    if report.disk_full:
        print(f"disk full at {report.disk_full}; rerun to resume (free some space first)", file=sys.stderr)
    return sweep_exit_status(report)


def _cores() -> int:
    from simulator.experiments.runner import default_workers

    return default_workers()


def _sweep_budget(experiment, workers: int, force: bool) -> str:
    """What the sweep will take, from its most demanding case (of the first 2,000); refuses beyond the machine."""
    from simulator.experiments.budget import BudgetError, check, estimate

    seen, worst = set(), None
    for case, overrides in enumerate(experiment.case_overrides[:2000]):
        key = json.dumps(overrides, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        one = estimate(experiment.scenario(case * experiment.spec.replications))
        worst = one if worst is None or (one.memory, one.seconds) > (worst.memory, worst.seconds) else worst
    try:
        return check(worst, experiment.n_runs, workers, force, experiment.source)
    except BudgetError as exc:
        raise ScenarioError(experiment.source, [f"(size): {str(exc).replace(experiment.source + ': ', '')}"]) from None


def sweep_exit_status(report) -> int:
    """0 when every run succeeded; 100 + n when n runs failed (199 for 99 or more); 130 when interrupted;
    3 when the disk filled."""
    if report.interrupted:
        return EXIT_INTERRUPTED
    if report.disk_full:
        return EXIT_DISK_FULL
    return EXIT_FAILED_RUNS + min(report.failed, 99) if report.failed else 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from simulator.analysis.sensitivity import format_indices
    from simulator.experiments.findings import sweep_indices
    from simulator.experiments.store import ResultsError

    try:
        table = sweep_indices(args.folder, args.metric)
    except (ResultsError, FileNotFoundError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    from simulator.experiments.files import atomic_write

    print(format_indices(table))
    target = Path(args.folder) / "sensitivity.parquet"
    atomic_write(target, lambda tmp: table.to_parquet(tmp, index=False))
    print(f"wrote {target}")
    return _redraw(args.folder)


def cmd_discover(args: argparse.Namespace) -> int:
    from simulator.experiments.findings import discover, save
    from simulator.experiments.store import ResultsError

    try:
        found = discover(args.folder, risk=args.risk, threshold=args.threshold, metric=args.metric,
                         below=args.below, above=args.above)
    except (ResultsError, FileNotFoundError, ImportError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(found.summary())
    name = args.name or args.risk or args.metric.split(".")[-1]
    print(f"wrote {save(found, args.folder, name)}")
    return _redraw(args.folder)


def _redraw(folder: str) -> int:
    from simulator.report import write_report

    print(f"report: {write_report(folder)}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from simulator.dashboard.server import serve

    try:
        import solara  # noqa: F401
    except ImportError:
        print("the dashboard needs its extra: pip install 'salesim[dashboard]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    return serve(args.scenario, host=args.host, port=args.port, presenter=args.presenter)


def cmd_validate_facts(args: argparse.Namespace) -> int:
    from simulator.validation import PublishedPageError, validate_facts

    try:
        text, page, found = validate_facts(args.quick, args.workers, args.out, args.facts, args.robustness, args.set)
    except PublishedPageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(text)
    print(f"\nwrote {page}")
    return 0 if all(r.verdict != "disagrees" for r in found) else 1


def cmd_metrics(args: argparse.Namespace) -> int:
    from simulator.experiments import dictionary

    print(dictionary.markdown() if args.markdown else dictionary.text(args.tables or dictionary.TABLES))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def add_calibrate(sub) -> None:
    """`salesim calibrate`: fit behavioural parameters to a firm's history (simulator.calibration)."""
    p = sub.add_parser("calibrate", help="fit reps' behavioural parameters to a firm's rep-period history (simulated method of moments)",
                       description="Fit the parameters named by --fit (dotted scenario paths) so the model's moments match "
                                   "the history's (with --sizes: sizes published by field studies). Writes estimates.csv, moments.csv, identification.csv, calibrated.yaml "
                                   "and report.html into --out; rerun the same command to resume an interrupted fit. "
                                   "Exit status 2 for bad input (nothing is simulated or written).")
    p.add_argument("scenario", help="scenario YAML: the plan and market in force over the history")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="rep-period panel (CSV or Parquet; a run's rep_periods.parquet, or a run's folder)")
    source.add_argument("--sizes", nargs="+", metavar="NAME",
                        help="fit to sizes field studies publish instead of a firm's data (e.g. discount_cost: Larkin "
                             "2014's 6-8%% of revenue; simulator.calibration.magnitudes lists them)")
    p.add_argument("--timing", help="deal file (period, day, value) or a run's daily.parquet, for within-period timing")
    p.add_argument("--fit", nargs="+", required=True, metavar="PARAM", help="dotted paths to fit, e.g. force.traits.effort_cost.mean")
    p.add_argument("--bounds", nargs="+", default=[], metavar="PARAM=LOW:HIGH", help="bounds (default: the schema's, else 1/3 to 3x the start)")
    p.add_argument("--moments", nargs="+", metavar="NAME", help="moments to fit (default: every one the data give)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a scenario field (force.size=100)")
    p.add_argument("--replications", type=int, default=4, help="runs per candidate, on the same seeds for every candidate (default 4)")
    p.add_argument("--workers", type=int, default=1, help="processes for the runs (default 1)")
    p.add_argument("--seed", type=int, default=20240, help="root seed of the replications and the bootstrap (default 20240)")
    p.add_argument("--max-evaluations", type=int, default=200, help="most candidates the search (each local search of a multistart) may try (default 200)")
    p.add_argument("--search", choices=["nelder-mead", "dfo-ls", "multistart"], default="nelder-mead",
                   help="the search: Nelder-Mead on the weighted sum of squared moment gaps; DFO-LS, a derivative-free "
                        "least-squares trust region that models each gap; or multistart, Nelder-Mead from several "
                        "starts across the bounds (TikTak), for parameters a single search leaves near where it "
                        "started (default nelder-mead)")
    p.add_argument("--out", required=True, help="output folder")

    def cmd_calibrate(args: argparse.Namespace) -> int:
        from simulator.calibration.objective import ResumeMismatch
        from simulator.calibration.parameters import parse_bounds
        from simulator.calibration.sizes import fit_sizes
        from simulator.calibration.workflow import run_calibration

        try:
            if args.sizes:
                if args.timing or args.moments:
                    raise ValueError("--timing and --moments read a firm's data; with --sizes the published sizes are the moments")
                fit, paths = fit_sizes(args.scenario, args.sizes, args.fit, args.out, bounds=parse_bounds(args.bounds),
                                       settings=args.set, replications=args.replications, workers=args.workers,
                                       seed=args.seed, max_evaluations=args.max_evaluations, search=args.search)
            else:
                fit, paths = run_calibration(args.scenario, args.data, args.fit, args.out, timing=args.timing,
                                             bounds=parse_bounds(args.bounds), moments=args.moments, settings=args.set,
                                             replications=args.replications, workers=args.workers, seed=args.seed,
                                             max_evaluations=args.max_evaluations, search=args.search)
        except (ValueError, ResumeMismatch) as exc:
            print(f"salesim calibrate: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            print(f"interrupted; run the same command again to resume from {args.out}", file=sys.stderr)
            return EXIT_INTERRUPTED
        print(fit.estimates().to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        weak = fit.not_pinned_down()
        if weak:
            print(f"NOT PINNED DOWN by these data: {', '.join(weak)} (see identification.csv)")
        for note in fit.notes if args.sizes else ():
            print(note)
        print(f"{fit.evaluations} candidates ({fit.simulated} simulated now, {fit.resumed} from the log), "
              f"{fit.seconds:.0f} s, of which waiting for runs {fit.wall_seconds:.0f} s")
        print("wrote " + ", ".join(str(p) for p in paths))
        return 0

    p.set_defaults(func=cmd_calibrate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesim", description="Simulate a sales force under a pay plan.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run one scenario and print its scorecard")
    p.add_argument("file", help="scenario YAML file")
    p.add_argument("--seed", type=SEED, help="random seed (default: the scenario's)")
    p.add_argument("--years", type=_years, help="horizon in years (default: the scenario's)")
    p.add_argument("--out", help="output folder (default: runs/<file>-seed<N>)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a field, e.g. --set plan.bonus=5000 --set quota.period=month")
    p.add_argument("--equal-cost-to", metavar="OTHER.yaml",
                   help="first rescale this plan's variable pay to cost what OTHER's plan costs in the same world "
                        "(--set overrides of force, products, market and behaviour apply to OTHER too)")
    p.add_argument("--threshold", action="append", default=[], metavar="RISK.LEVEL=VALUE",
                   help="override a risk threshold, e.g. fabrication.high=1.5")
    p.add_argument("--force", action="store_true", help="run even if the estimate says it exceeds the machine")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="run the current plan and proposed plans on the same seeds; write and print the comparison")
    p.add_argument("files", nargs="+", metavar="PLAN.yaml", help="the current plan first, then proposed plans")
    p.add_argument("--replications", type=_whole(1, 10_000), default=5, help="runs per plan (default 5)")
    p.add_argument("--seed", type=_whole(0, MAX_SEED - 10_000), help="first seed (default: the current plan's); replications use seed, seed+1, ...")
    p.add_argument("--years", type=_years, help="horizon in years (default: each scenario's)")
    p.add_argument("--equal-cost", action="store_true", help="rescale each proposed plan's variable pay to the current plan's cost")
    p.add_argument("--workers", type=WORKERS, default=1, help="processes to run replications on")
    p.add_argument("--out", help="output folder (default: runs/compare-<names>)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a field in every plan")
    p.add_argument("--threshold", action="append", default=[], metavar="RISK.LEVEL=VALUE",
                   help="override a risk threshold, e.g. fabrication.high=1.5")
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    p.add_argument("--export", action="append", default=[], choices=("csv", "xlsx"),
                   help="also write the comparison table as OUT/comparison.csv or OUT/comparison.xlsx (repeat for both)")
    p.add_argument("--force", action="store_true", help="run even if the estimate says it exceeds the machine")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("check", help="does the quota fit the world? expected attainment, hit rate and pay mix at normal effort",
                       description="An analytic estimate from the products, leads, win rates, prices and abilities "
                                   "(instant, no seed); warns when the quota is far from what they can produce and "
                                   "names the fields to change. --simulate adds one short run of the model. "
                                   "Exit status 1 when there is a warning.")
    p.add_argument("files", nargs="+", metavar="SCENARIO.yaml")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a field, e.g. quota.amount=250000")
    p.add_argument("--simulate", action="store_true", help="also run the model briefly and print what reps do")
    p.add_argument("--years", type=_years, default=1.0, help="years of the --simulate run (default 1)")
    p.add_argument("--force", action="store_true", help="run even if the estimate says it exceeds the machine")
    p.add_argument("--fit-world", action="store_true",
                   help="scale the market so expected attainment at normal effort is 100%% (or matches "
                        "--median-attainment and --hit-rate) and write a scenario that extends the input with it")
    p.add_argument("--scale", choices=("leads", "prices"), default="leads",
                   help="--fit-world: what to scale, every product's leads_per_day or price (default leads)")
    p.add_argument("--median-attainment", type=_positive, metavar="X",
                   help="--fit-world: last year's median attainment (1.0 = 100%% of quota); with --hit-rate")
    p.add_argument("--hit-rate", type=_open_share, metavar="Y",
                   help="--fit-world: last year's share of rep-periods at or above quota, between 0 and 1")
    p.add_argument("--segment-attainment", nargs="+", metavar="NAME=X",
                   help="--fit-world: each named segment's expected attainment at normal effort (top=1.4 core=0.9); "
                        "sets the segments' ability instead of scaling the market")
    p.add_argument("--replications", type=_whole(1, 100), default=2,
                   help="--fit-world --simulate: runs per candidate, on the same seeds (default 2)")
    p.add_argument("--write", metavar="OUT.yaml",
                   help="--fit-world: the scenario file to write (default: SCENARIO_fitted.yaml beside the input)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("plan", help="draw the payout curve of one or more plans (PNG) and print their terms")
    p.add_argument("files", nargs="+", metavar="PLAN.yaml", help="scenario files whose plans to overlay")
    p.add_argument("--out", default="payout.png", help="PNG file to write (default: payout.png)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a field in every plan")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("optimise", help="search levers for plans with more profit at no more cost or risk; "
                       "write the front, its plans as scenario files and a report",
                       description="Optuna's multi-objective search over the named levers. Every plan runs on the "
                                   "same seeds as the current plan (common random numbers), so its figures are "
                                   "those salesim compare prints with the same --seed and --replications. The "
                                   "study is kept in OUT/study.log: the same command again resumes it, and a "
                                   "larger --trials extends it.")
    p.add_argument("scenario", metavar="SCENARIO.yaml", help="the current plan")
    p.add_argument("--levers", nargs="+", required=True, metavar="PATH",
                   help="dotted fields of plan, quota or management, e.g. plan.commission_rate plan.bonus quota.period")
    p.add_argument("--bounds", nargs="+", default=[], metavar="PATH=LOW:HIGH",
                   help="a lever's range (PATH=LOW:HIGH) or choices (quota.period=month,quarter); default: the "
                        "schema's choices, else 1/3 to 3x the current value within the schema's limits")
    p.add_argument("--objective", choices=("profit", "revenue", "gross_profit"), default="profit",
                   help="the figure to maximise (default profit: after pay and fines)")
    p.add_argument("--constraint", action="append", default=[], metavar="RULE",
                   help="cost<=current, cost<=1.1*current, profit>=current, cost<=2e6 or risk.NAME<=LEVEL "
                        "(low, elevated, high); repeat for more")
    p.add_argument("--trials", type=_whole(1, 100_000), default=40, help="plans to try in all, counting a resumed "
                   "study's (default 40)")
    p.add_argument("--replications", type=_whole(1, 1000), default=5, help="runs per plan, on the same seeds for every plan (default 5)")
    p.add_argument("--seed", type=_whole(0, MAX_SEED - 1000), help="first seed of the replications and the sampler's "
                   "seed (default: the scenario's)")
    p.add_argument("--sampler", choices=("tpe", "nsga2"), default="tpe", help="Optuna's TPE (default) or NSGA-II")
    p.add_argument("--years", type=_years, help="horizon of every run in years (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a field of the scenario")
    p.add_argument("--threshold", action="append", default=[], metavar="RISK.LEVEL=VALUE",
                   help="override a risk threshold, e.g. fabrication.high=1.5")
    p.add_argument("--workers", type=WORKERS, default=1, help="processes; this many plans run at once (default 1)")
    p.add_argument("--engine", choices=("process", "loky", "dask", "serial"), default="process",
                   help="the runner's executors (default process)")
    p.add_argument("--out", help="output folder (default: runs/optimise-<scenario>)")
    p.add_argument("--force", action="store_true", help="run even if the estimate says it exceeds the machine")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_optimise)

    p = sub.add_parser("report", help="write report.html and figures for a run, comparison or sweep folder")
    p.add_argument("folder")
    p.add_argument("--x", help="a sweep's parameter across its maps (default: the first that varies, levers first)")
    p.add_argument("--y", help="a sweep's parameter up its maps (default: the next that varies)")
    p.add_argument("--metric", action="append", default=[], metavar="COLUMN",
                   help="a further figure to map for a sweep, e.g. --metric financial.comp_cost")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("validate", help="check scenario files against the schema")
    p.add_argument("files", nargs="+")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("sweep", help="run an experiment file: many runs in parallel, results that survive",
                       description="Run every run of an experiment not yet finished in the results folder. "
                                   "Exit status: 0 when every run succeeded, 100 + n when n runs failed (199 for "
                                   "99 or more), 2 for a bad file or folder (nothing ran), 3 when the disk filled "
                                   "(rerun to resume), 130 when interrupted.")
    p.add_argument("file", help="experiment YAML file")
    p.add_argument("--workers", type=WORKERS, help="worker processes (default: every core; 1 runs in this process)")
    p.add_argument("--out", help="results folder (default: runs/sweeps/<experiment name>)")
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep in --out, refusing to start a new one (a plain rerun also continues)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--engine", choices=("process", "loky", "dask", "serial"), default="process",
                   help="process pool (default), loky, dask (a local cluster unless --scheduler) or serial")
    p.add_argument("--dry-run", action="store_true",
                   help="validate, print the number of runs, a few cases and the memory and time it will take "
                        "(estimated from sizes, and measured on a few timed days of the largest case); keep no results")
    p.add_argument("--force", action="store_true", help="run even if the estimate says it exceeds the machine")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a field of the base scenario for every run, e.g. --set force.size=20")
    p.add_argument("--years", type=_years, help="horizon of every run in years (a quick look: --years 0.25)")
    p.add_argument("--replications", type=_whole(1, 100_000), help="replications of every case instead of the file's")
    p.add_argument("--samples", type=_whole(1, 1_000_000), help="samples of a sampled design instead of the file's")
    p.add_argument("--batch-size", type=_whole(1, 500), help="runs per task (default: sized to about 5 s of work)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sensitivity", help="Morris or Sobol indices of a morris or sobol sweep (SALib)")
    p.add_argument("folder", help="the sweep's results folder")
    p.add_argument("--metric", action="append", default=[], metavar="COLUMN",
                   help="a figure to analyse (default: revenue, profit, misconduct, turnover), e.g. financial.comp_cost")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("discover", help="scenario discovery: the regions of a sweep where a risk appears (PRIM, CART)")
    p.add_argument("folder", help="the sweep's results folder")
    p.add_argument("--risk", help="a named risk, e.g. fabrication (risky: its figure at or above --threshold)")
    p.add_argument("--threshold", type=float, help="the risk's figure from which a case counts (default: its high threshold)")
    p.add_argument("--metric", help="instead of a risk: a figure, with --below or --above")
    p.add_argument("--below", type=float, help="risky when the metric is below this, e.g. today's plan's revenue")
    p.add_argument("--above", type=float, help="risky when the metric is above this")
    p.add_argument("--name", type=_name, help="name of the saved result (default: the risk's or metric's)")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("dashboard", help="serve the trainer's live dashboard in the browser")
    p.add_argument("scenario", nargs="?", help="scenario name (wells_fargo, demo/current) or YAML file (default: wells_fargo)")
    p.add_argument("--port", type=PORT, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--presenter", action="store_true",
                   help="open on the presenter's view: the story's numbers large, for a projector")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("validate-facts", help="run the seven stylized facts, print the table, write docs/validation.md "
                       "(a --quick or partial check writes to runs/validation-check/)")
    p.add_argument("--quick", action="store_true", help="the test suite's smaller runs (no robustness sweep)")
    p.add_argument("--workers", type=WORKERS, help="worker processes (default: every core)")
    p.add_argument("--out", help="folder for validation.md and its figures (default: docs for a full run, "
                                 "runs/validation-check for --quick, --facts or --no-robustness)")
    p.add_argument("--facts", type=int, nargs="+", choices=range(1, 8), metavar="N", help="only these facts (1-7)")
    p.add_argument("--robustness", action=argparse.BooleanOptionalAction,
                   help="run the robustness sweep (default: in full mode only)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a field in every arm of every fact, e.g. an ablation: "
                        "--set behaviour.commitment_learning=false (the page then goes to runs/validation-check/)")
    p.set_defaults(func=cmd_validate_facts)

    add_calibrate(sub)

    p = sub.add_parser("metrics", help="the metric dictionary: every column and figure with its unit and definition")
    p.add_argument("tables", nargs="*", choices=("scorecard", "daily", "rep_periods", "runs"), metavar="TABLE",
                   help="only these: scorecard, daily, rep_periods, runs (load_results' own columns)")
    p.add_argument("--markdown", action="store_true", help="print docs/metrics.md as it must read")
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    from simulator.experiments.equal_cost import EqualCostError
    from simulator.experiments.files import DISK_FULL, DiskFull
    from simulator.experiments.fit_world import FitError
    from simulator.experiments.store import ResultsError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, ResultsError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except EqualCostError as exc:
        print(f"equal cost: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FitError as exc:
        print(f"fit-world: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DiskFull as exc:
        print(exc.strerror, file=sys.stderr)
        return EXIT_DISK_FULL
    except OSError as exc:
        if exc.errno in DISK_FULL:
            print(f"disk full at {exc.filename or Path.cwd()}; free some space and rerun to resume", file=sys.stderr)
            return EXIT_DISK_FULL
        raise


if __name__ == "__main__":
    sys.exit(main())
