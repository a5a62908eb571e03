"""`fit`: multistart optimisation and its summary in one call."""

from ._multistart import multistart
from ._optimisers import AbstractOptimiser
from ._problem import Problem
from ._result import FitResult, summarise
from ._strategies import AbstractStrategy


def fit(
    problem: Problem,
    n_starts: int = 16,
    *,
    strategy: AbstractStrategy | str | None = "auto",
    optimiser: AbstractOptimiser | None = None,
    sampling: str = "lhs",
    seed: int = 0,
    include_initial: bool = False,
    uncertainty: str | None = "laplace",
    derived: bool = True,
) -> FitResult:
    """Fit `problem` from `n_starts` seeded starts (all in one vmapped call) and summarise the best one.

    **Arguments:** as [`fitting.multistart`][] (`strategy` default `"auto"`: the period-matched remedy on a trace
    that oscillates by itself, else single shooting, see [`fitting.choose_strategy`][]; `optimiser` default the
    strategy's own; `sampling` `"lhs"` or `"sobol"`; `seed`, `include_initial`) and [`fitting.summarise`][]
    (`uncertainty` `"laplace"` or `None`, `derived`). The result's `strategy` and `strategy_reason` say what ran.

    **Example:** `result = fit(define_problem(GDB1990(), ts, ca, free=["VM2", "VM3"]), 16, seed=0)`
    """
    ms = multistart(
        problem,
        n_starts,
        strategy=strategy,
        optimiser=optimiser,
        sampling=sampling,
        seed=seed,
        include_initial=include_initial,
    )
    return summarise(problem, ms, uncertainty=uncertainty, derived=derived)
