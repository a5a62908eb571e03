"""Markov RyR gating: the four-state Stern/Shannon scheme with luminal (SR-Ca) regulation."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import array_field


class FourStateRyR(eqx.Module):
    """RyR states R (rest), O (open), I (inactivated), RI = 1 − R − O − I (Stern et al. 1999; Shannon et al. 2004).

    Opening R→O and RI→I at k_o = k_om (c/K_act)^n_act / κ(s); closing k_om; inactivation R→RI and O→I at
    k_i = k_iCa κ(s) c; recovery k_im. Luminal regulation κ(s) = κ_max − (κ_max − 1)/(1 + (EC50/s)^n_lum),
    which is 1 at a full SR and κ_max at an empty one, so `K_act` is the dyadic Ca for half-maximal opening
    rate at a full SR. Release J = k_rel (O + caffeine (1 − O)) (s − c).

    **Arguments:** `K_act` (µM), `n_act`, `k_om` (s⁻¹), `k_iCa` (µM⁻¹s⁻¹), `k_im` (s⁻¹), `EC50_SR` (µM), `n_lum`,
    `kappa_max` (dimensionless), `k_rel` (s⁻¹).

    **Example:** `FourStateRyR(77.46, 2.0, 60.0, 0.5, 5.0, 450.0, 2.5, 15.0, 25000.0).flux(1e-6, 0.2, 550.0, 0.0)`
    """

    K_act: Array = array_field()
    n_act: Array = array_field()
    k_om: Array = array_field()
    k_iCa: Array = array_field()
    k_im: Array = array_field()
    EC50_SR: Array = array_field()
    n_lum: Array = array_field()
    kappa_max: Array = array_field()
    k_rel: Array = array_field()

    def luminal_scale(self, s: Array) -> Array:
        """κ(s): 1 at a full SR, `kappa_max` at an empty one (dimensionless)."""
        s = jnp.maximum(s, 1e-9)
        return self.kappa_max - (self.kappa_max - 1.0) / (1.0 + (self.EC50_SR / s) ** self.n_lum)

    def rates(self, x: Array, c: Array, s: Array) -> Array:
        """d(R, O, I)/dt (s⁻¹) at dyadic Ca `c` and SR Ca `s` (µM); `x` holds the fractions R, O, I."""
        r, o, i = x[0], x[1], x[2]
        ri = 1.0 - r - o - i
        kappa = self.luminal_scale(s)
        k_o = self.k_om * (jnp.maximum(c, 0.0) / self.K_act) ** self.n_act / kappa
        k_i = self.k_iCa * kappa * jnp.maximum(c, 0.0)
        dr = (self.k_im * ri - k_i * r) - (k_o * r - self.k_om * o)
        do = (k_o * r - self.k_om * o) - (k_i * o - self.k_im * i)
        di = (k_i * o - self.k_im * i) - (self.k_om * i - k_o * ri)
        return jnp.stack([dr, do, di])

    def flux(self, o: Array, c: Array, s: Array, caffeine: Array) -> Array:
        """Release rate (µM/s per SR volume) with open fraction `o`; `caffeine` (0–1) forces RyRs open."""
        return self.k_rel * (o + caffeine * (1.0 - o)) * (s - c)
