"""Recordings: the `Recording` type, `load_recording` for every supported format, and `save_recording`."""

from .errors import RecordingError as RecordingError
from .load import load_recording as load_recording
from .recording import KINDS as KINDS, Recording as Recording
from .save import save_recording as save_recording
