"""`cicrjax synth MODEL ...`: simulate a model, observe it through an indicator with bleaching and noise, save it."""

import shlex

import jax
import numpy as np

from .._models import get_model
from .._muscle_protocols import paced
from .._observation import INDICATORS, Fluorescence, FrameExposure, Fura2, WithIndicator
from .._parameters import with_parameters
from .._protocol import Protocol
from .._protocol_spec import SYNTAX, parse_protocol
from .._recording import save_recording
from .._synthetic import synthesize
from .errors import UsageError, parse_float
from .observation_spec import BLEACH_SYNTAX, BLEACHING, NOISE, NOISE_SYNTAX, parse_spec
from .output import check_writable
from .simulate import parse_settings

OBSERVATIONS = ("calcium", "fura2", *INDICATORS)


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
    p.add_argument("--observe", default="calcium", choices=OBSERVATIONS, help="indicator, fura2 or calcium")
    p.add_argument("--kind", default="df_f0", choices=("raw", "f_f0", "df_f0"), help="single-wavelength output")
    p.add_argument("--dynamic", action="store_true", help="dye binding as an extra state (buffers Ca)")
    p.add_argument("--scale", default="1", metavar="A", help="a.u. per Fmin (default 1)")
    p.add_argument("--offset", default="0", metavar="A", help="background a.u. (default 0)")
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
    if args.observe not in ("calcium", "fura2"):
        parts += ["--kind", args.kind, "--scale", args.scale, "--offset", args.offset]
        parts += ["--dynamic"] if args.dynamic else []
        parts += ["--bleach", args.bleach] if args.bleach else []
    for option in ("exposure", "noise"):
        if getattr(args, option):
            parts += [f"--{option}", getattr(args, option)]
    parts += ["--seed", args.seed, "--out", args.out]
    return shlex.join(parts)


def _pacing(args, model, protocol):
    """Merge action-potential pacing of the membrane voltage `V` into the protocol."""
    if "V" not in [p.name for p in model.parameters()]:
        raise UsageError(
            f"--pace-period needs a model with a membrane voltage V (cardiac, hinch2004), not {args.model}"
        )
    period = parse_float(args.pace_period, "--pace-period")
    try:
        count = int(args.pace_count)
    except ValueError:
        raise UsageError(f"--pace-count needs a whole number, got {args.pace_count!r}") from None
    if period <= 0 or count < 1:
        raise UsageError("--pace-period must be > 0 s and --pace-count >= 1")
    stimuli = {} if protocol is None else dict(protocol.stimuli)
    if "V" in stimuli:
        raise UsageError("--pace-period drives V; drop the --protocol V=... given as well")
    return Protocol({**stimuli, **paced(1.0 / period, count=count).stimuli})


def run(args):
    cls = get_model(args.model)
    model = with_parameters(cls(), parse_settings(args.set))
    protocol = parse_protocol(args.protocol, model)
    if args.pace_period is not None:
        protocol = _pacing(args, model, protocol)
    t_start = parse_float(args.t_start, "--t-start")
    t_end = parse_float(args.t_end, "--t-end")
    rate = parse_float(args.rate, "--rate")
    if t_start < 0 or t_end <= t_start or rate <= 0:
        raise UsageError("need 0 <= --t-start < --t-end (s) and --rate > 0 (Hz)")
    n = int(np.floor((t_end - t_start) * rate + 1e-9)) + 1
    if n < 2 or n > 1_000_001:
        raise UsageError(f"--t-end x --rate gives {n} frames; choose between 2 and 1e6")
    try:
        seed = int(args.seed)
    except ValueError:
        raise UsageError(f"--seed needs a whole number, got {args.seed!r}") from None
    if not 0 <= seed < 2**32:
        raise UsageError(f"--seed must lie in [0, 2^32), got {seed}")
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
    elif args.observe == "fura2":
        observation = Fura2()
    else:
        scale = parse_float(args.scale, "--scale")
        if scale <= 0:
            raise UsageError(f"--scale must be > 0, got {args.scale}")
        indicator = INDICATORS[args.observe]()
        observation = Fluorescence(
            indicator, kind=args.kind, scale=scale, offset=parse_float(args.offset, "--offset"), bleaching=bleaching
        )
        if args.dynamic:
            model = WithIndicator(model, indicator)
    if bleaching is not None and not isinstance(observation, Fluorescence):
        raise UsageError("--bleach needs a single-wavelength indicator (--observe fluo4, ...); a ratio cancels it")
    if args.dynamic and not isinstance(observation, Fluorescence):
        raise UsageError("--dynamic needs a single-wavelength indicator (--observe fluo4, ...)")
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
