"""The Markov L-type Ca channel of Mahajan et al. 2008 as modified by Morotti et al. 2012, used for mouse in 2014."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import array_field


class MahajanLType(eqx.Module):
    r"""Mode-1 L-type Ca channel: a 7-state Markov chain with voltage- and Ca-dependent inactivation.

    Mahajan A et al. (2008) Biophys J 94:392–410, with the inactivation of Morotti S, Grandi E, Summa A, Ginsburg KS,
    Bers DM (2012) J Physiol 590:4465–4481, as coded for mouse by Morotti et al. (2014) J Physiol 592:1181
    (morotti_et_al_mouse_eccODEfile.m, "mode 1" channels; ms and mM there, s and µM here). States x = (C2, C1,
    I1Ca, I2Ca, I1Ba, I2Ba), open O = 1 − Σx. With p∞ = σ(V/8), α = p∞/τ_po, β = (1 − p∞)/τ_po, local Ca c at the
    channel mouth, f_c = c³/(c³ + K_op³), P_s = σ((V + 40)/11.32), P_r = σ(−(V + 40)/4),
    R_v = 10 + 4954 e^{V/15.6} ms, T_Ca = (t_Ca + 0.1 ms (1 + (c/c_p)²))/(1 + (c/c_p)²), τ_Ca = (R_v − T_Ca) P_r + T_Ca,
    τ_Ba = (R_v − T_Ba) P_r + T_Ba:

    - C2 ⇄ C1 (α, β), C1 ⇄ O (r1, r2);
    - Ca inactivation C1 ⇄ I1Ca (k1 = k1o f_c, k2), O ⇄ I1Ca (s1 = s1o f_c, s2 = s1o (k2/k1o)(r1/r2)),
      I1Ca ⇄ I2Ca (k3 = σ(−(V + 40)/3)/(3 ms), k4), C2 ⇄ I2Ca (k6 = f_c P_s/τ_Ca, k5 = (1 − P_s)/(3 τ_Ca));
    - voltage inactivation likewise through I1Ba, I2Ba with k1', k2', s1', s2', k3' = k3, k6' = P_s/τ_Ba,
      k5' = (1 − P_s)/(3 τ_Ba); k4 and k4' from microscopic reversibility, k4 = k3 (α/β)(k1/k2)(k5/k6).

    The division of k5, k5' by 3 is Morotti's slowed recovery. Rates are in s⁻¹, `K_op` and `c_p` in µM, times in s.
    (Morotti's subsarcolemmal channels write 0.1 ms (1 + c/c_p)² in T_Ca's numerator; the junctional form is used for
    both here, which differs by under 0.03 ms of T_Ca's 78 ms at SL Ca up to 1 µM.)

    **Example:** `MahajanLType().rates(0.0, jnp.array([1.0, 0, 0, 0, 0, 0]), 0.1)` starts activation at 0 mV.
    """

    tau_po: Array = array_field(default=1e-3)
    r1: Array = array_field(default=300.0)
    r2: Array = array_field(default=3000.0)
    s1o: Array = array_field(default=22.1)
    k1o: Array = array_field(default=30.0)
    k2: Array = array_field(default=0.1)
    s1p: Array = array_field(default=1.95)
    k1p: Array = array_field(default=4.13)
    k2p: Array = array_field(default=2.24)
    K_op: Array = array_field(default=2.5)
    c_p: Array = array_field(default=8.0)
    t_Ca: Array = array_field(default=78.0312e-3)
    T_Ba: Array = array_field(default=0.45)
    recovery: Array = array_field(default=3.0)

    def open_fraction(self, x: Array) -> Array:
        """Open probability O = 1 − Σx of states `x` (C2, C1, I1Ca, I2Ca, I1Ba, I2Ba)."""
        return 1.0 - jnp.sum(x, axis=0)

    def rates(self, V: Array, x: Array, c: Array) -> Array:
        """dx/dt (s⁻¹) of states `x` at membrane potential `V` (mV) and local Ca `c` (µM)."""
        c2, c1, i1ca, i2ca, i1ba, i2ba = x
        o = self.open_fraction(x)
        sig = jax.nn.sigmoid
        alpha, beta = sig(V / 8.0) / self.tau_po, sig(-V / 8.0) / self.tau_po
        c = jnp.maximum(c, 0.0)
        f_c = c**3 / (c**3 + self.K_op**3)
        p_s, not_s, p_r = sig((V + 40.0) / 11.32), sig(-(V + 40.0) / 11.32), sig(-(V + 40.0) / 4.0)
        r_v = (10.0 + 4954.0 * jnp.exp(V / 15.6)) * 1e-3
        u = (c / self.c_p) ** 2
        t_ca = (self.t_Ca + 1e-4 * (1.0 + u)) / (1.0 + u)
        tau_ca = (r_v - t_ca) * p_r + t_ca
        tau_ba = (r_v - self.T_Ba) * p_r + self.T_Ba
        s1, k1 = self.s1o * f_c, self.k1o * f_c
        s2 = self.s1o * (self.k2 / self.k1o) * (self.r1 / self.r2)
        s2p = self.s1p * (self.k2p / self.k1p) * (self.r1 / self.r2)
        k3 = sig(-(V + 40.0) / 3.0) / 3e-3
        k5, k6 = not_s / (self.recovery * tau_ca), f_c * p_s / tau_ca
        k5p, k6p = not_s / (self.recovery * tau_ba), p_s / tau_ba
        # k4 = k3 (α/β)(k1/k2)(k5/k6) with f_c and τ cancelled, finite at c = 0: α/β = e^{V/8}, (1 − P_s)/P_s below
        ratio = jnp.exp(V / 8.0 - (V + 40.0) / 11.32) / self.recovery
        k4 = k3 * ratio * self.k1o / self.k2
        k4p = k3 * ratio * self.k1p / self.k2p
        return jnp.stack(
            [
                beta * c1 + k5 * i2ca + k5p * i2ba - (k6 + k6p + alpha) * c2,
                alpha * c2 + self.k2 * i1ca + self.k2p * i1ba + self.r2 * o - (self.r1 + beta + k1 + self.k1p) * c1,
                k1 * c1 + k4 * i2ca + s1 * o - (self.k2 + k3 + s2) * i1ca,
                k3 * i1ca + k6 * c2 - (k4 + k5) * i2ca,
                self.k1p * c1 + k4p * i2ba + self.s1p * o - (self.k2p + k3 + s2p) * i1ba,
                k3 * i1ba + k6p * c2 - (k5p + k4p) * i2ba,
            ]
        )
