"""The `cicrjax` command line: outputs, and one-line errors with exit status 2 for every bad input."""

import numpy as np
import pytest

import cicrjax as cj
from cicrjax._cli.main import main


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_every_model(capsys):
    code, out, _ = _run(capsys, "models")
    assert code == 0
    for name, cls in cj.MODELS.items():
        assert name in out and cls.citation in out
    code, out, _ = _run(capsys, "models", "gdb1990")
    assert code == 0 and "VM2" in out and "µM/s" in out and "Goldbeter" in out and "marhl2000" not in out


def test_simulate_writes_csv_and_plot(tmp_path, capsys):
    out, plot = tmp_path / "gdb.csv", tmp_path / "gdb.png"
    code, stdout, err = _run(
        capsys,
        "simulate",
        "gdb1990",
        "--set",
        "beta=0.4",
        "--t-end",
        "10",
        "--dt",
        "0.01",
        "--out",
        str(out),
        "--plot",
        str(plot),
    )
    assert code == 0, err
    header = out.read_text().splitlines()[0]
    assert header == "t,Z,Y"  # time first, cytosolic Ca next
    data = np.loadtxt(out, delimiter=",", skiprows=1)
    assert data.shape == (1001, 3)
    np.testing.assert_allclose(data[:, 0], np.arange(1001) * 0.01, atol=1e-12)
    expected = cj.simulate(cj.GDB1990(beta=0.4), data[:, 0]).ys
    np.testing.assert_allclose(data[:, 1:], np.asarray(expected), rtol=1e-9)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_with_protocol(tmp_path, capsys):
    out = tmp_path / "lr.csv"
    code, _, err = _run(
        capsys,
        "simulate",
        "li-rinzel1994",
        "--protocol",
        "IP3=step:time=5,after=0.5",
        "--t-end",
        "10",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert out.read_text().splitlines()[0] == "t,C,h"


BAD = {
    "unknown model": (["simulate", "gdb", "--out", "{d}/x.csv"], "unknown model 'gdb'; choose one of: gdb1990"),
    "unknown parameter": (["simulate", "gdb1990", "--set", "VM9=1", "--out", "{d}/x.csv"], "unknown parameter 'VM9'"),
    "not NAME=VALUE": (["simulate", "gdb1990", "--set", "VM2", "--out", "{d}/x.csv"], "is not NAME=VALUE"),
    "non-numeric": (["simulate", "gdb1990", "--set", "VM2=abc", "--out", "{d}/x.csv"], "--set VM2 needs a number"),
    "negative": (["simulate", "gdb1990", "--set", "VM2=-3", "--out", "{d}/x.csv"], "VM2 must be > 0"),
    "t-end zero": (["simulate", "gdb1990", "--t-end", "0", "--out", "{d}/x.csv"], "--t-end must be > 0"),
    "t-end text": (["simulate", "gdb1990", "--t-end", "ten", "--out", "{d}/x.csv"], "--t-end needs a number"),
    "dt negative": (["simulate", "gdb1990", "--dt", "-1", "--out", "{d}/x.csv"], "--dt must be > 0"),
    "dt too large": (["simulate", "gdb1990", "--t-end", "5", "--dt", "6", "--out", "{d}/x.csv"], "must not exceed"),
    "bad protocol": (["simulate", "gdb1990", "--protocol", "beta=step:time=1", "--out", "{d}/x.csv"], "missing after"),
    "missing dir": (["simulate", "gdb1990", "--out", "{d}/nope/x.csv"], "does not exist; create it first"),
    "dir as file": (["simulate", "gdb1990", "--out", "{d}"], "is a directory"),
    "bad plot dir": (["simulate", "gdb1990", "--out", "{d}/x.csv", "--plot", "{d}/no/p.png"], "--plot"),
    "unknown models name": (["models", "nosuch"], "unknown model 'nosuch'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    argv, message = BAD[case]
    code, out, err = _run(capsys, *[a.format(d=tmp_path) for a in argv])
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file


def test_unwritable_output(capsys):
    code, _, err = _run(capsys, "simulate", "gdb1990", "--out", "/proc/cicrjax-test.csv")  # /proc takes no new files
    assert code == 2 and "'/proc' is not writable" in err


def test_argparse_errors_are_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "required" in err
    with pytest.raises(SystemExit):
        main(["frobnicate"])
    assert "invalid choice" in capsys.readouterr().err
