"""Practical identifiability of an experimental design: Cramér–Rao bounds from the expected Fisher information."""

import dataclasses
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike

from cicrjax import InputError

from ._objective import predict_jit
from ._problem import Problem
from ._result import _residual_jacobian


@dataclasses.dataclass(frozen=True)
class Identifiability:
    """Cramér–Rao bounds of a design at given parameter values (numpy; natural units unless named `theta`).

    `information` is the expected Fisher information of the unconstrained vector θ, `covariance` its inverse
    (pseudo-inverse where singular), `sd` the bound on each estimate's standard deviation (delta method through the
    transform), `relative_sd` that divided by the value, and `correlation` the correlation matrix of θ.
    A relative SD far above the precision one wants, or a correlation near ±1, marks a parameter (pair) the design
    cannot determine.
    """

    names: tuple[str, ...]
    values: np.ndarray
    information: np.ndarray
    covariance: np.ndarray
    sd: np.ndarray
    relative_sd: np.ndarray
    correlation: np.ndarray

    def summary(self) -> str:
        """One line per parameter: value, relative SD bound and its strongest correlation."""
        lines = []
        for i, name in enumerate(self.names):
            c = np.where(np.arange(len(self.names)) == i, 0.0, np.nan_to_num(self.correlation[i]))
            j = int(np.argmax(np.abs(c)))
            partner = f", corr {c[j]:+.3f} with {self.names[j]}" if len(self.names) > 1 else ""
            lines.append(f"{name}: {self.values[i]:.4g}, relative SD ≥ {self.relative_sd[i]:.3g}{partner}")
        return "\n".join(lines)


def identifiability(
    problem: Problem | Sequence[Problem],
    values: ArrayLike | None = None,
    *,
    sigma: float | Sequence[float] | None = None,
) -> Identifiability:
    """Cramér–Rao bounds of the free parameters for data of Gaussian noise σ drawn around the model at `values`.

    The problem's design (save times, conditions, protocol, signal, which observation parameters are profiled) is
    kept and its data are replaced by the noise-free prediction at `values` (offset + scale × model signal with the
    problem's observation values, by default 0 and 1), so the answer says what an experiment can determine before it
    is run. Profiled offset and scale are accounted for (the bounds are those of the full model, marginalised over
    them). Several problems with the same free parameters are independent experiments: their information adds.

    **Arguments:** `problem` one [`fitting.Problem`][] or a list of them; `values` natural values in
    `problem.names` order (default the first problem's initial values); `sigma` the noise SD in signal units, one
    value or one per problem (default each problem's fixed σ; required where σ is profiled).

    **Example:** `identifiability([paced, caffeine], sigma=0.02).relative_sd`
    """
    problems = [problem] if isinstance(problem, Problem) else list(problem)
    if not problems:
        raise InputError("identifiability needs at least one problem")
    names = problems[0].names
    for other in problems[1:]:
        if other.names != names:
            raise InputError(f"every problem must have the same free parameters; got {names} and {other.names}")
    sigmas = list(sigma) if isinstance(sigma, Sequence) else [sigma] * len(problems)
    if len(sigmas) != len(problems):
        raise InputError(f"give one sigma or one per problem ({len(problems)}), got {len(sigmas)}")
    values = problems[0].initial_values() if values is None else np.asarray(values, dtype=float)
    if values.shape != (len(names),):
        raise InputError(f"values must have {len(names)} entries ({', '.join(names)}), got {values.shape}")
    information = sum(_information(p, values, s) for p, s in zip(problems, sigmas, strict=True))
    theta = problems[0].to_theta(values)
    covariance = np.linalg.pinv(information)
    sd_theta = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    slope = np.abs(np.diag(np.asarray(jax.jacfwd(problems[0].natural)(theta))))
    sd = slope * sd_theta
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = covariance / np.outer(sd_theta, sd_theta)
        relative = sd / np.abs(values)
    return Identifiability(names, values, information, covariance, sd, relative, correlation)


def _information(problem: Problem, values: np.ndarray, sigma: float | None) -> np.ndarray:
    """Expected Fisher information of θ for one problem (see `identifiability`)."""
    if problem.noise is not None:
        raise InputError("identifiability needs Gaussian noise (noise=None or cicrjax.GaussianNoise)")
    if "sigma" in problem.names:
        raise InputError("identifiability needs σ profiled or fixed, not free; drop sigma from free")
    if sigma is None:
        if "sigma" in problem.profile:
            raise InputError("σ is profiled in this problem; pass sigma=, the noise SD of the planned data")
        sigma = float(problem.observation["sigma"])
    if not float(sigma) > 0:
        raise InputError(f"sigma must be > 0, got {float(sigma):g}")
    theta = problem.to_theta(values)
    observation = {**problem.observation, "sigma": jnp.asarray(float(sigma))}
    # the noise-free data: offset + scale × model signal at the problem's observation values, nothing profiled
    exact = dataclasses.replace(problem, profile=(), row_profile=(), observation=observation)
    p = predict_jit(exact, theta)
    if not bool(p.ok):
        raise InputError("the model cannot be solved at these values; check them or raise max_steps")
    # σ fixed at `sigma` (a profiled σ̂ would be 0 on exact data); offset and scale stay profiled where they were
    profile = tuple(n for n in problem.profile if n != "sigma")
    rows = tuple(n for n in problem.row_profile if n != "sigma")
    design = dataclasses.replace(
        exact, data=jnp.reshape(p.prediction, problem.data.shape), profile=profile, row_profile=rows
    )
    J = np.asarray(_residual_jacobian(design, theta))  # residuals weighted by 1/σ: the Fisher matrix is JᵀJ
    return J.T @ J
