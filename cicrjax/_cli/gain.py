"""`cicrjax gain MODEL --voltages=...`: excitation–contraction coupling gain under voltage-clamp steps, as CSV."""

import numpy as np

from .._gain import GAIN_COLUMNS, voltage_clamp_gain
from .._models import get_model
from .._muscle_model import AbstractMuscleModel
from .._muscle_protocols import HOLDING_RANGE
from .errors import UsageError, parse_float
from .output import atomic_path, check_writable


def add_parser(sub):
    p = sub.add_parser(
        "gain",
        help="peak and integrated gain of a muscle model under voltage-clamp steps",
        description=(
            "Step MODEL from the holding potential to each test voltage and write, per voltage, peak gain "
            "(max release/max trigger flux), integrated gain, Ca released per Ca entered and peak Ca (µM)."
        ),
    )
    p.add_argument("model", help="a muscle model: hinch2004, cardiac or skeletal")
    p.add_argument("--voltages", required=True, metavar="V1,V2,...", help="test potentials in mV, comma-separated")
    p.add_argument("--holding", default="-80", metavar="MV", help="holding potential in mV (default -80)")
    p.add_argument("--duration", default="0.2", metavar="S", help="step duration in s (default 0.2)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV")
    p.set_defaults(func=run)


def parse_voltages(text: str) -> list[float]:
    """Parse `--voltages` (comma-separated mV), or raise `UsageError` naming the bad entry."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise UsageError(f"--voltages {text!r} has an empty entry; give numbers in mV such as --voltages=-20,0,20")
    lo, hi = HOLDING_RANGE
    values = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise UsageError(
                f"--voltages entry {item!r} is not a number; give mV such as --voltages=-20,0,20"
            ) from None
        if not lo <= value <= hi:
            raise UsageError(f"--voltages entry {item} mV is outside [{lo:g}, {hi:g}] mV")
        values.append(value)
    return values


def run(args):
    cls = get_model(args.model)
    if not issubclass(cls, AbstractMuscleModel):
        raise UsageError(
            f"model {args.model!r} has no membrane voltage, so a voltage clamp does not fit it; "
            "use hinch2004, cardiac or skeletal"
        )
    voltages = parse_voltages(args.voltages)
    holding = parse_float(args.holding, "--holding")
    lo, hi = HOLDING_RANGE
    if not lo <= holding <= hi:
        raise UsageError(f"--holding must lie in [{lo:g}, {hi:g}] mV, got {args.holding}")
    duration = parse_float(args.duration, "--duration")
    if duration <= 0:
        raise UsageError(f"--duration must be > 0 s, got {args.duration}")
    out = check_writable(args.out, "--out")
    result = voltage_clamp_gain(cls(), voltages, holding=holding, duration=duration)
    if not bool(np.all(np.asarray(result.success))):
        failed = [v for v, ok in zip(voltages, np.asarray(result.success), strict=True) if not ok]
        raise UsageError(f"the simulation failed at {failed} mV; shorten --duration or check the voltages")
    with atomic_path(out) as tmp:
        np.savetxt(tmp, result.table(), delimiter=",", header=",".join(GAIN_COLUMNS), comments="", fmt="%.10g")
    print(f"wrote {out} ({len(voltages)} voltages: {', '.join(GAIN_COLUMNS)})")
