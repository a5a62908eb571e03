"""Step-size control whose proposals carry no gradient, so derivatives through protocol edges are exact."""

import diffrax
import equinox.internal as eqxi
import jax
import jax.numpy as jnp
from jaxtyping import Array


class FixedProposalController(diffrax.AbstractAdaptiveStepSizeController):
    """Wraps an adaptive controller and stops the gradient of each proposed step end; with `jump_ts`, also steps to
    just before and just after each of these times (protocol edges), as `diffrax.ClipStepSizeController` does.

    Differentiating through the controller's accept/reject arithmetic (division by tiny error norms) corrupts
    gradients with respect to jump times: measured on a 4-pulse train, the gradient with respect to the pulse
    width was off by 250%. With this wrapper the step ends proposed by `controller` are treated as constants;
    step starts and the jump-time clipping still carry gradients, so every piece between two edges is integrated
    over exactly the right, differentiable interval. The clipping finds the next jump by one vectorised
    comparison instead of `ClipStepSizeController`'s two searching while loops per step: the same steps and
    bit-identical results, a paced cardiac beat with Ros34PW2 in 43.0 against 46.6 ms CPU (Rodas4: unchanged).

    **Arguments:** `controller` an adaptive controller (e.g. `diffrax.PIDController`); `jump_ts` increasing times
    (s) of discontinuities of the vector field, or `None`.

    **Example:** `FixedProposalController(PIDController(rtol=1e-8, atol=1e-10), jump_ts=jnp.array([0.1, 0.2]))`
    """

    controller: diffrax.AbstractAdaptiveStepSizeController
    jump_ts: Array | None = None

    @property
    def rtol(self):
        return self.controller.rtol

    @property
    def atol(self):
        return self.controller.atol

    @property
    def norm(self):
        return self.controller.norm

    def wrap(self, direction):
        # diffrax integrates backwards in time as forwards in −t
        jump_ts = None if self.jump_ts is None else self.jump_ts * direction
        return FixedProposalController(self.controller.wrap(direction), jump_ts)

    def _clip(self, t0, t1):
        """`t1` clipped to just before the first jump time after `t0`."""
        if self.jump_ts is None:
            return t1
        ahead = self.jump_ts > t0
        next_jump = jnp.min(jnp.where(ahead, self.jump_ts, jnp.inf))
        return jnp.where(jnp.any(ahead), jnp.minimum(t1, eqxi.prevbefore(next_jump)), t1)

    def init(self, terms, t0, t1, y0, dt0, args, func, error_order):
        first_t1, state = self.controller.init(terms, t0, t1, y0, dt0, args, func, error_order)
        return self._clip(t0, jax.lax.stop_gradient(first_t1)), state

    def adapt_step_size(self, t0, t1, y0, y1_candidate, args, y_error, error_order, controller_state):
        keep, next_t0, next_t1, made_jump, state, result = self.controller.adapt_step_size(
            t0, t1, y0, y1_candidate, args, y_error, error_order, controller_state
        )
        next_t1 = jax.lax.stop_gradient(next_t1)
        if self.jump_ts is not None:
            # as diffrax's ClipStepSizeController: a step that ended just before a jump (or on it) is followed by
            # one that starts just after it, whichever side of the jump the vector field takes the jump time to
            after = eqxi.nextafter(next_t0)
            before_jump, on_jump = jnp.any(after == self.jump_ts), jnp.any(next_t0 == self.jump_ts)
            next_t0 = jnp.where(on_jump, after, jnp.where(before_jump, eqxi.nextafter(after), next_t0))
            made_jump = made_jump | before_jump | on_jump
            next_t1 = self._clip(next_t0, jnp.maximum(eqxi.nextafter(next_t0), next_t1))
        return keep, next_t0, next_t1, made_jump, state, result
