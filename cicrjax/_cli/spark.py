"""`cicrjax spark ...`: simulate the cardiac spark default, scan it like a confocal line scan, write its metrics."""

import json
import math
from pathlib import Path

import jax
import numpy as np

from .._errors import ComputationError
from .._observation.gaussian import GaussianNoise
from .._spatial import LineScan, cardiac_spark, delta_f_over_f0, simulate_spatial, spark_metrics
from .._spatial.grid import GEOMETRIES
from .._spatial.parameters import with_spatial_parameters
from .errors import UsageError, parse_float, parse_int
from .output import atomic_path, check_output_folder, output_folder, save_figure
from .simulate import parse_settings
from .wave import plot_kymograph

T_END = 0.1  # s
DT = 2e-5  # s: below 1/(k_on B_total) of the explicit buffers
SAVE_DT = 1e-3  # s
FRAME_FILES = ", frames.npy, frame.png"


def add_parser(sub):
    p = sub.add_parser(
        "spark",
        help="simulate a cardiac Ca spark as a confocal line scan and measure it",
        description=(
            "Simulate the cardiac spark default (a smooth release site, Fluo-4, a stationary buffer) for 0.1 s, scan "
            "it (0.2 µm pixels, 2 ms lines, 0.4 µm PSF) and write results.json (amplitude_df_f0, fwhm_um, fdhm_ms, "
            "time_to_peak_ms, decay_ms), kymograph.npy (ΔF/F0, lines × pixels) and kymograph.png into DIR. With "
            "--geometry spherical the site releases 2 pA for 20 ms into 3-D space, the scan line runs through it with "
            "a 1.4 µm axial PSF, and frames.npy (ΔF/F0 every 10 ms, frames × y × x) and frame.png (the frame at the "
            "peak) are written too."
        ),
    )
    p.add_argument("--geometry", default="line", choices=GEOMETRIES, help="line (default) or spherical (3-D)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a site parameter")
    p.add_argument("--noise", default="0", metavar="SD", help="Gaussian noise s.d. in units of resting F (default 0)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the noise (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def plot_frame(path, x, image, title) -> None:
    """One 2-D frame (`cicrjax.plot.frame`) as a PNG, atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from ..plot import frame

    save_figure(frame(x, image, title=title), path)


def json_number(x):
    """A float for JSON: `None` where it is NaN or infinite (a crossing that never happened)."""
    x = float(x)
    return x if math.isfinite(x) else None


def run(args):
    noise = parse_float(args.noise, "--noise")
    if not noise >= 0:
        raise UsageError(f"--noise must be >= 0, got {args.noise}")
    seed = parse_int(args.seed, "--seed", 0)
    spherical = args.geometry == "spherical"
    model = cardiac_spark(spherical=spherical)
    model = with_spatial_parameters(model, parse_settings(args.set))
    scan = LineScan(noise=GaussianNoise(noise) if noise > 0 else None)
    baseline = max(int(float(model.model.t_on) / scan.line_time), 1)
    out_path = Path(args.out)
    check_output_folder(out_path, "--out")
    sol = simulate_spatial(model, T_END, dt=DT, save_dt=SAVE_DT)
    if not bool(sol.success):
        raise ComputationError("the spark simulation stopped being finite; use smaller release or buffer rates")
    t, x, image = scan(sol, key=jax.random.key(seed))
    df = delta_f_over_f0(image, baseline)
    m = spark_metrics(t, x, df)
    if spherical:
        x_frame, frames = scan.frames(sol, np.arange(11) * 0.01)
        frames = np.asarray(delta_f_over_f0(frames, 1))
    result = {
        "model": "cardiac spark (SparkSite + Fluo-4 + stationary buffer)",
        "geometry": args.geometry,
        "citation": model.model.citation,
        "amplitude_df_f0": json_number(m.amplitude),
        "fwhm_um": json_number(m.fwhm),
        "fdhm_ms": json_number(1e3 * m.fdhm),
        "time_to_peak_ms": json_number(1e3 * m.time_to_peak),
        "decay_ms": json_number(1e3 * m.decay),
        "pixel_um": scan.pixel,
        "line_ms": 1e3 * scan.line_time,
        "psf_fwhm_um": float(scan.psf_fwhm),
        "psf_axial_fwhm_um": float(scan.psf_axial_fwhm) if spherical else None,
        "noise_sd": noise,
        "seed": seed,
        "baseline_lines": baseline,
        "t_end_s": T_END,
        "dt_s": DT,
    }
    with output_folder(out_path, "--out") as out:
        with atomic_path(out / "kymograph.npy") as tmp:
            with open(tmp, "wb") as f:
                np.save(f, np.asarray(df))
        plot_kymograph(out / "kymograph.png", np.asarray(t), np.asarray(x), np.asarray(df), "cardiac spark", "ΔF/F0")
        if spherical:
            with atomic_path(out / "frames.npy") as tmp:
                with open(tmp, "wb") as f:
                    np.save(f, frames)
            peak = int(np.argmax(frames.max(axis=(1, 2))))
            plot_frame(out / "frame.png", np.asarray(x_frame), frames[peak], f"cardiac spark at {10 * peak} ms")
        with atomic_path(out / "results.json") as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"wrote {out}/results.json, kymograph.npy, kymograph.png{FRAME_FILES if spherical else ''} "
        f"(ΔF/F0 {result['amplitude_df_f0']:.3g}, FWHM {result['fwhm_um']} µm, FDHM {result['fdhm_ms']} ms)"
    )
