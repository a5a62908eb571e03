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


# The two dearest test files of a full `pytest -n 2` run on 2 cores (2026-11-29: notebooks 169 test seconds in one
# test, conformance 168; the next file costs 67) run first: the xdist workers take consecutive chunks of the
# collection, so the long tests start at once and the workers end together on the many short ones, where a 169 s
# test sent late could leave the other worker idle at the end. The rest keep their (alphabetical) order.
FIRST = ("test_notebooks.py", "test_conformance.py")


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
