"""An SBML model read into a program: its leaves (numbers a user may change), states, and the ordered formulas
that give the initial state and the time derivative as jax.numpy code."""

import dataclasses
import keyword
from collections.abc import Callable, Mapping
from pathlib import Path

import jax.numpy as jnp

from .._errors import InputError
from .libsbml import require_libsbml
from .mathml import Compiled, MathCompiler, names_in
from .units import time_unit, unit_text


@dataclasses.dataclass(frozen=True)
class Leaf:
    """A number of the model that becomes a parameter field: `field` (Python name), `key` (its SBML id; a local
    parameter is `reaction.parameter`), the file's value, unit text, description and constraint."""

    field: str
    key: str
    default: float
    unit: str
    description: str
    constraint: str


@dataclasses.dataclass(frozen=True)
class Program:
    """The executable form of an SBML model: `initial_state(leaves)` and `derivative(leaves, t, y)`, where
    `leaves` maps each `Leaf.key` to its value (a scalar array)."""

    model_id: str
    source: str
    leaves: tuple[Leaf, ...]
    states: tuple[str, ...]
    state_units: tuple[str, ...]
    time_unit: str
    seconds_per_time_unit: float | None
    setters: Mapping[str, str]  # SBML id → the field that sets it (species: their initial value)
    _initial: tuple[tuple[str, Compiled], ...]  # symbol values at t = 0, in dependency order
    _constants: tuple[str, ...]  # symbols whose t = 0 value holds at all times
    _dynamic: tuple[tuple[str, Compiled], ...]  # assignment rules and reaction rates, in dependency order
    _rates: tuple[Callable, ...]  # one function env → d(state)/dt per state

    def initial_env(self, leaves: Mapping[str, object]) -> dict:
        """Every symbol's value at t = 0."""
        env = {**leaves, "time": 0.0}
        for symbol, f in self._initial:
            env[symbol] = f(env)
        return env

    def initial_state(self, leaves):
        env = self.initial_env(leaves)
        return jnp.stack([jnp.asarray(env[s], float) for s in self.states])

    def symbols(self, leaves, t, y) -> dict:
        """Every symbol's value at time `t` in state `y`: constants, states, assignment rules, reaction rates."""
        start = self.initial_env(leaves)  # constants only; what a caller does not use, XLA drops
        env = {s: start[s] for s in self._constants}
        env.update(zip(self.states, y, strict=True))
        env["time"] = t
        for symbol, f in self._dynamic:
            env[symbol] = f(env)
        return env

    def derivative(self, leaves, t, y):
        env = self.symbols(leaves, t, y)
        return jnp.stack([jnp.asarray(rate(env), y.dtype) for rate in self._rates])


_RESERVED = frozenset(
    {"name", "states", "citation", "time_unit", "program", "derivative", "initial_state", "default_solver",
     "free_calcium_fraction", "vector_field", "parameters", "state_index", "state_units", "leaves", "sbml_ids",
     "time"}
)  # fmt: skip


class _Fields:
    """Python field names for SBML ids: the id itself unless it is a keyword or clashes, then with `_` added."""

    def __init__(self, ids):
        self.ids = set(ids)
        self.taken = set(_RESERVED)

    def new(self, wanted: str, own_id: bool) -> str:
        """A free field name for `wanted`; one made up from an id (`S_init`) also avoids every SBML id."""
        name = wanted
        while (
            keyword.iskeyword(name) or name in self.taken or name.startswith("__") or (not own_id and name in self.ids)
        ):
            name = name.lstrip("_") + "_"
        self.taken.add(name)
        return name


def _order(defs: dict[str, tuple[Compiled, set[str]]], source: str, what: str) -> list[tuple[str, Compiled]]:
    """Definitions sorted so that each comes after those it uses; a cycle is an `InputError`."""
    done, order, visiting = set(), [], []

    def visit(symbol):
        if symbol in done:
            return
        if symbol in visiting:
            cycle = " → ".join([*visiting[visiting.index(symbol) :], symbol])
            raise InputError(f"{source}: {what} depend on each other in a cycle ({cycle}); break the cycle")
        visiting.append(symbol)
        for dep in sorted(defs[symbol][1]):
            if dep in defs:
                visit(dep)
        visiting.pop()
        done.add(symbol)
        order.append((symbol, defs[symbol][0]))

    for symbol in defs:
        visit(symbol)
    return order


def read_program(path: str | Path) -> Program:  # noqa: C901 (one pass over the SBML elements)
    """Read and check an SBML Level 2/3 file into a [`Program`][]; unsupported constructs are an `InputError`."""
    libsbml = require_libsbml()
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(f"SBML file {source!r} does not exist; give the path of an .xml model")
    document = libsbml.readSBMLFromFile(source)
    errors = [
        document.getError(i)
        for i in range(document.getNumErrors())
        if document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        first = errors[0]
        message = " ".join(first.getMessage().split())
        raise InputError(f"{source}: not valid SBML (line {first.getLine()}: {message})")
    model = document.getModel()
    if model is None:
        raise InputError(f"{source}: the SBML document has no <model>; give a file with one model")

    def unsupported(what: str, fix: str):
        raise InputError(f"{source}: {what} is not supported; {fix}")

    if model.getNumEvents():
        unsupported(f"event {model.getEvent(0).getId() or '(no id)'!r}", "remove the events or simulate piecewise")
    for rule in model.getListOfRules():
        if rule.isAlgebraic():
            unsupported("an algebraicRule", "rewrite it as an assignmentRule")
    for reaction in model.getListOfReactions():
        if reaction.isSetFast() and reaction.getFast():
            unsupported(f"fast reaction {reaction.getId()!r}", "set fast='false'")
    functions = {f.getId(): f.getMath() for f in model.getListOfFunctionDefinitions()}
    compiler = MathCompiler(functions, source)
    assignment = {r.getVariable(): r for r in model.getListOfRules() if r.isAssignment()}
    rate_rules = {r.getVariable(): r for r in model.getListOfRules() if r.isRate()}
    initial_assignment = {a.getSymbol(): a for a in model.getListOfInitialAssignments()}
    all_ids = (
        [c.getId() for c in model.getListOfCompartments()]
        + [s.getId() for s in model.getListOfSpecies()]
        + [p.getId() for p in model.getListOfParameters()]
        + [r.getId() for r in model.getListOfReactions()]
    )
    fields = _Fields(all_ids)
    leaves: list[Leaf] = []
    setters: dict[str, str] = {}

    def add_leaf(key, wanted, value, unit, description, constraint):
        leaf = Leaf(fields.new(wanted, wanted == key), key, value, unit, description, constraint)
        leaves.append(leaf)
        return leaf

    initial_defs: dict[str, tuple[Compiled, set[str]]] = {}
    dynamic_defs: dict[str, tuple[Compiled, set[str]]] = {}
    states: list[str] = []  # species first, then parameters and compartments with rate rules
    state_units: list[str] = []
    ruled: list[tuple[str, str]] = []

    def define_rules(symbol: str):
        """Initial value by initial assignment or assignment rule, if either defines it; True if one did."""
        if symbol in assignment:
            rule = assignment[symbol]
            f = compiler.compile(rule.getMath(), f"assignmentRule for {symbol}")
            initial_defs[symbol] = dynamic_defs[symbol] = (f, names_in(rule.getMath()))
            return True
        if symbol in initial_assignment:
            ia = initial_assignment[symbol]
            f = compiler.compile(ia.getMath(), f"initialAssignment for {symbol}")
            initial_defs[symbol] = (f, names_in(ia.getMath()))
            return True
        return False

    # compartments and parameters: a leaf unless a rule or initial assignment gives the value
    for kind, elements in (("compartment", model.getListOfCompartments()), ("parameter", model.getListOfParameters())):
        for element in elements:
            sid = element.getId()
            unit = unit_text(model, element.getUnits())
            description = element.getName() or f"SBML {kind} {sid}"
            if kind == "compartment" and (sid in assignment or sid in rate_rules):
                species_inside = [s.getId() for s in model.getListOfSpecies() if s.getCompartment() == sid]
                if species_inside:
                    unsupported(
                        f"compartment {sid!r}, whose size changes in time and holds species", "keep its size constant"
                    )
            if define_rules(sid) and sid not in rate_rules:
                continue
            if sid in rate_rules:
                ruled.append((sid, unit))
                if sid not in initial_assignment:
                    value = float(element.getSize() if kind == "compartment" else element.getValue())
                    leaf = add_leaf(f"{sid}.init", f"{sid}_init", value, unit, f"initial {description}", "real")
                    initial_defs[sid] = (_lookup(leaf.key), {leaf.key})
                    setters[sid] = leaf.field
                continue
            if kind == "compartment":
                value = float(element.getSize()) if element.isSetSize() else 1.0
                constraint = "positive"
            else:
                if not element.isSetValue():
                    raise InputError(f"{source}: parameter {sid} has no value; give it one or an initialAssignment")
                value, constraint = float(element.getValue()), "real"
            leaf = add_leaf(sid, sid, value, unit, description, constraint)
            setters[sid] = leaf.field

    # species: states in the units their math uses (concentration unless hasOnlySubstanceUnits)
    species_info = {}
    for species in model.getListOfSpecies():
        sid = species.getId()
        compartment = species.getCompartment()
        amount = species.getHasOnlySubstanceUnits()
        species_info[sid] = (compartment, amount)
        unit = _species_unit(model, species)
        is_state = (
            not species.getConstant()
            and sid not in assignment
            and (sid in rate_rules or not species.getBoundaryCondition())
        )
        if is_state:
            states.append(sid)
            state_units.append(unit)
        if define_rules(sid):
            continue
        if species.isSetInitialConcentration():
            given_amount, value = False, float(species.getInitialConcentration())
        elif species.isSetInitialAmount():
            given_amount, value = True, float(species.getInitialAmount())
        else:
            raise InputError(f"{source}: species {sid} has no initial value; give it one or an initialAssignment")
        leaf = add_leaf(f"{sid}.init", f"{sid}_init", value, unit, f"initial {species.getName() or sid}", "real")
        setters[sid] = leaf.field
        key = leaf.key
        if given_amount == amount:
            f = _lookup(key)
        elif given_amount:  # an amount given for a concentration species
            f = _ratio(key, compartment)
        else:
            f = _product(key, compartment)
        initial_defs[sid] = (f, {key, compartment})

    for sid, unit in ruled:
        states.append(sid)
        state_units.append(unit)

    # local parameters are leaves named reaction_parameter; kinetic laws give reaction rates
    stoichiometry = {sid: [] for sid in states}  # state → [(reaction, coefficient function)]
    for reaction in model.getListOfReactions():
        rid = reaction.getId()
        law = reaction.getKineticLaw()
        if law is None or law.getMath() is None:
            raise InputError(f"{source}: reaction {rid} has no kineticLaw; give it a rate formula")
        rename = {}
        locals_ = law.getListOfLocalParameters() if model.getLevel() >= 3 else law.getListOfParameters()
        for p in locals_:
            key = f"{rid}.{p.getId()}"
            unit = unit_text(model, p.getUnits())
            leaf = add_leaf(key, f"{rid}_{p.getId()}", float(p.getValue()), unit, p.getName() or key, "real")
            setters[key] = leaf.field
            rename[p.getId()] = key
        f = compiler.compile(law.getMath(), f"kineticLaw of reaction {rid}", rename)
        initial_defs[rid] = dynamic_defs[rid] = (f, names_in(law.getMath(), rename))
        for sign, refs in ((-1.0, reaction.getListOfReactants()), (1.0, reaction.getListOfProducts())):
            for ref in refs:
                sid = ref.getSpecies()
                if ref.isSetId() and (ref.getId() in assignment or ref.getId() in rate_rules):
                    unsupported(f"stoichiometry {ref.getId()!r} that changes in time", "make it a constant")
                if model.getLevel() < 3 and ref.isSetStoichiometryMath():
                    math = ref.getStoichiometryMath().getMath()
                    g = compiler.compile(math, f"stoichiometryMath of {sid} in reaction {rid}")
                    coefficient = _scaled(g, sign)
                else:
                    value = sign * (ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0)
                    if ref.isSetId() and ref.getId() in initial_assignment:
                        unsupported(f"stoichiometry {ref.getId()!r} set by an initialAssignment", "give a number")
                    coefficient = _constant(value)
                    if ref.isSetId():
                        initial_defs[ref.getId()] = (_constant(abs(value)), set())
                if sid in stoichiometry and sid not in rate_rules:
                    stoichiometry[sid].append((rid, coefficient))

    # rates of change: reactions (amount per time, converted) or rate rules
    rates = []
    for sid in states:
        if sid in rate_rules:
            rule = rate_rules[sid]
            rates.append(compiler.compile(rule.getMath(), f"rateRule for {sid}"))
            continue
        compartment, amount = species_info[sid]
        species = model.getSpecies(sid)
        factor = species.getConversionFactor() if model.getLevel() >= 3 else ""
        factor = factor or (model.getConversionFactor() if model.getLevel() >= 3 else "")
        terms = stoichiometry[sid]
        rates.append(_species_rate(terms, None if amount else compartment, factor or None))

    symbols = set(initial_defs) | {leaf.key for leaf in leaves}
    uses = {**initial_defs, **dynamic_defs}
    uses.update({f"the rate of {v}": (None, names_in(r.getMath())) for v, r in rate_rules.items()})
    for symbol, (_, deps) in uses.items():
        unknown = sorted(d for d in deps if d not in symbols and d not in functions)
        if unknown:
            raise InputError(f"{source}: the formula for {symbol} uses {unknown[0]!r}, which the model does not define")
    dynamic_symbols = set(dynamic_defs) | set(states)
    constants = tuple(sorted(s for s in symbols if s not in dynamic_symbols))
    seconds = time_unit(model)
    return Program(
        model_id=model.getId() or path.stem,
        source=source,
        leaves=tuple(leaves),
        states=tuple(states),
        state_units=tuple(state_units),
        time_unit=seconds[0],
        seconds_per_time_unit=seconds[1],
        setters=setters,
        _initial=tuple(_order(initial_defs, source, "initial values")),
        _constants=constants,
        _dynamic=tuple(_order(dynamic_defs, source, "assignment rules and reaction rates")),
        _rates=tuple(rates),
    )


def _lookup(key):
    return lambda env: env[key]


def _ratio(key, by):
    return lambda env: env[key] / env[by]


def _product(key, by):
    return lambda env: env[key] * env[by]


def _constant(value):
    return lambda env: value


def _scaled(f, factor):
    return lambda env: factor * f(env)


def _species_rate(terms, compartment: str | None, factor: str | None):
    """d(species)/dt from its reactions: Σ coefficient·rate (× conversion factor), per volume for concentrations."""

    def rate(env):
        total = 0.0
        for rid, coefficient in terms:
            total = total + coefficient(env) * env[rid]
        if factor is not None:
            total = total * env[factor]
        return total if compartment is None else total / env[compartment]

    return rate


def _species_unit(model, species) -> str:
    """Units of a species' value as its math uses it: substance, or substance per volume (µmol/L as µM)."""
    level3 = model.getLevel() >= 3
    substance = unit_text(model, species.getSubstanceUnits() or (model.getSubstanceUnits() if level3 else "substance"))
    if species.getHasOnlySubstanceUnits() or not substance:
        return substance
    compartment = model.getCompartment(species.getCompartment())
    volume = unit_text(model, compartment.getUnits() or (model.getVolumeUnits() if level3 else "volume"))
    if substance.endswith("mol") and volume == "L":
        return substance[:-3] + "M"
    return f"{substance}/{volume}" if volume else substance
