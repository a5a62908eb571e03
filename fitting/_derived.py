"""Derived quantities of a fitted model (CICR gain, SR load, decay τ, oscillation period) with delta-method
intervals."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from cicrjax import AbstractMuscleModel, map_sharded, oscillation_period, transient_metrics, voltage_clamp_gain
from cicrjax._executable_cache import cached_jit

from ._nan_on_error import nan_on_error
from ._problem import Problem

Z_95 = 1.959963984540054
GAIN_VOLTAGE = 0.0  # mV: the test potential of the reported gain (voltage-clamp step from −80 mV for 200 ms)


@dataclasses.dataclass(frozen=True)
class DerivedQuantity:
    """A quantity computed from the fitted model, with its 95% delta-method interval (NaN where unavailable)."""

    name: str
    unit: str
    estimate: float
    ci_low: float
    ci_high: float
    description: str


_DESCRIPTIONS = {
    "gain": ("", f"Ca released per Ca entered, voltage-clamp step from −80 to {GAIN_VOLTAGE:g} mV for 200 ms"),
    "peak_gain": ("", f"peak release flux / peak trigger flux, same step to {GAIN_VOLTAGE:g} mV"),
    "sr_load": ("µM", "total SR Ca (per cytosolic volume) at the last save time of the fitted trajectory"),
    "decay_tau": (
        "s",
        "mono-exponential decay time constant of the largest fitted cytosolic Ca transient (not "
        "reported for oscillations)",
    ),
    "period": ("s", "mean interval between cytosolic Ca peaks over the second half of the fitted trajectory"),
}


def _has_trigger(problem: Problem) -> bool:
    model = problem.model
    return isinstance(model, AbstractMuscleModel) and type(model).ryr_sensitivity is not None


@cached_jit
@nan_on_error
def _readouts(problem: Problem, thetas: Array, samples: int) -> dict[str, Array]:
    """Dense cytosolic Ca and the jit-friendly read-outs at every row of `thetas`, in one compiled call: on a CPU
    one row after another (`jax.lax.map`, see [`cicrjax.map_sharded`][]), which compiles in two thirds of the time
    of a vmapped batch (its solves' loops then carry no lockstep selects), on an accelerator vmapped."""
    ts = jnp.linspace(problem.ts[0], problem.ts[-1], samples)

    def one(theta):
        values = problem.natural(theta)
        model, _ = problem.with_values(values)
        y0 = problem.initial_state(values)
        if problem.batched:  # the first condition
            model = jax.tree.map(lambda x: x[0], model)
            y0 = None if y0 is None else y0[0]
        sol = dataclasses.replace(problem, batched=False).simulate(model, ts=ts, y0=y0)
        ca = sol.ys[:, 0]
        out = {"ca": ca, "ok": sol.success, "decay_tau": transient_metrics(ts, ca)["tau"]}
        if isinstance(model, AbstractMuscleModel):
            out["sr_load"] = model.sr_calcium(sol.ys[-1])
        if _has_trigger(problem):
            gain = voltage_clamp_gain(model, [GAIN_VOLTAGE])
            out["gain"] = jnp.where(gain.success[0], gain.released_per_entered[0], jnp.nan)
            out["peak_gain"] = jnp.where(gain.success[0], gain.peak_gain[0], jnp.nan)
        return out

    return map_sharded(one, thetas, jax.local_devices()[:1])


def derived_quantities(
    problem: Problem, theta, covariance: np.ndarray | None = None, *, step: float = 1e-3, samples: int = 4001
) -> dict[str, DerivedQuantity]:
    """Gain and SR load (muscle models with a Ca trigger / with an SR), decay τ and, for oscillating fits, the
    period, at the unconstrained vector `theta`, with 95% delta-method intervals q ± 1.96·√(J Σ Jᵀ).

    J is the central-difference Jacobian (step `step` in the unconstrained coordinates) of each quantity and Σ the
    `covariance` of `theta` (e.g. the inverse Gauss–Newton matrix); all 2k + 1 simulations run in one compiled call.
    For a batched problem they describe its first condition.

    **Arguments:** `problem`, `theta` (unconstrained, `problem.names` order), `covariance` (k × k, or `None` for
    estimates only), `step`, `samples` (points of the dense trajectory over the data's time span).

    **Example:** `derived_quantities(problem, result.theta, result.covariance)["period"].estimate`
    """
    theta = np.asarray(theta, dtype=float)
    k = theta.shape[0]
    with_ci = covariance is not None and np.all(np.isfinite(covariance))
    rows = [theta]
    if with_ci:
        eye = np.eye(k) * step
        rows += [theta + e for e in eye] + [theta - e for e in eye]
    out = jax.tree.map(np.asarray, _readouts(problem, jnp.asarray(np.stack(rows)), samples))
    ts = np.linspace(float(problem.ts[0]), float(problem.ts[-1]), samples)
    values = {name: out[name] for name in ("gain", "peak_gain", "sr_load", "decay_tau") if name in out}
    values["period"] = np.array([oscillation_period(ts, ca) for ca in out["ca"]])
    if np.isfinite(values["period"][0]):  # τ of one spike among equal ones jumps between spikes: report the period
        del values["decay_tau"]
    result = {}
    for name, q in values.items():
        q = np.where(out["ok"], q, np.nan)
        if not np.isfinite(q[0]):
            continue
        low = high = float("nan")
        if with_ci:
            jac = (q[1 : k + 1] - q[k + 1 :]) / (2 * step)
            sd = float(np.sqrt(max(jac @ covariance @ jac, 0.0)))
            low, high = float(q[0] - Z_95 * sd), float(q[0] + Z_95 * sd)
        unit, description = _DESCRIPTIONS[name]
        result[name] = DerivedQuantity(name, unit, float(q[0]), low, high, description)
    return result
