"""The CLI's error type and argument parser: one-line errors and exit status 2."""

import argparse
import sys


class UsageError(Exception):
    """A predictable bad input: the message names the argument and the fix; the CLI exits with status 2."""


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
