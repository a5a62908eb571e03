"""PEtab problems whose SBML model is a built-in cicrjax model: conditions, measurements, observable, parameters."""

import csv
import dataclasses
from collections.abc import Mapping
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from cicrjax import AbstractModel, InputError, batch_parameters, get_model, with_parameters

from ._expression import compile_formula
from ._free import FreeParameter
from ._problem import Problem, define_problem
from ._signal import FunctionSignal
from ._transform import Transform

_SCALES = {"lin": "linear", "log": "log", "log10": "log10"}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(f"PEtab table {path} does not exist; check the file names in the problem YAML")
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f, delimiter="\t")]


def _one(files, key: str, source: Path) -> str:
    if isinstance(files, str):
        return files
    if not isinstance(files, list) or len(files) != 1:
        raise InputError(f"{source}: {key} must list exactly one file (several are not supported yet)")
    return files[0]


@dataclasses.dataclass(frozen=True)
class PetabProblem:
    """A PEtab problem translated to a [`fitting.Problem`][] (conditions batched on the model's leading axis).

    `parameter_ids[i]` is the PEtab id of free parameter `problem.names[i]`; `scales` their PEtab scales;
    `nominal` the nominal values of the free parameters (natural units).
    """

    problem: Problem
    path: Path
    conditions: tuple[str, ...]
    observable: str
    parameter_ids: tuple[str, ...]
    scales: tuple[str, ...]
    nominal: np.ndarray

    @property
    def nominal_theta(self):
        """The unconstrained vector at the nominal values."""
        return self.problem.to_theta(self.nominal)


def load_petab(
    yaml_path: str | Path,
    model: AbstractModel | str,
    *,
    mapping: Mapping[str, str] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_steps: int = 100_000,
    mode: str = "reverse",
) -> PetabProblem:
    """Read a PEtab problem (YAML, conditions, measurements, observables, parameters) for a built-in model.

    Condition columns set model parameters per condition (batched with `cicrjax.batch_parameters`); the parameter
    table gives free/fixed, bounds (enforced), scales (lin/log/log10) and nominal values; the observable formula is
    compiled over the model's states and parameters; normal noise with σ from `noiseParameters` (a parameter id,
    fitted as `sigma`, or a number). The NLL follows PEtab's convention, Σ ½log(2πσ²) + ½(r/σ)².

    **Arguments:** `mapping` PEtab id → model name where they differ (e.g. `{"IPR_A": "A"}`); `rtol`, `atol`
    solver tolerances.

    **Example:** `load_petab("Sneyd_PNAS2002.yaml", "sneyd2002").problem`
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover
        raise InputError("reading PEtab YAML needs PyYAML: pip install 'cicrjax[petab]'") from None
    path = Path(yaml_path)
    if not path.is_file():
        raise InputError(f"--petab {str(path)!r}: no such file; give the problem's YAML file")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputError(f"--petab {str(path)!r} is not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(spec, dict) or "parameter_file" not in spec or not spec.get("problems"):
        raise InputError(f"--petab {str(path)!r} is not a PEtab problem (needs parameter_file and problems)")
    model = get_model(model)() if isinstance(model, str) else model
    mapping = dict(mapping or {})
    names = {p.name for p in model.parameters()}
    base = path.parent
    sub = spec["problems"][0]
    conditions = _read_tsv(base / _one(sub["condition_files"], "condition_files", path))
    measurements = _read_tsv(base / _one(sub["measurement_files"], "measurement_files", path))
    observables = _read_tsv(base / _one(sub["observable_files"], "observable_files", path))
    parameters = _read_tsv(base / _one(spec["parameter_file"], "parameter_file", path))

    def model_name(petab_id: str, what: str) -> str:
        name = mapping.get(petab_id, petab_id)
        if name not in names:
            raise InputError(
                f"PEtab {what} {petab_id!r} is not a parameter of model {model.name}; map it with "
                f"--map {petab_id}=MODEL_PARAMETER (parameters: {', '.join(sorted(names))})"
            )
        return name

    if len(observables) != 1:
        raise InputError(f"{path}: {len(observables)} observables; only one observable is supported yet")
    obs = observables[0]
    if obs.get("noiseDistribution", "normal") not in ("", "normal"):
        raise InputError(f"{path}: noise {obs['noiseDistribution']!r} is not supported yet; only normal")
    if obs.get("observableTransformation", "lin") not in ("", "lin"):
        raise InputError(f"{path}: observableTransformation {obs['observableTransformation']!r} is not supported yet")
    formula = compile_formula(obs["observableFormula"], model.states, tuple(sorted(names)), mapping)

    # conditions → batched model parameters
    condition_ids = [c["conditionId"] for c in conditions]
    used = list(dict.fromkeys(m["simulationConditionId"] for m in measurements))
    for cid in used:
        if cid not in condition_ids:
            raise InputError(f"{path}: measurement condition {cid!r} is not in the condition table")
    columns = [k for k in conditions[0] if k not in ("conditionId", "conditionName")]
    by_id = {c["conditionId"]: c for c in conditions}
    batch = {model_name(col, "condition column"): [float(by_id[cid][col]) for cid in used] for col in columns}

    # parameters → nominal values, free parameters with bounded transforms
    noise_ids = {m.get("noiseParameters", "") for m in measurements}
    if len(noise_ids) != 1:
        raise InputError(f"{path}: several noiseParameters {sorted(noise_ids)}; one shared σ is supported yet")
    (noise_id,) = noise_ids
    table = {p["parameterId"]: p for p in parameters}
    sigma_value, fixed_values, free, ids, scales, nominal = None, {}, [], [], [], []
    for pid, row in table.items():
        value = float(row["nominalValue"])
        estimate = row.get("estimate", "1") in ("1", "true", "True")
        name = "sigma" if pid == noise_id else model_name(pid, "parameter")
        if name == "sigma":
            sigma_value = value
        else:
            fixed_values[name] = value
        if estimate:
            scale = row.get("parameterScale", "lin") or "lin"
            if scale not in _SCALES:
                raise InputError(f"{path}: parameter {pid} has scale {scale!r}; use lin, log or log10")
            lo, hi = float(row["lowerBound"]), float(row["upperBound"])
            free.append(FreeParameter(name, lo, hi, Transform(_SCALES[scale], bounded=True)))
            ids.append(pid)
            scales.append(scale)
            nominal.append(value)
    if sigma_value is None:
        try:
            sigma_value = float(noise_id)
        except ValueError:
            raise InputError(f"{path}: noiseParameters {noise_id!r} is neither a parameter nor a number") from None

    # measurements → data on the union of time points (from t = 0), missing points masked
    times = sorted({0.0} | {float(m["time"]) for m in measurements})
    index = {t: i for i, t in enumerate(times)}
    data = np.zeros((len(used), len(times)))
    mask = np.zeros_like(data)
    for m in measurements:
        c, t = used.index(m["simulationConditionId"]), index[float(m["time"])]
        if mask[c, t]:
            raise InputError(f"{path}: replicate measurements at one time are not supported yet")
        data[c, t], mask[c, t] = float(m["measurement"]), 1.0
    model = with_parameters(model, fixed_values)
    model = batch_parameters(model, {k: jnp.asarray(v) for k, v in batch.items()})
    problem = define_problem(
        model,
        jnp.asarray(times),
        data,
        mask=mask,
        free=free,
        signal=FunctionSignal(formula),
        profile=(),
        observation={"sigma": sigma_value},
        batched=True,
        rtol=rtol,
        atol=atol,
        max_steps=max_steps,
        mode=mode,
    )
    return PetabProblem(problem, path, tuple(used), obs["observableId"], tuple(ids), tuple(scales), np.array(nominal))
