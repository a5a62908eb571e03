"""A careless or hostile user of the `cicrjax` command: every bad input is refused cleanly (issue 19).

Each case runs `cicrjax._cli.main.main` in process and asserts its exit status (2 bad input, 1 the computation
failed), exactly one line on stderr with no traceback, nothing on stdout, no file written anywhere (the working
directory and the output folder stay as they were), and that every `--option` the message names is an option of
that command. Most cases are refused before any model is compiled, so the whole file takes seconds.
"""

import errno
import os
import re
import signal
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
    (folder / "no_suite2p").mkdir()
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
