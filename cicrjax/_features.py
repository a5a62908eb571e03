"""Differentiable scalar features of a simulated trajectory: transient shape, oscillation period, mean Ca, store load
and CICR gain. Events (peaks, level crossings) are interpolated between save times, so every feature carries its
derivative with respect to the trajectory, and through `simulate` with respect to the model's parameters."""

import dataclasses
import functools
import warnings
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from ._errors import InputError
from ._model import AbstractModel
from ._muscle_model import AbstractMuscleModel
from ._preprocess import transient_metrics
from ._protocol import Protocol


@dataclasses.dataclass(frozen=True)
class Trace:
    """One trajectory as the features see it: save times `ts` (s, evenly spaced), states `ys` (times × states),
    the time derivative `dca` of cytosolic Ca at each save time (µM/s, from the vector field), the `model` and
    `protocol` that made it, and `mask`, the save times analysed."""

    model: AbstractModel
    ts: Array
    ys: Array
    dca: Array
    protocol: Protocol | None
    mask: Array

    @property
    def ca(self) -> Array:
        """Cytosolic Ca (µM), the model's first state."""
        return self.ys[:, 0]

    @functools.cached_property
    def peak(self) -> tuple[Array, Array, Array]:
        """Index of the largest analysed sample, and the time and height of the interpolated peak next to it."""
        i = jnp.argmax(jnp.where(self.mask, self.ca, -jnp.inf))
        return (i, *_extremum(self, i))

    @functools.cached_property
    def baseline(self) -> Array:
        """Lowest cytosolic Ca before the largest peak (interpolated where it is a trough)."""
        idx = jnp.arange(self.ts.shape[0])
        j = jnp.argmin(jnp.where(self.mask & (idx <= self.peak[0]), self.ca, jnp.inf))
        return _extremum(self, j)[1]

    def hermite(self, i: Array, s: Array, derivative: int = 0) -> Array:
        """The cubic Hermite interpolant of cytosolic Ca (values and slopes at the save times) on interval
        [ts[i], ts[i+1]] at fraction `s`, or its first or second derivative with respect to `s`."""
        y0, y1 = self.ca[i], self.ca[i + 1]
        h = self.ts[i + 1] - self.ts[i]
        m0, m1 = h * self.dca[i], h * self.dca[i + 1]
        basis = {
            0: (2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2),
            1: (6 * s**2 - 6 * s, 3 * s**2 - 4 * s + 1, -6 * s**2 + 6 * s, 3 * s**2 - 2 * s),
            2: (12 * s - 6, 6 * s - 4, -12 * s + 6, 6 * s - 2),
        }[derivative]
        return basis[0] * y0 + basis[1] * m0 + basis[2] * y1 + basis[3] * m1


_NEWTON = 4  # Newton iterations on the cubic interpolant (quadratic convergence from the linear guess)


def _newton(g, dg, s):
    def body(_, s):
        step = g(s) / dg(s)
        return jnp.clip(s - jnp.where(jnp.isfinite(step), step, 0.0), 0.0, 1.0)

    return jax.lax.fori_loop(0, _NEWTON, body, s)


def _extremum(trace: Trace, i: Array) -> tuple[Array, Array]:
    """Time and height of the extremum of the interpolant next to save time `i` (where its slope changes sign),
    so both carry derivatives that do not depend on where the save times fall; sample `i` itself where the slope
    keeps its sign on both sides (an extremum at the edge of the analysed window)."""
    n, m = trace.ts.shape[0], trace.dca
    right = m[i] * m[jnp.minimum(i + 1, n - 1)] <= 0
    left = m[jnp.maximum(i - 1, 0)] * m[i] <= 0
    j = jnp.clip(jnp.where(right, i, i - 1), 0, n - 2)
    s = jnp.clip(m[j] / jnp.where(m[j] != m[j + 1], m[j] - m[j + 1], 1.0), 0.0, 1.0)
    s = _newton(lambda s: trace.hermite(j, s, 1), lambda s: trace.hermite(j, s, 2), s)
    interior = (right & (i < n - 1)) | (left & (i > 0))
    time = jnp.where(interior, trace.ts[j] + s * (trace.ts[j + 1] - trace.ts[j]), trace.ts[i])
    return time, jnp.where(interior, trace.hermite(j, s), trace.ca[i])


def _crossings(trace: Trace, level: Array, mask: Array, upward: bool) -> tuple[Array, Array]:
    """Times where cytosolic Ca crosses `level` (upward or downward) between consecutive analysed samples, found
    on the cubic interpolant, and which of the len(ts) − 1 intervals hold one."""
    y0, y1 = trace.ca[:-1], trace.ca[1:]
    hit = (y0 < level) & (y1 >= level) if upward else (y0 > level) & (y1 <= level)
    hit = hit & mask[:-1] & mask[1:]
    idx = jnp.arange(y0.shape[0])
    s = jnp.clip((level - y0) / jnp.where(hit, y1 - y0, 1.0), 0.0, 1.0)
    s = _newton(lambda s: trace.hermite(idx, s) - level, lambda s: trace.hermite(idx, s, 1), s)
    return trace.ts[:-1] + s * (trace.ts[1:] - trace.ts[:-1]), hit


def _last_before(times: Array, hit: Array, i: Array) -> Array:
    idx = jnp.arange(hit.shape[0])
    hit = hit & (idx < i)
    return jnp.where(jnp.any(hit), times[jnp.argmax(jnp.where(hit, idx, -1))], jnp.nan)


def _first_after(times: Array, hit: Array, i: Array) -> Array:
    hit = hit & (jnp.arange(hit.shape[0]) >= i)
    return jnp.where(jnp.any(hit), times[jnp.argmax(hit)], jnp.nan)


def _amplitude(trace: Trace) -> Array:
    return trace.peak[2] - trace.baseline


def _time_to_peak(trace: Trace) -> Array:
    """From the onset (the last upward crossing of 10% of the amplitude before the largest peak) to that peak."""
    i, t_peak, height = trace.peak
    base = trace.baseline
    times, hit = _crossings(trace, base + 0.1 * (height - base), trace.mask, upward=True)
    return t_peak - _last_before(times, hit, i)


def _fdhm(trace: Trace) -> Array:
    """Full duration at half maximum of the largest transient: from the last upward half-amplitude crossing before
    its peak to the first downward one after it (NaN if either is missing)."""
    i, _, height = trace.peak
    level = 0.5 * (height + trace.baseline)
    up, hit_up = _crossings(trace, level, trace.mask, upward=True)
    down, hit_down = _crossings(trace, level, trace.mask, upward=False)
    return _first_after(down, hit_down, i) - _last_before(up, hit_up, i)


def _decay_tau(trace: Trace) -> Array:
    return transient_metrics(trace.ts, trace.ca, trace.mask)["tau"]


def _period(trace: Trace) -> Array:
    """Mean period over the second half of the analysed window: the least-squares slope of the upward mid-level
    crossing times against their count (for a strict cycle, the interval between crossings; the regression
    averages the interpolation errors of the single crossings). NaN for fewer than 3 crossings or a trace that
    settles (range below 10⁻³ of its maximum)."""
    ts, y = trace.ts, trace.ca
    start = jnp.min(jnp.where(trace.mask, ts, jnp.inf))
    end = jnp.max(jnp.where(trace.mask, ts, -jnp.inf))
    mask = trace.mask & (ts >= 0.5 * (start + end))
    hi = _extremum(trace, jnp.argmax(jnp.where(mask, y, -jnp.inf)))[1]
    lo = _extremum(trace, jnp.argmin(jnp.where(mask, y, jnp.inf)))[1]
    times, hit = _crossings(trace, 0.5 * (hi + lo), mask, upward=True)
    w = hit.astype(ts.dtype)
    n = jnp.sum(w)
    k = jnp.cumsum(w)
    safe_n = jnp.maximum(n, 1.0)
    k_mean, t_mean = jnp.sum(w * k) / safe_n, jnp.sum(w * jnp.where(hit, times, 0.0)) / safe_n
    dk = w * (k - k_mean)
    slope = jnp.sum(dk * (jnp.where(hit, times, 0.0) - t_mean)) / jnp.maximum(jnp.sum(dk * (k - k_mean)), 1e-30)
    oscillating = (n >= 3) & (hi - lo > 1e-3 * jnp.abs(hi))
    return jnp.where(oscillating, slope, jnp.nan)


def _time_mean(trace: Trace, y: Array, dy: Array | None = None) -> Array:
    """Time-mean of `y` over the analysed window by the trapezoid rule, with the Euler–Maclaurin end correction
    −Δt²/12·(y′(end) − y′(start)) where the slopes `dy` are given (then O(Δt⁴))."""
    n = y.shape[0]
    first, last = jnp.argmax(trace.mask), n - 1 - jnp.argmax(trace.mask[::-1])
    inside = trace.mask[:-1] & trace.mask[1:]
    dt = jnp.diff(trace.ts)
    integral = jnp.sum(jnp.where(inside, 0.5 * (y[:-1] + y[1:]) * dt, 0.0))
    if dy is not None:
        integral = integral - dt[0] ** 2 / 12 * (dy[last] - dy[first])
    return integral / (trace.ts[last] - trace.ts[first])


def _store(model: AbstractModel, y: Array) -> Array:
    """Store Ca at state `y` (µM; NaN where the model names no store)."""
    if isinstance(model, AbstractMuscleModel):
        return model.sr_calcium(y)
    if model.name == "li-rinzel1994":  # closed cell: C_ER = (c0 − C)/c1
        return (model.c0 - y[0]) / model.c1
    for name in ("Y", "Ca_ER"):  # gdb1990, borghans1997 (IP3-insensitive store); marhl2000 (ER)
        if name in model.states:
            return y[model.states.index(name)]
    return jnp.array(jnp.nan)


def _store_load(trace: Trace) -> Array:
    store = jax.vmap(lambda y: _store(trace.model, y))(trace.ys)
    return _time_mean(trace, store)


def _fluxes(trace: Trace) -> tuple[Array, Array]:
    """Release and trigger flux (µM/s) of a muscle model along the trajectory, under its protocol."""
    model, protocol = trace.model, trace.protocol
    if not isinstance(model, AbstractMuscleModel) or type(model).ryr_sensitivity is None:
        nan = jnp.full(trace.ts.shape, jnp.nan)
        return nan, nan
    at = (lambda t: model) if protocol is None else (lambda t: protocol.apply(model, t))
    release = jax.vmap(lambda t, y: at(t).release_flux(y))(trace.ts, trace.ys)
    trigger = jax.vmap(lambda t, y: at(t).trigger_flux(y))(trace.ts, trace.ys)
    w = trace.mask.astype(release.dtype)
    return w * release, w * trigger


def _peak_gain(trace: Trace) -> Array:
    release, trigger = _fluxes(trace)
    return jnp.max(release) / jnp.max(trigger)


def _integrated_gain(trace: Trace) -> Array:
    release, trigger = _fluxes(trace)
    return jnp.trapezoid(release, trace.ts) / jnp.trapezoid(trigger, trace.ts)


@dataclasses.dataclass(frozen=True)
class Feature:
    """A named scalar feature of a trajectory: its unit, a one-line description and `fn(trace)`."""

    name: str
    unit: str
    description: str
    fn: Callable[[Trace], Array]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("amplitude", "µM", "peak cytosolic Ca (interpolated) minus the baseline before it", _amplitude),
        Feature("baseline", "µM", "lowest cytosolic Ca before the largest peak", lambda trace: trace.baseline),
        Feature("time_to_peak", "s", "from the 10% onset to the interpolated largest peak", _time_to_peak),
        Feature("fdhm", "s", "full duration at half maximum of the largest transient", _fdhm),
        Feature(
            "decay_tau", "s", "mono-exponential decay time constant (80% to 20%) after the largest peak", _decay_tau
        ),
        Feature("period", "s", "mean interval between upward mid-level crossings over the second half", _period),
        Feature("frequency", "Hz", "1 / period", lambda trace: 1.0 / _period(trace)),
        Feature("mean_ca", "µM", "time-mean cytosolic Ca", lambda trace: _time_mean(trace, trace.ca, trace.dca)),
        Feature(
            "store_load", "µM", "time-mean SR or ER Ca (muscle models: total SR Ca per cytosolic volume)", _store_load
        ),
        Feature(
            "peak_gain", "1", "peak release flux / peak trigger flux (muscle models with a Ca trigger)", _peak_gain
        ),
        Feature(
            "integrated_gain", "1", "∫ release / ∫ trigger flux (muscle models with a Ca trigger)", _integrated_gain
        ),
    )
}


# save intervals a feature's value must span for its events to be resolved (an oscillation period: its extrema and
# mid-level crossings; a transient's rise, width or decay: its onset, peak and crossings)
MIN_INTERVALS = {"time_to_peak": 4, "fdhm": 4, "decay_tau": 4, "period": 8}


def check_resolution(names: Sequence[str], values: ArrayLike, dt: float) -> None:
    """Warn (`UserWarning`) for each feature among `names` whose value spans fewer save intervals `dt` (s) than
    `MIN_INTERVALS` asks: the save grid is too coarse to resolve its events, so value and derivative are unreliable.

    **Example:** `check_resolution(["period"], [0.7], 0.2)` warns: 3.5 intervals per period, 8 needed
    """
    values = np.asarray(values, dtype=float)
    for name, value in zip(names, values, strict=True):
        span = 1.0 / value if name == "frequency" else value
        need = MIN_INTERVALS.get("period" if name == "frequency" else name)
        if need is not None and np.isfinite(span) and abs(span) < need * dt:
            warnings.warn(
                f"feature {name!r} spans only {abs(span) / dt:.1f} save intervals of {dt:g} s; at least {need} are "
                f"needed to resolve its events: save every {abs(span) / need:.3g} s or less",
                UserWarning,
                stacklevel=3,
            )


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The feature names as a tuple; raises `InputError` naming an unknown one and listing the valid ones."""
    names = tuple(names)
    if not names:
        raise InputError(f"give at least one feature; valid features: {', '.join(FEATURES)}")
    for name in names:
        if name not in FEATURES:
            raise InputError(f"unknown feature {name!r}; valid features: {', '.join(FEATURES)}")
    return names


def trajectory_features(
    model: AbstractModel,
    ts: ArrayLike,
    ys: ArrayLike,
    names: Sequence[str],
    *,
    protocol: Protocol | None = None,
    start: float | None = None,
) -> Array:
    """Features `names` of the trajectory `ys` (save times × states) of `model`, as one array, differentiable
    (jit, vmap, grad). A feature undefined for the trajectory (the period of a cell that settles, a gain without a
    trigger) is NaN.

    Peaks and level crossings are located on the cubic Hermite interpolant of cytosolic Ca (its values and its
    slopes from the vector field at the save times), so event times and heights, and their derivatives, do not
    jump with where the save times fall (crossings are accurate to O(Δt⁴), peak times to O(Δt³)); save times
    must be evenly spaced and resolve the events.

    **Arguments:** `model` and `protocol` that produced `ys`; `ts` save times (s); `names` keys of
    [`cicrjax.FEATURES`][]; `start` analyse only save times ≥ `start` (s), default all.

    **Example:** `trajectory_features(model, ts, simulate(model, ts).ys, ["period", "amplitude"])`
    """
    names = check_features(names)
    if not isinstance(ts, jax.core.Tracer):
        evenly_spaced(ts)
    ts, ys = jnp.asarray(ts), jnp.asarray(ys)
    if ys.shape != (ts.shape[0], len(model.states)):
        raise InputError(f"ys must have shape (len(ts), states) = ({ts.shape[0]}, {len(model.states)}), got {ys.shape}")
    mask = jnp.ones(ts.shape, bool) if start is None else ts >= start
    at = (lambda t: model) if protocol is None else (lambda t: protocol.apply(model, t))
    dca = jax.vmap(lambda t, y: at(t).vector_field(t, y, None)[0])(ts, ys)
    trace = Trace(model, ts, ys, dca, protocol, mask)
    return jnp.stack([FEATURES[name].fn(trace) for name in names])


def evenly_spaced(ts: ArrayLike) -> np.ndarray:
    """`ts` as a NumPy array, after checking that it holds ≥ 5 evenly spaced, increasing save times (s)."""
    ts = np.asarray(ts, dtype=float)
    if ts.ndim != 1 or ts.size < 5:
        raise InputError(f"features need at least 5 save times in a 1-D array, got shape {ts.shape}")
    dt = np.diff(ts)
    if not (np.all(dt > 0) and np.allclose(dt, dt[0], rtol=1e-6)):
        raise InputError("features need evenly spaced, increasing save times; use jnp.linspace(t0, t1, n)")
    return ts
