"""Solver defaults shared by the stiff models."""

import diffrax


def stiff_solver() -> diffrax.AbstractSolver:
    """ESDIRK Kvaerno5 with diffrax's default chord iterations: the default of `sneyd2002` and of SBML models.

    A Newton root finder stopped at the controller's tolerances was 2× faster for a Sneyd 2002 gradient but failed
    (step budget spent) on a stiff buffered compartment at rtol 1e-8 (tests/test_observation.py), so the robust
    chord solve is kept. Kvaerno5's gradients with respect to protocol edge times are off by percents
    (tests/test_protocol.py): for paced models use [`cicrjax.Ros34PW2`][] or [`cicrjax.Rodas4`][].

    **Example:** `simulate(Sneyd2002(), ts, solver=stiff_solver())`
    """
    return diffrax.Kvaerno5()
