"""SBML: models read from Level 2/3 files into cicrjax models, and built-in models written out as SBML."""

from .export import export_sbml as export_sbml
from .model import AbstractSBMLModel as AbstractSBMLModel, load_sbml as load_sbml
