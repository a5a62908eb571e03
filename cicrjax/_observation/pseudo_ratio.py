"""The pseudo-ratio calibration of single-wavelength F/F0 (Cheng, Lederer & Cannell 1993)."""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike


def pseudo_ratio_calcium(f_f0: ArrayLike, Kd: ArrayLike, ca_rest: ArrayLike) -> Array:
    r"""Free Ca (µM) from R = F/F0 by $[\mathrm{Ca}] = K_d R/(K_d/[\mathrm{Ca}]_{rest} + 1 - R)$.

    Cheng H, Lederer WJ, Cannell MB (1993) Science 262:740; the form is from MODELS.md §9, marked there as
    unverified against the paper. It assumes Fmax ≫ Fmin and 1:1 binding, so it is exact only in that limit.

    **Arguments:** `f_f0` F/F0; `Kd` and `ca_rest` (resting Ca at F0) in µM.

    **Example:** `pseudo_ratio_calcium(2.0, Kd=1.1, ca_rest=0.1)`
    """
    r = jnp.asarray(f_f0)
    return Kd * r / (Kd / ca_rest + 1.0 - r)
