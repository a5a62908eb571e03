"""Progress of running optimisers: compiled loops report each iteration to the host, where a listener may draw it."""

import contextlib
from collections.abc import Callable, Iterator

import jax

_listener: Callable[[int, bool], None] | None = None


def _host(iteration, done) -> None:
    if _listener is not None:
        _listener(int(iteration), bool(done))


def report(iteration, done) -> None:
    """Inside a compiled optimiser loop: tell the host that a start reached `iteration` (`done` once finished).

    Under `vmap` every start reports; without a listener installed this costs one host call per start and
    iteration and draws nothing.
    """
    jax.debug.callback(_host, iteration, done)


@contextlib.contextmanager
def listening(listener: Callable[[int, bool], None]) -> Iterator[None]:
    """Install `listener(iteration, done)` for the compiled loops that run inside the block."""
    global _listener
    old, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = old
