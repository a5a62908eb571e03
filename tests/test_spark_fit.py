"""Kymograph fits (`fitting.fit_kymograph`, `cicrjax fit LINESCAN --model spark`): release flux and D recovered
from a simulated noisy line scan, within Laplace intervals that cover the truth."""

import json
import re

import jax
import numpy as np
import pytest

import cicrjax as cj
import fitting
from cicrjax._cli.main import main

FLUX, D_C, T_ON, SITE_X = 8000.0, 220.0, 0.83, 6.0  # the truth: cicrjax.SparkSite's defaults, placed and delayed
QUIET = 0.8  # s at rest before the spark scan starts


@pytest.fixture(scope="module")
def scan(tmp_path_factory, once_per_session):
    """A 0.91 s × 12 µm line scan (2 ms lines, 0.2 µm pixels) as raw fluorescence (F_rest = 100) with Gaussian
    noise s.d. 0.05 F_rest: 0.8 s at rest, then 0.11 s of the cardiac spark (peak ΔF/F0 ≈ 1.26: signal-to-noise
    ratio 25), saved as .npy. F0 from the 400 quiet lines is good to 0.25 %. Made once per session (the xdist
    workers share the file)."""

    def make():
        site = cj.SparkSite(grid=cj.Grid(60, 0.2), site_x=SITE_X, t_on=T_ON - QUIET)
        sol = cj.simulate_spatial(cj.cardiac_spark(site), 0.11, dt=2e-5, save_dt=1e-3)
        _, _, image = cj.LineScan(noise=cj.GaussianNoise(0.05))(sol, key=jax.random.key(0))
        quiet = 1.0 + np.random.default_rng(0).normal(0.0, 0.05, (int(QUIET / 0.002), image.shape[1]))
        path = tmp_path_factory.mktemp("kymo") / "spark.npy"
        np.save(path, 100.0 * np.concatenate([quiet, np.asarray(image)]))
        return path

    return once_per_session("test_spark_fit.scan", make)


# F0 from the 0.8 s at rest (the default, each pixel's median over the scan, sits 0.8 % high where the spark is and
# biases the flux 3 % low: the spark fills 5 % of this short scan)
ARGS = ["--model", "spark", "--pixel-um", "0.2", "--line-ms", "2", "--baseline-ms", "800"]


@pytest.fixture(scope="module")
def fitted(scan, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "out"
    # flux and D free from a start 50 % and 32 % off; the site and onset fixed at the truth (line-scan coordinates)
    placed = ["--fix", f"t_on={T_ON}", "--fix", f"site_x={SITE_X}"]
    start = ["--start", "flux=12000", "--start", "D_c=150", "--starts", "1"]
    code = main(["fit", str(scan), *ARGS, "--free", "flux,D_c", *placed, *start, "--out", str(out)])
    return code, out


def test_kymograph_fit_recovers_flux_and_d_within_covering_intervals(fitted):
    code, out = fitted
    assert code == 0
    result = json.loads((out / "results.json").read_text())
    p = result["parameters"]
    for name, truth in (("flux", FLUX), ("D_c", D_C)):
        assert p[name]["free"] and p[name]["ci_low"] < truth < p[name]["ci_high"], (name, p[name])
        assert p[name]["ci_low"] < p[name]["estimate"] < p[name]["ci_high"]
    # the image pins the released amount down to a few %, D (from the width) to some tens of %
    assert p["flux"]["ci_high"] / p["flux"]["ci_low"] < 1.1 and p["D_c"]["ci_high"] / p["D_c"]["ci_low"] < 3.0
    assert p["t_on"] == {"estimate": pytest.approx(T_ON), "unit": "s", "free": False}
    assert p["site_x"]["estimate"] == pytest.approx(SITE_X) and not p["site_x"]["free"]
    assert result["status"] == "converged" and result["sparks_fitted"] == 1
    # σ of the residual ΔF/F0 ≈ the noise (0.05 of F_rest): no structure left
    assert 0.045 < result["sigma_df_f0"] < 0.06
    npz = np.load(out / "fit.npz")
    assert npz["data"].shape == npz["fit"].shape == (46, 31)
    assert (out / "kymograph.png").read_bytes()[:4] == b"\x89PNG"


def test_kymograph_problem_refuses_bad_input():
    model = cj.cardiac_spark(cj.SparkSite(grid=cj.Grid(20, 0.2)))
    t, x = np.arange(10) * 0.002, np.arange(10) * 0.2 + 0.1
    with pytest.raises(cj.InputError, match="must be \\(lines, pixels\\) = \\(10, 10\\)"):
        fitting.define_kymograph_problem(model, t, x, np.zeros((10, 9)), free=["flux"])
    with pytest.raises(cj.InputError, match="unknown spark parameter 'nope'"):
        fitting.define_kymograph_problem(model, t, x, np.zeros((10, 10)), free=["nope"])
    with pytest.raises(cj.InputError, match="outside the model's grid"):
        fitting.define_kymograph_problem(model, t, x + 3.5, np.zeros((10, 10)), free=["flux"])
    with pytest.raises(cj.InputError, match="needs a SparkSite with buffers"):
        fitting.define_kymograph_problem(cj.SparkSite(), t, x, np.zeros((10, 10)), free=["flux"])
    with pytest.raises(cj.InputError, match="has bounds, a transform or a start but is not free"):
        fitting.define_kymograph_problem(model, t, x, np.zeros((10, 10)), free=["flux"], start={"D_c": 100.0})


@pytest.mark.parametrize(
    "args, message",
    [
        (["--line-ms", "2"], "--pixel-um is missing"),
        (["--pixel-um", "0.2", "--line-ms", "20"], "line time \\(20 ms\\) is longer than a spark"),
        (["--pixel-um", "0.2", "--line-ms", "2", "--per-cell", "flux"], "--per-cell does not apply to --model spark"),
        (["--pixel-um", "0.2", "--line-ms", "2", "--free", "flux,nope"], "unknown spark parameter 'nope'"),
        (["--pixel-um", "0.2", "--line-ms", "2", "--window-um", "40"], "crop .* runs past the line scan's edge"),
        (["--pixel-um", "0.2", "--line-ms", "2", "--fix", "flux=-1"], "--fix flux must be >= 0"),
        (["--pixel-um", "0.2", "--line-ms", "2", "--uncertainty", "profile"], "Laplace intervals only"),
    ],
)
def test_kymograph_fit_cli_bad_input_exits_2_and_writes_nothing(scan, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["fit", str(scan), "--model", "spark", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and re.search(message, err), err
    assert not out.exists()


def test_kymograph_fit_cli_says_when_there_is_no_spark(tmp_path, capsys):
    noise = 100.0 + np.random.default_rng(0).normal(0.0, 5.0, (50, 40))
    np.save(tmp_path / "quiet.npy", noise)
    assert main(["fit", str(tmp_path / "quiet.npy"), *ARGS[:-2], "--out", str(tmp_path / "out")]) == 2
    assert "no spark detected" in capsys.readouterr().err


def test_kymograph_options_are_refused_for_another_model(scan, tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["fit", str(scan), "--model", "li-rinzel1994", "--pixel-um", "0.2", "--average"]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--pixel-um, --average apply to --model spark" in err and err.count("\n") == 1
    assert not out.exists()
