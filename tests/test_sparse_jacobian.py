"""The Rosenbrock solvers' sparse linear algebra: Jacobian patterns read from jaxprs, the sparse LU against dense
solves, and a sparse stiff system against its matrix-exponential solution."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import cicrjax as cj
from cicrjax._jacobian_pattern import jacobian_pattern
from cicrjax._sparse_lu import SparseLU


def test_pattern_of_a_hand_written_field():
    def f(y):
        a = y[0] * y[1]  # slice, squeeze, mul
        b = jnp.sum(y[2:4])  # slice, reduce_sum
        c = jnp.broadcast_to(jnp.exp(y[3]), (2,))  # broadcast_in_dim
        d = jnp.where(y[4] > 0, y[4], 0.0)  # select_n: the comparison adds nothing new
        return jnp.concatenate([jnp.stack([a, b, d]), c[::-1] * jnp.array([1.0, 2.0])])

    expected = np.zeros((5, 5), dtype=bool)
    expected[0, [0, 1]] = expected[1, [2, 3]] = expected[2, 4] = expected[3, 3] = expected[4, 3] = True
    np.testing.assert_array_equal(jacobian_pattern(f, jnp.ones(5)), expected)


def test_an_unknown_primitive_mixes_all_its_inputs():
    m = jnp.arange(9.0).reshape(3, 3)  # dot_general has no rule: its outputs take every input it reads
    pattern = jacobian_pattern(lambda y: jnp.concatenate([m @ y[:3], y[3:] ** 2]), jnp.ones(5))
    np.testing.assert_array_equal(pattern[:3], np.tile([True, True, True, False, False], (3, 1)))
    np.testing.assert_array_equal(pattern[3:], np.array([[0, 0, 0, 1, 0], [0, 0, 0, 0, 1]], dtype=bool))


@pytest.mark.parametrize(
    "name, protocol",
    [("cardiac", cj.paced(1.0, count=1)), ("hinch2004", cj.voltage_clamp(0.0, duration=0.2))],
)
def test_model_patterns_hold_every_nonzero_of_the_jacobian(name, protocol):
    """The pattern, found once at trace time, against numerical Jacobians at random states and times: every
    nonzero lies in it, and it holds no entry that none of the draws reaches."""
    model = cj.get_model(name)()
    y0 = model.initial_state()
    pattern = jax.jit(lambda m, y: jnp.asarray(jacobian_pattern(lambda y: m.vector_field(0.1, y, protocol), y)))(
        model, y0
    )
    jac = jax.jit(jax.vmap(jax.jacfwd(lambda t, y: model.vector_field(t, y, protocol), argnums=1)))
    rng = np.random.default_rng(0)
    ts = rng.uniform(0.0, 0.5, 32)
    ys = y0[None, :] * rng.uniform(0.5, 1.5, (32, y0.shape[0])) + 1e-3
    reached = np.any(np.asarray(jac(ts, ys)) != 0.0, axis=0)
    np.testing.assert_array_equal(reached, np.asarray(pattern))
    assert reached.sum() < 0.75 * reached.size  # cardiac 58 of 256 entries, hinch2004 26 of 36


def _arrow(n):
    """An arrowhead pattern: the diagonal and a full first row and column."""
    pattern = np.eye(n, dtype=bool)
    pattern[0, :] = pattern[:, 0] = True
    return pattern


def test_markowitz_order_avoids_the_fill_of_an_arrowhead():
    """Eliminating the hub first fills an arrowhead matrix completely; eliminating it last fills nothing."""
    lu = SparseLU(_arrow(10))
    assert 0 in lu.order[-2:]
    assert lu.filled.sum() == 3 * 10 - 2


def test_sparse_lu_solves_as_a_dense_solve():
    rng = np.random.default_rng(1)
    n = 12
    pattern = (rng.uniform(size=(n, n)) < 0.25) | _arrow(n)
    jac = np.where(pattern, rng.normal(size=(n, n)), 0.0)
    shift, b = 5.0 * n, rng.normal(size=n)
    lu = SparseLU(pattern)
    solve = jax.jit(lambda s, j, b: [lu.solve(lu.factor(s, j), b, transpose=t) for t in (False, True)])
    x, x_transposed = solve(shift, jnp.asarray(jac), jnp.asarray(b))
    w = shift * np.eye(n) - jac
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(w, b), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(x_transposed), np.linalg.solve(w.T, b), rtol=1e-12)


# A stiff linear system coupled through a hub (an arrowhead Jacobian, rates up to 1e4 s⁻¹): y' = A y.
_A = np.diag([-1e4, -3e3, -500.0, -20.0, -1.0, -0.5])
_A[0, 1:] = [50.0, -20.0, 10.0, 5.0, 1.0]
_A[1:, 0] = [30.0, -10.0, 2.0, 1.0, 0.5]
_Y0 = np.array([1.0, 2.0, -1.0, 0.5, 3.0, 1.5])
TS = np.linspace(0.0, 2.0, 21)


@pytest.mark.parametrize(
    "solver, forward", [(cj.Rodas4(), True), (cj.Ros34PW2(), False)], ids=["Rodas4-forward", "Ros34PW2-reverse"]
)
def test_rosenbrock_with_a_sparse_jacobian_matches_the_matrix_exponential(solver, forward):
    """Values and a derivative (forward mode through the sparse solves, or reverse mode through their transposes)
    against the exact solution. `a @ y` is a dot_general, which the pattern reader mixes; a field written per state
    is read as sparse."""

    def field(t, y, a):
        return jnp.stack([jnp.sum(a[i] * y) if i == 0 else a[i, i] * y[i] + a[i, 0] * y[0] for i in range(6)])

    def solve(scale):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(field),
            solver,
            0.0,
            2.0,
            None,
            jnp.asarray(_Y0),
            args=jnp.asarray(_A).at[4, 4].multiply(scale),
            saveat=diffrax.SaveAt(ts=jnp.asarray(TS)),
            stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10),
            max_steps=10_000,
            adjoint=diffrax.ForwardMode() if forward else diffrax.RecursiveCheckpointAdjoint(),
        )
        return sol.ys

    assert jacobian_pattern(lambda y: field(0.0, y, jnp.asarray(_A)), jnp.asarray(_Y0)).sum() == 3 * 6 - 2
    exact = np.stack([scipy.linalg.expm(_A * t) @ _Y0 for t in TS])
    # the derivative in the slow rate A[4, 4] against central differences of the exact solution
    a_plus, a_minus = _A.copy(), _A.copy()
    a_plus[4, 4] *= 1.0 + 1e-6
    a_minus[4, 4] *= 1.0 - 1e-6
    fd = np.stack([(scipy.linalg.expm(a_plus * t) - scipy.linalg.expm(a_minus * t)) @ _Y0 for t in TS]) / 2e-6
    if forward:
        ys, d_ys = jax.jit(lambda s: jax.jvp(solve, (s,), (1.0,)))(1.0)
        np.testing.assert_allclose(np.asarray(d_ys), fd, rtol=0, atol=1e-6 * np.abs(fd).max())
    else:
        weights = np.linspace(1.0, 2.0, TS.size)[:, None] * np.linspace(-1.0, 1.0, 6)[None, :]
        (_, ys), grad = jax.jit(jax.value_and_grad(lambda s: _weighted(solve(s), weights), has_aux=True))(1.0)
        np.testing.assert_allclose(float(grad), np.sum(weights * fd), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ys), exact, rtol=0, atol=1e-7)


def _weighted(ys, weights):
    return jnp.sum(jnp.asarray(weights) * ys), ys
