"""`cicrjax fit`: fit a model to a recording (or run a PEtab problem) and write results.json, fit.csv, fit.png.

Registered with the `cicrjax.commands` entry-point group, so cicrjax never imports this package.
"""

import contextlib
import dataclasses
import functools
import glob
import json
import math
import sys
import threading
import time
from pathlib import Path

from cicrjax import (
    ComputationError,
    InputError,
    batch_parameters,
    estimate_pacing,
    get_model,
    load_recording,
    local_devices,
    pace,
    parse_indicator,
    parse_protocol,
    with_parameters,
)
from cicrjax._executable_cache import cached_jit
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

from .._farm._cluster import task_farm
from .._farm._manifest import content_hash, plan, read_status, write_status
from .._farm._progress import FarmProgress
from .._farm._run import fit_all
from .._nan_on_error import nan_on_error
from .._strategies import STRATEGIES, SingleShooting, choose_strategy
from .kymograph import add_options as add_kymograph_options, refuse_kymograph_options, run_kymograph
from .uncertainty import add_options as add_uncertainty_options, check_uncertainty
from .write import CSV_ROWS

OPTIMISERS = ("lbfgs", "adam", "lm")
MAX_STARTS = 1024  # starts run as one vmapped batch: memory and time grow with their number
PRIOR_HELP = "prior of a free parameter: normal:MEAN:SD or lognormal:MEDIAN:SDLOG (repeatable)"
RECORDING_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz", ".tif", ".tiff")
RUN_OPTIONS = ("recording", "out", "devices", "workers", "scheduler", "chunk", "retry_failed", "func", "assumed")


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
        "is fitted into --out/NAME/, with manifest.json and summary.csv in --out; a rerun skips those done with the "
        "same input and options, and refits those that changed",
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
        "--settle",
        default="100",
        metavar="N",
        help="a paced fit first paces the model N beats at the cycle length from its rest state, once, at the start "
        "values, and starts every evaluation from that limit cycle (default 100; 0: from the rest state)",
    )
    p.add_argument(
        "--starts", default="8", metavar="N", help=f"number of multistart points (default 8, at most {MAX_STARTS})"
    )
    p.add_argument("--seed", default="0", metavar="S", help="seed of the Latin-hypercube starts (default 0)")
    p.add_argument(
        "--optimiser",
        choices=OPTIMISERS,
        default=None,
        help="optimiser of the strategy (default the strategy's own: lm for period-matched and for a paced or "
        "stimulated least-squares fit, lbfgs for other single-shooting fits)",
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
        "--rtol",
        default=None,
        metavar="R",
        help="relative tolerance of the solver, absolute R/1000 (default the model's: 1e-6, and 1e-4 for the "
        "Shannon-based cardiac sets, which it solves about 5x faster, moving their NLL by < 0.02)",
    )
    add_uncertainty_options(p)
    p.add_argument(
        "--full-csv",
        action="store_true",
        help=f"write every point to fit.csv (default: every point up to {CSV_ROWS} rows, else evenly thinned)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if absent)")
    p.add_argument(
        "--devices",
        default=None,
        metavar="N",
        help="local devices (GPUs, or CPU cores made devices with XLA_FLAGS=--xla_force_host_platform_device_count=N)"
        " that share the starts; default all",
    )
    p.add_argument(
        "--workers",
        default=None,
        metavar="N",
        help="fit a folder or glob on N worker processes of a Dask LocalCluster started for the run (needs "
        "cicrjax[farm])",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="fit a folder or glob on the workers of a running Dask cluster (e.g. dask-jobqueue on SLURM)",
    )
    p.add_argument(
        "--chunk",
        default=None,
        metavar="N",
        help="recordings sent to a worker at a time (default: about 4 chunks per worker, at most 16)",
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="refit recordings that failed before (default: skip them)"
    )
    add_kymograph_options(p)
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


def _pacing(args, model, protocol, ts, trace=None, rtol=1e-6):
    """The paced protocol (`--prepace` beats before the first recorded one, merged with --protocol's stimuli), the
    simulation start and the initial state (`--settle` beats paced once from the rest state: the limit cycle at the
    recording's rate), or the given protocol and `None`, `None`. Without --pacing-period, a model with a membrane
    voltage that no --protocol drives is paced at the cycle length and phase of the beats in `trace`
    (`cicrjax.estimate_pacing`), and the assumption joins `args.assumed` to be said once the inputs are checked."""
    if args.pacing_period is None:
        driven = protocol is not None and "V" in protocol.stimuli
        if trace is None or driven or "V" not in [p.name for p in model.parameters()]:
            return protocol, None, None
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
    settle = parse_int(args.settle, "--settle", 0)
    start = first - prepace * period
    count = math.ceil((float(ts[-1]) - first) / period) + 1 + prepace if period > 0 else 1
    protocol = pace(model, period, count=count, start=start, protocol=protocol)  # checked before the settle
    y0 = _settled(model, period, settle, rtol) if settle else None
    return protocol, min(start, float(ts[0])), y0


def _settled(model, period, beats, rtol):
    """The state at the onset of beat `beats` + 1 of `model` paced every `period` s from its rest state (one solve,
    pacing alone): near the limit cycle at the recording's rate, where a cell held at it has been paced for minutes."""
    import jax.numpy as jnp

    y, ok = _paced_end(model, pace(model, period, count=beats), jnp.asarray([beats * period]), rtol, 4096 * beats)
    if not bool(ok):
        raise ComputationError(f"pacing {model.name} {beats} beats to its limit cycle failed; try --settle 0")
    return y


@cached_jit
@nan_on_error
def _paced_end(model, protocol, end, rtol: float, max_steps: int):
    """The state of `model` at `end` (one time, s) under `protocol` from its rest state at 0 s, and whether the solve
    succeeded: one program, kept by the executable cache, so that a warm run does not trace the settling solve."""
    from cicrjax import simulate

    sol = simulate(model, end, t0=0.0, protocol=protocol, rtol=rtol, atol=rtol * 1e-3, max_steps=max_steps)
    return sol.ys[-1], sol.success


LOADER_OPTIONS = ("format", "kind", "column", "time_column", "time_unit", "sampling_rate", "delimiter", "decimal")
LOADER_OPTIONS += ("line_time", "pixel_size", "neuropil")


def _given(args, names) -> list[str]:
    """The options among `names` (argparse destinations) given on the command line, as `--option` strings."""
    defaults = {"column": [], "nan": "error", "all_rois": False}
    return [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) != defaults.get(n)]


def run(args):
    from .petab import run_petab

    if args.model == "spark":  # a line scan (kymograph): fitting/_cli/kymograph.py
        return run_kymograph(args)
    refuse_kymograph_options(args)
    started = time.perf_counter()
    args.assumed = []  # what was inferred from the recordings (the pacing), said once every input is checked
    settings = _settings(args)
    local_devices(settings["devices"])  # more devices than JAX sees: say how to make them, before any output
    if args.model is not None or args.petab is None:
        get_model(_model_name(args))  # a wrong --model is said first
    fix = {k: parse_float(v, f"--fix {k}") for k, v in parse_pairs(args.fix, "--fix", "beta=0.4").items()}
    bounds = _bounds(args.bounds)
    priors = _priors(args.prior)
    mapping = parse_pairs(args.map, "--map", "IPR_A=A")
    _optimiser(args)
    check_uncertainty(args)
    farm = {"--workers": args.workers, "--scheduler": args.scheduler, "--chunk": args.chunk}
    farm = [option for option, value in farm.items() if value is not None] + ["--retry-failed"] * args.retry_failed
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
        if farm or args.devices is not None:
            raise UsageError(f"{', '.join(farm or ['--devices'])} apply to recordings; drop them with --petab")
        with output_folder(Path(args.out), "--out") as out:  # removed again if the problem cannot be read
            return run_petab(
                args.petab, out, model=args.model, mapping=mapping, starts=settings["n_starts"], seed=settings["seed"],
                start=_starts(args), max_iter=settings["max_iter"], progress=_progress,
            )  # fmt: skip
    if args.recording is None:
        raise UsageError("give a RECORDING file (or --petab PROBLEM.yaml)")
    if mapping:
        raise UsageError("--map applies to --petab problems only")
    inputs = _inputs(args)
    paths = _recordings(args.recording)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; give a folder")
    if len(paths) == 1:
        if farm:
            raise UsageError(f"{', '.join(farm)} apply to a folder or glob of recordings; drop them for one recording")
        job = _read_job(args, inputs, paths[0], out)
        _notes(args, inputs, settings["n_starts"])
        with output_folder(out, "--out"):
            _fit_job(args, job, "", **settings)
        return 0
    return _run_folder(args, inputs, settings, paths, out, started)


def _run_folder(args, inputs, settings, paths, out, started):
    """Fit every recording of a folder or glob into --out/NAME/ (skipping those done with the same input and
    options): in this process, where every recording is read and checked before any fit, or on Dask workers
    (--workers/--scheduler), which read their recordings themselves and record one that cannot be read as failed."""
    farm = args.workers is not None or args.scheduler is not None
    workers = None if args.workers is None else parse_int(args.workers, "--workers", 1)
    chunk = None if args.chunk is None else parse_int(args.chunk, "--chunk", 1)
    jobs, first = {}, None
    for path in paths:  # read and checked here: every recording, or on a farm the first readable one (the options)
        try:
            job = _read_job(args, inputs, path, out / path.stem)
        except InputError as error:
            if not farm:
                raise
            first = first or error
            continue
        if farm:
            break
        jobs[str(path)] = job
    else:
        if farm:
            raise first
    _notes(args, inputs, settings["n_starts"])
    options = _options(args)
    items = []
    for i, path in enumerate(paths):
        try:
            digest = content_hash(path)
        except InputError:
            digest = None  # the worker reports why it cannot be read
        label = f"[{i + 1}/{len(paths)}] {path}: "
        where = str(out / path.stem)
        item = {"name": path.stem, "recording": str(path), "where": where, "hash": digest, "options": options}
        items.append({**item, "label": label})
    with task_farm(workers, args.scheduler) as client, output_folder(out, "--out", lock=False):
        bar = FarmProgress(len(items)) if farm else None
        work = functools.partial(fit_chunk, args, jobs=jobs or None, quiet=farm)
        entries, fitted = fit_all(
            items, work, out, client=client, chunk=chunk, retry_failed=args.retry_failed, say=_progress, bar=bar
        )
        if bar is not None:
            bar.close()
    failed = [name for name, e in entries.items() if e.get("status") == "failed"]
    done = sum(entries[name].get("status") == "done" for name in fitted)
    print(f"fitted {done} of {len(items)} recording(s) into {out}/ in {time.perf_counter() - started:.1f} s")
    if failed:
        raise ComputationError(
            f"{len(failed)} of {len(items)} recording(s) could not be fitted: {', '.join(failed)} (reasons in "
            f"{out / 'summary.csv'}; --retry-failed refits them)"
        )
    return 0


def fit_chunk(args, items: list[dict], *, jobs: dict | None = None, quiet: bool = True) -> list[dict]:
    """Fit a chunk of recordings (items of `fitting._farm._run.fit_all`) one after another into their folders, each
    with its entry (`status.json`) written last; returns the entries. Runs on a Dask worker (`quiet`: nothing
    printed), or here with the recordings already read (`jobs`, by path)."""
    entries = []
    for item in items:
        before = read_status(Path(item["where"]))
        if plan(before, item["hash"], item["options"], True) == "done":  # a chunk rescheduled after its worker died
            entries.append(before)
        else:
            entries.append(_fit_item(args, item, jobs or {}, quiet))
    return entries


def _fit_item(args, item: dict, jobs: dict, quiet: bool) -> dict:
    where, label = Path(item["where"]), item["label"]
    entry = {key: item[key] for key in ("name", "recording", "hash", "options")}
    if (owner := lock_owner(where)) is not None:
        if not quiet:
            _progress(f"{label}being fitted by another run ({owner}); skipped")
        return {**entry, "status": "busy", "reason": f"being fitted by another run ({owner})"}
    try:
        job = jobs.get(item["recording"]) or _read_job(args, _inputs(args), Path(item["recording"]), where, quiet)
    except InputError as error:
        reason = f"cannot be read: {error}"
    else:
        try:
            with output_folder(where, "--out"):
                write_status(where, {**entry, "status": "running", "reason": None})
                result = _fit_job(args, job, "" if quiet else label, quiet=quiet, **_settings(args))
                entry.update(status="done", reason=None, **_summary_row(result))
                write_status(where, entry)
            return entry
        except (ComputationError, InputError) as error:  # every start failed; another run took the folder's lock
            reason = str(error)
    if not quiet:
        _progress(f"{label}failed: {reason}")
    entry.update(status="failed", reason=reason)
    write_status(where, entry)
    return entry


def _summary_row(result) -> dict:
    """NLL, R² and every estimate with its 95% interval (`None` where there is none), for summary.csv."""
    number = lambda x: float(x) if math.isfinite(float(x)) else None  # noqa: E731
    rows = zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True)
    return {
        "nll": number(result.nll),
        "r2": number(result.r2),
        "parameters": {name: [number(v), number(lo), number(hi)] for name, v, lo, hi in rows},
    }


def _settings(args) -> dict:
    """The multistart settings of `_fit_job` from the options."""
    return {
        "n_starts": parse_int(args.starts, "--starts", 1, MAX_STARTS),
        "seed": parse_int(args.seed, "--seed", 0),
        "max_iter": parse_int(args.max_iter, "--max-iter", 1),
        "include_initial": bool(args.start),
        "devices": None if args.devices is None else parse_int(args.devices, "--devices", 1),
    }


def _starts(args) -> dict:
    return {k: parse_float(v, f"--start {k}") for k, v in parse_pairs(args.start, "--start", "VM2=60").items()}


def _inputs(args) -> dict:
    """The model and the problem options of a recording's fit, from the options (checked)."""
    model_cls = get_model(_model_name(args))
    fix = {k: parse_float(v, f"--fix {k}") for k, v in parse_pairs(args.fix, "--fix", "beta=0.4").items()}
    return {
        "model_cls": model_cls,
        "free": _free_names(args, model_cls, fix),
        "fix": fix,
        "bounds": _bounds(args.bounds),
        "start": _starts(args),
        "priors": _priors(args.prior),
        "cells": _cells(args),
    }


def _options(args) -> dict:
    """The options that change a fit (not where it runs), as JSON values: a rerun refits when they differ."""
    options = {k: v for k, v in vars(args).items() if k not in RUN_OPTIONS and not callable(v)}
    return json.loads(json.dumps(options))


def _optimiser(args, progress: bool = True):
    """The --optimiser, or `None` for the strategy's own; `progress`: it reports its iterations for the bar."""
    if args.optimiser is None:
        return None
    from .._optimisers import LBFGS, Adam, LevenbergMarquardt

    max_iter = parse_int(args.max_iter, "--max-iter", 1)
    return {
        "lbfgs": lambda: LBFGS(max_iter=max_iter, progress=progress),
        "adam": lambda: Adam(steps=max_iter, progress=progress),
        "lm": lambda: LevenbergMarquardt(max_steps=max_iter),
    }[args.optimiser]()


def _read_job(args, inputs: dict, path: Path, where: Path, quiet: bool = False) -> "_Job":
    """Read one recording and check its problem and strategy (`InputError` if either is wrong), before any fit;
    `quiet`: the optimiser reports no progress (a worker has no bar to draw)."""
    from .._multistart import check_fittable
    from .._optimisers import LBFGS, LevenbergMarquardt

    i = inputs
    problem, names, provenance = _recording_problem(
        args, i["model_cls"](), path, i["free"], i["fix"], i["bounds"], i["start"], i["priors"], i["cells"]
    )
    check_fittable(problem)
    optimiser = _optimiser(args, progress=not quiet)
    remedy, why = choose_strategy(problem, args.strategy, optimiser)
    if remedy.name == "single-shooting" and optimiser is None:  # the chosen optimiser, with --max-iter
        max_iter = parse_int(args.max_iter, "--max-iter", 1)
        chosen = remedy.optimiser
        remedy = SingleShooting(
            dataclasses.replace(chosen, max_steps=max_iter)
            if isinstance(chosen, LevenbergMarquardt)
            else LBFGS(max_iter=max_iter, progress=not quiet)
        )
    remedy.check(problem)
    return _Job(problem, str(path), provenance, names, where, remedy, why)


def _notes(args, inputs: dict, n_starts: int) -> None:
    """What the run assumed, said once every input is checked."""
    if n_starts > 64:
        _progress(
            f"{n_starts} starts run as one batch: memory and time grow about in proportion, some "
            f"{n_starts / 8:.0f} times those of the default 8 starts"
        )
    if args.free is None:
        _progress(
            f"no --free given: fitting {inputs['model_cls'].name}'s default free parameters {','.join(inputs['free'])}"
        )
    for note in dict.fromkeys(args.assumed):
        _progress(note)


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


def _fit_job(
    args,
    job: _Job,
    label: str,
    *,
    n_starts: int,
    seed: int,
    max_iter: int,
    include_initial: bool,
    devices: int | None,
    quiet: bool = False,
):
    """Fit one job into its (locked) folder, report it (unless `quiet`) and return its `FitResult`;
    `ComputationError` when every start failed or the fit is not finite, before anything is written.
    `include_initial` (--start given) makes the problem's initial values the first start, with --starts 1 the
    only one; `devices` local devices share the starts."""
    from .._multistart import multistart

    started = time.perf_counter()
    problem, remedy = job.problem, job.remedy
    if not quiet:
        _progress(
            f"{label}{job.provenance}; {len(problem.free)} free parameter(s), {problem.n_data} data points; compiling "
            f"and running {n_starts} start(s) with the {remedy.name} strategy ({job.why}) and "
            f"{remedy.optimiser.name} ({problem.mode}-mode gradients)"
        )
    summary = None if quiet else _compile_summary(args, problem)
    try:
        with _bar(max_iter, n_starts, remedy, quiet):
            ms = multistart(
                problem, n_starts, strategy=remedy, seed=seed, include_initial=include_initial, devices=devices
            )
    finally:
        if summary is not None:
            summary.join()
    ms = dataclasses.replace(ms, strategy_reason=job.why)
    check_succeeded(ms)
    return _report(args, problem, ms, job.recording, job.trace_names, job.where, started, quiet)


def _compile_summary(args, problem) -> threading.Thread:
    """A thread that compiles (or loads) the summary's programs while the multistart runs, so that on a machine with
    a free core the summary does not compile after the fit (a failure there is the summary's to report)."""
    from .._result import compile_summary

    laplace = check_uncertainty(args).intervals

    def target():
        with contextlib.suppress(Exception):
            compile_summary(problem, uncertainty="laplace" if laplace else None)

    thread = threading.Thread(target=target, name="cicrjax-fit-summary", daemon=True)
    thread.start()
    return thread


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
    """A progress bar on stderr around a multistart (iteration-wise optimisers only; none when `quiet`)."""

    def __init__(self, max_iter: int, n_starts: int, remedy, quiet: bool = False):
        from .._progress import listening
        from .progress import ProgressBar

        reports = not quiet and remedy.name == "single-shooting" and getattr(remedy.optimiser, "progress", False)
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

    rtol = model.fit_rtol() if args.rtol is None else parse_float(args.rtol, "--rtol")
    if not 0 < rtol <= 1e-2:
        raise UsageError(
            f"--rtol must be in (0, 0.01], got {args.rtol}; 1e-6 is the default (1e-4 for the cardiac sets), 1e-4 a "
            "fast one"
        )
    rec = load_recording(path, **loader_options(args))
    indicator = None if args.indicator is None else parse_indicator(args.indicator)
    if rec.kind in ("raw", "f_f0", "df_f0") and indicator is None:
        raise UsageError(f"a {rec.kind} recording needs --indicator (one of {known_indicators()})")
    names = {p.name for p in model.parameters()}  # the limit cycle is settled at the fixed and start values
    at = with_parameters(model, {k: v for k, v in {**fix, **start}.items() if k in names})
    protocol, t0, y0 = _pacing(args, at, parse_protocol(args.protocol, model), rec.time, rec.traces[0], rtol)
    batched = bool(cells["per_condition"] or cells["hierarchical"])
    if batched and y0 is not None:  # every trace starts from the one limit cycle
        y0 = [[float(v) for v in y0]] * rec.traces.shape[0]
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
        y0=y0,
        signal=signal_for_kind(rec.kind, indicator),
        batched=batched,
        rtol=rtol,
        atol=rtol * 1e-3,
        devices=_settings(args)["devices"],  # a batch of traces is split over them
        **cells,
    )
    return problem, tuple(rec.names), rec.provenance


def _report(args, problem, ms, recording, trace_names, out, job_started, quiet=False):
    """Summarise the fit, write its outputs into `out` and (unless `quiet`) print it; returns the `FitResult`."""
    from .._result import summarise
    from .uncertainty import intervals as uncertainty_intervals
    from .write import write_outputs

    uncertainty = check_uncertainty(args)
    laplace = uncertainty.intervals
    intervals = f"; computing intervals ({uncertainty.method})" if laplace else ""
    say = (lambda text: None) if quiet else print
    (say if quiet else _progress)(
        f"best NLL {ms.best_value:.8g}; {ms.n_at_best} of {len(ms.values)} start(s) at the best; "
        f"{int(ms.failures.sum())} solver failure(s); {ms.wall_time_s:.1f} s{intervals}"
    )
    result = summarise(problem, ms, uncertainty="laplace" if laplace else None)
    if not math.isfinite(result.nll):
        raise ComputationError(f"the fit's NLL is {result.nll}, not a finite fit; check the data")
    result, extra = uncertainty_intervals(uncertainty, problem, result, seed=parse_int(args.seed, "--seed", 0))
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
        extra=extra,
    )
    for name, value, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True):
        say(f"{name} = {value:.6g}" + (f"  [{lo:.4g}, {hi:.4g}]" if laplace else ""))
    for q in result.derived.values():
        interval = f" [{q.ci_low:.4g}, {q.ci_high:.4g}]" if laplace else ""
        say(f"{q.name} = {q.estimate:.6g} {q.unit}{interval} (derived)")
    say(f"NLL {result.nll:.8g}  R² {result.r2:.5f}  AIC {result.aic:.6g}  {result.status}")
    say(f"strategy {result.strategy} ({result.strategy_reason}), optimiser {result.multistart.optimiser}")
    say(f"wrote {', '.join(str(out / name) for name in written)} in {elapsed:.1f} s")
    return result
