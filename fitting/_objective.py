"""The objective: the negative log-likelihood of a problem as one jit-compiled function of the free vector."""

import math

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from cicrjax._executable_cache import cached_jit

from ._nan_on_error import nan_on_error
from ._problem import Problem

_LOG_2PI = math.log(2.0 * math.pi)  # not jnp: importing fitting starts no JAX backend


class Prediction(eqx.Module):
    """Everything the objective computes at one parameter vector: the fit, residuals, σ, NLL (likelihood only),
    −log prior, solver status, and the model's states at the data times (`trajectory`, NaN where the solve failed;
    dropped by the compiler wherever it is not used)."""

    prediction: Array
    residual: Array
    offset: Array
    scale: Array
    sigma: Array
    nll: Array
    neg_log_prior: Array
    ok: Array
    num_steps: Array
    trajectory: Array


def _safe_div(a, b):
    good = b > 0
    return jnp.where(good, a / jnp.where(good, b, 1.0), 0.0)


def affine(problem: Problem, g: Array, observation) -> tuple[Array, Array]:
    """Offset and scale: profiled by weighted least squares where asked (over all conditions, or in each condition
    where `row_profile` says so), else given."""
    d, w = problem.data, problem.mask
    rows = bool({"offset", "scale"} & set(problem.row_profile))
    total = lambda x: jnp.sum(x, axis=-1, keepdims=True) if rows else jnp.sum(x)  # noqa: E731
    n = total(w)
    a, b = observation["offset"], observation["scale"]
    if "offset" in problem.profile and "scale" in problem.profile:
        gm, dm = total(w * g) / n, total(w * d) / n
        b = _safe_div(total(w * (g - gm) * (d - dm)), total(w * (g - gm) ** 2))
        a = dm - b * gm
    elif "offset" in problem.profile:
        a = total(w * (d - b * g)) / n
    elif "scale" in problem.profile:
        b = _safe_div(total(w * g * (d - a)), total(w * g**2))
    return a, b


def _weigh(problem: Problem, r: Array, sigma: Array) -> Array:
    """Residuals as least squares sees them: divided by σ, or as they are where σ is profiled (a profiled
    σ = √(RSS/n) would make ‖r/σ‖² ≡ n: least squares then minimises the RSS itself)."""
    return r if "sigma" in problem.profile else r / sigma


def signal_residuals(problem: Problem, g: Array, observation: dict[str, Array]) -> Array:
    """The residuals of [`fitting.residuals`][] (flattened, weighted alike) of the data against a model signal `g`
    (shape of the data) through the profiled or given offset and scale."""
    a, b = affine(problem, g, observation)
    return _weigh(problem, problem.mask * (problem.data - (a + b * g)), observation["sigma"]).ravel()


def gaussian_nll(problem: Problem, r: Array, w: Array, observation: dict[str, Array]) -> tuple[Array, Array]:
    """σ and the Gaussian NLL of residuals `r` (weights `w`): σ profiled (in every condition where `row_profile`
    says so) or given."""
    if "sigma" in problem.row_profile:
        n_row = jnp.sum(w, axis=-1)
        sigma = jnp.sqrt(jnp.sum(r**2, axis=-1) / n_row)
        return sigma, jnp.sum(0.5 * n_row * (_LOG_2PI + 2.0 * jnp.log(sigma) + 1.0))
    n = jnp.sum(w)
    if "sigma" in problem.profile:
        sigma = jnp.sqrt(jnp.sum(r**2) / n)
        return sigma, 0.5 * n * (_LOG_2PI + 2.0 * jnp.log(sigma) + 1.0)
    sigma = observation["sigma"]
    return sigma, 0.5 * jnp.sum((r / sigma) ** 2) + n * (jnp.log(sigma) + 0.5 * _LOG_2PI)


def predict(problem: Problem, theta: ArrayLike, adjoint: diffrax.AbstractAdjoint | None = None) -> Prediction:
    """Simulate, observe and score the problem at the unconstrained vector `theta` (no penalty applied)."""
    values = problem.natural(theta)
    model, observation = problem.with_values(values)
    sol = problem.simulate(model, y0=problem.initial_state(values), adjoint=adjoint)
    ok = jnp.all(sol.success)
    ys = jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0)
    g = jnp.broadcast_to(problem.model_signal(model, ys), problem.data.shape)
    a, b = affine(problem, g, observation)
    pred = a + b * g
    w = problem.mask
    r = w * (problem.data - pred)
    if problem.noise is not None:
        sigma = observation["sigma"]
        nll = -problem.noise.log_likelihood(problem.data, pred)
    else:
        sigma, nll = gaussian_nll(problem, r, w, observation)
    prior = problem.neg_log_prior(values)
    ok = ok & jnp.isfinite(nll) & jnp.isfinite(prior)
    return Prediction(pred, r, a, b, sigma, nll, prior, ok, jnp.sum(sol.num_steps), sol.ys)


def _penalised(problem: Problem, theta, adjoint) -> tuple[Array, Array]:
    p = predict(problem, theta, adjoint)
    return jnp.where(p.ok, p.nll + p.neg_log_prior, problem.penalty), p.ok


def _jvps(fn, theta: Array) -> tuple[Array, Array]:
    """Value and gradient of a scalar `fn` by forward mode: one JVP per entry of `theta`, vmapped."""
    eye = jnp.eye(theta.shape[0], dtype=theta.dtype)
    values, tangents = jax.vmap(lambda v: jax.jvp(fn, (theta,), (v,)))(eye)
    return values[0], tangents


def with_forward_gradient(fn):
    """`fn` (θ → scalar) whose reverse-mode gradient (`jax.grad`, optax's line searches) is computed in forward mode,
    one JVP per entry of θ: cheaper to compile through an ODE solve, and as fast to run for a few dozen entries.

    **Example:** `with_forward_gradient(lambda th: problem.nll(th, diffrax.ForwardMode()))`
    """

    @jax.custom_vjp
    def f(th):
        return fn(th)

    def f_bwd(grad, cotangent):
        return (cotangent * grad,)

    f.defvjp(lambda th: _jvps(fn, th), f_bwd)
    return f


def _forward_value(problem: Problem, theta):
    """Value and gradient by forward mode: one JVP per free parameter through diffrax.ForwardMode."""
    return _jvps(lambda th: _penalised(problem, th, diffrax.ForwardMode())[0], theta)


def objective(problem: Problem, theta: ArrayLike) -> Array:
    """The penalised NLL − log prior at `theta`, differentiable with `jax.grad` in the problem's gradient mode.

    In forward mode the reverse-mode API is served by a custom VJP whose forward pass runs one JVP per free
    parameter (diffrax.ForwardMode), so optax's line searches work unchanged.
    """
    theta = jnp.asarray(theta)
    if problem.mode == "reverse":
        return _penalised(problem, theta, None)[0]
    return with_forward_gradient(lambda th: _penalised(problem, th, diffrax.ForwardMode())[0])(theta)


def value_and_grad(problem: Problem, theta: ArrayLike) -> tuple[Array, Array, Array]:
    """Penalised NLL, its gradient (non-finite entries set to 0) and whether the solves succeeded."""
    theta = jnp.asarray(theta)
    if problem.mode == "forward":
        value, grad = _forward_value(problem, theta)
        ok = value < problem.penalty
    else:
        (value, ok), grad = jax.value_and_grad(lambda th: _penalised(problem, th, None), has_aux=True)(theta)
    grad = jnp.where(jnp.isfinite(grad) & ok, grad, 0.0)
    return value, grad, ok


def residuals(problem: Problem, theta: ArrayLike) -> Array:
    """Weighted residuals (data − fit)/σ (data − fit where σ is profiled), flattened, differentiable in forward
    mode (`jax.jacfwd`, Levenberg–Marquardt); a failed solve gives large constant residuals, whose cost ½‖r‖² is
    twice the problem's penalty. Priors are not residuals: least squares ignores them."""
    p = predict(problem, theta, diffrax.ForwardMode())  # Jacobians of residuals are taken in forward mode
    r = _weigh(problem, p.residual, p.sigma).ravel()
    big = jnp.sqrt(4.0 * problem.penalty / r.shape[0])
    return jnp.where(p.ok & jnp.all(jnp.isfinite(r)), r, big)


def least_squares_nll(problem: Problem, theta: ArrayLike, r: Array) -> Array:
    """The Gaussian NLL at `theta` from its weighted residuals `r` ([`fitting.residuals`][] of a successful solve),
    σ profiled or fixed, without solving again: what [`fitting.neg_log_posterior`][] gives there without priors."""
    if "sigma" in problem.profile:
        return gaussian_nll(problem, r, problem.mask, {})[1]
    sigma = problem.with_values(problem.natural(theta))[1]["sigma"]
    return 0.5 * jnp.sum(r**2) + jnp.sum(problem.mask) * (jnp.log(sigma) + 0.5 * _LOG_2PI)


@eqx.filter_jit
@nan_on_error
def neg_log_posterior(problem: Problem, theta: ArrayLike) -> Array:
    """Jit-compiled penalised objective of `problem` at the unconstrained vector `theta`: the NLL − log prior (the
    NLL alone without priors), the problem's penalty where the solver fails.

    **Example:** `fitting.neg_log_posterior(problem, problem.to_theta(problem.initial_values()))`
    """
    return objective(problem, theta)


neg_log_posterior_and_grad = eqx.filter_jit(nan_on_error(value_and_grad))
predict_jit = cached_jit(nan_on_error(predict))  # kept on disk by the console script (cicrjax/_executable_cache.py)
