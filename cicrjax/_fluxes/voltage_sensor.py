"""Skeletal-muscle mechanical coupling: the Ríos et al. 1993 allosteric voltage-sensor/RyR scheme."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import array_field


class AllostericVoltageSensor(eqx.Module):
    """Ten-state allosteric RyR1 gated by four DHPR voltage sensors (Ríos, Karhanek, Ma & González 1993).

    States C_j, O_j, j = 0..4 activated sensors. Sensors move at k_C = ½α1 e^{(V−V̄)/(8K)} forward and
    k_C⁻ = ½α1 e^{−(V−V̄)/(8K)} back (C_j → C_{j+1} at (4−j)k_C, back at (j+1)k_C⁻); in open channels at
    (4−j)k_C/f and (j+1)f k_C⁻. The channel opens C_j → O_j at k_L/f^j and closes at k_L⁻ f^j.
    No Ca dependence: release follows V alone.

    **Arguments:** `k_L`, `k_L_minus` (s⁻¹), `f` allosteric factor, `alpha1` (s⁻¹), `K` (mV), `V_bar` (mV).

    **Example:** `AllostericVoltageSensor(2.0, 1e6, 0.2, 200.0, 4.5, -20.0).open_probability_steady(0.0)`
    """

    k_L: Array = array_field()
    k_L_minus: Array = array_field()
    f: Array = array_field()
    alpha1: Array = array_field()
    K: Array = array_field()
    V_bar: Array = array_field()

    def rates(self, x: Array, V: Array) -> Array:
        """dx/dt (s⁻¹) of the ten state fractions `x` = (C0..C4, O0..O4) at voltage `V` (mV)."""
        kc = 0.5 * self.alpha1 * jnp.exp((V - self.V_bar) / (8.0 * self.K))
        kcm = 0.5 * self.alpha1 * jnp.exp(-(V - self.V_bar) / (8.0 * self.K))
        c, o = x[:5], x[5:]
        j = jnp.arange(5.0)
        fj = self.f**j
        opening = self.k_L / fj * c - self.k_L_minus * fj * o
        up, down = (4.0 - j[:4]) * kc, (j[:4] + 1.0) * kcm
        up_c = up * c[:4] - down * c[1:]
        up_o = up / self.f * o[:4] - down * self.f * o[1:]
        zero = jnp.zeros((1,), dtype=x.dtype)
        dc = -opening - jnp.concatenate([up_c, zero]) + jnp.concatenate([zero, up_c])
        do = opening - jnp.concatenate([up_o, zero]) + jnp.concatenate([zero, up_o])
        return jnp.concatenate([dc, do])

    def open_probability_steady(self, V: Array) -> Array:
        """Steady-state open probability ΣO_j at voltage `V` (mV), in closed form from detailed balance."""
        u = jnp.exp((V - self.V_bar) / (4.0 * self.K))  # (k_C/k_C⁻)
        closed = (1.0 + u) ** 4
        opened = self.k_L / self.k_L_minus * (1.0 + u / self.f**2) ** 4
        return opened / (closed + opened)
