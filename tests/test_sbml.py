"""SBML import (`load_sbml`), export (`export_sbml`, `cicrjax export-sbml`) and `cicrjax simulate FILE.xml`."""

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax import InputError

libsbml = pytest.importorskip("libsbml", reason="SBML tests need python-libsbml (pip install 'cicrjax[sbml]')")

OSCILLATORS = ("gdb1990", "deyoung-keizer1992", "li-rinzel1994", "borghans1997", "marhl2000", "atri1993")


def write_model(path, *, edit=None):
    """A small SBML L3V1 model in minutes that uses every supported construct; `edit(model)` may break it.

    Species A (concentration, cell = 2 L), B (amount only), C (in ext = 5 L, initial amount 10, conversion
    factor cf = 2), X (boundary, constant input); D = A + X an assignment rule; p and r parameters with rate rules;
    q = 2 k1 + B an initial assignment (B at t = 0); mm() a function definition; local parameters Km and kin.
    """
    doc = libsbml.SBMLDocument(3, 1)
    m = doc.createModel()
    m.setId("toy")
    minute = m.createUnitDefinition()
    minute.setId("minute")
    u = minute.createUnit()
    u.setKind(libsbml.UNIT_KIND_SECOND), u.setExponent(1), u.setScale(0), u.setMultiplier(60.0)
    m.setTimeUnits("minute")
    m.setSubstanceUnits("mole")
    m.setVolumeUnits("litre")
    f = m.createFunctionDefinition()
    f.setId("mm")
    f.setMath(libsbml.parseL3Formula("lambda(S, V, K, V * S / (K + S))"))
    for cid, size in (("cell", 2.0), ("ext", 5.0)):
        c = m.createCompartment()
        c.setId(cid), c.setSize(size), c.setConstant(True), c.setSpatialDimensions(3)
    for sid, comp, value, amount_only, given_amount, boundary in (
        ("A", "cell", 1.5, False, False, False),
        ("B", "cell", 4.0, True, True, False),
        ("C", "ext", 10.0, False, True, False),
        ("X", "cell", 0.5, False, False, True),
        ("D", "cell", 0.0, False, False, False),
    ):
        s = m.createSpecies()
        s.setId(sid), s.setCompartment(comp), s.setHasOnlySubstanceUnits(amount_only)
        s.setBoundaryCondition(boundary), s.setConstant(False)
        s.setInitialAmount(value) if given_amount else s.setInitialConcentration(value)
    m.getSpecies("C").setConversionFactor("cf")
    for pid, value, constant in (("k1", 0.3, True), ("k2", 0.7, True), ("cf", 2.0, True), ("p", 3.0, False),
                                 ("r", 0.0, False), ("q", 0.0, True)):  # fmt: skip
        p = m.createParameter()
        p.setId(pid), p.setValue(value), p.setConstant(constant)
    ia = m.createInitialAssignment()
    ia.setSymbol("q"), ia.setMath(libsbml.parseL3Formula("2 * k1 + B"))
    rule = m.createAssignmentRule()
    rule.setVariable("D"), rule.setMath(libsbml.parseL3Formula("A + X"))
    for var, formula in (("p", "-k2 * p"), ("r", "D * q")):
        rule = m.createRateRule()
        rule.setVariable(var), rule.setMath(libsbml.parseL3Formula(formula))
    for rid, reactants, products, formula, local in (
        ("R1", [("A", 1)], [("B", 1)], "cell * mm(A, k1, Km)", ("Km", 0.5)),
        ("R2", [("B", 1)], [("C", 2)], "k2 * B * piecewise(1, time < 10, 0.5)", None),
        ("R3", [("X", 1)], [("A", 1)], "cell * kin * X", ("kin", 0.2)),
    ):
        r = m.createReaction()
        r.setId(rid), r.setReversible(False), r.setFast(False)
        for refs, create in ((reactants, r.createReactant), (products, r.createProduct)):
            for sid, n in refs:
                ref = create()
                ref.setSpecies(sid), ref.setStoichiometry(n), ref.setConstant(True)
        law = r.createKineticLaw()
        law.setMath(libsbml.parseL3Formula(formula))
        if local:
            lp = law.createLocalParameter()
            lp.setId(local[0]), lp.setValue(local[1])
    if edit is not None:
        edit(m)
    libsbml.writeSBMLToFile(doc, str(path))
    return path


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return cicrjax.load_sbml(write_model(tmp_path_factory.mktemp("sbml") / "toy.xml"))


def test_toy_model_structure_units_and_leaves(toy):
    assert toy.states == ("A", "B", "C", "p", "r")  # species first, then rate-rule parameters; D is a rule
    assert toy.time_unit == "min"
    assert toy.state_units[:2] == ("M", "mol")
    names = [p.name for p in toy.parameters()]
    assert {"k1", "k2", "cf", "cell", "ext", "A_init", "B_init", "C_init", "X_init", "p_init", "r_init"} <= set(names)
    assert {"R1_Km", "R3_kin"} <= set(names) and "q" not in names  # q comes from its initial assignment
    assert type(toy).field_for("A") == "A_init" and type(toy).field_for("R1.Km") == "R1_Km"
    assert isinstance(toy, cicrjax.AbstractSBMLModel) and isinstance(toy, cicrjax.AbstractModel)


def test_toy_model_initial_state_and_derivative_by_hand(toy):
    # C is given as 10 mol in ext = 5 L, so its concentration starts at 2 M
    np.testing.assert_allclose(toy.initial_state(), [1.5, 4.0, 2.0, 3.0, 0.0], rtol=1e-15)
    # by hand at t = 0: R1 = 2·0.3·1.5/(0.5+1.5) = 0.45, R2 = 0.7·4 = 2.8, R3 = 2·0.2·0.5 = 0.2;
    # dA = (R3 − R1)/2, dB = R1 − R2 (amount), dC = cf·2·R2/5, dp = −0.7·3, dr = (A + X)·q with q = 2·0.3 + 4
    y0 = toy.initial_state()
    np.testing.assert_allclose(toy.derivative(0.0, y0), [-0.125, -2.35, 2.24, -2.1, 9.2], rtol=1e-14)
    symbols = toy.symbols(0.0, y0)
    np.testing.assert_allclose([symbols[k] for k in ("D", "q", "R1", "R2", "R3")], [2.0, 4.6, 0.45, 2.8, 0.2])
    # after 10 min R2 halves (piecewise in time); q keeps its t = 0 value when B changes
    y = y0.at[1].set(1.0)
    r2 = 0.7 * 1.0 * 0.5
    np.testing.assert_allclose(toy.derivative(20.0, y), [-0.125, 0.45 - r2, 2 * 2 * r2 / 5, -2.1, 9.2], rtol=1e-14)


def test_toy_model_grad_jit_vmap(toy):
    y0 = toy.initial_state()
    jac = jax.jacfwd(lambda m: jax.jit(lambda m: m.derivative(0.0, y0))(m))(toy)
    # ∂dA/∂k1 = −A/(Km + A) = −0.75; ∂dr/∂k1 = (A + X)·2 = 4; ∂dC/∂cf = 2·2.8/5 = 1.12; ∂dA/∂Km = k1·A/(Km+A)²
    np.testing.assert_allclose([jac.k1[0], jac.k1[4], jac.cf[2]], [-0.75, 4.0, 1.12], rtol=1e-14)
    np.testing.assert_allclose(jac.R1_Km[0], 0.3 * 1.5 / 2.0**2, rtol=1e-14)
    batch = cicrjax.batch_parameters(toy, {"k1": jnp.array([0.1, 0.3, 0.9])})
    rates = jax.vmap(lambda m: m.derivative(0.0, y0))(batch)
    loop = [dataclasses.replace(toy, k1=k).derivative(0.0, y0) for k in (0.1, 0.3, 0.9)]
    np.testing.assert_allclose(rates, np.stack(loop), rtol=1e-15)


def test_toy_model_trajectory_equals_libroadrunner(toy, tmp_path):
    """An independent SBML simulator (libroadrunner, the `bench` extra) integrates the same file to the same
    trajectory over 20 min (roadrunner reports A and C as concentrations, B as an amount, like cicrjax)."""
    roadrunner = pytest.importorskip("roadrunner", reason="the cross-check needs libroadrunner (the bench extra)")
    rr = roadrunner.RoadRunner(str(write_model(tmp_path / "toy.xml")))
    rr.integrator.absolute_tolerance, rr.integrator.relative_tolerance = 1e-12, 1e-10
    reference = np.asarray(rr.simulate(0, 20, 5, ["time", "[A]", "B", "[C]", "p", "r"]))
    ours = cicrjax.simulate(toy, jnp.linspace(0.0, 20.0, 5), solver=diffrax.Tsit5(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.ys, reference[:, 1:], rtol=1e-7, atol=1e-9)


def _add_event(m):
    e = m.createEvent()
    e.setId("kick"), e.setUseValuesFromTriggerTime(True)
    t = e.createTrigger()
    t.setMath(libsbml.parseL3Formula("time > 1")), t.setInitialValue(False), t.setPersistent(True)
    a = e.createEventAssignment()
    a.setVariable("p"), a.setMath(libsbml.parseL3Formula("1"))


def _set_math(rid, formula):
    return lambda m: m.getReaction(rid).getKineticLaw().setMath(libsbml.parseL3Formula(formula))


def _cycle(m):
    for var, formula in (("u", "w + 1"), ("w", "u * 2")):
        p = m.createParameter()
        p.setId(var), p.setConstant(False), p.setValue(0.0)
        rule = m.createAssignmentRule()
        rule.setVariable(var), rule.setMath(libsbml.parseL3Formula(formula))


def _algebraic(m):
    rule = m.createAlgebraicRule()
    rule.setMath(libsbml.parseL3Formula("k1 - k2"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_add_event, r"event 'kick' is not supported"),
        (_algebraic, r"an algebraicRule is not supported; rewrite it as an assignmentRule"),
        (_set_math("R1", "delay(A, 1) * k1"), r"kineticLaw of reaction R1 uses delay\(\)"),
        (_set_math("R1", "k1 * nowhere"), r"the formula for R1 uses 'nowhere', which the model does not define"),
        (_set_math("R2", "nofun(B)"), r"calls nofun\(\), which no functionDefinition defines"),
        (_set_math("R2", "mm(B, k2)"), r"calls mm\(\) with 2 arguments; it takes 3"),
        (_cycle, r"in a cycle \(u → w → u\)"),
    ],
)
def test_unsupported_or_broken_sbml_is_a_one_line_input_error(tmp_path, edit, message):
    path = write_model(tmp_path / "bad.xml", edit=edit)
    with pytest.raises(InputError, match=message) as info:
        cicrjax.load_sbml(path)
    assert "\n" not in str(info.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        cicrjax.load_sbml(tmp_path / "nope.xml")
    bad = tmp_path / "bad.xml"
    bad.write_text("<sbml><model></sbml>")
    with pytest.raises(InputError, match=r"not valid SBML \(line 1"):
        cicrjax.load_sbml(bad)


# Round trip: every built-in oscillator written as SBML and read back integrates to the same trajectory.


@eqx.filter_jit
def rk4(model, t_end: float, steps: int, saves: int):
    """Classical fixed-step RK4 from the model's initial state: `saves` + 1 states evenly spaced on [0, t_end].
    Both sides of a comparison use it, and its small program compiles in a fraction of diffrax's time."""
    h = t_end / steps

    def step(y, t):
        k1 = model.derivative(t, y)
        k2 = model.derivative(t + h / 2, y + h / 2 * k1)
        k3 = model.derivative(t + h / 2, y + h / 2 * k2)
        k4 = model.derivative(t + h, y + h * k3)
        return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), None

    def save(y, i):
        y, _ = jax.lax.scan(step, y, i * t_end / saves + h * jnp.arange(steps // saves, dtype=float))
        return y, y

    y0 = model.initial_state()
    _, ys = jax.lax.scan(save, y0, jnp.arange(saves, dtype=float))
    return jnp.concatenate([y0[None], ys])


@pytest.mark.parametrize("name", OSCILLATORS)
def test_export_import_round_trip_equal_trajectories(tmp_path, name):
    model = cicrjax.get_model(name)()
    path = tmp_path / f"{name}.xml"
    cicrjax.export_sbml(model, path)
    back = cicrjax.load_sbml(path)
    assert back.states == model.states and back.time_unit == "s"
    for info in model.parameters():  # every parameter comes back by name, its value to libsbml's 15 digits
        assert float(getattr(back, info.name)) == pytest.approx(float(getattr(model, info.name)), rel=1e-14)
    a, b = rk4(model, 3.0, 3000, 3), rk4(back, 3.0, 3000, 3)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-8)
    assert float(jnp.max(jnp.abs(a[-1] - a[0]))) > 1e-3  # the states moved: the comparison is not trivial


# The curated BioModels file of the built-in model, and the SBML of the PEtab Sneyd problem.


def test_biomodels_goldbeter1990_equals_gdb1990(shared_data):
    """BIOMD0000000098 (µM, s; its Z, Y and parameter names) integrates like `gdb1990` to 1e-6 µM over 10 s (five
    oscillation periods), both by the same fixed-step RK4 (h = 1 ms)."""
    model = cicrjax.load_sbml(shared_data / "biomodels-goldbeter1990-cicr" / "BIOMD0000000098.xml")
    assert model.states == ("Z", "Y") and model.time_unit == "s" and model.state_units == ("µM", "µM")
    again = cicrjax.load_sbml(shared_data / "biomodels-goldbeter1990-cicr" / "BIOMD0000000098.xml")
    assert type(again) is type(model)  # one class per file: jit caches compiled functions by class
    assert (float(model.Vm2), float(model.beta), float(model.Z_init)) == (65.0, 0.301, 0.15)
    assert {p.name: p.unit for p in model.parameters()}["Vm3"] == "µM/s"
    a, b = rk4(cicrjax.GDB1990(), 10.0, 10000, 5), rk4(model, 10.0, 10000, 5)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)


def test_petab_sneyd_sbml_equals_sneyd2002(shared_data):
    """The vector field and initial state of model_Sneyd_PNAS2002.xml equal `sneyd2002` (states IPR_R ... ↔ R ...)
    at random receptor states under every condition of the benchmark (Ca 0.1–10 µM, IP3 3–10 µM)."""
    model = cicrjax.load_sbml(shared_data / "petab-sneyd2002" / "model_Sneyd_PNAS2002.xml")
    order = [model.states.index(f"IPR_{s}") for s in cicrjax.Sneyd2002.states]
    rng = np.random.default_rng(0)
    for ca, ip3 in [(0.1, 10.0), (0.4, 10.0), (10.0, 10.0), (0.4, 3.0), (3.0, 5.0)]:
        sbml = dataclasses.replace(model, Ca=ca, IP3=ip3)
        builtin = cicrjax.Sneyd2002(Ca=ca, IP3=ip3)
        np.testing.assert_array_equal(sbml.initial_state()[jnp.array(order)], builtin.initial_state())
        for y in rng.dirichlet(np.ones(6), size=3):
            y_sbml = np.empty(6)
            y_sbml[order] = y
            got = sbml.derivative(0.0, jnp.asarray(y_sbml))[jnp.array(order)]
            np.testing.assert_allclose(got, builtin.derivative(0.0, jnp.asarray(y)), rtol=1e-12, atol=1e-12)


# Command line


def test_cli_export_sbml_then_simulate_the_file(tmp_path):
    from cicrjax._cli.main import main

    xml = tmp_path / "gdb.xml"
    assert main(["export-sbml", "gdb1990", "--out", str(xml)]) == 0
    assert main(["simulate", str(xml), "--t-end", "1", "--dt", "0.5", "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["simulate", "gdb1990", "--t-end", "1", "--dt", "0.5", "--out", str(tmp_path / "b.csv")]) == 0
    a = np.loadtxt(tmp_path / "a.csv", delimiter=",", skiprows=1)
    b = np.loadtxt(tmp_path / "b.csv", delimiter=",", skiprows=1)
    assert (tmp_path / "a.csv").read_text().splitlines()[0] == "t,Z,Y"
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)  # Kvaerno5 for the file, Tsit5 built in, at rtol 1e-6


def test_cli_simulate_sbml_errors_exit_2(tmp_path, capsys):
    from cicrjax._cli.main import main

    bad = tmp_path / "bad.xml"
    bad.write_text("<sbml")
    assert main(["simulate", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["export-sbml", "nomodel", "--out", str(tmp_path / "x.xml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "not valid SBML" in err[0] and "unknown model 'nomodel'" in err[1]
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.xml").exists()
