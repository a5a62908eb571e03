"""Fitting strategies, each around an optimiser: single shooting, or a remedy for oscillating traces."""

import equinox as eqx

from cicrjax import InputError

from .._optimisers import AbstractOptimiser
from .base import AbstractStrategy, SingleShooting
from .curriculum import HorizonCurriculum
from .multiple_shooting import MultipleShooting
from .period_matched import PeriodMatched

STRATEGIES = ("single-shooting", "period-matched", "multiple-shooting", "curriculum")
_BY_NAME = {
    "single-shooting": SingleShooting,
    "period-matched": PeriodMatched,
    "multiple-shooting": MultipleShooting,
    "curriculum": HorizonCurriculum,
}


def strategy(name: str, optimiser: AbstractOptimiser | None = None) -> AbstractStrategy:
    """The named strategy with its defaults, around `optimiser` (default: the strategy's own): `single-shooting`
    ([`fitting.SingleShooting`][], L-BFGS), `period-matched` ([`fitting.PeriodMatched`][], best on oscillating
    traces; Levenberg–Marquardt), `multiple-shooting` ([`fitting.MultipleShooting`][]) or `curriculum`
    ([`fitting.HorizonCurriculum`][]).

    **Example:** `multistart(problem, 16, strategy=strategy("period-matched"))`
    """
    if name not in _BY_NAME:
        raise InputError(f"unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}")
    return _BY_NAME[name]() if optimiser is None else _BY_NAME[name](optimiser=optimiser)


def compose(strategy: AbstractStrategy | None, optimiser: AbstractOptimiser | None) -> AbstractStrategy:
    """`strategy` (default single shooting) around `optimiser` (default the strategy's own)."""
    if strategy is None:
        return SingleShooting() if optimiser is None else SingleShooting(optimiser)
    if optimiser is None:
        return strategy
    return eqx.tree_at(lambda s: s.optimiser, strategy, optimiser)
