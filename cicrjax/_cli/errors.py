"""The CLI's error type and argument parser: one-line errors and exit status 2."""

import argparse
import sys

from .._errors import InputError


class UsageError(InputError):
    """A bad command-line option: the message names the option and the fix; the CLI exits with status 2."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (`cicrjax: error: ...`) and exit with status 2."""

    def error(self, message):
        sys.stderr.write(f"cicrjax: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


def parse_float(text: str, option: str) -> float:
    """Parse a number given to `option`, or raise `UsageError` naming the option."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} needs a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"{option} needs a finite number, got {text!r}")
    return value


def parse_int(text: str, option: str, minimum: int, maximum: int | None = None) -> int:
    """Parse a whole number given to `option` within [minimum, maximum], or raise `UsageError` naming the option."""
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{option} needs a whole number, got {text!r}") from None
    if value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise UsageError(f"{option} must be at most {maximum}, got {value}")
    return value


def parse_pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    """`NAME=VALUE` strings of a repeatable option as a dict; a malformed item or a repeated name is a `UsageError`."""
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise UsageError(f"{option} {item!r} is not NAME=VALUE, e.g. {option} {example}")
        if name in out:
            raise UsageError(f"{option} gives {name} twice ({out[name]!r} and {text!r}); give each name once")
        out[name] = text
    return out
