"""fitting: inference of cicrjax model parameters from recordings (Laplace intervals, multistart, PEtab).

This package builds on `cicrjax` (models, protocols, simulation) and is never imported by it. The fitting engine
itself is the subject of its own issue; for now the package holds the layering in place.
"""

import cicrjax as _cicrjax

__all__: list[str] = []
del _cicrjax
