"""The `cicrjax` command line (private; the console script calls `main`)."""

from .main import main as main
