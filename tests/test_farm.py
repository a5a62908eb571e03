"""`cicrjax fit FOLDER`: the manifest (input hash, options, status), resuming after a SIGKILL, refitting a changed
input, and a 2-worker Dask `LocalCluster` that gives the serial run's results."""

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax._cli.main import main
from fitting._cli.fit import fit_chunk
from fitting._farm import _cluster
from fitting._farm._manifest import content_hash, plan, read_status, write_status
from fitting._farm._run import _lost

ROOT = Path(__file__).resolve().parents[1]
TS = np.linspace(0.0, 2.0, 21)
V3S = (0.9, 0.8, 1.0, 0.85)  # cell i: Li–Rinzel Ca (µM) at v3 = V3S[i] µM/s, plus its own noise
ARGV = ["--model", "li-rinzel1994", "--free", "v3", "--bounds", "v3=0.5:1.5", "--start", "v3=0.8"]
ARGV += ["--starts", "4", "--max-iter", "30"]


def _write_cell(path: Path, v3: float, seed: int) -> None:
    model = cicrjax.with_parameters(cicrjax.LiRinzel1994(), {"v3": v3})
    ca = np.asarray(cicrjax.simulate(model, jnp.asarray(TS), rtol=1e-10, atol=1e-12)["C"])
    noisy = ca + 0.002 * np.random.default_rng(seed).normal(size=ca.shape)
    np.savetxt(path, np.column_stack([TS, noisy]), delimiter=",", header="time_s,ca_uM", comments="")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    cells = tmp_path_factory.mktemp("cells")
    for i, v3 in enumerate(V3S):
        _write_cell(cells / f"cell{i}.csv", v3, i)
    return cells


@pytest.fixture(scope="module")
def serial(folder, tmp_path_factory, once_per_session) -> Path:
    """The folder fitted in this process, on one device; once per session, when the module's tests are split over
    two xdist workers too (every worker's `folder` holds the same bytes: its noise is seeded)."""

    def fit() -> Path:
        out = tmp_path_factory.mktemp("serial") / "fits"
        assert main(["fit", str(folder), *ARGV, "--out", str(out)]) == 0
        return out

    return once_per_session("test_farm.serial", fit)


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "summary.csv", encoding="utf-8") as f:
        return {row["name"]: row for row in csv.DictReader(f)}


def _status(out: Path, name: str) -> dict:
    return json.loads((out / name / "status.json").read_text())


def _files(out: Path) -> dict[str, tuple[int, str]]:
    """mtime (ns) and SHA-256 of every file under out/cell*/ but the lock."""
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(out.glob("cell*/*"))
        if p.name != ".cicrjax.lock"
    }


def test_serial_run_writes_manifest_and_summary(serial, folder, capsys):
    """Every recording done once, with its input hash and options; summary.csv holds each estimate inside its 95%
    interval, and within 2% of the v3 that generated the data."""
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["options"]["starts"] == "4" and manifest["options"]["free"] == "v3"
    assert list(manifest["recordings"]) == ["cell0", "cell1", "cell2", "cell3"]
    for name, entry in manifest["recordings"].items():
        assert {**entry, "options": manifest["options"]} == _status(serial, name)
        assert entry["status"] == "done" and entry["hash"] == content_hash(folder / f"{name}.csv")
        assert sorted(p.name for p in (serial / name).iterdir()) == [
            "fit.csv",
            "fit.png",
            "results.json",
            "status.json",
        ]
    rows = _rows(serial)
    assert rows["cell0"]["status"] == "done" and float(rows["cell0"]["r2"]) > 0.99
    for row in rows.values():
        assert float(row["v3_ci_low"]) < float(row["v3"]) < float(row["v3_ci_high"])
    assert [float(row["v3"]) for row in rows.values()] == pytest.approx(V3S, rel=0.02)


def test_rerun_after_sigkill_keeps_finished_work_and_refits_changed_input(serial, folder, tmp_path, capsys):
    """A run with 2 new recordings (4 done before), killed with SIGKILL once it has fitted the 1st and is fitting
    the 2nd: the 5 finished are untouched (mtimes and hashes), the 2nd says "running" with no result and no
    temporary file is left; the same command again fits only the 2nd, then every recording is done once; a changed
    input is refitted, alone."""
    out = tmp_path / "fits"
    shutil.copytree(serial, out)
    cells = tmp_path / "cells"
    shutil.copytree(folder, cells)
    _write_cell(cells / "cell4.csv", 0.95, 4)
    _write_cell(cells / "cell5.csv", 1.05, 5)
    argv = ["fit", str(cells), *ARGV, "--out", str(out)]
    code = "import sys; from cicrjax._cli.main import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if os.environ.get("CICRJAX_CACHE_DIR"):  # the session's compilation cache, which holds the serial run's fit
        env["JAX_COMPILATION_CACHE_DIR"] = os.environ["CICRJAX_CACHE_DIR"]
    with subprocess.Popen([sys.executable, "-c", code, *argv], env=env, stderr=subprocess.PIPE, text=True) as run:
        for line in run.stderr:  # skips the 4 done, fits cell4, then reads cell5 and starts fitting it
            if "[6/6]" in line and "compiling" in line:
                run.send_signal(signal.SIGKILL)
                break
    assert run.returncode == -signal.SIGKILL
    killed = _files(out)
    assert _status(out, "cell4")["status"] == "done"  # fitted by the killed run
    assert _status(out, "cell5")["status"] == "running" and not (out / "cell5" / "results.json").exists()
    assert [p.name for p in out.rglob(".*") if p.name != ".cicrjax.lock"] == []  # no temporary file left

    assert main(argv) == 0  # the same command again
    captured = capsys.readouterr()
    assert "fitted 1 of 6 recording(s)" in captured.out and captured.err.count("already fitted") == 5
    done = _files(out)
    assert {k: v for k, v in done.items() if not k.startswith("cell5/")} == {
        k: v for k, v in killed.items() if not k.startswith("cell5/")
    }
    manifest = json.loads((out / "manifest.json").read_text())["recordings"]
    assert list(manifest) == [f"cell{i}" for i in range(6)]
    assert [e["status"] for e in manifest.values()] == ["done"] * 6
    assert not list(out.rglob(".cicrjax.lock"))

    _write_cell(cells / "cell1.csv", 1.05, 1)  # changed input
    assert main(argv) == 0
    assert "fitted 1 of 6 recording(s)" in capsys.readouterr().out
    after = _files(out)
    assert {k for k in after if after[k] != done[k]} == {
        f"cell1/{n}" for n in ("fit.csv", "fit.png", "results.json", "status.json")
    }
    assert _status(out, "cell1")["hash"] == content_hash(cells / "cell1.csv") != manifest["cell1"]["hash"]
    assert float(_rows(out)["cell1"]["v3"]) == pytest.approx(1.05, rel=0.02)  # was 0.8


def test_two_worker_cluster_gives_the_serial_results(serial, folder, tmp_path, monkeypatch, capsys):
    """`--workers 2` (a LocalCluster) gives the serial run's estimates, intervals and NLL to 1e-10, reports a
    malformed file as failed with its reason, and completes the rest; one progress bar counts them."""
    pytest.importorskip("distributed", reason="the farm needs Dask: pip install 'cicrjax[farm]'")
    cells = tmp_path / "cells"
    shutil.copytree(folder, cells)
    (cells / "zbad.csv").write_text("time_s,ca_uM\n")  # a header and no data; last, so alone in the 2nd chunk
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the workers start after this
    out = tmp_path / "fits"
    assert main(["fit", str(cells), *ARGV, "--out", str(out), "--workers", "2", "--chunk", "4"]) == 1
    err = capsys.readouterr().err
    assert "1 of 5 recording(s) could not be fitted: zbad" in err, err[-3000:]
    assert "recordings [##############################] 5/5: 4 done, 1 failed, 0 skipped" in err
    bad = _status(out, "zbad")
    assert (
        bad["status"] == "failed" and bad["reason"].startswith("cannot be read: ") and "no data rows" in bad["reason"]
    )
    assert sorted(p.name for p in (out / "zbad").iterdir()) == ["status.json"]
    rows, reference = _rows(out), _rows(serial)
    assert rows["zbad"]["status"] == "failed" and rows["zbad"]["reason"] == bad["reason"]
    for name in ("cell0", "cell1", "cell2", "cell3"):
        farm, one = _status(out, name), _status(serial, name)
        assert farm["status"] == "done" and farm["hash"] == one["hash"]
        np.testing.assert_allclose(farm["parameters"]["v3"], one["parameters"]["v3"], rtol=1e-10)
        assert farm["nll"] == pytest.approx(one["nll"], rel=1e-10, abs=1e-10)
        assert {k: rows[name][k] for k in ("status", "r2")} == {k: reference[name][k] for k in ("status", "r2")}


def test_plan_and_hash():
    """A rerun skips done and (unless --retry-failed) failed entries with the same input and options, and refits
    the rest; the hash is SHA-256 of the bytes (of `abc`: FIPS 180-2, appendix B.1)."""
    entry = {"hash": "h", "options": {"starts": "4"}, "status": "done"}
    assert plan(entry, "h", {"starts": "4"}, False) == "done"
    assert plan(entry, "h", {"starts": "8"}, False) == "fit"
    assert plan(entry, "g", {"starts": "4"}, False) == "fit"
    assert plan(entry, None, {"starts": "4"}, False) == "fit"
    assert plan(None, "h", {"starts": "4"}, False) == "fit"
    failed = {**entry, "status": "failed"}
    assert plan(failed, "h", {"starts": "4"}, False) == "failed"
    assert plan(failed, "h", {"starts": "4"}, True) == "fit"


def test_a_dead_workers_chunk_keeps_what_it_finished(tmp_path):
    """A chunk that Dask gave up on (its worker kept dying): the recording finished before is kept as done, the
    other is recorded as failed with the reason; a rescheduled chunk returns a finished recording without refitting."""
    items = [
        {"name": n, "recording": f"{n}.csv", "where": str(tmp_path / n), "hash": "h", "options": {}, "label": ""}
        for n in ("a", "b")
    ]
    done = {"name": "a", "recording": "a.csv", "hash": "h", "options": {}, "status": "done", "reason": None}
    write_status(tmp_path / "a", done)
    assert fit_chunk(None, items[:1]) == [done]  # nothing read, nothing fitted
    reason = "the worker fitting it died (KilledWorker)"
    assert _lost(items, reason) == [
        done,
        {**done, "name": "b", "recording": "b.csv", "status": "failed", "reason": reason},
    ]
    assert read_status(tmp_path / "b")["status"] == "failed"


def test_hash_of_known_bytes(tmp_path):
    (tmp_path / "abc.csv").write_bytes(b"abc")
    assert (
        content_hash(tmp_path / "abc.csv") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_farm_options_are_checked(folder, tmp_path, capsys, monkeypatch):
    """--workers 0, a malformed or silent --scheduler, both at once, or farm options for one recording: one line,
    exit 2, nothing written."""
    monkeypatch.setattr(_cluster, "CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "out"
    base = ["fit", str(folder), *ARGV, "--out", str(out)]
    for extra, match in (
        (["--workers", "0"], "--workers"),
        (["--scheduler", "localhost:8786"], "is not an address like tcp://HOST:PORT"),
        (["--scheduler", "tcp://127.0.0.1:9"], "no Dask scheduler answered"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "not both"),
        (["--chunk", "0"], "--chunk"),
    ):
        assert main([*base, *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and match in err, err
    one = ["fit", str(folder / "cell0.csv"), *ARGV, "--out", str(out), "--workers", "2"]
    assert main(one) == 2
    assert "apply to a folder or glob of recordings" in capsys.readouterr().err
    assert not out.exists()
