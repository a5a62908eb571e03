"""The muscle-model interface: fluxes, SR content and the rapid-buffer factor, against the papers' constants.

jit, vmap against a loop and grad against central differences run for every model in tests/test_conformance.py;
vmap over protocols in test_muscle_cardiac.py, test_muscle_skeletal.py and the gain tests.
"""

import jax.numpy as jnp
import pytest

import cicrjax as cj

MUSCLE_MODELS = ("cardiac", "hinch2004", "skeletal")


@pytest.fixture(scope="module", params=MUSCLE_MODELS)
def model(request):
    return cj.get_model(request.param)()


def test_muscle_interface(model):
    assert isinstance(model, cj.AbstractMuscleModel)
    assert model.states[0].startswith("Ca")
    y = model.initial_state()
    for flux in (model.release_flux(y), model.trigger_flux(y), model.sr_calcium(y)):
        assert flux.shape == () and bool(jnp.isfinite(flux))
    assert float(model.sr_calcium(y)) > 0


# Rapid cytosolic buffers from the papers (µM): 1/(1 + Σ B K/(K + c)²). Hinch et al. 2004 (Biophys J 87:3723):
# calmodulin B_CMDN 50 µM, K 2.382 µM. Shannon et al. 2004 (Biophys J 87:3351): calmodulin 24 µM, k_on 34 mM⁻¹ms⁻¹,
# k_off 0.238 ms⁻¹; SR membrane sites 17.1 µM, k_on 100 mM⁻¹ms⁻¹, k_off 0.06 ms⁻¹. Shorten et al. 2007 (J Muscle Res
# Cell Motil 28:293) myoplasm: Ca–ATP k_on 0.15 µM⁻¹ms⁻¹, k_off 30 ms⁻¹; the 800 µM of free ATP is cicrjax's own
# `B_ATP`, not checked against the paper.
RAPID_BUFFERS = {
    "hinch2004": ((50.0, 2.382),),  # calmodulin, B_CMDN and k_CMDN
    "cardiac": ((24.0, 0.238 / 34.0 * 1e3), (17.1, 0.06 / 100.0 * 1e3)),  # calmodulin, SR membrane sites
    "skeletal": ((800.0, 30.0 / 0.15),),  # Ca–ATP
}


@pytest.mark.parametrize("ca", [0.1, 2.0])
def test_free_calcium_fraction_is_the_rapid_buffer_factor(model, ca):
    y = model.initial_state().at[0].set(ca)
    expected = 1.0 / (1.0 + sum(b * k / (k + ca) ** 2 for b, k in RAPID_BUFFERS[model.name]))
    assert float(model.free_calcium_fraction(y)) == pytest.approx(expected, rel=1e-12)
    # An indicator's binding then draws on cytosolic Ca at that buffered scale.
    dyed = cj.WithIndicator(model, cj.Fluo4())
    bound = 5.0
    d = dyed.derivative(0.0, jnp.concatenate([y, jnp.array([bound])]))
    flux = float(dyed.indicator.binding_rate(ca, bound))
    assert float(d[0]) == pytest.approx(float(model.derivative(0.0, y)[0]) - expected * flux, rel=1e-10, abs=1e-9)
