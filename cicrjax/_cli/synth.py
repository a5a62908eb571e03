"""`cicrjax synth MODEL ...`: simulate a model, observe it through an indicator with bleaching and noise, save it."""

import shlex

import jax
import numpy as np

from .._models import get_model
from .._muscle_protocols import pace
from .._observation import INDICATORS, RATIO_INDICATORS, Fluorescence, FrameExposure, WithIndicator
from .._parameters import with_parameters
from .._protocol_spec import SYNTAX, parse_protocol
from .._recording import save_recording
from .._synthetic import synthesize
from .errors import UsageError, parse_float, parse_int
from .observation_spec import BLEACH_SYNTAX, BLEACHING, NOISE, NOISE_SYNTAX, parse_spec
from .output import check_writable
from .simulate import parse_settings

OBSERVATIONS = ("calcium", *RATIO_INDICATORS, *INDICATORS)
UNFILTERED = ("calcium", *RATIO_INDICATORS)  # Ca itself or a ratio: no kind, scale, offset, bleaching, dye state


def add_parser(sub):
    p = sub.add_parser(
        "synth",
        help="make a synthetic recording",
        description="Simulate MODEL, observe cytosolic Ca through an indicator (with bleaching, exposure and noise) "
        "and write a recording (.csv or .npz). The same arguments and --seed give the same file bit for bit.",
    )
    p.add_argument("model", help="model CLI name (see `cicrjax models`)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a model parameter")
    p.add_argument("--protocol", action="append", default=[], metavar="SPEC", help=f"stimulus: {SYNTAX}")
    p.add_argument("--pace-period", metavar="S", help="pace with action potentials on V every S s (muscle models)")
    p.add_argument("--pace-count", default="1", metavar="N", help="number of paced beats (default 1)")
    p.add_argument("--t-start", default="0", metavar="S", help="first frame (s); the file's time starts at 0 there")
    p.add_argument("--t-end", required=True, metavar="S", help="last frame time (s)")
    p.add_argument("--rate", required=True, metavar="HZ", help="frame rate (Hz)")
    p.add_argument(
        "--observe", default="calcium", choices=OBSERVATIONS, help="indicator, ratiometric (fura2, indo1) or calcium"
    )
    p.add_argument("--kind", choices=("raw", "f_f0", "df_f0"), help="single-wavelength output (default df_f0)")
    p.add_argument("--dynamic", action="store_true", help="dye binding as an extra state (buffers Ca)")
    p.add_argument("--scale", metavar="A", help="single-wavelength: a.u. per Fmin (default 1)")
    p.add_argument("--offset", metavar="A", help="single-wavelength: background a.u. (default 0)")
    p.add_argument("--bleach", metavar="SPEC", help=f"photobleaching: {BLEACH_SYNTAX}")
    p.add_argument("--exposure", metavar="S", help="frame exposure time (s): integrate over it")
    p.add_argument("--noise", metavar="SPEC", help=f"noise: {NOISE_SYNTAX}")
    p.add_argument("--seed", default="0", metavar="N", help="PRNG seed (default 0)")
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv or .npz")
    p.set_defaults(func=run)


def command_line(args) -> str:
    """The canonical command that regenerates this recording."""
    parts = ["cicrjax", "synth", args.model]
    for s in args.set:
        parts += ["--set", s]
    for s in args.protocol:
        parts += ["--protocol", s]
    if args.pace_period is not None:
        parts += ["--pace-period", args.pace_period, "--pace-count", args.pace_count]
    parts += ["--t-start", args.t_start] if args.t_start != "0" else []
    parts += ["--t-end", args.t_end, "--rate", args.rate, "--observe", args.observe]
    if args.observe not in UNFILTERED:
        parts += ["--kind", args.kind or "df_f0", "--scale", args.scale or "1", "--offset", args.offset or "0"]
        parts += ["--dynamic"] if args.dynamic else []
        parts += ["--bleach", args.bleach] if args.bleach else []
    for option in ("exposure", "noise"):
        if getattr(args, option):
            parts += [f"--{option}", getattr(args, option)]
    parts += ["--seed", args.seed, "--out", args.out]
    return shlex.join(parts)


def _single_wavelength_options(args) -> None:
    """Refuse the options of single-wavelength indicators with `--observe calcium`, `fura2` or `indo1`, which ignore
    them."""
    if args.observe in UNFILTERED:
        given = [f"--{o}" for o in ("kind", "scale", "offset", "bleach") if getattr(args, o) is not None]
        given += ["--dynamic"] if args.dynamic else []
        if given:
            what = "Ca itself (µM)" if args.observe == "calcium" else "a ratio"
            verb, pronoun = ("apply", "them") if len(given) > 1 else ("applies", "it")
            raise UsageError(
                f"{', '.join(given)} {verb} to single-wavelength indicators (--observe fluo4, ...); --observe "
                f"{args.observe} records {what}, so drop {pronoun}"
            )


def run(args):
    _single_wavelength_options(args)
    cls = get_model(args.model)
    model = with_parameters(cls(), parse_settings(args.set))
    protocol = parse_protocol(args.protocol, model)
    if args.pace_period is not None:
        period = parse_float(args.pace_period, "--pace-period")
        count = parse_int(args.pace_count, "--pace-count", 1)
        protocol = pace(model, period, count=count, protocol=protocol)
    t_start = parse_float(args.t_start, "--t-start")
    t_end = parse_float(args.t_end, "--t-end")
    rate = parse_float(args.rate, "--rate")
    if t_start < 0 or t_end <= t_start or rate <= 0:
        raise UsageError("need 0 <= --t-start < --t-end (s) and --rate > 0 (Hz)")
    frames = (t_end - t_start) * rate
    if not frames < 1_000_000:
        raise UsageError(f"--t-end x --rate gives {frames:.3g} frames; choose between 2 and 1e6")
    n = int(np.floor(frames + 1e-9)) + 1
    if n < 2:
        raise UsageError(f"--t-end x --rate gives {n} frame; choose between 2 and 1e6")
    seed = parse_int(args.seed, "--seed", 0, 2**32 - 1)
    exposure = None
    if args.exposure is not None:
        value = parse_float(args.exposure, "--exposure")
        if not 0 < value <= 1.0 / rate:
            raise UsageError(f"--exposure must lie in (0, 1/rate = {1.0 / rate:g}] s, got {args.exposure}")
        exposure = FrameExposure(value)
    noise = None if args.noise is None else parse_spec(args.noise, NOISE, "--noise", NOISE_SYNTAX)
    bleaching = None if args.bleach is None else parse_spec(args.bleach, BLEACHING, "--bleach", BLEACH_SYNTAX)
    if args.observe == "calcium":
        observation = None
    elif args.observe in RATIO_INDICATORS:
        observation = RATIO_INDICATORS[args.observe]()
    else:
        scale = parse_float(args.scale or "1", "--scale")
        if scale <= 0:
            raise UsageError(f"--scale must be > 0, got {args.scale}")
        indicator = INDICATORS[args.observe]()
        offset = parse_float(args.offset or "0", "--offset")
        observation = Fluorescence(
            indicator, kind=args.kind or "df_f0", scale=scale, offset=offset, bleaching=bleaching
        )
        if args.dynamic:
            model = WithIndicator(model, indicator)
    out = check_writable(args.out, "--out")
    if out.suffix.lower() not in (".csv", ".npz"):
        raise UsageError(f"--out {args.out!r} must end in .csv or .npz")
    ts = t_start + np.arange(n) / rate
    recording = synthesize(
        model,
        ts,
        key=jax.random.key(seed),
        observation=observation,
        noise=noise,
        exposure=exposure,
        protocol=protocol,
        t0=0.0,
        provenance=command_line(args),
    )
    if t_start > 0:
        stim = recording.stimulus_times
        recording = recording.replace(
            time=recording.time - t_start, stimulus_times=None if stim is None else stim - t_start
        )
    save_recording(recording, out)
    print(f"wrote {out}: {recording.summary()}")
