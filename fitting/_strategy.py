"""Fitting strategies by name, for the command line: single shooting or a remedy for oscillating traces."""

from ._curriculum import HorizonCurriculum
from ._optimisers import LBFGS, AbstractOptimiser
from ._oscillation import PeriodMatched
from ._shooting import MultipleShooting

STRATEGIES = ("single-shooting", "period-matched", "multiple-shooting", "curriculum")


def strategy(name: str) -> AbstractOptimiser:
    """The optimiser of a named strategy, with its defaults: `single-shooting` ([`fitting.LBFGS`][]),
    `period-matched` ([`fitting.PeriodMatched`][], best on oscillating traces), `multiple-shooting`
    ([`fitting.MultipleShooting`][]) or `curriculum` ([`fitting.HorizonCurriculum`][]).

    **Example:** `multistart(problem, 16, optimiser=strategy("period-matched"))`
    """
    if name == "single-shooting":
        return LBFGS()
    if name == "period-matched":
        return PeriodMatched()
    if name == "multiple-shooting":
        return MultipleShooting()
    if name == "curriculum":
        return HorizonCurriculum()
    raise ValueError(f"unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}")
