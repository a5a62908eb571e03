"""python-libsbml, the optional dependency of SBML import and export (`pip install 'cicrjax[sbml]'`)."""

from .._errors import InputError

try:
    import libsbml
except ImportError:  # the optional extra is not installed
    libsbml = None


def require_libsbml():
    """The libsbml module, or an `InputError` saying how to install it."""
    if libsbml is None:
        raise InputError("SBML needs python-libsbml; install it with pip install 'cicrjax[sbml]'")
    return libsbml
