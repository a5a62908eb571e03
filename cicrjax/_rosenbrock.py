"""Rosenbrock solvers for diffrax: Rodas4 (Hairer & Wanner) and the Rosenbrock–W method ROS34PW2 (Rang & Angermann)."""

from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.custom_derivatives import SymbolicZero
from jaxtyping import Array

from ._jacobian_pattern import jacobian_pattern
from ._sparse_lu import SparseLU

# Hairer E, Wanner G (1996) Solving Ordinary Differential Equations II, 2nd ed., Springer, §IV.7 (RODAS, in the
# W-transformed form of their rodas.f and of Numerical Recipes 3rd ed. §17.5.1, StepperRoss). Stage i solves
# (I/(γh) − J) k_i = f(t + c_i h, y + Σ_j a_ij k_j) + γ_i h ∂f/∂t + Σ_j C_ij k_j / h.
_GAMMA = 0.25
_C = np.array([0.0, 0.386, 0.21, 0.63, 1.0, 1.0])
_GAMMA_T = np.array([0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0])
_A5 = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950]
# Row i: the stage point y + Σ_j a_ij k_j. The last stage starts from y5 + k5 (stiff accuracy), and y1 = y6 + k6.
_A = np.array(
    [
        [0, 0, 0, 0, 0, 0],
        [1.544, 0, 0, 0, 0, 0],
        [0.9466785280815826, 0.2557011698983284, 0, 0, 0, 0],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817, 0, 0, 0],
        [*_A5, 0, 0],
        [*_A5, 1, 0],
    ]
)
_Y1 = np.array([*_A5, 1.0, 1.0])
_CK = np.array(
    [
        [0, 0, 0, 0, 0, 0],
        [-5.6688, 0, 0, 0, 0, 0],
        [-2.430093356833875, -0.2063599157091915, 0, 0, 0, 0],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616, 0, 0, 0],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160, 0, 0],
        [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054, 0],
    ]
)
# Dense output: y(s) = (1 − s) y0 + s (y1 + (1 − s)(Σ D2_j k_j + s Σ D3_j k_j)), s ∈ [0, 1].
_D2 = np.array([10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0])
_D3 = np.array([-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0])


def _matvec(m: Array, v: Array) -> Array:
    """m @ v as a multiply and a sum, which XLA fuses with its neighbours instead of running a `dot` kernel of its
    own (a Ros34PW2 cardiac beat: median 10% faster in two interleaved runs, its least time within the noise)."""
    return jnp.sum(m * v[None, :], axis=1)


def _combine(weights, ks) -> Array:
    """Σ_i weights_i k_i for constant weights, unrolled (no `dot`, as in `_matvec`)."""
    return sum(float(w) * k for w, k in zip(weights, ks, strict=True) if w != 0.0)


def _dense_inverse(shift: Array, jac: Array) -> Array:
    """(shift·I − J)⁻¹ by Gauss–Jordan elimination without pivoting (a loop of rank-1 updates).

    W = I/(γh) − J tends to the identity as the step shrinks: a failed (non-finite) inverse makes the error
    estimate non-finite, so the controller rejects the step and retries a smaller, better one.
    """
    n = jac.shape[0]
    rows = jnp.arange(n)
    a = shift * jnp.eye(n, dtype=jac.dtype) - jac

    def eliminate(k, carry):
        a, inv = carry
        row_a = lax.dynamic_index_in_dim(a, k, keepdims=False)
        row_inv = lax.dynamic_index_in_dim(inv, k, keepdims=False)
        pivot = 1.0 / row_a[k]
        row_a, row_inv = row_a * pivot, row_inv * pivot
        col = jnp.where(rows == k, 0.0, a[:, k])
        is_k = (rows == k)[:, None]
        a = jnp.where(is_k, row_a[None, :], a - col[:, None] * row_a[None, :])
        inv = jnp.where(is_k, row_inv[None, :], inv - col[:, None] * row_inv[None, :])
        return a, inv

    return lax.fori_loop(0, n, eliminate, (a, jnp.eye(n, dtype=a.dtype)))[1]


@jax.custom_jvp
def _w_inverse(shift: Array, jac: Array) -> Array:
    """(shift·I − J)⁻¹, with a derivative that skips the Jacobian's term when J carries no tangent (Ros34PW2) and
    needs one matrix product, shared by every tangent, for the shift (1/(γh), which edge-time tangents move)."""
    return _dense_inverse(shift, jac)


def _w_inverse_jvp(primals, tangents):
    (shift, jac), (d_shift, d_jac) = primals, tangents
    inv = _w_inverse(shift, jac)
    out = jnp.zeros_like(inv)
    if not isinstance(d_shift, SymbolicZero):
        out = out - d_shift * (inv @ inv)
    if not isinstance(d_jac, SymbolicZero):
        out = out + inv @ d_jac @ inv
    return inv, out


_w_inverse.defjvp(_w_inverse_jvp, symbolic_zeros=True)


def _jacobians(f, t, y):
    """∂f/∂t and ∂f/∂y at (t, y): the Jacobian from one vmapped forward pass, ∂f/∂t from one more (cheaper
    together than differentiating in t and y at once, measured on `cardiac`)."""
    jac = jax.jacfwd(lambda y: f(t, y))(y)
    dfdt = jax.jvp(lambda t: f(t, y), (t,), (jnp.ones_like(t),))[1]
    return dfdt, jac


# A step factorises I/(γh) − J as a sparse LU in scalar operations when the factors (J's pattern with its fill) have
# at most this many entries, and half the matrix at most, and solves each stage with its factors; otherwise it
# inverts the dense matrix by Gauss–Jordan elimination. Cardiac (16 states, 60 entries), quiet machine, one process,
# sparse against dense: Ros34PW2's forward-mode gradient in 5 parameters of a 1 s beat at rtol 1e-4 2.1 against
# 5.2 ms, its simulation 0.77 against 1.42 ms, Rodas4's 0.64 against 1.07 ms; results equal to 1e-14; first calls
# 40–60 % longer (the gradient 13.7–15.9 against 9.7–9.9 s). Larger factors make a step's scalar code outgrow XLA's
# small-loop threshold (cicrjax/_xla_options.py), and the step loop then runs kernel by kernel: `cardiac-mouse`
# (130 entries) simulated 10× slower, `skeletal`'s (73) forward-mode Rodas4 gradient 1.6× slower.
_SPARSE_MAX_ENTRIES = 64
_SPARSE_MAX_STATES = 32  # beyond, the pattern is not read at all


def _w_solver(f_of_y, y0, shift, jac):
    """A function b ↦ (shift·I − J)⁻¹ b for J = `jac`, the Jacobian of `f_of_y` at `y0`, whose sparsity pattern
    (read from its jaxpr) decides between a sparse LU and a dense inverse.

    The sparse solve is a `lax.custom_linear_solve`: derivatives come from the matrix's product with a vector and
    the same factors (∂x = W⁻¹(∂b − ∂W x)), never from differentiating the factorisation's scalar arithmetic
    (which doubled the compile time of a forward-mode gradient through Rodas4, measured on `skeletal`)."""
    n = y0.shape[0]
    if n <= _SPARSE_MAX_STATES:
        lu = SparseLU(jacobian_pattern(f_of_y, y0))
        if lu.filled.sum() <= min(_SPARSE_MAX_ENTRIES, n * n // 2):
            factors = lu.factor(lax.stop_gradient(shift), lax.stop_gradient(jac))
            return lambda b: lax.custom_linear_solve(
                lambda x: shift * x - jac @ x,
                b,
                solve=lambda _, b: lu.solve(factors, b),
                transpose_solve=lambda _, b: lu.solve(factors, b, transpose=True),
            )
    w_inv = _w_inverse(shift, jac)
    return lambda b: _matvec(w_inv, b)


def _stages(f, t0, t1, y0, solve, dfdt, a, ck, c, gamma_t, f0=None):
    """The stages k_i of a Rosenbrock step in the W-transformed form of Hairer & Wanner (1996, §IV.7):
    (I/(γh) − J) k_i = f(t0 + c_i h, y0 + Σ_j a_ij k_j) + Σ_j ck_ij k_j / h + γ_i h ∂f/∂t, with `solve` applying
    (I/(γh) − J)⁻¹; `f0`, when given, is f(t0, y0) (the first stage's evaluation)."""
    h = t1 - t0
    ks = []
    for i in range(len(c)):
        yi = y0 + sum(float(aij) * k for aij, k in zip(a[i, :i], ks, strict=True))
        ti = t1 if c[i] == 1.0 else t0 + float(c[i]) * h
        rhs = f0 if (i == 0 and f0 is not None) else f(ti, yi)
        if i > 0:
            rhs = rhs + sum(float(cij) * k for cij, k in zip(ck[i, :i], ks, strict=True)) / h
        if gamma_t[i] != 0.0:
            rhs = rhs + (float(gamma_t[i]) * h) * dfdt
        ks.append(solve(rhs))
    return ks


class RodasInterpolation(diffrax.AbstractLocalInterpolation):
    """Rodas4's third-order dense output on one step [t0, t1]."""

    t0: Array
    t1: Array
    y0: Array
    y1: Array
    k2: Array
    k3: Array

    def evaluate(self, t0, t1=None, left=True):
        del left
        if t1 is not None:
            return self.evaluate(t1) - self.evaluate(t0)
        s = (t0 - self.t0) / (self.t1 - self.t0)
        return (1.0 - s) * self.y0 + s * (self.y1 + (1.0 - s) * (self.k2 + s * self.k3))


class Rodas4(diffrax.AbstractAdaptiveSolver):
    """Rosenbrock method RODAS (Hairer & Wanner 1996): order 4, embedded order 3, L-stable, stiffly accurate.

    Each step takes one Jacobian (forward mode, with ∂f/∂t for time-dependent protocols), factorises
    I/(γh) − J once (a sparse LU when the Jacobian's pattern is sparse) and evaluates the vector field six times;
    there is no Newton iteration, so a step costs a fixed amount and differentiates exactly (reverse mode goes
    through the same arithmetic). Dense output is the method's own third-order interpolant. For `ODETerm`s over a
    1-D array state.

    **Example:** `diffeqsolve(ODETerm(f), Rodas4(), t0, t1, None, y0, stepsize_controller=PIDController(...))`
    """

    term_structure: ClassVar = diffrax.ODETerm
    interpolation_cls: ClassVar = RodasInterpolation

    def order(self, terms):
        return 4

    def error_order(self, terms):
        return 4  # the estimate is the 4th- minus the embedded 3rd-order solution: O(h⁴)

    def init(self, terms, t0, t1, y0, args):
        return None

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        h = t1 - t0

        def f(t, y):
            return terms.vf(t, y, args)

        t0_ = jnp.asarray(t0, y0.dtype)
        dfdt, jac = _jacobians(f, t0_, y0)
        ks = _stages(
            f,
            t0,
            t1,
            y0,
            _w_solver(lambda y: f(t0_, y), y0, 1.0 / (_GAMMA * h), jac),
            dfdt,
            _A,
            _CK,
            _C,
            _GAMMA_T,
        )
        y1 = y0 + _combine(_Y1, ks)
        dense = dict(y0=y0, y1=y1, k2=_combine(_D2, ks), k3=_combine(_D3, ks))
        return y1, ks[5], dense, None, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


def _w_transformed(gamma, alpha, gammas, b, b_hat):
    """A Rosenbrock tableau (α_ij, γ_ij, b, b̂; Hairer & Wanner 1996, (7.4)) in the W-transformed form used by
    `_stages`: a = AΓ⁻¹, ck = diag(1/γ) − Γ⁻¹, stage times c_i = Σ_j α_ij, ∂f/∂t weights γ_i = Σ_j Γ_ij, and the
    solution and error weights bΓ⁻¹ and (b − b̂)Γ⁻¹, where Γ = (γ_ij) with γ on its diagonal."""
    big_gamma = gammas + gamma * np.eye(len(b))
    inv = np.linalg.inv(big_gamma)
    return (
        alpha @ inv,
        np.eye(len(b)) / gamma - inv,
        alpha.sum(axis=1),
        big_gamma.sum(axis=1),
        b @ inv,
        (b - b_hat) @ inv,
    )


# Rang J, Angermann L (2005) New Rosenbrock W-methods of order 3 for partial differential algebraic equations of
# index 1. BIT Numer Math 45:761–787, Table 4.5 (ROS34PW2): 4 stages, order 3 for any Jacobian approximation,
# embedded order 2, L-stable, stiffly accurate.
_W_GAMMA = 0.435866521508459
_W_A, _W_CK, _W_C, _W_GAMMA_T, _W_B, _W_ERR = _w_transformed(
    _W_GAMMA,
    np.array(
        [
            [0, 0, 0, 0],
            [0.87173304301691801, 0, 0, 0],
            [0.84457060015369423, -0.11299064236484185, 0, 0],
            [0, 0, 1.0, 0],
        ]
    ),
    np.array(
        [
            [0, 0, 0, 0],
            [-0.87173304301691801, 0, 0, 0],
            [-0.90338057013044082, 0.054180672388095326, 0, 0],
            [0.24212380706095346, -1.2232505839045147, 0.54526025533510214, 0],
        ]
    ),
    np.array([0.24212380706095346, -1.2232505839045147, 1.5452602553351020, 0.435866521508459]),
    np.array([0.37810903145819369, -0.096042292212423178, 0.5, 0.2179332607542295]),
)


class Ros34PW2(diffrax.AbstractAdaptiveSolver):
    """Rosenbrock–W method ROS34PW2 (Rang & Angermann 2005): order 3 with *any* Jacobian, embedded order 2,
    L-stable, stiffly accurate.

    Because a W-method keeps its order whatever matrix stands in for the Jacobian, the Jacobian (and ∂f/∂t) is
    held out of differentiation (`stop_gradient`): derivatives of the solution, forward or reverse, are those of
    the same W-method applied to the sensitivity equations, so they converge at order 3 and cost no second
    derivatives of the model. Each step takes one Jacobian (forward mode), factorises I/(γh) − J once and evaluates
    the vector field four times, plus once at the step end for the third-order Hermite dense output (reused as
    the next step's first stage). For `ODETerm`s over a 1-D array state.

    **Example:** `simulate(Cardiac(), ts, protocol=paced(1.0, count=1), solver=Ros34PW2())`
    """

    term_structure: ClassVar = diffrax.ODETerm
    interpolation_cls: ClassVar = diffrax.ThirdOrderHermitePolynomialInterpolation

    def order(self, terms):
        return 3

    def error_order(self, terms):
        return 3  # the estimate is the 3rd- minus the embedded 2nd-order solution: O(h³)

    def init(self, terms, t0, t1, y0, args):
        return terms.vf(t0, y0, args)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        h = t1 - t0

        def f(t, y):
            return terms.vf(t, y, args)

        # After a jump of the vector field (a protocol edge) the first stage is evaluated afresh.
        f0 = lax.cond(made_jump, lambda: f(t0, y0), lambda: solver_state)
        frozen = jax.tree.map(
            lambda x: lax.stop_gradient(x) if eqx.is_array(x) else x, (terms, args, jnp.asarray(t0, y0.dtype), y0)
        )
        dfdt, jac = _jacobians(lambda t, y: frozen[0].vf(t, y, frozen[1]), *frozen[2:])
        solve = _w_solver(lambda y: frozen[0].vf(frozen[2], y, frozen[1]), frozen[3], 1.0 / (_W_GAMMA * h), jac)
        ks = _stages(f, t0, t1, y0, solve, dfdt, _W_A, _W_CK, _W_C, _W_GAMMA_T, f0=f0)
        y1 = y0 + _combine(_W_B, ks)
        f1 = f(t1, y1)
        dense = dict(y0=y0, y1=y1, k0=h * f0, k1=h * f1)
        return y1, _combine(_W_ERR, ks), dense, f1, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)
