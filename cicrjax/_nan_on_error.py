"""Runtime errors inside a fit or a `throw=False` batch become NaN (then a penalised, counted failure, or a
failure reported per element) instead of exceptions."""

import functools
import threading

import equinox._errors as _eqx_errors

# Equinox's switch is one process-wide value; traces under `nan_on_error` may overlap (`cicrjax fit` compiles its
# summary on a thread while the multistart traces), so the first to enter saves the setting and the last to leave
# restores it. Saving and restoring per call let two overlapping traces leave the process in "nan" mode for good.
_LOCK = threading.Lock()
_state = {"depth": 0, "saved": None}


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
        with _LOCK:
            if _state["depth"] == 0:
                _state["saved"] = _eqx_errors.EQX_ON_ERROR
                _eqx_errors.EQX_ON_ERROR = "nan"
            _state["depth"] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with _LOCK:
                _state["depth"] -= 1
                if _state["depth"] == 0:
                    _eqx_errors.EQX_ON_ERROR = _state["saved"]

    return wrapper
