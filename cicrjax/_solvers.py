"""Solver defaults shared by the stiff models."""

import diffrax
import optimistix as optx


def stiff_solver() -> diffrax.AbstractSolver:
    """ESDIRK Kvaerno5 whose Newton iterations stop at the step-size controller's rtol/atol: `sneyd2002`'s default.

    Measured on Sneyd 2002 (0–10 s, load 7–9): the same 1.6 ms per simulation as diffrax's default chord solve
    (`VeryChord`), and a forward-mode gradient of five parameters in 3.4 ms against 7.5 ms. Kvaerno5's gradients
    with respect to protocol edge times are off by percents (tests/test_protocol.py): for paced models use
    [`cicrjax.Ros34PW2`][] or [`cicrjax.Rodas4`][].

    **Example:** `simulate(Sneyd2002(), ts, solver=stiff_solver())`
    """
    return diffrax.Kvaerno5(root_finder=diffrax.with_stepsize_controller_tols(optx.Newton)())
