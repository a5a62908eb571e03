"""Sparks seen in 3-D: the spherical grid (finite volumes about a point), its spark default, the line scan's lateral
and axial point-spread function, and confocal 2-D frames."""

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
import fitting

SPHERE = cj.Grid(40, 0.25, geometry="spherical")  # 10 µm radius


def test_spherical_operator_conserves_amount_and_its_solve_matches_dense():
    lap = np.asarray(SPHERE.laplacian(jnp.eye(40))).T  # column i is L applied to the i-th unit vector
    volume = np.asarray(SPHERE.volume)
    # Shell volumes 4π/3((i+1)³ − i³)dx³ sum to the ball; the finite-volume operator conserves Σ u·volume.
    np.testing.assert_allclose(volume.sum(), 4.0 / 3.0 * math.pi * 10.0**3, rtol=1e-12)
    np.testing.assert_allclose(volume @ lap, 0.0, atol=1e-9)
    coef = jnp.linspace(0.1, 0.4, 40)
    rhs = jnp.sin(jnp.arange(40.0))
    dense = np.linalg.solve(1.5 * np.eye(40) - lap @ np.diag(np.asarray(coef)), np.asarray(rhs))
    np.testing.assert_allclose(SPHERE.solve_diffusion(1.5, coef, rhs), dense, rtol=1e-10, atol=1e-12)


def test_spherical_diffusion_spreads_a_gaussian_as_in_free_space():
    # Exact in free space: a Gaussian of s.d. s0 and peak a stays Gaussian, s² = s0² + 2Dt, peak a·(s0/s)³.
    # D = 20 µm²/s for 0.1 s from s0 = 1 µm: s = √5 µm, whose tail at the 10 µm wall is e^(−10) of the peak.
    # The finite volumes are second order: halving dx divides the error by about 4.
    errors = []
    for grid in (SPHERE, cj.Grid(80, 0.125, geometry="spherical")):
        site = cj.SparkSite(grid=grid, site_x=0.0, flux=0.0, v_serca=0.0, D_c=20.0)
        r = np.asarray(grid.x)
        sol = cj.simulate_spatial(site, 0.1, dt=1e-4, save_dt=0.05, y0=np.exp(-0.5 * r**2)[None])
        s2 = 1.0 + 2.0 * 20.0 * np.asarray(sol.ts)[:, None]
        exact = s2**-1.5 * np.exp(-0.5 * r**2 / s2)
        errors.append(np.max(np.abs(np.asarray(sol["c"]) - exact)) / exact[-1].max())
        total = np.asarray(sol.total("c"))
        np.testing.assert_allclose(total, total[0], rtol=1e-12)
    assert errors[1] < 0.01 and 3.5 < errors[0] / errors[1] < 4.5


@pytest.fixture(scope="module")
def spark():
    return cj.simulate_spatial(cj.cardiac_spark(spherical=True), 0.1, dt=2e-5, save_dt=1e-3)


def test_spherical_spark_releases_its_current_and_has_a_published_size(spark):
    # With the pump off, total Ca (free + Fluo-4 + stationary buffer, µM·µm³) rises by 2 pA × ∫p dt: 2e-12 A /
    # (2 F) per s = 10,364 µM·µm³/s; ∫p dt = T − τ·ln(1 + e^(−t_on/τ)) (T = 20 ms, τ = 1 ms, t_on = 5 ms).
    model = cj.cardiac_spark(spherical=True)
    quiet = cj.simulate_spatial(
        cj.cardiac_spark(cj.SparkSite(grid=model.grid, site_x=0.0, flux=10364.3, duration=0.02, v_serca=0.0)),
        0.1,
        dt=2e-5,
        save_dt=1e-3,
    )
    total = quiet.total("c") + quiet.total("bound0") + quiet.total("bound1")
    released = 2e-12 / (2 * 96485.0) / 1e-21 * (0.02 - 0.001 * math.log1p(math.exp(-5.0)))
    np.testing.assert_allclose(total[-1] - total[0], released, rtol=1e-3)
    # Cheng, Lederer & Cannell 1993 (Science 262:740): sparks of about 2 µm FWHM lasting 20–40 ms (FDHM).
    t, x, image = cj.LineScan()(spark)
    m = cj.spark_metrics(t, x, image - 1.0)
    assert 1.5 < float(m.fwhm) < 2.5 and 0.020 <= float(m.fdhm) <= 0.050
    np.testing.assert_allclose(float(m.x_peak), 0.0, atol=0.2)  # the scan line runs from −R to R through the site


def test_line_scan_blurs_a_gaussian_ball_by_the_3d_psf():
    # A ball exp(−r²/2s²) seen through a Gaussian PSF of s.d. σ (lateral) and σz (axial), on a line ρ beside and z0
    # above its centre: a·s³/((s² + σ²)·√(s² + σz²))·exp(−ρ²/2(s² + σ²) − z0²/2(s² + σz²)) (a Gaussian convolution).
    fine = cj.Grid(100, 0.1, geometry="spherical")  # f is interpolated linearly between shells: error ~dx²f''/8
    r = np.asarray(fine.x)
    s, dye = 0.8, cj.Fluo4()
    ts = jnp.array([0.0, 0.01, 0.02])
    bound = np.stack([0.0 * r, np.exp(-0.5 * (r / s) ** 2), 0.5 * np.exp(-0.5 * (r / s) ** 2)])
    bound = bound * dye.total / (dye.dr - 1.0)  # F/F_min − 1 = the ball
    ys = jnp.stack([bound, bound], axis=1)
    fake = cj.SpatialSolution(ts, fine.x, ys, None, jnp.asarray(True), ("c", "bound0"), "imex", "spherical")
    sd, sd_z, rho0, z0 = 0.3, 0.6, 0.5, 0.7
    scan = cj.LineScan(
        pixel=0.1, line_time=0.01, psf_fwhm=sd * 2.3548200450309493, psf_axial_fwhm=sd_z * 2.3548200450309493,
        line_offset=rho0, focus_offset=z0,
    )  # fmt: skip
    t, x, image = scan(fake)
    np.testing.assert_allclose(np.asarray(x)[[0, -1]], [-9.95, 9.95], rtol=1e-12)
    rho2 = np.asarray(x) ** 2 + rho0**2
    exact = s**3 / ((s**2 + sd**2) * math.sqrt(s**2 + sd_z**2))
    exact = exact * np.exp(-0.5 * rho2 / (s**2 + sd**2) - 0.5 * z0**2 / (s**2 + sd_z**2))
    np.testing.assert_allclose(np.asarray(image[1]) - 1.0, exact, atol=2e-3 * exact.max())
    np.testing.assert_allclose(np.asarray(image[2]) - 1.0, 0.5 * exact, atol=2e-3 * exact.max())


def test_frames_are_the_line_scan_turned_about_the_site_and_out_of_focus_sparks_are_dimmer(spark):
    scan = cj.LineScan(pixel=0.25)
    times = jnp.array([0.0, 0.02, 0.04])
    x, frames = scan.frames(spark, times)
    assert frames.shape == (3, x.size, x.size)
    # In the focal plane through the site, the frame at (x, y) is the line scan's value at √(x² + y²).
    line = scan.observe(spark, times, x)
    middle = x.size // 2
    np.testing.assert_allclose(frames[:, middle, :], scan.observe(spark, times, jnp.sqrt(x**2 + x[middle] ** 2)))
    np.testing.assert_allclose(frames[:, :, middle], frames[:, middle, :], rtol=1e-12)
    assert float(jnp.max(line[1])) == pytest.approx(float(jnp.max(frames[1])), rel=0.02)
    # A spark 1 µm out of focus, or 1 µm beside the line, looks dimmer.
    peak = float(jnp.max(line[1]))
    for offset in ({"focus_offset": 1.0}, {"line_offset": 1.0}):
        assert float(jnp.max(cj.LineScan(pixel=0.25, **offset).observe(spark, times, x)[1])) < peak - 0.05


def test_bad_geometry_and_frames_of_a_line_model_are_refused():
    with pytest.raises(cj.InputError, match="geometry 'cube' is not one of line, spherical"):
        cj.Grid(10, 0.1, geometry="cube")
    with pytest.raises(cj.InputError, match="a spherical grid needs boundary='noflux'"):
        cj.Grid(10, 0.1, "periodic", "spherical")
    ball = cj.SparkSite(grid=SPHERE, site_x=0.0)
    with pytest.raises(cj.InputError, match="a row of sites needs a line grid"):
        cj.StochasticCluster(key=jax.random.key(0), site=ball, n_sites=3)
    with pytest.raises(cj.InputError, match="n_sites must be a whole number >= 1, got 0"):
        cj.StochasticCluster(key=jax.random.key(0), n_sites=0)
    line = cj.SpatialSolution(
        jnp.arange(3.0), jnp.arange(5.0), jnp.zeros((3, 2, 5)), None, jnp.asarray(True), ("c", "bound0"), "imex"
    )
    with pytest.raises(cj.InputError, match="2-D frames need a spherical-grid solution"):
        cj.LineScan().frames(line, jnp.array([0.0, 1.0]))
    with pytest.raises(cj.InputError, match="a kymograph fit needs a line-grid spark"):
        fitting.define_kymograph_problem(
            cj.cardiac_spark(spherical=True), np.arange(3.0), np.arange(3.0), np.zeros((3, 3)), free=["flux"]
        )


def test_spark_cli_in_3d_writes_the_library_metrics_and_frames(spark, tmp_path, capsys):
    from cicrjax._cli.main import main

    out = tmp_path / "spark3d"
    assert main(["spark", "--geometry", "spherical", "--out", str(out)]) == 0
    result = json.loads((out / "results.json").read_text())
    t, x, image = cj.LineScan()(spark)
    m = cj.spark_metrics(t, x, cj.delta_f_over_f0(image, 2))
    np.testing.assert_allclose([result["fwhm_um"], result["fdhm_ms"]], [m.fwhm, 1e3 * m.fdhm], rtol=1e-10)
    assert result["geometry"] == "spherical" and result["psf_axial_fwhm_um"] == 1.4
    frames = np.load(out / "frames.npy")
    _, expect = cj.LineScan().frames(spark, np.arange(11) * 0.01)
    np.testing.assert_allclose(frames, np.asarray(cj.delta_f_over_f0(expect, 1)), rtol=1e-10, atol=1e-12)
    assert frames.shape == (11, 80, 80) and (out / "frame.png").read_bytes()[:4] == b"\x89PNG"
    assert "frames.npy, frame.png" in capsys.readouterr().out
    bad = tmp_path / "bad"
    with pytest.raises(SystemExit) as exit_status:  # argparse's choices: one line, status 2
        main(["spark", "--geometry", "cube", "--out", str(bad)])
    assert exit_status.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "invalid choice: 'cube'" in err and "\n" not in err and not bad.exists()
