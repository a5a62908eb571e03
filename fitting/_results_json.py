"""The content of a fit's `results.json`: estimates, intervals, criteria and the per-start table, JSON-ready."""

import math

import numpy as np

from ._population import MEDIAN_SUFFIX
from ._problem import INITIAL_PREFIX, Problem
from ._result import FitResult


def _num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _free_entry(result: FitResult, problem: Problem, name: str) -> dict | None:
    """Estimate and interval of free parameter `name` (lists over the conditions for a per-condition one, with its
    population median for a hierarchical one), or `None` when `name` is fixed."""
    index = [i for i, s in enumerate(problem.layout) if s.parameter == name and not s.median]
    if not index:
        return None

    def pick(values, i=index):
        return _num(values[i[0]]) if problem.layout[i[0]].condition is None else [_num(values[j]) for j in i]

    entry = {"estimate": pick(result.estimates), "ci_low": pick(result.ci_low), "ci_high": pick(result.ci_high)}
    entry["free"] = True
    if problem.layout[index[0]].condition is not None:
        entry["per_condition"] = True
    if name in problem.hierarchical:
        m = [problem.names.index(name + MEDIAN_SUFFIX)]
        entry["population"] = {
            "distribution": "lognormal",
            "median": pick(result.estimates, m),
            "ci_low": pick(result.ci_low, m),
            "ci_high": pick(result.ci_high, m),
            "tau": _num(problem.hierarchical[name]),
        }
    return entry


def results_dict(result: FitResult, problem: Problem, *, model: str, recording: str, wall_time_s: float) -> dict:
    """The content of `results.json`: every model parameter (free ones with their interval; per-condition ones as
    lists over the conditions, hierarchical ones with their population median and τ), free initial states,
    derived quantities, NLL, R², AIC, BIC, convergence, starts and the per-start table."""
    parameters = {}
    free = dict(zip(result.names, range(len(result.names)), strict=True))
    for info in problem.model.parameters():
        entry = _free_entry(result, problem, info.name)
        if entry is not None:
            parameters[info.name] = {"estimate": entry.pop("estimate"), "unit": info.unit, **entry}
        else:
            value = np.ravel(np.asarray(getattr(problem.model, info.name)))
            parameters[info.name] = {
                "estimate": _num(value[0]) if np.all(value == value[0]) else [_num(v) for v in value],
                "unit": info.unit,
                "ci_low": None,
                "ci_high": None,
                "free": False,
            }
    states = dict.fromkeys(s.parameter for s in problem.layout if s.parameter.startswith(INITIAL_PREFIX))
    initial = {name: _free_entry(result, problem, name) for name in states}
    observation = {}
    for name, value in (("offset", result.offset), ("scale", result.scale), ("sigma", result.sigma)):
        estimate = [_num(v) for v in value] if np.ndim(value) else _num(value)
        entry = {"estimate": estimate, "free": name in free, "profiled": name in problem.profile}
        if name in problem.row_profile:
            entry["per_condition"] = True
        if name in free:
            entry.update(ci_low=_num(result.ci_low[free[name]]), ci_high=_num(result.ci_high[free[name]]))
        observation[name] = entry
    return {
        "model": model,
        "recording": recording,
        "parameters": parameters,
        "initial_states": initial,
        "observation": observation,
        "derived": {
            q.name: {
                "estimate": _num(q.estimate),
                "unit": q.unit,
                "ci_low": _num(q.ci_low),
                "ci_high": _num(q.ci_high),
                "method": "delta",
                "description": q.description,
            }
            for q in result.derived.values()
        },
        "priors": {
            problem.names[i]: {"kind": prior.kind, "location": prior.location, "scale": prior.scale}
            for i, prior in problem.priors
        },
        "nll": _num(result.nll),
        "neg_log_posterior": _num(result.neg_log_posterior),
        "r2": _num(result.r2),
        "aic": _num(result.aic),
        "bic": _num(result.bic),
        "k": result.k,
        "n_data": result.n_data,
        "converged": result.converged,
        "status": result.status,
        "solver_ok": result.solver_ok,
        "ci_method": result.ci_method,
        "strategy": result.strategy,
        "strategy_reason": result.strategy_reason,
        "optimiser": result.multistart.optimiser,
        "n_starts": result.n_starts,
        "n_starts_at_best": result.n_starts_at_best,
        "at_best_tolerance": result.multistart.tol,
        "solver_failures": int(np.sum(result.multistart.failures)),
        "starts": [
            {k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in result.multistart.table(problem)
        ],
        "wall_time_s": wall_time_s,
    }
