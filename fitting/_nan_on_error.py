"""Runtime errors inside a fit become NaN: `cicrjax._nan_on_error.nan_on_error` (the gain calculation uses it too)."""

from cicrjax._nan_on_error import nan_on_error as nan_on_error
