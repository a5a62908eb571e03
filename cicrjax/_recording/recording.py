"""`Recording`: measured traces on a time axis in s, with their signal kind, protocol metadata and provenance."""

import dataclasses
from typing import Literal

import numpy as np

from .errors import RecordingError

SignalKind = Literal["raw", "f_f0", "df_f0", "ratio", "calcium"]
KINDS: tuple[str, ...] = ("raw", "f_f0", "df_f0", "ratio", "calcium")
KIND_TEXT = {
    "raw": "raw fluorescence (a.u.)",
    "f_f0": "F/F0",
    "df_f0": "ΔF/F0",
    "ratio": "ratio (e.g. Fura-2 340/380)",
    "calcium": "Ca (µM)",
}


def _readonly(a: np.ndarray) -> np.ndarray:
    a = a.view()
    a.flags.writeable = False
    return a


@dataclasses.dataclass(frozen=True, eq=False)
class Recording:
    """One or many traces (cells or ROIs) sampled at common times, with what they measure.

    **Arguments:**
    - `time`: strictly increasing sample times (s), shape (samples,).
    - `traces`: finite values, shape (traces, samples); a 1-D array is one trace.
    - `kind`: `"raw"`, `"f_f0"`, `"df_f0"`, `"ratio"` or `"calcium"` (µM).
    - `names`: one name per trace (default `trace0`, `trace1`, ...).
    - `pacing_period`: pacing cycle length (s) if paced; `stimulus_times`: stimulus times (s), if known.
    - `provenance`: where the data came from (file, loader options, generator command).
    - `image`, `pixel_size`: a line-scan kymograph (pixels × lines) and its pixel size (µm), if any.

    **Example:** `Recording(time=np.arange(100) / 1e3, traces=np.ones(100), kind="raw")`
    """

    time: np.ndarray
    traces: np.ndarray
    kind: SignalKind = "raw"
    names: tuple[str, ...] = ()
    pacing_period: float | None = None
    stimulus_times: np.ndarray | None = None
    provenance: str = ""
    image: np.ndarray | None = None
    pixel_size: float | None = None

    def __post_init__(self):
        time = np.asarray(self.time, dtype=float)
        traces = np.asarray(self.traces, dtype=float)
        if traces.ndim == 1:
            traces = traces[None, :]
        if time.ndim != 1:
            raise RecordingError(f"Recording time must be 1-D (samples,), got shape {time.shape}")
        if traces.ndim != 2 or traces.shape[1] != time.shape[0]:
            raise RecordingError(
                f"Recording traces must have shape (traces, {time.shape[0]}) to match time, got {traces.shape}"
            )
        if time.shape[0] < 2:
            raise RecordingError(f"a recording needs at least 2 samples, got {time.shape[0]}")
        if not np.all(np.isfinite(time)):
            raise RecordingError("Recording time has NaN or inf values; drop those samples")
        steps = np.diff(time)
        if np.any(steps <= 0):
            i = int(np.flatnonzero(steps <= 0)[0])
            raise RecordingError(
                f"Recording time must be strictly increasing: sample {i + 1} (t={time[i + 1]:g} s) follows "
                f"t={time[i]:g} s; sort the samples and drop duplicates"
            )
        bad = ~np.isfinite(traces)
        if bad.any():
            raise RecordingError(
                f"Recording traces have {int(bad.sum())} NaN or inf values; drop or interpolate them first"
            )
        if self.kind not in KINDS:
            raise RecordingError(f"unknown signal kind {self.kind!r}; use one of {', '.join(KINDS)}")
        names = tuple(self.names) or tuple(f"trace{i}" for i in range(traces.shape[0]))
        if len(names) != traces.shape[0]:
            raise RecordingError(f"Recording has {traces.shape[0]} traces but {len(names)} names")
        if self.pacing_period is not None and not (np.isfinite(self.pacing_period) and self.pacing_period > 0):
            raise RecordingError(f"pacing_period must be a positive number of s, got {self.pacing_period!r}")
        stim = None if self.stimulus_times is None else _readonly(np.asarray(self.stimulus_times, dtype=float))
        object.__setattr__(self, "time", _readonly(time))
        object.__setattr__(self, "traces", _readonly(traces))
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "stimulus_times", stim)
        if self.pacing_period is not None:
            object.__setattr__(self, "pacing_period", float(self.pacing_period))

    @property
    def n_samples(self) -> int:
        """Number of samples per trace."""
        return self.time.shape[0]

    @property
    def n_traces(self) -> int:
        """Number of traces (cells or ROIs)."""
        return self.traces.shape[0]

    @property
    def sampling_rate(self) -> float:
        """Samples per second (Hz), from the median sampling interval."""
        return float(1.0 / np.median(np.diff(self.time)))

    @property
    def duration(self) -> float:
        """Time from the first to the last sample (s)."""
        return float(self.time[-1] - self.time[0])

    def trace(self, index: int | str = 0) -> np.ndarray:
        """One trace, by position or by name."""
        if isinstance(index, str):
            if index not in self.names:
                raise RecordingError(f"no trace named {index!r}; the traces are {', '.join(self.names)}")
            index = self.names.index(index)
        return self.traces[index]

    def replace(self, **changes) -> "Recording":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def summary(self) -> str:
        """A one-paragraph description: samples, rate, duration, traces and kind."""
        text = (
            f"{self.n_traces} trace(s) of {KIND_TEXT[self.kind]}, {self.n_samples} samples at "
            f"{self.sampling_rate:.6g} Hz over {self.duration:.6g} s"
        )
        if self.pacing_period is not None:
            text += f", paced every {self.pacing_period:.6g} s"
        return text
