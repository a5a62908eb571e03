"""Strategies: how a start reaches an optimum (the loss, the stages, the starting point), each around an optimiser."""

import abc

import equinox as eqx
from jaxtyping import Array

from .._optimisers import LBFGS, AbstractOptimiser, RunOutput
from .._problem import Problem


class AbstractStrategy(eqx.Module):
    """A fitting strategy: runs one start of a problem with its `optimiser` (an [`fitting.AbstractOptimiser`][]),
    possibly in stages or on other losses first. [`fitting.multistart`][] vmaps `run` over the starts.

    **Example:** `multistart(problem, 16, strategy=PeriodMatched(optimiser=LBFGS()))`
    """

    name: eqx.AbstractClassVar[str]
    optimiser: eqx.AbstractVar[AbstractOptimiser]

    @abc.abstractmethod
    def check(self, problem: Problem) -> None:
        """Raise `InputError` if this strategy or its optimiser cannot fit `problem` (before anything compiles)."""

    @abc.abstractmethod
    def run(self, problem: Problem, theta0: Array) -> RunOutput:
        """Fit `problem` from the unconstrained start `theta0`."""


class SingleShooting(AbstractStrategy):
    """The optimiser on the problem's own objective, from the start: the default for traces that do not oscillate.

    **Example:** `multistart(problem, 16, strategy=SingleShooting(LevenbergMarquardt()))`
    """

    optimiser: AbstractOptimiser = LBFGS()
    name = "single-shooting"

    def check(self, problem):
        self.optimiser.check(problem)

    def run(self, problem, theta0):
        return self.optimiser.run(problem, theta0)
