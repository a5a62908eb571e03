"""Tsitouras' 5(4) Runge–Kutta method with its stages unrolled, for small models and their forward-mode gradients."""

from typing import ClassVar

import diffrax
import equinox as eqx
import equinox.internal as eqxi
import jax.numpy as jnp
from jax import lax

# Tsitouras C (2011) Runge–Kutta pairs of order 5(4) satisfying only the first column simplifying assumption.
# Comput Math Appl 62:770–775: diffrax's own tableau, so both solvers take the same steps.
_TABLEAU = diffrax.Tsit5.tableau


@eqx.filter_jit
def _vf(terms, t, y, args):
    """`terms.vf` as a jitted call: traced (and differentiated, batched, lowered) once for all seven stages; XLA
    inlines it again."""
    return terms.vf(t, y, args)


class UnrolledTsit5(diffrax.AbstractAdaptiveSolver):
    """Tsit5 (Tsitouras 2011, order 5 with an embedded order 4, first stage same as last) with its seven stages
    written out instead of diffrax's stage loop: the same steps and solution as `diffrax.Tsit5` (to rounding), and
    its dense output.

    On a CPU, XLA runs a loop body's kernels in the calling thread only while each buffer they touch holds at most
    512 bytes, and otherwise schedules them on a thread pool. diffrax's stage loop keeps every stage in one buffer,
    which forward-mode tangents of small models overflow (5 tangents of a 2-state model: 7 × 2 × 5 float64), and
    then pays that scheduling seven times a step; here the step is one body. Since cicrjax has XLA compile a small
    solve's whole step loop as one kernel (cicrjax/_xla_options.py), that matters little: gdb1990's 5-parameter
    gradient of `benchmarks/gradient.py` takes 0.85 ms with either solver, marhl2000's (20) 1.1 against 2.2 ms
    (`python -m benchmarks --case gradient --quick`, loaded). Not a default: the vmapped multistart programs of a fit
    compile longer with it (benchmarks/README.md, session 9). For `ODETerm`s.

    **Example:** `simulate(GDB1990(), ts, solver=UnrolledTsit5(), adjoint=diffrax.ForwardMode())`
    """

    term_structure: ClassVar = diffrax.ODETerm
    interpolation_cls: ClassVar = diffrax.Tsit5.interpolation_cls

    def order(self, terms):
        return 5

    def init(self, terms, t0, t1, y0, args):
        return _vf(terms, t0, y0, args)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        h = t1 - t0
        # Each stage's state ends in a division by h / h (exactly 1): XLA duplicates cheap arithmetic into every
        # kernel that reads it, so without this each stage's weighted sum is recomputed in each of the vector
        # field's kernels (gdb1990's forward-mode gradient: 3,475 against 2,731 compiled operations; under `vmap`
        # over starts the duplication comes back, benchmarks/README.md, session 9).
        one = h / h
        # After a jump of the vector field (a protocol edge) the first stage is evaluated afresh; diffrax passes
        # `made_jump` as a Python False when there are no jumps. The predicate is unbatched, as diffrax's own.
        if made_jump is False:
            f0 = solver_state
        else:
            f0 = lax.cond(eqxi.unvmap_any(made_jump), lambda: _vf(terms, t0, y0, args), lambda: solver_state)
        ks = [h * f0]
        for row, c in zip(_TABLEAU.a_lower, _TABLEAU.c, strict=True):
            yi = (y0 + sum(float(a) * k for a, k in zip(row, ks, strict=True) if a != 0.0)) / one
            ti = t1 if c == 1.0 else t0 + float(c) * h
            f = _vf(terms, ti, yi, args)
            ks.append(h * f)
        # first same as last: the last stage is f(t1, y1), with y1 = y0 + Σ b_i k_i
        y1 = y0 + sum(float(b) * k for b, k in zip(_TABLEAU.b_sol, ks, strict=True) if b != 0.0)
        y_error = sum(float(b) * k for b, k in zip(_TABLEAU.b_error, ks, strict=True) if b != 0.0)
        return y1, y_error, dict(y0=y0, y1=y1, k=jnp.stack(ks)), f, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return _vf(terms, t0, y0, args)
