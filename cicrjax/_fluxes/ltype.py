"""L-type Ca channel: GHK Ca flux and Hodgkin–Huxley gates of Shannon et al. 2004."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import array_field
from .electro import ghk_factor


class GHKCalciumFlux(eqx.Module):
    """Goldman–Hodgkin–Katz Ca influx J = P · φ/(1 − e^{−φ}) · (c_o e^{−φ} − c_i), φ = 2FV/RT; inward positive.

    **Arguments:** `P` permeability as a rate (s⁻¹ per µM of driving concentration, already divided by the
    receiving volume).

    **Example:** `GHKCalciumFlux(0.5)(phi=0.0, c_in=0.1, c_out=1800.0)` is 899.95 µM/s.
    """

    P: Array = array_field()

    def __call__(self, phi: Array, c_in: Array, c_out: Array) -> Array:
        """Ca influx (µM/s) at reduced potential `phi`, inner Ca `c_in` and outer Ca `c_out` (µM)."""
        return self.P * ghk_factor(phi) * (c_out * jnp.exp(-phi) - c_in)


class ShannonLTypeGates(eqx.Module):
    """Voltage gates d, f and the Ca-bound inactivation gate fCaB of the Shannon et al. 2004 L-type channel.

    d∞ = 1/(1 + e^{−(V−V_d)/6}), τ_d = d∞ (1 − e^{−(V−V_d)/6})/(0.035 (V−V_d)) ms,
    f∞ = 1/(1 + e^{(V−V_f)/k_f}) + 0.6/(1 + e^{(50−V)/20}), τ_f = 1/(0.0197 e^{−(0.0337 (V+14.5))²} + 0.02) ms,
    dfCaB/dt = k_on c (1 − fCaB) − k_off fCaB. Open fraction d · f · (1 − fCaB). Shannon 2004 has V_d = −14.5 mV,
    V_f = −35.06 mV, k_f = 3.6 mV; Grandi et al. 2010 (human) V_d = −5 mV, V_f = −35 mV, k_f = 9 mV.

    **Arguments:** `k_on` Ca binding to the inactivation site (µM⁻¹s⁻¹), `k_off` unbinding (s⁻¹); `V_d`, `V_f`
    half-activation and half-inactivation voltages and `k_f` the inactivation slope (mV).

    **Example:** `ShannonLTypeGates(1.7, 11.9).rates(0.0, 0.0, 1.0, 0.0, 0.1)`
    """

    k_on: Array = array_field()
    k_off: Array = array_field()
    V_d: Array = array_field(default=-14.5)
    V_f: Array = array_field(default=-35.06)
    k_f: Array = array_field(default=3.6)

    def steady_state(self, V: Array) -> tuple[Array, Array]:
        """(d∞, f∞) at membrane potential `V` (mV)."""
        d_inf = 1.0 / (1.0 + jnp.exp(-(V - self.V_d) / 6.0))
        f_inf = 1.0 / (1.0 + jnp.exp((V - self.V_f) / self.k_f)) + 0.6 / (1.0 + jnp.exp((50.0 - V) / 20.0))
        return d_inf, f_inf

    def rates(self, V: Array, d: Array, f: Array, fcab: Array, c: Array) -> tuple[Array, Array, Array]:
        """(dd/dt, df/dt, dfCaB/dt) in s⁻¹ at `V` (mV) and local Ca `c` (µM) at the channel mouth."""
        d_inf, f_inf = self.steady_state(V)
        x = V - self.V_d
        small = jnp.abs(x) < 1e-6
        xs = jnp.where(small, 1.0, x)
        # τ_d in ms; its limit at V = V_d is d∞/(0.035·6) with d∞ = 1/2.
        tau_d = jnp.where(small, 0.5 / (0.035 * 6.0), d_inf * (-jnp.expm1(-xs / 6.0)) / (0.035 * xs))
        tau_f = 1.0 / (0.0197 * jnp.exp(-((0.0337 * (V + 14.5)) ** 2)) + 0.02)
        dd = (d_inf - d) / (tau_d * 1e-3)
        df = (f_inf - f) / (tau_f * 1e-3)
        dfcab = self.k_on * c * (1.0 - fcab) - self.k_off * fcab
        return dd, df, dfcab
