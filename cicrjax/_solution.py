"""The result of a simulation: a trajectory with named states and a success status."""

import diffrax
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from ._custom_types import Times, Trajectory


class Solution(eqx.Module):
    """A simulated trajectory: `ys[..., i, j]` is state `states[j]` at time `ts[..., i]`.

    Batched (vmapped) solutions carry leading batch axes on every array field, and `success` is per element.

    **Example:** `sol = simulate(GDB1990(), jnp.linspace(0, 10, 1001)); sol["Z"]`
    """

    ts: Times
    ys: Trajectory
    result: diffrax.RESULTS
    num_steps: Array
    states: tuple[str, ...] = eqx.field(static=True)

    @property
    def success(self) -> Array:
        """True where the integration reached the last save time without a solver failure."""
        return self.result == diffrax.RESULTS.successful

    def __getitem__(self, state: str) -> Array:
        """Trajectory of one named state (µM for concentrations)."""
        if state not in self.states:
            raise KeyError(f"no state {state!r}; the states are {', '.join(self.states)}")
        return self.ys[..., self.states.index(state)]

    def message(self) -> str:
        """Human-readable status of an unbatched solution (`'success'` or the solver's failure message)."""
        if jnp.ndim(self.result._value) != 0:
            raise ValueError("message() needs an unbatched solution; index the batch first, or use `success`")
        return "success" if bool(self.success) else diffrax.RESULTS[self.result]

    def failure(self) -> str:
        """Why an unbatched solution failed, in one line that names no solver option (`''` on success)."""
        if bool(self.success):
            return ""
        if self.result == diffrax.RESULTS.max_steps_reached:
            return f"the solver used its whole budget of {int(self.num_steps)} steps before the end time"
        return self.message().split("\n")[0].split(". Try")[0].rstrip(".")
