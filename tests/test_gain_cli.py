"""`cicrjax gain`: CSV output, and a one-line error (exit 2, no file) for every bad input."""

import re

import numpy as np
import pytest

import cicrjax as cj
from cicrjax._cli.main import main

VOLTAGES = "-20,-10,0,10,20,30,40,50"  # the same batch shape as test_muscle_hinch.py: one compiled call


def test_gain_cli_writes_columns(tmp_path, capsys):
    out = tmp_path / "gain.csv"
    assert main(["gain", "hinch2004", f"--voltages={VOLTAGES}", "--out", str(out)]) == 0
    header = out.read_text().splitlines()[0]
    assert header == "voltage_mV,peak_gain,integrated_gain,released_per_entered,peak_ca_uM"
    table = np.loadtxt(out, delimiter=",", skiprows=1)
    assert table.shape == (8, 5)
    np.testing.assert_allclose(table[:, 0], [-20, -10, 0, 10, 20, 30, 40, 50])
    direct = cj.voltage_clamp_gain(cj.Hinch2004(), table[:, 0])
    np.testing.assert_allclose(table[:, 1], np.asarray(direct.peak_gain), rtol=1e-8)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hinch2004", "--voltages=0,abc"], r"--voltages entry 'abc' is not a number"),
        (["hinch2004", "--voltages=0,,10"], r"--voltages .* has an empty entry"),
        (["hinch2004", "--voltages=0,500"], r"test voltage 500 mV is outside \[-150, 100\] mV"),
        (["hinch2004", "--voltages=0", "--holding", "-200"], r"holding potential must lie in \[-150, 100\] mV"),
        (["hinch2004", "--voltages=0", "--holding", "x"], r"--holding needs a number"),
        (["hinch2004", "--voltages=0", "--duration", "0"], r"step duration must be > 0 s, got 0"),
        (["hinch2004", "--voltages=0", "--duration", "-1"], r"step duration must be > 0 s, got -1"),
        (["gdb1990", "--voltages=0"], r"model 'gdb1990' has no membrane voltage"),
        (["nosuchmodel", "--voltages=0"], r"unknown model 'nosuchmodel'"),
    ],
)
def test_gain_cli_bad_input(tmp_path, capsys, args, message):
    out = tmp_path / "gain.csv"
    assert main(["gain", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("cicrjax gain: error:")
    assert re.search(message, err), err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_gain_cli_unwritable_output(tmp_path, capsys):
    assert main(["gain", "hinch2004", "--voltages=0", "--out", str(tmp_path / "missing" / "g.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cj.voltage_clamp_gain(cj.GDB1990(), [0.0]), "no membrane voltage V"),
        (lambda: cj.voltage_clamp_gain(cj.Hinch2004(), [0.0], holding=150.0), r"holding potential must lie in"),
        (lambda: cj.voltage_clamp_gain(cj.Hinch2004(), [0.0], duration=0.0), r"step duration must be > 0 s"),
        (lambda: cj.voltage_clamp_gain(cj.Hinch2004(), []), r"non-empty 1-D list"),
        (lambda: cj.voltage_clamp_gain(cj.Hinch2004(), [float("nan")]), r"must be finite"),
        (lambda: cj.voltage_clamp(0.0, holding=-151.0), r"holding potential must lie in"),
        (lambda: cj.voltage_clamp(0.0, duration=-0.1), r"step duration must be > 0 s"),
        (lambda: cj.paced(0.0, count=3), r"pacing rate must be > 0 Hz"),
        (lambda: cj.paced(-2.0, count=3), r"pacing rate must be > 0 Hz"),
        (lambda: cj.paced(10.0, count=3, apd=0.2), r"apd must lie in"),
        (lambda: cj.ActionPotential(period=0.0, count=2), r"period \(the pacing period\) must be > 0 s"),
        (lambda: cj.ActionPotential(period=-1.0, count=2), r"period \(the pacing period\) must be > 0 s"),
        (lambda: cj.ActionPotential(period=0.1, count=2, apd=0.2), r"apd must lie in \(0, period"),
        (lambda: cj.ActionPotential(period=1.0, count=0), r"count must be at least 1"),
        (lambda: cj.caffeine_pulse(0.1, 0.0), r"caffeine pulse duration must be > 0 s"),
        (lambda: cj.caffeine_pulse(0.1, 0.5, level=2.0), r"caffeine level must lie in \[0, 1\]"),
        (lambda: cj.ryr_loss_of_function(cj.Skeletal()), r"has no Ca-activated RyR"),
        (lambda: cj.ryr_loss_of_function(cj.Cardiac(), 0.0), r"factor must be > 0"),
        (lambda: cj.simulate(cj.GDB1990(), [0.0, 1.0], protocol=cj.voltage_clamp(0.0)), r"protocol drives 'V'"),
        (lambda: cj.StepSequence(times=[0.2, 0.1], values=[0.0, 1.0, 2.0]), r"strictly increasing"),
        (lambda: cj.StepSequence(times=[0.1], values=[0.0]), r"needs 1-D times \(n\) and values \(n \+ 1\)"),
    ],
)
def test_library_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gdb1990", "--protocol", "V=step:time=0.01,after=0"], r"protocol drives 'V', which is not a parameter"),
        (["cardiac", "--protocol", "V=pulses:period=0,width=0.2,amplitude=100,count=3"], r"need period > 0"),
        (["cardiac", "--protocol", "V=pulses:period=-1,width=0.2,amplitude=100,count=3"], r"need period > 0"),
    ],
)
def test_simulate_cli_rejects_clamp_without_voltage_and_bad_pacing(tmp_path, capsys, args, message):
    out = tmp_path / "sim.csv"
    assert main(["simulate", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert list(tmp_path.iterdir()) == []
