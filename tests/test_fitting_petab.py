"""PEtab v1: the Sneyd & Dufour (2002) benchmark run as written (its own SBML, no --model, no --map), a toy problem
with pre-equilibration, log10 and laplace observables and overrides checked against a hand computation, and
malformed problems as one-line errors."""

import dataclasses
import json
import math

import diffrax
import jax.numpy as jnp
import numpy as np
import pytest

import fitting
from cicrjax import InputError

libsbml = pytest.importorskip("libsbml", reason="PEtab problems need python-libsbml (pip install 'cicrjax[petab]')")

# AMICI benchmark_models.yaml: llh = 319.79177818768756 at the nominal parameters of Sneyd_PNAS2002; the best known
# optimum J* = -319.7923458 (Grein et al. 2026), both quoted in ../shared/data/petab-sneyd2002/reference_values.tsv
NLL_NOMINAL = -319.79177818768756
NLL_BEST_KNOWN = -319.7923458


def write_toy(folder, *, yaml_extra="", measurement_rows=None, parameter_rows=None, observable_rows=None):
    """Species A (decays, rate k) and B (made at p, removed at d) in one compartment; conditions c0 (p = 2),
    c1 (p = 3, A reset to 2) and pre (p = 0.5, the pre-equilibration)."""
    doc = libsbml.SBMLDocument(3, 1)
    m = doc.createModel()
    m.setId("toy")
    c = m.createCompartment()
    c.setId("c"), c.setSize(1.0), c.setConstant(True)
    for sid, value in (("A", 1.0), ("B", 0.5)):
        s = m.createSpecies()
        s.setId(sid), s.setCompartment("c"), s.setInitialConcentration(value), s.setHasOnlySubstanceUnits(False)
        s.setBoundaryCondition(False), s.setConstant(False)
    for pid, value in (("k", 0.5), ("p", 1.0), ("d", 2.0)):
        q = m.createParameter()
        q.setId(pid), q.setValue(value), q.setConstant(True)
    for rid, reactant, product, formula in (("R1", "A", None, "c * k * A"), ("R2", None, "B", "c * p"),
                                            ("R3", "B", None, "c * d * B")):  # fmt: skip
        r = m.createReaction()
        r.setId(rid), r.setReversible(False), r.setFast(False)
        for sid, create in ((reactant, r.createReactant), (product, r.createProduct)):
            if sid:
                ref = create()
                ref.setSpecies(sid), ref.setStoichiometry(1.0), ref.setConstant(True)
        r.createKineticLaw().setMath(libsbml.parseL3Formula(formula))
    libsbml.writeSBMLToFile(doc, str(folder / "model.xml"))
    (folder / "conditions.tsv").write_text("conditionId\tp\tA\nc0\t2\t\nc1\t3\t2\npre\t0.5\t\n")
    (folder / "observables.tsv").write_text(
        "observableId\tobservableFormula\tobservableTransformation\tnoiseFormula\tnoiseDistribution\n"
        + (observable_rows or
           "obs_A\tA\tlog10\tnoiseParameter1_obs_A\tnormal\n"
           "obs_B\tobservableParameter1_obs_B * B + offset_b\tlin\tnoiseParameter1_obs_B\tlaplace\n")
    )  # fmt: skip
    header = "observableId\tpreequilibrationConditionId\tsimulationConditionId\ttime\tmeasurement\t"
    (folder / "measurements.tsv").write_text(
        header + "observableParameters\tnoiseParameters\n"
        + (measurement_rows or
           "obs_A\tpre\tc1\t0.5\t1.7\t\tsigma_a\n"
           "obs_A\tpre\tc1\t1.0\t1.1\t\tsigma_a\n"
           "obs_B\t\tc0\t0.5\t1.2\tscale_b\t0.1\n"
           "obs_B\t\tc0\t1.0\t1.5\tscale_b\t0.1\n"
           "obs_B\tpre\tc1\t1.0\t2.9\t2.0\t0.2\n"
           "obs_B\t\tc0\tinf\t1.55\tscale_b\t0.1\n")
    )  # fmt: skip
    (folder / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\tobjectivePriorType\t"
        "objectivePriorParameters\n"
        + (parameter_rows or
           "k\tlog10\t0.01\t10\t0.5\t1\t\t\n"
           "d\tlin\t0\t10\t2\t0\t\t\n"
           "sigma_a\tlog10\t0.001\t10\t0.2\t1\t\t\n"
           "scale_b\tlin\t0\t5\t1.5\t1\tnormal\t1;0.5\n"
           "offset_b\tlin\t-1\t1\t0.1\t0\t\t\n")
    )  # fmt: skip
    (folder / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n- sbml_files: [model.xml]\n"
        "  condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n" + yaml_extra
    )
    return folder / "problem.yaml"


def toy_nll_by_hand() -> float:
    """The toy problem's NLL at the nominal values, from the closed-form solutions.

    A(t) = 2 e^{−0.5 t} after pre-equilibration (c1 resets A to 2); B(t) = p/d + (B(0) − p/d) e^{−d t}:
    in c0 from B(0) = 0.5 with p = 2, in c1 from the pre-equilibrium 0.5/2 = 0.25 with p = 3 (not reset).
    obs_A: log10, normal, σ = sigma_a = 0.2, density of the measurement m: + log(m ln 10).
    obs_B: scale·B + 0.1, laplace with scale 0.1 (c0, scale_b = 1.5) or 0.2 (c1, scale 2.0); at time inf B is at
    its steady state p/d = 1 in c0. Prior on scale_b: normal(1, 0.5) at 1.5."""
    total = 0.0
    for t, m in ((0.5, 1.7), (1.0, 1.1)):
        y, s = 2.0 * math.exp(-0.5 * t), 0.2
        total += 0.5 * math.log(2 * math.pi * s**2) + 0.5 * ((math.log10(m) - math.log10(y)) / s) ** 2
        total += math.log(m * math.log(10.0))
    for t, m, scale, b, b0, p in ((0.5, 1.2, 1.5, 0.1, 0.5, 2.0), (1.0, 1.5, 1.5, 0.1, 0.5, 2.0),
                                  (1.0, 2.9, 2.0, 0.2, 0.25, 3.0)):  # fmt: skip
        B = p / 2.0 + (b0 - p / 2.0) * math.exp(-2.0 * t)
        total += math.log(2 * b) + abs(m - (scale * B + 0.1)) / b
    total += math.log(2 * 0.1) + abs(1.55 - (1.5 * 1.0 + 0.1)) / 0.1  # steady state in c0
    prior = 0.5 * math.log(2 * math.pi * 0.25) + 0.5 * ((1.5 - 1.0) / 0.5) ** 2
    return total, prior


@pytest.fixture(scope="module")
def toy_yaml(tmp_path_factory):
    return write_toy(tmp_path_factory.mktemp("toy"))


@pytest.fixture(scope="module")
def toy(toy_yaml):
    return fitting.load_petab(toy_yaml, solver=diffrax.Tsit5(), lint=False)


def test_toy_nll_by_hand_preequilibration_steady_state_log10_laplace_overrides_priors(toy):
    assert toy.names == ("k", "sigma_a", "scale_b") and toy.scales == ("log10", "log10", "lin")  # d, offset_b fixed
    assert toy.experiments == (("pre", "c1"), ("", "c0"))
    (prediction,), (nll,), (prior,), (ok,) = fitting.evaluate_petab(toy, toy.nominal_theta[None])
    by_hand, prior_by_hand = toy_nll_by_hand()
    assert bool(ok)
    np.testing.assert_allclose(float(nll), by_hand, rtol=0, atol=1e-6)
    np.testing.assert_allclose(float(prior), prior_by_hand, rtol=1e-12)
    b_c0 = lambda t: 1.0 + (0.5 - 1.0) * math.exp(-2.0 * t)  # noqa: E731
    expected = [2 * math.exp(-0.25), 2 * math.exp(-0.5), 1.5 * b_c0(0.5) + 0.1, 1.5 * b_c0(1.0) + 0.1,
                2.0 * (1.5 - 1.25 * math.exp(-2.0)) + 0.1, 1.5 * 1.0 + 0.1]  # fmt: skip
    np.testing.assert_allclose(prediction, expected, rtol=1e-7)


def test_several_condition_and_measurement_files_read_as_one_table(toy_yaml, toy):
    folder = toy_yaml.parent  # the same SBML file and layout: the compiled NLL is shared
    lines = (folder / "measurements.tsv").read_text().splitlines(keepends=True)
    (folder / "m1.tsv").write_text("".join(lines[:3]))
    (folder / "m2.tsv").write_text("".join(lines[:1] + lines[3:]))
    lines = (folder / "conditions.tsv").read_text().splitlines(keepends=True)
    (folder / "c1.tsv").write_text("".join(lines[:2]))
    (folder / "c2.tsv").write_text("".join(lines[:1] + lines[2:]))
    text = toy_yaml.read_text().replace("[conditions.tsv]", "[c1.tsv, c2.tsv]")
    text = text.replace("[measurements.tsv]", "[m1.tsv, m2.tsv]")
    path = folder / "split.yaml"
    path.write_text(text)
    split = fitting.load_petab(path, solver=diffrax.Tsit5(), lint=False)
    assert split.experiments == toy.experiments and split.n_data == 6
    np.testing.assert_allclose(
        fitting.evaluate_petab(split, split.nominal_theta[None])[1], toy_nll_by_hand()[0], rtol=0, atol=1e-6
    )


@pytest.mark.parametrize("transformation", ["lin", "log", "log10"])
@pytest.mark.parametrize("distribution", ["normal", "laplace"])
def test_measurement_densities_by_hand(toy, transformation, distribution):
    """PEtab's density of the measurement m given the simulation y and σ (on the transformed scale), as AMICI:
    normal ½log(2πσ²) + ½((t(m) − t(y))/σ)², laplace log(2σ) + |t(m) − t(y)|/σ, plus log m (log) or log(m ln 10)
    (log10), the Jacobian that makes it a density of m itself."""
    obs = dataclasses.replace(toy.observables[0], transformation=transformation, distribution=distribution,
                              rows=(0, 1, 2, 3, 4, 5))  # fmt: skip
    problem = dataclasses.replace(toy, observables=(obs,))
    m, y, sigma = (
        np.asarray(toy.data),
        np.array([1.5, 1.0, 1.4, 1.6, 2.5, 1.2]),
        np.array([0.2, 0.2, 0.1, 0.1, 0.3, 0.1]),
    )
    t, jacobian = {"lin": (lambda x: x, 0.0), "log": (np.log, np.log(m)), "log10": (np.log10, np.log(m * np.log(10)))}[
        transformation
    ]
    r = (t(m) - t(y)) / sigma
    expected = (
        (0.5 * np.log(2 * np.pi * sigma**2) + 0.5 * r**2) if distribution == "normal" else np.log(2 * sigma) + abs(r)
    )
    got = problem.neg_log_likelihood_terms(jnp.asarray(y), jnp.asarray(sigma))
    np.testing.assert_allclose(got, expected + jacobian, rtol=1e-13)


def test_compile_formula_matches_direct_evaluation():
    import cicrjax

    states = cicrjax.Sneyd2002.states
    f = fitting.compile_formula("(0.9 * IPR_A + 0.1 * IPR_O)^4", states, (), {"IPR_A": "A", "IPR_O": "O"})
    ys = jnp.asarray(np.random.default_rng(0).uniform(size=(5, 6)))
    np.testing.assert_allclose(np.asarray(f(None, ys)), (0.9 * ys[:, 2] + 0.1 * ys[:, 1]) ** 4, rtol=1e-14)
    g = fitting.compile_formula("-2 + k1 * exp(R) / 4 + log(S, 10) + max(R, O)", states, ("k1",))
    m = cicrjax.Sneyd2002()
    expected = -2 + float(m.k1) * np.exp(ys[:, 0]) / 4 + np.log10(ys[:, 3]) + np.maximum(ys[:, 0], ys[:, 1])
    np.testing.assert_allclose(np.asarray(g(m, ys)), expected, rtol=1e-14)
    with pytest.raises(InputError, match="map it with --map IPR_X=MODEL_NAME"):
        fitting.compile_formula("IPR_X", states, ())
    with pytest.raises(InputError, match="'R if O else A' in 'R if O else A' is not supported PEtab math"):
        fitting.compile_formula("R if O else A", states, ())


def test_sneyd_nll_at_nominal_equals_the_reference(shared_data):
    problem = fitting.load_petab(shared_data / "petab-sneyd2002" / "Sneyd_PNAS2002.yaml", lint=False)
    assert len(problem.names) == 15 and problem.n_data == 135 and len(problem.experiments) == 9
    assert set(problem.scales) == {"log10"} and problem.model.name == "Sneyd_PNAS2002"
    np.testing.assert_allclose(problem.natural(problem.nominal_theta), problem.nominal, rtol=1e-9)
    (_, (nll,), (prior,), (ok,)) = fitting.evaluate_petab(problem, problem.nominal_theta[None])
    assert bool(ok) and float(prior) == 0.0
    assert float(nll) == pytest.approx(NLL_NOMINAL, abs=1e-4)


def test_sneyd_cli_fit_without_model_or_map_from_a_perturbed_start(shared_data, tmp_path, capsys):
    """`cicrjax fit --petab` alone: the problem's SBML, from a start with five rates and σ moved off the nominal
    values, reaches the reference NLL; results.json reports the NLL at the nominal values too."""
    from cicrjax._cli.main import main

    yaml = shared_data / "petab-sneyd2002" / "Sneyd_PNAS2002.yaml"
    out = tmp_path / "petab"
    start = ["k1=5", "k3=10", "k_1=1.3", "l2=0.6", "sigma=0.03"]
    argv = ["fit", "--petab", str(yaml), "--starts", "1", "--max-iter", "60", "--out", str(out)]
    assert main([*argv, *[x for s in start for x in ("--start", s)]]) == 0
    result = json.loads((out / "results.json").read_text())
    assert result["nll"] <= -319.79
    assert result["nll"] >= NLL_BEST_KNOWN - 1e-4  # not below the best known optimum
    assert result["nll_nominal"] == pytest.approx(NLL_NOMINAL, abs=1e-4)
    assert result["n_starts"] == 1 and result["parameters"]["k1"]["free"]
    assert "NLL -319.79" in capsys.readouterr().out
    rows = (out / "fit.csv").read_text().splitlines()
    assert len(rows) == 136 and rows[1].startswith("open_probability,,Ca_dose_response__1,0,-0.01,")


_FILES = (
    "  condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
    "  observable_files: [observables.tsv]\n"
)
_HEAD = "format_version: 1\nparameter_file: parameters.tsv\n"
_MEASURED = "observableId\tsimulationConditionId\ttime\tmeasurement\tnoiseParameters\n"
_OBSERVED = "observableId\tobservableFormula\tobservableTransformation\tnoiseFormula\tnoiseDistribution\n"
_OBS_B = "obs_B\tobservableParameter1_obs_B * B + offset_b\tlin\tnoiseParameter1_obs_B\tlaplace\n"
_PARAMETERS = "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("problem.yaml", _HEAD + "problems:\n- sbml_files: [model.xml]\n  measurement_files: [measurements.tsv]\n"
         "  observable_files: [observables.tsv]\n", r"condition_files must list at least one file"),
        ("problem.yaml", _HEAD + "problems: model.xml\n", r"problems must be a list with one entry"),
        ("problem.yaml", "format_version: 2\nparameter_file: p.tsv\nproblems: []\n", r"format_version 2 is not supp"),
        ("problem.yaml", "problems: [: :\n", r"is not valid YAML"),
        ("problem.yaml", "just text\n", r"is not a PEtab problem \(needs parameter_file and problems\)"),
        ("problem.yaml", _HEAD + "problems:\n- sbml_files: [a.xml, b.xml]\n" + _FILES, r"sbml_files lists 2 files"),
        ("measurements.tsv", "observableId\tsimulationConditionId\tmeasurement\nobs_A\tc0\t1\n",
         r"the measurement table has no time column; PEtab requires it"),
        ("measurements.tsv", _MEASURED + "obs_A\tc0\t-1\t1.0\t0.1\n", r"time must be ≥ 0 or inf \(steady state\)"),
        ("measurements.tsv", _MEASURED + "obs_A\tc0\t1\t-1.0\t0.1\n", r"is -1, not > 0, on a log10 scale"),
        ("measurements.tsv", _MEASURED + "obs_A\tc9\t1\t1.0\t0.1\n", r"condition 'c9' of the measurement table"),
        ("measurements.tsv", _MEASURED + "obs_B\tc0\t1\t1.0\t0.1\n", r"gives 0 observableParameters but observ"),
        ("measurements.tsv", _MEASURED + "obs_A\tc0\t1\t1.0\tnoise_x\n", r"'noise_x' is neither a number nor a par"),
        ("observables.tsv", _OBSERVED + "obs_A\tA\tsqrt\t0.1\tnormal\n" + _OBS_B, r"Transformation 'sqrt' is not"),
        ("observables.tsv", _OBSERVED + "obs_A\tA\tlin\t0.1\tbinomial\n" + _OBS_B, r"Distribution 'binomial' is not"),
        ("observables.tsv", _OBSERVED + "obs_A\tA * zz\tlin\t0.1\tnormal\n" + _OBS_B, r"'zz' is neither a model"),
        ("observables.tsv", _OBSERVED + "obs_A\tA if B else 1\tlin\t1\tnormal\n" + _OBS_B, r"not supported PEtab math"),
        ("parameters.tsv", _PARAMETERS + "k\tln\t0.01\t10\t0.5\t1\n", r"parameterScale 'ln' is not supported"),
        ("parameters.tsv", _PARAMETERS + "k\tlog10\t10\t0.01\t0.5\t1\n", r"bounds \[10, 0.01\] are not an interval"),
        ("parameters.tsv", _PARAMETERS.replace("\n", "\tobjectivePriorType\tobjectivePriorParameters\n")
         + "k\tlog10\t0.01\t10\t0.5\t1\tcauchy\t0;1\n", r"objectivePriorType 'cauchy' is not one of"),
        ("conditions.tsv", "conditionId\tq\nc0\t1\nc1\t2\npre\t3\n", r"condition column 'q' is not a parameter"),
    ],
)  # fmt: skip
def test_malformed_petab_is_a_one_line_input_error(tmp_path, name, text, message):
    path = write_toy(tmp_path)
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message) as info:
        fitting.load_petab(path, lint=False)
    assert "\n" not in str(info.value)


def test_malformed_petab_on_the_command_line_exits_2(tmp_path, capsys):
    from cicrjax._cli.main import main

    path = write_toy(tmp_path)
    (tmp_path / "problem.yaml").write_text(_HEAD + "problems: model.xml\n")
    assert main(["fit", "--petab", str(path), "--out", str(tmp_path / "out")]) == 2
    (tmp_path / "model.xml").write_text("<sbml")
    (tmp_path / "problem.yaml").write_text(_HEAD + "problems:\n- sbml_files: [model.xml]\n" + _FILES)
    assert main(["fit", "--petab", str(path), "--out", str(tmp_path / "out")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(err) == 2 and "problems must be a list" in err[0] and "not valid SBML" in err[1]
    assert not (tmp_path / "out" / "results.json").exists()


def test_petab_linter_finds_what_the_reader_does_not_check(tmp_path):
    pytest.importorskip("petab", reason="the PEtab linter needs the petab library (pip install 'cicrjax[petab]')")
    path = write_toy(tmp_path)
    text = (tmp_path / "parameters.tsv").read_text()
    (tmp_path / "parameters.tsv").write_text(text + "p\tlin\t0\t10\t1\t0\t\t\n")  # p is set by the conditions too
    with pytest.raises(InputError, match="the PEtab linter reports an error"):
        fitting.load_petab(path)
