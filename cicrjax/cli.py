"""The command-line toolkit for subcommands that packages layered above cicrjax (such as `fitting`) add through the
`cicrjax.commands` entry-point group: one-line errors, option parsers, loader options and safe output folders.

**Example:** `from cicrjax.cli import UsageError, parse_int, output_folder`
"""

from ._cli.errors import (
    Parser as Parser,
    UsageError as UsageError,
    parse_float as parse_float,
    parse_int as parse_int,
    parse_pairs as parse_pairs,
)
from ._cli.loader_options import add_loader_options as add_loader_options, loader_options as loader_options
from ._cli.main import main as main
from ._cli.output import (
    atomic_path as atomic_path,
    lock_owner as lock_owner,
    output_folder as output_folder,
    save_figure as save_figure,
)
from ._observation.catalogue import known_indicators as known_indicators
from ._recording.suite2p_loader import suite2p_folder as suite2p_folder
