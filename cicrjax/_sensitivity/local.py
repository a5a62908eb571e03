"""Local sensitivities: normalised coefficients ∂ln f/∂ln p of features, and time-resolved ∂y(t)/∂p."""

import dataclasses
from collections.abc import Sequence

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike

from .._errors import ComputationError, InputError
from .._features import check_features, check_resolution
from .._model import AbstractModel
from .._protocol import Protocol
from .._simulate import simulate
from .model import check_parameters, feature_function, nominal_values


@dataclasses.dataclass(frozen=True)
class LocalSensitivity:
    """Local sensitivities of `features` to `params` at `nominal` (natural units).

    `values[i]` is feature i, `jacobian[i, j]` = ∂f_i/∂p_j and `S[i, j]` = ∂ln f_i/∂ln p_j = p_j/f_i · ∂f_i/∂p_j
    (a 1% rise of p_j changes f_i by S[i, j] %). `mode` says how the Jacobian was taken.
    """

    features: tuple[str, ...]
    params: tuple[str, ...]
    nominal: np.ndarray
    values: np.ndarray
    jacobian: np.ndarray
    S: np.ndarray
    mode: str

    def table(self) -> dict[str, dict[str, float]]:
        """`S` as feature → parameter → coefficient."""
        return {f: {p: float(self.S[i, j]) for j, p in enumerate(self.params)} for i, f in enumerate(self.features)}


def local_sensitivity(
    model: AbstractModel,
    ts: ArrayLike,
    params: Sequence[str],
    features: Sequence[str],
    *,
    protocol: Protocol | None = None,
    start: float | None = None,
    mode: str = "auto",
    **options,
) -> LocalSensitivity:
    """Normalised sensitivity coefficients S = ∂ln f/∂ln p of every feature to every parameter, in one compiled
    call: forward mode (one JVP per parameter) when there are no more parameters than features, else reverse mode.

    Raises `InputError` for an unknown name or a feature undefined for the trajectory (the period of a cell that
    settles), `ComputationError` if the solver fails.

    **Arguments:** `model` at the point of interest; `ts` evenly spaced save times (s) that resolve the events;
    `params`, `features` names; `protocol`; `start` (s) analyse from here; `mode` `"auto"`, `"forward"` or
    `"reverse"`; `options` keyword arguments of [`cicrjax.simulate`][] (`rtol`, `solver`: default the model's
    `gradient_solver()`, ...).

    **Example:** `local_sensitivity(GDB1990(beta=0.301), jnp.linspace(0, 60, 6001), ["beta", "VM2"],
    ["period", "amplitude"]).table()`
    """
    params, features = check_parameters(model, params), check_features(features)
    if mode not in ("auto", "forward", "reverse"):
        raise InputError(f"mode must be auto, forward or reverse, got {mode!r}")
    if mode == "auto":
        mode = "forward" if len(params) <= len(features) else "reverse"
    adjoint = diffrax.ForwardMode() if mode == "forward" else None
    options.setdefault("solver", model.gradient_solver())
    fn = feature_function(model, ts, params, features, protocol=protocol, start=start, adjoint=adjoint, **options)
    p = nominal_values(model, params)
    values, success, jacobian = (np.asarray(a) for a in _value_and_jacobian(fn, jnp.asarray(p), mode))
    if not success:
        raise ComputationError(f"the solver failed for {model.name} at {dict(zip(params, p, strict=True))}")
    for name, v in zip(features, values, strict=True):
        if not np.isfinite(v):
            raise InputError(
                f"feature {name!r} is undefined for this trajectory of {model.name} (e.g. the period of a cell "
                "that does not oscillate, or a gain without a trigger); choose other features or parameters"
            )
    check_resolution(features, values, float(np.diff(np.asarray(ts, dtype=float)[:2])[0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        S = jacobian * p[None, :] / values[:, None]
    return LocalSensitivity(features, params, p, values, jacobian, S, mode)


@eqx.filter_jit
def _value_and_jacobian(fn, p, mode):
    jac = jax.jacfwd(fn) if mode == "forward" else jax.jacrev(fn)
    return (*fn.evaluate(p), jac(p))


def trajectory_sensitivity(
    model: AbstractModel,
    ts: ArrayLike,
    params: Sequence[str],
    *,
    protocol: Protocol | None = None,
    **options,
) -> np.ndarray:
    """Time-resolved sensitivities ∂y(t)/∂p by forward mode: an array (times × states × params).

    **Example:** `trajectory_sensitivity(GDB1990(), jnp.linspace(0, 10, 101), ["beta"])[:, 0, 0]` is ∂Z(t)/∂β.
    """
    params = check_parameters(model, params)
    p = nominal_values(model, params)
    ts = jnp.asarray(ts)
    options.setdefault("solver", model.gradient_solver())

    def ys(x):
        m = eqx.tree_at(lambda m: tuple(getattr(m, n) for n in params), model, tuple(x))
        return simulate(m, ts, protocol=protocol, adjoint=diffrax.ForwardMode(), **options).ys

    return np.asarray(eqx.filter_jit(jax.jacfwd(ys))(jnp.asarray(p)))
