"""PEtab v1 ODE problems: the YAML and its tables read and checked, the problem's own SBML model through
`cicrjax.load_sbml`, and the negative log-likelihood in PEtab's convention (as AMICI computes it) as one jit-compiled
function of the estimated parameters on their PEtab scales."""

import csv
import dataclasses
import math
import warnings
from collections.abc import Mapping
from pathlib import Path

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from cicrjax import AbstractModel, AbstractSBMLModel, InputError, get_model, load_sbml, simulate

from ._expression import compile_expression
from ._objective import with_forward_gradient
from ._optimisers import LBFGS, AbstractOptimiser
from ._transform import Transform

_LOG_2PI = math.log(2.0 * math.pi)
_LN10 = math.log(10.0)
SCALES = ("lin", "log", "log10")
_SPACE = {"lin": "linear", "log": "log", "log10": "log10"}
TRANSFORMATIONS = ("lin", "log", "log10")
NOISES = ("normal", "laplace")
PRIORS = (
    "uniform", "normal", "laplace", "logNormal", "logLaplace",
    "parameterScaleUniform", "parameterScaleNormal", "parameterScaleLaplace",
)  # fmt: skip
# --- tables ------------------------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> dict:
    try:
        import yaml
    except ImportError:  # pragma: no cover
        raise InputError("reading PEtab YAML needs PyYAML: pip install 'cicrjax[petab]'") from None
    if not path.is_file():
        raise InputError(f"--petab {str(path)!r}: no such file; give the problem's YAML file")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"--petab {str(path)!r} is not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(spec, dict) or "parameter_file" not in spec or "problems" not in spec:
        raise InputError(f"--petab {str(path)!r} is not a PEtab problem (needs parameter_file and problems)")
    version = str(spec.get("format_version", "1"))
    if version not in ("1", "1.0.0"):
        raise InputError(f"{path}: PEtab format_version {version} is not supported; only PEtab v1")
    problems = spec["problems"]
    if not isinstance(problems, list) or not problems or not all(isinstance(p, dict) for p in problems):
        raise InputError(f"{path}: problems must be a list with one entry of file lists, got {problems!r}")
    if len(problems) > 1:
        raise InputError(f"{path}: {len(problems)} entries under problems; several models are not supported")
    for key in ("mapping_files", "extensions"):
        if (problems[0] if key == "mapping_files" else spec).get(key):
            raise InputError(f"{path}: {key} is not supported; remove it")
    return spec


def _files(spec: dict, key: str, path: Path, *, one: bool = False) -> list[Path]:
    value = spec.get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{path}: {key} must list at least one file name, got {value!r}")
    if one and len(value) != 1:
        raise InputError(f"{path}: {key} lists {len(value)} files; exactly one is supported")
    return [path.parent / v for v in value]


def _read_tsv(paths: list[Path], what: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for path in paths:
        if not path.is_file():
            raise InputError(f"PEtab {what} table {str(path)!r} does not exist; check the file names in the YAML")
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t")
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in required if c not in columns]
            if missing:
                raise InputError(f"{path}: the {what} table has no {missing[0]} column; PEtab requires it")
            for row in reader:
                rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None})
    return rows


def _by_id(rows, key: str, what: str, where) -> dict[str, dict[str, str]]:
    table = {}
    for row in rows:
        if row[key] in table:
            raise InputError(f"{where}: {what} {row[key]!r} appears twice; ids must be unique")
        table[row[key]] = row
    return table


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{what}: {text!r} is not a number") from None


def _is_nan(text: str) -> bool:
    return text == "" or text.lower() == "nan"


# --- the problem -------------------------------------------------------------------------------------------------


class _Source(eqx.Module):
    """Values that are either numbers or entries of the full PEtab parameter vector: `index` ≥ 0 selects
    `parameters[index]`, −1 takes `constant`."""

    index: np.ndarray
    constant: np.ndarray

    def __call__(self, parameters: Array) -> Array:
        index = jnp.asarray(self.index)
        return jnp.where(index >= 0, parameters[jnp.maximum(index, 0)], jnp.asarray(self.constant))


def _sources(cells, parameter_index: Mapping[str, int], what: str) -> _Source:
    """Numbers or parameter ids (a 2-D list of strings) as a [`_Source`][]."""
    cells = np.asarray(cells, dtype=object)
    index = np.full(cells.shape, -1, dtype=np.int64)
    constant = np.zeros(cells.shape)
    for position, text in np.ndenumerate(cells):
        if text in parameter_index:
            index[position] = parameter_index[text]
        else:
            try:
                constant[position] = float(text)
            except ValueError:
                raise InputError(
                    f"{what}: {text!r} is neither a number nor a parameter of the parameter table"
                ) from None
    return _Source(index, constant)


@dataclasses.dataclass(frozen=True)
class _Observable:
    """One observable: its formula and noise formula (text, compiled when traced, so that problems read twice
    compare equal and share compiled functions), transformation, noise distribution, the measurements it sees and
    the placeholders they override."""

    id: str
    formula: str
    noise: str
    transformation: str
    distribution: str
    rows: tuple[int, ...]
    placeholders: tuple[str, ...]
    noise_placeholders: tuple[str, ...]


class PetabProblem(eqx.Module):
    """A PEtab v1 problem ready to evaluate: the model, the condition overrides, measurements and observables.

    `names` are the estimated parameters (the table's ids, in its order); θ holds them on their PEtab scales
    (`scales`: lin, log or log10), mapped into [`lower`, `upper`] by a logistic map in that scale
    (`to_theta`/`natural`). `nll(θ)` is PEtab's negative log-likelihood, constant terms included, plus the
    objectivePrior terms (`neg_log_prior`).
    """

    model: AbstractModel
    parameter_ids: tuple[str, ...] = eqx.field(static=True)  # every id of the parameter table
    names: tuple[str, ...] = eqx.field(static=True)
    scales: tuple[str, ...] = eqx.field(static=True)
    lower: tuple[float, ...] = eqx.field(static=True)
    upper: tuple[float, ...] = eqx.field(static=True)
    nominal: np.ndarray  # natural nominal values of the estimated parameters
    parameters: np.ndarray  # natural nominal values of every parameter of the table
    free_index: tuple[int, ...] = eqx.field(static=True)
    fields: tuple[str, ...] = eqx.field(static=True)
    conditions: _Source  # (used conditions, fields): the model's leaves in each condition
    experiments: tuple[tuple[str, str], ...] = eqx.field(static=True)  # (pre-equilibration or '', simulation)
    simulation_row: tuple[int, ...] = eqx.field(static=True)  # per experiment: its row of `conditions`
    preequilibration_row: tuple[int, ...] = eqx.field(static=True)  # per experiment: a row, or −1
    # per experiment and state: set from the simulation condition after pre-equilibration
    reinitialise: tuple[tuple[bool, ...], ...] = eqx.field(static=True)
    ts: np.ndarray
    experiment: np.ndarray  # (measurements,)
    time_index: np.ndarray
    data: np.ndarray
    observable_parameters: _Source  # (measurements, placeholders)
    noise_parameters: _Source
    observables: tuple[_Observable, ...] = eqx.field(static=True)
    priors: tuple[tuple[int, str, float, float], ...] = eqx.field(static=True)  # (entry, type, a, b)
    aliases: tuple[tuple[str, str], ...] = eqx.field(static=True)  # PEtab id → built-in model name (--map)
    solver: diffrax.AbstractSolver
    rtol: float = eqx.field(static=True)
    atol: float = eqx.field(static=True)
    max_steps: int = eqx.field(static=True)
    steady_state: bool = eqx.field(static=True, default=False)  # some measurements are at time inf
    penalty: float = eqx.field(static=True, default=1e10)

    @property
    def n_data(self) -> int:
        return int(self.data.shape[0])

    @property
    def transforms(self) -> tuple[Transform, ...]:
        return tuple(Transform(_SPACE[s], bounded=True) for s in self.scales)

    def to_theta(self, values: ArrayLike) -> Array:
        """Natural values of the estimated parameters → θ."""
        values = np.asarray(values, dtype=float)
        return jnp.asarray(
            [t.forward(v, lo, hi) for t, v, lo, hi in zip(self.transforms, values, self.lower, self.upper, strict=True)]
        )

    def natural(self, theta: ArrayLike) -> Array:
        """θ → natural values of the estimated parameters (jit- and vmap-friendly)."""
        theta = jnp.asarray(theta)
        return jnp.stack(
            [
                t.inverse(theta[..., i], lo, hi)
                for i, (t, lo, hi) in enumerate(zip(self.transforms, self.lower, self.upper, strict=True))
            ],
            axis=-1,
        )

    @property
    def nominal_theta(self) -> Array:
        return self.to_theta(self.nominal)

    def full_parameters(self, values: Array) -> Array:
        """Every parameter of the table (natural), with the estimated ones at `values`."""
        return jnp.asarray(self.parameters).at[jnp.asarray(self.free_index)].set(values)

    def _models(self, rows: Array, parameters: Array) -> AbstractModel:
        leaves = self.conditions(parameters)[rows]  # (n, fields)
        return eqx.tree_at(
            lambda m: [getattr(m, f) for f in self.fields],
            _broadcast(self.model, leaves.shape[0]),
            [leaves[:, j] for j in range(len(self.fields))],
        )

    def simulate(self, values: Array, adjoint: diffrax.AbstractAdjoint | None = None):
        """Trajectories (experiments × times × states) at the natural values `values`, and whether every solve
        succeeded; `adjoint` as in `cicrjax.simulate` (`diffrax.ForwardMode()` for forward-mode gradients)."""
        parameters = self.full_parameters(values)
        models = self._models(jnp.asarray(self.simulation_row), parameters)
        y0 = jax.vmap(lambda m: m.initial_state())(models)
        ok = jnp.array(True)
        pre = np.asarray(self.preequilibration_row)
        if (pre >= 0).any():
            rows = np.unique(pre[pre >= 0])
            pre_models = self._models(jnp.asarray(rows), parameters)
            steady, steady_ok = jax.vmap(lambda m, y: self._steady_state(m, y, adjoint))(
                pre_models, jax.vmap(lambda m: m.initial_state())(pre_models)
            )
            ok = ok & jnp.all(steady_ok)
            which = np.searchsorted(rows, np.maximum(pre, rows[0]))
            keep = jnp.asarray((pre >= 0)[:, None] & ~np.asarray(self.reinitialise))
            y0 = jnp.where(keep, steady[which], y0)
        ts = jnp.asarray(self.ts)

        def one(m, y):
            return simulate(
                m, ts, y0=y, t0=0.0, solver=self.solver, rtol=self.rtol, atol=self.atol,
                max_steps=self.max_steps, throw=False, adjoint=adjoint,
            )  # fmt: skip

        sol = jax.vmap(one)(models, y0)
        ys, ok = sol.ys, ok & jnp.all(sol.success)
        if self.steady_state:  # measurements at time inf: the steady state of each simulation, one more time slot
            steady, steady_ok = jax.vmap(lambda m, y: self._steady_state(m, y, adjoint))(models, y0)
            ys, ok = jnp.concatenate([ys, steady[:, None, :]], axis=1), ok & jnp.all(steady_ok)
        return models, ys, ok

    def _steady_state(self, model: AbstractModel, y0: Array, adjoint: diffrax.AbstractAdjoint | None = None):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(model.vector_field),
            self.solver,
            t0=0.0,
            t1=jnp.inf,
            dt0=None,
            y0=y0,
            saveat=diffrax.SaveAt(t1=True),
            stepsize_controller=diffrax.PIDController(rtol=self.rtol, atol=self.atol),
            event=diffrax.Event(diffrax.steady_state_event(rtol=self.rtol, atol=self.atol)),
            max_steps=self.max_steps,
            throw=False,
            adjoint=diffrax.RecursiveCheckpointAdjoint() if adjoint is None else adjoint,
        )
        return sol.ys[-1], sol.result == diffrax.RESULTS.event_occurred

    def predict(self, values: Array, adjoint: diffrax.AbstractAdjoint | None = None):
        """Model observable and σ of every measurement at natural values `values` (σ on the transformed scale),
        and whether the solves succeeded."""
        parameters = self.full_parameters(values)
        models, ys, ok = self.simulate(values, adjoint)
        ts = jnp.asarray(self.ts)
        if self.steady_state:
            ts = jnp.concatenate([ts, jnp.array([jnp.inf])])
        if isinstance(self.model, AbstractSBMLModel):
            symbols = jax.vmap(lambda m, y: jax.vmap(lambda t, z: m.symbols(t, z))(ts, y))(models, ys)
        else:
            symbols = {s: ys[..., i] for i, s in enumerate(self.model.states)}
            for p in self.model.parameters():
                symbols[p.name] = jnp.broadcast_to(getattr(models, p.name)[:, None], ys.shape[:2])
            symbols.update({alias: symbols[name] for alias, name in self.aliases})
        experiment, time = jnp.asarray(self.experiment), jnp.asarray(self.time_index)
        observable_parameters = self.observable_parameters(parameters)
        noise_parameters = self.noise_parameters(parameters)
        prediction = jnp.zeros(self.n_data)
        sigma = jnp.ones(self.n_data)
        table = dict(zip(self.parameter_ids, parameters, strict=True))
        for obs in self.observables:
            rows = np.asarray(obs.rows)
            env = dict(table)
            env.update({k: v[experiment[rows], time[rows]] for k, v in symbols.items() if jnp.ndim(v) >= 2})
            env.update({name: observable_parameters[rows, k] for k, name in enumerate(obs.placeholders)})
            env.update({name: noise_parameters[rows, k] for k, name in enumerate(obs.noise_placeholders)})
            formula, _ = compile_expression(obs.formula, obs.id)
            noise, _ = compile_expression(obs.noise, obs.id)
            prediction = prediction.at[rows].set(jnp.broadcast_to(formula(env), (rows.size,)))
            sigma = sigma.at[rows].set(jnp.broadcast_to(noise(env), (rows.size,)))
        return prediction, sigma, ok

    def neg_log_likelihood_terms(self, prediction: Array, sigma: Array) -> Array:
        """PEtab's −log density of each measurement given the model's `prediction` and `sigma` (from `predict`):
        for log and log10 observables the density of the measurement m itself, with the Jacobian log m (log) or
        log(m ln 10) (log10), as AMICI computes it."""
        data = jnp.asarray(self.data)
        terms = jnp.zeros(self.n_data)
        for obs in self.observables:
            rows = np.asarray(obs.rows)
            y, m, s = prediction[rows], data[rows], sigma[rows]
            jacobian = 0.0
            if obs.transformation == "log":
                y, m, jacobian = jnp.log(y), jnp.log(m), jnp.log(m)
            elif obs.transformation == "log10":
                y, m, jacobian = jnp.log10(y), jnp.log10(m), jnp.log(m * _LN10)
            if obs.distribution == "normal":
                term = 0.5 * _LOG_2PI + jnp.log(s) + 0.5 * ((m - y) / s) ** 2
            else:
                term = jnp.log(2.0 * s) + jnp.abs(m - y) / s
            terms = terms.at[rows].set(term + jacobian)
        return terms

    def neg_log_prior(self, values: Array) -> Array:
        """−log of the objectivePrior densities at natural values `values` (0 without priors)."""
        total = jnp.zeros(())
        for i, kind, a, b in self.priors:
            x = values[i]
            if kind.startswith("parameterScale"):
                x = {"lin": x, "log": jnp.log(x), "log10": jnp.log10(x)}[self.scales[i]]
                kind = kind[len("parameterScale") :].lower()
            if kind == "uniform":
                term = jnp.where((x >= a) & (x <= b), math.log(b - a), jnp.inf)
            elif kind == "normal":
                term = 0.5 * _LOG_2PI + math.log(b) + 0.5 * ((x - a) / b) ** 2
            elif kind == "laplace":
                term = math.log(2.0 * b) + jnp.abs(x - a) / b
            elif kind == "logNormal":
                term = jnp.log(x) + 0.5 * _LOG_2PI + math.log(b) + 0.5 * ((jnp.log(x) - a) / b) ** 2
            else:  # logLaplace
                term = jnp.log(x) + math.log(2.0 * b) + jnp.abs(jnp.log(x) - a) / b
            total = total + term
        return total

    def nll(self, theta: ArrayLike, adjoint: diffrax.AbstractAdjoint | None = None) -> Array:
        """PEtab's negative log-likelihood plus the prior terms at θ; `penalty` where a solve fails."""
        values = self.natural(theta)
        prediction, sigma, ok = self.predict(values, adjoint)
        value = jnp.sum(self.neg_log_likelihood_terms(prediction, sigma)) + self.neg_log_prior(values)
        return jnp.where(ok & jnp.isfinite(value), value, self.penalty)


def _broadcast(model: AbstractModel, n: int) -> AbstractModel:
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (n, *jnp.shape(x))), model)


# --- loading -----------------------------------------------------------------------------------------------------


def _lint(path: Path) -> None:
    """The `petab` library's linter, where it is installed (`pip install 'cicrjax[petab]'`): its first error."""
    try:
        import logging

        import petab.v1 as petab
    except ImportError:
        return
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.ERROR:
                messages.append(" ".join(record.getMessage().split()))

    handler = Collect()
    logger = logging.getLogger("petab")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():  # the library's own deprecation warnings (pandas) are not the user's
            warnings.simplefilter("ignore")
            failed = petab.lint_problem(petab.Problem.from_yaml(str(path)))
    except Exception as error:  # the library's own reading failed: report it as the linter's finding
        failed, messages = True, [f"{type(error).__name__}: {' '.join(str(error).split())}"]
    finally:
        logger.removeHandler(handler)
    if failed:
        first = messages[0] if messages else "see `petablint`"
        raise InputError(f"{path}: the PEtab linter reports an error: {first[:300]}")


def _placeholders(names, prefix: str, observable: str, where: str) -> tuple[str, ...]:
    """`observableParameter1_obs`, `observableParameter2_obs`, … used in a formula, as 1, 2, … without gaps."""
    found = {}
    for name in names:
        head, _, tail = name.partition("_")
        if head.startswith(prefix) and head[len(prefix) :].isdigit() and tail == observable:
            found[int(head[len(prefix) :])] = name
    if found and sorted(found) != list(range(1, len(found) + 1)):
        raise InputError(f"{where}: placeholders {sorted(found.values())} skip a number; number them 1, 2, …")
    return tuple(found[k] for k in sorted(found))


def load_petab(
    yaml_path: str | Path,
    model: AbstractModel | str | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_steps: int = 100_000,
    solver: diffrax.AbstractSolver | None = None,
    lint: bool = True,
) -> PetabProblem:
    """Read a PEtab v1 problem: YAML, its SBML model, conditions, measurements, observables and parameters.

    The model is the problem's own SBML file (read by `cicrjax.load_sbml`) unless `model` names a built-in model,
    whose parameters the PEtab ids must match or be mapped to by `mapping` (PEtab id → model parameter). Several
    condition, measurement and observable files are read as one table each. Condition columns set parameters,
    compartments or species' initial values, as numbers or parameter ids; `preequilibrationConditionId` runs the
    model to steady state first (species that the simulation condition sets are then reinitialised), and a
    measurement at time inf sees the steady state of its simulation. Observable
    and noise formulas take placeholders overridden per measurement by numbers or parameter ids. Transformations
    lin, log and log10; noise normal and laplace; parameter scales lin, log and log10 with bounds; estimate = 0;
    objectivePrior columns. With the `petab` library installed (`lint=True`), its linter checks the problem first.
    Anything else is an `InputError` naming the feature.

    **Example:** `load_petab("Sneyd_PNAS2002.yaml").nll(problem.nominal_theta)`
    """
    path = Path(yaml_path)
    spec = _read_yaml(path)
    sub = spec["problems"][0]
    sbml = _files(sub, "sbml_files", path, one=True)[0]
    condition_rows = _read_tsv(_files(sub, "condition_files", path), "condition", ("conditionId",))
    measurements = _read_tsv(
        _files(sub, "measurement_files", path),
        "measurement",
        ("observableId", "simulationConditionId", "measurement", "time"),
    )
    observable_rows = _read_tsv(
        _files(sub, "observable_files", path), "observable", ("observableId", "observableFormula", "noiseFormula")
    )
    parameter_rows = _read_tsv(
        _files(spec, "parameter_file", path),
        "parameter",
        ("parameterId", "parameterScale", "lowerBound", "upperBound", "nominalValue", "estimate"),
    )
    conditions = _by_id(condition_rows, "conditionId", "condition", path)
    observables = _by_id(observable_rows, "observableId", "observable", path)
    table = _by_id(parameter_rows, "parameterId", "parameter", path)
    if not measurements:
        raise InputError(f"{path}: the measurement table is empty; give at least one measurement")

    # the model, and the field that each PEtab id sets
    if model is None:
        model = load_sbml(sbml)
    elif isinstance(model, str):
        model = get_model(model)()
    if lint:
        _lint(path)
    mapping = dict(mapping or {})
    if isinstance(model, AbstractSBMLModel):
        fields = tuple(leaf.field for leaf in model.program.leaves)
        y0 = model.initial_state()
        symbols = set(model.symbols(0.0, y0))

        def field_of(petab_id: str, what: str) -> str | None:
            field = type(model).field_for(petab_id)
            if field is None and petab_id in symbols:
                raise InputError(
                    f"{path}: {what} {petab_id!r} is computed by a rule of the SBML model; it cannot be set"
                )
            return field

    else:
        fields = tuple(p.name for p in model.parameters())
        symbols = set(fields) | set(model.states)
        for alias, name in mapping.items():
            if name not in symbols:
                raise InputError(f"--map {alias}={name}: {name} is not a parameter or state of model {model.name}")
        symbols |= set(mapping)

        def field_of(petab_id: str, what: str) -> str | None:
            name = mapping.get(petab_id, petab_id)
            if name in model.states:
                raise InputError(
                    f"{path}: {what} {petab_id!r} is a state; drop --model to use the problem's SBML model"
                )
            return name if name in fields else None

    # the parameter table
    ids = tuple(table)
    index = {pid: i for i, pid in enumerate(ids)}
    values, free, scales, lower, upper, priors = [], [], [], [], [], []
    for pid, row in table.items():
        where = f"{path}: parameter {pid}"
        scale = row["parameterScale"] or "lin"
        if scale not in SCALES:
            raise InputError(f"{where}: parameterScale {scale!r} is not supported; use lin, log or log10")
        if row["estimate"] not in ("0", "1"):
            raise InputError(f"{where}: estimate must be 0 or 1, got {row['estimate']!r}")
        value = _number(row["nominalValue"], f"{where} nominalValue")
        values.append(value)
        if row["estimate"] == "0":
            continue
        lo, hi = _number(row["lowerBound"], f"{where} lowerBound"), _number(row["upperBound"], f"{where} upperBound")
        if not lo < hi or (scale != "lin" and lo <= 0):
            raise InputError(f"{where}: bounds [{lo:g}, {hi:g}] are not an interval{' > 0' if scale != 'lin' else ''}")
        if row.get("initializationPriorType", "") not in ("", "parameterScaleUniform"):
            raise InputError(f"{where}: initializationPriorType {row['initializationPriorType']!r} is not supported")
        kind = row.get("objectivePriorType", "")
        if kind:
            if kind not in PRIORS:
                raise InputError(f"{where}: objectivePriorType {kind!r} is not one of {', '.join(PRIORS)}")
            numbers = row.get("objectivePriorParameters", "").split(";")
            if len(numbers) != 2:
                raise InputError(f"{where}: objectivePriorParameters must be two numbers a;b for {kind}")
            a, b = (_number(x, f"{where} objectivePriorParameters") for x in numbers)
            if not (b > a if kind.endswith("niform") else b > 0):
                raise InputError(f"{where}: objectivePriorParameters {a:g};{b:g} do not define a {kind} prior")
            priors.append((len(free), kind, a, b))
        free.append(index[pid])
        scales.append(scale)
        lower.append(lo)
        upper.append(hi)
    parameters = np.asarray(values)

    # conditions → each used condition's value of every model field (a number or a parameter)
    used = list(dict.fromkeys(
        c for m in measurements for c in (m.get("preequilibrationConditionId", ""), m["simulationConditionId"]) if c
    ))  # fmt: skip
    for cid in used:
        if cid not in conditions:
            raise InputError(f"{path}: condition {cid!r} of the measurement table is not in the condition table")
    base = [str(float(np.ravel(getattr(model, f))[0])) for f in fields]
    for pid in ids:
        field = field_of(pid, "parameter")
        if field is not None:
            base[fields.index(field)] = pid
    cells, reinitialise = [], {}
    states = tuple(model.states)
    for cid in used:
        row_cells = list(base)
        reinitialise[cid] = np.zeros(len(states), bool)
        for column, text in conditions[cid].items():
            if column in ("conditionId", "conditionName"):
                continue
            field = field_of(column, "condition column")
            if field is None:
                raise InputError(
                    f"{path}: condition column {column!r} is not a parameter, compartment or species of the model"
                    + (
                        f"; map it with --map {column}=MODEL_PARAMETER"
                        if not isinstance(model, AbstractSBMLModel)
                        else ""
                    )
                )
            if _is_nan(text):
                continue
            row_cells[fields.index(field)] = text
            if column in states:
                reinitialise[cid][states.index(column)] = True
        cells.append(row_cells)
    condition_source = _sources(cells, index, f"{path}: condition table")

    # measurements
    experiments, experiment, times, data, observable_of = [], [], [], [], []
    obs_cells, noise_cells = [], []
    for line, m in enumerate(measurements, start=2):
        where = f"{path}: measurement row {line}"
        if m["observableId"] not in observables:
            raise InputError(f"{where}: observable {m['observableId']!r} is not in the observable table")
        t = _number(m["time"], f"{where} time")
        if not t >= 0:  # inf: at steady state
            raise InputError(f"{where}: time must be ≥ 0 or inf (steady state), got {m['time']!r}")
        value = _number(m["measurement"], f"{where} measurement")
        if not math.isfinite(value):
            raise InputError(f"{where}: the measurement is not finite ({m['measurement']!r})")
        key = (m.get("preequilibrationConditionId", ""), m["simulationConditionId"])
        if key not in experiments:
            experiments.append(key)
        experiment.append(experiments.index(key))
        times.append(t)
        data.append(value)
        observable_of.append(m["observableId"])
        obs_cells.append(
            [x.strip() for x in m.get("observableParameters", "").split(";")]
            if m.get("observableParameters", "")
            else []
        )
        noise_cells.append(
            [x.strip() for x in m.get("noiseParameters", "").split(";")] if m.get("noiseParameters", "") else []
        )
    finite = [t for t in times if math.isfinite(t)]
    ts = np.unique(finite) if finite else np.zeros(1)

    # observables: formulas over model symbols, parameter ids and per-measurement placeholders
    compiled, width, noise_width = [], 1, 1
    known = symbols | set(ids)
    for oid in dict.fromkeys(observable_of):
        row = observables[oid]
        where = f"{path}: observable {oid}"
        transformation = row.get("observableTransformation", "") or "lin"
        if transformation not in TRANSFORMATIONS:
            raise InputError(f"{where}: observableTransformation {transformation!r} is not supported; lin, log, log10")
        distribution = row.get("noiseDistribution", "") or "normal"
        if distribution not in NOISES:
            raise InputError(f"{where}: noiseDistribution {distribution!r} is not supported; normal or laplace")
        formula, noise = row["observableFormula"], row["noiseFormula"] or "1"
        _, names = compile_expression(formula, f"{where} observableFormula")
        _, noise_names = compile_expression(noise, f"{where} noiseFormula")
        placeholders = _placeholders(names, "observableParameter", oid, where)
        noise_placeholders = _placeholders(noise_names, "noiseParameter", oid, where)
        for name in (names - set(placeholders)) | (noise_names - set(noise_placeholders)):
            if name not in known:
                hint = "" if isinstance(model, AbstractSBMLModel) else f"; map it with --map {name}=MODEL_NAME"
                raise InputError(f"{where}: {name!r} is neither a model symbol nor a parameter of the table{hint}")
        rows = tuple(i for i, o in enumerate(observable_of) if o == oid)
        for i in rows:
            for given, wanted, what in ((obs_cells[i], placeholders, "observableParameters"),
                                        (noise_cells[i], noise_placeholders, "noiseParameters")):  # fmt: skip
                if len(given) != len(wanted):
                    raise InputError(
                        f"{path}: measurement row {i + 2} gives {len(given)} {what} but observable {oid} has "
                        f"{len(wanted)} placeholders"
                    )
            if transformation != "lin" and data[i] <= 0:
                raise InputError(
                    f"{path}: measurement row {i + 2} is {data[i]:g}, not > 0, on a {transformation} scale"
                )
        width, noise_width = max(width, len(placeholders)), max(noise_width, len(noise_placeholders))
        compiled.append(
            _Observable(oid, formula, noise, transformation, distribution, rows, placeholders, noise_placeholders)
        )
    pad = lambda cells, n: [c + ["0"] * (n - len(c)) for c in cells]  # noqa: E731

    return PetabProblem(
        model=model,
        parameter_ids=ids,
        names=tuple(ids[i] for i in free),
        scales=tuple(scales),
        lower=tuple(lower),
        upper=tuple(upper),
        nominal=parameters[np.asarray(free, dtype=np.int64)],
        parameters=parameters,
        free_index=tuple(free),
        fields=fields,
        conditions=condition_source,
        experiments=tuple(experiments),
        simulation_row=tuple(used.index(sim) for _, sim in experiments),
        preequilibration_row=tuple(used.index(pre) if pre else -1 for pre, _ in experiments),
        reinitialise=tuple(tuple(bool(x) for x in reinitialise[sim]) for _, sim in experiments),
        ts=ts,
        experiment=np.asarray(experiment),
        time_index=np.array([np.searchsorted(ts, t) if math.isfinite(t) else ts.size for t in times]),
        steady_state=len(finite) < len(times),
        data=np.asarray(data),
        observable_parameters=_sources(pad(obs_cells, width), index, f"{path}: observableParameters"),
        noise_parameters=_sources(pad(noise_cells, noise_width), index, f"{path}: noiseParameters"),
        observables=tuple(compiled),
        priors=tuple(priors),
        aliases=tuple(mapping.items()) if not isinstance(model, AbstractSBMLModel) else (),
        solver=model.gradient_solver() if solver is None else solver,
        rtol=rtol,
        atol=atol,
        max_steps=max_steps,
    )


# --- fitting -----------------------------------------------------------------------------------------------------


@eqx.filter_jit
def evaluate_petab(problem: PetabProblem, thetas: Array):
    """At each row of `thetas`: the simulated value of every measurement, the NLL (likelihood only), the prior
    term and whether the solves succeeded; compiled once per problem layout and number of rows (problems read
    twice from one folder share it).

    **Example:** `evaluate_petab(problem, problem.nominal_theta[None])[1]` (the NLL at the nominal values)
    """

    def one(theta):
        values = problem.natural(theta)
        prediction, sigma, ok = problem.predict(values)
        nll = jnp.sum(problem.neg_log_likelihood_terms(prediction, sigma))
        return prediction, nll, problem.neg_log_prior(values), ok

    return jax.vmap(one)(jnp.atleast_2d(thetas))


@eqx.filter_jit
def _minimise(problem: PetabProblem, optimiser: AbstractOptimiser, thetas: Array, mode: str):
    if mode == "forward":
        fn = with_forward_gradient(lambda theta: problem.nll(theta, diffrax.ForwardMode()))
    else:
        fn = problem.nll
    return jax.vmap(lambda theta: optimiser.minimise(fn, theta, problem.penalty))(thetas)


def petab_starts(problem: PetabProblem, n: int, *, seed: int = 0, start: Mapping[str, float] | None = None) -> Array:
    """θ of `n` starts: the nominal values (with `start` replacing some, natural units) first, then draws uniform on
    every parameter's scale within its bounds (reproducible from `seed`)."""
    start = dict(start or {})
    for name, value in start.items():
        if name not in problem.names:
            raise InputError(f"--start {name}: not an estimated parameter; estimated: {', '.join(problem.names)}")
        lo, hi = problem.lower[problem.names.index(name)], problem.upper[problem.names.index(name)]
        if not lo <= value <= hi:
            raise InputError(f"--start {name}={value:g} lies outside its bounds [{lo:g}, {hi:g}]")
    first = np.array([start.get(name, v) for name, v in zip(problem.names, problem.nominal, strict=True)])
    rng = np.random.default_rng(seed)
    rows = [first]
    to_scale = {"lin": lambda x: x, "log": np.log, "log10": np.log10}
    from_scale = {"lin": lambda x: x, "log": np.exp, "log10": lambda x: 10.0**x}
    for _ in range(n - 1):
        rows.append(np.array([
            from_scale[s](rng.uniform(to_scale[s](lo), to_scale[s](hi)))
            for s, lo, hi in zip(problem.scales, problem.lower, problem.upper, strict=True)
        ]))  # fmt: skip
    return jnp.stack([problem.to_theta(row) for row in rows])


@dataclasses.dataclass(frozen=True)
class PetabFit:
    """A fitted PEtab problem: the estimates (natural units) of the best start, its objective (`nll` + the prior
    term `neg_log_prior`), `nll_nominal` at the table's nominal values, the simulated value of every measurement
    (`prediction`), and the per-start table (`start_values`, `start_converged`, `start_iterations`)."""

    problem: PetabProblem
    theta: np.ndarray
    estimates: np.ndarray
    nll: float
    neg_log_prior: float
    nll_nominal: float
    prediction: np.ndarray
    converged: bool
    start_values: np.ndarray
    start_converged: np.ndarray
    start_iterations: np.ndarray
    start_failed: np.ndarray

    @property
    def n_starts_at_best(self) -> int:
        """Starts whose objective lies within 1e-3 of the best (the same optimum)."""
        best = float(np.min(self.start_values))
        return int(np.sum(self.start_values <= best + 1e-3))


def fit_petab(
    problem: PetabProblem,
    starts: int | ArrayLike = 8,
    *,
    seed: int = 0,
    start: Mapping[str, float] | None = None,
    optimiser: AbstractOptimiser | None = None,
    mode: str = "forward",
) -> PetabFit:
    """Minimise the PEtab objective (NLL plus the objectivePrior terms) from several starts, vmapped in one
    compiled call: `starts` is a number (see [`fitting.petab_starts`][]) or an array of θ rows. `mode`: gradients
    by `"forward"` mode (default: on Sneyd 2002's 15 parameters as fast as reverse mode and 40% cheaper to
    compile) or `"reverse"`.

    **Example:** `fit_petab(load_petab("Sneyd_PNAS2002.yaml"), 4, seed=0).nll`
    """
    thetas = petab_starts(problem, int(starts), seed=seed, start=start) if np.ndim(starts) == 0 else starts
    thetas = jnp.atleast_2d(jnp.asarray(thetas, dtype=float))
    if mode not in ("forward", "reverse"):
        raise InputError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    runs = _minimise(problem, LBFGS() if optimiser is None else optimiser, thetas, mode)
    values = np.asarray(runs.value)
    best = int(np.argmin(values))
    theta = np.asarray(runs.theta[best])
    (prediction,), (nll,), (prior,), (ok,) = evaluate_petab(problem, jnp.asarray(theta)[None])
    _, (nll_nominal,), _, _ = evaluate_petab(problem, problem.nominal_theta[None])
    return PetabFit(
        problem=problem,
        theta=theta,
        estimates=np.asarray(problem.natural(theta)),
        nll=float(nll),
        neg_log_prior=float(prior),
        nll_nominal=float(nll_nominal),
        prediction=np.asarray(prediction),
        converged=bool(runs.converged[best]) and bool(ok),
        start_values=values,
        start_converged=np.asarray(runs.converged),
        start_iterations=np.asarray(runs.iterations),
        start_failed=np.asarray(runs.start_failed),
    )
