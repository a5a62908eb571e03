"""The notebooks run top to bottom (nbclient) in their quick setting, and git stores them without outputs.

Every notebook reads `CICRJAX_QUICK=1` in its first cell and then shortens its spans, starts and sweeps; each asserts
its own numbers (a period, a fitted parameter within tolerance) in its cells. To pay for the kernel, the imports and
the compiled functions they share once, the notebooks run one after another in one kernel, whose namespace is reset
(`%reset -f`) before each, from the `notebooks/` folder as a user's Jupyter would.
"""

import os
import time
from pathlib import Path

import nbformat
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


# one worker runs them all (the kernel fixture is per worker: split across workers it would run twice)
@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_is_stored_without_outputs(path, executed):
    stored = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in stored.cells if c.cell_type == "code")
    assert "CICRJAX_QUICK" in stored.cells[1].source  # the quick setting is read in the first code cell
    nb, error, _ = executed[path.name]
    assert error is None, str(error)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    if path.name.startswith("01_"):
        text = "".join(o.get("text", "") for o in outputs)
        assert "period (s): 2.0" in text  # GDB at beta = 0.301: 2.08 s (Goldbeter et al. 1990)
