"""A careless or hostile user of the `cicrjax` command: every bad input is refused cleanly (issue 19).

Each case runs `cicrjax._cli.main.main` in process and asserts its exit status (2 bad input, 1 the computation
failed), exactly one line on stderr with no traceback, nothing on stdout, no file written anywhere (the working
directory and the output folder stay as they were), and that every `--option` the message names is an option of
that command. Every case is refused before any model is compiled, so they take seconds; the fit tests at the end
compile one small fit (the configuration of tests/test_fitting_cli.py, so a full run compiles it once).
"""

import errno
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cicrjax import ComputationError, InputError
from cicrjax._cli import models, output
from cicrjax._cli.main import build_parser, main

PARSER = build_parser()
COMMANDS = PARSER._subparsers._group_actions[0].choices  # name -> subparser


def _options(command: str) -> set[str]:
    return set(COMMANDS[command]._option_string_actions)


def _files(*folders: Path) -> dict[str, int]:
    return {str(p): p.stat().st_size for folder in folders for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Bad and good input files, written once: a good calcium trace, an ImageJ-style export, and broken files."""
    folder = tmp_path_factory.mktemp("inputs")
    ts = np.arange(40) * 0.05
    good = np.column_stack([ts, 0.1 + 0.05 * np.sin(2 * np.pi * ts)])
    np.savetxt(folder / "good.csv", good, delimiter=",", header="time_s,ca_uM", comments="")
    (folder / "imagej.csv").write_text(
        "\ufeffTime;Mean1\n"
        + "".join(f"{t:.2f}".replace(".", ",") + f";{1 + t:.3f}".replace(".", ",") + "\n" for t in ts),
        encoding="utf-8",
    )
    (folder / "empty.csv").write_text("")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (folder / "nan.csv").write_text("time_s,ca_uM\n0,0.1\n0.05,nan\n0.1,0.2\n")
    (folder / "one_column.csv").write_text("F\n1\n2\n3\n")
    (folder / "ragged.csv").write_text("time_s;F\n0;1\n1;2;3\n")
    (folder / "huge_time.csv").write_text("time_s,F\n0,1\n1e400,2\n")
    (folder / "backwards.csv").write_text("time_s,F\n0,1\n2,2\n1,3\n")
    (folder / "dff.csv").write_text("time_s,dF_over_F0\n0,0\n1,1\n2,0\n")
    (folder / "two_rows.csv").write_text("time_s,ca_uM\n0,0.1\n0.05,0.2\n")
    (folder / "flat.csv").write_text("time_s,ca_uM\n" + "".join(f"{t:.2f},0.1\n" for t in ts))
    (folder / "huge.csv").write_text("time_s,ca_uM\n" + "".join(f"{t:.2f},1e308\n" for t in ts))
    (folder / "no_suite2p").mkdir()
    (folder / "a_file").write_text("x")
    return folder


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _refused(argv, capsys, code, pattern, watch):
    """Run `argv`; assert exit `code`, one stderr line matching `pattern`, no traceback, no file change under
    `watch`, and that every --option named in the message belongs to the command."""
    before = _files(*watch)
    status, out, err = _run(argv, capsys)
    assert status == code, (status, out, err)
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and out == "", (out, err)
    assert re.search(pattern, err), err
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", err))
    assert named <= _options(argv[0]), f"{err!r} names {named - _options(argv[0])}, which {argv[0]} lacks"
    assert _files(*watch) == before
    return err


S = ["simulate", "gdb1990"]
SYN = ["synth", "gdb1990", "--t-end", "1", "--rate", "10"]
CARDIAC = ["synth", "cardiac", "--t-end", "1", "--rate", "10"]
G = ["gain", "hinch2004"]
FIT = ["--model", "li-rinzel1994", "--free", "v3", "--out", "{out}/fit"]
F = ["fit", "{in}/good.csv", *FIT]
CASES = {
    # numbers: text, nan, inf, zero, negative, out of range, absurd sizes
    "set text": ([*S, "--set", "beta=abc"], r"--set beta needs a number"),
    "set nan": ([*S, "--set", "beta=nan"], r"--set beta needs a finite number"),
    "set inf": ([*S, "--set", "VM2=-inf"], r"--set VM2 needs a finite number"),
    "set out of range": ([*S, "--set", "beta=5"], r"beta must lie in \[0, 1\]"),
    "set negative rate": ([*S, "--set", "VM2=-1"], r"VM2 must be > 0"),
    "set unknown": ([*S, "--set", "nope=1"], r"unknown parameter 'nope'"),
    "set empty value": ([*S, "--set", "beta="], r"is not NAME=VALUE"),
    "t-end overflow": ([*S, "--t-end", "1e400"], r"--t-end needs a finite number"),
    "t-end negative": ([*S, "--t-end", "-5"], r"--t-end must be > 0"),
    "dt zero": ([*S, "--dt", "0"], r"--dt must be > 0"),
    "dt nan": ([*S, "--dt", "nan"], r"--dt needs a finite number"),
    "too many points": ([*S, "--t-end", "1e9", "--dt", "1"], r"save points; use a larger --dt"),
    "rtol above 1": ([*S, "--rtol", "2"], r"--rtol must lie in \(0, 1\)"),
    "unknown model": (["simulate", "gdb"], r"unknown model 'gdb'"),
    # repeated keys are refused, never "last one wins"
    "set twice": ([*S, "--set", "beta=0.4", "--set", "beta=0.5"], r"--set gives beta twice"),
    "protocol field twice": ([*S, "--protocol", "beta=step:time=1,time=2,after=0.5"], r"time given twice"),
    "protocol parameter twice": (
        [*S, "--protocol", "beta=constant:value=0.3", "--protocol", "beta=constant:value=0.4"],
        r"drives 'beta' twice",
    ),
    "noise key twice": ([*SYN, "--noise", "gaussian:sigma=1,sigma=2"], r"sigma given twice"),
    # protocols respect the driven parameter's constraint and refuse non-finite times
    "protocol beyond constraint": ([*S, "--protocol", "beta=step:time=1,after=5"], r"beta=5.0 is invalid"),
    "protocol pulses beyond": (
        [*S, "--protocol", "beta=pulses:period=1,width=0.5,amplitude=0.8,count=2"],
        r"beta=1.101 is invalid",
    ),
    "protocol ramp negative": ([*S, "--protocol", "v0=ramp:start=0,end=1,from=1,to=-1"], r"v0=-1.0 is invalid"),
    "protocol nan time": ([*S, "--protocol", "beta=step:time=nan,after=0.5"], r"time needs a finite number"),
    "protocol inf value": ([*S, "--protocol", "beta=constant:value=inf"], r"value needs a finite number"),
    "protocol huge count": (
        [*S, "--protocol", "beta=pulses:period=1,width=0.1,amplitude=0.1,count=1e9"],
        r"count must be a whole number in \[1, 100000\]",
    ),
    "protocol unknown parameter": ([*S, "--protocol", "V=constant:value=0"], r"not a parameter of model 'gdb1990'"),
    # outputs that cannot be written are refused before any work
    "out is a folder": ([*S, "--out", "{out}"], r"is a directory"),
    "out folder missing": ([*S, "--out", "{out}/missing/x.csv"], r"does not exist; create it first"),
    "out read-only": ([*S, "--out", "/proc/cicrjax-fuzz.csv"], r"is not writable"),
    "plot folder missing": ([*S, "--plot", "{out}/missing/p.png"], r"--plot .* does not exist"),
    # synth: options that the chosen observation would ignore are refused
    "fura2 with kind": ([*SYN, "--observe", "fura2", "--kind", "df_f0"], r"--kind applies to single-wavelength"),
    "calcium with scale": ([*SYN, "--scale", "2", "--offset", "1"], r"--scale, --offset apply to single-wavelength"),
    "fura2 dynamic": ([*SYN, "--observe", "fura2", "--dynamic"], r"--dynamic applies to single-wavelength"),
    "rate zero": ([*SYN, "--rate", "0"], r"--rate > 0"),
    "frames absurd": ([*SYN[:2], "--t-end", "1e300", "--rate", "10"], r"gives 1e\+301 frames"),
    "seed negative": ([*SYN, "--seed", "-1"], r"--seed must be at least 0"),
    "seed too large": ([*SYN, "--seed", str(2**32)], r"--seed must be at most"),
    "seed fraction": ([*SYN, "--seed", "1.5"], r"--seed needs a whole number"),
    "exposure too long": ([*SYN, "--exposure", "1"], r"--exposure must lie in"),
    "noise nan": ([*SYN, "--noise", "gaussian:sigma=nan"], r"sigma needs a finite number"),
    "bleach negative": ([*SYN, "--observe", "fluo4", "--bleach", "mono:tau=-1"], r"tau must be > 0"),
    "out suffix": ([*SYN, "--out", "{out}/x.txt"], r"must end in .csv or .npz"),
    # pacing: one library check (cicrjax.pace) for synth and fit
    "pace without V": ([*SYN, "--pace-period", "1"], r"pacing drives the membrane voltage V, which model gdb1990"),
    "pace period zero": ([*CARDIAC, "--pace-period", "0"], r"pacing period must be > 0 s"),
    "pace count zero": ([*CARDIAC, "--pace-period", "1", "--pace-count", "0"], r"--pace-count must be at least 1"),
    "pace count huge": ([*CARDIAC, "--pace-period", "1", "--pace-count", "1000000"], r"\[1, 100000\]"),
    "pace and V protocol": (
        [*CARDIAC, "--pace-period", "1", "--protocol", "V=constant:value=0"],
        r"the protocol drives V as well",
    ),
    # gain: the library checks the clamp once
    "gain voltage out of range": ([*G, "--voltages=0,500"], r"test voltage 500 mV is outside \[-150, 100\] mV"),
    "gain voltage nan": ([*G, "--voltages=nan"], r"test voltages must be finite"),
    "gain holding inf": ([*G, "--voltages=0", "--holding", "inf"], r"--holding needs a finite number"),
    "gain duration zero": ([*G, "--voltages=0", "--duration", "0"], r"step duration must be > 0 s"),
    "gain empty voltages": ([*G, "--voltages="], r"has an empty entry"),
    "gain without voltage": (["gain", "gdb1990", "--voltages=0"], r"has no membrane voltage V"),
    # inspect: every file problem is one line naming the file
    "missing file": (["inspect", "{in}/nope.csv"], r"nope.csv: no such file"),
    "empty file": (["inspect", "{in}/empty.csv"], r"the file is empty"),
    "binary file": (["inspect", "{in}/binary.csv"], r"binary content"),
    "folder": (["inspect", "{in}/no_suite2p"], r"without suite2p output"),
    "folder as csv": (["inspect", "{in}/no_suite2p", "--format", "csv"], r"a folder, but format 'csv' reads a file"),
    "nan values": (["inspect", "{in}/nan.csv"], r"NaN/inf/empty value.*--nan drop\|interpolate"),
    "no time column": (["inspect", "{in}/one_column.csv"], r"no time column.*--sampling-rate"),
    "bare Time": (["inspect", "{in}/imagej.csv"], r"time column 'Time' gives no unit.*--time-unit"),
    "ragged semicolons": (["inspect", "{in}/ragged.csv"], r"semicolon-separated.*--delimiter ';'"),
    "overflowing time": (["inspect", "{in}/huge_time.csv"], r"time column 'time_s' has 1 missing or non-finite"),
    "backwards time": (["inspect", "{in}/backwards.csv"], r"goes backwards at line 4"),
    "kind contradicts": (["inspect", "{in}/dff.csv", "--kind", "ratio"], r"kind='ratio' \(--kind ratio\) contradicts"),
    "column twice": (["inspect", "{in}/good.csv", "--column", "ca_uM", "--column", "ca_uM"], r"chosen twice"),
    "unknown column": (["inspect", "{in}/good.csv", "--column", "F"], r"no column 'F'"),
    "unknown time unit": (["inspect", "{in}/imagej.csv", "--time-unit", "fortnights"], r"unknown time unit"),
    "rate contradicts": (["inspect", "{in}/good.csv", "--sampling-rate", "1000"], r"contradicts the time column"),
    "threshold": (["inspect", "{in}/good.csv", "--threshold", "1"], r"--threshold must lie in \(0, 1\)"),
    "negative rate": (["inspect", "{in}/one_column.csv", "--sampling-rate", "-1"], r"--sampling-rate must be > 0"),
    "metrics folder missing": (["inspect", "{in}/good.csv", "--out", "{out}/no/m.csv"], r"does not exist"),
    # fit: every check before any output is created or any model compiled
    "fit duplicate fix": ([*F, "--fix", "v1=6", "--fix", "v1=7"], r"--fix gives v1 twice"),
    "fit duplicate start": ([*F, "--start", "v3=1", "--start", "v3=1"], r"--start gives v3 twice"),
    "fit duplicate bounds": ([*F, "--bounds", "v3=1:2", "--bounds", "v3=1:3"], r"--bounds gives v3 twice"),
    "fit duplicate prior": (
        [*F, "--prior", "v3=normal:1:1", "--prior", "v3=normal:1:2"],
        r"--prior gives v3 twice",
    ),
    "fit negative bound of a rate": ([*F, "--bounds", "v3=-10:10"], r"bounds of v3 must be > 0, got -10:10"),
    "fit bounds nan": ([*F, "--bounds", "v3=nan:1"], r"--bounds v3 \(lower\) needs a finite number"),
    "fit start outside": ([*F, "--bounds", "v3=0.5:2", "--start", "v3=3"], r"start v3=3 lies outside"),
    "fit fix out of range": ([*F, "--fix", "v1=-1"], r"v1 must be > 0"),
    "fit starts absurd": ([*F, "--starts", "100000"], r"--starts must be at most 1024"),
    "fit max-iter zero": ([*F, "--max-iter", "0"], r"--max-iter must be at least 1"),
    "fit rtol zero": ([*F, "--rtol", "0"], r"--rtol must be in \(0, 0.01\], got 0; 1e-6 is the default"),
    "fit rtol word": ([*F, "--rtol", "tight"], r"--rtol"),
    "fit two rows": (["fit", "{in}/two_rows.csv", *FIT], r"2 data point\(s\) cannot determine 1 free and 3 profiled"),
    "fit constant trace": (["fit", "{in}/flat.csv", *FIT], r"trace 0 is constant"),
    "fit 1e308 trace": (["fit", "{in}/huge.csv", *FIT], r"data reach 1e\+308 in magnitude"),
    "fit nan values": (["fit", "{in}/nan.csv", *FIT], r"NaN/inf/empty.*--nan drop\|interpolate"),
    "fit one column": (["fit", "{in}/one_column.csv", *FIT], r"no time column.*--sampling-rate"),
    "fit ragged semicolons": (["fit", "{in}/ragged.csv", *FIT], r"semicolon-separated.*--delimiter ';'"),
    "fit bare Time": (["fit", "{in}/imagej.csv", *FIT, "--indicator", "fluo4"], r"'Time' gives no unit.*--time-unit"),
    "fit kind contradicts": ([*F, "--kind", "ratio"], r"contradicts the column\(s\) ca_uM"),
    "fit empty folder": (["fit", "{in}/no_suite2p", *FIT], r"holds no recording"),
    "fit missing file": (["fit", "{in}/nope.csv", *FIT], r"nope.csv: no such file"),
    "fit raw without indicator": (["fit", "{in}/imagej.csv", *FIT, "--time-unit", "s"], r"needs --indicator"),
    "fit unknown indicator": ([*F, "--indicator", "nope"], r"unknown indicator 'nope'"),
    "fit protocol nan": ([*F, "--protocol", "IP3=step:time=nan,after=1"], r"time needs a finite number"),
    "fit protocol beyond": ([*F, "--protocol", "IP3=constant:value=-1"], r"IP3=-1.0 is invalid"),
    "fit pacing without V": ([*F, "--pacing-period", "1"], r"pacing drives the membrane voltage V"),
    "fit out is a file": (["fit", "{in}/good.csv", *FIT[:-2], "--out", "{in}/a_file"], r"is a file; give a folder"),
    "fit out parent missing": (["fit", "{in}/good.csv", *FIT[:-2], "--out", "{out}/no/fit"], r"does not exist"),
    "fit out read-only": (["fit", "{in}/good.csv", *FIT[:-2], "--out", "/proc/cicrjax-fit"], r"cannot be created"),
    "fit petab and loader option": (["fit", "--petab", "p.yaml", "--format", "csv", *FIT[4:]], r"--format read"),
    "fit petab uncertainty": (["fit", "--petab", "p.yaml", "--uncertainty", "none", *FIT[4:]], r"drop --uncertainty"),
    "fit no recording": (["fit", *FIT], r"give a RECORDING file"),
    "demo out read-only": (["demo", "--out", "/proc/cicrjax-demo"], r"--out '/proc/cicrjax-demo' cannot be created"),
    "demo out is a file": (["demo", "--out", "{in}/a_file"], r"is a file; give a folder"),
    "demo starts zero": (["demo", "--starts", "0"], r"--starts must be at least 1"),
    # argparse's own errors are one line too
    "no command": ([], r"required"),
    "unknown command": (["frobnicate"], r"invalid choice"),
    "missing option": (["simulate"], r"required"),
    "bad choice": (["synth", "gdb1990", "--t-end", "1", "--rate", "1", "--observe", "nope", "--out", "x.csv"], "nope"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_in_one_line_writing_nothing(case, inputs, tmp_path, capsys, monkeypatch):
    argv, pattern = CASES[case]
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(tmp_path)  # a stray relative output would show up here
    argv = [a.format(**{"in": inputs, "out": out}) for a in argv]
    if argv and argv[0] in ("simulate", "synth", "gain") and "--out" not in argv:
        argv += ["--out", str(out / "result.csv")]
    if not argv or argv[0] not in COMMANDS:
        status, _, err = _run(argv, capsys)
        assert status == 2 and err.count("\n") == 1 and re.search(pattern, err), err
        return
    _refused(argv, capsys, 2, pattern, (tmp_path, inputs))


def test_imagej_export_loads_with_only_the_time_unit(inputs, capsys):
    """A real ImageJ export through a German spreadsheet (BOM, ';', decimal commas, bare `Time`) loads with
    `--time-unit s`, and inspect says what it assumed."""
    status, out, err = _run(["inspect", str(inputs / "imagej.csv"), "--time-unit", "s"], capsys)
    assert status == 0, err
    assert "40 samples at 20 Hz" in out and "semicolon-separated; decimal commas" in out


def test_unreadable_file_is_one_line(inputs, tmp_path, capsys, monkeypatch):
    """A file the user may not read (PermissionError; root ignores permission bits, so it is simulated)."""
    real = Path.read_bytes

    def denied(self):
        if self.name == "good.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    _refused(["inspect", str(inputs / "good.csv")], capsys, 2, r"good.csv: cannot read it \(Permission denied\)", [])


def _command(monkeypatch, func):
    """Make `cicrjax models` run `func` instead."""
    monkeypatch.setattr(models, "run", func)


def test_error_policy_exit_codes(monkeypatch, capsys, tmp_path):
    """InputError exits 2, ComputationError 1 (both one line), a user's OSError 2, a bug 1 with its traceback."""

    def raises(error):
        def func(args):
            raise error

        return func

    for error, code in (
        (InputError("bad value\nsecond line"), 2),
        (ComputationError("all 8 starts failed"), 1),
        (PermissionError(errno.EACCES, "Permission denied", "/root/x"), 2),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp"), 2),
    ):
        _command(monkeypatch, raises(error))
        _refused(["models"], capsys, code, r"cicrjax models: error: ", [tmp_path])
    _command(monkeypatch, raises(KeyError("internal")))
    status, out, err = _run(["models"], capsys)
    assert status == 1 and "Traceback" in err and "KeyError: 'internal'" in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_terminated_run_leaves_no_temporary_file(monkeypatch, capsys, tmp_path):
    """SIGTERM while an output is half-written: exit 130 and no `.name.*` temporary file left beside the output."""

    def writes_then_is_killed(args):
        with output.atomic_path(tmp_path / "fit.png") as tmp:
            tmp.write_bytes(b"half")
            os.kill(os.getpid(), signal.SIGTERM)
            raise AssertionError("SIGTERM did not interrupt")  # pragma: no cover

    _command(monkeypatch, writes_then_is_killed)
    status, _, err = _run(["models"], capsys)
    assert status == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_failed_integration_exits_1_naming_only_its_own_options(tmp_path, capsys):
    """`simulate --t-end 1e9` runs out of solver steps: exit 1, one line, no hint at a `max_steps` option."""
    err = _refused(
        ["simulate", "gdb1990", "--t-end", "1e9", "--out", str(tmp_path / "x.csv")], capsys, 1, r"failed", [tmp_path]
    )
    assert "max_steps" not in err and "budget of 100000 steps" in err


# ---------------------------------------------------------------- fit: failures, --start, locks, resume


TS = np.linspace(0.0, 2.0, 21)
THRESHOLD_95 = 1.920729410347062  # χ²₁(0.95)/2 (scipy.stats.chi2.ppf(0.95, 1) / 2)
BLACKJAX = importlib.util.find_spec("blackjax") is not None


def _strs(argv):
    return [str(a) for a in argv]


def _simulate(v3: float) -> np.ndarray:
    import jax.numpy as jnp

    import cicrjax

    model = cicrjax.LiRinzel1994(v3=v3)
    return np.asarray(cicrjax.simulate(model, jnp.asarray(TS), rtol=1e-10, atol=1e-12)["C"])


@pytest.fixture(scope="module")
def calcium_csv(tmp_path_factory):
    """The recording of tests/test_fitting_cli.py (same shape and options, so the compiled fit is shared): Li–Rinzel
    Ca at the default v3 = 0.9 µM/s with N(0, 0.002²) noise."""
    noisy = _simulate(0.9) + 0.002 * np.random.default_rng(0).normal(size=TS.size)
    path = tmp_path_factory.mktemp("rec") / "ca.csv"
    np.savetxt(path, np.column_stack([TS, noisy]), delimiter=",", header="time_s,ca_uM", comments="")
    return path


def _fit_argv(recording, out, *extra):
    argv = ["fit", str(recording), "--model", "li-rinzel1994", "--free", "v3", "--bounds", "v3=0.5:1.5"]
    return [*argv, "--start", "v3=0.7", "--starts", "2", "--max-iter", "40", *extra, "--out", str(out)]


def test_fit_whose_every_start_fails_exits_1_and_writes_nothing(calcium_csv, tmp_path, capsys):
    """Issue 19, item 1: with the leak v2 = 1e7 /s the solver exhausts its steps at every start; the command fails
    (exit 1, one error line after the progress lines) and leaves no results and no --out folder behind."""
    out = tmp_path / "fo"
    status, stdout, err = _run(_fit_argv(calcium_csv, out, "--fix", "v2=1e7"), capsys)
    assert status == 1 and stdout == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cicrjax fit: error: all 2 start(s) failed") and "--max-iter" in last
    assert not out.exists()


def test_fit_honours_start_and_uncertainty_none(calcium_csv, tmp_path, capsys):
    """Issue 19, items 2 and 7: --start is the first start (the per-start table says where each began);
    --uncertainty none prints no interval step and no [nan, nan]; the lock file is gone afterwards."""
    out = tmp_path / "fit"
    status, stdout, err = _run(_fit_argv(calcium_csv, out, "--uncertainty", "none"), capsys)
    assert status == 0, err
    result = json.loads((out / "results.json").read_text())
    first = next(row for row in result["starts"] if row["start"] == 0)
    assert first["from"]["v3"] == pytest.approx(0.7, rel=1e-12)
    assert result["status"] == "converged" and result["parameters"]["v3"]["estimate"] == pytest.approx(0.9, rel=0.05)
    assert "[" not in stdout and "nan" not in stdout and "computing intervals" not in err
    assert sorted(p.name for p in out.iterdir()) == ["fit.csv", "fit.png", "results.json"]


def test_start_is_the_only_start_of_one(calcium_csv):
    """With --starts 1 the given start is the only one (sample_starts with include_initial, as the CLI asks)."""
    import cicrjax
    from fitting import define_problem, sample_starts

    rec = cicrjax.load_recording(calcium_csv)
    problem = define_problem(
        cicrjax.LiRinzel1994(), rec.time, rec.traces, free=["v3"], bounds={"v3": (0.5, 1.5)}, start={"v3": 0.7}
    )
    starts = sample_starts(problem, 1, seed=3, include_initial=True)
    assert starts.shape == (1, 1)
    assert float(problem.natural(starts[0])[0]) == pytest.approx(0.7, rel=1e-12)


def test_second_writer_is_refused_and_a_stale_lock_taken_over(calcium_csv, tmp_path, capsys):
    """Issue 19, item 8: a live run's lock in --out refuses a second writer before any fit; a lock whose process is
    gone is taken over (checked here without fitting: the folder is refused or accepted before compiling)."""
    out = tmp_path / "busy"
    out.mkdir()
    (out / output.LOCK_NAME).write_text(f"{os.getpid()} {socket.gethostname()}\n")
    err = _refused(
        _fit_argv(calcium_csv, out), capsys, 2, rf"being written by another cicrjax run \(pid {os.getpid()}", []
    )
    assert "--out" in err
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / output.LOCK_NAME).write_text(f"{dead.pid} {socket.gethostname()}\n")
    with output.output_folder(out, "--out") as folder:
        assert (folder / output.LOCK_NAME).read_text().split()[0] == str(os.getpid())
    assert not (out / output.LOCK_NAME).exists()


def test_folder_resume_skips_finished_and_locked_entries(calcium_csv, tmp_path, capsys):
    """A folder of recordings: an entry with results.json is done, one whose folder another live run has locked is
    in progress; both are skipped, nothing is fitted or written."""
    folder = tmp_path / "cells"
    folder.mkdir()
    for name in ("cell0", "cell1"):
        (folder / f"{name}.csv").write_bytes(calcium_csv.read_bytes())
    out = tmp_path / "fits"
    (out / "cell0").mkdir(parents=True)
    (out / "cell0" / "results.json").write_text("{}")
    (out / "cell1").mkdir()
    (out / "cell1" / output.LOCK_NAME).write_text(f"{os.getpid()} {socket.gethostname()}\n")
    before = _files(out)
    status, stdout, err = _run(_fit_argv(folder, out), capsys)
    assert status == 0 and "fitted 0 of 2 recording(s)" in stdout
    assert "already fitted" in err and f"being fitted by another run (pid {os.getpid()}" in err
    assert _files(out) == before


# `cicrjax fit --uncertainty profile|posterior` (issue 15) on the same recording and fit: the profile interval's ends
# lie where an independently computed profile NLL rises by χ²₁(0.95)/2; the posterior's files and diagnostics; every
# bad option refused.
def _profiled_nll(v3: float, data: np.ndarray) -> float:
    """The Gaussian NLL with offset, scale and σ profiled in closed form (numpy least squares of the data on the
    simulated Ca, σ̂² = RSS/n): the fit's objective, computed independently of the fitting code."""
    design = np.column_stack([np.ones(TS.size), _simulate(v3)])
    rss = float(np.sum((data - design @ np.linalg.lstsq(design, data, rcond=None)[0]) ** 2))
    n = TS.size
    return 0.5 * n * (np.log(2 * np.pi * rss / n) + 1)


@pytest.fixture(scope="module")
def profile_run(calcium_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("profile") / "fit"
    code = main([str(a) for a in _fit_argv(calcium_csv, out, "--uncertainty", "profile", "--profile-points", "4")])
    assert code == 0
    return out, json.loads((out / "results.json").read_text())


def test_profile_interval_ends_where_the_independent_profile_nll_rises_by_1_92(calcium_csv, profile_run):
    out, result = profile_run
    assert result["ci_method"] == "profile"
    assert result["profiles"]["v3"] == {"open_low": False, "open_high": False, "flat": False}
    v3 = result["parameters"]["v3"]
    assert v3["ci_low"] < v3["estimate"] < v3["ci_high"]
    data = np.loadtxt(calcium_csv, delimiter=",", skiprows=1)[:, 1]
    best = _profiled_nll(v3["estimate"], data)
    assert best == pytest.approx(result["nll"], abs=0.01)  # the fit's objective (its solver runs at rtol 1e-6)
    # one free parameter: the profile is the NLL itself; its ends interpolate √(2ΔNLL) linearly between grid points
    for end in (v3["ci_low"], v3["ci_high"]):
        assert _profiled_nll(end, data) - best == pytest.approx(THRESHOLD_95, abs=0.05)
    rows = np.genfromtxt(out / "profiles.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert rows.size == 9 and set(rows["parameter"]) == {"v3"} and np.all(rows["converged"] == 1)
    np.testing.assert_allclose(rows["value"][4], v3["estimate"], rtol=1e-8)
    np.testing.assert_allclose(rows["delta_nll"], rows["nll"] - rows["nll"].min(), atol=1e-8)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["fit.csv", "fit.png", "profiles.csv", "profiles.png", "results.json"]


@pytest.mark.skipif(not BLACKJAX, reason="blackjax (extra) missing")
def test_posterior_from_the_cli_writes_draws_and_diagnostics(calcium_csv, tmp_path, capsys, monkeypatch):
    """The command's wiring of `fitting.posterior`: the sampler's compiled loop (NUTS itself is checked against a
    conjugate posterior in tests/test_posterior.py, and costs some 20 s to compile) is replaced by independent
    N(θ̂, 0.01²) draws, so R̂ ≈ 1 and the interval is θ̂ ± 1.96·0.01 in the unconstrained (log) coordinate."""
    import fitting._posterior

    def draws(log_density, starts, key, warmup, draws):
        chains, k = starts.shape
        theta = np.mean(starts, axis=0) + 0.01 * np.random.default_rng(5).standard_normal((chains, draws, k))
        return theta, np.zeros((chains, draws), bool), np.full((chains, draws), 0.8), np.full(chains, 0.1)

    monkeypatch.setattr(fitting._posterior, "_run", draws)
    out = tmp_path / "post"
    extra = ("--uncertainty", "posterior", "--chains", "3", "--warmup", "10", "--draws", "400")
    code, _, err = _run(_strs(_fit_argv(calcium_csv, out, *extra)), capsys)
    assert code == 0, err
    result = json.loads((out / "results.json").read_text())
    assert result["ci_method"] == "posterior" and "computing intervals (posterior)" in err
    diagnostics = result["diagnostics"]
    assert set(diagnostics["rhat"]) == set(diagnostics["ess_bulk"]) == {"v3"} and diagnostics["divergences"] == 0
    assert diagnostics["rhat"]["v3"] == pytest.approx(1.0, abs=0.02) and diagnostics["ess_bulk"]["v3"] > 600
    saved = np.load(out / "posterior.npz")
    assert saved["samples"].shape == (3, 400, 1) and list(saved["names"]) == ["v3"]
    np.testing.assert_allclose(saved["samples"], np.exp(saved["theta"]), rtol=1e-12)  # v3 has a log transform
    v3 = result["parameters"]["v3"]
    low, high = np.percentile(saved["samples"][..., 0], [2.5, 97.5])
    assert (v3["ci_low"], v3["ci_high"]) == pytest.approx((low, high), rel=1e-12)
    assert np.log(high / low) == pytest.approx(2 * 1.96 * 0.01, rel=0.1)
    assert (out / "posterior.nc").exists() == (importlib.util.find_spec("arviz") is not None)
    assert (out / "chains.png").stat().st_size > 0 and (out / "corner.png").stat().st_size > 0


@pytest.mark.parametrize(
    "extra, pattern",
    [
        (["--uncertainty", "bogus"], r"argument --uncertainty: invalid choice: 'bogus'"),
        (["--chains", "4"], r"--chains applies to --uncertainty posterior; drop it or give --uncertainty posterior"),
        (["--uncertainty", "profile", "--draws", "9"], r"--draws applies to --uncertainty posterior"),
        (["--uncertainty", "posterior", "--profile-points", "4"], r"--profile-points applies to --uncertainty prof"),
        (["--uncertainty", "profile", "--profile-points", "1"], r"--profile-points must be at least 2, got 1"),
        (["--uncertainty", "posterior", "--chains", "1"], r"--chains must be at least 2, got 1"),
        (["--uncertainty", "posterior", "--draws", "x"], r"--draws needs a whole number, got 'x'"),
    ],
)
def test_bad_uncertainty_options_exit_2_before_anything_is_written(calcium_csv, tmp_path, capsys, extra, pattern):
    out = tmp_path / "fit"
    code, stdout, err = _run(_strs(_fit_argv(calcium_csv, out, *extra)), capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 1 and "Traceback" not in err, err
    assert re.search(pattern, err), err
    assert not out.exists()


def test_posterior_without_blackjax_names_the_extra(calcium_csv, tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "blackjax" else find_spec(name))
    out = tmp_path / "fit"
    code, stdout, err = _run(_strs(_fit_argv(calcium_csv, out, "--uncertainty", "posterior")), capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 1, err
    assert "posterior sampling needs blackjax: pip install 'cicrjax[posterior]'" in err
    assert not out.exists()
