"""`cicrjax inspect RECORDING`: load a recording, print a summary and per-beat transient metrics (and write them)."""

import numpy as np

from .._preprocess import METRICS, beat_metrics, detect_beats
from .._recording import load_recording
from .errors import UsageError, parse_float
from .loader_options import add_loader_options, loader_options, optional_float
from .output import atomic_path, check_writable


def add_parser(sub):
    p = sub.add_parser(
        "inspect",
        help="summarise a recording and its beats",
        description="Load RECORDING (CSV/TSV, .npy/.npz, suite2p folder, line-scan TIFF, PEtab table), print its "
        "sampling and per-beat metrics (amplitude, time to peak, t50, t90, tau), optionally write them as CSV.",
    )
    p.add_argument("recording", help="file or suite2p folder")
    add_loader_options(p)
    p.add_argument("--pacing-period", metavar="S", help="pacing cycle length (s): segment beats by it")
    p.add_argument("--threshold", default="0.5", metavar="F", help="peak threshold, fraction of the range (0.5)")
    p.add_argument("--out", metavar="FILE.csv", help="write per-beat metrics to this CSV")
    p.set_defaults(func=run)


def run(args):
    period = optional_float(args.pacing_period, "--pacing-period")
    threshold = parse_float(args.threshold, "--threshold")
    if not 0 < threshold < 1:
        raise UsageError(f"--threshold must lie in (0, 1), got {args.threshold}")
    options = loader_options(args)
    out = None if args.out is None else check_writable(args.out, "--out")
    rec = load_recording(args.recording, pacing_period=period, **options)
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
