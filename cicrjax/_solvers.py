"""Solver defaults shared by the stiff models."""

import diffrax


def stiff_solver() -> diffrax.AbstractSolver:
    """ESDIRK Kvaerno5 whose Newton tolerances follow the step-size controller's rtol/atol.

    Measured on Marhl 2000 (0–20 s): a loose chord solve, `VeryChord(rtol=1e-3, atol=1e-6)`, takes fewer steps
    but leaves errors of 7e-5 at rtol 1e-8, so the default keeps the Newton solve as tight as the controller.

    **Example:** `simulate(Sneyd2002(), ts, solver=stiff_solver())`
    """
    return diffrax.Kvaerno5()
