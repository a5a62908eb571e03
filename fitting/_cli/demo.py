"""`cicrjax demo`: fit the bundled Li–Rinzel Fura-2 recording from seeded starts and write the fit's outputs."""

import sys
import tempfile
import time
from pathlib import Path

from cicrjax import Fura2, LiRinzel1994, load_recording
from cicrjax.cli import UsageError, output_folder, parse_int

RECORDING = Path("data") / "synthetic-fura2-li-rinzel" / "ratio.csv"
# the command in that folder's README, which regenerates the file bit for bit
SYNTH = (
    "synth li-rinzel1994 --t-start 30 --t-end 150 --rate 2 --observe fura2 --noise gaussian:sigma=0.02 --seed 1"
).split()
FREE = {"v3": (0.3, 3.0), "d5": (0.03, 0.3)}  # SERCA V_max (µM/s) and IP3R activating-Ca K_d (µM): a decade each
T0 = -30.0  # the recording starts 30 s after the published initial state


def add_parser(sub):
    p = sub.add_parser(
        "demo",
        help="fit the bundled Li–Rinzel Fura-2 recording and write results.json, fit.csv, fit.png",
        description="Fit li-rinzel1994 (SERCA V_max v3 and IP3R activation K_d d5, a decade of bounds each) to "
        f"{RECORDING} from seeded Latin-hypercube starts with the strategy `cicrjax fit` chooses by default "
        "(--strategy auto: period-matched, as the trace oscillates; single shooting reaches the optimum from 1 of 8 "
        "starts here); write results.json, fit.csv and fit.png into --out.",
    )
    p.add_argument("--out", default="cicrjax-demo", metavar="DIR", help="output directory (default cicrjax-demo)")
    p.add_argument("--starts", default="8", metavar="N", help="number of starts (default 8)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the starts (default 0)")
    p.set_defaults(func=run)


def _recording():
    """The bundled recording: from the working directory or the source checkout, else regenerated."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (root / RECORDING).is_file():
            return load_recording(root / RECORDING), str(RECORDING)
    from cicrjax.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ratio.csv"
        sys.stderr.write(f"cicrjax demo: {RECORDING} not found here; regenerating it: cicrjax {' '.join(SYNTH)}\n")
        if main([*SYNTH, "--out", str(path)]) != 0:
            raise UsageError("could not regenerate the demo recording; run the demo from the cicrjax source folder")
        return load_recording(path), f"{RECORDING} (regenerated)"


def run(args):
    from .._multistart import multistart
    from .._problem import define_problem
    from .._result import summarise
    from .._signal import RatioSignal
    from .._strategies import choose_strategy
    from .fit import MAX_STARTS, _progress, check_succeeded
    from .write import write_outputs

    started = time.perf_counter()
    n_starts = parse_int(args.starts, "--starts", 1, MAX_STARTS)
    seed = parse_int(args.seed, "--seed", 0)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; give a folder")
    rec, name = _recording()
    model = LiRinzel1994()
    truth = {n: float(getattr(model, n)) for n in FREE}
    problem = define_problem(
        model,
        rec.time,
        rec.traces,
        free=list(FREE),
        bounds=FREE,
        signal=RatioSignal(Fura2()),
        t0=T0,
        rtol=1e-8,
        atol=1e-10,
        max_steps=20_000,
    )
    remedy, why = choose_strategy(problem, "auto")
    with output_folder(out, "--out"):  # created once the recording is read; removed again if the fit fails
        _progress(
            f"fitting li-rinzel1994 to {name}: {', '.join(FREE)} free; {n_starts} start(s) with the {remedy.name} "
            f"strategy ({why}; compiling takes most of the first minute)"
        )
        ms = multistart(problem, n_starts, strategy="auto", seed=seed)
        check_succeeded(ms)
        result = summarise(problem, ms)
        wall = time.perf_counter() - started
        write_outputs(
            out, result, problem, model="li-rinzel1994", recording=name, wall_time_s=wall, trace_names=rec.names
        )
    for n, value, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True):
        print(f"{n} = {value:.5g}  95% CI [{lo:.4g}, {hi:.4g}]  (generated with {truth[n]:g})")
    for q in result.derived.values():
        print(f"{q.name} = {q.estimate:.4g} {q.unit}  95% CI [{q.ci_low:.4g}, {q.ci_high:.4g}]")
    print(
        f"NLL {result.nll:.6g}, R² {result.r2:.4f}; {result.n_starts_at_best} of {result.n_starts} starts reached "
        f"the best optimum; {wall:.1f} s; wrote {out}/results.json, fit.csv, fit.png"
    )
    return 0
