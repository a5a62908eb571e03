"""Fuzzing with hypothesis: valid CSV tables round-trip exactly and anything else is a RecordingError; command-line
option strings parse or raise one one-line InputError (exit 2), never a traceback."""

import contextlib
import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import pytest

from cicrjax import GDB1990, InputError, Recording, RecordingError, load_recording, parse_protocol, with_parameters
from cicrjax._cli.main import main
from cicrjax._cli.simulate import parse_settings

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


# ---------------------------------------------------------------- command-line option strings

number_texts = st.one_of(
    st.floats().map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "-0", "0x10", "1_0", " 3", "abc", "١٢", "1,5", "5e-324"]),
    st.text(max_size=6),
)
PROTOCOL_FIELDS = {
    "constant": ("value",),
    "step": ("time", "after", "before"),
    "pulses": ("period", "width", "amplitude", "count", "start", "baseline"),
    "ramp": ("start", "end", "from", "to"),
}


PLAUSIBLE = {"count": st.integers(1, 4).map(str), "period": st.floats(0.5, 5.0).map(repr)}
PLAUSIBLE["width"] = st.floats(0.01, 0.4).map(repr)


@st.composite
def protocol_specs(draw):
    """`NAME=KIND:key=value,...` strings: mostly a kind's own fields with plausible numbers (β's constraint is
    [0, 1], so some break it), 1 in 10 fields any text, and some wrong names, kinds, missing or repeated fields."""
    name = draw(st.sampled_from(["beta", "beta", "beta", "v0", "VM2", "IP3", ""]))
    kind = draw(st.sampled_from([*PROTOCOL_FIELDS, *PROTOCOL_FIELDS, "square"]))
    fields = PROTOCOL_FIELDS.get(kind, ("value",))

    def value(key):
        if draw(st.integers(0, 9)) == 0:
            return draw(number_texts)
        return draw(PLAUSIBLE.get(key, st.floats(-0.2, 1.5).map(repr)))

    items = [(key, value(key)) for key in fields if draw(st.integers(0, 9))]  # a field is missing 1 in 10
    if draw(st.integers(0, 9)) == 0:
        key = draw(st.sampled_from([*fields, "x"]))
        items.append((key, value(key)))
    return f"{name}={kind}:" + ",".join(f"{k}={v}" for k, v in items)


def _one_line_input_error(call):
    """`call()`'s result, or `None` when it raised a one-line InputError; any other exception fails the test."""
    try:
        return call()
    except InputError as error:
        assert "\n" not in str(error) and str(error)
        return None


@FUZZ
@given(st.lists(protocol_specs(), min_size=1, max_size=2))
def test_protocol_specs_parse_or_raise_one_input_error(specs):
    model = GDB1990()
    protocol = _one_line_input_error(lambda: parse_protocol(specs, model))
    if protocol is not None:
        protocol.check(model)  # a protocol that parsed drives only parameters, within their constraints
        assert np.all(np.isfinite(np.asarray(protocol.jump_times())))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["beta", "VM2", "nope", "", " beta"]), number_texts), max_size=4))
def test_set_options_parse_or_raise_one_input_error(pairs):
    items = [f"{name}={value}" for name, value in pairs]
    model = _one_line_input_error(lambda: with_parameters(GDB1990(), parse_settings(items)))
    if model is not None:
        assert len({name.strip() for name, _ in pairs}) == len(pairs)  # a repeated name never passes


INSPECT_OPTIONS = st.sampled_from(
    ["--sampling-rate", "--threshold", "--time-unit", "--delimiter", "--pacing-period", "--column", "--time-column"]
)


@FUZZ
@given(st.lists(st.tuples(INSPECT_OPTIONS, number_texts.filter(lambda t: not t.startswith("-"))), max_size=3))
def test_inspect_option_strings_exit_0_or_one_line_exit_2(options):
    argv = [item for pair in options for item in pair]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        path.write_text("time_s,F\n" + "".join(f"{i / 20},{np.sin(i / 3):.4f}\n" for i in range(60)))
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                status = main(["inspect", str(path), *argv])
            except SystemExit as exit_:  # argparse: an option given an empty or dash-led value
                status = exit_.code
        assert sorted(p.name for p in Path(folder).iterdir()) == ["r.csv"]
    err = stderr.getvalue()
    assert status in (0, 2) and "Traceback" not in err
    assert (status == 0) == (err == "") and err.count("\n") <= 1
