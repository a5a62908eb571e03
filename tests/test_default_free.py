"""Each model's default free parameters: what `cicrjax fit` frees when --free is omitted."""

import numpy as np
import pytest

import cicrjax
from cicrjax import AbstractMuscleModel
from cicrjax._cli.main import main
from cicrjax._models import MODELS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_default_free_names_are_parameters_and_muscle_defaults_hold_ryr_and_serca(name):
    cls = MODELS[name]
    names = [p.name for p in cls.parameters()]
    assert (
        cls.default_free and set(cls.default_free) <= set(names) and len(set(cls.default_free)) == len(cls.default_free)
    )
    if issubclass(cls, AbstractMuscleModel):
        assert len(cls.default_free) == 4  # release sensitivity, maximal release, SERCA V_max and K_m
        if cls.ryr_sensitivity is not None:
            assert cls.ryr_sensitivity == cls.default_free[0]


def test_models_command_lists_the_defaults(capsys):
    assert main(["models", "cardiac"]) == 0
    assert "fit frees by default: K_act, k_rel, V_max_SERCA, K_m_SERCA" in capsys.readouterr().out


def test_fit_without_free_uses_the_defaults_less_the_fixed(tmp_path, capsys):
    rec = tmp_path / "ca.csv"
    ts = np.linspace(0.0, 1.0, 11)
    np.savetxt(rec, np.column_stack([ts, 0.1 + 0.0 * ts]), delimiter=",", header="time_s,ca_uM", comments="")
    argv = ["fit", str(rec), "--model", "li-rinzel1994", "--out", str(tmp_path / "o")]
    # v3 (uptake) is free by default, so its bounds are checked against its start ...
    assert main([*argv, "--bounds", "v3=1:2"]) == 2
    assert "initial value v3=0.9 lies outside its bounds 1:2" in capsys.readouterr().err
    # ... and --fix takes it out of the defaults
    assert main([*argv, "--fix", "v3=0.9", "--bounds", "v3=1:2"]) == 2
    assert "v3 has bounds, a transform or a start but is not free" in capsys.readouterr().err
    assert cicrjax.LiRinzel1994.default_free == ("v1", "v3", "k3", "IP3")
