"""Guess the signal kind of a trace from its column name (`dF_over_F0` is ΔF/F0, `ratio_340_380` a ratio, ...)."""

import re

from .errors import RecordingError
from .recording import KINDS

_RULES = (
    ("raw", re.compile(r"raw|fluo|intensity|counts|\bau\b|_au$|a\.u\.", re.IGNORECASE)),
    ("df_f0", re.compile(r"d_?f_?(over_?)?/?f0|delta_?f|dff|Δf", re.IGNORECASE)),
    ("f_f0", re.compile(r"f_?(over_?)?/?f0", re.IGNORECASE)),
    ("ratio", re.compile(r"ratio|340|fura", re.IGNORECASE)),
    ("calcium", re.compile(r"calcium|\[ca|^ca_?(?:i_)?(?:um|nm|µm|uM)\b|^cai?$", re.IGNORECASE)),
)


def kind_from_name(name: str) -> str:
    """The signal kind a column name suggests; `raw` when it says nothing."""
    for kind, pattern in _RULES:
        if pattern.search(name):
            return kind
    return "raw"


def resolve_kind(names, kind: str | None, source: str) -> str:
    """`kind` if given (checked against what the names say), else the kind all trace names agree on; raises if they
    disagree."""
    guesses = {name: kind_from_name(name) for name in names}
    if kind is not None:
        if kind not in KINDS:
            raise RecordingError(f"{source}: unknown signal kind {kind!r}; use one of {', '.join(KINDS)} (--kind)")
        named = sorted(set(guesses.values()) - {"raw"})
        if named and kind not in named:
            raise RecordingError(
                f"{source}: kind={kind!r} (--kind {kind}) contradicts the column(s) {', '.join(names)}, which hold "
                f"{', '.join(named)}; drop it or declare kind={named[0]!r}"
            )
        return kind
    if len(set(guesses.values())) > 1:
        listed = ", ".join(f"{n!r} looks like {k}" for n, k in guesses.items())
        raise RecordingError(
            f"{source}: the trace columns hold different signals ({listed}); choose one with columns=[...] "
            "(--column NAME) or declare kind=... (--kind)"
        )
    return next(iter(guesses.values()))
