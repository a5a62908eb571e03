"""Sneyd & Dufour 2002: the IP3 receptor gating model, with Ca and IP3 clamped as inputs."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._model import AbstractModel
from .._parameters import param
from .._solvers import stiff_solver


class Sneyd2002(AbstractModel):
    r"""Sneyd–Dufour type-2 IP3 receptor model: six receptor states, open probability (0.9 A + 0.1 O)⁴.

    Sneyd J, Dufour JF (2002) PNAS 99:2398–2403, doi:10.1073/pnas.032281999. Equations and the default rate
    constants (the fitted values) are those of the PEtab benchmark `Sneyd_PNAS2002` (SBML
    model_Sneyd_PNAS2002.xml); units µM and s. Ca and IP3 are clamped inputs (parameters), so the model has no
    Ca state; drive them with a [`cicrjax.Protocol`][] for steps. With L1 = (k₋₁/k₁)/(l₋₂/l₂),
    L3 = (k₋₂/k₂)/(l₋₄/l₄), L5 = (k₋₄/k₄)/(l₋₆/l₆), the transitions are

    - O→R: (k₋₂ + l₋₄ Ca)/(1 + Ca/L5); R→O: IP3 (k₂ L3 + l₄ Ca)/(L3 + Ca (1 + L3/L1));
    - R→I1: Ca (k₁ L1 + l₂)/(L1 + Ca (1 + L1/L3)); I1→R: k₋₁ + l₋₂;
    - O→A: Ca (k₄ L5 + l₆)/(L5 + Ca); A→O: L1 (k₋₄ + l₋₆)/(L1 + Ca);
    - A→I2: Ca (k₁ L1 + l₂)/(L1 + Ca); I2→A: k₋₁ + l₋₂;
    - O→S: k₃ L5/(L5 + Ca); S→O: k₋₃.

    The receptor starts in R. Defaults Ca = 0.4 µM, IP3 = 10 µM are one of the benchmark's conditions.

    **Example:** `Sneyd2002(Ca=1.0, IP3=10.0).open_probability(simulate(Sneyd2002(), ts).ys)`
    """

    name: ClassVar[str] = "sneyd2002"
    states: ClassVar[tuple[str, ...]] = ("R", "O", "A", "S", "I1", "I2")
    citation: ClassVar[str] = "Sneyd J, Dufour JF (2002) PNAS 99:2398-2403"
    # Freed by a fit without --free: the forward rates of the receptor scheme (k1 to k4).
    default_free: ClassVar[tuple[str, ...]] = ("k1", "k2", "k3", "k4")

    k1: Array = param(3.72721095730996, "1/(µM·s)", "Ca inactivation rate k1")
    k2: Array = param(99999.9999999914, "1/(µM·s)", "IP3 binding rate k2")
    k3: Array = param(15.7453406923705, "1/s", "shut-state entry rate k3")
    k4: Array = param(99938.2576283137, "1/(µM·s)", "Ca activation rate k4")
    k_1: Array = param(0.923924728172175, "1/s", "Ca inactivation reverse rate k-1")
    k_2: Array = param(0.00100249472532433, "1/s", "IP3 unbinding rate k-2")
    k_3: Array = param(1.91463005974811, "1/s", "shut-state exit rate k-3")
    k_4: Array = param(3079.207324879, "1/s", "Ca activation reverse rate k-4")
    l2: Array = param(0.940077018858088, "1/(µM·s)", "rate l2")
    l4: Array = param(2.85837713545253, "1/(µM·s)", "rate l4")
    l6: Array = param(99999.9999999914, "1/(µM·s)", "rate l6")
    l_2: Array = param(0.347664459128102, "1/s", "rate l-2")
    l_4: Array = param(0.0138802036171304, "1/(µM·s)", "rate l-4")
    l_6: Array = param(0.00100000000000008, "1/s", "rate l-6")
    Ca: Array = param(0.4, "µM", "clamped cytosolic Ca (input)", "nonnegative")
    IP3: Array = param(10.0, "µM", "clamped IP3 (input)", "nonnegative")

    def derivative(self, t, y):
        R, O, A, S, I1, I2 = y
        ca = self.Ca
        L1 = (self.k_1 / self.k1) / (self.l_2 / self.l2)
        L3 = (self.k_2 / self.k2) / (self.l_4 / self.l4)
        L5 = (self.k_4 / self.k4) / (self.l_6 / self.l6)
        o_r = (self.k_2 + self.l_4 * ca) / (1.0 + ca / L5) * O
        r_o = (self.k2 * L3 + self.l4 * ca) / (L3 + ca * (1.0 + L3 / L1)) * self.IP3 * R
        r_i1 = ca * (self.k1 * L1 + self.l2) / (L1 + ca * (1.0 + L1 / L3)) * R
        i1_r = (self.k_1 + self.l_2) * I1
        o_a = ca * (self.k4 * L5 + self.l6) / (L5 + ca) * O
        a_o = L1 * (self.k_4 + self.l_6) / (L1 + ca) * A
        a_i2 = ca * (self.k1 * L1 + self.l2) / (L1 + ca) * A
        i2_a = (self.k_1 + self.l_2) * I2
        o_s = self.k3 * L5 / (L5 + ca) * O
        s_o = self.k_3 * S
        return jnp.stack(
            [
                o_r - r_o - r_i1 + i1_r,
                r_o - o_r - o_a + a_o - o_s + s_o,
                o_a - a_o - a_i2 + i2_a,
                o_s - s_o,
                r_i1 - i1_r,
                a_i2 - i2_a,
            ]
        )

    def initial_state(self):
        return jnp.zeros(6).at[0].set(1.0).astype(self.Ca.dtype)

    def open_probability(self, y: Array) -> Array:
        """Open probability (0.9 A + 0.1 O)⁴ of state(s) `y` (states on the last axis)."""
        return (0.9 * y[..., 2] + 0.1 * y[..., 1]) ** 4

    def default_solver(self):
        return stiff_solver()
