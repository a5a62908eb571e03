"""Free parameters: a name, bounds and a transform; the rest of a problem stays fixed."""

import dataclasses

from cicrjax import InputError

from ._transform import Transform


@dataclasses.dataclass(frozen=True)
class FreeParameter:
    """A parameter estimated by the fit.

    **Arguments:**
    - `name`: a model parameter (as in the paper) or an observation parameter (`sigma`, `scale`, `offset`).
    - `lower`, `upper`: bounds (natural units); they place the starts, and are enforced when `transform.bounded`.
    - `transform`: a [`fitting.Transform`][]; default log (positive rates).
    - `unit`: for reports.

    **Example:** `FreeParameter("VM2", 10.0, 200.0)`
    """

    name: str
    lower: float
    upper: float
    transform: Transform = Transform("log")
    unit: str = ""

    def __post_init__(self):
        object.__setattr__(self, "lower", float(self.lower))
        object.__setattr__(self, "upper", float(self.upper))
        self.transform.check_bounds(self.name, self.lower, self.upper)

    def check_value(self, value: float, what: str = "start") -> None:
        """Raise `InputError` if `value` lies outside [lower, upper]."""
        if not (self.lower <= value <= self.upper):
            raise InputError(
                f"{what} {self.name}={value:g} lies outside its bounds {self.lower:g}:{self.upper:g}; "
                f"widen --bounds {self.name}=lo:hi or change the value"
            )


def default_free(
    name: str,
    value: float,
    constraint: str,
    unit: str = "",
    transform: str | None = None,
    bounds: tuple[float, float] | None = None,
) -> FreeParameter:
    """The default free parameter for a model parameter: log for positive values (bounds value/10 to value×10),
    logit on [0, 1] for unit-interval values, linear (value ± max(|value|, 1)) otherwise.

    **Example:** `default_free("VM2", 65.0, "positive")`
    """
    if transform is None:
        transform = {"positive": "log", "unit_interval": "logit"}.get(constraint, "linear")
        if transform == "log" and value <= 0:
            transform = "linear"
    t = Transform.named(transform)
    if bounds is None:
        if t.name == "logit" and constraint == "unit_interval":
            bounds = (0.0, 1.0)
        elif t.space != "linear":
            bounds = (value / 10.0, value * 10.0)
        else:
            width = max(abs(value), 1.0)
            bounds = (value - width, value + width)
    return FreeParameter(name, bounds[0], bounds[1], t, unit)
