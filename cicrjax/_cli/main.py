"""Entry point of the `cicrjax` console script: subcommands, and the error policy."""

import sys
from importlib.metadata import entry_points

from . import demo, gain, inspect, models, simulate, synth
from .errors import Parser, UsageError

# Each subcommand module provides `add_parser(subparsers)` (which sets `func`) and its own `run(args)`.
COMMANDS = (models, simulate, demo, inspect, synth, gain)
# Packages layered above cicrjax (such as `fitting`) add subcommands through this entry-point group, naming a
# module with the same `add_parser` function; cicrjax itself never imports them.
PLUGIN_GROUP = "cicrjax.commands"


def build_parser() -> Parser:
    parser = Parser(prog="cicrjax", description="Differentiable CICR models: simulate, fit and explore.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        plugin.load().add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; predictable bad input prints one line to stderr and exits with status 2."""
    args = build_parser().parse_args(argv)
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
