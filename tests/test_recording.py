"""Recordings: every loader round-trips, real recordings load with the right sampling, every bad input is named."""

import csv

import numpy as np
import pytest

import cicrjax
from cicrjax import Recording, RecordingError, load_recording, save_recording

tifffile = pytest.importorskip("tifffile")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _recording(n=50, traces=2, kind="raw"):
    t = np.arange(n) / 100.0
    ys = np.stack([1.5 + np.sin(2 * np.pi * (k + 1) * t) for k in range(traces)])
    return Recording(t, ys, kind=kind, names=tuple(f"cell{k}" for k in range(traces)), pacing_period=0.2)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_save_and_load_round_trip(tmp_path, suffix):
    rec = _recording()
    save_recording(rec, tmp_path / f"r{suffix}")
    back = load_recording(tmp_path / f"r{suffix}", pacing_period=0.2)
    np.testing.assert_array_equal(back.time, rec.time)
    np.testing.assert_array_equal(back.traces, rec.traces)
    assert back.names == rec.names and back.kind == "raw" and back.pacing_period == 0.2
    assert back.sampling_rate == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("header", "factor"),
    [("time_s", 1.0), ("time_ms", 1e-3), ("t [ms]", 1e-3), ("Time (s)", 1.0), ("t_us", 1e-6), ("time (min)", 60.0)],
)
def test_time_units_come_from_the_column_name(tmp_path, header, factor):
    path = _write(tmp_path / "r.csv", f'"{header}",F\n0,1\n2,2\n4,3\n')
    rec = load_recording(path)
    np.testing.assert_allclose(rec.time, np.array([0, 2, 4]) * factor)


def test_time_unit_option_sampling_rate_and_several_cells(tmp_path):
    rec = load_recording(_write(tmp_path / "a.csv", "time,c1,c2,c3\n0,1,2,3\n5,4,5,6\n"), time_unit="ms")
    np.testing.assert_allclose(rec.time, [0.0, 0.005])
    assert rec.n_traces == 3 and rec.names == ("c1", "c2", "c3")
    rec = load_recording(_write(tmp_path / "b.csv", "F\n1\n2\n3\n4\n"), sampling_rate=20.0)
    np.testing.assert_allclose(rec.time, [0, 0.05, 0.1, 0.15])
    rec = load_recording(_write(tmp_path / "c.tsv", "time_s\tdF_over_F0\n0\t0.1\n1\t0.2\n"))
    assert rec.kind == "df_f0"
    rec = load_recording(_write(tmp_path / "d.csv", "time_s;F\n0;1,5\n1;2,5\n"), delimiter=";", decimal=",")
    np.testing.assert_allclose(rec.traces, [[1.5, 2.5]])
    rec = load_recording(
        _write(tmp_path / "e.csv", "# exported\n0,1\n1,2\n2,3\n"), time_column="column1", time_unit="s"
    )
    np.testing.assert_allclose(rec.traces, [[1, 2, 3]])


def test_missing_values_drop_and_interpolate(tmp_path):
    path = _write(tmp_path / "r.csv", "time_s,a,b\n0,1,10\n1,nan,20\n2,3,\n3,4,40\n")
    with pytest.raises(RecordingError, match=r"2 NaN/inf/empty value\(s\) \('a': 1, 'b': 1\).*line 3.*--nan"):
        load_recording(path)
    dropped = load_recording(path, nan="drop")
    np.testing.assert_allclose(dropped.time, [0, 3])
    filled = load_recording(path, nan="interpolate")
    np.testing.assert_allclose(filled.traces, [[1, 2, 3, 4], [10, 20, 30, 40]])
    inf = _write(tmp_path / "inf.csv", "time_s,a\n0,1\n1,inf\n2,3\n")
    with pytest.raises(RecordingError, match="1 NaN/inf/empty value.*line 3"):
        load_recording(inf)


def test_npy_npz_round_trip(tmp_path):
    y = np.random.default_rng(0).normal(size=(3, 40))
    np.save(tmp_path / "r.npy", y)
    rec = load_recording(tmp_path / "r.npy", sampling_rate=50.0)
    np.testing.assert_array_equal(rec.traces, y)
    np.testing.assert_allclose(rec.time, np.arange(40) / 50.0)
    np.savez(tmp_path / "r.npz", time_ms=np.arange(40) * 2.0, a=y[0], b=y[1])
    rec = load_recording(tmp_path / "r.npz")
    assert rec.names == ("a", "b")
    np.testing.assert_allclose(rec.time, np.arange(40) * 0.002)
    np.testing.assert_array_equal(rec.traces, y[:2])


def test_suite2p_folder_neuropil_and_iscell(tmp_path):
    rng = np.random.default_rng(1)
    F, Fneu = rng.uniform(100, 200, (4, 30)), rng.uniform(10, 20, (4, 30))
    plane = tmp_path / "suite2p" / "plane0"
    plane.mkdir(parents=True)
    np.save(plane / "F.npy", F)
    np.save(plane / "Fneu.npy", Fneu)
    np.save(plane / "iscell.npy", np.array([[1, 0.9], [0, 0.1], [1, 0.8], [1, 0.7]]))
    np.save(plane / "ops.npy", np.array({"fs": 30.0, "neucoeff": 0.7}, dtype=object), allow_pickle=True)
    rec = load_recording(tmp_path)
    np.testing.assert_allclose(rec.traces, (F - 0.7 * Fneu)[[0, 2, 3]])
    assert rec.names == ("roi0", "roi2", "roi3") and rec.sampling_rate == pytest.approx(30.0)
    rec = load_recording(plane, neuropil=0.0, only_cells=False)
    np.testing.assert_allclose(rec.traces, F)


def test_line_scan_tiff_kymograph_and_metadata(tmp_path):
    image = np.random.default_rng(2).integers(100, 4000, (300, 64)).astype(np.uint16)  # lines × pixels
    tifffile.imwrite(tmp_path / "scan.tif", image, metadata={"line_time": 0.002, "pixel_size": 0.2})
    rec = load_recording(tmp_path / "scan.tif")
    np.testing.assert_allclose(rec.traces[0], image.mean(axis=1))
    np.testing.assert_allclose(rec.time, np.arange(300) * 0.002)
    assert rec.image.shape == (64, 300) and rec.pixel_size == pytest.approx(0.2)
    tifffile.imwrite(
        tmp_path / "ij.tif", image, imagej=True, metadata={"finterval": 0.001, "unit": "um"}, resolution=(4.0, 4.0)
    )
    rec = load_recording(tmp_path / "ij.tif")
    assert rec.sampling_rate == pytest.approx(1000.0) and rec.pixel_size == pytest.approx(0.25)
    tifffile.imwrite(tmp_path / "bare.tif", image)
    with pytest.raises(RecordingError, match="no line time.*--line-time"):
        load_recording(tmp_path / "bare.tif")
    rec = load_recording(tmp_path / "bare.tif", line_time=0.01, time_axis=1)
    np.testing.assert_allclose(rec.traces[0], image.mean(axis=0))
    rec = load_recording(tmp_path / "bare.tif", line_time=0.01, pixels=(10, 20))
    np.testing.assert_allclose(rec.traces[0], image[:, 10:20].mean(axis=1))
    with pytest.raises(RecordingError, match=r"pixels=\(10, 99\) outside the 64 pixels"):
        load_recording(tmp_path / "bare.tif", line_time=0.01, pixels=(10, 99))


def test_petab_measurement_table(shared_data):
    rec = load_recording(shared_data / "petab-sneyd2002" / "measurementData_Sneyd_PNAS2002.tsv")
    assert rec.n_traces == 9 and rec.n_samples == 15
    np.testing.assert_allclose(rec.time, np.round(np.arange(15) * 0.07, 2))
    assert rec.names[0] == "Ca_dose_response__1:open_probability"
    with open(shared_data / "petab-sneyd2002" / "measurementData_Sneyd_PNAS2002.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert rec.traces[0, 1] == float(rows[1]["measurement"])


# ---------------------------------------------------------------- real recordings


def test_comb_cardiac_paced_loads_at_1khz_with_seven_beats(shared_data):
    rec = load_recording(shared_data / "comb-cardiac-paced" / "ca_bcl140_pacing.csv", pacing_period=0.14)
    assert rec.n_samples == 1000 and rec.kind == "raw"
    assert rec.sampling_rate == pytest.approx(1000.0)  # the time column is in ms
    by_period = cicrjax.detect_beats(rec.time, rec.traces[0], pacing_period=rec.pacing_period)
    by_peaks = cicrjax.detect_beats(rec.time, rec.traces[0])
    assert len(by_period) == 7 and len(by_peaks) == 7
    assert np.allclose(np.diff(rec.time[by_peaks.peak]), 0.14, atol=0.01)


BEATPROFILER = {"ca_monolayer_20fps": 19.9, "ca_spheroid_100fps": 99.9, "ca_tissue_20fps": 19.92}


@pytest.mark.parametrize("name", sorted(BEATPROFILER))
def test_beatprofiler_frame_rates_and_metrics(shared_data, name):
    folder = shared_data / "beatprofiler-ipsc-cm-ca"
    rec = load_recording(folder / f"{name}.csv", columns=["dF_over_F0"])
    assert rec.kind == "df_f0"
    assert rec.sampling_rate == pytest.approx(BEATPROFILER[name], rel=2e-3)
    with open(folder / "beatprofiler_summary_metrics.csv") as f:
        summary = {row["recording"]: row for row in csv.DictReader(f)}[name]
    metrics = cicrjax.beat_metrics(rec.time, rec.traces[0], cicrjax.detect_beats(rec.time, rec.traces[0]))
    # the same definitions as BeatProfiler: peak amplitude and time from peak to 50% / 90% relaxation
    assert np.mean(metrics["amplitude"]) == pytest.approx(float(summary["mean amplitude [df/F0]"]), rel=0.03)
    assert np.mean(metrics["t50"]) == pytest.approx(float(summary["mean relax50 [s]"]), rel=0.05)
    assert np.nanmean(metrics["t90"]) == pytest.approx(float(summary["mean relax90 [s]"]), rel=0.05)
    # BeatProfiler's contract90 is the time from 10% of the amplitude to the peak: our time to peak
    assert np.mean(metrics["time_to_peak"]) == pytest.approx(float(summary["mean contract90 [s]"]), rel=0.02)
    raw = load_recording(folder / f"{name}.csv", columns=["raw_mean_intensity_au"])
    assert raw.kind == "raw" and raw.n_samples == rec.n_samples
    raw_metrics = cicrjax.beat_metrics(raw.time, raw.traces[0], cicrjax.detect_beats(raw.time, raw.traces[0]))
    assert np.mean(raw_metrics["amplitude"]) == pytest.approx(float(summary["mean raw amplitude [a.u.]"]), rel=0.03)
    # our own ΔF/F0 (F0 = 5th percentile of the raw trace) against BeatProfiler's
    ours = cicrjax.normalise(raw, "df_f0", q=5)
    ours_metrics = cicrjax.beat_metrics(ours.time, ours.traces[0], cicrjax.detect_beats(ours.time, ours.traces[0]))
    assert np.mean(ours_metrics["amplitude"]) == pytest.approx(float(summary["mean amplitude [df/F0]"]), rel=0.03)


# ---------------------------------------------------------------- bad input


BAD_TEXT = {
    "empty": ("", "empty"),
    "header only": ("time_s,F\n", "only a header"),
    "no time column": ("F,G\n1,2\n3,4\n", r"no time column.*sampling_rate"),
    "two time columns": ("time_s,time_ms,F\n0,0,1\n1,1000,2\n", "several time columns"),
    "duplicated column": ("time_s,F,F\n0,1,2\n1,3,4\n", "'F' appears twice"),
    "decreasing times": ("time_s,F\n0,1\n2,2\n1,3\n", r"goes backwards at line 4 \(1 after 2\)"),
    "duplicated times": ("time_s,F\n0,1\n1,2\n1,3\n", "duplicated time 1 .* lines 3 and 4"),
    "text in numbers": ("time_s,F\n0,1\n1,abc\n", r"line 3, column 'F' has text 'abc'"),
    "ragged row": ("time_s,F\n0,1\n1,2,3\n", "ragged row: line 3 has 3 fields"),
    "semicolons, ragged": ("time_s;F\n0;1\n1;2;3\n", r"semicolon-separated.*delimiter=';'"),
    "decimal comma": ('time_s,F\n0,"1,5"\n1,"2,5"\n', r"decimal comma.*decimal=','"),
    "decimal comma unquoted": ("time_s,F\n0,1,5\n1,2,5\n", r"ragged row.*decimal commas"),
    "single sample": ("time_s,F\n0,1\n", r"a single sample \(line 2\)"),
    "unknown unit": ("time [fortnights],F\n0,1\n1,2\n", "unknown time unit 'fortnights'"),
    "no unit": ("time,F\n0,1\n1,2\n", r"gives no unit.*--time-unit"),
    "negative ratio": (
        "time_s,ratio_340_380\n0,1.2\n1,-0.1\n2,0\n",
        r"2 zero or negative .*'ratio_340_380', first at lines 3, 4",
    ),
    "nan time": ("time_s,F\n0,1\nnan,2\n1,3\n", r"time column 'time_s' has 1 missing.*line 3"),
    "mixed kinds": ("time_s,raw_au,dF_over_F0\n0,1,0\n1,2,1\n", "different signals"),
}


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_every_bad_text_input_has_one_clear_error(tmp_path, case):
    text, message = BAD_TEXT[case]
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(RecordingError, match=message) as info:
        load_recording(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_separator_and_decimal_comma_are_sniffed_and_stated(tmp_path):
    """An ImageJ export as a German Excel saves it (BOM, semicolons, decimal commas, a bare `Time` column) loads with
    only the time unit given; a sniffed separator or decimal comma is stated in the provenance."""
    text = "\ufeffTime;Mean1;Mean2\n0;1,5;2,25\n0,05;1,75;2,5\n0,1;-1,25e-1;2\n"
    rec = load_recording(_write(tmp_path / "ij.csv", text), time_unit="s")
    np.testing.assert_array_equal(rec.time, [0.0, 0.05, 0.1])
    np.testing.assert_array_equal(rec.traces, [[1.5, 1.75, -0.125], [2.25, 2.5, 2.0]])
    assert rec.names == ("Mean1", "Mean2") and "semicolon-separated; decimal commas" in rec.provenance
    rec = load_recording(_write(tmp_path / "t.csv", "time_s\tF\n0\t1.5\n1\t2.5\n"))
    assert rec.traces.tolist() == [[1.5, 2.5]] and "tab-separated" in rec.provenance
    rec = load_recording(_write(tmp_path / "i.csv", " ,Mean1\n1,1.5\n2,1.7\n3,1.2\n"), sampling_rate=10.0)
    assert rec.names == ("Mean1",) and "row numbers (dropped)" in rec.provenance
    with pytest.raises(RecordingError, match=r"line 3, column 'F' has '2,5', a decimal comma"):  # mixed: not sniffed
        load_recording(_write(tmp_path / "d.csv", "time_s;F\n0;1.5\n1;2,5\n"))


def test_bad_options_and_mismatches(tmp_path):
    good = _write(tmp_path / "g.csv", "time_ms,F\n0,1\n1,2\n2,3\n")
    with pytest.raises(RecordingError, match="contradicts the time column"):
        load_recording(good, sampling_rate=10.0)
    with pytest.raises(RecordingError, match="contradicts the column name"):
        load_recording(good, time_unit="s")
    with pytest.raises(RecordingError, match="no column 'G'"):
        load_recording(good, columns=["G"])
    with pytest.raises(RecordingError, match="nan='skip' is not one of"):
        load_recording(good, nan="skip")
    with pytest.raises(RecordingError, match="no such file"):
        load_recording(tmp_path / "missing.csv")
    with pytest.raises(RecordingError, match="without suite2p output"):
        load_recording(tmp_path)
    with pytest.raises(RecordingError, match="fewer than one beat"):
        cicrjax.detect_beats(np.arange(100) / 1000.0, np.ones(100), pacing_period=0.14)


def test_binary_garbage_and_broken_files(tmp_path):
    garbage = np.random.default_rng(3).bytes(2000)
    for suffix, message in (
        (".csv", "binary content"),
        (".npy", "not a readable .npy"),
        (".npz", "not a readable .npz"),
        (".tif", "unreadable TIFF"),
        (".dat", "binary content"),
    ):
        (tmp_path / f"g{suffix}").write_bytes(garbage)
        with pytest.raises(RecordingError, match=message):
            load_recording(tmp_path / f"g{suffix}", sampling_rate=10.0)
    image = np.arange(200 * 50, dtype=np.uint16).reshape(200, 50)
    tifffile.imwrite(tmp_path / "full.tif", image, metadata={"line_time": 0.001})
    data = (tmp_path / "full.tif").read_bytes()
    for cut in (len(data) // 2, 100):
        (tmp_path / "cut.tif").write_bytes(data[:cut])
        with pytest.raises(RecordingError, match="unreadable TIFF.*truncated"):
            load_recording(tmp_path / "cut.tif")
    tifffile.imwrite(tmp_path / "movie.tif", np.zeros((5, 8, 8), np.uint16))
    with pytest.raises(RecordingError, match="only 2-D x–t line scans"):
        load_recording(tmp_path / "movie.tif", line_time=0.001)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(RecordingError, match="not a readable .npy"):
        load_recording(tmp_path / "obj.npy", sampling_rate=1.0)


def test_recording_validates_itself():
    with pytest.raises(RecordingError, match="strictly increasing"):
        Recording(np.array([0.0, 1.0, 1.0]), np.ones(3))
    with pytest.raises(RecordingError, match="at least 2 samples"):
        Recording(np.array([0.0]), np.ones(1))
    with pytest.raises(RecordingError, match="unknown signal kind"):
        Recording(np.arange(3.0), np.ones(3), kind="volts")
    with pytest.raises(RecordingError, match="NaN or inf"):
        Recording(np.arange(3.0), np.array([1.0, np.nan, 2.0]))
    rec = _recording()
    assert not rec.traces.flags.writeable


def test_fast_and_careful_parsers_agree(tmp_path):
    rng = np.random.default_rng(4)
    rows = np.column_stack(
        [np.arange(200) * 0.5, rng.normal(size=(200, 3)) * 10.0 ** rng.integers(-300, 300, (200, 3))]
    )
    body = "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows)
    fast = load_recording(_write(tmp_path / "fast.csv", "time_ms,a,b,c\n" + body))  # numpy.loadtxt path
    careful = load_recording(_write(tmp_path / "careful.csv", "# comment\ntime_ms,a,b,c\n" + body))  # csv path
    np.testing.assert_array_equal(fast.time, careful.time)
    np.testing.assert_array_equal(fast.traces, careful.traces)
    np.testing.assert_array_equal(fast.traces, rows[:, 1:].T)
    with pytest.raises(RecordingError, match="line 3, column 'b' has text '1_0'"):
        load_recording(_write(tmp_path / "u.csv", "time_s,a,b\n0,1,2\n1,2,1_0\n"))


def test_bad_suite2p_and_npz_inputs(tmp_path):
    plane = tmp_path / "plane0"
    plane.mkdir()
    np.save(plane / "F.npy", np.ones((3, 20)))
    with pytest.raises(RecordingError, match=r"Fneu.npy is missing.*neuropil=0"):
        load_recording(tmp_path, sampling_rate=10.0)
    with pytest.raises(RecordingError, match="ops.npy with the frame rate 'fs' is missing.*--sampling-rate"):
        load_recording(tmp_path, neuropil=0.0)
    np.save(plane / "Fneu.npy", np.ones((3, 19)))
    with pytest.raises(RecordingError, match=r"Fneu.npy has shape \(3, 19\) but F.npy has \(3, 20\)"):
        load_recording(tmp_path, sampling_rate=10.0)
    np.save(plane / "Fneu.npy", np.ones((3, 20)))
    np.save(plane / "iscell.npy", np.zeros((3, 2)))
    with pytest.raises(RecordingError, match="marks no ROI as a cell"):
        load_recording(tmp_path, sampling_rate=10.0)
    np.savez(tmp_path / "r.npz", time_s=np.arange(5.0), traces=np.ones((2, 6)))
    with pytest.raises(RecordingError, match=r"time array 'time_s' has shape \(5,\) but the traces have 6 samples"):
        load_recording(tmp_path / "r.npz")
    np.savez(tmp_path / "t.npz", time_s=np.arange(5.0), time_ms=np.arange(5.0), a=np.ones(5))
    with pytest.raises(RecordingError, match="several time arrays"):
        load_recording(tmp_path / "t.npz")
    np.save(tmp_path / "cube.npy", np.ones((2, 3, 4)))
    with pytest.raises(RecordingError, match=r"shape \(2, 3, 4\)"):
        load_recording(tmp_path / "cube.npy", sampling_rate=1.0)
    np.save(tmp_path / "one.npy", np.ones(1))
    with pytest.raises(RecordingError, match="a single sample"):
        load_recording(tmp_path / "one.npy", sampling_rate=1.0)
