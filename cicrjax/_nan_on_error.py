"""Runtime errors inside a fit or a `throw=False` batch become NaN (then a penalised, counted failure, or a
failure reported per element) instead of exceptions."""

import functools

import equinox._errors as _eqx_errors


def nan_on_error(fn):
    """Trace `fn` with Equinox's runtime checks set to return NaN rather than raise.

    Implicit solvers (Kvaerno5's Newton iterations through lineax) check their linear solves with
    `equinox.error_if`, which raises even under `simulate(..., throw=False)`; in an unstable parameter region that
    would crash the whole multistart. The setting is read while tracing, so wrapping the traced body of a jitted
    function is enough and leaves the rest of the program untouched (uses the private `equinox._errors` switch
    that the `EQX_ON_ERROR=nan` environment variable sets). A program traced so holds no host callback, so JAX's
    persistent compilation cache can keep it (JAX never caches a program with one).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        old = _eqx_errors.EQX_ON_ERROR
        _eqx_errors.EQX_ON_ERROR = "nan"
        try:
            return fn(*args, **kwargs)
        finally:
            _eqx_errors.EQX_ON_ERROR = old

    return wrapper
