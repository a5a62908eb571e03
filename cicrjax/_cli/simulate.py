"""`cicrjax simulate MODEL ...`: integrate one model and write its trajectory as CSV (and a plot)."""

import jax.numpy as jnp
import numpy as np

from .._errors import ComputationError
from .._models import get_model
from .._parameters import with_parameters
from .._protocol_spec import SYNTAX, parse_protocol
from .._sbml import load_sbml
from .._simulate import simulate
from .errors import UsageError, parse_float, parse_pairs
from .output import atomic_path, check_writable, save_figure


def add_parser(sub):
    p = sub.add_parser(
        "simulate",
        help="simulate a model and write a CSV",
        description="Simulate MODEL and write t (s) and every state (µM) to a CSV file.",
    )
    p.add_argument("model", help="model CLI name (see `cicrjax models`) or an SBML file (.xml; times in its unit)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter")
    p.add_argument("--t-end", default="60", metavar="S", help="end time in s (default 60)")
    p.add_argument("--dt", default=None, metavar="S", help="output interval in s (default t-end/1000)")
    p.add_argument("--protocol", action="append", default=[], metavar="SPEC", help=f"stimulus: {SYNTAX}")
    p.add_argument("--rtol", default="1e-6", help="relative tolerance (default 1e-6)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV")
    p.add_argument("--plot", default=None, metavar="FILE.png", help="also plot the states to this PNG")
    p.set_defaults(func=run)


SBML_SUFFIXES = (".xml", ".sbml")  # a MODEL argument with one of these suffixes is read as an SBML file


def parse_settings(items: list[str]) -> dict[str, float]:
    """Turn `NAME=VALUE` strings into a dict, or raise `UsageError` naming the bad or repeated item."""
    return {name: parse_float(text, f"--set {name}") for name, text in parse_pairs(items, "--set", "beta=0.4").items()}


def time_grid(t_end_text: str, dt_text: str | None) -> np.ndarray:
    """Save times 0, dt, ..., t_end (s) from the CLI's --t-end and --dt."""
    t_end = parse_float(t_end_text, "--t-end")
    if t_end <= 0:
        raise UsageError(f"--t-end must be > 0 s, got {t_end_text}")
    dt = t_end / 1000 if dt_text is None else parse_float(dt_text, "--dt")
    if dt <= 0:
        raise UsageError(f"--dt must be > 0 s, got {dt_text}")
    if dt > t_end:
        raise UsageError(f"--dt ({dt:g} s) must not exceed --t-end ({t_end:g} s); choose a smaller --dt")
    n = int(np.floor(t_end / dt + 1e-9)) + 1
    if n > 10_000_001:
        raise UsageError(f"--t-end/--dt asks for {n} save points; use a larger --dt (at most 1e7 points)")
    return np.arange(n) * dt


def write_csv(path, ts, ys, states) -> None:
    """Write `t` and one column per state, atomically."""
    with atomic_path(path) as tmp:
        np.savetxt(tmp, np.column_stack([ts, ys]), delimiter=",", header=",".join(("t", *states)), comments="")


def plot_states(path, sol, title, time_unit="s") -> None:
    """Plot every state against time to a PNG (`cicrjax.plot.trajectories`), atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from ..plot import trajectories

    save_figure(trajectories(sol, title=title, time_unit=time_unit), path)


def run(args):
    model = load_sbml(args.model) if args.model.lower().endswith(SBML_SUFFIXES) else get_model(args.model)()
    cls = type(model)
    model = with_parameters(model, parse_settings(args.set))
    ts = time_grid(args.t_end, args.dt)
    rtol = parse_float(args.rtol, "--rtol")
    if not 0 < rtol < 1:
        raise UsageError(f"--rtol must lie in (0, 1), got {args.rtol}")
    protocol = parse_protocol(args.protocol, model)
    out = check_writable(args.out, "--out")
    plot = None if args.plot is None else check_writable(args.plot, "--plot")
    sol = simulate(model, jnp.asarray(ts), protocol=protocol, rtol=rtol, atol=rtol * 1e-3, throw=False)
    if not bool(sol.success):
        raise ComputationError(
            f"the integration of {cls.name} failed: {sol.failure()}; shorten --t-end, loosen --rtol or check "
            "the --set values"
        )
    ys = np.asarray(sol.ys)
    write_csv(out, ts, ys, cls.states)
    if plot is not None:
        plot_states(plot, sol, f"{cls.name}: {cls.citation}", cls.time_unit)
    unit = "" if cls.time_unit == "s" else f" in {cls.time_unit}"
    print(f"wrote {out} ({len(ts)} rows: t{unit}, {', '.join(cls.states)})" + (f" and {plot}" if plot else ""))
