"""Na⁺/Ca²⁺ exchangers: the Luo–Rudy form of Hinch et al. 2004 and the allosteric form of Shannon et al. 2004."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._hill import hill
from .._parameters import array_field


class NCX(eqx.Module):
    """Luo–Rudy exchanger, Ca influx (positive when reversed; negative = extrusion), as in Hinch et al. 2004.

    J = g [e^{ηu} Na_i³ Ca_o − e^{(η−1)u} Na_o³ Ca_i] / [(K_mNa³ + Na_o³)(K_mCa + Ca_o)(1 + k_sat e^{(η−1)u})],
    u = FV/RT.

    **Arguments:** `g` maximal rate (µM/s); `K_mNa`, `K_mCa` (µM); `eta` voltage-dependence position; `k_sat`.

    **Example:** `NCX(38500.0, 87500.0, 1380.0, 0.35, 0.1)(-3.0, 0.1, 10000.0, 140000.0, 1000.0)`
    """

    g: Array = array_field()
    K_mNa: Array = array_field()
    K_mCa: Array = array_field()
    eta: Array = array_field()
    k_sat: Array = array_field()

    def __call__(self, u: Array, ca_i: Array, na_i: Array, na_o: Array, ca_o: Array) -> Array:
        """Ca influx (µM/s) at u = FV/RT and concentrations in µM."""
        forward = jnp.exp(self.eta * u) * na_i**3 * ca_o
        backward = jnp.exp((self.eta - 1.0) * u) * na_o**3 * ca_i
        denom = (self.K_mNa**3 + na_o**3) * (self.K_mCa + ca_o) * (1.0 + self.k_sat * jnp.exp((self.eta - 1.0) * u))
        return self.g * (forward - backward) / denom


class AllostericNCX(eqx.Module):
    """Weber/Shannon exchanger with allosteric Ca activation, Ca influx positive (Shannon et al. 2004).

    J = V_max · Ka · (s1 − s2) / [s3 (1 + k_sat e^{(η−1)u})], Ka = 1/(1 + (K_d,act/Ca_i)^{n_act}),
    s1 = e^{ηu} Na_i³ Ca_o, s2 = e^{(η−1)u} Na_o³ Ca_i,
    s3 = K_mCai Na_o³ (1 + (Na_i/K_mNai)³) + K_mNao³ Ca_i (1 + Ca_i/K_mCai) + K_mCao Na_i³ + Na_i³ Ca_o + Na_o³ Ca_i.
    With `soltis=True`, the denominator of the Soltis & Saucerman 2010 code that Morotti et al. 2014 use for mouse:
    K_mNao³ Ca_i + K_mNai³ Ca_o (1 + Ca_i/K_mCai) in place of K_mNao³ Ca_i (1 + Ca_i/K_mCai).

    **Arguments:** `V_max` (µM/s); `K_mCai`, `K_mCao`, `K_mNai`, `K_mNao`, `K_d_act` (µM); `k_sat`; `eta`;
    `n_act` the Hill coefficient of allosteric activation (3 in Shannon 2004, 2 in Grandi et al. 2010); `soltis`
    (static) the denominator's form.

    **Example:** `AllostericNCX(1e3, 3.59, 1300.0, 12290.0, 87500.0, 0.256, 0.27, 0.35)(-3.0, 0.1, 9e3, 14e4, 1800.0)`
    """

    V_max: Array = array_field()
    K_mCai: Array = array_field()
    K_mCao: Array = array_field()
    K_mNai: Array = array_field()
    K_mNao: Array = array_field()
    K_d_act: Array = array_field()
    k_sat: Array = array_field()
    eta: Array = array_field()
    n_act: Array = array_field(default=3.0)
    soltis: bool = eqx.field(default=False, static=True)

    def __call__(self, u: Array, ca_i: Array, na_i: Array, na_o: Array, ca_o: Array) -> Array:
        """Ca influx (µM/s) at u = FV/RT and concentrations in µM."""
        ka = hill(ca_i, self.K_d_act, self.n_act)
        s1 = jnp.exp(self.eta * u) * na_i**3 * ca_o
        s2 = jnp.exp((self.eta - 1.0) * u) * na_o**3 * ca_i
        if self.soltis:
            ca_terms = self.K_mNao**3 * ca_i + self.K_mNai**3 * ca_o * (1.0 + ca_i / self.K_mCai)
        else:
            ca_terms = self.K_mNao**3 * ca_i * (1.0 + ca_i / self.K_mCai)
        s3 = (
            self.K_mCai * na_o**3 * (1.0 + (na_i / self.K_mNai) ** 3)
            + ca_terms
            + self.K_mCao * na_i**3
            + na_i**3 * ca_o
            + na_o**3 * ca_i
        )
        return self.V_max * ka * (s1 - s2) / (s3 * (1.0 + self.k_sat * jnp.exp((self.eta - 1.0) * u)))
