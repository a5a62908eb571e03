"""Preprocessing and metrics: analytic transients, finite-difference gradients, vmap vs loop, baselines, bleaching."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax import Recording, RecordingError

DT = 1e-3
T = jnp.arange(400, dtype=float) * DT


def _transient(tau, amp=2.0, base=1.0, t_peak=0.05):
    """Linear rise from t = 0.02 s to the peak, then base + amp·exp(−(t − t_peak)/τ)."""
    rise = base + amp * jnp.clip((T - 0.02) / (t_peak - 0.02), 0.0, 1.0)
    return jnp.where(T <= t_peak, rise, base + amp * jnp.exp(-(T - t_peak) / tau))


_metrics = jax.jit(cicrjax.transient_metrics)


def test_metrics_of_an_analytic_transient():
    tau = 0.04
    m = _metrics(T, _transient(tau))
    assert float(m["amplitude"]) == pytest.approx(2.0, rel=1e-12)
    assert float(m["baseline"]) == pytest.approx(1.0, rel=1e-12)
    # onset at the 10% crossing of the linear rise: 0.02 + 0.1·0.03 s
    assert float(m["time_to_peak"]) == pytest.approx(0.05 - 0.023, abs=1e-9)
    assert float(m["t50"]) == pytest.approx(tau * np.log(2), rel=2e-4)  # linear interpolation between samples
    assert float(m["t90"]) == pytest.approx(tau * np.log(10), rel=2e-4)
    assert float(m["tau"]) == pytest.approx(tau, rel=1e-9)  # log-linear fit of an exact exponential


def test_metrics_are_differentiable():
    # d(τ estimate)/dτ = 1 and d(t50)/dτ = ln 2 for an exact exponential decay
    dtau = jax.grad(lambda tau: _metrics(T, _transient(tau))["tau"])(0.04)
    assert float(dtau) == pytest.approx(1.0, rel=1e-6)
    f = lambda tau: _metrics(T, _transient(tau))["t50"]
    h = 1e-6
    fd = (f(0.04 + h) - f(0.04 - h)) / (2 * h)
    assert float(jax.grad(f)(0.04)) == pytest.approx(float(fd), rel=1e-5)
    assert float(jax.grad(lambda a: _metrics(T, _transient(0.04, amp=a))["amplitude"])(2.0)) == pytest.approx(1.0)


def test_beat_metrics_vmap_matches_a_loop_over_beats():
    t = np.arange(3000) * DT
    starts = [0, 900, 2000]
    taus = [0.03, 0.06, 0.1]
    y = np.ones_like(t)
    for s, tau in zip(starts, taus, strict=True):
        seg = np.arange(t.size - s) * DT
        y[s:] = np.where(seg < 0.03, y[s:], np.maximum(y[s:], 1.0 + 2.0 * np.exp(-(seg - 0.03) / tau)))
    beats = cicrjax.detect_beats(t, y)
    assert len(beats) == 3
    batched = cicrjax.beat_metrics(t, y, beats)
    for k, (s, e) in enumerate(zip(beats.start, beats.stop, strict=True)):
        single = _metrics(t[s:e], y[s:e])
        for name in ("amplitude", "baseline", "time_to_peak", "t50", "t90", "tau"):
            np.testing.assert_allclose(batched[name][k], single[name], rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(batched["tau"], taus, rtol=0.05)


def test_beat_detection_by_period_peaks_and_stimuli_and_averaging():
    period, rate = 0.25, 400.0
    t = np.arange(int(2.0 * rate)) / rate
    phase = (t - 0.03) % period
    y = 1.0 + np.exp(-phase / 0.04) * (t >= 0.03)
    by_period = cicrjax.detect_beats(t, y, pacing_period=period)
    by_peaks = cicrjax.detect_beats(t, y)
    stim = 0.03 + period * np.arange(8)
    by_stim = cicrjax.detect_beats(t, y, stimulus_times=stim)
    assert len(by_period) == 7 and len(by_peaks) == 8 and len(by_stim) == 8
    np.testing.assert_allclose(t[by_peaks.peak], stim, atol=1 / rate)
    mean, std = cicrjax.average_beats(y, by_stim)
    np.testing.assert_allclose(mean, y[by_stim.start[0] : by_stim.start[0] + mean.size], atol=1e-12)
    assert np.max(std) < 1e-12


def test_baselines_normalise_and_non_positive_f0():
    y = np.array([[5.0, 1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(cicrjax.percentile_baseline(y, 25), np.percentile(y, 25, axis=-1))
    t = np.arange(200) / 100.0
    drift = 10.0 + 2.0 * t
    np.testing.assert_allclose(cicrjax.rolling_baseline(t, drift, 0.1, 50)[10:-10], drift[10:-10], rtol=1e-12)
    rec = Recording(t, 100.0 + np.sin(2 * np.pi * t) ** 2 * 50.0, kind="raw")
    df = cicrjax.normalise(rec, "df_f0", q=0)
    np.testing.assert_allclose(df.traces, rec.traces / rec.traces.min() - 1.0)
    assert df.kind == "df_f0"
    with pytest.raises(RecordingError, match="zero or negative baseline F0"):
        cicrjax.normalise(Recording(t, np.sin(2 * np.pi * t) - 2.0), "f_f0")


@pytest.mark.parametrize("model", ["mono", "bi"])
def test_bleaching_correction_recovers_the_decay(model):
    t = np.arange(2000) / 50.0  # 40 s at 50 Hz
    beats = 1.0 + 0.5 * np.exp(-((t % 1.0) / 0.1))
    if model == "mono":
        bleach = np.exp(-t / 20.0)
    else:
        bleach = 0.3 * np.exp(-t / 3.0) + 0.7 * np.exp(-t / 60.0)
    rec = Recording(t, 100.0 * beats * bleach)
    corrected, fits = cicrjax.correct_bleaching(rec, model, window=2.0, q=0)
    if model == "mono":
        assert float(fits[0].tau) == pytest.approx(20.0, rel=1e-9)
    else:
        assert float(fits[0].tau_fast) == pytest.approx(3.0, rel=0.05)
        assert float(fits[0].tau_slow) == pytest.approx(60.0, rel=0.02)
        assert float(fits[0].fraction_fast) == pytest.approx(0.3, abs=0.005)
    minima = corrected.traces[0].reshape(40, 50).min(axis=1)
    assert np.ptp(minima) / minima.mean() < 0.005  # the baseline is flat after correction


def test_resample_and_trim():
    t = np.linspace(0.0, 1.0, 101)
    rec = Recording(t, np.sin(3 * t) + 2)
    fine = cicrjax.resample(rec, 250.0)
    assert fine.sampling_rate == pytest.approx(250.0) and fine.n_samples == 251
    np.testing.assert_allclose(fine.traces[0], np.interp(fine.time, t, rec.traces[0]))
    part = cicrjax.trim(rec, 0.2, 0.5)
    assert part.time[0] == pytest.approx(0.2) and part.time[-1] == pytest.approx(0.5) and part.n_samples == 31
    with pytest.raises(RecordingError, match="keeps 0 sample"):
        cicrjax.trim(rec, 2.0, 3.0)
