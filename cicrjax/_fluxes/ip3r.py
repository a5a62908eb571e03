"""IP3 receptor gating: the De Young–Keizer 1992 eight-state subunit and its Li–Rinzel 1994 reduction."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import array_field


class DeYoungKeizerIP3R(eqx.Module):
    """De Young & Keizer 1992 (PNAS 89:9895) subunit kinetics, states x_ijk, open probability x_110³.

    Index i is the IP3 site, j the activating Ca site, k the inactivating Ca site. Off-rates are b_i = a_i d_i,
    and d4 = d1 d2 / d3 keeps the scheme thermodynamically consistent.

    **Arguments:** on-rates `a1`…`a5` (µM⁻¹s⁻¹); dissociation constants `d1`, `d2`, `d3`, `d5` (µM).

    **Example:** `DeYoungKeizerIP3R(400, 0.2, 400, 0.2, 20, 0.13, 1.049, 0.9434, 0.08234).equilibrium(0.1, 0.5)`
    """

    a1: Array = array_field()
    a2: Array = array_field()
    a3: Array = array_field()
    a4: Array = array_field()
    a5: Array = array_field()
    d1: Array = array_field()
    d2: Array = array_field()
    d3: Array = array_field()
    d5: Array = array_field()

    def rates(self, x: Array, c: Array, ip3: Array) -> Array:
        """dx/dt (s⁻¹) of the eight subunit fractions `x` (ordered x000, x001, …, x111) at Ca `c`, IP3 `ip3` (µM)."""
        x = x.reshape(2, 2, 2)
        d4 = self.d1 * self.d2 / self.d3
        # IP3 binding (site i); its rates depend on the inactivating site k.
        on_i = jnp.stack([self.a1, self.a3])[None, :] * ip3
        off_i = jnp.stack([self.a1 * self.d1, self.a3 * self.d3])[None, :]
        j_i = on_i * x[0] - off_i * x[1]  # [j, k]
        # Inactivating Ca binding (site k); its rates depend on the IP3 site i.
        on_k = jnp.stack([self.a4, self.a2])[:, None] * c
        off_k = jnp.stack([self.a4 * d4, self.a2 * self.d2])[:, None]
        j_k = on_k * x[:, :, 0] - off_k * x[:, :, 1]  # [i, j]
        # Activating Ca binding (site j), independent of the other sites.
        j_j = self.a5 * c * x[:, 0, :] - self.a5 * self.d5 * x[:, 1, :]  # [i, k]
        dx = jnp.stack([-j_i, j_i])
        dx = dx + jnp.stack([-j_k, j_k], axis=-1)
        dx = dx + jnp.stack([-j_j, j_j], axis=1)
        return dx.reshape(8)

    def equilibrium(self, c: Array, ip3: Array) -> Array:
        """Stationary subunit fractions x_ijk (dimensionless, summing to 1) at fixed Ca `c` and IP3 `ip3` (µM)."""
        d4 = self.d1 * self.d2 / self.d3
        w_ik = jnp.array([[1.0, c / d4], [ip3 / self.d1, ip3 * c / (self.d1 * self.d2)]])  # [i, k]
        w_j = jnp.stack([1.0, c / self.d5])
        w = w_ik[:, None, :] * w_j[None, :, None]
        return (w / jnp.sum(w)).reshape(8)

    def open_probability(self, x: Array) -> Array:
        """Channel open probability x_110³ (three subunits activated, none inactivated)."""
        return x[6] ** 3


class LiRinzelIP3R(eqx.Module):
    """Li & Rinzel 1994 (J Theor Biol 166:461) reduction: P_open = m∞³ n∞³ h³ with one slow gate h.

    m∞ = I/(I + d1), n∞ = c/(c + d5), and dh/dt = a2 [Q2 (1 − h) − c h] with Q2 = d2 (I + d1)/(I + d3).

    **Arguments:** `a2` inactivation on-rate (µM⁻¹s⁻¹); `d1`, `d2`, `d3`, `d5` dissociation constants (µM).

    **Example:** `LiRinzelIP3R(0.2, 0.13, 1.049, 0.9434, 0.08234).open_probability(0.2, 0.4, 0.7)`
    """

    a2: Array = array_field()
    d1: Array = array_field()
    d2: Array = array_field()
    d3: Array = array_field()
    d5: Array = array_field()

    def q2(self, ip3: Array) -> Array:
        """Effective inactivation dissociation constant Q2 (µM) at IP3 `ip3` (µM)."""
        return self.d2 * (ip3 + self.d1) / (ip3 + self.d3)

    def open_probability(self, c: Array, ip3: Array, h: Array) -> Array:
        """Open probability at Ca `c`, IP3 `ip3` (µM) and gate `h`."""
        m = ip3 / (ip3 + self.d1)
        n = c / (c + self.d5)
        return (m * n * h) ** 3

    def dh(self, c: Array, ip3: Array, h: Array) -> Array:
        """dh/dt (s⁻¹) of the slow inactivation gate."""
        return self.a2 * (self.q2(ip3) * (1.0 - h) - c * h)
