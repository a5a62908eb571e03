"""Loading a large CSV recording: cicrjax.load_recording against numpy.loadtxt and pandas.read_csv (if installed).

Run: `python -m benchmarks.load_recording [--rows 1000000] [--traces 3] [--repeats 3]`. The file (time_s plus
`--traces` columns written with 9 significant digits) is made in a temporary folder; figures are medians.
"""

import argparse
import tempfile
from pathlib import Path

import numpy as np

import cicrjax

from ._timing import median_time as _median_time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--traces", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        data = np.column_stack([np.arange(args.rows) / 1000.0, rng.random((args.rows, args.traces))])
        header = ",".join(["time_s", *(f"cell{k}" for k in range(args.traces))])
        np.savetxt(path, data, delimiter=",", header=header, comments="", fmt="%.9g")
        size = path.stat().st_size / 1e6
        ours = _median_time(lambda: cicrjax.load_recording(path), args.repeats)
        loadtxt = _median_time(lambda: np.loadtxt(path, delimiter=",", skiprows=1), args.repeats)
        print(f"{args.rows} rows x {args.traces + 1} columns ({size:.1f} MB)")
        print(f"  cicrjax.load_recording  {ours:.3f} s (validated: units, times, NaN, kinds)")
        print(f"  numpy.loadtxt           {loadtxt:.3f} s")
        try:
            import pandas
        except ImportError:
            return
        pd_time = _median_time(lambda: pandas.read_csv(path), args.repeats)
        print(f"  pandas.read_csv         {pd_time:.3f} s")


if __name__ == "__main__":
    main()
