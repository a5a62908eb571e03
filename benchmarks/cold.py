"""Case 5, cold start: import + compile + first result of the `cicrjax` console script, in fresh interpreters.

`cicrjax demo` (since e33efb9 a seeded multistart fit of the bundled Li–Rinzel Fura-2 recording) and a small
`cicrjax fit` (li-rinzel1994, 21 samples, v3 free, 4 starts) each run three times as subprocesses: with the
persistent compilation cache off (`CICRJAX_CACHE_DIR=`), with an empty cache folder (cold), and again with that
folder filled by the previous run (warm); `--quick` runs only the cold demo. Wall time of the whole command. For
comparison, the first gdb1990 simulation in a fresh interpreter: cicrjax (import, compile, solve) against
libRoadRunner (import, Antimony → SBML → LLVM, solve).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import _roadrunner
from ._report import Row, skipped

ROOT = Path(__file__).resolve().parent.parent
CLI = "from cicrjax._cli import main; raise SystemExit(main())"
TARGETS = {"cold": 30.0, "warm": 10.0}  # s, `cicrjax demo`

FIRST_SIM = """
import jax.numpy as jnp
import cicrjax as cj
cj.simulate(cj.GDB1990(), jnp.linspace(0.0, 10.0, 1001), rtol=1e-8, atol=1e-10).ys.block_until_ready()
"""
FIRST_RR = """
import numpy as np
from benchmarks import _roadrunner
rr = _roadrunner.load("gdb1990", rtol=1e-8, atol=1e-10)
_roadrunner.simulate(rr, ("Z", "Y"), np.linspace(0.0, 10.0, 1001))
"""


def _timed(argv, cache: str | None, cwd) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env["CICRJAX_CACHE_DIR"] = "" if cache is None else cache
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-6:])} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return wall


def _recording(folder: Path) -> Path:
    import jax.numpy as jnp

    import cicrjax

    ts = np.linspace(0.0, 2.0, 21)
    ca = np.asarray(cicrjax.simulate(cicrjax.LiRinzel1994(), jnp.asarray(ts), rtol=1e-10, atol=1e-12)["C"])
    path = folder / "ca.csv"
    noisy = ca + 0.002 * np.random.default_rng(0).normal(size=ca.shape)
    np.savetxt(path, np.column_stack([ts, noisy]), delimiter=",", header="time_s,ca_uM", comments="")
    return path


def run(quick: bool) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        commands = {
            "demo": ["-c", CLI, "demo", "--out", str(tmp / "demo")],
            "fit": ["-c", CLI, "fit", str(_recording(tmp)), "--model", "li-rinzel1994", "--free", "v3",
                    "--starts", "4", "--out", str(tmp / "fit")],
        }  # fmt: skip
        for name, argv in commands.items():
            if quick and name == "fit":
                continue
            cache = str(tmp / f"cache-{name}")
            times = {"off": None if quick else _timed(argv, None, tmp)}
            times["cold"] = _timed(argv, cache, tmp)
            times["warm"] = None if quick else _timed(argv, cache, tmp)
            for state in ("off", "cold", "warm"):
                if times[state] is None:
                    continue
                label = f"cold start cicrjax {name} (cache {state})"
                if name == "demo" and state in TARGETS:
                    rows.append(Row(label, times[state], "target (s)", TARGETS[state], 1.0,
                                    note="ratio = time / target"))  # fmt: skip
                else:
                    rows.append(Row(label, times[state], note="wall time of the command"))
        ours = _timed(["-c", FIRST_SIM], None, ROOT)
        why = _roadrunner.missing()
        if why:
            rows.append(skipped("cold first gdb1990 simulation", "roadrunner", why))
        else:
            rr = _timed(["-c", FIRST_RR], None, ROOT)
            rows.append(Row("cold first gdb1990 simulation", ours, "roadrunner (Antimony → LLVM)", rr,
                            note="fresh interpreter: import, build, solve"))  # fmt: skip
    return rows
