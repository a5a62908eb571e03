"""The indicator catalogue: published constants, equilibrium behaviour, ratiometric dyes and the text form."""

import numpy as np
import pytest

import cicrjax
from cicrjax import HillIndicator, Indo1, InputError, parse_indicator

# name: (Kd µM, Hill n, Fmax/Fmin, source of the published values)
PUBLISHED = {
    "rhod2": (0.57, 1.0, 100.0, "Molecular Probes Handbook: Kd 570 nM, >100-fold"),
    "xrhod1": (0.70, 1.0, 100.0, "Molecular Probes Handbook: Kd 700 nM, >100-fold"),
    "fluo8": (0.389, 1.0, 200.0, "AAT Bioquest: Kd 389 nM, about 200-fold"),
    "cal590": (0.561, 1.0, 100.0, "AAT Bioquest via Tischbirek 2015 PNAS 112:11377: Kd 561 nM; >100-fold"),
    "jgcamp7s": (0.068, 2.49, 40.4, "Dana 2019 Nat Methods 16:649: Kd 68 nM"),
    "jgcamp7f": (0.174, 2.3, 30.2, "Dana 2019 Nat Methods 16:649: Kd 174 nM"),
    "jgcamp8f": (0.334, 2.09, 78.8, "Zhang 2023 Nature 615:884: Kd 334 nM"),
    "jgcamp8m": (0.108, 1.92, 49.3, "Zhang 2023 Nature 615:884: Kd 108 nM"),
    "jgcamp8s": (0.046, 2.2, 49.4, "Zhang 2023 Nature 615:884: Kd 46 nM"),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_catalogue_carries_the_published_constants_and_f_at_kd_is_halfway(name):
    Kd, n, dr, _ = PUBLISHED[name]
    ind = parse_indicator(name)
    assert type(ind) is cicrjax.INDICATORS[name]
    np.testing.assert_allclose([float(ind.Kd), float(ind.n), float(ind.dr)], [Kd, n, dr], rtol=1e-12)
    assert float(ind.fraction_bound(Kd)) == pytest.approx(0.5, rel=1e-12)  # θ = 1/2 at Kd for any n
    # F/Fmin runs from 1 (no Ca) to dr (saturated); halfway in F at Kd
    f = np.asarray(ind.relative_fluorescence(ind.fraction_bound(np.array([0.0, Kd, 1e6 * Kd]))))
    np.testing.assert_allclose(f, [1.0, (1.0 + dr) / 2.0, dr], rtol=1e-5)  # θ = 1 − 1e-6 at 10⁶ Kd
    # slope of log θ/(1−θ) against log Ca is the Hill coefficient (cooperativity)
    theta = np.asarray(ind.fraction_bound(np.array([0.5 * Kd, 2.0 * Kd])))
    logit = np.log(theta / (1 - theta))
    assert (logit[1] - logit[0]) / np.log(4.0) == pytest.approx(n, rel=1e-9)


def test_rate_constants_follow_kd_and_half_decay():
    # BAPTA-type dyes: k_on of fluo-3 (137 s⁻¹ / 0.39 µM, Baylor & Hollingworth), k_off = k_on Kd
    assert float(cicrjax.Rhod2().k_off) == pytest.approx(137.0 / 0.39 * 0.57, rel=1e-12)
    # GECIs: k_off = ln 2 / half-decay; jGCaMP8f 67 ms after one action potential (Zhang 2023)
    assert float(cicrjax.JGCaMP8f().k_off) == pytest.approx(np.log(2) / 0.067, rel=1e-12)


def test_custom_hill_indicator_from_text_and_python_agree():
    ind = parse_indicator("hill:Kd=0.5,n=1,dr=20")
    assert ind == HillIndicator(Kd=0.5, n=1.0, dr=20.0)  # the same field names in Python
    # n = 1: F at Kd is halfway between Fmin and Fmax = 20 Fmin
    assert float(ind.relative_fluorescence(ind.fraction_bound(0.5))) == pytest.approx(10.5, rel=1e-12)
    changed = parse_indicator(" fluo4:Kd=1.2 , total=20")  # a catalogue dye with some constants replaced
    assert float(changed.Kd) == 1.2 and float(changed.total) == 20.0 and float(changed.dr) == 100.0


def test_indo1_is_ratiometric_and_inverts_by_grynkiewicz():
    indo = Indo1(Kd=0.25, R_min=0.6, R_max=4.0, Sf2_Sb2=2.5)
    assert parse_indicator("indo1:R_min=0.6,R_max=4,Sf2_Sb2=2.5") == indo
    ca = np.array([0.0, 0.05, 0.25, 1.0, 100.0])
    r = np.asarray(indo(ca))
    # R = (Ca Rmax + Kd β Rmin)/(Ca + Kd β): Rmin with no Ca, Rmax at saturation, halfway at Ca = Kd β
    np.testing.assert_allclose(r[[0, -1]], [0.6, 0.6 + 3.4 * 100 / (100 + 0.625)], rtol=1e-12)
    assert float(indo(0.625)) == pytest.approx((0.6 + 4.0) / 2, rel=1e-12)
    np.testing.assert_allclose(indo.calcium(r[1:4]), ca[1:4], rtol=1e-10)
    # the 405/485 ratio rises with Ca
    assert np.all(np.diff(r) > 0)
    with pytest.raises(InputError, match="Indo1 needs R_min < R_max"):
        Indo1(R_min=3.0, R_max=2.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("fluo5", r"unknown indicator 'fluo5'; choose one of fluo3, .*rhod2, .*jgcamp8f, fura2, indo1 or hill:Kd="),
        ("hill:Kd=0.5,n=1", r"needs dr; e.g. hill:Kd=0.5,n=1,dr=20"),
        ("hill:n=1", r"needs Kd, dr"),
        ("hill:Kd=0.5,dr=20,Kd=1", r"Kd given twice"),
        ("hill:Kd=0.5,dr=20,hill=2", r"unknown key 'hill'; hill takes Kd, n, dr, k_off, total"),
        ("hill:Kd=half,dr=20", r"Kd='half' is not a number"),
        ("hill:Kd=-1,dr=20", r"Kd must be > 0"),
        ("hill:Kd=1,dr=0.5", r"dr=0.5 must exceed 1"),
        ("rhod2:Kd", r"'Kd' is not key=value"),
        ("fura2:R_min=5,R_max=2", r"Fura2 needs R_min < R_max"),
    ],
)
def test_indicator_text_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_indicator(text)


def test_signal_refuses_a_ratio_dye_for_single_wavelength_and_the_reverse():
    from fitting._signal import RatioSignal, signal_for_kind

    assert signal_for_kind("ratio", Indo1()) == RatioSignal(Indo1())
    with pytest.raises(InputError, match="indo1 is ratiometric: a df_f0 recording needs a single-wavelength"):
        signal_for_kind("df_f0", Indo1())
    with pytest.raises(InputError, match="ratio recording needs a ratiometric indicator .* not rhod2"):
        signal_for_kind("ratio", cicrjax.Rhod2())


def test_fit_cli_reads_the_text_form_and_lists_known_indicators(tmp_path, capsys):
    from cicrjax._cli.main import main

    raw = tmp_path / "raw.csv"
    ts = np.linspace(0.0, 1.0, 11)
    np.savetxt(raw, np.column_stack([ts, ts + 1.0]), delimiter=",", header="time_s,F_au", comments="")
    argv = ["fit", str(raw), "--model", "li-rinzel1994", "--free", "v3", "--out", str(tmp_path / "o")]
    for indicator, message in (
        ("fluo5", "unknown indicator 'fluo5'; choose one of fluo3, fluo4, fluo8, cal520, rhod2, xrhod1, cal590,"),
        ("hill:Kd=0.5", "needs dr; e.g. hill:Kd=0.5,n=1,dr=20"),
        ("indo1", "indo1 is ratiometric: a raw recording needs a single-wavelength indicator"),
    ):
        assert main([*argv, "--indicator", indicator]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
