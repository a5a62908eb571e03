"""Dynamic dye binding: any model with the indicator's bound-dye concentration appended as a state."""

import jax.numpy as jnp

from .._model import AbstractModel
from .indicator import AbstractIndicator


class WithIndicator(AbstractModel):
    r"""`model` with an indicator that binds cytosolic Ca (`model.states[0]`) dynamically, as an extra state.

    $$\frac{d[\mathrm{CaD}]}{dt} = J = k_{on}[\mathrm{Ca}]^n([D]_T - [\mathrm{CaD}]) - k_{off}[\mathrm{CaD}],\qquad
      \frac{d[\mathrm{Ca}]}{dt} = f_{\text{model}} - \beta\,n\,J$$

    so the dye buffers Ca and slows the transient as Neher & Augustine (1992, J Physiol 450:273) predict:
    τ = (1 + κ_S + κ_B)/γ for a single compartment. Each bound indicator holds n (= `n`) Ca ions; β is the
    model's `free_calcium_fraction` (1, or 1/(1 + Σκ) where the model buffers cytosolic Ca rapidly). The dye starts
    in equilibrium with the model's initial Ca. A protocol drives the wrapped model's parameters.

    **Arguments:** `model` any cicrjax model; `indicator` e.g. `Fluo4()`.

    **Example:** `simulate(WithIndicator(GDB1990(), Fluo4()), ts)["dye_bound"]`
    """

    model: AbstractModel
    indicator: AbstractIndicator

    @property
    def name(self) -> str:
        return f"{self.model.name}+{self.indicator.name}"

    @property
    def states(self) -> tuple[str, ...]:
        return (*self.model.states, "dye_bound")

    @property
    def citation(self) -> str:
        return f"{self.model.citation}; indicator: {self.indicator.citation}"

    def parameters(self):
        """The wrapped model's parameters (a protocol drives those)."""
        return self.model.parameters()

    def default_solver(self):
        return self.model.default_solver()

    def gradient_solver(self):
        return self.model.gradient_solver()

    def fit_rtol(self):
        return self.model.fit_rtol()

    def _derivative(self, model, t, y):
        inner, bound = y[:-1], y[-1]
        flux = self.indicator.binding_rate(inner[0], bound)
        d = model.derivative(t, inner)
        taken = self.indicator.n * flux * model.free_calcium_fraction(inner)
        return jnp.concatenate([d.at[0].add(-taken), flux[None]])

    def derivative(self, t, y):
        return self._derivative(self.model, t, y)

    def vector_field(self, t, y, args):
        return self._derivative(self.model if args is None else args.apply(self.model, t), t, y)

    def initial_state(self):
        y0 = self.model.initial_state()
        return jnp.concatenate([y0, (self.indicator.total * self.indicator.fraction_bound(y0[0]))[None]])

    def fraction_bound(self, ys):
        """Bound fraction θ (0–1) from a state or trajectory of this model (last axis = states)."""
        return jnp.asarray(ys)[..., -1] / self.indicator.total
