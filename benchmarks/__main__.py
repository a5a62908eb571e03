"""Run the benchmark suite: `python -m benchmarks [--quick] [--json FILE] [--case NAME ...]`.

Prints one table of rows (cicrjax time, peer, peer time, ratio = cicrjax/peer, target, errors against a tight
reference) and writes them as JSON. Cases: single, batch, gradient, fit, cold, solvers (full suite only; see
benchmarks/README.md).
A missing peer is reported as a skipped row. `--quick` uses fewer repeats and smaller sizes (under 5 minutes on 2
cores); the full suite is what benchmarks/README.md reports.
"""

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
import traceback

from ._report import Row, table, write_json

CASES = ("single", "batch", "gradient", "fit", "cold", "solvers")


def _machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip() if os.name == "posix" else ""
    versions = {}
    for name in ("jax", "diffrax", "equinox", "scipy", "roadrunner", "numpy"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except (ImportError, AttributeError):
            versions[name] = None
    return {"cpu": cpu, "nproc": os.cpu_count(), "python": platform.python_version(), "uptime": load, **versions}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (< 5 min on 2 cores)")
    parser.add_argument("--json", metavar="FILE", help="write the rows (and the machine) as JSON to FILE")
    parser.add_argument("--case", nargs="+", choices=CASES, default=list(CASES), metavar="NAME",
                        help=f"cases to run (default all): {', '.join(CASES)}")  # fmt: skip
    args = parser.parse_args(argv)
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "quick": args.quick, **_machine()}
    print(f"{meta['cpu']}, {meta['nproc']} cores; {meta['uptime']}", flush=True)
    rows: list[Row] = []
    start = time.perf_counter()
    for name in args.case:
        t = time.perf_counter()
        print(f"[{name}] running ...", flush=True)
        try:
            case_rows = importlib.import_module(f".{name}", __package__).run(args.quick)
        except Exception as error:  # one broken case must not hide the others' numbers
            traceback.print_exc()
            case_rows = [Row(name, None, note=f"failed: {type(error).__name__}: {str(error).splitlines()[0][:200]}")]
        rows += case_rows
        print(f"[{name}] {time.perf_counter() - t:.1f} s", flush=True)
        print(table(case_rows), flush=True)
    meta["total_s"] = time.perf_counter() - start
    meta["uptime_end"] = _machine()["uptime"]
    print(f"\nAll cases ({meta['total_s']:.0f} s; load at the end: {meta['uptime_end']}):")
    print(table(rows))
    if args.json:
        write_json(args.json, rows, meta)
        print(f"wrote {args.json}")
    return 1 if any(r.note.startswith("failed") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
