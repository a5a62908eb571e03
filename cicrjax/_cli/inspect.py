"""`cicrjax inspect RECORDING`: load a recording, print a summary and per-beat transient metrics (and write them)."""

import numpy as np

from .._preprocess import METRICS, beat_metrics, detect_beats
from .._recording import KINDS, load_recording
from .._recording.checks import NAN_POLICIES
from .._recording.load import FORMATS
from .errors import UsageError, parse_float
from .output import atomic_path, check_writable

_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}


def add_parser(sub):
    p = sub.add_parser(
        "inspect",
        help="summarise a recording and its beats",
        description="Load RECORDING (CSV/TSV, .npy/.npz, suite2p folder, line-scan TIFF, PEtab table), print its "
        "sampling and per-beat metrics (amplitude, time to peak, t50, t90, tau), optionally write them as CSV.",
    )
    p.add_argument("recording", help="file or suite2p folder")
    p.add_argument("--format", choices=FORMATS, help="override format detection")
    p.add_argument("--kind", choices=KINDS, help="signal kind (default from the column names, else raw)")
    p.add_argument("--column", action="append", default=[], metavar="NAME", help="trace column to use (repeatable)")
    p.add_argument("--time-column", metavar="NAME", help="the time column, if its name is not t/time/time_s/...")
    p.add_argument("--time-unit", metavar="UNIT", help="unit of the time column: s, ms, us or min")
    p.add_argument("--sampling-rate", metavar="HZ", help="sampling rate for files without a time column")
    p.add_argument("--delimiter", metavar="CHAR", help="column separator: ',' ';' tab (default from the extension)")
    p.add_argument("--decimal", default=".", choices=(".", ","), help="decimal mark (default .)")
    p.add_argument("--nan", default="error", choices=NAN_POLICIES, help="NaN/inf/empty values (default error)")
    p.add_argument("--pacing-period", metavar="S", help="pacing cycle length (s): segment beats by it")
    p.add_argument("--threshold", default="0.5", metavar="F", help="peak threshold, fraction of the range (0.5)")
    p.add_argument("--line-time", metavar="S", help="line-scan TIFF: time per line (s)")
    p.add_argument("--pixel-size", metavar="UM", help="line-scan TIFF: pixel size (µm)")
    p.add_argument("--neuropil", metavar="C", help="suite2p neuropil coefficient (default ops' or 0.7)")
    p.add_argument("--all-rois", action="store_true", help="suite2p: keep ROIs that iscell rejects")
    p.add_argument("--out", metavar="FILE.csv", help="write per-beat metrics to this CSV")
    p.set_defaults(func=run)


def _optional_float(text, option, positive=True):
    if text is None:
        return None
    value = parse_float(text, option)
    if positive and value <= 0:
        raise UsageError(f"{option} must be > 0, got {text}")
    return value


def run(args):
    rate = _optional_float(args.sampling_rate, "--sampling-rate")
    period = _optional_float(args.pacing_period, "--pacing-period")
    line_time = _optional_float(args.line_time, "--line-time")
    pixel_size = _optional_float(args.pixel_size, "--pixel-size")
    neuropil = _optional_float(args.neuropil, "--neuropil", positive=False)
    threshold = parse_float(args.threshold, "--threshold")
    if not 0 < threshold < 1:
        raise UsageError(f"--threshold must lie in (0, 1), got {args.threshold}")
    delimiter = None if args.delimiter is None else _DELIMITERS.get(args.delimiter, args.delimiter)
    out = None if args.out is None else check_writable(args.out, "--out")
    rec = load_recording(
        args.recording,
        format=args.format,
        kind=args.kind,
        columns=args.column or None,
        time_column=args.time_column,
        time_unit=args.time_unit,
        sampling_rate=rate,
        delimiter=delimiter,
        decimal=args.decimal,
        nan=args.nan,
        pacing_period=period,
        neuropil=neuropil,
        only_cells=not args.all_rois,
        line_time=line_time,
        pixel_size=pixel_size,
    )
    rows = []
    for name, y in zip(rec.names, rec.traces, strict=True):
        beats = detect_beats(
            rec.time, y, pacing_period=rec.pacing_period, stimulus_times=rec.stimulus_times, threshold=threshold
        )
        m = beat_metrics(rec.time, y, beats)
        for k in range(len(beats)):
            rows.append((name, k + 1, m["start"][k], m["peak_time"][k], *(m[key][k] for key in METRICS)))
    print(f"{args.recording}: {rec.summary()}")
    print(f"  provenance: {rec.provenance}")
    header = ("trace", "beat", "start_s", "peak_s", "amplitude", "baseline", "time_to_peak_s", "t50_s", "t90_s")
    header = (*header, "tau_s")
    for name in rec.names:
        beats_of = [r for r in rows if r[0] == name]
        print(f"  {name}: {len(beats_of)} beat(s)")
        if beats_of:
            values = np.array([r[4:] for r in beats_of], float)
            means = [col[np.isfinite(col)].mean() if np.isfinite(col).any() else np.nan for col in values.T]
            text = ", ".join(f"{h}={v:.4g}" for h, v in zip(header[4:], means, strict=True))
            print(f"    mean: {text}")
    if out is not None:
        with atomic_path(out) as tmp:
            with open(tmp, "w") as f:
                f.write(",".join(header) + "\n")
                for r in rows:
                    f.write(",".join([r[0], str(r[1]), *(f"{v:.10g}" for v in r[2:])]) + "\n")
        print(f"wrote {out} ({len(rows)} beats)")
