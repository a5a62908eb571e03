"""Cycle length and stimulus phase estimated from a paced trace's beats (fit without --pacing-period)."""

from pathlib import Path

import numpy as np
import pytest

import cicrjax as cj
from cicrjax import InputError, estimate_pacing

COMB = Path(__file__).resolve().parents[2] / "shared" / "data" / "comb-cardiac-paced" / "ca_bcl140_pacing.csv"


def _paced_trace(period, first, t_end, noise=0.0, jitter=None, seed=0):
    """Transients (rise 5 ms, decay τ 30 ms) at stimuli first + k·period (or jittered ones), sampled at 1 kHz."""
    t = np.arange(0.0, t_end, 1e-3)
    stimuli = first + period * np.arange(-1, int(t_end / period) + 2)
    if jitter is not None:
        stimuli = stimuli + jitter[: stimuli.size]
    y = np.zeros_like(t)
    for s in stimuli:
        phase = np.maximum(t - s, 0.0)
        y += (1 - np.exp(-phase / 0.005)) * np.exp(-phase / 0.03)
    return t, y + noise * np.random.default_rng(seed).normal(size=t.size)


@pytest.mark.parametrize("period, first", [(0.14, 0.05), (0.2, 0.013), (1.0, 0.3)])
def test_period_and_phase_of_a_regular_trace(period, first):
    t, y = _paced_trace(period, first, 8 * period, noise=0.01)
    est = estimate_pacing(t, y)
    assert est.period == pytest.approx(period, rel=5e-3)
    assert est.first <= t[0] < est.first + est.period  # a stimulus at or before the first sample ...
    phase = (est.first - first) / period
    assert abs(phase - round(phase)) * period < 0.004  # ... in phase with the true stimuli (feet lag them ~1 ms)
    assert est.beats >= 7


def test_too_few_or_irregular_beats_are_refused():
    t = np.linspace(0.0, 1.0, 1001)
    with pytest.raises(InputError, match=r"found 0 beat\(s\) in the recording, too few .* give --pacing-period"):
        estimate_pacing(t, np.ones_like(t))
    jitter = np.array([0.0, 0.0, 0.08, -0.07, 0.09, 0.0, -0.08, 0.0, 0.0, 0.0, 0.0, 0.0])
    t, y = _paced_trace(0.2, 0.05, 1.6, jitter=jitter)
    with pytest.raises(InputError, match="too irregular for one cycle length"):
        estimate_pacing(t, y)


def test_comb_recording_is_paced_at_140_ms():
    if not COMB.exists():
        pytest.skip(f"{COMB} is absent (the shared data folder travels beside the project, not in it)")
    rec = cj.load_recording(COMB)
    est = estimate_pacing(rec.time, rec.traces[0])
    assert est.period == pytest.approx(0.140, abs=0.002)  # the README's basic cycle length, 140 ms
    assert est.beats == 7  # the README's seven beats


def test_fit_without_pacing_period_needs_beats_to_find_the_cycle_length(tmp_path, capsys):
    from cicrjax._cli.main import main

    flat = tmp_path / "flat.csv"
    t = np.linspace(0.0, 1.0, 101)
    np.savetxt(flat, np.column_stack([t, 0.1 + 0.01 * np.sin(t)]), delimiter=",", header="time_s,ca_uM", comments="")
    assert main(["fit", str(flat), "--model", "cardiac", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "too few to estimate the cycle length; give --pacing-period S" in err, err
