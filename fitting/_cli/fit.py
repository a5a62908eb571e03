"""`cicrjax fit`: fit a model to a recording (or run a PEtab problem) and write results.json, fit.csv, fit.png.

Registered with the `cicrjax.commands` entry-point group, so cicrjax never imports this package.
"""

import dataclasses
import glob
import math
import sys
import time
from pathlib import Path

from cicrjax import (
    ComputationError,
    batch_parameters,
    estimate_pacing,
    get_model,
    load_recording,
    pace,
    parse_indicator,
    parse_protocol,
)
from cicrjax.cli import (
    UsageError,
    add_loader_options,
    known_indicators,
    loader_options,
    lock_owner,
    output_folder,
    parse_float,
    parse_int,
    parse_pairs,
    suite2p_folder,
)

from .._strategies import STRATEGIES, SingleShooting, choose_strategy
from .write import CSV_ROWS

OPTIMISERS = ("lbfgs", "adam", "lm")
MAX_STARTS = 1024  # starts run as one vmapped batch: memory and time grow with their number
PRIOR_HELP = "prior of a free parameter: normal:MEAN:SD or lognormal:MEDIAN:SDLOG (repeatable)"
RECORDING_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz", ".tif", ".tiff")


def add_parser(sub):
    p = sub.add_parser(
        "fit",
        help="fit model parameters to a recording or a PEtab problem",
        description="Fit MODEL to RECORDING (or run --petab PROBLEM.yaml) from several starts; write "
        "results.json, fit.csv and fit.png into --out DIR.",
    )
    p.add_argument(
        "recording",
        nargs="?",
        help="recording file (CSV, TSV, npy, npz, suite2p folder, TIFF), or a folder or quoted glob of them: each "
        "is fitted in turn into --out/NAME/, skipping those already done",
    )
    p.add_argument(
        "--model", default=None, help="model CLI name (see `cicrjax models`); with --petab, default the problem's SBML"
    )
    p.add_argument("--petab", metavar="PROBLEM.yaml", help="run a PEtab problem instead of a recording")
    p.add_argument("--map", action="append", default=[], metavar="PETAB_ID=NAME", help="PEtab id → model name")
    p.add_argument(
        "--free",
        default=None,
        metavar="a,b,c",
        help="free parameters, comma-separated (y0.STATE: an initial state); default: the model's default_free "
        "(`cicrjax models NAME` lists them)",
    )
    p.add_argument(
        "--per-cell",
        default=None,
        metavar="a,b",
        help="free parameters fitted separately in every trace (cell) of the recording; the other free parameters "
        "are shared by all traces, which are fitted as one batch; offset, scale and sigma (profiled) may be listed "
        "too, for each cell's own baseline, brightness and noise",
    )
    p.add_argument(
        "--hierarchical",
        action="append",
        default=[],
        metavar="NAME=TAU",
        help="a per-cell parameter drawn around a fitted population median: log NAME ~ N(log NAME.median, TAU²) "
        "(TAU fixed, e.g. 0.2 for about ±20%% between cells; repeatable)",
    )
    p.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    p.add_argument("--bounds", action="append", default=[], metavar="NAME=LO:HI", help="bounds of a free parameter")
    p.add_argument(
        "--start",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="initial value of a free parameter: the first start (with --starts 1 the only one)",
    )
    p.add_argument(
        "--indicator", default=None, metavar="NAME", help=f"indicator of the recording: {known_indicators()}"
    )
    p.add_argument("--prior", action="append", default=[], metavar="NAME=KIND:LOC:SCALE", help=PRIOR_HELP)
    p.add_argument("--protocol", action="append", default=[], metavar="SPEC", help="stimulus (see simulate)")
    p.add_argument("--pacing-period", default=None, metavar="S", help="pace a muscle model every S seconds")
    p.add_argument("--pacing-start", default="0", metavar="T", help="time of the first paced beat (s, default 0)")
    p.add_argument(
        "--prepace", default="1", metavar="N", help="beats simulated before the recording starts (default 1)"
    )
    p.add_argument(
        "--starts", default="8", metavar="N", help=f"number of multistart points (default 8, at most {MAX_STARTS})"
    )
    p.add_argument("--seed", default="0", metavar="S", help="seed of the Latin-hypercube starts (default 0)")
    p.add_argument(
        "--optimiser",
        choices=OPTIMISERS,
        default=None,
        help="optimiser of the strategy (default the strategy's own: lbfgs for single-shooting, lm for period-matched)",
    )
    p.add_argument(
        "--strategy",
        choices=("auto", *STRATEGIES),
        default="auto",
        help="auto (default: period-matched where the trace oscillates by itself, else single-shooting), "
        "single-shooting, or a remedy for oscillating traces: period-matched, multiple-shooting, curriculum; each "
        "runs --optimiser",
    )
    p.add_argument("--max-iter", default="200", metavar="N", help="iterations per start (default 200)")
    p.add_argument(
        "--uncertainty", choices=("laplace", "none"), default=None, help="intervals (default laplace; not --petab)"
    )
    p.add_argument(
        "--full-csv",
        action="store_true",
        help=f"write every point to fit.csv (default: every point up to {CSV_ROWS} rows, else evenly thinned)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if absent)")
    add_loader_options(p)
    p.set_defaults(func=run)


def _bounds(items: list[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for name, text in parse_pairs(items, "--bounds", "VM2=10:200").items():
        lo, sep, hi = text.partition(":")
        if not sep:
            raise UsageError(f"--bounds {name}={text!r} is not LO:HI, e.g. --bounds {name}=0.1:10")
        out[name] = (parse_float(lo, f"--bounds {name} (lower)"), parse_float(hi, f"--bounds {name} (upper)"))
    return out


def _progress(message: str) -> None:
    sys.stderr.write(f"cicrjax fit: {message}\n")
    sys.stderr.flush()


def _priors(items: list[str]) -> dict:
    from .._prior import PRIOR_KINDS, Prior

    out = {}
    for name, text in parse_pairs(items, "--prior", "KA=lognormal:0.9:0.5").items():
        parts = text.split(":")
        if len(parts) != 3 or parts[0] not in PRIOR_KINDS:
            raise UsageError(
                f"--prior {name}={text!r} is not KIND:LOC:SCALE with KIND normal or lognormal, "
                f"e.g. --prior {name}=lognormal:0.9:0.5"
            )
        loc = parse_float(parts[1], f"--prior {name} (location)")
        scale = parse_float(parts[2], f"--prior {name} (scale)")
        try:
            out[name] = Prior(parts[0], loc, scale)
        except ValueError as error:
            raise UsageError(f"--prior {name}: {error}") from None
    return out


def _recordings(text: str) -> list[Path]:
    """One recording, or every recording in a folder or matching a glob (sorted)."""
    path = Path(text)
    if any(c in text for c in "*?["):
        paths = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file() or suite2p_folder(Path(p)) is not None)
        if not paths:
            raise UsageError(f"RECORDING {text!r} matches no recording; check the pattern (quote it in the shell)")
        return paths
    if path.is_dir() and suite2p_folder(path) is None:
        paths = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES)
        if not paths:
            raise UsageError(
                f"folder {text!r} holds no recording ({', '.join(RECORDING_SUFFIXES)}) and no suite2p output; "
                "give a file, a folder of recordings or a glob"
            )
        return paths
    return [path]


def _pacing(args, model, protocol, ts, trace=None):
    """The paced protocol (`--prepace` beats before the first recorded one, merged with --protocol's stimuli) and the
    simulation start, or the given protocol and `None`. Without --pacing-period, a model with a membrane voltage
    that no --protocol drives is paced at the cycle length and phase of the beats in `trace`
    (`cicrjax.estimate_pacing`), and the assumption joins `args.assumed` to be said once the inputs are checked."""
    if args.pacing_period is None:
        driven = protocol is not None and "V" in protocol.stimuli
        if trace is None or driven or "V" not in [p.name for p in model.parameters()]:
            return protocol, None
        found = estimate_pacing(ts, trace)
        period, first = found.period, found.first
        args.assumed.append(
            f"no --pacing-period given: {found.beats} beats found, cycle length {1e3 * period:.1f} ms assumed, "
            f"paced from t = {first:.4g} s"
        )
    else:
        period = parse_float(args.pacing_period, "--pacing-period")
        first = parse_float(args.pacing_start, "--pacing-start")
    prepace = parse_int(args.prepace, "--prepace", 0)
    start = first - prepace * period
    count = math.ceil((float(ts[-1]) - first) / period) + 1 + prepace if period > 0 else 1
    return pace(model, period, count=count, start=start, protocol=protocol), min(start, float(ts[0]))


LOADER_OPTIONS = ("format", "kind", "column", "time_column", "time_unit", "sampling_rate", "delimiter", "decimal")
LOADER_OPTIONS += ("line_time", "pixel_size", "neuropil")


def _given(args, names) -> list[str]:
    """The options among `names` (argparse destinations) given on the command line, as `--option` strings."""
    defaults = {"column": [], "nan": "error", "all_rois": False}
    return [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) != defaults.get(n)]


def run(args):
    from .._multistart import check_fittable
    from .._optimisers import LBFGS, Adam, LevenbergMarquardt
    from .petab import run_petab

    started = time.perf_counter()
    args.assumed = []  # what was inferred from the recordings (the pacing), said once every input is checked
    n_starts = parse_int(args.starts, "--starts", 1, MAX_STARTS)
    seed = parse_int(args.seed, "--seed", 0)
    max_iter = parse_int(args.max_iter, "--max-iter", 1)
    model_cls = None if args.model is None and args.petab is not None else get_model(_model_name(args))
    fix = {k: parse_float(v, f"--fix {k}") for k, v in parse_pairs(args.fix, "--fix", "beta=0.4").items()}
    start = {k: parse_float(v, f"--start {k}") for k, v in parse_pairs(args.start, "--start", "VM2=60").items()}
    bounds = _bounds(args.bounds)
    priors = _priors(args.prior)
    mapping = parse_pairs(args.map, "--map", "IPR_A=A")
    optimiser = None  # the strategy's own
    if args.optimiser is not None:
        optimiser = {
            "lbfgs": LBFGS(max_iter=max_iter, progress=True),
            "adam": Adam(steps=max_iter, progress=True),
            "lm": LevenbergMarquardt(max_steps=max_iter),
        }[args.optimiser]

    def choose(problem):
        """The strategy for `problem` (`--strategy auto` looks at the trace) and why, checked before any fit."""
        check_fittable(problem)
        remedy, why = choose_strategy(problem, args.strategy, optimiser)
        if remedy.name == "single-shooting" and optimiser is None:
            remedy = SingleShooting(LBFGS(max_iter=max_iter, progress=True))
        remedy.check(problem)
        return remedy, why

    if (args.per_cell or args.hierarchical) and args.strategy not in ("auto", "single-shooting"):
        raise UsageError(f"--per-cell/--hierarchical fit the traces as one batch; drop --strategy {args.strategy}")
    if args.petab is not None:
        if args.recording is not None:
            raise UsageError("give either RECORDING or --petab PROBLEM.yaml, not both")
        if args.free or fix or bounds or priors or args.indicator or args.protocol:
            raise UsageError("with --petab the parameter table sets free/fixed/bounds; drop --free/--fix/--bounds")
        if given := _given(args, (*LOADER_OPTIONS, "nan", "all_rois")):
            raise UsageError(f"{', '.join(given)} read recordings; a PEtab problem has its own tables, drop them")
        if args.strategy not in ("auto", "single-shooting") or args.optimiser not in (None, "lbfgs"):
            raise UsageError("--petab problems are fitted by single shooting with lbfgs; drop --strategy/--optimiser")
        if args.per_cell or args.hierarchical:
            raise UsageError("--per-cell/--hierarchical apply to recordings; the PEtab conditions are batched already")
        if args.pacing_period is not None:
            raise UsageError("--pacing-period applies to recordings; the PEtab conditions set the inputs")
        if args.uncertainty is not None:
            raise UsageError("--petab fits report no intervals yet; drop --uncertainty")
        with output_folder(Path(args.out), "--out") as out:  # removed again if the problem cannot be read
            return run_petab(
                args.petab, out, model=args.model, mapping=mapping, starts=n_starts, seed=seed, start=start,
                max_iter=max_iter, progress=_progress,
            )  # fmt: skip
    if args.recording is None:
        raise UsageError("give a RECORDING file (or --petab PROBLEM.yaml)")
    if mapping:
        raise UsageError("--map applies to --petab problems only")
    free = _free_names(args, model_cls, fix)
    cells = _cells(args)
    paths = _recordings(args.recording)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; give a folder")
    jobs = []
    for path in paths:  # every recording is read and checked before any output is created or any fit starts
        problem, names, provenance = _recording_problem(
            args, model_cls(), path, free, fix, bounds, start, priors, cells
        )
        where = out if len(paths) == 1 else out / path.stem
        jobs.append(_Job(problem, str(path), provenance, names, where, *choose(problem)))
    if n_starts > 64:
        _progress(
            f"{n_starts} starts run as one batch: memory and time grow about in proportion, some "
            f"{n_starts / 8:.0f} times those of the default 8 starts"
        )
    if args.free is None:  # said once every input has been checked
        _progress(f"no --free given: fitting {model_cls.name}'s default free parameters {','.join(free)}")
    for note in dict.fromkeys(args.assumed):
        _progress(note)
    settings = {"n_starts": n_starts, "seed": seed, "max_iter": max_iter, "include_initial": bool(start)}
    if len(jobs) == 1:
        with output_folder(jobs[0].where, "--out"):
            _fit_job(args, jobs[0], "", **settings)
        return 0
    failed = []
    with output_folder(out, "--out", lock=False):
        for i, job in enumerate(jobs):
            label = f"[{i + 1}/{len(jobs)}] {job.recording}: "
            if (job.where / "results.json").exists():
                _progress(f"{label}already fitted ({job.where / 'results.json'} exists); skipped")
            elif (owner := lock_owner(job.where)) is not None:
                _progress(f"{label}being fitted by another run ({owner}); skipped")
            else:
                try:
                    with output_folder(job.where, "--out"):
                        _fit_job(args, job, label, **settings)
                    job.done = True
                except ComputationError as error:
                    _progress(f"{label}failed: {error}")
                    failed.append(Path(job.recording).name)
    done = sum(job.done for job in jobs)
    print(f"fitted {done} of {len(jobs)} recording(s) into {out}/ in {time.perf_counter() - started:.1f} s")
    if failed:
        raise ComputationError(f"{len(failed)} of {len(jobs)} recording(s) could not be fitted: {', '.join(failed)}")
    return 0


@dataclasses.dataclass
class _Job:
    """One checked recording's problem, where its outputs go, and the strategy chosen for it (and why)."""

    problem: object
    recording: str
    provenance: str
    trace_names: tuple[str, ...]
    where: Path
    remedy: object
    why: str
    done: bool = False


def _fit_job(args, job: _Job, label: str, *, n_starts: int, seed: int, max_iter: int, include_initial: bool):
    """Fit one job into its (locked) folder and report it; `ComputationError` when every start failed or the fit is
    not finite, before anything is written. `include_initial` (--start given) makes the problem's initial values
    the first start, with --starts 1 the only one."""
    from .._multistart import multistart

    started = time.perf_counter()
    problem, remedy = job.problem, job.remedy
    _progress(
        f"{label}{job.provenance}; {len(problem.free)} free parameter(s), {problem.n_data} data points; compiling "
        f"and running {n_starts} start(s) with the {remedy.name} strategy ({job.why}) and {remedy.optimiser.name} "
        f"({problem.mode}-mode gradients)"
    )
    with _bar(max_iter, n_starts, remedy):
        ms = multistart(problem, n_starts, strategy=remedy, seed=seed, include_initial=include_initial)
    ms = dataclasses.replace(ms, strategy_reason=job.why)
    check_succeeded(ms)
    _report(args, problem, ms, job.recording, job.trace_names, job.where, started)


def check_succeeded(ms) -> None:
    """Raise `ComputationError` when every start of `ms` ended where the solver fails, or the best is not finite."""
    if ms.all_failed:
        n = len(ms.values)
        raise ComputationError(
            f"all {n} start(s) failed: the solver did not finish at {'any' if n > 1 else 'the'} start point "
            f"({int(ms.failures.sum())} solver failure(s)), so there is no fit; narrow --bounds, move --start or "
            "raise --max-iter"
        )
    if not math.isfinite(ms.best_value):
        raise ComputationError(f"the best objective is {ms.best_value}, not a finite fit; check the data")


class _bar:
    """A progress bar on stderr around a multistart (iteration-wise optimisers only)."""

    def __init__(self, max_iter: int, n_starts: int, remedy):
        from .._progress import listening
        from .progress import ProgressBar

        reports = remedy.name == "single-shooting" and getattr(remedy.optimiser, "progress", False)
        self.bar = ProgressBar(max_iter, n_starts) if reports else None
        self.context = listening(self.bar) if self.bar is not None else None

    def __enter__(self):
        if self.context is not None:
            self.context.__enter__()
        return self.bar

    def __exit__(self, *exc):
        if self.context is not None:
            self.context.__exit__(*exc)
            self.bar.close()
        return False


def _model_name(args) -> str:
    if args.model is None:
        raise UsageError("--model is required to fit a recording, e.g. --model gdb1990 (see `cicrjax models`)")
    return args.model


def _free_names(args, model_cls, fix) -> list[str]:
    """The --free names, or without --free the model's `default_free` less any --fix."""
    if args.free is None:
        free = [name for name in model_cls.default_free if name not in fix]
        if not free:
            raise UsageError(f"model {model_cls.name} declares no default free parameters; name them with --free a,b")
        return free
    free = [name.strip() for name in args.free.split(",") if name.strip()]
    if not free:
        raise UsageError("--free names no parameter; e.g. --free VM2,VM3")
    return free


def _cells(args) -> dict:
    """`per_condition` and `hierarchical` of `define_problem` from --per-cell and --hierarchical."""
    per_cell = [name.strip() for name in (args.per_cell or "").split(",") if name.strip()]
    if args.per_cell is not None and not per_cell:
        raise UsageError("--per-cell names no parameter; e.g. --per-cell v3")
    hierarchical = {
        name: parse_float(text, f"--hierarchical {name}")
        for name, text in parse_pairs(args.hierarchical, "--hierarchical", "v3=0.2").items()
    }
    return {"per_condition": per_cell, "hierarchical": hierarchical}


def _recording_problem(args, model, path, free, fix, bounds, start, priors, cells):
    """Read one recording (with the loader options) and define its problem (every check before any fit); with
    per-cell parameters the model gets one row per trace and the traces are fitted as one batch. Returns the
    problem, the trace names and the recording's provenance (which says what the loader assumed)."""
    from .._problem import define_problem
    from .._signal import signal_for_kind

    rec = load_recording(path, **loader_options(args))
    indicator = None if args.indicator is None else parse_indicator(args.indicator)
    if rec.kind in ("raw", "f_f0", "df_f0") and indicator is None:
        raise UsageError(f"a {rec.kind} recording needs --indicator (one of {known_indicators()})")
    protocol, t0 = _pacing(args, model, parse_protocol(args.protocol, model), rec.time, rec.traces[0])
    batched = bool(cells["per_condition"] or cells["hierarchical"])
    if batched:  # every parameter leaf gets a leading axis over the traces
        first = next(iter(model.parameters())).name
        model = batch_parameters(model, {first: [float(getattr(model, first))] * rec.traces.shape[0]})
    problem = define_problem(
        model,
        rec.time,
        rec.traces,
        free=free,
        bounds=bounds,
        fixed=fix,
        start=start,
        priors=priors,
        protocol=protocol,
        t0=t0,
        signal=signal_for_kind(rec.kind, indicator),
        batched=batched,
        **cells,
    )
    return problem, tuple(rec.names), rec.provenance


def _report(args, problem, ms, recording, trace_names, out, job_started):
    from .._result import summarise
    from .write import write_outputs

    laplace = args.uncertainty in (None, "laplace")
    intervals = "; computing intervals" if laplace else ""
    _progress(
        f"best NLL {ms.best_value:.8g}; {ms.n_at_best} of {len(ms.values)} start(s) at the best; "
        f"{int(ms.failures.sum())} solver failure(s); {ms.wall_time_s:.1f} s{intervals}"
    )
    result = summarise(problem, ms, uncertainty="laplace" if laplace else None)
    if not math.isfinite(result.nll):
        raise ComputationError(f"the fit's NLL is {result.nll}, not a finite fit; check the data")
    elapsed = time.perf_counter() - job_started
    written = write_outputs(
        out,
        result,
        problem,
        model=args.model,
        recording=recording,
        wall_time_s=elapsed,
        trace_names=trace_names,
        full_csv=args.full_csv,
    )
    for name, value, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True):
        print(f"{name} = {value:.6g}" + (f"  [{lo:.4g}, {hi:.4g}]" if laplace else ""))
    for q in result.derived.values():
        interval = f" [{q.ci_low:.4g}, {q.ci_high:.4g}]" if laplace else ""
        print(f"{q.name} = {q.estimate:.6g} {q.unit}{interval} (derived)")
    print(f"NLL {result.nll:.8g}  R² {result.r2:.5f}  AIC {result.aic:.6g}  {result.status}")
    print(f"strategy {result.strategy} ({result.strategy_reason}), optimiser {result.multistart.optimiser}")
    print(f"wrote {', '.join(str(out / name) for name in written)} in {elapsed:.1f} s")
