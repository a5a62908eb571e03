"""Atri, Amundson, Clapham & Sneyd 1993: the well-mixed IP3R model with Ca-activated and Ca-inactivated release."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import HillPump
from .._model import AbstractModel
from .._parameters import param


class Atri1993(AbstractModel):
    r"""Atri et al. 1993 model of IP3-driven Ca oscillations and waves, well-mixed (no diffusion) form.

    Atri A, Amundson J, Clapham D, Sneyd J (1993) Biophys J 65:1727–1739, doi:10.1016/S0006-3495(93)81191-3.
    Units µM and s. Values as in two public implementations; the paper itself was not checked (kflux = 8.1 µM/s;
    16.2 µM/s is the Höfer 2002 astrocyte adaptation).

    $$\dot c = k_{flux}\,\mu(p)\,h\left[b + \frac{(1-b)c}{k_1 + c}\right] - \frac{\gamma c}{k_\gamma + c} + \beta,
      \qquad \tau_h \dot h = \frac{k_2^2}{k_2^2 + c^2} - h$$

    with μ(p) = μ0 + μ1 p/(kμ + p). p is IP3 (µM), the stimulus: excitable at p = 0, oscillating above about
    0.01 µM. The default p = 0.1 µM oscillates.

    **Example:** `simulate(Atri1993(p=0.1), jnp.linspace(0, 100, 1001))["c"]`
    """

    name: ClassVar[str] = "atri1993"
    states: ClassVar[tuple[str, ...]] = ("c", "h")
    citation: ClassVar[str] = "Atri A, Amundson J, Clapham D, Sneyd J (1993) Biophys J 65:1727-1739"
    # Freed by a fit without --free: release (kflux, k1), uptake (gamma, k_gamma) and stimulus (p).
    default_free: ClassVar[tuple[str, ...]] = ("kflux", "k1", "gamma", "k_gamma", "p")

    kflux: Array = param(8.1, "µM/s", "maximal IP3R flux")
    mu0: Array = param(0.567, "1", "IP3-independent fraction of open receptors", "unit_interval")
    mu1: Array = param(0.433, "1", "IP3-dependent fraction of open receptors", "unit_interval")
    k_mu: Array = param(4.0, "µM", "IP3 for half-maximal receptor activation")
    b: Array = param(0.111, "1", "basal activity of the Ca-activation site", "unit_interval")
    k1: Array = param(0.7, "µM", "Ca for half activation of release (CICR sensitivity)")
    gamma: Array = param(2.0, "µM/s", "maximal pump rate")
    k_gamma: Array = param(0.1, "µM", "pump half-activation Ca")
    beta: Array = param(0.02, "µM/s", "constant Ca influx")
    tau_h: Array = param(2.0, "s", "time constant of Ca inactivation")
    k2: Array = param(0.7, "µM", "Ca for half inactivation")
    p: Array = param(0.1, "µM", "IP3 concentration (stimulus)", "nonnegative")
    c_init: Array = param(0.1, "µM", "initial cytosolic Ca")
    h_init: Array = param(0.9, "1", "initial fraction of non-inactivated receptors", "unit_interval")

    def derivative(self, t, y):
        c, h = y
        mu = self.mu0 + self.mu1 * self.p / (self.k_mu + self.p)
        activation = self.b + (1.0 - self.b) * c / (self.k1 + c)
        dc = self.kflux * mu * h * activation - HillPump(self.gamma, self.k_gamma, 1.0)(c) + self.beta
        dh = (self.k2**2 / (self.k2**2 + c**2) - h) / self.tau_h
        return jnp.stack([dc, dh])

    def initial_state(self):
        return jnp.stack([self.c_init, self.h_init])
