"""Sparks: the smooth release site, the simulated line scan, spark metrics against closed forms, `cicrjax spark`."""

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
from cicrjax._cli.main import main

T_END, DT, SAVE_DT = 0.1, 2e-5, 1e-3  # the configuration `cicrjax spark` runs, so its compiled program is shared
LN2 = math.log(2.0)
FWHM_PER_SD = 2.0 * math.sqrt(2.0 * LN2)


@pytest.fixture(scope="module")
def sol():
    return cj.simulate_spatial(cj.cardiac_spark(), T_END, dt=DT, save_dt=SAVE_DT)


def analytic(a, s0, tau, *, t0=0.01, tp=0.02, dx=0.01, dt=1e-4, n_t=1001):
    """A Gaussian spark in space (s.d. s0 µm) times a linear rise (t0 → tp) and an exponential decay (tau s)."""
    x = jnp.arange(-400, 401, dtype=float) * dx
    t = jnp.arange(n_t, dtype=float) * dt
    g = jnp.where(t < tp, jnp.clip((t - t0) / (tp - t0), 0.0, 1.0), jnp.exp(-(t - tp) / tau))
    return t, x, a * g[:, None] * jnp.exp(-0.5 * (x / s0) ** 2)[None, :]


@jax.jit
def analytic_metrics(p):
    """The metrics of `analytic(*p)`, compiled once for the tests below."""
    return cj.spark_metrics(*analytic(p[0], p[1], p[2]))


def test_metrics_of_an_analytic_spark_are_exact():
    # Gaussian × (linear rise, exponential decay): FWHM = 2√(2 ln 2)·s0, FDHM = (tp − t0)/2 + τ ln 2,
    # time to peak from the 10 % crossing = 0.9 (tp − t0), decay = τ, amplitude = a.
    m = analytic_metrics(jnp.array([1.5, 0.8, 0.02]))
    np.testing.assert_allclose(m.amplitude, 1.5, rtol=1e-12)
    np.testing.assert_allclose(m.fwhm, FWHM_PER_SD * 0.8, rtol=1e-4)
    np.testing.assert_allclose(m.fdhm, 0.005 + 0.02 * LN2, rtol=1e-4)
    np.testing.assert_allclose(m.time_to_peak, 0.009, rtol=1e-9)
    np.testing.assert_allclose(m.decay, 0.02, rtol=1e-9)
    np.testing.assert_allclose([m.x_peak, m.t_peak], [0.0, 0.02], atol=1e-12)


def test_metric_gradients_match_finite_differences():
    def metrics(p):
        m = analytic_metrics(p)
        return jnp.stack([m.amplitude, m.fwhm, m.fdhm, m.decay])

    p = jnp.array([1.5, 0.8, 0.02])
    jac = jax.jacfwd(metrics)(p)
    h = jnp.array([1e-6, 1e-6, 1e-9])
    e = jnp.eye(3)
    fd = jnp.stack([(metrics(p + h[i] * e[i]) - metrics(p - h[i] * e[i])) / (2 * h[i]) for i in range(3)], 1)
    np.testing.assert_allclose(jac, fd, rtol=1e-5, atol=1e-8)
    # and against the closed forms ∂FWHM/∂s0 = 2√(2 ln 2), ∂FDHM/∂τ = ln 2, ∂decay/∂τ = 1, up to the slope error of
    # linear interpolation between samples (0.01 µm, 0.1 ms): a few 1e-3
    np.testing.assert_allclose([jac[1, 1], jac[2, 2], jac[3, 2]], [FWHM_PER_SD, LN2, 1.0], rtol=3e-3)


def test_line_scan_psf_widens_a_gaussian_in_quadrature():
    # A Gaussian of s.d. s0 blurred by a Gaussian PSF of s.d. s has s.d. √(s0² + s²) and peak a·s0/√(s0² + s²).
    t, x, kymo = analytic(1.0, 0.6, 0.02, dx=0.05, dt=1e-3, n_t=101)
    dye = cj.Fluo4()
    bound = kymo * dye.total / (dye.dr - 1.0)  # F/F_min − 1 = kymo
    ys = jnp.stack([bound, bound], axis=1)
    fake = cj.SpatialSolution(t, x + 20.0, ys, None, jnp.asarray(True), ("c", "bound0"), "imex")
    t_l, x_p, image = cj.LineScan(pixel=0.05, line_time=1e-3, psf_fwhm=FWHM_PER_SD * 0.8)(fake)
    m = cj.spark_metrics(t_l, x_p, image - 1.0)  # the first line is at rest (F/F_min = 1)
    np.testing.assert_allclose(m.fwhm, FWHM_PER_SD * 1.0, rtol=1e-3)
    np.testing.assert_allclose(m.amplitude, 0.6, rtol=1e-3)
    np.testing.assert_allclose(m.fdhm, 0.005 + 0.02 * LN2, rtol=1e-3)


def test_cardiac_spark_has_a_published_size(sol):
    # Cheng, Lederer & Cannell 1993 (Science 262:740-744), rat ventricle, fluo-3: sparks ≈ 2 µm wide (FWHM),
    # lasting ≈ 20–40 ms (FDHM); Cheng & Lederer 2008 (Physiol Rev 88:1491-1545): ΔF/F0 ≈ 1–2.
    t, x, image = cj.LineScan()(sol)
    m = cj.spark_metrics(t, x, image - 1.0)
    assert 1.5 <= m.fwhm <= 2.5 and 0.020 <= m.fdhm <= 0.050 and 1.0 <= m.amplitude <= 2.0
    assert 0.004 < m.time_to_peak < 0.02 and m.decay > m.fdhm / 2
    assert abs(m.x_peak - 10.0) <= 0.2 and image.shape == (51, 100)
    np.testing.assert_allclose(image[0], 1.0, rtol=1e-12)


def test_spark_metrics_derivative_through_the_simulation_matches_finite_differences():
    # d(amplitude, FWHM)/d(flux) by forward mode through simulation, scan and metrics, against central differences.
    def metrics(flux):
        s = cj.simulate_spatial(cj.cardiac_spark(cj.SparkSite(flux=flux)), T_END, dt=DT, save_dt=SAVE_DT)
        t, x, image = cj.LineScan()(s)
        m = cj.spark_metrics(t, x, image - 1.0)
        return jnp.stack([m.amplitude, m.fwhm])

    flux = jnp.asarray(8000.0)
    tangent = jax.jvp(metrics, (flux,), (jnp.ones_like(flux),))[1]
    fd = (metrics(flux + 1.0) - metrics(flux - 1.0)) / 2.0
    np.testing.assert_allclose(tangent, fd, rtol=1e-6)
    assert tangent[0] > 0 and tangent[1] > 0  # more release: a brighter, wider spark


def test_site_releases_its_integral_with_the_pump_off():
    # With v_serca = 0, total Ca (free + both buffers) rises by flux·∫p dt, and ∫₀^∞ p dt = T − τ·ln(1 + e^(−t_on/τ))
    # (the logistic edge cut at t = 0); the IMEX scheme conserves the source's sum exactly, so the gap is O(dt).
    site = cj.SparkSite(v_serca=0.0)
    s = cj.simulate_spatial(cj.cardiac_spark(site), T_END, dt=DT, save_dt=SAVE_DT)
    total = s.total("c") + s.total("bound0") + s.total("bound1")
    released = 8000.0 * (0.01 - 0.001 * math.log1p(math.exp(-5.0)))
    np.testing.assert_allclose(total[-1] - total[0], released, rtol=1e-3)


def test_noise_is_reproducible_from_the_key(sol):
    scan = cj.LineScan(noise=cj.GaussianNoise(0.1))
    _, _, clean = cj.LineScan()(sol)
    _, _, a = scan(sol, key=jax.random.key(7))
    _, _, b = scan(sol, key=jax.random.key(7))
    _, _, c = scan(sol, key=jax.random.key(8))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_allclose(np.std(a - clean), 0.1, rtol=0.05)  # 5100 samples: s.e. of the s.d. ≈ 1 %
    f = cj.delta_f_over_f0(a, 2)
    np.testing.assert_allclose(f, np.asarray(a) / np.asarray(a)[:2].mean(0) - 1.0)


def test_line_scan_refuses_bad_input(sol):
    with pytest.raises(cj.InputError, match="line_time .* longer than half"):
        cj.LineScan(line_time=0.08)(sol)
    with pytest.raises(cj.InputError, match="no field 'bound3'"):
        cj.LineScan(field="bound3")(sol)
    with pytest.raises(cj.InputError, match="needs a PRNG key"):
        cj.LineScan(noise=cj.GaussianNoise(0.1))(sol)
    with pytest.raises(cj.InputError, match="pixel must be a finite number > 0"):
        cj.LineScan(pixel=0.0)
    with pytest.raises(cj.InputError, match="fewer than 3 pixels"):
        cj.LineScan(pixel=15.0)(sol)


def test_spark_cli_writes_the_library_metrics(sol, tmp_path, capsys):
    out = tmp_path / "spark"
    assert main(["spark", "--out", str(out)]) == 0
    result = json.loads((out / "results.json").read_text())
    t, x, image = cj.LineScan()(sol)
    m = cj.spark_metrics(t, x, cj.delta_f_over_f0(image, 2))
    expect = [m.amplitude, m.fwhm, 1e3 * m.fdhm, 1e3 * m.time_to_peak, 1e3 * m.decay]
    keys = ["amplitude_df_f0", "fwhm_um", "fdhm_ms", "time_to_peak_ms", "decay_ms"]
    np.testing.assert_allclose([result[k] for k in keys], expect, rtol=1e-10)
    assert np.load(out / "kymograph.npy").shape == (51, 100)
    assert (out / "kymograph.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "flux=-1"], "flux must be >= 0"),
        (["--set", "nope=1"], "unknown parameter 'nope'"),
        (["--noise", "-0.1"], "--noise must be >= 0"),
        (["--seed", "x"], "--seed needs a whole number"),
    ],
)
def test_spark_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["spark", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()


@pytest.fixture(scope="module")
def cluster_runs():
    """Open channel-time of a cluster without Ca or luminal feedback (n_hill = 0, no release), for keys 0, 0, 1, 2."""
    site = cj.SparkSite(grid=cj.Grid(10, 0.5), flux=0.0, site_x=2.5)
    base = cj.StochasticCluster(key=jax.random.key(0), site=site, n_hill=0.0, unitary=0.0, k_open=400.0, k_close=200.0)

    def run(key):
        model = cj.StochasticCluster(**{**vars(base), "key": key})
        return cj.simulate_spatial(model, 0.5, dt=1e-4, save_dt=0.05).events

    keys = jax.vmap(jax.random.key)(jnp.array([0, 0, 1, 2]))
    return jax.vmap(run)(keys)


def test_the_same_seed_gives_the_same_stochastic_cluster(cluster_runs):
    t = np.asarray(cluster_runs.open_time)[:, 0]
    assert t[0] == t[1] and t[0] != t[2] and t[2] != t[3]
    np.testing.assert_array_equal(cluster_runs.n_open[0], cluster_runs.n_open[1])


def test_cluster_channels_follow_their_two_state_chain(cluster_runs):
    # Each of N = 20 channels is an independent two-state chain with p_o = 1 − exp(−k_open·½·Δt) (h ≡ ½ at n = 0),
    # p_c = 1 − exp(−k_close Δt), from all closed: E n_k = N π (1 − (1 − p_o − p_c)^k), π = p_o/(p_o + p_c).
    dt, steps = 1e-4, 5000
    p_o, p_c = -math.expm1(-200.0 * dt), -math.expm1(-200.0 * dt)
    k = np.arange(steps)
    expected = np.sum(20 * p_o / (p_o + p_c) * (1 - (1 - p_o - p_c) ** k)) * dt  # channel·s over 0.5 s, ≈ 4.975
    # s.d. of one run's open time ≈ √(2 N π(1−π) T/λ) = √(2·5·0.5/400) ≈ 0.11 channel·s; the mean of 3 runs ± 4 s.d.
    np.testing.assert_allclose(np.mean(np.asarray(cluster_runs.open_time)[1:, 0]), expected, atol=0.26)
    assert np.all(np.asarray(cluster_runs.n_open) >= 0) and np.all(np.asarray(cluster_runs.n_open) <= 20)


# Spark-to-wave: a row of 5 default clusters 2 µm apart, 20 channels of the first opened at t = 0, 4 seeds each.
# Sets: SR load 1000, 2000, 3000, 4000 µM at the default sensitivity (K_open 2 µM); K_open 0.7 µM at load 1000;
# load 4000 with no trigger (spontaneous firing only).
ROW_SETS = {
    "jsr0": [1000.0, 2000.0, 3000.0, 4000.0, 1000.0, 4000.0],
    "K_open": [2.0, 2.0, 2.0, 2.0, 0.7, 2.0],
    "trigger": [20.0, 20.0, 20.0, 20.0, 20.0, 0.0],
}


@pytest.fixture(scope="module")
def recruitment(once_per_session):
    """Recruited shares and fire times of a 5-site row (twice, from the same key), computed once per session even
    when the two tests that use them run on two xdist workers (tests/conftest.py)."""
    return once_per_session("test_sparks.recruitment", _recruitment)


def _recruitment():
    site = cj.SparkSite(grid=cj.Grid(60, 0.2), flux=0.0, site_x=2.0)
    row = cj.StochasticCluster(key=jax.random.key(0), site=site, n_sites=5, trigger=20.0)
    values = {k: jnp.asarray(v) for k, v in ROW_SETS.items()}
    share, fire = cj.spark_to_wave(row, values, 0.1, seeds=4)
    _, fire_again = cj.spark_to_wave(row, values, 0.1, seeds=4)  # same shapes: no second compilation
    return np.asarray(share), np.asarray(fire), np.asarray(fire_again)


def test_a_spark_turns_into_a_wave_as_sr_load_or_ryr_sensitivity_rises(recruitment):
    share, fire, _ = recruitment
    # The triggered site fires at the first step (2e-5 s) in every triggered run.
    np.testing.assert_allclose(fire[:5, :, 0], 2e-5, rtol=1e-9)
    # Default load and sensitivity: every spark stays local; recruitment grows with the load, all sites at 4×.
    assert share[0] == 0.0 and share[0] <= share[1] <= share[2] <= share[3] and share[3] == 1.0
    assert share[2] > share[1]
    # A sensitised RyR (K_open 2 → 0.7 µM) recruits most neighbours at the default load.
    assert share[4] >= 0.5
    # Without the trigger, the overloaded row hardly fires on its own (at most 1 of its 16 sites in 0.1 s).
    assert share[5] <= 1 / 16
    # A wave is saltatory: each site fires after its nearer neighbour, and faster at the higher load.
    assert np.all(np.diff(fire[3], axis=-1) > 0)
    latency = [np.mean(np.diff(fire[i], axis=-1)[np.isfinite(np.diff(fire[i], axis=-1))]) for i in (2, 3)]
    assert latency[1] < latency[0]


def test_spark_to_wave_is_reproducible_and_refuses_a_single_site(recruitment):
    _, fire, fire_again = recruitment
    np.testing.assert_array_equal(fire, fire_again)
    with pytest.raises(cj.InputError, match="n_sites >= 2"):
        cj.spark_to_wave(cj.StochasticCluster(key=jax.random.key(0)), {"jsr0": jnp.ones(1)}, 0.1)
    with pytest.raises(cj.InputError, match="seeds must be a whole number >= 1"):
        cj.spark_to_wave(cj.StochasticCluster(key=jax.random.key(0), n_sites=2), {"jsr0": jnp.ones(1)}, 0.1, seeds=0)


def test_detector_finds_planted_sparks_in_noise():
    # 40 sparks (ΔF/F0 1, Gaussian s.d. 0.8 µm, 10 ms linear rise, 20 ms decay) on a jittered lattice in a 4 s ×
    # 40 µm scan (2 ms lines, 0.2 µm pixels) with Gaussian noise s.d. 0.25 (peak signal-to-noise ratio 4): the issue
    # asks for ≥ 95 % found and ≤ 5 % false; a detection matches a spark within 15 ms and 1 µm of its peak, one to one.
    rng = np.random.default_rng(0)
    t, x = np.arange(2000) * 2e-3, np.arange(200) * 0.2 + 0.1
    image, truth = np.zeros((t.size, x.size)), []
    for i in range(10):
        for j in range(4):
            t0, x0 = 0.02 + 0.38 * i + rng.uniform(0, 0.1), 5.0 + 10.0 * j + rng.uniform(-2, 2)
            g = np.where(t < t0, 0.0, np.where(t < t0 + 0.01, (t - t0) / 0.01, np.exp(-(t - t0 - 0.01) / 0.02)))
            image += g[:, None] * np.exp(-0.5 * ((x - x0) / 0.8) ** 2)[None]
            truth.append((t0 + 0.01, x0))
    sparks, frequency = cj.detect_sparks(t, x, image + rng.normal(0.0, 0.25, image.shape))
    unmatched = list(truth)
    false = 0
    for m in sparks:
        near = [p for p in unmatched if abs(p[0] - m.t_peak) < 0.015 and abs(p[1] - m.x_peak) < 1.0]
        if near:
            unmatched.remove(near[0])
        else:
            false += 1
    assert len(truth) - len(unmatched) >= 0.95 * len(truth) and false <= 0.05 * len(sparks)
    np.testing.assert_allclose(frequency, len(sparks) / (0.4 * 4.0))  # per 100 µm per s
    with pytest.raises(cj.InputError, match="must be \\(lines, pixels\\)"):
        cj.detect_sparks(t, x, image.T)
