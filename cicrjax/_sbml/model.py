"""`load_sbml`: an SBML file as a cicrjax model, a final Equinox module whose parameter fields are the file's
numbers (leaves named by their SBML ids)."""

import functools
import re
from pathlib import Path
from typing import ClassVar

import equinox as eqx
from jaxtyping import Array

from .._model import AbstractModel
from .._parameters import param
from .._solvers import stiff_solver
from .program import Program, read_program


class AbstractSBMLModel(AbstractModel):
    """A model read from SBML by [`cicrjax.load_sbml`][]: each file gives a final subclass whose fields are the
    file's parameters, compartment sizes, species' initial values (`<species>_init`) and reaction-local parameters
    (`<reaction>_<parameter>`). States are in the file's units (`state_units`); time in `time_unit`."""

    program: eqx.AbstractClassVar[Program]
    state_units: eqx.AbstractClassVar[tuple[str, ...]]

    def leaves(self) -> dict[str, Array]:
        """Every field's value under its SBML id (a local parameter as `reaction.parameter`)."""
        return {leaf.key: getattr(self, leaf.field) for leaf in self.program.leaves}

    def derivative(self, t, y):
        return self.program.derivative(self.leaves(), t, y)

    def symbols(self, t, y) -> dict[str, Array]:
        """The value of every SBML symbol (parameters, compartments, species, rule variables, reaction rates) by
        its id at time `t` in state `y`, e.g. for observables that use an assignment rule."""
        return self.program.symbols(self.leaves(), t, y)

    def initial_state(self):
        return self.program.initial_state(self.leaves())

    def default_solver(self):
        return stiff_solver()

    @classmethod
    def field_for(cls, sbml_id: str) -> str | None:
        """The field that sets SBML id `sbml_id` (a species: its initial value), or None when a rule computes it."""
        return cls.program.setters.get(sbml_id)


def load_sbml(path: str | Path) -> AbstractSBMLModel:
    """Read an SBML Level 2/3 model into a cicrjax model (needs the `sbml` extra: python-libsbml).

    Species (amounts and concentrations, in their compartments), compartments, parameters, reactions with kinetic
    laws and local parameters, rate and assignment rules, function definitions and initial assignments are
    translated into jax.numpy code, so `simulate`, `jit`, `vmap` and `grad` work as with a built-in model. Events,
    algebraic rules, delays and fast reactions are an `InputError` naming the construct. Numbers keep the file's
    units; the model's `time_unit` says which time unit `ts` is in (`"min"` for a model in minutes).

    **Arguments:** `path` the .xml file.

    **Returns:** an instance of a new final subclass of `AbstractSBMLModel`, with the file's values.

    **Example:** `m = load_sbml("BIOMD0000000098.xml"); simulate(m, jnp.linspace(0, 10, 101))["Z"]`
    """
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size) if stat else (str(path), None, None)
    return _model_class(*key)()


@functools.lru_cache(maxsize=64)
def _model_class(path: str, mtime_ns: int | None, size: int | None) -> type[AbstractSBMLModel]:
    """The model class of an SBML file, made once per file version, so that models read twice from one file
    share their compiled functions (jit caches by class)."""
    program = read_program(path)
    fields = {leaf.field: param(leaf.default, leaf.unit, leaf.description, leaf.constraint) for leaf in program.leaves}
    name = re.sub(r"\W", "_", program.model_id)
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"The SBML model {program.model_id} read from {program.source}.",
        "__annotations__": {field: Array for field in fields},
        **fields,
        "name": program.model_id,
        "states": program.states,
        "citation": f"SBML model {program.model_id} ({Path(program.source).name})",
        "time_unit": program.time_unit,
        "state_units": program.state_units,
        "program": program,
    }
    for key in ("name", "states", "citation", "time_unit", "state_units", "program"):
        namespace["__annotations__"][key] = ClassVar
    return type(name, (AbstractSBMLModel,), namespace)
