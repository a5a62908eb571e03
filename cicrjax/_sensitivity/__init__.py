"""Sensitivity of model features to parameters: local normalised coefficients, time-resolved sensitivities, and
global Sobol indices and Morris elementary effects over parameter ranges."""

from .local import (
    LocalSensitivity as LocalSensitivity,
    local_sensitivity as local_sensitivity,
    trajectory_sensitivity as trajectory_sensitivity,
)
from .model import (
    FeatureFunction as FeatureFunction,
    feature_function as feature_function,
    parameter_ranges as parameter_ranges,
)
from .morris import MorrisResult as MorrisResult, morris_effects as morris_effects, morris_sample as morris_sample
from .sobol import SobolResult as SobolResult, saltelli_sample as saltelli_sample, sobol_indices as sobol_indices
