"""`cicrjax fit --uncertainty laplace|profile|posterior|none`: the intervals of a fit by that method, the
results.json entries it adds (`ci_method`, `profiles` or `diagnostics`) and the files it writes beside the fit
(`profiles.csv`, `profiles.png`; `posterior.npz`, `chains.png`, `corner.png`, and `posterior.nc` where ArviZ is
installed)."""

import dataclasses
import math
from pathlib import Path

import numpy as np

from cicrjax.cli import UsageError, atomic_path, parse_int, save_figure

METHODS = ("laplace", "profile", "posterior", "none")
# option destination -> (its flag, the method it belongs to, default, least value)
OPTIONS = {
    "profile_points": ("--profile-points", "profile", "8", 2),
    "chains": ("--chains", "posterior", "4", 2),
    "warmup": ("--warmup", "posterior", "500", 1),
    "draws": ("--draws", "posterior", "1000", 4),
}


def add_options(p) -> None:
    """The --uncertainty option of `cicrjax fit` and the options of each method."""
    p.add_argument(
        "--uncertainty",
        choices=METHODS,
        default=None,
        help="95%% intervals: laplace (default: Gauss-Newton or Hessian, symmetric in the transformed coordinate), "
        "profile (likelihood ratio; writes profiles.csv and profiles.png), posterior (NUTS, needs "
        "cicrjax[posterior]; writes posterior.npz, chains.png, corner.png) or none; not with --petab",
    )
    p.add_argument("--profile-points", default=None, metavar="N", help="profile points per side (default 8)")
    p.add_argument("--chains", default=None, metavar="N", help="NUTS chains (default 4)")
    p.add_argument("--warmup", default=None, metavar="N", help="NUTS warm-up steps per chain (default 500)")
    p.add_argument("--draws", default=None, metavar="N", help="NUTS draws per chain (default 1000)")


@dataclasses.dataclass(frozen=True)
class Settings:
    """The checked --uncertainty method and its options."""

    method: str
    profile_points: int = 8
    chains: int = 4
    warmup: int = 500
    draws: int = 1000

    @property
    def intervals(self) -> bool:
        return self.method != "none"


def check_uncertainty(args) -> Settings:
    """The checked --uncertainty settings (`UsageError` for an option of another method, a bad number, or a
    posterior without blackjax), before any input is read."""
    method = args.uncertainty or "laplace"
    values = {}
    for dest, (flag, owner, default, least) in OPTIONS.items():
        text = getattr(args, dest, None)
        if text is not None and method != owner:
            raise UsageError(f"{flag} applies to --uncertainty {owner}; drop it or give --uncertainty {owner}")
        values[dest] = parse_int(default if text is None else text, flag, least)
    if method == "posterior":
        from .._posterior import _blackjax

        _blackjax()  # names the extra to install
    return Settings(method, **values)


@dataclasses.dataclass(frozen=True)
class Intervals:
    """What a method adds to a fit's outputs: `json` entries of results.json and `files` (name → a writer of that
    path, which returns the paths it wrote)."""

    json: dict
    files: dict

    def write(self, out: Path) -> tuple[str, ...]:
        """Write the files into `out`; returns the names written."""
        return tuple(Path(path).name for name, writer in self.files.items() for path in writer(out / name))


def intervals(settings: Settings, problem, result, *, seed: int = 0):
    """The fit `result` with `ci_low`/`ci_high` by the method of `settings` (Laplace: as summarised), and the
    [`Intervals`][] it adds to the outputs. Computed in full before anything is written."""
    base = {"ci_method": settings.method}
    if settings.method in ("laplace", "none"):
        if settings.method == "laplace":
            base["laplace_hessian"] = result.ci_method
        return result, Intervals(base, {})
    if settings.method == "profile":
        from .._profile import profile_likelihood

        profiles = profile_likelihood(problem, result.theta, result.covariance, points=settings.profile_points)
        low = np.array([profiles[n].ci_low for n in result.names])
        high = np.array([profiles[n].ci_high for n in result.names])
        flags = {n: {"open_low": p.open_low, "open_high": p.open_high, "flat": p.flat} for n, p in profiles.items()}
        files = {
            "profiles.csv": lambda path: _profiles_csv(path, profiles),
            "profiles.png": _png(lambda: _profiles_figure(profiles)),
        }
        extra = Intervals({**base, "profiles": flags}, files)
    else:
        from .._posterior import posterior

        post = posterior(
            problem,
            result.theta,
            result.covariance,
            chains=settings.chains,
            warmup=settings.warmup,
            draws=settings.draws,
            seed=seed,
        )
        low, high = post.ci_low, post.ci_high
        from cicrjax.plot import chains, corner

        files = {
            "posterior.npz": post.save,
            "chains.png": _png(lambda: chains(post.samples, post.names)),
            "corner.png": _png(lambda: corner(post.samples, post.names)),
        }
        extra = Intervals({**base, "diagnostics": _finite(post.diagnostics())}, files)
    return dataclasses.replace(result, ci_low=low, ci_high=high), extra


def _finite(value):
    """JSON-ready: NaN and infinities become `None`."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def _profiles_csv(path: Path, profiles: dict) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("parameter,value,theta,nll,delta_nll,converged\n")
        for name, p in profiles.items():
            delta = p.nll - np.nanmin(p.nll)
            for row in zip(p.values, p.theta, p.nll, delta, p.converged, strict=True):
                f.write(f"{name},{row[0]:.10g},{row[1]:.10g},{row[2]:.10g},{row[3]:.10g},{int(row[4])}\n")
    return (path,)


def _png(draw):
    """A writer of the figure that `draw()` returns (a `cicrjax.plot` function's Figure), drawn off screen."""

    def write(path: Path) -> tuple[Path]:
        import matplotlib

        matplotlib.use("Agg")
        fig = draw()
        fig.tight_layout()
        save_figure(fig, path)
        return (path,)

    return write


def _profiles_figure(profiles: dict):
    """Every profile in one figure (`cicrjax.plot.profile`, one panel per parameter)."""
    import matplotlib.pyplot as plt

    from cicrjax.plot import profile

    fig, axes = plt.subplots(1, len(profiles), figsize=(4.0 * len(profiles), 3.0), squeeze=False)
    for ax, p in zip(axes[0], profiles.values(), strict=True):
        profile(p.values, p.nll, name=p.name, estimate=p.estimate, level=p.threshold, ax=ax)
    return fig
