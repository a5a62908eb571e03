"""`cicrjax wave`: results.json, kymograph.npy and .png; a one-line error (exit 2, nothing written) for bad input."""

import json
import re

import numpy as np
import pytest

import cicrjax as cj
from cicrjax._cli.main import main


def test_wave_atri_writes_results_and_kymograph(tmp_path, capsys):
    out = tmp_path / "atri"
    args = ["wave", "atri1993", "--length", "100", "--dx", "4", "--t-end", "12", "--set", "D_c=25", "--out", str(out)]
    assert main(args) == 0
    result = json.loads((out / "results.json").read_text())
    assert result["dx_um"] == 4.0 and result["length_um"] == 100.0 and result["solver"].startswith("imex-bdf2")
    assert result["propagated"] is True
    kymograph = np.load(out / "kymograph.npy")
    assert kymograph.shape == (401, 25)
    assert (out / "kymograph.png").read_bytes()[:4] == b"\x89PNG"
    # The same number from the library: speed between 25 and 75 µm of the front at 0.5 µM.
    model = cj.AtriWave(grid=cj.Grid(25, 4.0), D_c=25.0)
    sol = cj.simulate_spatial(model, 12.0, save_dt=0.03)
    speed = cj.wave_speed(sol.ts, cj.front_positions(sol.x, sol["c"]), 25.0, 75.0)
    np.testing.assert_allclose(result["speed_um_per_s"], speed, rtol=1e-10)
    np.testing.assert_allclose(kymograph, sol["c"], rtol=1e-12)
    assert "wrote" in capsys.readouterr().out


def test_wave_dendrite_reports_amplification(tmp_path):
    out = tmp_path / "dendrite"
    assert main(["wave", "dendrite", "--t-end", "0.3", "--out", str(out)]) == 0
    result = json.loads((out / "results.json").read_text())
    np.testing.assert_allclose(result["amplification"], cj.dendrite_amplification(cj.Dendrite(), 0.3), rtol=1e-10)
    assert result["speed_um_per_s"] is None or result["propagated"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], r"unknown spatial model 'nosuch'; choose one of atri1993, fdf, firebreak, dendrite"),
        (["fdf", "--dx", "3"], r"dx \(3 µm\) is larger than the release-site spacing d \(2 µm\)"),
        (["atri1993", "--set", "D_c=-1"], r"D_c must be >= 0"),
        (["atri1993", "--set", "nosuch=1"], r"unknown parameter 'nosuch'"),
        (["atri1993", "--length", "1e9", "--dx", "0.001"], r"GiB; use a larger --dx"),
        (["atri1993", "--dx", "-2"], r"--dx must be > 0"),
        (["atri1993", "--out", "/nonexistent/folder/x"], r"folder '/nonexistent/folder' does not exist"),
    ],
)
def test_wave_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["wave", *args] if "--out" in args else ["wave", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cicrjax wave: error:")
    assert re.search(message, err), err
    assert not out.exists()
