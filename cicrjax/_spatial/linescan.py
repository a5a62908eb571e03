"""A simulated confocal line scan of a spatial simulation: indicator fluorescence blurred by a Gaussian point-spread
function, sampled at pixels and lines, with optional measurement noise."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import InputError
from .._observation.dyes import Fluo4
from .._observation.indicator import AbstractIndicator
from .._observation.noise import AbstractNoise
from .._parameters import param
from .solution import SpatialSolution

FWHM_PER_SD = 2.0 * math.sqrt(2.0 * math.log(2.0))


class LineScan(eqx.Module):
    """A confocal line scan along the grid: F/F_rest of the indicator's bound field at `pixel` µm and `line_time` s.

    Each cell fluoresces F/F_min = 1 + (F_max/F_min − 1)·bound/total (the indicator's `relative_fluorescence`); the
    lateral point-spread function is a Gaussian of full width `psf_fwhm` µm (the 1-D model is uniform across the
    line, so the axial PSF changes nothing here); lines are interpolated linearly between saved times. The image is
    divided by the first line before noise, so the rest is 1, then `noise` (an [`cicrjax.AbstractNoise`][] in units
    of F_rest, e.g. [`cicrjax.GaussianNoise`][](0.1) for a baseline signal-to-noise ratio of 10) is drawn with `key`.
    The scan reads the solution's save times to size its image, so call it outside `jit`; it is differentiable
    in the solution (forward and reverse mode).

    **Example:** `t, x, f = LineScan()(simulate_spatial(cardiac_spark(), 0.06, dt=2e-5, save_dt=1e-3))`
    """

    indicator: AbstractIndicator = eqx.field(default_factory=Fluo4)
    field: str = eqx.field(static=True, default="bound0")
    pixel: float = eqx.field(static=True, default=0.2)
    line_time: float = eqx.field(static=True, default=0.002)
    psf_fwhm: Array = param(0.4, "µm", "full width at half maximum of the lateral PSF", "positive")
    noise: AbstractNoise | None = None

    def __check_init__(self):
        for name in ("pixel", "line_time"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(
                    f"{name} must be a finite number > 0 ({'µm' if name == 'pixel' else 's'}), got {value!r}"
                )

    def __call__(self, sol: SpatialSolution, *, key: PRNGKeyArray | None = None) -> tuple[Array, Array, Array]:
        """Line times (s), pixel centres (µm) and the image F/F_rest (lines × pixels) of a spatial solution."""
        if self.field not in sol.fields:
            raise InputError(f"the solution has no field {self.field!r}; its fields are {', '.join(sol.fields)}")
        if self.noise is not None and key is None:
            raise InputError("a line scan with noise needs a PRNG key: pass key=jax.random.key(seed)")
        span = float(sol.ts[-1] - sol.ts[0])
        if self.line_time > span / 2:
            raise InputError(
                f"line_time ({self.line_time:g} s) is longer than half the simulated {span:g} s; "
                "use a shorter line time or a longer simulation"
            )
        dx = float(sol.x[1] - sol.x[0])
        length = float(sol.x[-1] - sol.x[0]) + dx
        n_pixels = int(length / self.pixel + 1e-9)
        if n_pixels < 3:
            raise InputError(
                f"pixel ({self.pixel:g} µm) leaves fewer than 3 pixels on {length:g} µm; use a smaller one"
            )
        x_pix = float(sol.x[0]) - 0.5 * dx + (jnp.arange(n_pixels, dtype=float) + 0.5) * self.pixel
        t_lines = float(sol.ts[0]) + jnp.arange(int(span / self.line_time + 1e-9) + 1, dtype=float) * self.line_time
        image = self.observe(sol, t_lines, x_pix)
        if self.noise is not None:
            image = self.noise.sample(image, key=key)
        return t_lines, x_pix, image

    def observe(self, sol: SpatialSolution, t_lines: Array, x_pix: Array) -> Array:
        """The noiseless image F/F(first line) (lines × pixels) at line times `t_lines` (s) and pixel centres
        `x_pix` (µm) chosen by the caller: no checks and no host reads, so it works under `jit` (fitting)."""
        return _image(self.indicator, self.psf_fwhm, sol.ts, sol.x, sol[self.field], t_lines, x_pix)


@eqx.filter_jit
def _image(indicator, psf_fwhm, ts, x, bound, t_lines, x_pix):
    """F/F of the first line (lines × pixels): fluorescence per cell, blurred onto pixels, interpolated to lines."""
    f_cells = indicator.relative_fluorescence(bound / indicator.total)
    sd = psf_fwhm / FWHM_PER_SD
    weights = jax.nn.softmax(-0.5 * ((x_pix[:, None] - x[None, :]) / sd) ** 2, axis=-1)
    f_pix = f_cells @ weights.T
    image = jax.vmap(lambda col: jnp.interp(t_lines, ts, col), in_axes=1, out_axes=1)(f_pix)
    return image / image[:1]
