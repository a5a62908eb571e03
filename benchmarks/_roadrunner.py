"""libRoadRunner (CVODE) as a peer: the bundled Antimony models, loaded once, simulated like cicrjax."""

import functools
from pathlib import Path

import numpy as np

MODELS = Path(__file__).parent / "models"
FILES = {"gdb1990": "gdb1990.ant", "li-rinzel1994": "li_rinzel1994.ant", "marhl2000": "marhl2000.ant",
         "hinch2004": "hinch2004.ant", "cardiac": "cardiac.ant"}


def missing() -> str | None:
    """Why libRoadRunner cannot run here (not installed), or None when it can."""
    try:
        import antimony  # noqa: F401
        import roadrunner  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[bench]')"
    return None


@functools.cache
def sbml(name: str) -> str:
    """SBML text of the bundled Antimony model `name` (cicrjax CLI name)."""
    import antimony

    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString((MODELS / FILES[name]).read_text()) < 0:
        raise ValueError(f"{FILES[name]}: {antimony.getLastError()}")
    return antimony.getSBMLString(antimony.getMainModuleName())


def load(name: str, *, rtol: float, atol: float):
    """A RoadRunner instance of model `name` with CVODE (stiff, BDF) at the given tolerances."""
    import roadrunner

    rr = roadrunner.RoadRunner(sbml(name))
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.maximum_num_steps = 100_000
    return rr


def simulate(rr, states, ts: np.ndarray, *, params: dict | None = None, y0=None) -> np.ndarray:
    """States (len(ts), len(states)) on the uniform grid `ts`, after setting `params` and initial state `y0`."""
    rr.reset()
    for key, value in (params or {}).items():
        rr[key] = float(value)
    if y0 is not None:
        for s, v in zip(states, y0, strict=True):
            rr[f"[{s}]"] = float(v)
    out = rr.simulate(float(ts[0]), float(ts[-1]), len(ts))
    cols = list(out.colnames)
    return np.column_stack([out[:, cols.index(f"[{s}]")] for s in states])


def sensitivities(name: str, states, ts: np.ndarray, params: list[str], *, rtol: float, atol: float,
                  values: dict | None = None):
    """(trajectory (T, S), dy/dp (T, P, S)): one simulation, then CVODES forward sensitivities (the API returns
    no trajectory with them), on a fresh instance with parameter `values` set (default: the file's).

    libRoadRunner 2.10 accumulates sensitivities across calls on one instance (so each call gets a fresh
    instance: ~2 ms, LLVM code is cached), a parameter subset must be a leading block of the model's
    global parameters (the Antimony files declare the benchmarked ones first), and changed parameter values reach
    the sensitivity solver only through `syncWithModel` (without it: the file's values, errors of 100 %).
    """
    import roadrunner

    rr = roadrunner.RoadRunner(sbml(name))
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    solver = rr.getSensitivitySolver()
    solver.setValue("relative_tolerance", rtol)
    solver.setValue("absolute_tolerance", atol)
    solver.setValue("maximum_num_steps", 100_000)
    ids = list(rr.model.getGlobalParameterIds())
    ordered = [p for p in ids if p in params]
    if ordered != ids[: len(params)] or len(ordered) != len(params):
        raise ValueError(f"{name}: sensitivities need {params} as the leading global parameters, have {ids}")
    trajectory = simulate(rr, states, ts, params=values)
    rr.reset()
    for key, value in (values or {}).items():
        rr[key] = float(value)
    solver.syncWithModel(rr.getModel())  # else the sensitivities are those of the file's parameter values
    _, sens, _, cols = rr.timeSeriesSensitivities(float(ts[0]), float(ts[-1]), len(ts), ordered)
    rows = [ordered.index(p) for p in params]
    order = [list(cols).index(s) for s in states]
    return trajectory, np.asarray(sens)[:, rows][:, :, order]
