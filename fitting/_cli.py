"""`cicrjax fit`: fit a model to a recording (or run a PEtab problem) and write results.json, fit.csv, fit.png.

Registered with the `cicrjax.commands` entry-point group, so cicrjax never imports this package.
"""

import sys
import time
from pathlib import Path

from cicrjax import INDICATORS, get_model, load_recording, parse_protocol
from cicrjax._cli.errors import UsageError, parse_float
from cicrjax._cli.output import check_writable
from cicrjax._recording.kinds import kind_from_name

OPTIMISERS = ("lbfgs", "adam", "lm")
KINDS = ("raw", "f_f0", "df_f0", "ratio", "calcium")


def add_parser(sub):
    p = sub.add_parser(
        "fit",
        help="fit model parameters to a recording or a PEtab problem",
        description="Fit MODEL to RECORDING (or run --petab PROBLEM.yaml) from several starts; write "
        "results.json, fit.csv and fit.png into --out DIR.",
    )
    p.add_argument("recording", nargs="?", help="recording file (CSV, TSV, npy, npz, suite2p folder, TIFF)")
    p.add_argument("--model", required=True, help="model CLI name (see `cicrjax models`)")
    p.add_argument("--petab", metavar="PROBLEM.yaml", help="run a PEtab problem instead of a recording")
    p.add_argument("--map", action="append", default=[], metavar="PETAB_ID=NAME", help="PEtab id → model name")
    p.add_argument("--free", default=None, metavar="a,b,c", help="free parameters (comma-separated)")
    p.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    p.add_argument("--bounds", action="append", default=[], metavar="NAME=LO:HI", help="bounds of a free parameter")
    p.add_argument("--start", action="append", default=[], metavar="NAME=VALUE", help="initial value of a free one")
    p.add_argument("--kind", choices=KINDS, default=None, help="signal kind of the recording")
    p.add_argument("--indicator", default=None, help=f"indicator for fluorescence ({', '.join(INDICATORS)})")
    p.add_argument("--protocol", action="append", default=[], metavar="SPEC", help="stimulus (see simulate)")
    p.add_argument("--starts", default="8", metavar="N", help="number of multistart points (default 8)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the Latin-hypercube starts (default 0)")
    p.add_argument("--optimiser", choices=OPTIMISERS, default="lbfgs", help="optimiser (default lbfgs)")
    p.add_argument("--max-iter", default="200", metavar="N", help="iterations per start (default 200)")
    p.add_argument("--uncertainty", choices=("laplace", "none"), default="laplace", help="intervals (laplace)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if absent)")
    p.set_defaults(func=run)


def _pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name or not text:
            raise UsageError(f"{option} {item!r} is not NAME=VALUE, e.g. {option} {example}")
        out[name.strip()] = text.strip()
    return out


def _int(text: str, option: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{option} needs a whole number, got {text!r}") from None
    if value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")
    return value


def _bounds(items: list[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for name, text in _pairs(items, "--bounds", "VM2=10:200").items():
        lo, sep, hi = text.partition(":")
        if not sep:
            raise UsageError(f"--bounds {name}={text!r} is not LO:HI, e.g. --bounds {name}=0.1:10")
        lo, hi = parse_float(lo, f"--bounds {name} (lower)"), parse_float(hi, f"--bounds {name} (upper)")
        if lo >= hi:
            raise UsageError(f"--bounds {name}={text}: lo must be < hi, e.g. --bounds {name}={hi:g}:{lo:g}")
        out[name] = (lo, hi)
    return out


def _out_dir(text: str) -> Path:
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {text!r} is a file; give a directory")
    if not out.parent.is_dir() and str(out.parent):
        raise UsageError(f"--out {text!r}: directory {str(out.parent)!r} does not exist; create it first")
    out.mkdir(exist_ok=True)
    check_writable(out / "results.json", "--out")
    return out


def _progress(message: str) -> None:
    sys.stderr.write(f"cicrjax fit: {message}\n")
    sys.stderr.flush()


def run(args):
    from ._multistart import multistart
    from ._optimisers import LBFGS, Adam, LevenbergMarquardt
    from ._petab import load_petab
    from ._problem import define_problem
    from ._result import summarise
    from ._signal import signal_for_kind
    from ._write import write_outputs

    started = time.perf_counter()
    n_starts = _int(args.starts, "--starts", 1)
    seed = _int(args.seed, "--seed", 0)
    max_iter = _int(args.max_iter, "--max-iter", 1)
    model_cls = get_model(args.model)
    fix = {k: parse_float(v, f"--fix {k}") for k, v in _pairs(args.fix, "--fix", "beta=0.4").items()}
    start = {k: parse_float(v, f"--start {k}") for k, v in _pairs(args.start, "--start", "VM2=60").items()}
    bounds = _bounds(args.bounds)
    mapping = _pairs(args.map, "--map", "IPR_A=A")
    optimiser = {
        "lbfgs": LBFGS(max_iter=max_iter),
        "adam": Adam(steps=max_iter),
        "lm": LevenbergMarquardt(max_steps=max_iter),
    }[args.optimiser]
    if args.petab is not None:
        if args.recording is not None:
            raise UsageError("give either RECORDING or --petab PROBLEM.yaml, not both")
        if args.free or fix or bounds or start or args.kind or args.indicator or args.protocol:
            raise UsageError("with --petab the parameter table sets free/fixed/bounds; drop --free/--fix/--bounds")
        out = _out_dir(args.out)
        _progress(f"reading PEtab problem {args.petab}")
        pp = load_petab(args.petab, model_cls(), mapping=mapping, max_steps=20_000)
        problem, recording, trace_names = pp.problem, str(args.petab), pp.conditions
        include_initial = True
    else:
        if args.recording is None:
            raise UsageError("give a RECORDING file (or --petab PROBLEM.yaml)")
        if mapping:
            raise UsageError("--map applies to --petab problems only")
        if args.free is None:
            raise UsageError("--free is required: name the parameters to fit, e.g. --free VM2,VM3")
        free = [name.strip() for name in args.free.split(",") if name.strip()]
        if not free:
            raise UsageError("--free names no parameter; e.g. --free VM2,VM3")
        model = model_cls()
        infos = {p.name for p in model.parameters()}
        for name in free:
            if name not in infos:
                raise UsageError(
                    f"--free {name}: model {args.model} has no parameter {name!r}; see `cicrjax models {args.model}`"
                )
        for name in fix:
            if name not in infos:
                raise UsageError(
                    f"--fix {name}: model {args.model} has no parameter {name!r}; see `cicrjax models {args.model}`"
                )
        for name in [*bounds, *start]:
            if name not in free:
                raise UsageError(f"{name} has --bounds/--start but is not in --free; add it to --free")
        out = _out_dir(args.out)
        rec = load_recording(args.recording)
        named = {kind_from_name(n) for n in rec.names} - {"raw"}
        if args.kind is not None and named and args.kind not in named:
            raise UsageError(
                f"--kind {args.kind} contradicts the recording, whose column(s) {', '.join(rec.names)} hold "
                f"{', '.join(sorted(named))}; drop --kind or choose --kind {sorted(named)[0]}"
            )
        kind = args.kind or rec.kind
        if args.kind is not None:
            rec = rec.replace(kind=args.kind)
        indicator = None
        if args.indicator is not None:
            if args.indicator not in INDICATORS:
                raise UsageError(f"--indicator {args.indicator!r} is unknown; choose one of {', '.join(INDICATORS)}")
            indicator = INDICATORS[args.indicator]()
        if kind in ("raw", "f_f0", "df_f0") and indicator is None:
            raise UsageError(f"a {kind} recording needs --indicator (one of {', '.join(INDICATORS)})")
        protocol = parse_protocol(args.protocol, model)
        for name, (lo, hi) in bounds.items():
            value = start.get(name, float(getattr(model, name)))
            if not lo <= value <= hi:
                raise UsageError(
                    f"--bounds {name}={lo:g}:{hi:g} excludes the start {name}={value:g}; widen the bounds or "
                    f"give --start {name}=VALUE inside them"
                )
        problem = define_problem(
            model,
            rec.time,
            rec.traces,
            free=free,
            bounds=bounds,
            fixed=fix,
            start=start,
            protocol=protocol,
            signal=signal_for_kind(kind, indicator),
        )
        recording, trace_names, include_initial = str(args.recording), rec.names, False
    _progress(
        f"{len(problem.free)} free parameter(s), {problem.n_data} data points; compiling and running "
        f"{n_starts} start(s) with {optimiser.name} ({problem.mode}-mode gradients)"
    )
    ms = multistart(problem, n_starts, optimiser=optimiser, seed=seed, include_initial=include_initial)
    _progress(
        f"best NLL {ms.best_value:.8g}; {ms.n_at_best} of {n_starts} start(s) at the best; "
        f"{int(ms.failures.sum())} solver failure(s); {ms.wall_time_s:.1f} s"
    )
    result = summarise(problem, ms, uncertainty=None if args.uncertainty == "none" else "laplace")
    wall = time.perf_counter() - started
    write_outputs(
        out, result, problem, model=args.model, recording=recording, wall_time_s=wall, trace_names=tuple(trace_names)
    )
    for name, value, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True):
        print(f"{name} = {value:.6g}  [{lo:.4g}, {hi:.4g}]")
    print(f"NLL {result.nll:.8g}  R² {result.r2:.5f}  AIC {result.aic:.6g}  converged {result.converged}")
    print(f"wrote {out / 'results.json'}, {out / 'fit.csv'}, {out / 'fit.png'} in {wall:.1f} s")
    return 0
