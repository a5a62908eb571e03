"""`cicrjax spark ...`: simulate the cardiac spark default, scan it like a confocal line scan, write its metrics."""

import json
import math
from pathlib import Path

import jax
import numpy as np

from .._errors import ComputationError
from .._observation.gaussian import GaussianNoise
from .._spatial import LineScan, cardiac_spark, delta_f_over_f0, simulate_spatial, spark_metrics
from .._spatial.parameters import with_spatial_parameters
from .errors import UsageError, parse_float, parse_int
from .output import atomic_path, check_output_folder, output_folder
from .simulate import parse_settings
from .wave import plot_kymograph

T_END = 0.1  # s
DT = 2e-5  # s: below 1/(k_on B_total) of the explicit buffers
SAVE_DT = 1e-3  # s


def add_parser(sub):
    p = sub.add_parser(
        "spark",
        help="simulate a cardiac Ca spark as a confocal line scan and measure it",
        description=(
            "Simulate the cardiac spark default (a smooth release site, Fluo-4, a stationary buffer) for 0.1 s, scan "
            "it (0.2 µm pixels, 2 ms lines, 0.4 µm PSF) and write results.json (amplitude_df_f0, fwhm_um, fdhm_ms, "
            "time_to_peak_ms, decay_ms), kymograph.npy (ΔF/F0, lines × pixels) and kymograph.png into DIR."
        ),
    )
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a site parameter")
    p.add_argument("--noise", default="0", metavar="SD", help="Gaussian noise s.d. in units of resting F (default 0)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the noise (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def json_number(x):
    """A float for JSON: `None` where it is NaN or infinite (a crossing that never happened)."""
    x = float(x)
    return x if math.isfinite(x) else None


def run(args):
    noise = parse_float(args.noise, "--noise")
    if not noise >= 0:
        raise UsageError(f"--noise must be >= 0, got {args.noise}")
    seed = parse_int(args.seed, "--seed", 0)
    model = cardiac_spark()
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
    result = {
        "model": "cardiac spark (SparkSite + Fluo-4 + stationary buffer)",
        "citation": model.model.citation,
        "amplitude_df_f0": json_number(m.amplitude),
        "fwhm_um": json_number(m.fwhm),
        "fdhm_ms": json_number(1e3 * m.fdhm),
        "time_to_peak_ms": json_number(1e3 * m.time_to_peak),
        "decay_ms": json_number(1e3 * m.decay),
        "pixel_um": scan.pixel,
        "line_ms": 1e3 * scan.line_time,
        "psf_fwhm_um": float(scan.psf_fwhm),
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
        with atomic_path(out / "results.json") as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"wrote {out}/results.json, kymograph.npy, kymograph.png (ΔF/F0 {result['amplitude_df_f0']:.3g}, "
        f"FWHM {result['fwhm_um']} µm, FDHM {result['fdhm_ms']} ms)"
    )
