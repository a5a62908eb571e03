"""The error raised for a recording that cannot be read as given."""


class RecordingError(ValueError):
    """A bad recording file or loader option; the one-line message names the file, column or line and the fix.

    A `ValueError`, so the CLI prints it as one line and exits with status 2.
    """
