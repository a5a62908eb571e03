"""`cicrjax fit --petab PROBLEM.yaml`: fit a PEtab problem and write results.json (with `nll_nominal`) and fit.csv."""

import json
import math
import time
from pathlib import Path

import numpy as np

from cicrjax.cli import atomic_path

from .._optimisers import LBFGS
from .._petab import PetabFit, fit_petab, load_petab


def run_petab(
    yaml_path: str,
    out: Path,
    *,
    model: str | None,
    mapping: dict[str, str],
    starts: int,
    seed: int,
    start: dict[str, float],
    max_iter: int,
    progress,
) -> int:
    """Read, check, fit and write one PEtab problem; `progress` prints a status line to stderr."""
    started = time.perf_counter()
    progress(f"reading PEtab problem {yaml_path}")
    problem = load_petab(yaml_path, model, mapping=mapping)
    progress(
        f"{len(problem.names)} estimated parameter(s), {problem.n_data} measurements in {len(problem.experiments)} "
        f"simulation(s); compiling and running {starts} start(s) with lbfgs"
    )
    fit = fit_petab(problem, starts, seed=seed, start=start, optimiser=LBFGS(max_iter=max_iter))
    elapsed = time.perf_counter() - started
    write_petab(out, fit, model=model or str(problem.model.name), problem_path=yaml_path, wall_time_s=elapsed)
    for name, value in zip(problem.names, fit.estimates, strict=True):
        print(f"{name} = {value:.6g}")
    print(f"NLL {fit.nll:.8g}  (nominal {fit.nll_nominal:.8g})  converged {fit.converged}")
    print(f"wrote {out / 'results.json'}, {out / 'fit.csv'} in {elapsed:.1f} s")
    return 0


def _num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def write_petab(out: Path, fit: PetabFit, *, model: str, problem_path: str, wall_time_s: float) -> None:
    """`results.json` (estimates on the PEtab table's ids, NLL, `nll_nominal`, AIC/BIC, the per-start table) and
    `fit.csv` (one row per measurement: ids, time, data, simulation, residual), each written atomically."""
    problem = fit.problem
    k, n = len(problem.names), problem.n_data
    objective = fit.nll + fit.neg_log_prior
    parameters = {}
    free = dict(zip(problem.names, fit.estimates, strict=True))
    for pid, nominal in zip(problem.parameter_ids, problem.parameters, strict=True):
        entry = {"estimate": _num(free.get(pid, nominal)), "nominal": _num(nominal), "free": pid in free}
        if pid in free:
            i = problem.names.index(pid)
            entry.update(scale=problem.scales[i], lower=problem.lower[i], upper=problem.upper[i])
        parameters[pid] = entry
    content = {
        "model": model,
        "recording": problem_path,
        "format": "PEtab v1",
        "parameters": parameters,
        "nll": _num(fit.nll),
        "neg_log_prior": _num(fit.neg_log_prior),
        "nll_nominal": _num(fit.nll_nominal),
        "aic": _num(2 * k + 2 * fit.nll),
        "bic": _num(k * math.log(n) + 2 * fit.nll),
        "n_data": n,
        "converged": fit.converged,
        "n_starts": len(fit.start_values),
        "n_starts_at_best": fit.n_starts_at_best,
        "wall_time_s": round(wall_time_s, 3),
        "starts": [
            {"objective": _num(v), "converged": bool(c), "iterations": int(i), "failed": bool(f)}
            for v, c, i, f in zip(
                fit.start_values, fit.start_converged, fit.start_iterations, fit.start_failed, strict=True
            )
        ],
        "objective": _num(objective),
    }
    with atomic_path(out / "results.json") as tmp:
        tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    data = np.asarray(problem.data)
    ts = np.append(np.asarray(problem.ts), np.inf)[np.asarray(problem.time_index)]  # index len(ts): steady state
    observable = {i: obs.id for obs in problem.observables for i in obs.rows}
    with atomic_path(out / "fit.csv") as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("observableId,preequilibrationConditionId,simulationConditionId,time,data,fit,residual\n")
            for i in range(n):
                pre, sim = problem.experiments[int(problem.experiment[i])]
                y = fit.prediction[i]
                f.write(f"{observable[i]},{pre},{sim},{ts[i]:.10g},{data[i]:.10g},{y:.10g},{data[i] - y:.10g}\n")
