"""Checked replacement of a spatial model's parameters, including those of the well-mixed cell it contains."""

import dataclasses
from collections.abc import Mapping

import equinox as eqx

from .._errors import InputError
from .._parameters import parameter_info, with_parameters
from .grid import Grid


def _names(model) -> dict[str, tuple[str, ...]]:
    """Every parameter name reachable from `model`, mapped to the path of fields that holds it."""
    found = {p.name: () for p in parameter_info(model)}
    for field in dataclasses.fields(model):
        value = getattr(model, field.name, None)
        if isinstance(value, eqx.Module) and not isinstance(value, Grid):
            for name, path in _names(value).items():
                found.setdefault(name, (field.name, *path))
    return found


def with_spatial_parameters(model, values: Mapping[str, float]):
    """`model` with parameters replaced by name, after checking names and constraints; a name that the spatial
    model lacks is looked up in the modules it holds (the Atri wave's `cell`, the firebreak's `wave`).

    **Example:** `with_spatial_parameters(AtriWave(), {"D_c": 30.0, "kflux": 10.0})`
    """
    paths = _names(model)
    for name, value in values.items():
        if name not in paths:
            raise InputError(f"unknown parameter {name!r} for model {model.name!r}; valid: {', '.join(paths)}")
        path = paths[name]

        def where(m, path=path):
            for step in path:
                m = getattr(m, step)
            return m

        model = (
            eqx.tree_at(where, model, with_parameters(where(model), {name: value}))
            if path
            else with_parameters(model, {name: value})
        )
    return model


def with_grid(model, grid: Grid):
    """`model` on another grid (the grid of the module that owns it, for a model that wraps another)."""
    owner = model
    path = []
    while not any(f.name == "grid" for f in dataclasses.fields(owner)):
        name = next(f.name for f in dataclasses.fields(owner) if hasattr(getattr(owner, f.name), "grid"))
        path.append(name)
        owner = getattr(owner, name)

    def where(m):
        for step in path:
            m = getattr(m, step)
        return m.grid

    return eqx.tree_at(where, model, grid)
