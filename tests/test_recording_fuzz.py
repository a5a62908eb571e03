"""Fuzzing the CSV loader with hypothesis: valid tables round-trip exactly; anything else is a RecordingError."""

import csv
import tempfile
from pathlib import Path

import numpy as np
import pytest

from cicrjax import Recording, RecordingError, load_recording

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import (  # noqa: E402
    HealthCheck,
    given,
    settings,
    strategies as st,  # noqa: E402
)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def tables(draw):
    n = draw(st.integers(2, 25))
    k = draw(st.integers(1, 4))
    steps = draw(st.lists(st.floats(1e-3, 1e3), min_size=n - 1, max_size=n - 1))
    start = draw(st.floats(-1e3, 1e3))
    time = start + np.concatenate([[0.0], np.cumsum(steps)])
    values = np.array(draw(st.lists(st.lists(finite, min_size=k, max_size=k), min_size=n, max_size=n)))
    unit = draw(st.sampled_from(["time_s", "time_ms", "t [ms]", "Time (s)"]))
    return unit, time, values


@FUZZ
@given(tables())
def test_valid_tables_round_trip_exactly(table):
    unit, time, values = table
    if np.any(np.diff(time) <= 0):  # float rounding can merge neighbouring times
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([unit, *(f"cell{j}" for j in range(values.shape[1]))])
            for t, row in zip(time, values, strict=True):
                writer.writerow([repr(float(t)), *(repr(float(v)) for v in row)])
        rec = load_recording(path)
    factor = 1e-3 if "ms" in unit else 1.0
    np.testing.assert_array_equal(rec.time, time * factor)
    np.testing.assert_array_equal(rec.traces, values.T)


cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "nan", "abc", "1,5", "-", " 3 ", "1e400", "0x10", "١٢"]),
    st.text(max_size=5),
)


@st.composite
def messy_tables(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.sampled_from([["time_s", "F"], ["t [ms]", "a", "b"], ["F"], ["time", "x"], ["1", "2"]]))
    rows = draw(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=8))
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    return "\n".join(lines)


def _load_or_error(text: str | bytes, **options):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            rec = load_recording(path, **options)
        except RecordingError as error:
            message = str(error)
            assert message.startswith(str(path)) and "\n" not in message
            return None
    assert isinstance(rec, Recording)
    assert np.all(np.diff(rec.time) > 0) and np.all(np.isfinite(rec.traces))
    return rec


@FUZZ
@given(messy_tables(), st.sampled_from(["error", "drop", "interpolate"]))
def test_messy_tables_load_or_raise_recording_error(text, nan):
    _load_or_error(text, sampling_rate=10.0, nan=nan)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_raise_recording_error(data):
    _load_or_error(data, sampling_rate=10.0)
