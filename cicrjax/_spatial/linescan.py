"""A simulated confocal line scan (and 2-D frames) of a spatial simulation: indicator fluorescence blurred by a
Gaussian point-spread function, lateral and axial, sampled at pixels and lines, with optional measurement noise."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
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

    Each cell fluoresces F/F_min = 1 + (F_max/F_min − 1)·bound/total (the indicator's `relative_fluorescence`),
    blurred by a Gaussian point-spread function of full widths `psf_fwhm` (lateral) and `psf_axial_fwhm` µm.
    On a line grid the model is uniform across the line, so only the lateral PSF acts. On a spherical grid (a site
    seen in 3-D) the scan line runs through the site, `line_offset` µm beside it and `focus_offset` µm above it,
    from −R to R (R the grid's radius), and the full 3-D PSF acts (Gauss–Hermite quadrature). Lines are interpolated
    linearly between saved times. The image is divided by the first line before noise, so the rest is 1, then
    `noise` (an [`cicrjax.AbstractNoise`][] in units of F_rest, e.g. [`cicrjax.GaussianNoise`][](0.1) for a
    baseline signal-to-noise ratio of 10) is drawn with `key`. The scan reads the solution's save times to size its
    image, so call it outside `jit`; it is differentiable in the solution (forward and reverse mode).

    **Example:** `t, x, f = LineScan()(simulate_spatial(cardiac_spark(), 0.06, dt=2e-5, save_dt=1e-3))`
    """

    indicator: AbstractIndicator = eqx.field(default_factory=Fluo4)
    field: str = eqx.field(static=True, default="bound0")
    pixel: float = eqx.field(static=True, default=0.2)
    line_time: float = eqx.field(static=True, default=0.002)
    psf_fwhm: Array = param(0.4, "µm", "full width at half maximum of the lateral PSF", "positive")
    psf_axial_fwhm: Array = param(1.4, "µm", "full width at half maximum of the axial PSF", "positive")
    line_offset: Array = param(0.0, "µm", "lateral distance of the scan line from the site (spherical grids)")
    focus_offset: Array = param(0.0, "µm", "axial distance of the focal plane from the site (spherical grids)")
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
        x_pix = self.pixels(sol)
        t_lines = float(sol.ts[0]) + jnp.arange(int(span / self.line_time + 1e-9) + 1, dtype=float) * self.line_time
        image = self.observe(sol, t_lines, x_pix)
        if self.noise is not None:
            image = self.noise.sample(image, key=key)
        return t_lines, x_pix, image

    def pixels(self, sol: SpatialSolution) -> Array:
        """Pixel centres (µm) along the scan line: over the grid on a line, from −R to R through the site on a
        spherical grid; raises `InputError` when fewer than 3 fit."""
        dx = float(sol.x[1] - sol.x[0])
        length = float(sol.x[-1] - sol.x[0]) + dx
        first = float(sol.x[0]) - 0.5 * dx
        if sol.geometry == "spherical":
            length, first = 2.0 * length, -length
        n_pixels = int(length / self.pixel + 1e-9)
        if n_pixels < 3:
            raise InputError(
                f"pixel ({self.pixel:g} µm) leaves fewer than 3 pixels on {length:g} µm; use a smaller one"
            )
        return first + (jnp.arange(n_pixels, dtype=float) + 0.5) * self.pixel

    def observe(self, sol: SpatialSolution, t_lines: Array, x_pix: Array) -> Array:
        """The noiseless image F/F(first line) (lines × pixels) at line times `t_lines` (s) and pixel centres
        `x_pix` (µm) chosen by the caller: no checks and no host reads, so it works under `jit` (fitting)."""
        if sol.geometry == "spherical":
            rho = jnp.sqrt(x_pix**2 + self.line_offset**2)
            weights = _radial_weights(sol.x, rho, self.focus_offset, self.psf_fwhm, self.psf_axial_fwhm)
        else:
            weights = _line_weights(sol.x, x_pix, self.psf_fwhm)
        return _image(self.indicator, weights, sol.ts, sol[self.field], t_lines)

    def frames(self, sol: SpatialSolution, t_frames) -> tuple[Array, Array]:
        """Confocal 2-D frames of a spherical-grid solution: pixel centres (µm, the same along x and y) and the
        images F/F(first frame) (frames × y × x) at times `t_frames` (s), in the focal plane `focus_offset` µm
        above the site; noise as in a line scan is the caller's (frames carry no key).

        **Example:** `x, f = LineScan().frames(simulate_spatial(cardiac_spark(spherical=True), 0.05, dt=2e-5,
        save_dt=1e-3), jnp.array([0.0, 0.01, 0.02]))`
        """
        if sol.geometry != "spherical":
            raise InputError("2-D frames need a spherical-grid solution (a line model is uniform across the line)")
        x_pix = self.pixels(sol)
        x = np.asarray(x_pix)
        rho, where = np.unique(np.round(np.hypot(x[:, None], x[None, :]), 12), return_inverse=True)
        weights = _radial_weights(sol.x, jnp.asarray(rho), self.focus_offset, self.psf_fwhm, self.psf_axial_fwhm)
        image = _image(self.indicator, weights, sol.ts, sol[self.field], jnp.asarray(t_frames, dtype=float))
        return x_pix, image[:, where.reshape(x.size, x.size)]


GAUSS_HERMITE = 12  # quadrature nodes per axis of the 3-D PSF


def _line_weights(x, x_pix, psf_fwhm):
    """(pixels × cells) weights of the lateral Gaussian PSF on a line grid, each row summing to 1."""
    sd = psf_fwhm / FWHM_PER_SD
    return jax.nn.softmax(-0.5 * ((x_pix[:, None] - x[None, :]) / sd) ** 2, axis=-1)


@jax.jit
def _radial_weights(r, rho, z0, psf_fwhm, psf_axial_fwhm):
    """(pixels × shells) weights of the 3-D Gaussian PSF centred at lateral distance `rho` (µm) and height `z0` (µm)
    from the centre of a spherical grid with shell centres `r`: E f(|p + s|), s ~ N(0, diag(σ², σ², σ_z²)), by
    tensor Gauss–Hermite quadrature with f interpolated linearly between shell centres (each row sums to 1)."""
    nodes, w = np.polynomial.hermite_e.hermegauss(GAUSS_HERMITE)
    nodes, w = jnp.asarray(nodes), jnp.asarray(w / w.sum())
    sd, sd_z = psf_fwhm / FWHM_PER_SD, psf_axial_fwhm / FWHM_PER_SD
    px = rho[:, None, None, None] + sd * nodes[None, :, None, None]
    py = sd * nodes[None, None, :, None]
    pz = z0 + sd_z * nodes[None, None, None, :]
    dist = jnp.sqrt(px**2 + py**2 + pz**2)
    weight = jnp.broadcast_to(w[:, None, None] * w[None, :, None] * w[None, None, :], dist.shape[1:])
    dr = r[1] - r[0]
    pos = jnp.clip((dist - r[0]) / dr, 0.0, r.size - 1.0)
    low = jnp.minimum(jnp.floor(pos), r.size - 2.0)
    frac = pos - low
    low = jax.lax.stop_gradient(low).astype(jnp.int32).reshape(rho.size, -1)
    frac, weight = frac.reshape(rho.size, -1), jnp.broadcast_to(weight, dist.shape).reshape(rho.size, -1)
    rows = jnp.broadcast_to(jnp.arange(rho.size)[:, None], low.shape)
    out = jnp.zeros((rho.size, r.size), dtype=dist.dtype)
    return out.at[rows, low].add(weight * (1.0 - frac)).at[rows, low + 1].add(weight * frac)


@eqx.filter_jit
def _image(indicator, weights, ts, bound, t_lines):
    """F/F of the first line (lines × pixels): fluorescence per cell, blurred onto pixels by `weights` (pixels ×
    cells), interpolated to lines."""
    f_cells = indicator.relative_fluorescence(bound / indicator.total)
    f_pix = f_cells @ weights.T
    image = jax.vmap(lambda col: jnp.interp(t_lines, ts, col), in_axes=1, out_axes=1)(f_pix)
    return image / image[:1]
