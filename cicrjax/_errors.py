"""The two error types of the public API: bad input (the caller's to fix) and a computation that failed."""


class InputError(ValueError):
    """A predictable bad input (file, column, parameter, option); the one-line message names it and the fix.

    The library raises it once, where the input is checked; the `cicrjax` command prints the message as one line
    and exits with status 2. A `ValueError`, so `except ValueError` still catches it.

    Example: `raise InputError("--t-end must be > 0, got -1")`.
    """


class ComputationError(RuntimeError):
    """A well-posed computation that did not succeed (every fit start's solver failed, say); the message says why.

    The `cicrjax` command prints it as one line and exits with status 1. Any other exception is a bug: the command
    prints its traceback and exits with status 1.

    Example: `raise ComputationError("all 8 starts failed: the solver hit max_steps")`.
    """
