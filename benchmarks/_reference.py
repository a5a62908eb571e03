"""Tight reference solutions that every side of a comparison is measured against.

The small models (non-stiff) use scipy DOP853 at rtol 1e-13, atol 1e-15: it agrees with Radau at rtol 1e-12 to
5e-11 µM on gdb1990, li-rinzel1994 and marhl2000 (measured) and is 30x faster, which keeps `--quick` quick.
"""

import numpy as np
from scipy.integrate import solve_ivp

from ._scipy_models import RHS

REF_METHOD, REF_RTOL, REF_ATOL = "DOP853", 1e-13, 1e-15


def solve(name: str, params: dict, y0, ts: np.ndarray, *, method="LSODA", rtol=1e-8, atol=1e-10) -> np.ndarray:
    """States (len(ts), S) of model `name` by scipy `solve_ivp` with the plain-float right-hand side."""
    sol = solve_ivp(
        RHS[name](params), (float(ts[0]), float(ts[-1])), np.asarray(y0, float), method=method, t_eval=ts,
        rtol=rtol, atol=atol,
    )  # fmt: skip
    if not sol.success:
        raise RuntimeError(f"scipy {method} failed on {name}: {sol.message}")
    return sol.y.T


def reference(name: str, params: dict, y0, ts: np.ndarray) -> np.ndarray:
    """The reference trajectory: DOP853 (explicit, 8th order) at rtol 1e-13, atol 1e-15."""
    return solve(name, params, y0, ts, method=REF_METHOD, rtol=REF_RTOL, atol=REF_ATOL)


def max_error(ys, ref) -> float:
    """Largest absolute error of cytosolic Ca (the first state, µM) over the save times."""
    return float(np.max(np.abs(np.asarray(ys)[:, 0] - np.asarray(ref)[:, 0])))
