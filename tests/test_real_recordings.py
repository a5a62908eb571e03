"""Real recordings end to end: the shared paced heart trace with the species sets, and the indicators labs use.

The recordings live in ../shared/data (the `shared_data` fixture skips with a message when that folder is absent).
Full fits of them take minutes on two cores and run in `python -m benchmarks.real_recordings`; here the pieces
that made them fail are checked once each.
"""

import math

import jax
import numpy as np
import pytest

import cicrjax as cj
import fitting
from cicrjax._cli.main import main
from fitting._signal import signal_for_kind

COMB = "comb-cardiac-paced/ca_bcl140_pacing.csv"


def test_default_step_budget_covers_the_paced_comb_recording_with_cardiac_mouse(shared_data):
    """The comb trace (7 beats at BCL 140 ms, jtmff/comb) set up as `cicrjax fit --model cardiac-mouse` does (cycle
    from `estimate_pacing`, one pre-paced beat, rtol 1e-6) needs more than the 4,096 steps define_problem used to
    allow (every start was a solver failure); the default budget now grows with the paced beats."""
    rec = cj.load_recording(shared_data / COMB)
    model = cj.CardiacMouse()
    found = cj.estimate_pacing(rec.time, rec.traces[0])
    assert found.beats == 7 and found.period == pytest.approx(0.140, rel=0.02)  # the BCL the authors state
    start = found.first - found.period
    count = math.ceil((float(rec.time[-1]) - found.first) / found.period) + 2
    protocol = cj.pace(model, found.period, count=count, start=start)
    problem = fitting.define_problem(
        model, rec.time, rec.traces, free=list(model.default_free), protocol=protocol, t0=start,
        signal=signal_for_kind("raw", cj.parse_indicator("rhod2")),
    )  # fmt: skip
    assert problem.max_steps == 4096 + 1024 * 2 * count  # two jump times (upstroke start and end) per beat
    sol = jax.jit(lambda p: p.simulate(p.model))(problem)
    assert bool(sol.success)
    assert 4096 < int(sol.num_steps) < problem.max_steps


def test_synth_observes_indo1_as_a_ratio(tmp_path):
    """`cicrjax synth --observe indo1` writes the Indo-1 405/485 ratio of the Ca it simulates: R = (Ca R_max +
    Kd β R_min)/(Ca + Kd β), β = Sf2/Sb2 (Grynkiewicz, Poenie & Tsien 1985, J Biol Chem 260:3440, their eq. 5),
    with cicrjax.Indo1's Kd 0.25 µM, R_min 0.5, R_max 5, β 3."""
    common = ["synth", "li-rinzel1994", "--t-end", "5", "--rate", "4"]
    assert main([*common, "--observe", "calcium", "--out", str(tmp_path / "ca.csv")]) == 0
    assert main([*common, "--observe", "indo1", "--out", str(tmp_path / "indo.csv")]) == 0
    ca = np.loadtxt(tmp_path / "ca.csv", delimiter=",", skiprows=1)[:, 1]
    ratio = np.loadtxt(tmp_path / "indo.csv", delimiter=",", skiprows=1)[:, 1]
    kb = 0.25 * 3.0
    np.testing.assert_allclose(ratio, (ca * 5.0 + kb * 0.5) / (ca + kb), rtol=1e-12)
    assert ca.max() > 2 * ca.min()  # the trace moves, so the check covers a range of Ca
