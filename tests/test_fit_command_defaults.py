"""`cicrjax fit` over several CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=N`): the fit's
programs kept by the executable cache over those devices; and its help names the optimiser each strategy runs by
default."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cicrjax._cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
# with two devices: a program split over both (as `fitting.run_starts` is) kept by the executable cache, then read
# back from disk by a fresh `cached_jit` (as a later process does) and called; sin(3)·2 and sin(7)·2 are printed
KEPT = """
import sys, pathlib, jax, jax.numpy as jnp
from cicrjax import map_sharded, _executable_cache as cache
print(len(jax.devices()))
cache.enable_executable_cache(pathlib.Path(sys.argv[1]))
def split(x):
    return map_sharded(lambda row: 2.0 * jnp.sin(row), x, tuple(jax.local_devices()))
split.__module__ = "cicrjax.probe"  # the cache keeps library functions only
x = jnp.arange(8.0).reshape(4, 2)
first, again = cache.cached_jit(split)(x), cache.cached_jit(split)(x)
print(len(list(pathlib.Path(sys.argv[1]).iterdir())), float(first[1, 1]), float(again[3, 1]))
"""


def _run(code: str, xla_flags: str, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "JAX_NUM_CPU_DEVICES"}
    env.update({"JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT), "XLA_FLAGS": xla_flags})
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_program_split_over_two_devices_is_kept_and_called_again(tmp_path):
    devices, kept, first, again = _run(KEPT, "--xla_force_host_platform_device_count=2", str(tmp_path))
    assert (int(devices), int(kept)) == (2, 1)
    assert float(first) == pytest.approx(2.0 * math.sin(3.0), rel=1e-12)
    assert float(again) == pytest.approx(2.0 * math.sin(7.0), rel=1e-12)


def test_the_help_says_which_optimiser_runs_by_default():
    fit = next(a for a in build_parser()._subparsers._group_actions[0].choices.items() if a[0] == "fit")[1]
    optimiser = next(a for a in fit._actions if a.dest == "optimiser").help
    assert "lm for period-matched and for a paced or stimulated least-squares fit" in optimiser
    assert "lbfgs for other single-shooting fits" in optimiser
