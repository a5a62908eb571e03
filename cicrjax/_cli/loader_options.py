"""The loader options of every command that reads a recording (`inspect`, `fit`): one set, parsed one way."""

from .._recording import KINDS
from .._recording.checks import NAN_POLICIES
from .._recording.load import FORMATS
from .errors import UsageError, parse_float

DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}


def add_loader_options(p, *, kind: bool = True) -> None:
    """Add the options of `cicrjax.load_recording` to parser `p` (`--kind` too unless `kind` is False)."""
    p.add_argument("--format", choices=FORMATS, help="override format detection")
    if kind:
        p.add_argument("--kind", choices=KINDS, help="signal kind (default from the column names, else raw)")
    p.add_argument("--column", action="append", default=[], metavar="NAME", help="trace column to use (repeatable)")
    p.add_argument("--time-column", metavar="NAME", help="the time column, if its name is not t/time/time_s/...")
    p.add_argument("--time-unit", metavar="UNIT", help="unit of the time column: s, ms, us or min")
    p.add_argument("--sampling-rate", metavar="HZ", help="sampling rate for files without a time column")
    p.add_argument("--delimiter", metavar="CHAR", help="column separator: ',' ';' tab (default: sniffed)")
    p.add_argument("--decimal", choices=(".", ","), help="decimal mark (default: sniffed)")
    p.add_argument("--nan", default="error", choices=NAN_POLICIES, help="NaN/inf/empty values (default error)")
    p.add_argument("--line-time", metavar="S", help="line-scan TIFF: time per line (s)")
    p.add_argument("--pixel-size", metavar="UM", help="line-scan TIFF: pixel size (µm)")
    p.add_argument("--neuropil", metavar="C", help="suite2p neuropil coefficient (default ops' or 0.7)")
    p.add_argument("--all-rois", action="store_true", help="suite2p: keep ROIs that iscell rejects")


def optional_float(text: str | None, option: str, positive: bool = True) -> float | None:
    """`None`, or the number given to `option` (> 0 unless `positive` is False)."""
    if text is None:
        return None
    value = parse_float(text, option)
    if positive and value <= 0:
        raise UsageError(f"{option} must be > 0, got {text}")
    return value


def loader_options(args) -> dict:
    """The keyword arguments of `cicrjax.load_recording` from the options `add_loader_options` added."""
    return {
        "format": args.format,
        "kind": getattr(args, "kind", None),
        "columns": args.column or None,
        "time_column": args.time_column,
        "time_unit": args.time_unit,
        "sampling_rate": optional_float(args.sampling_rate, "--sampling-rate"),
        "delimiter": None if args.delimiter is None else DELIMITERS.get(args.delimiter, args.delimiter),
        "decimal": args.decimal,
        "nan": args.nan,
        "neuropil": optional_float(args.neuropil, "--neuropil", positive=False),
        "only_cells": not args.all_rois,
        "line_time": optional_float(args.line_time, "--line-time"),
        "pixel_size": optional_float(args.pixel_size, "--pixel-size"),
    }
