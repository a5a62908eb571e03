"""Solver defaults shared by the stiff models."""

import diffrax


def stiff_solver() -> diffrax.AbstractSolver:
    """ESDIRK Kvaerno5 with a loose chord Newton solve: the default for stiff cicrjax models.

    The Newton tolerances only decide when an implicit stage has converged; the step-size controller still
    enforces the user's rtol/atol, so loose values here cost no accuracy and avoid many rejected steps.

    **Example:** `simulate(model, ts, solver=stiff_solver())`
    """
    return diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-3, atol=1e-6))
