"""The error raised for a recording that cannot be read as given."""

from .._errors import InputError


class RecordingError(InputError):
    """A bad recording file or loader option; the one-line message names the file, column or line and the fix.

    An `InputError`, so the CLI prints it as one line and exits with status 2.
    """
