"""Parameter transforms: the unconstrained coordinates in which the optimiser moves (log, log10, logit, linear)."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from cicrjax import InputError

TRANSFORMS = ("log", "log10", "logit", "linear")


@dataclasses.dataclass(frozen=True)
class Transform:
    """Map between a parameter's natural value and an unconstrained coordinate u.

    `space` is `"log"`, `"log10"` or `"linear"`: the scale on which the parameter is sampled and reported
    (PEtab's `parameterScale`). With `bounded`, the box [lower, upper] is enforced by a logistic map in that
    space, u = logit((s(x) - s(lo))/(s(hi) - s(lo))); otherwise u = s(x) and the bounds only place the starts.
    The name `"logit"` is the bounded linear transform.

    **Example:** `Transform("log", bounded=False).forward(2.0, 0.1, 10.0)` is log 2.
    """

    space: str = "log"
    bounded: bool = False

    def __post_init__(self):
        if self.space not in ("log", "log10", "linear"):
            raise InputError(f"transform space {self.space!r} is not one of log, log10, linear")

    @classmethod
    def named(cls, name: str) -> "Transform":
        """`"log"`, `"log10"`, `"linear"` (unbounded) or `"logit"` (bounded linear)."""
        if name not in TRANSFORMS:
            raise InputError(f"unknown transform {name!r}; use one of {', '.join(TRANSFORMS)}")
        return cls("linear", True) if name == "logit" else cls(name, False)

    @property
    def name(self) -> str:
        if self.space == "linear":
            return "logit" if self.bounded else "linear"
        return f"{self.space}-logit" if self.bounded else self.space

    def to_space(self, x):
        """Natural value → sampling space (log, log10 or identity); numpy or jax."""
        xp = jnp if isinstance(x, jax.Array) else np
        return {"log": xp.log, "log10": xp.log10, "linear": lambda v: v}[self.space](x)

    def from_space(self, s):
        """Sampling space → natural value."""
        xp = jnp if isinstance(s, jax.Array) else np
        return {"log": xp.exp, "log10": lambda v: 10.0**v, "linear": lambda v: v}[self.space](s)

    def forward(self, x, lower: float, upper: float):
        """Natural value → unconstrained coordinate."""
        s = self.to_space(x)
        if not self.bounded:
            return s
        xp = jnp if isinstance(s, jax.Array) else np
        lo, hi = self.to_space(lower), self.to_space(upper)
        p = xp.clip((s - lo) / (hi - lo), 1e-12, 1 - 1e-12)
        return xp.log(p) - xp.log1p(-p)

    def inverse(self, u, lower: float, upper: float):
        """Unconstrained coordinate → natural value."""
        if not self.bounded:
            return self.from_space(u)
        lo, hi = float(self.to_space(lower)), float(self.to_space(upper))
        sig = jax.nn.sigmoid(u) if isinstance(u, jax.Array) else 0.5 * (1.0 + np.tanh(0.5 * np.asarray(u)))
        return self.from_space(lo + (hi - lo) * sig)

    def check_bounds(self, name: str, lower: float, upper: float) -> None:
        """Raise `InputError` naming `name` if the bounds are not finite, ordered and valid for this space."""
        if not (math.isfinite(lower) and math.isfinite(upper)):
            raise InputError(f"bounds of {name} must be finite numbers, got {lower}:{upper}")
        if lower >= upper:
            raise InputError(f"bounds of {name} need lo < hi, got {lower:g}:{upper:g}; e.g. --bounds {name}=0.1:10")
        if self.space != "linear" and lower <= 0:
            raise InputError(
                f"bounds of {name} must be > 0, got {lower:g}:{upper:g}: {name} is fitted on a {self.space} scale, "
                "which keeps it positive; give a positive lower bound"
            )
