"""`cicrjax gain MODEL --voltages=...`: excitation–contraction coupling gain under voltage-clamp steps, as CSV."""

import numpy as np

from .._errors import ComputationError
from .._gain import GAIN_COLUMNS, voltage_clamp_gain
from .._models import get_model
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
    """Parse `--voltages` (comma-separated mV), or raise `UsageError` naming the bad entry; the library checks the
    range."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise UsageError(f"--voltages {text!r} has an empty entry; give numbers in mV such as --voltages=-20,0,20")
    values = []
    for item in items:
        try:
            values.append(float(item))
        except ValueError:
            raise UsageError(
                f"--voltages entry {item!r} is not a number; give mV such as --voltages=-20,0,20"
            ) from None
    return values


def run(args):
    model = get_model(args.model)()
    voltages = parse_voltages(args.voltages)
    holding = parse_float(args.holding, "--holding")
    duration = parse_float(args.duration, "--duration")
    out = check_writable(args.out, "--out")
    result = voltage_clamp_gain(model, voltages, holding=holding, duration=duration)  # checks the values first
    if not bool(np.all(np.asarray(result.success))):
        failed = [v for v, ok in zip(voltages, np.asarray(result.success), strict=True) if not ok]
        raise ComputationError(f"the simulation failed at {failed} mV; shorten --duration or check the voltages")
    with atomic_path(out) as tmp:
        np.savetxt(tmp, result.table(), delimiter=",", header=",".join(GAIN_COLUMNS), comments="", fmt="%.10g")
    print(f"wrote {out} ({len(voltages)} voltages: {', '.join(GAIN_COLUMNS)})")
