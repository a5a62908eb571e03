"""Fitting strategies, each around an optimiser: single shooting, or a remedy for oscillating traces."""

import equinox as eqx
import numpy as np

from cicrjax import InputError

from .._optimisers import AbstractOptimiser, LevenbergMarquardt
from .._problem import Problem
from .._rhythm import detect_rhythm
from .base import AbstractStrategy, SingleShooting
from .curriculum import HorizonCurriculum
from .multiple_shooting import MultipleShooting
from .period_matched import PeriodMatched

# Levenberg–Marquardt for a paced least-squares fit: `ftol` 1e-5 stops a start crawling along a flat ridge (the
# cardiac K_act–k_rel ridge: 16 starts of a 5-parameter beat took 8–39 steps, all within 0.1 of the best NLL, where
# every start used all 40 steps without it, and the identified estimates moved by ≤ 0.1%; L-BFGS had done 10 of the
# 16 starts in 15 min; benchmarks/README.md, "Fitting a paced cardiac trace").
PACED_LM = LevenbergMarquardt(ftol=1e-5)
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
    return _named(name, optimiser)


def _named(name: str, optimiser: AbstractOptimiser | None) -> AbstractStrategy:
    if name not in _BY_NAME:
        raise InputError(f"unknown strategy {name!r}; use one of auto, {', '.join(STRATEGIES)}")
    return _BY_NAME[name]() if optimiser is None else _BY_NAME[name](optimiser=optimiser)


def choose_strategy(
    problem: Problem, strategy: AbstractStrategy | str | None = "auto", optimiser: AbstractOptimiser | None = None
) -> tuple[AbstractStrategy, str]:
    """The strategy that fits `problem`, around `optimiser` (default the strategy's own), and why it was chosen.

    `strategy` is a strategy, a name of [`fitting.STRATEGIES`][], `None` (single shooting) or `"auto"`: the
    period-matched remedy where the first trace oscillates by itself (a regular rhythm in its autocorrelation,
    [`fitting.detect_rhythm`][], no protocol driving it, not a batch of conditions, and a least-squares
    problem), else single shooting: by Levenberg–Marquardt where a protocol drives a least-squares problem (a paced
    or stimulated trace; a start stops once an accepted step lowers the cost by less than 1e-5 of itself), else by
    L-BFGS.

    **Example:** `remedy, why = choose_strategy(problem)`
    """
    if isinstance(strategy, AbstractStrategy):
        return (strategy if optimiser is None else eqx.tree_at(lambda s: s.optimiser, strategy, optimiser)), "given"
    if strategy is None:
        return _named("single-shooting", optimiser), "default"
    if strategy != "auto":
        return _named(strategy, optimiser), "given"
    single = _named("single-shooting", optimiser)
    if problem.protocol is not None:
        why = "auto: the trace follows a protocol, so its rhythm is not the model's own"
        if optimiser is None:
            try:
                PACED_LM.check(problem)
            except InputError:
                return single, why
            return SingleShooting(PACED_LM), why
        return single, why
    if problem.batched:
        return single, "auto: the conditions (cells) are fitted as one batch"
    rhythmic, period, peak = detect_rhythm(problem.ts, problem.data[0], problem.mask[0])
    if not rhythmic:
        return single, f"auto: no regular rhythm in the trace (autocorrelation peak {peak:.2f} < 0.5)"
    # the blurred signal needs about 80 points per period (4× the 10 Hz sampling of a 2 s GDB period; 1× at 50 Hz)
    per_period = period / float(np.median(np.diff(np.asarray(problem.ts))))
    remedy = PeriodMatched(upsample=int(np.clip(np.ceil(80.0 / per_period), 1, 4)))
    remedy = remedy if optimiser is None else eqx.tree_at(lambda s: s.optimiser, remedy, optimiser)
    try:
        remedy.check(problem)
    except InputError as error:
        return single, f"auto: the trace oscillates, but the period-matched fit does not apply ({error})"
    return remedy, f"auto: the trace oscillates (period about {period:.3g} s, autocorrelation peak {peak:.2f})"
