"""`cicrjax spark-metrics LINESCAN ...`: detect and measure the sparks of a recorded line scan."""

import csv
import json
from pathlib import Path

from .._spatial.linescan_file import line_scan_sparks, read_line_scan
from .errors import UsageError, parse_float, parse_int
from .output import atomic_path, check_output_folder, output_folder, save_figure
from .spark import json_number

COLUMNS = ("spark", "t_peak_s", "x_peak_um", "amplitude_df_f0", "fwhm_um", "fdhm_ms", "time_to_peak_ms", "decay_ms")


def add_parser(sub):
    p = sub.add_parser(
        "spark-metrics",
        help="detect and measure the sparks of a recorded line scan",
        description=(
            "Read a line scan of raw fluorescence (a 2-D .npy array, a numeric .csv table without header, or a 2-D "
            "TIFF; rows are lines in time and columns pixels in space unless --time-axis 1), take F0 as each "
            "pixel's median over the lines, detect sparks in ΔF/F0 (a smoothed peak 4.5 noise s.d. above the mean) "
            "and write sparks.csv (one row per spark), results.json (each spark's metrics and the frequency per "
            "100 µm per s) and kymograph.png (ΔF/F0 with the sparks circled) into DIR."
        ),
    )
    p.add_argument("linescan", metavar="LINESCAN", help="the line-scan image (.npy, .csv, .tif)")
    p.add_argument("--pixel-um", metavar="X", help="pixel size (µm); required")
    p.add_argument("--line-ms", metavar="Y", help="time per line (ms); required")
    p.add_argument("--time-axis", default="0", metavar="A", help="0: rows are lines (default); 1: columns are lines")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def run(args):
    for option, value in (("--pixel-um", args.pixel_um), ("--line-ms", args.line_ms)):
        if value is None:
            raise UsageError(f"{option} is missing: a line scan needs its pixel size (µm) and line time (ms)")
    pixel = parse_float(args.pixel_um, "--pixel-um")
    line_ms = parse_float(args.line_ms, "--line-ms")
    time_axis = parse_int(args.time_axis, "--time-axis", 0, 1)
    out_path = Path(args.out)
    check_output_folder(out_path, "--out")
    image = read_line_scan(args.linescan, time_axis=time_axis)
    t, x, df, sparks, frequency = line_scan_sparks(image, pixel=pixel, line_time=1e-3 * line_ms)
    rows = [
        dict(
            zip(
                COLUMNS,
                (
                    i,
                    json_number(m.t_peak),
                    json_number(m.x_peak),
                    json_number(m.amplitude),
                    json_number(m.fwhm),
                    json_number(1e3 * m.fdhm),
                    json_number(1e3 * m.time_to_peak),
                    json_number(1e3 * m.decay),
                ),
                strict=True,
            )
        )
        for i, m in enumerate(sparks)
    ]
    result = {
        "linescan": str(args.linescan),
        "lines": int(image.shape[0]),
        "pixels": int(image.shape[1]),
        "pixel_um": pixel,
        "line_ms": line_ms,
        "duration_s": float(image.shape[0] * 1e-3 * line_ms),
        "length_um": float(image.shape[1] * pixel),
        "f0": "each pixel's median over the lines",
        "n_sparks": len(sparks),
        "frequency_per_100um_per_s": frequency,
        "note": "metrics are measured on the smoothed ΔF/F0 image (detect_sparks), which lowers amplitude and widens",
        "sparks": rows,
    }
    with output_folder(out_path, "--out") as out:
        with atomic_path(out / "sparks.csv") as tmp:
            with open(tmp, "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=COLUMNS)
                writer.writeheader()
                writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        _plot(out / "kymograph.png", t, x, df, sparks, Path(args.linescan).name)
        with atomic_path(out / "results.json") as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}/sparks.csv, results.json, kymograph.png ({len(sparks)} sparks, {frequency:.3g} per 100 µm/s)")


def _plot(path, t, x, df, sparks, title) -> None:
    """ΔF/F0 as a kymograph, each detected spark circled at its peak and numbered as in sparks.csv."""
    import matplotlib

    matplotlib.use("Agg")
    from ..plot import kymograph

    fig = kymograph(x, t, df, label="ΔF/F0", title=f"{title}: {len(sparks)} sparks")
    ax = fig.axes[0]
    for i, m in enumerate(sparks):
        tp, xp = float(m.t_peak), float(m.x_peak)
        ax.plot(tp, xp, marker="o", markersize=9, markerfacecolor="none", markeredgecolor="cyan", linewidth=0)
        ax.annotate(str(i), (tp, xp), xytext=(4, 4), textcoords="offset points", color="cyan", fontsize=7)
    save_figure(fig, path)
