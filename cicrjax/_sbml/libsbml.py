"""python-libsbml, the optional dependency of SBML import and export (`pip install 'cicrjax[sbml]'`), imported
only when a model is read or written."""

import functools

from .._errors import InputError


@functools.cache
def require_libsbml():
    """The libsbml module, or an `InputError` saying how to install it."""
    try:
        import libsbml
    except ImportError:
        raise InputError("SBML needs python-libsbml; install it with pip install 'cicrjax[sbml]'") from None
    return libsbml


@functools.cache
def ast_type_names() -> dict[int, str]:
    """libsbml's AST node type numbers → names (`AST_PLUS`, ...)."""
    libsbml = require_libsbml()
    return {getattr(libsbml, n): n for n in dir(libsbml) if n.startswith("AST_")}
