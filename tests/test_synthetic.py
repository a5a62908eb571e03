"""Synthetic recordings and the `synth`/`inspect` commands: forward model, keys, shipped examples, CLI errors."""

import re
import shlex
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax._cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = (
    "synthetic-fura2-li-rinzel",
    "synthetic-raw-bleaching",
    pytest.param("synthetic-cardiac-fluo4", marks=pytest.mark.slow),  # 2.5 s of the stiff cardiac model
)
# Regenerated data agree with the shipped files to within the solver's error, not bit for bit: XLA's CPU code differs
# between processors, and a different rounding changes the adaptive step sequence. `synthesize` integrates at
# rtol 1e-8; its global error, measured against rtol 1e-10, is 1.7e-7 on the Fura-2 ratio (1.58 at most)
# and 1.9e-8 on ΔF/F0 (the shipped cardiac trace regenerates within 8.5e-8 and 1.0e-7 on two other processors). The
# tolerance is 100 × rtol of the signal level (ratio, F, or F/F0 = 1 + ΔF/F0): 6× the largest measured difference
# and below 1e-4 of the noise σ, so any change visible in the data still fails. Camera counts are integers: a
# Poisson draw can move by one photoelectron (the gain, 2 ADU) where the rate shifts by ~1e-7 across an integer
# boundary, in a few samples at most.
LEVEL_TOLERANCE = 1e-6
LEVEL = {"ratio": 0.0, "raw": 0.0, "df_f0": 1.0}  # added to the trace to give a level ≥ its scale
GAIN = {"synthetic-raw-bleaching": 2.0}  # ADU per photoelectron of the camera noise in the README command
TS = jnp.linspace(0.0, 20.0, 41)


def _readme_command(folder: str) -> list[str]:
    text = (DATA / folder / "README.md").read_text()
    command = re.search(r"```\n(cicrjax synth .*?)\n```", text, re.S).group(1)
    return shlex.split(command)[1:]


@pytest.mark.parametrize("folder", EXAMPLES)
def test_shipped_examples_regenerate_within_the_solver_tolerance(tmp_path, folder, capsys):
    argv = _readme_command(folder)
    shipped = DATA / folder / argv[argv.index("--out") + 1].split("/")[-1]
    argv[argv.index("--out") + 1] = str(tmp_path / shipped.name)
    assert main(argv) == 0
    fresh_lines, shipped_lines = (p.read_text().splitlines() for p in (tmp_path / shipped.name, shipped))
    hint = f"if the change is intended, rerun the command in {shipped.parent / 'README.md'} and commit the new file"
    assert len(fresh_lines) == len(shipped_lines) and fresh_lines[0] == shipped_lines[0], hint
    fresh, old = (np.loadtxt(lines[1:], delimiter=",", ndmin=2) for lines in (fresh_lines, shipped_lines))
    np.testing.assert_array_equal(fresh[:, 0], old[:, 0])  # frame times: plain arithmetic, the same everywhere
    level = cicrjax.load_recording(shipped).kind
    tolerance = LEVEL_TOLERANCE * np.max(np.abs(old[:, 1] + LEVEL[level]))
    off = np.abs(fresh[:, 1] - old[:, 1])
    flips = np.abs(off - GAIN.get(folder, np.inf)) <= tolerance  # a camera count moved by one photoelectron
    assert np.sum(flips) <= 3, f"{shipped}: {np.sum(flips)} camera counts differ; {hint}"
    worst = np.max(off[~flips])
    assert worst <= tolerance, f"{shipped} differs by up to {worst:.3g} (> {tolerance:.3g}); {hint}"


def test_shipped_examples_have_the_documented_readouts():
    ratio = cicrjax.load_recording(DATA / "synthetic-fura2-li-rinzel" / "ratio.csv")
    assert ratio.kind == "ratio" and ratio.n_samples == 241
    beats = cicrjax.detect_beats(ratio.time, ratio.traces[0])
    assert len(beats) == 9
    assert np.mean(np.diff(ratio.time[beats.peak])) == pytest.approx(12.8, rel=0.02)  # Li–Rinzel at IP3 = 0.4 µM
    raw = cicrjax.load_recording(DATA / "synthetic-raw-bleaching" / "raw.csv")
    assert raw.kind == "raw" and raw.n_samples == 601
    corrected, fits = cicrjax.correct_bleaching(raw.replace(traces=raw.traces - 100.0), "mono", window=3.0, q=5)
    assert float(fits[0].tau) == pytest.approx(40.0, rel=0.05)
    beats = cicrjax.detect_beats(corrected.time, corrected.traces[0])
    assert len(beats) == 14
    assert np.mean(np.diff(corrected.time[beats.peak])) == pytest.approx(2.08, rel=0.01)  # GDB 1990 at β = 0.301
    cardiac = cicrjax.load_recording(DATA / "synthetic-cardiac-fluo4" / "dff.csv")
    assert cardiac.kind == "df_f0" and cardiac.n_samples == 2101 and cardiac.sampling_rate == pytest.approx(1000.0)
    by_period = cicrjax.detect_beats(cardiac.time, cardiac.traces[0], pacing_period=0.5)
    by_peaks = cicrjax.detect_beats(cardiac.time, cardiac.traces[0])
    assert len(by_period) == 4 and len(by_peaks) == 4
    np.testing.assert_allclose(np.diff(cardiac.time[by_peaks.peak]), 0.5, atol=0.015)


def test_noise_free_synthesis_is_the_forward_model_and_keys_decide_the_noise():
    model = cicrjax.LiRinzel1994()
    ca = cicrjax.simulate(model, TS, rtol=1e-8, atol=1e-10)["C"]
    key = jax.random.key(0)
    fura = cicrjax.synthesize(model, TS, key=key, observation=cicrjax.Fura2())
    np.testing.assert_allclose(fura.traces[0], cicrjax.Fura2()(ca), rtol=1e-12)
    assert fura.kind == "ratio" and fura.names == ("ratio_340_380",)
    obs = cicrjax.Fluorescence(cicrjax.Fluo4(), kind="df_f0")
    df = cicrjax.synthesize(model, TS, key=key, observation=obs)
    F = 1 + 99 * ca / (0.345 + ca)
    np.testing.assert_allclose(df.traces[0], F / F[0] - 1, rtol=1e-10)
    noise = cicrjax.GaussianNoise(0.01)
    a = cicrjax.synthesize(model, TS, key=jax.random.key(3), observation=obs, noise=noise)
    b = cicrjax.synthesize(model, TS, key=jax.random.key(3), observation=obs, noise=noise)
    c = cicrjax.synthesize(model, TS, key=jax.random.key(4), observation=obs, noise=noise)
    np.testing.assert_array_equal(a.traces, b.traces)
    assert not np.array_equal(a.traces, c.traces)
    np.testing.assert_array_equal(
        a.traces[0], noise.sample(jnp.asarray(df.traces[0]), key=jax.random.key(3))
    )  # the recording is the forward model plus the keyed noise draw


def test_exposure_averages_the_frame_and_pacing_is_recorded():
    model = cicrjax.LiRinzel1994()
    exposure = cicrjax.FrameExposure(0.2, substeps=4)
    protocol = cicrjax.Protocol(
        {"IP3": cicrjax.PulseTrain(period=5.0, width=1.0, amplitude=0.3, count=4, baseline=0.4)}
    )
    rec = cicrjax.synthesize(model, TS, key=jax.random.key(0), exposure=exposure, protocol=protocol)
    fine = np.asarray(exposure.sample_times(TS))
    ca = cicrjax.simulate(model, jnp.asarray(fine.ravel()), protocol=protocol, rtol=1e-8, atol=1e-10)["C"]
    np.testing.assert_allclose(rec.traces[0], np.asarray(ca).reshape(fine.shape).mean(axis=1), rtol=1e-12)
    assert rec.kind == "calcium" and rec.pacing_period == 5.0
    np.testing.assert_allclose(rec.stimulus_times, [0.0, 5.0, 10.0, 15.0])
    with pytest.raises(ValueError, match="longer than the frame interval"):
        cicrjax.synthesize(model, TS, key=jax.random.key(0), exposure=cicrjax.FrameExposure(1.0))


def test_dynamic_binding_uses_the_dye_state():
    dye = cicrjax.Fluo4(total=5.0)
    model = cicrjax.WithIndicator(cicrjax.GDB1990(), dye)
    obs = cicrjax.Fluorescence(dye, kind="f_f0")
    rec = cicrjax.synthesize(model, TS, key=jax.random.key(0), observation=obs)
    bound = cicrjax.simulate(model, TS, rtol=1e-8, atol=1e-10)["dye_bound"]
    F = 1 + 99 * bound / 5.0
    np.testing.assert_allclose(rec.traces[0], F / F[0], rtol=1e-10)


# ---------------------------------------------------------------- CLI


def test_inspect_real_paced_recording(shared_data, tmp_path, capsys):
    out = tmp_path / "metrics.csv"
    path = shared_data / "comb-cardiac-paced" / "ca_bcl140_pacing.csv"
    assert main(["inspect", str(path), "--pacing-period", "0.14", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1000 samples at 1000 Hz" in text and "7 beat(s)" in text
    rows = out.read_text().splitlines()
    assert rows[0].startswith("trace,beat,start_s,peak_s,amplitude") and len(rows) == 8


def _fails(argv, capsys, message, out=None):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert err.count("\n") == 1 and "Traceback" not in err
    if out is not None:
        assert not Path(out).exists()


def test_inspect_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "m.csv"
    semicolon = tmp_path / "s.csv"
    semicolon.write_text("time_s;F\n0;1\n1;2;3\n")  # ragged: the separator cannot be sniffed
    short = tmp_path / "short.csv"
    short.write_text("time_ms,F\n" + "".join(f"{i},{i % 7}\n" for i in range(50)))
    _fails(["inspect", str(tmp_path / "none.csv"), "--out", str(out)], capsys, "no such file", out)
    _fails(["inspect", str(semicolon), "--out", str(out)], capsys, "--delimiter ';'", out)
    _fails(["inspect", str(short), "--sampling-rate", "abc"], capsys, "--sampling-rate needs a number")
    _fails(["inspect", str(short), "--pacing-period", "0.14", "--out", str(out)], capsys, "fewer than one beat", out)
    _fails(["inspect", str(short), "--out", str(tmp_path / "no" / "m.csv")], capsys, "does not exist")


def test_synth_bad_input_exits_2(tmp_path, capsys):
    out = tmp_path / "s.csv"
    base = ["synth", "gdb1990", "--t-end", "1", "--rate", "10", "--out", str(out)]
    _fails([*base, "--noise", "pink:sigma=1"], capsys, "unknown kind 'pink'", out)
    _fails([*base, "--noise", "gaussian:sigma=-1"], capsys, "sigma must be > 0", out)
    _fails([*base, "--noise", "gaussian:s=1"], capsys, "unknown key 's'", out)
    _fails([*base, "--seed", "x"], capsys, "--seed needs a whole number", out)
    _fails([*base, "--observe", "fura2", "--bleach", "mono:tau=5"], capsys, "--bleach applies to single-wav", out)
    _fails([*base, "--exposure", "0.5"], capsys, "--exposure must lie in", out)
    _fails(
        ["synth", "gdb1990", "--t-end", "1", "--rate", "10", "--out", str(tmp_path / "s.txt")], capsys, ".csv or .npz"
    )


def test_failed_integration_raises_a_computation_error_not_nan_frames():
    # A NaN rate makes every step fail its error test, so the solver spends its 100,000-step budget; synthesize says
    # so in one line rather than handing NaN frames to the Recording check (which would blame the data).
    model = eqx.tree_at(lambda m: m.v1, cicrjax.LiRinzel1994(), jnp.asarray(jnp.nan))
    with pytest.raises(
        cicrjax.ComputationError,
        match=r"^the integration of li-rinzel1994 failed: the solver used "
        r"its whole budget of 100000 steps before the end time; shorten the recording, loosen rtol",
    ):
        cicrjax.synthesize(model, TS, key=jax.random.key(0))
