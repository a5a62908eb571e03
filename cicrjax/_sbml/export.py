"""`export_sbml`: a built-in cicrjax model written as SBML Level 3 (parameters, rate rules, initial values)."""

import dataclasses
import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from .._errors import InputError
from .._model import AbstractModel
from .libsbml import require_libsbml
from .symbolic import Formula, formulas
from .units import parse_unit

_SECONDS = {"s": ("second", 0, 1.0), "ms": ("second", -3, 1.0), "min": ("second", 0, 60.0), "h": ("second", 0, 3600.0)}


def _sid(text: str) -> str:
    return re.sub(r"\W", "_", text.replace("µ", "u").replace("/", "_per_").replace("·", "_").replace("³", "3"))


def _check(code: int, what: str) -> None:
    libsbml = require_libsbml()
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:  # pragma: no cover (a bug in this writer, not bad input)
        raise RuntimeError(f"libsbml refused {what}: {libsbml.OperationReturnValue_toString(code)}")


def _formulas(model: AbstractModel):
    """The derivative and the initial state of `model` as formulas of its parameter names, states and time."""
    names = [p.name for p in model.parameters()]
    values = {n: getattr(model, n) for n in names}
    for n, v in values.items():
        if jnp.ndim(v) != 0:
            raise InputError(f"parameter {n} of {model.name} is not a scalar; export one cell, not a batch")
    symbols = {n: np.array(Formula(n), object) for n in names}
    states = np.array([Formula(s) for s in model.states], object)

    def derivative(v, t, y):
        return dataclasses.replace(model, **v).derivative(t, y)

    def initial(v):
        return dataclasses.replace(model, **v).initial_state()

    y0 = model.initial_state()
    (rates,) = formulas(derivative, [symbols, np.array(Formula("time"), object), states], (values, 0.0, y0))
    (start,) = formulas(initial, [symbols], (values,))
    return rates, start


def sbml_document(model: AbstractModel):
    """A libsbml document of `model`: one constant parameter per model parameter, one rate rule per state."""
    libsbml = require_libsbml()
    rates, start = _formulas(model)
    y0 = np.asarray(model.initial_state())
    clash = set(model.states) & {p.name for p in model.parameters()}
    if clash:
        raise InputError(f"{model.name}: {sorted(clash)[0]} is both a state and a parameter; SBML needs distinct ids")
    document = libsbml.SBMLDocument(3, 2)
    sbml = document.createModel()
    _check(sbml.setId(_sid(model.name)), "the model id")
    sbml.setName(f"{type(model).__name__}: {model.citation}")
    _check(sbml.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{model.citation}. Written by cicrjax '
                         f"export-sbml from the built-in model {model.name}.</p></body>"), "the notes")  # fmt: skip
    units = {}

    def unit_id(text: str) -> str | None:
        if text in units:
            return units[text]
        parsed = [("dimensionless", 0, 1.0, 1)] if text == "1" else parse_unit(text)
        if not parsed:
            units[text] = None
            return None
        sid = "u_" + _sid(text)
        definition = sbml.createUnitDefinition()
        definition.setId(sid)
        definition.setName(text)
        for kind, scale, multiplier, exponent in parsed:
            unit = definition.createUnit()
            unit.setKind(libsbml.UnitKind_forName(kind))
            unit.setScale(scale)
            unit.setMultiplier(multiplier)
            unit.setExponent(exponent)
        units[text] = sid
        return sid

    if model.time_unit not in _SECONDS:  # pragma: no cover (every built-in model is in s)
        raise InputError(f"{model.name}: time unit {model.time_unit!r} has no SBML form here")
    kind, scale, multiplier = _SECONDS[model.time_unit]
    time = sbml.createUnitDefinition()
    time.setId("time_unit")
    unit = time.createUnit()
    unit.setKind(libsbml.UnitKind_forName(kind))
    unit.setScale(scale)
    unit.setMultiplier(multiplier)
    unit.setExponent(1)
    sbml.setTimeUnits("time_unit")
    for info in model.parameters():
        p = sbml.createParameter()
        _check(p.setId(info.name), f"parameter id {info.name!r}")
        p.setName(info.description)
        p.setValue(float(getattr(model, info.name)))
        p.setConstant(True)
        if (sid := unit_id(info.unit)) is not None:
            p.setUnits(sid)
    settings = libsbml.L3ParserSettings()
    settings.setModel(sbml)

    def math(formula: Formula, what: str):
        ast = libsbml.parseL3FormulaWithSettings(formula.text, settings)
        if ast is None:  # pragma: no cover (a bug in this writer)
            raise RuntimeError(f"libsbml could not parse the {what}: {libsbml.getLastParseL3Error()}")
        return ast

    for state, rate, value in zip(model.states, rates, start, strict=True):
        p = sbml.createParameter()
        _check(p.setId(state), f"state id {state!r}")
        p.setConstant(False)
        p.setValue(float(y0[model.states.index(state)]))
        if value.value is None:
            assignment = sbml.createInitialAssignment()
            assignment.setSymbol(state)
            _check(assignment.setMath(math(value, f"initial value of {state}")), f"initial value of {state}")
        rule = sbml.createRateRule()
        rule.setVariable(state)
        _check(rule.setMath(math(rate, f"rate of {state}")), f"rate of {state}")
    return document


def export_sbml(model: AbstractModel, path: str | Path) -> None:
    """Write `model` (a built-in cicrjax model) to `path` as SBML Level 3 Version 2.

    Each parameter becomes a constant SBML parameter with its unit, each state a parameter driven by a rate rule
    whose math is the model's own jax.numpy derivative, traced and written formula by formula; initial values
    that depend on parameters become initial assignments. [`cicrjax.load_sbml`][] reads the file back.

    **Example:** `export_sbml(GDB1990(), "gdb1990.xml")`
    """
    libsbml = require_libsbml()
    document = sbml_document(model)
    if not libsbml.writeSBMLToFile(document, str(path)):  # pragma: no cover (checked writable by the caller)
        raise InputError(f"could not write {path}; check the folder")
