"""Entry point of the `cicrjax` console script: subcommands, and the error policy."""

import contextlib
import errno
import os
import signal
import sys
import threading
import traceback
from importlib.metadata import entry_points
from pathlib import Path

from .._errors import ComputationError, InputError
from .._executable_cache import enable_executable_cache
from . import export_sbml, gain, inspect, models, sensitivity, simulate, spark, spark_metrics, synth, wave
from .errors import Parser

# Each subcommand module provides `add_parser(subparsers)` (which sets `func`) and its own `run(args)`.
COMMANDS = (models, simulate, inspect, synth, gain, export_sbml, wave, spark, spark_metrics, sensitivity)
# Packages layered above cicrjax (such as `fitting`) add subcommands through this entry-point group, naming a
# module with the same `add_parser` function; cicrjax itself never imports them.
PLUGIN_GROUP = "cicrjax.commands"


CACHE_ENV = "CICRJAX_CACHE_DIR"  # where the console script keeps compiled XLA programs; empty turns the cache off


def compilation_cache_dir(environ=os.environ) -> str | None:
    """JAX's persistent compilation cache folder for the console script: `$CICRJAX_CACHE_DIR`, default
    `~/.cache/cicrjax/jax`; `None` (no cache) when the variable is set but empty."""
    value = environ.get(CACHE_ENV)
    if value is None:
        return str(Path.home() / ".cache" / "cicrjax" / "jax")
    return value or None


def enable_compilation_cache(environ=os.environ) -> None:
    """Turn on JAX's persistent compilation cache (every compiled program kept), so a second run skips XLA.

    JAX never caches a program that contains a host callback, and Equinox's runtime checks (`eqx.error_if`, in
    diffrax's `throw=True`, lineax and optimistix) are host callbacks; so, unless `EQX_ON_ERROR` is set, they are
    switched to Equinox's `nan` mode: a failed check fills its outputs with NaN, which the commands report as a
    failed computation (they check `Solution.success` and finite results on the host).
    """
    if "EQX_ON_ERROR" not in environ:
        import equinox._errors  # read when a check is traced; the environment variable was read at import

        equinox._errors.EQX_ON_ERROR = "nan"
    folder = compilation_cache_dir(environ)
    if folder is None:
        return
    import jax

    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def build_parser() -> Parser:
    parser = Parser(prog="cicrjax", description="Differentiable CICR models: simulate, fit and explore.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        plugin.load().add_parser(sub)
    return parser


# OSErrors that a user causes and fixes (a path that is missing, unreadable, a folder, read-only, or a full disk)
USER_OS_ERRORS = (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.EROFS, errno.ENOSPC)


def one_line(error: BaseException) -> str:
    """The error's message on one line (a multi-line message joined with '; ')."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines) or type(error).__name__


def _os_message(error: OSError) -> str:
    where = f": {error.filename}" if error.filename is not None else ""
    return f"{error.strerror or error}{where}; check the path and its permissions"


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while a command runs, so that `finally` blocks remove temporary files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status: 0 success, 1 the computation failed, 2 bad input.

    Bad input (an `InputError`, such as a `UsageError` or `RecordingError`, or a path that cannot be read or
    written) prints one line to stderr and returns 2; a `ComputationError` prints one line and returns 1; any
    other exception is a bug: its traceback is printed and the status is 1. Argument-syntax errors exit 2 through
    `SystemExit`, as argparse does.

    Run as the console script (`argv` None), it first enables JAX's persistent compilation cache (see
    `CICRJAX_CACHE_DIR`) and keeps fits' traced programs beside it (`executables/`, see
    cicrjax/_executable_cache.py); calls with an explicit `argv` (tests, embedding) leave both off.
    """
    args = build_parser().parse_args(argv)
    if argv is None:
        enable_compilation_cache()
        folder = compilation_cache_dir()
        if folder is not None:  # and a fit's traced programs, so a later run skips tracing: see that module
            enable_executable_cache(Path(folder) / "executables")
    prefix = f"cicrjax {args.command}: error:"
    try:
        with _terminate_as_interrupt():
            return args.func(args) or 0
    except InputError as error:
        sys.stderr.write(f"{prefix} {one_line(error)}\n")
        return 2
    except ComputationError as error:
        sys.stderr.write(f"{prefix} {one_line(error)}\n")
        return 1
    except OSError as error:
        if error.errno not in USER_OS_ERRORS:
            traceback.print_exc()
            return 1
        sys.stderr.write(f"{prefix} {_os_message(error)}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"cicrjax {args.command}: interrupted\n")
        return 130
    except Exception:
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
