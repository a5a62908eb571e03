"""Strict numerics for every test: float64, rank promotion raises, shared data located once."""

from pathlib import Path

import jax
import pytest

import cicrjax  # noqa: F401  (enables float64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recordings in ../shared/data; tests that need them skip with a message when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_DATA} (../shared is absent in this checkout)")
    return SHARED_DATA
