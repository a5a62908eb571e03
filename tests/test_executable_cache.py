"""Traced programs kept on disk (cicrjax/_executable_cache.py, enabled by the console script): a new process calls
the kept program without tracing and gets the traced function's numbers; any other call is traced as usual."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cicrjax import _executable_cache as cache
from cicrjax._hill import hill


class Exponent(eqx.Module):  # defined here, outside cicrjax: its code is not hashed, so never kept
    n: float = eqx.field(static=True)


@pytest.fixture
def folder(tmp_path):
    cache.enable_executable_cache(tmp_path)
    yield tmp_path
    cache.enable_executable_cache(None)


def _reference(x, K, n):
    """xⁿ/(Kⁿ + xⁿ) in numpy, independently of cicrjax."""
    x = np.maximum(x, 0.0)
    return x**n / (K**n + x**n)


def test_kept_program_is_called_by_a_new_process_without_tracing(folder):
    x = jnp.linspace(-0.5, 3.0, 8)
    first = cache.cached_jit(hill)
    np.testing.assert_allclose(first(x, jnp.asarray(1.0), 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)
    assert len(list(folder.glob("*.pkl"))) == 1 and not list(folder.glob("*.tmp"))

    again = cache.cached_jit(hill)  # a new process: nothing in memory, the program on disk

    def traced(*args):
        raise AssertionError("traced again")

    again._export = traced
    np.testing.assert_allclose(again(x, jnp.asarray(1.0), 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)
    # a changed static argument (the Hill coefficient as a Python float) or shape is another program
    third = cache.cached_jit(hill)
    np.testing.assert_allclose(third(x, jnp.asarray(0.5), 3.0), _reference(np.asarray(x), 0.5, 3.0), rtol=1e-14)
    np.testing.assert_allclose(third(x[:3], jnp.asarray(0.5), 3.0), _reference(np.asarray(x[:3]), 0.5, 3.0))
    assert len(list(folder.glob("*.pkl"))) == 3


def test_calls_that_cannot_be_kept_are_traced_as_usual(folder):
    x = jnp.linspace(0.0, 2.0, 5)
    kept = cache.cached_jit(hill)
    # a static part from outside the libraries (this module's class) is not kept
    assert cache.cached_jit(lambda x, e: hill(x, 1.0, e.n))(x, Exponent(2.0)).shape == (5,)
    assert kept(x, 1.0, Exponent(2.0).n).shape == (5,)  # the same numbers through a library-only static part
    assert len(list(folder.glob("*.pkl"))) == 1
    # nor a function outside cicrjax and fitting, nor a call under a JAX transformation (tracers)
    own = cache.cached_jit(lambda x, K, n: x**n / (K**n + x**n))
    np.testing.assert_allclose(own(x, 1.0, 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)
    slope = jax.grad(lambda K: kept(jnp.asarray(1.0), K, 2.0))(jnp.asarray(1.0))
    assert float(slope) == pytest.approx(-0.5, rel=1e-12)  # d/dK 1/(K² + 1) at K = 1: −2K/(K² + 1)² = −0.5
    assert len(list(folder.glob("*.pkl"))) == 1


def test_a_program_that_cannot_be_exported_is_marked_and_traced_as_usual(folder, monkeypatch):
    """A program jax.export refuses (one with a host callback) leaves an empty file, so later processes trace it
    as usual without trying to export it again."""

    def refuse(*args, **kwargs):
        raise ValueError("host callbacks are not supported")

    monkeypatch.setattr(jax.export, "export", refuse)
    x = jnp.linspace(0.0, 2.0, 5)
    np.testing.assert_allclose(cache.cached_jit(hill)(x, 1.0, 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)
    (marker,) = folder.glob("*.pkl")
    assert marker.stat().st_size == 0  # the empty marker: export refused
    monkeypatch.undo()
    later = cache.cached_jit(hill)
    later._export = lambda *args: pytest.fail("exported again")
    np.testing.assert_allclose(later(x, 1.0, 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)


def test_nothing_is_kept_while_the_cache_is_off(tmp_path):
    cache.enable_executable_cache(None)
    x = jnp.linspace(0.0, 2.0, 5)
    np.testing.assert_allclose(cache.cached_jit(hill)(x, 1.0, 2.0), _reference(np.asarray(x), 1.0, 2.0), rtol=1e-14)
    assert list(tmp_path.iterdir()) == []


def test_only_the_console_script_keeps_programs():
    """`main(argv)` (tests, embedding) leaves the cache off (only the console script, `argv` None, turns it on)."""
    from cicrjax._cli.main import main

    cache.enable_executable_cache(None)
    assert main(["models"]) == 0 and cache._folder is None
