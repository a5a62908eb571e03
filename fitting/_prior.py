"""Priors on free parameters: normal or log-normal densities of the natural value, added to the NLL."""

import dataclasses
import math

import jax.numpy as jnp
from jaxtyping import Array

from cicrjax import InputError

PRIOR_KINDS = ("normal", "lognormal")
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclasses.dataclass(frozen=True)
class Prior:
    """A prior density on one free parameter's natural value x; the fit minimises NLL − log p(x).

    **Arguments:**
    - `kind`: `"normal"` (x ~ N(`location`, `scale`²)) or `"lognormal"` (log x ~ N(log `location`, `scale`²):
      `location` is the median in the parameter's unit, `scale` the standard deviation of log x).
    - `location`, `scale`: as above; `scale` > 0, and `location` > 0 for a log-normal prior.

    **Example:** `Prior("lognormal", 0.3, 0.5)` (median 0.3 µM, about ×1.6 either way at one standard deviation)
    """

    kind: str
    location: float
    scale: float

    def __post_init__(self):
        object.__setattr__(self, "location", float(self.location))
        object.__setattr__(self, "scale", float(self.scale))
        if self.kind not in PRIOR_KINDS:
            raise InputError(f"prior kind {self.kind!r} is not one of {', '.join(PRIOR_KINDS)}")
        if not (math.isfinite(self.location) and math.isfinite(self.scale) and self.scale > 0):
            raise InputError(f"a {self.kind} prior needs a finite location and a scale > 0, got {self.scale:g}")
        if self.kind == "lognormal" and self.location <= 0:
            raise InputError(f"a lognormal prior needs a median > 0, got {self.location:g}")

    def neg_log_density(self, x: Array) -> Array:
        """−log p(x) at the natural value `x` (jit-friendly)."""
        if self.kind == "normal":
            z = (x - self.location) / self.scale
            return 0.5 * z**2 + math.log(self.scale) + _HALF_LOG_2PI
        logx = jnp.log(x)
        z = (logx - math.log(self.location)) / self.scale
        return 0.5 * z**2 + logx + math.log(self.scale) + _HALF_LOG_2PI
