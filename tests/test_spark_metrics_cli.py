"""`cicrjax spark-metrics`: sparks of a recorded line scan (simulated noisy scans written as npy, TIFF and csv)."""

import csv
import json
import re

import numpy as np
import pytest

import cicrjax as cj
from cicrjax._cli.main import main

PLANTED = [(0.3, 5.0), (1.2, 12.0), (1.6, 6.0)]  # spark onsets (s) and sites (µm) in a 2 s × 20 µm scan


def planted_scan(seed=0, noise=0.2):
    """Raw fluorescence (F_rest = 100) of 1000 lines × 100 pixels (2 ms, 0.2 µm) with three sparks (ΔF/F0 1,
    Gaussian s.d. 0.8 µm, 10 ms linear rise, 20 ms decay) and Gaussian noise s.d. `noise` × F_rest."""
    rng = np.random.default_rng(seed)
    t, x = np.arange(1000) * 2e-3, np.arange(100) * 0.2 + 0.1
    image = np.zeros((t.size, x.size))
    for t0, x0 in PLANTED:
        g = np.where(t < t0, 0.0, np.where(t < t0 + 0.01, (t - t0) / 0.01, np.exp(-(t - t0 - 0.01) / 0.02)))
        image += g[:, None] * np.exp(-0.5 * ((x - x0) / 0.8) ** 2)[None]
    return 100.0 * (1.0 + image + rng.normal(0.0, noise, image.shape))


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    tifffile = pytest.importorskip("tifffile")
    folder = tmp_path_factory.mktemp("scans")
    raw = planted_scan()
    np.save(folder / "scan.npy", raw)
    tifffile.imwrite(folder / "scan.tif", raw.astype(np.float32))
    np.savetxt(folder / "scan_t.csv", raw.T, delimiter=",")  # lines as columns
    return folder, raw


def run_cli(scan, out, *extra):
    return main(["spark-metrics", str(scan), "--pixel-um", "0.2", "--line-ms", "2", *extra, "--out", str(out)])


def test_spark_metrics_finds_the_planted_sparks_in_npy_tiff_and_csv(scans, tmp_path, capsys):
    folder, raw = scans
    assert run_cli(folder / "scan.npy", tmp_path / "npy") == 0
    assert run_cli(folder / "scan.tif", tmp_path / "tif") == 0
    assert run_cli(folder / "scan_t.csv", tmp_path / "csv", "--time-axis", "1") == 0
    result = json.loads((tmp_path / "npy" / "results.json").read_text())
    # every planted spark found once, each peak 10 ms after its onset (end of the rise) at its site, nothing else
    assert result["n_sparks"] == 3 and (result["lines"], result["pixels"]) == (1000, 100)
    peaks = sorted((s["t_peak_s"], s["x_peak_um"]) for s in result["sparks"])
    np.testing.assert_allclose(peaks, [(t0 + 0.01, x0) for t0, x0 in PLANTED], atol=0.21)
    np.testing.assert_allclose(result["frequency_per_100um_per_s"], 3 / (0.2 * 2.0))  # per 100 µm per s
    # the library gives the same numbers; TIFF (float32) and csv (transposed) the same sparks
    _, _, _, sparks, _ = cj.line_scan_sparks(raw, pixel=0.2, line_time=2e-3)
    np.testing.assert_allclose([s["fwhm_um"] for s in result["sparks"]], [m.fwhm for m in sparks], rtol=1e-12)
    for other in ("tif", "csv"):
        again = json.loads((tmp_path / other / "results.json").read_text())
        np.testing.assert_allclose(
            [s["fdhm_ms"] for s in again["sparks"]], [s["fdhm_ms"] for s in result["sparks"]], rtol=1e-5
        )
    with open(tmp_path / "npy" / "sparks.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and float(rows[0]["amplitude_df_f0"]) == result["sparks"][0]["amplitude_df_f0"]
    assert (tmp_path / "npy" / "kymograph.png").read_bytes()[:4] == b"\x89PNG"
    assert "3 sparks" in capsys.readouterr().out


def test_detector_criterion_passes_no_noise_maximum():
    # white noise alone, 4 s × 40 µm: the default criterion (4.5 σ of the smoothed image) finds nothing, where
    # Cheng et al.'s 3.8 σ, on this smoothed image, passes several maxima of the noise (why the default is 4.5)
    rng = np.random.default_rng(3)
    t, x = np.arange(2000) * 2e-3, np.arange(200) * 0.2 + 0.1
    noise = rng.normal(0.0, 0.25, (t.size, x.size))
    assert cj.detect_sparks(t, x, noise)[0] == []
    assert len(cj.detect_sparks(t, x, noise, criterion=3.8)[0]) >= 3


@pytest.mark.parametrize(
    "make, args, message",
    [
        ("npy", ["--line-ms", "2"], "--pixel-um is missing"),
        ("npy", ["--pixel-um", "0.2"], "--line-ms is missing"),
        ("npy", ["--pixel-um", "0.2", "--line-ms", "20"], "line time \\(20 ms\\) is longer than a spark"),
        ("npy", ["--pixel-um", "2", "--line-ms", "2"], "pixel \\(2 µm\\) is wider than a spark"),
        ("npy", ["--pixel-um", "0.2", "--line-ms", "-1"], "line_time must be a finite number > 0"),
        ("cube", ["--pixel-um", "0.2", "--line-ms", "2"], "shape \\(4, 30, 5\\); a line scan is 2-D"),
        ("short", ["--pixel-um", "0.2", "--line-ms", "2"], "shape \\(5, 30\\); it must be \\(lines, pixels\\)"),
        ("junk", ["--pixel-um", "0.2", "--line-ms", "2"], "not a readable .npy file"),
        ("missing", ["--pixel-um", "0.2", "--line-ms", "2"], "No such file"),
    ],
)
def test_spark_metrics_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, make, args, message):
    scan = tmp_path / "scan.npy"
    arrays = {"npy": planted_scan()[:100], "cube": np.ones((4, 30, 5)), "short": np.ones((5, 30))}
    if make in arrays:
        np.save(scan, arrays[make])
    elif make == "junk":
        scan.write_bytes(b"not numpy")
    out = tmp_path / "out"
    assert main(["spark-metrics", str(scan), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert re.search(message, err), err
    assert not out.exists()
