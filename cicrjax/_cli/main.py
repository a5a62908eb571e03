"""Entry point of the `cicrjax` console script: subcommands, and the error policy."""

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from . import gain, inspect, models, simulate, synth
from .errors import Parser, UsageError

# Each subcommand module provides `add_parser(subparsers)` (which sets `func`) and its own `run(args)`.
COMMANDS = (models, simulate, inspect, synth, gain)
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
    """Turn on JAX's persistent compilation cache (every compiled program kept), so a second run skips XLA."""
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; predictable bad input prints one line to stderr and exits with status 2.

    Run as the console script (`argv` None), it first enables JAX's persistent compilation cache (see
    `CICRJAX_CACHE_DIR`); calls with an explicit `argv` (tests, embedding) leave JAX's configuration alone.
    """
    args = build_parser().parse_args(argv)
    if argv is None:
        enable_compilation_cache()
    try:
        return args.func(args) or 0
    except (UsageError, ValueError) as error:
        sys.stderr.write(f"cicrjax {args.command}: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("cicrjax: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
