"""Finite exposure: a camera frame reports the signal averaged over its exposure window, not a point sample."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._errors import InputError
from .._parameters import param


class FrameExposure(eqx.Module):
    r"""Frame integration: frame k reports $\frac{1}{T_e}\int_{t_k}^{t_k+T_e} s(t)\,dt$, by the midpoint rule.

    Simulate at `sample_times(frame_times)` (shape frames × substeps), then `integrate` the signal back to frames.

    **Arguments:** `exposure` T_e (s); `substeps` midpoints per frame (static, default 8).

    **Example:** `exp = FrameExposure(0.01); exp.integrate(signal(exp.sample_times(ts)))`
    """

    exposure: Array = param(0.001, "s", "exposure time of one frame")
    substeps: int = eqx.field(default=8, static=True)

    def __check_init__(self):
        if self.substeps < 1:
            raise InputError(f"FrameExposure substeps must be >= 1, got {self.substeps}")

    def sample_times(self, frame_times: ArrayLike) -> Array:
        """Midpoint times (s) inside each frame's exposure window, shape (frames, substeps)."""
        offsets = self.exposure * (jnp.arange(self.substeps, dtype=self.exposure.dtype) + 0.5) / self.substeps
        return jnp.asarray(frame_times)[:, None] + offsets[None, :]

    def integrate(self, values: ArrayLike) -> Array:
        """Frame values: the mean of `values` (…, frames, substeps) over the substeps."""
        return jnp.mean(jnp.asarray(values), axis=-1)
