"""Posterior sampling by NUTS (blackjax, an optional extra): several chains vmapped, window-adapted step size and
diagonal mass matrix, with rank-normalised R̂, bulk and tail ESS and divergences."""

import dataclasses
import importlib.util
import os
import tempfile
import warnings
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike

from cicrjax import InputError

from ._objective import objective
from ._problem import Problem


@dataclasses.dataclass(frozen=True)
class Posterior:
    """NUTS draws (`samples`: chains × draws × parameters, natural units; `theta` the unconstrained ones) with
    per-parameter `mean`, `sd`, central 95% interval [`ci_low`, `ci_high`], rank-normalised split `rhat`
    (Vehtari et al. 2021; < 1.01 is converged), `ess_bulk`, `ess_tail`, and the count of `divergences`."""

    names: tuple[str, ...]
    samples: np.ndarray
    theta: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    rhat: np.ndarray
    ess_bulk: np.ndarray
    ess_tail: np.ndarray
    divergences: int
    acceptance: float
    step_size: np.ndarray

    def diagnostics(self) -> dict:
        """`rhat` and `ess_bulk`, `ess_tail` per parameter, and `divergences` (for results.json)."""
        per = lambda a: {n: float(v) for n, v in zip(self.names, a, strict=True)}
        return {
            "rhat": per(self.rhat),
            "ess_bulk": per(self.ess_bulk),
            "ess_tail": per(self.ess_tail),
            "divergences": self.divergences,
            "acceptance": self.acceptance,
        }

    def save(self, path) -> tuple[str, ...]:
        """Write the draws and diagnostics to `path` (`.npz`, atomically); with ArviZ installed, also
        `path` with suffix `.nc` (ArviZ netCDF). Returns the paths written."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        arrays = {"names": np.array(self.names), "samples": self.samples, "theta": self.theta, "rhat": self.rhat}
        arrays.update(ess_bulk=self.ess_bulk, ess_tail=self.ess_tail, divergences=np.array(self.divergences))
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as f:
            np.savez(f, **arrays)
        os.replace(f.name, path)
        if importlib.util.find_spec("arviz") is None:
            return (path,)
        with warnings.catch_warnings():  # ArviZ announces its coming refactor once a day, on import
            warnings.simplefilter("ignore", FutureWarning)
            import arviz

        data = arviz.from_dict(posterior={n: self.samples[..., i] for i, n in enumerate(self.names)})
        target = os.path.splitext(path)[0] + ".nc"
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".nc", delete=False) as f:
            pass
        data.to_netcdf(f.name)
        os.replace(f.name, target)
        return (path, target)


def _blackjax():
    if importlib.util.find_spec("blackjax") is None:
        raise InputError(
            "posterior sampling needs blackjax: pip install 'cicrjax[posterior]' (or pip install blackjax)"
        )
    import blackjax

    return blackjax


@eqx.filter_jit
def _run(log_density: Callable, starts, key, warmup: int, draws: int):
    blackjax = _blackjax()

    def chain(start, key):
        warm_key, sample_key = jax.random.split(key)
        adaptation = blackjax.window_adaptation(blackjax.nuts, log_density)
        (state, parameters), _ = adaptation.run(warm_key, start, num_steps=warmup)
        kernel = blackjax.nuts(log_density, **parameters).step

        def step(state, key):
            state, info = kernel(key, state)
            return state, (state.position, info.is_divergent, info.acceptance_rate)

        _, (positions, divergent, acceptance) = jax.lax.scan(step, state, jax.random.split(sample_key, draws))
        return positions, divergent, acceptance, parameters["step_size"]

    return jax.vmap(chain)(starts, jax.random.split(key, starts.shape[0]))


@jax.jit
def _diagnostics(samples):
    """Rank-normalised split R̂, bulk and tail ESS of chains × draws × parameters (blackjax), in one compiled call
    (op by op they cost seconds)."""
    d = _blackjax().diagnostics
    return jnp.stack([d.rhat(samples), d.ess_bulk(samples), d.ess_tail(samples)])


def sample_posterior(
    log_density: Callable,
    starts: ArrayLike,
    *,
    warmup: int = 500,
    draws: int = 1000,
    seed: int = 0,
    names: tuple[str, ...] | None = None,
    to_natural: Callable | None = None,
) -> Posterior:
    """NUTS on `log_density(θ)` (unnormalised, a JAX function of a vector), one chain per row of `starts`, all
    chains vmapped in one compiled call: window adaptation of step size and diagonal mass matrix for `warmup` steps,
    then `draws` draws per chain (blackjax). Reproducible from `seed`.

    **Arguments:** `log_density`; `starts` (chains × k); `warmup`, `draws` per chain; `seed`; `names` of the
    entries; `to_natural` maps θ (vectorised) to the reported values (default identity).

    **Example:** `sample_posterior(lambda th: -0.5 * jnp.sum(th**2), jnp.zeros((4, 2))).sd` ≈ [1, 1]
    """
    starts = jnp.atleast_2d(jnp.asarray(starts, dtype=float))
    chains, k = starts.shape
    if chains < 2 or draws < 4 or warmup < 1:
        raise InputError(f"NUTS needs ≥ 2 chains, ≥ 4 draws and ≥ 1 warm-up step, got {chains}, {draws}, {warmup}")
    _blackjax()  # InputError naming the extra when missing
    key = jax.random.key(seed)
    with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):  # blackjax's mixed types
        out = _run(log_density, starts, key, int(warmup), int(draws))
    theta, divergent, acceptance, step_size = (np.asarray(a) for a in out)
    samples = np.asarray(to_natural(jnp.asarray(theta))) if to_natural is not None else theta
    names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(k))
    flat = samples.reshape(-1, k)
    low, high = np.percentile(flat, [2.5, 97.5], axis=0)
    with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):  # blackjax's own broadcasting
        diagnostics = np.asarray(_diagnostics(samples)).reshape(3, k)  # one value per parameter, even one
    return Posterior(
        names=names,
        samples=samples,
        theta=theta,
        mean=flat.mean(0),
        sd=flat.std(0, ddof=1),
        ci_low=low,
        ci_high=high,
        rhat=diagnostics[0],
        ess_bulk=diagnostics[1],
        ess_tail=diagnostics[2],
        divergences=int(divergent.sum()),
        acceptance=float(acceptance.mean()),
        step_size=step_size,
    )


class _LogPosterior(eqx.Module):
    """−(NLL − log prior) of a problem in its unconstrained coordinates: priors on natural values carry the
    Jacobian of the transform; parameters without a prior are flat in their unconstrained coordinate."""

    problem: Problem

    def __call__(self, theta):
        value = -objective(self.problem, theta)
        priored = jnp.asarray([i for i, _ in self.problem.priors], dtype=int)
        if priored.size:
            slope = jax.jvp(self.problem.natural, (theta,), (jnp.ones_like(theta),))[1]
            value = value + jnp.sum(jnp.log(jnp.abs(slope[priored])))
        return value


def posterior(
    problem: Problem,
    theta: ArrayLike,
    covariance: ArrayLike | None = None,
    *,
    chains: int = 4,
    warmup: int = 500,
    draws: int = 1000,
    seed: int = 0,
) -> Posterior:
    """The posterior of a fitted problem's free parameters by NUTS on the same objective the fit minimised (the
    likelihood with offset/scale/σ profiled, and the problem's priors; parameters without a prior are flat in
    their unconstrained coordinate, i.e. log-uniform under a log transform). Chains start at `theta` (e.g.
    `FitResult.theta`) jittered by the Laplace `covariance` where given (0.1 otherwise), from `seed`.

    Needs the optional `blackjax` (`pip install 'cicrjax[posterior]'`); otherwise raises `InputError`.

    **Example:** `fitting.posterior(problem, result.theta, result.covariance, chains=4).diagnostics()["rhat"]`
    """
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (len(problem.names),):
        raise InputError(f"theta must have one entry per free parameter {problem.names}, got shape {theta.shape}")
    _blackjax()
    sd = np.full(theta.shape, 0.1)
    if covariance is not None:
        diag = np.diag(np.asarray(covariance, dtype=float))
        sd = np.where(np.isfinite(diag) & (diag > 0), np.sqrt(np.abs(diag)), 0.1)
    rng = np.random.default_rng(seed)
    starts = theta + rng.standard_normal((chains, theta.size)) * sd
    return sample_posterior(
        _LogPosterior(problem),
        starts,
        warmup=warmup,
        draws=draws,
        seed=seed,
        names=problem.names,
        to_natural=problem.natural,
    )
