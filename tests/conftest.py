"""Strict numerics for every test: float64, rank promotion raises, shared data located once."""

import os
import pickle
import shutil
import tempfile
from pathlib import Path

import jax
import pytest

import cicrjax  # noqa: F401  (enables float64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

_CACHE_ENV = "CICRJAX_TEST_COMPILATION_CACHE"


def pytest_configure(config):
    """One persistent XLA compilation cache per test session, shared by the xdist workers and by the console
    scripts that tests start (`CICRJAX_CACHE_DIR`): a program that two workers compile is compiled once. A fresh
    folder each session, removed at its end, so no run depends on an earlier one."""
    if _CACHE_ENV not in os.environ:  # the controller (or a run without xdist) makes the folder
        os.environ[_CACHE_ENV] = tempfile.mkdtemp(prefix="cicrjax-test-xla-")
        config._cicrjax_cache_owner = True
    if os.environ[_CACHE_ENV]:  # set it empty to run without the cache
        os.environ["CICRJAX_CACHE_DIR"] = os.environ[_CACHE_ENV]
        jax.config.update("jax_compilation_cache_dir", os.environ[_CACHE_ENV])


def pytest_unconfigure(config):
    if getattr(config, "_cicrjax_cache_owner", False):
        shutil.rmtree(os.environ.pop(_CACHE_ENV), ignore_errors=True)


# The dearest test files, dearest first (test seconds of a full quiet `pytest -n 2` run, 2026-11-30: notebooks 208
# in one test, conformance 164, real recordings 71, PEtab 65, oscillation 62, population 60, protocol 58, fitting 52,
# solvers 48, cardiac muscle 45, farm 41, spatial 39, CLI fuzz 38): the suite runs whole files per worker (`--dist
# loadfile` in pyproject's addopts, so a module's fixtures and compiled programs are made on one worker only) in
# this order (`--no-loadscope-reorder`: xdist would otherwise send the files with most tests first and the
# two-test notebook file last, leaving one worker alone with it at the end), so the long files start at once and
# the workers end together on the many short ones. The rest keep their (alphabetical) order.
FIRST = (
    "test_notebooks.py",
    "test_conformance.py",
    "test_real_recordings.py",
    "test_fitting_petab.py",
    "test_fitting_oscillation.py",
    "test_fitting_population.py",
    "test_protocol.py",
    "test_fitting.py",
    "test_solvers.py",
    "test_muscle_cardiac.py",
    "test_farm.py",
    "test_spatial.py",
    "test_cli_fuzz.py",
)


@pytest.hookimpl(trylast=True)  # after pytest has grouped each file's tests by their module fixtures
def pytest_collection_modifyitems(items):
    """The files of FIRST first, in that order; every file keeps its own order of tests (a stable sort)."""
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(FIRST)))


@pytest.fixture(scope="session")
def once_per_session():
    """`once(name, compute)`: `compute()` run once per test session, its (picklable) result shared by the xdist
    workers through the session's cache folder. The first worker to ask computes it under a file lock; the others
    wait and load it. Without the folder (or without POSIX file locks) every caller computes."""

    def once(name: str, compute):
        folder = os.environ.get(_CACHE_ENV)
        try:
            import fcntl
        except ImportError:
            return compute()
        if not folder:
            return compute()
        path = Path(folder) / f"{name}.pickle"
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                return pickle.loads(path.read_bytes())
            value = compute()
            part = path.with_suffix(".part")
            part.write_bytes(pickle.dumps(value))
            part.replace(path)
            return value

    return once


SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recordings in ../shared/data; tests that need them skip with a message when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_DATA} (../shared is absent in this checkout)")
    return SHARED_DATA
