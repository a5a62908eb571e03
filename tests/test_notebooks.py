"""The notebooks run top to bottom (nbclient) in their quick setting, and git stores them without outputs.

Every notebook reads `CICRJAX_QUICK=1` in its first cell and then shortens its spans, starts and sweeps; each asserts
its own numbers (a period, a fitted parameter within tolerance) in its cells; notebook 01 draws its sliders' callback
as a static panel (the fallback without a widget front end) and checks what it returned; its sliders themselves are
driven in the test process (`test_notebook_01_sliders_resimulate_under_jit_and_redraw`). To pay for the kernel, the
imports and the compiled functions they share once, the notebooks run one after another in one kernel,
whose namespace is reset (`%reset -f`) before each, from the `notebooks/` folder as a user's Jupyter would. The
notebooks share save grids, batch sizes and functions (01, 03 and 05 one GDB grid), so the kernel compiles each
program once.
"""

import contextlib
import io
import os
import sys
import time
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def executed():
    """{name: (executed notebook, error or None, wall seconds)} for every notebook, in one kernel."""
    env = dict(os.environ, CICRJAX_QUICK="1", MPLBACKEND="module://matplotlib_inline.backend_inline")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    if os.environ.get("CICRJAX_CACHE_DIR"):  # the session's compilation cache (tests/conftest.py), shared by the kernel
        env["JAX_COMPILATION_CACHE_DIR"] = os.environ["CICRJAX_CACHE_DIR"]
    client = NotebookClient(nbformat.v4.new_notebook(), timeout=300, kernel_name="python3")
    runs = {}
    with client.setup_kernel(env=env, cwd=str(ROOT / "notebooks")):
        for path in NOTEBOOKS:
            nb = nbformat.read(path, as_version=4)
            nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
            client.nb = nb
            error, start = None, time.perf_counter()
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
            except CellExecutionError as e:
                error = e
            runs[path.name] = (nb, error, time.perf_counter() - start)
            print(f"{path.name}: {runs[path.name][2]:.1f} s")  # shown with -s
    return runs


def _problems(path: Path, executed) -> list[str]:
    """What is wrong with one notebook: outputs stored in git, no quick setting, a failed cell, a wrong number."""
    stored = nbformat.read(path, as_version=4)
    problems = []
    if any(c.get("outputs") or c.get("execution_count") for c in stored.cells if c.cell_type == "code"):
        problems.append("is stored with outputs (strip them)")
    if "CICRJAX_QUICK" not in stored.cells[1].source:
        problems.append("does not read CICRJAX_QUICK in its first code cell")
    nb, error, _ = executed[path.name]
    if error is not None:
        problems.append(f"failed: {error}")
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    if [o for o in outputs if o.output_type == "error"]:
        problems.append("has an error output")
    if path.name.startswith("01_"):
        text = "".join(o.get("text", "") for o in outputs)
        if "period (s): 2.0" not in text:  # GDB at beta = 0.301: 2.08 s (Goldbeter et al. 1990)
            problems.append("does not print the GDB period 2.0x s")
        if "static panel: late peak of Z" not in text:
            problems.append("does not draw the static panel (the sliders' callback, their fallback)")
    return [f"{path.name} {p}" for p in problems]


def test_every_notebook_runs_and_is_stored_without_outputs(executed):
    """One test for all notebooks, so that one xdist worker runs the shared kernel (split over two workers, the
    fixture would run every notebook twice)."""
    assert len(NOTEBOOKS) >= 8
    problems = [p for path in NOTEBOOKS for p in _problems(path, executed)]
    assert problems == [], "\n".join(problems)


def _cells(name: str, *markers: str) -> list[str]:
    """The code cells of notebook `name` that contain each marker, in the order of the markers."""
    code = [c.source for c in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells if c.cell_type == "code"]
    return [next(source for source in code if marker in source) for marker in markers]


def test_notebook_01_sliders_resimulate_under_jit_and_redraw(monkeypatch):
    """Notebook 01's sliders, driven in this process rather than through a widget front end (building them in the
    test kernel hung it in 2 of 4 runs): moving β re-runs the compiled simulation without compiling anything new and
    redraws the figure with the new trajectory; without ipywidgets the cell says so and the static panel stands in.
    GDB 1990 oscillates only inside its Hopf window β ≈ 0.289–0.774 (Goldbeter et al. 1990, Fig. 3), so the late
    peak of Z is above 0.9 µM at β = 0.301 and below it at β = 0.9 (the static panel's own assertion)."""
    widgets = pytest.importorskip("ipywidgets")
    monkeypatch.setenv("CICRJAX_QUICK", "1")
    monkeypatch.chdir(ROOT / "notebooks")
    setup, cell, panel = _cells("01_explore_models.ipynb", "QUICK =", "def sliders", 'print("static panel:')
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup, ns)
        exec(cell, ns)
        ui = ns["sliders"]()  # ipywidgets.interactive: draws once at the sliders' start values
    beta, vm2 = ui.children[:2]
    assert isinstance(beta, widgets.FloatSlider) and (beta.value, vm2.value) == (0.301, 65.0)
    assert ui.result > 0.9
    compiles = []
    listener = lambda event, seconds, **kw: compiles.append(event) if "backend_compile" in event else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            beta.value = 0.9  # what dragging the slider does
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert compiles == []  # the same compiled solver, other parameter values
    line = plt.gcf().axes[0].lines[-1]
    expected = ns["cj"].simulate(ns["cj"].GDB1990(beta=0.9, VM2=65.0), ns["TS"])["Z"]
    np.testing.assert_allclose(line.get_ydata(), np.asarray(expected), rtol=1e-12)
    assert plt.gcf().axes[0].get_title() == "β = 0.900, VM2 = 65 µM/s"
    assert ui.result == pytest.approx(float(np.max(np.asarray(expected)[len(expected) // 2 :]))) and ui.result < 0.9
    plt.close("all")

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # not installed: the static fallback
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cell, ns)
        exec(panel, ns)
    assert ns["widgets"] is None and "static panel below stands in for the sliders" in out.getvalue()
    assert "static panel: late peak of Z" in out.getvalue()
    plt.close("all")
