"""`cicrjax fit --uncertainty profile|posterior` (issue 15): the profile interval's ends lie where an independently
computed profile NLL rises by χ²₁(0.95)/2, the posterior's files and diagnostics, and every bad option refused.

The fit is the one of tests/test_cli_fuzz.py and tests/test_fitting_cli.py (Li–Rinzel, v3 free, 21 points), so a
full run compiles it once.
"""

import importlib.util
import json
import re

import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax._cli.main import main

TS = np.linspace(0.0, 2.0, 21)
NOISE = 0.002  # µM
THRESHOLD_95 = 1.920729410347062  # χ²₁(0.95)/2 (scipy.stats.chi2.ppf(0.95, 1) / 2)
BLACKJAX = importlib.util.find_spec("blackjax") is not None


def _simulate(v3: float) -> np.ndarray:
    model = cicrjax.LiRinzel1994(v3=v3)
    return np.asarray(cicrjax.simulate(model, jnp.asarray(TS), rtol=1e-10, atol=1e-12)["C"])


@pytest.fixture(scope="module")
def calcium_csv(tmp_path_factory):
    """The recording of tests/test_cli_fuzz.py: Li–Rinzel Ca (default v3 = 0.9 µM/s) with N(0, 0.002²) noise."""
    noisy = _simulate(0.9) + NOISE * np.random.default_rng(0).normal(size=TS.size)
    path = tmp_path_factory.mktemp("rec") / "ca.csv"
    np.savetxt(path, np.column_stack([TS, noisy]), delimiter=",", header="time_s,ca_uM", comments="")
    return path


def _argv(recording, out, *extra):
    argv = ["fit", str(recording), "--model", "li-rinzel1994", "--free", "v3", "--bounds", "v3=0.5:1.5"]
    return [*argv, "--start", "v3=0.7", "--starts", "2", "--max-iter", "40", *extra, "--out", str(out)]


def _run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    return code, *capsys.readouterr()


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
    code = main(_argv(calcium_csv, out, "--uncertainty", "profile", "--profile-points", "4"))
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
    code, _, err = _run(_argv(calcium_csv, out, *extra), capsys)
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
    code, stdout, err = _run(_argv(calcium_csv, out, *extra), capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 1 and "Traceback" not in err, err
    assert re.search(pattern, err), err
    assert not out.exists()


def test_posterior_without_blackjax_names_the_extra(calcium_csv, tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "blackjax" else find_spec(name))
    out = tmp_path / "fit"
    code, stdout, err = _run(_argv(calcium_csv, out, "--uncertainty", "posterior"), capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 1, err
    assert "posterior sampling needs blackjax: pip install 'cicrjax[posterior]'" in err
    assert not out.exists()
