"""`cicrjax fit`: a small fit end to end (outputs and their keys), and every bad input (exit 2, one line)."""

import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax._cli.main import main

TS = np.linspace(0.0, 2.0, 21)


@pytest.fixture(scope="module")
def calcium_csv(tmp_path_factory):
    ca = np.asarray(cicrjax.simulate(cicrjax.LiRinzel1994(), jnp.asarray(TS), rtol=1e-10, atol=1e-12)["C"])
    noisy = ca + 0.002 * np.random.default_rng(0).normal(size=ca.shape)
    path = tmp_path_factory.mktemp("rec") / "ca.csv"
    np.savetxt(path, np.column_stack([TS, noisy]), delimiter=",", header="time_s,ca_uM", comments="")
    return path


def _fails(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert match in err, err
    return err


def test_fit_writes_results_fit_csv_and_png(calcium_csv, tmp_path, capsys):
    out = tmp_path / "fit"
    argv = [str(calcium_csv), "--model", "li-rinzel1994", "--free", "v3", "--bounds", "v3=0.5:1.5"]
    argv += ["--start", "v3=0.7", "--starts", "2", "--max-iter", "40", "--out", str(out)]
    assert main(["fit", *argv]) == 0
    result = json.loads((out / "results.json").read_text())
    for key in (
        "model",
        "recording",
        "parameters",
        "derived",
        "nll",
        "r2",
        "aic",
        "converged",
        "n_starts",
        "n_starts_at_best",
        "wall_time_s",
    ):
        assert key in result
    v3 = result["parameters"]["v3"]
    assert v3["free"] and v3["unit"] and v3["estimate"] == pytest.approx(0.9, rel=0.05)
    assert v3["ci_low"] < v3["estimate"] < v3["ci_high"]
    v1 = result["parameters"]["v1"]
    assert (v1["estimate"], v1["free"], v1["ci_low"], v1["ci_high"]) == (6.0, False, None, None)
    assert result["n_starts"] == 2 and 1 <= result["n_starts_at_best"] <= 2
    assert result["r2"] > 0.99
    rows = np.genfromtxt(out / "fit.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert rows.dtype.names == ("trace", "time", "data", "fit", "residual") and rows.shape == (21,)
    np.testing.assert_allclose(rows["residual"], rows["data"] - rows["fit"], atol=1e-8)
    assert (out / "fit.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--free", "nope"], "unknown parameter 'nope' to fit for model li-rinzel1994; valid: a2, d1"),
        (["--free", "v3", "--fix", "nope=1"], "unknown parameter 'nope' to fix for model li-rinzel1994"),
        (["--free", "v3", "--bounds", "v3=2:1"], "bounds of v3 need lo < hi, got 2:1"),
        (["--free", "v3", "--bounds", "v3=1:1"], "bounds of v3 need lo < hi, got 1:1"),
        (["--free", "v3", "--bounds", "v3=1:2"], "initial value v3=0.9 lies outside its bounds 1:2"),
        (["--free", "v3", "--bounds", "v3=0.5:2", "--start", "v3=3"], "start v3=3 lies outside its bounds 0.5:2"),
        (["--free", "v3", "--starts", "0"], "--starts must be at least 1, got 0"),
        (["--free", "v3", "--starts", "many"], "--starts needs a whole number"),
        (
            ["--free", "v3", "--kind", "df_f0", "--indicator", "fluo4"],
            "kind='df_f0' (--kind df_f0) contradicts the column(s) ca_uM",
        ),
        (["--free", "v3", "--bounds", "v1=1:2"], "v1 has bounds, a transform or a start but is not free"),
        (["--free", "v3", "--fix", "v1"], "--fix 'v1' is not NAME=VALUE"),
        (["--bounds", "v3=1:2"], "initial value v3=0.9 lies outside its bounds 1:2"),  # v3 free by default
        (["--free", "v3", "--map", "a=b"], "--map applies to --petab problems only"),
        (["--free", "v3,y0.Q"], "unknown initial state 'y0.Q' to fit for model li-rinzel1994; valid: y0.C, y0.h"),
        (["--free", "v3", "--prior", "v3=gamma:1:2"], "--prior v3='gamma:1:2' is not KIND:LOC:SCALE"),
        (["--free", "v3", "--prior", "v3=normal:1"], "is not KIND:LOC:SCALE"),
        (
            ["--free", "v3", "--prior", "v3=normal:1:0"],
            "--prior v3: a normal prior needs a finite location and a scale > 0",
        ),
        (["--free", "v3", "--prior", "v3=lognormal:-1:0.5"], "--prior v3: a lognormal prior needs a median > 0"),
        (["--free", "v3", "--prior", "v1=normal:1:1"], "v1 has a prior but is not free; add it to free"),
        (
            ["--free", "v3", "--prior", "v3=normal:1:1", "--optimiser", "lm"],
            "Levenberg–Marquardt fits least squares and ignores priors",
        ),
        (["--free", "v3", "--pacing-period", "0.5"], "pacing drives the membrane voltage V, which model li-rinzel1994"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(calcium_csv, tmp_path, capsys, extra, match):
    out = tmp_path / "out"
    _fails(capsys, ["fit", str(calcium_csv), "--model", "li-rinzel1994", *extra, "--out", str(out)], match)
    assert not (out / "results.json").exists()


def test_bad_model_recording_and_kind_needing_indicator(calcium_csv, tmp_path, capsys):
    out = str(tmp_path / "o")
    _fails(capsys, ["fit", str(calcium_csv), "--model", "nope", "--free", "v3", "--out", out], "unknown model 'nope'")
    _fails(
        capsys,
        ["fit", str(tmp_path / "missing.csv"), "--model", "li-rinzel1994", "--free", "v3", "--out", out],
        "no such file",
    )
    raw = tmp_path / "raw.csv"
    np.savetxt(raw, np.column_stack([TS, TS + 1.0]), delimiter=",", header="time_s,F_au", comments="")
    _fails(capsys, ["fit", str(raw), "--model", "li-rinzel1994", "--free", "v3", "--out", out], "needs --indicator")
    _fails(capsys, ["fit", "--model", "li-rinzel1994", "--out", out], "give a RECORDING file")
    _fails(capsys, ["fit", str(raw), "--model", "sneyd2002", "--petab", "x.yaml", "--out", out], "not both")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _fails(
        capsys,
        ["fit", str(calcium_csv), "--model", "li-rinzel1994", "--free", "v3", "--out", str(blocker)],
        "is a file; give a folder",
    )


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--pacing-period", "0"], "the pacing period must be > 0 s, got 0"),
        (["--pacing-period", "-1"], "the pacing period must be > 0 s, got -1"),
        (["--pacing-period", "x"], "--pacing-period needs a number"),
        (["--pacing-period", "0.5", "--protocol", "V=constant:value=0"], "the protocol drives V as well"),
        (["--pacing-period", "0.5", "--prepace", "-1"], "--prepace must be at least 0"),
        (["--pacing-period", "0.5", "--settle", "-1"], "--settle must be at least 0"),
    ],
)
def test_bad_pacing_inputs(calcium_csv, tmp_path, capsys, extra, match):
    out = tmp_path / "out"
    _fails(capsys, ["fit", str(calcium_csv), "--model", "cardiac", "--free", "K_act", *extra, "--out", str(out)], match)
    assert not out.exists() or not any(out.iterdir())


def test_folder_of_recordings_is_fitted_one_by_one_and_resumes(calcium_csv, tmp_path, capsys):
    """A folder: every recording into --out/NAME/; a second run skips the finished ones; a bad file stops the
    whole run before any fit (exit 2, nothing written)."""
    folder = tmp_path / "cells"
    folder.mkdir()
    ca = np.loadtxt(calcium_csv, delimiter=",", skiprows=1)
    for i, scale in enumerate((1.0, 1.1)):
        np.savetxt(folder / f"cell{i}.csv", ca * [1.0, scale], delimiter=",", header="time_s,ca_uM", comments="")
    (folder / "notes.md").write_text("not a recording")
    out = tmp_path / "fits"
    argv = ["fit", str(folder), "--model", "li-rinzel1994", "--free", "v3", "--bounds", "v3=0.5:1.5"]
    argv += ["--start", "v3=0.7", "--starts", "2", "--max-iter", "40", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "fitted 2 of 2 recording(s)" in captured.out
    assert "[2/2]" in captured.err and "optimising [" in captured.err
    first = {i: json.loads((out / f"cell{i}" / "results.json").read_text()) for i in range(2)}
    assert first[0]["parameters"]["v3"]["estimate"] == pytest.approx(0.9, rel=0.05)
    assert first[1]["recording"].endswith("cell1.csv")
    assert main(argv) == 0  # resumed: both done already
    captured = capsys.readouterr()
    assert "fitted 0 of 2 recording(s)" in captured.out and captured.err.count("already fitted") == 2

    (folder / "cell2.csv").write_text("time_s,ca_uM\n0,1\n")
    out2 = tmp_path / "fits2"
    _fails(capsys, [*argv[:-1], str(out2)], "cell2.csv")
    assert not out2.exists()  # created only once every recording has been read and checked
    _fails(capsys, [argv[0], str(tmp_path / "none*.csv"), *argv[2:]], "matches no recording")
    empty = tmp_path / "empty"
    empty.mkdir()
    _fails(capsys, [argv[0], str(empty), *argv[2:]], "holds no recording")


def test_demo_fits_the_bundled_recording(tmp_path, capsys):
    """`cicrjax demo` (the default strategy, auto): every start reaches the optimum of the bundled Li–Rinzel
    Fura-2 recording, within 2% of the generating v3 = 0.9 µM/s and d5 = 0.08234 µM, inside the 95% intervals."""
    out = tmp_path / "demo"
    assert main(["demo", "--starts", "4", "--out", str(out)]) == 0
    result = json.loads((out / "results.json").read_text())
    assert result["model"] == "li-rinzel1994" and result["recording"].endswith("ratio.csv")
    assert result["n_starts"] == 4 and result["n_starts_at_best"] == 4
    # the default --strategy auto saw the oscillation (Li & Rinzel 1994 at IP3 = 0.4 µM: period 12.8 s)
    assert result["strategy"] == "period-matched" and result["optimiser"] == "lm"
    assert result["strategy_reason"].startswith("auto: the trace oscillates (period about 12")
    for name, truth in (("v3", 0.9), ("d5", 0.08234)):
        p = result["parameters"][name]
        assert p["free"] and p["estimate"] == pytest.approx(truth, rel=0.02)
        assert p["ci_low"] < truth < p["ci_high"]
    assert result["derived"]["period"]["estimate"] == pytest.approx(12.8, rel=0.02)  # Li & Rinzel 1994 at IP3 = 0.4 µM
    assert result["r2"] > 0.99
    assert sorted(p.name for p in out.iterdir()) == ["fit.csv", "fit.png", "results.json"]
    assert "4 of 4 starts reached the best optimum" in capsys.readouterr().out


def test_progress_bar_counts_lockstep_starts_and_sequential_runs():
    """Vmapped starts report each iteration together: the bar counts those still running. Starts run one after
    another (lax.map on a CPU) or a strategy's stages restart the iteration count: the bar counts runs instead
    and never claims more running starts than there are (it once printed "39/2 starts running")."""
    import io

    from fitting._cli.progress import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(10, 2, stream=out)
    for i in range(1, 11):
        bar(i, False)
        bar(i, i > 5)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith("iteration 10/10, 1/2 starts running") and "iteration 5/10, 2/2" in out.getvalue()
    out = io.StringIO()
    bar = ProgressBar(10, 2, stream=out)
    for _ in range(2):
        for i in range(1, 11):
            for _ in range(20):  # many reports of one iteration (stages of one start)
                bar(i, False)
    bar.close()
    assert out.getvalue().splitlines()[-1].endswith("iteration 10/10, run 2")
    assert "3/2" not in out.getvalue() and "20/2" not in out.getvalue()


def test_rtol_option_sets_the_problem_tolerances(tmp_path):
    """`--rtol R` reaches the problem as rtol R and atol R/1000 (the default pair 1e-6/1e-9 otherwise)."""
    from cicrjax._cli.main import build_parser
    from fitting._cli.fit import _inputs, _read_job

    path = Path(__file__).resolve().parents[1] / "data" / "synthetic-fura2-li-rinzel" / "ratio.csv"
    for extra, (rtol, atol) in (([], (1e-6, 1e-9)), (["--rtol", "1e-4"], (1e-4, 1e-7))):
        args = build_parser().parse_args(
            ["fit", str(path), "--model", "li-rinzel1994", "--indicator", "fura2", *extra, "--out", str(tmp_path)]
        )
        job = _read_job(args, _inputs(args), path, tmp_path, quiet=True)
        assert (job.problem.rtol, job.problem.atol) == pytest.approx((rtol, atol), rel=1e-12)
