"""`Problem`: model + protocol + observation + data + free parameters, as one value (an Equinox module)."""

from collections.abc import Mapping, Sequence

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from cicrjax import (
    AbstractModel,
    AbstractNoise,
    GaussianNoise,
    InputError,
    Protocol,
    local_devices,
    parameter_info,
    simulate,
    vmap_sharded,
)

from ._free import FreeParameter, default_free
from ._population import Slot, check_hierarchical, expand, lookup, population_neg_log_density
from ._prior import Prior
from ._signal import AbstractSignal, StateSignal
from ._transform import Transform

OBSERVATION_PARAMETERS = ("offset", "scale", "sigma")
# forward mode (one JVP per free parameter) beats reverse mode up to about 6 free parameters: fitting.value_and_grad
# on gdb1990, forward/reverse time 0.08–0.29 for 1–4 free, 0.88 for 6, 1.44 for 8 (benchmarks/README.md, crossover);
# cardiac with 5 free: forward 67 ms, reverse 219 ms (benchmarks/beat_timing.py --gradients)
FORWARD_MAX = 6
INITIAL_PREFIX = "y0."  # a free initial state is named y0.STATE, e.g. y0.Y
DATA_MARGIN = 2  # data points beyond the number of estimated numbers, so that σ keeps degrees of freedom
MAX_DATA = 1e150  # |data| beyond this overflows float64 when squared and summed
MAX_TIME = 1e12  # s (31 700 years): later save times are a wrong unit or an absolute clock
# default step budget: 4096, plus 1024 per jump time of the protocol (a paced beat has two); cardiac-mouse paced at
# a 140 ms cycle takes 612 steps a beat at rtol 1e-6 with Ros34PW2 (benchmarks/real_recordings.py)
MAX_STEPS, STEPS_PER_JUMP = 4096, 1024
_OBSERVATION_UNITS = {"offset": "signal units", "scale": "signal units per model signal", "sigma": "signal units"}


class Problem(eqx.Module):
    """A fitting problem: everything the objective needs, with free and fixed parameters partitioned.

    The model's free parameter leaves are split from the fixed ones with `eqx.partition`; the fixed part, data and
    protocol are ordinary array leaves, so one compiled objective serves every problem of the same shapes. With
    Gaussian noise, the names in `profile` (offset, scale, σ) are solved in closed form for every parameter vector
    (variable projection); the others come from `observation` or are free. Build it with [`fitting.define_problem`][].

    `free` holds one [`fitting.FreeParameter`][] per entry of the unconstrained vector θ and `layout` says what each
    entry is: a batched problem's per-condition parameters take one entry per condition (`v3[0]`, `v3[1]`, …) and
    a hierarchical one its population median too (`v3.median`), in the order of `define_problem`'s `free`. The
    populations' τ are array leaves, so problems that differ only in τ share their compiled functions. A batched
    problem's vmapped conditions are laid out over `devices` when there are several ([`cicrjax.vmap_sharded`][]).
    """

    free_part: AbstractModel
    fixed_part: AbstractModel
    ts: Array
    data: Array
    mask: Array
    observation: dict[str, Array]
    protocol: Protocol | None
    y0: Array | None
    t0: Array | None
    solver: diffrax.AbstractSolver
    signal: AbstractSignal
    noise: AbstractNoise | None
    free: tuple[FreeParameter, ...] = eqx.field(static=True)
    profile: tuple[str, ...] = eqx.field(static=True)
    batched: bool = eqx.field(static=True)
    rtol: float = eqx.field(static=True)
    atol: float = eqx.field(static=True)
    max_steps: int = eqx.field(static=True)
    mode: str = eqx.field(static=True)
    penalty: float = eqx.field(static=True)
    priors: tuple[tuple[int, Prior], ...] = eqx.field(static=True, default=())
    initial_states: tuple[tuple[int, int], ...] = eqx.field(static=True, default=())
    layout: tuple[Slot, ...] = eqx.field(static=True, default=())
    row_profile: tuple[str, ...] = eqx.field(static=True, default=())  # profiled separately in every condition
    hierarchical: dict[str, Array] = eqx.field(default_factory=dict)  # τ per hierarchical parameter (array leaves)
    devices: tuple = eqx.field(static=True, default=())  # the local devices sharing the conditions; () vmaps them

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the free parameters, in the order of the parameter vector."""
        return tuple(p.name for p in self.free)

    @property
    def per_condition(self) -> tuple[str, ...]:
        """Names of the parameters that take one value per condition (hierarchical ones included)."""
        return tuple(dict.fromkeys(s.parameter for s in self.layout if s.condition is not None))

    @property
    def has_priors(self) -> bool:
        """Whether the objective has a prior term (priors or a hierarchical population)."""
        return bool(self.priors or self.hierarchical)

    def indices(self, name: str) -> tuple[int, ...]:
        """Positions in θ of parameter `name`: its one shared entry, or its entries for conditions 0, 1, …

        **Example:** `result.estimates[list(problem.indices("v3"))]` (the per-condition estimates of v3)
        """
        found = tuple(i for i, s in enumerate(self.layout) if s.parameter == name and not s.median)
        if not found:
            free = ", ".join(dict.fromkeys(s.parameter for s in self.layout))
            raise InputError(f"{name} is not a free parameter; free: {free}")
        return found

    @property
    def model(self) -> AbstractModel:
        """The model with the free parameters at their initial values."""
        return eqx.combine(self.free_part, self.fixed_part)

    @property
    def n_data(self) -> int:
        """Number of data points that count (mask)."""
        return int(np.asarray(self.mask).sum())

    def to_theta(self, values: Mapping[str, float] | ArrayLike) -> Array:
        """Natural values (a mapping by name, or an array in `names` order) → the unconstrained vector.

        A mapping may give a per-condition parameter by entry name (`v3[1]`, `v3.median`) or by parameter name, as
        one value for every condition (and the median) or as one value per condition.
        """
        if isinstance(values, Mapping):
            values = [lookup(values, s, self.data.shape[0]) for s in self.layout]
        values = np.asarray(values, dtype=float)
        return jnp.asarray(
            [p.transform.forward(v, p.lower, p.upper) for p, v in zip(self.free, values, strict=True)], dtype=float
        )

    def natural(self, theta: ArrayLike) -> Array:
        """Unconstrained vector → natural values (`names` order); works under jit and vmap."""
        theta = jnp.asarray(theta)
        return jnp.stack(
            [p.transform.inverse(theta[..., i], p.lower, p.upper) for i, p in enumerate(self.free)], axis=-1
        )

    def initial_values(self) -> np.ndarray:
        """The natural values the problem was built with (`names` order)."""
        values = []
        states = dict(self.initial_states)
        for i, s in enumerate(self.layout):
            if s.parameter in OBSERVATION_PARAMETERS:
                values.append(float(self.observation[s.parameter]))
                continue
            if i in states:
                leaf = np.ravel(np.asarray(self.y0)[..., states[i]])
            else:
                leaf = np.ravel(np.asarray(getattr(self.free_part, s.parameter)))
            if s.median:  # the geometric mean of the per-condition values (the median of a log-normal)
                values.append(float(np.exp(np.mean(np.log(leaf)))))
            else:
                values.append(float(leaf[0 if s.condition is None else s.condition]))
        return np.asarray(values)

    def with_values(self, values: ArrayLike) -> tuple[AbstractModel, dict[str, Array]]:
        """The model and observation parameters at natural values `values` (`names` order)."""
        values = jnp.asarray(values)
        states = dict(self.initial_states)
        observation = dict(self.observation)
        entries: dict[str, list[int]] = {}  # model parameter → its entries (one shared, or one per condition)
        for i, s in enumerate(self.layout):
            if s.parameter in OBSERVATION_PARAMETERS:
                observation[s.parameter] = values[i]
            elif i not in states and not s.median:
                entries.setdefault(s.parameter, []).append(i)
        model_names = list(entries)
        new = []
        for name, index in entries.items():
            value = values[index[0]] if self.layout[index[0]].condition is None else values[np.asarray(index)]
            new.append(jnp.broadcast_to(value, jnp.shape(getattr(self.free_part, name))))
        free_part = self.free_part
        if model_names:
            free_part = eqx.tree_at(lambda m: [getattr(m, n) for n in model_names], self.free_part, new)
        return eqx.combine(free_part, self.fixed_part), observation

    def initial_state(self, values: ArrayLike) -> Array | None:
        """The initial state(s) at natural values `values`: `y0` with the free initial states set (every condition)."""
        if not self.initial_states:
            return self.y0
        values = jnp.asarray(values)
        y0 = self.y0
        for i, state in self.initial_states:
            condition = self.layout[i].condition
            y0 = y0.at[..., state].set(values[i]) if condition is None else y0.at[condition, state].set(values[i])
        return y0

    def neg_log_prior(self, values: ArrayLike) -> Array:
        """−log prior density at natural values `values`: the priors and the hierarchical populations (0 without)."""
        values = jnp.asarray(values)
        total = sum((prior.neg_log_density(values[i]) for i, prior in self.priors), jnp.zeros((), values.dtype))
        return total + population_neg_log_density(values, self.layout, self.hierarchical)

    def simulate(
        self,
        model: AbstractModel,
        *,
        ts: Array | None = None,
        y0: Array | None = None,
        t0: Array | None = None,
        adjoint: diffrax.AbstractAdjoint | None = None,
    ):
        """Solve every condition (vmapped when batched) with the problem's protocol, solver and tolerances, without
        raising: from `y0` (default the problem's) at `t0` (default the problem's), saving at `ts` (default the
        problem's save times); returns a `cicrjax.Solution`."""
        y0 = self.y0 if y0 is None else y0
        ts = self.ts if ts is None else ts
        t0 = self.t0 if t0 is None else t0

        def one(m, y0):
            return simulate(
                m,
                ts,
                y0=y0,
                t0=t0,
                protocol=self.protocol,
                solver=self.solver,
                rtol=self.rtol,
                atol=self.atol,
                max_steps=self.max_steps,
                adjoint=adjoint,
                throw=False,
            )

        if self.batched and self.devices:
            return vmap_sharded(lambda my: one(*my), (model, y0), self.devices)
        if self.batched:
            return jax.vmap(one)(model, y0) if y0 is not None else jax.vmap(lambda m: one(m, None))(model)
        return one(model, y0)

    def model_signal(self, model: AbstractModel, ys: Array) -> Array:
        """The model signal of every condition (conditions × save times of `ys`), before offset and scale."""
        return jax.vmap(self.signal)(model, ys) if self.batched else self.signal(model, ys)[None, :]


def _set(model, name: str, value: float):
    """`model` with parameter `name` set to `value` (broadcast over a condition axis), keeping the leaf's dtype and
    weak type, so that a fixed value does not make the fit a program of its own (a strong float64 leaf where the
    model's defaults are weakly typed compiles again)."""
    old = getattr(model, name)
    return eqx.tree_at(lambda m: getattr(m, name), model, jnp.full_like(old, value))


def _model_parameter_names(model) -> dict[str, object]:
    return {p.name: p for p in parameter_info(model)}


def define_problem(
    model: AbstractModel,
    ts: ArrayLike,
    data: ArrayLike,
    *,
    free: Sequence[str | FreeParameter],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    transforms: Mapping[str, str] | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    protocol: Protocol | None = None,
    signal: AbstractSignal | None = None,
    noise: AbstractNoise | None = None,
    profile: Sequence[str] = OBSERVATION_PARAMETERS,
    observation: Mapping[str, float] | None = None,
    mask: ArrayLike | None = None,
    batched: bool = False,
    y0: ArrayLike | None = None,
    t0: float | None = None,
    solver: diffrax.AbstractSolver | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int | None = None,
    mode: str = "auto",
    penalty: float = 1e10,
    priors: Mapping[str, Prior] | None = None,
    per_condition: Sequence[str] = (),
    hierarchical: Mapping[str, float] | None = None,
    devices: int | None = None,
) -> Problem:
    """Define a fitting problem from a model, save times and data, choosing free parameters by name.

    **Arguments:**
    - `model`: a cicrjax model; with `batched=True` every parameter leaf has a leading axis over the conditions
      (rows of `data`), e.g. from `cicrjax.batch_parameters`.
    - `ts`: save times (s), shape (T,); `data`: shape (T,) or (conditions, T).
    - `free`: parameter names (model parameters, `offset`, `scale`, `sigma` when not profiled, or an initial state
      as `y0.STATE`, e.g. `y0.Y`), or [`fitting.FreeParameter`][]s. Defaults: log transform with bounds value/10
      to value×10 for positive parameters, logit on [0, 1] for unit-interval ones, linear otherwise.
    - `bounds`, `transforms` (`log`, `log10`, `logit`, `linear`), `fixed` (values of fixed parameters), `start`
      (initial values of free parameters), all by name.
    - `t0`: simulation start (s), default `ts[0]`; `y0`: initial state (default the model's).
    - `protocol`: drives model parameters in time; `signal`: what the data see (default cytosolic Ca).
    - `noise`: `None` or a `cicrjax.GaussianNoise` for Gaussian noise (with `profile`), or another cicrjax noise
      model (log-normal, Poisson–Gaussian), whose log-likelihood is used with the fixed `observation` offset/scale.
    - `profile`: observation parameters solved in closed form (Gaussian noise only).
    - `observation`: values of offset, scale, σ that are neither profiled nor free (defaults 0, 1, noise σ or 1).
    - `mask`: 1 where a data point counts, 0 where it is missing.
    - `solver`: a diffrax solver; default the model's `gradient_solver()` (the solver it differentiates fastest).
    - `rtol`, `atol`: the solver's tolerances; default the model's `fit_rtol()` (1e-6; 1e-4 for the Shannon cardiac
      sets) and rtol/1000 (µM).
    - `max_steps`: the solver's step budget (exhausting it is a failure, penalised); default 4096 plus 1024 per jump
      time of `protocol` (two per paced beat), so that long paced recordings fit without raising it.
    - `mode`: gradient mode, `"reverse"`, `"forward"` (diffrax.ForwardMode) or `"auto"` (forward for ≤ 6 entries of θ).
    - `penalty`: the objective value where the solver fails (counted and reported, never raised).
    - `priors`: a [`fitting.Prior`][] per free parameter name; the objective becomes NLL − log prior. A prior on a
      per-condition parameter applies to each condition's value.
    - `per_condition` (with `batched`): free model parameters or initial states that take their own value in every
      condition (cell); the other free parameters are shared. θ lays out `free` in order, a per-condition
      parameter as one entry per condition, named `v3[0]`, `v3[1]`, … (`Problem.indices("v3")` finds them).
      Profiled `offset`, `scale` and `sigma` may be listed too: they are then solved in closed form in every
      condition (each cell its own baseline, brightness and noise) and take no entry of θ.
    - `hierarchical` (with `batched`): {name: τ}: these parameters are per-condition values x_i drawn around a free
      population median m (an extra entry `name.median`, same bounds and transform), log x_i ~ N(log m, τ²), with τ
      (the standard deviation of log x, e.g. 0.2 ≈ ±20% between cells) fixed: a free τ makes the maximum a
      posteriori degenerate (τ → 0 with every x_i = m). The term −Σ log p(x_i | m) joins the priors.
    - `devices` (with `batched`): how many local devices share the conditions (default all; see
      [`cicrjax.local_devices`][]): the vmapped conditions are laid out over them ([`cicrjax.vmap_sharded`][]), and
      [`fitting.multistart`][] then runs the starts one after another; the estimates match one device's (1e-10).

    **Example:** `define_problem(GDB1990(), ts, ca, free=["VM2", "VM3"], bounds={"VM2": (20.0, 200.0)})`; many cells:
    `define_problem(batch_parameters(GDB1990(), {"VM2": vm2}), ts, traces, free=["VM2", "VM3"], batched=True,
    per_condition=["VM2"])`
    """
    bounds, transforms, fixed, start = dict(bounds or {}), dict(transforms or {}), dict(fixed or {}), dict(start or {})
    rtol = model.fit_rtol() if rtol is None else rtol
    ts, data, mask, profile, gaussian, obs = _read_data(ts, data, mask, noise, profile, observation)
    if any(_state_name(item) is not None for item in free) and y0 is None:
        y0 = jax.vmap(lambda m: m.initial_state())(model) if batched else model.initial_state()
    y0 = None if y0 is None else np.array(y0, dtype=float)
    model, params, y0 = _resolve_free(model, free, fixed, start, bounds, transforms, obs, profile, y0)
    per_condition, hierarchical, row_profile = _resolve_conditions(
        model, params, per_condition, hierarchical, profile, batched, data.shape[0], y0
    )
    entries, layout = expand(params, per_condition, hierarchical, data.shape[0])
    _check_enough_data(data, mask, len(entries), profile if gaussian else (), row_profile if gaussian else ())
    prior_entries = _prior_entries(priors, params, entries, layout)
    if mode == "auto":
        mode = "forward" if len(entries) <= FORWARD_MAX else "reverse"
    if mode not in ("forward", "reverse"):
        raise InputError(f"mode must be 'auto', 'forward' or 'reverse', got {mode!r}")

    model_free = [p.name for p in params if p.name not in OBSERVATION_PARAMETERS and _state_name(p.name) is None]
    spec = jax.tree.map(lambda _: False, model)
    if model_free:
        spec = eqx.tree_at(lambda m: [getattr(m, n) for n in model_free], spec, [True] * len(model_free))
    free_part, fixed_part = eqx.partition(model, spec)
    states = tuple(model.states)
    devices = local_devices(devices)
    return Problem(
        free_part=free_part,
        fixed_part=fixed_part,
        ts=ts,
        data=data,
        mask=mask,
        observation={k: jnp.asarray(v, dtype=float) for k, v in obs.items()},
        protocol=protocol,
        y0=None if y0 is None else jnp.asarray(y0),
        t0=None if t0 is None else jnp.asarray(t0, dtype=float),
        solver=(model.gradient_solver() if solver is None else solver),
        signal=StateSignal(0) if signal is None else signal,
        noise=None if gaussian else noise,
        free=entries,
        profile=profile if gaussian else (),
        batched=batched,
        rtol=rtol,
        atol=1e-3 * rtol if atol is None else atol,
        max_steps=_step_budget(protocol) if max_steps is None else max_steps,
        mode=mode,
        penalty=penalty,
        priors=prior_entries,
        initial_states=tuple(
            (i, states.index(_state_name(q.parameter))) for i, q in enumerate(layout) if _state_name(q.parameter)
        ),
        layout=layout,
        row_profile=row_profile if gaussian else (),
        hierarchical={name: jnp.asarray(tau, dtype=float) for name, tau in hierarchical.items()},
        devices=devices if batched and len(devices) > 1 else (),
    )


def _step_budget(protocol: Protocol | None) -> int:
    """The default step budget: `MAX_STEPS` plus `STEPS_PER_JUMP` per jump time of `protocol`."""
    jumps = 0 if protocol is None else int(protocol.jump_times().shape[0])
    return MAX_STEPS + STEPS_PER_JUMP * jumps


def _read_data(ts, data, mask, noise, profile, observation):
    """Step 1: the save times, data and mask as arrays (checked against each other), the profiled names, whether
    the noise is Gaussian, and the observation parameters' values (offset, scale, σ)."""
    data = jnp.atleast_2d(jnp.asarray(data, dtype=float))
    ts = jnp.asarray(ts, dtype=float)
    if data.shape[-1] != ts.shape[0]:
        raise InputError(f"data has {data.shape[-1]} samples per trace but ts has {ts.shape[0]} save times")
    mask = jnp.ones_like(data) if mask is None else jnp.broadcast_to(jnp.asarray(mask, dtype=float), data.shape)
    counted = np.asarray(data)[np.asarray(mask) > 0]
    if not np.all(np.isfinite(counted)):
        raise InputError("data has NaN or inf values where the mask counts them; drop them or mask them (mask=0)")
    if counted.size and np.abs(counted).max() > MAX_DATA:
        raise InputError(
            f"data reach {np.abs(counted).max():.3g} in magnitude, beyond {MAX_DATA:g}, where squared residuals "
            "overflow; rescale the data"
        )
    if not np.all(np.isfinite(np.asarray(ts))) or np.abs(np.asarray(ts)).max(initial=0.0) > MAX_TIME:
        raise InputError(f"the save times must be finite and within ±{MAX_TIME:g} s; check the time unit")
    profile = tuple(profile)
    for name in profile:
        if name not in OBSERVATION_PARAMETERS:
            raise InputError(f"profile names one of {OBSERVATION_PARAMETERS}, got {name!r}")
    gaussian = noise is None or isinstance(noise, GaussianNoise)
    if not gaussian:
        profile = ()
        if not bool(jnp.all(mask == 1.0)):
            raise InputError("missing data points (mask) are only supported with Gaussian noise")
    obs = {"offset": 0.0, "scale": 1.0, "sigma": float(noise.sigma) if isinstance(noise, GaussianNoise) else 1.0}
    obs.update({k: float(v) for k, v in (observation or {}).items()})
    for name in obs:
        if name not in OBSERVATION_PARAMETERS:
            raise InputError(f"observation names one of {OBSERVATION_PARAMETERS}, got {name!r}")
    return ts, data, mask, profile, gaussian, obs


def _check_enough_data(data, mask, n_free: int, profile, row_profile) -> None:
    """Step 3, continued: more data points than estimated numbers (free entries and profiled offset/scale/σ, per
    condition where profiled per condition), by `DATA_MARGIN`."""
    w = np.asarray(mask) > 0
    n = int(w.sum())
    profiled = sum(data.shape[0] if name in row_profile else 1 for name in profile)
    needed = n_free + profiled + DATA_MARGIN
    if n < needed:
        raise InputError(
            f"{n} data point(s) cannot determine {n_free} free and {profiled} profiled parameter(s): a fit needs at "
            f"least {needed}; give a longer recording, or free fewer parameters"
        )


def _resolve_free(model, free, fixed, start, bounds, transforms, obs, profile, y0):
    """Step 2: set the fixed values, and make one [`fitting.FreeParameter`][] per free name (model parameter,
    observation parameter or initial state) with its transform, bounds and start; returns the model, the free
    parameters and the initial state(s), both with the starts set (`obs` is updated in place)."""
    infos = _model_parameter_names(model)
    states = tuple(model.states)
    valid = ", ".join(
        [*infos, *[n for n in OBSERVATION_PARAMETERS if n not in profile], *[INITIAL_PREFIX + n for n in states]]
    )
    for name, value in fixed.items():
        if name in OBSERVATION_PARAMETERS:
            if name in profile:
                raise InputError(f"cannot fix {name}: it is profiled out; drop it from profile to fix it")
            obs[name] = float(value)
        elif name not in infos:
            raise InputError(f"unknown parameter {name!r} to fix for model {model.name}; valid: {valid}")
        else:
            infos[name].check(float(value))
            model = _set(model, name, value)

    def current(name):  # the value of a free name before its start is applied
        state = _state_name(name)
        if state is not None:
            return float(np.ravel(y0[..., states.index(state)])[0])
        if name in OBSERVATION_PARAMETERS:
            return obs[name]
        return float(np.ravel(np.asarray(getattr(model, name)))[0])

    params: list[FreeParameter] = []
    for item in free:
        if isinstance(item, FreeParameter):
            params.append(item)
            continue
        name = item
        if name in fixed:
            raise InputError(f"{name} is both free and fixed; choose one")
        state = _state_name(name)
        if state is not None:
            if state not in states:
                raise InputError(
                    f"unknown initial state {name!r} to fit for model {model.name}; valid: "
                    + ", ".join(INITIAL_PREFIX + n for n in states)
                )
            constraint, unit = ("positive" if current(name) > 0 else "real"), "initial state"
        elif name in OBSERVATION_PARAMETERS:
            if name in profile:
                raise InputError(f"{name} is profiled out in closed form; it cannot also be free")
            constraint, unit = ("positive" if name != "offset" else "real"), _OBSERVATION_UNITS[name]
        elif name in infos:
            constraint, unit = infos[name].constraint, infos[name].unit
        else:
            raise InputError(f"unknown parameter {name!r} to fit for model {model.name}; valid: {valid}")
        value = float(start.get(name, current(name)))
        params.append(default_free(name, value, constraint, unit, transforms.get(name), bounds.get(name)))
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise InputError(f"a free parameter is named twice: {names}")
    for name in [*bounds, *transforms, *start]:
        if name not in names:
            raise InputError(f"{name} has bounds, a transform or a start but is not free; add it to free")
    for p in params:
        value = start.get(p.name, current(p.name))
        p.check_value(float(value), "start" if p.name in start else "initial value")
        state = _state_name(p.name)
        if state is not None:
            y0[..., states.index(state)] = float(value)
        elif p.name in OBSERVATION_PARAMETERS:
            obs[p.name] = float(value)
        elif p.name in start:
            model = _set(model, p.name, value)
    return model, params, y0


def _resolve_conditions(model, params, per_condition, hierarchical, profile, batched, n_conditions, y0):
    """Step 3: the per-condition parameters (each with one value per condition), the hierarchical ones with their
    τ, and the observation parameters profiled in every condition, all checked against the model's rows."""
    if isinstance(per_condition, str):
        raise InputError(f"per_condition takes a list of names, e.g. per_condition=[{per_condition!r}]")
    per_condition, hierarchical = tuple(per_condition), dict(hierarchical or {})
    names = [p.name for p in params]
    states = tuple(model.states)
    row_profile = tuple(n for n in OBSERVATION_PARAMETERS if n in per_condition)
    for name in [*per_condition, *hierarchical]:
        option = "per_condition" if name in per_condition else "hierarchical"
        if not batched:
            raise InputError(f"{option} needs batched=True and a model with one row per condition (batch_parameters)")
        if name in row_profile and name in profile:
            continue  # solved in closed form in every condition
        if name in OBSERVATION_PARAMETERS:
            raise InputError(
                f"{option} cannot take {name}: only profiled observation parameters can differ between conditions; "
                f"add {name} to profile or keep it shared"
            )
        if name not in names:
            raise InputError(f"{option} names {name!r}, which is not free; add it to free")
        rows = np.shape(y0)[:1] if _state_name(name) else np.shape(getattr(model, name))[:1]
        if rows != (n_conditions,):
            raise InputError(
                f"{option} {name} needs one value per row of data ({n_conditions}), got shape {rows}; "
                f"build the model with batch_parameters"
            )
    if len(set(per_condition)) != len(per_condition):
        raise InputError(f"per_condition names a parameter twice: {list(per_condition)}")
    if {"offset", "scale"} <= set(profile) and len({"offset", "scale"} & set(row_profile)) == 1:
        raise InputError("offset and scale are profiled together: make both per_condition or neither")
    per_condition = tuple(n for n in per_condition if n not in row_profile)
    hierarchical = {name: check_hierarchical(params[names.index(name)], tau) for name, tau in hierarchical.items()}
    for p in params:  # every condition's initial value of a per-condition parameter lies within the bounds
        if p.name in per_condition or p.name in hierarchical:
            leaf = y0[..., states.index(_state_name(p.name))] if _state_name(p.name) else getattr(model, p.name)
            for value in np.ravel(np.asarray(leaf)):
                p.check_value(float(value), "initial value")
    return per_condition, hierarchical, row_profile


def _prior_entries(priors, params, entries, layout) -> tuple[tuple[int, Prior], ...]:
    """Step 4: (entry of θ, prior) pairs: a prior by entry name, or a per-condition parameter's prior for each
    condition."""
    priors = dict(priors or {})
    names = [p.name for p in params]
    for name, prior in priors.items():
        if name not in names and name not in [q.name for q in entries]:
            raise InputError(f"{name} has a prior but is not free; add it to free or drop the prior")
        if not isinstance(prior, Prior):
            raise InputError(f"the prior of {name} must be a fitting.Prior, got {prior!r}")
    found = []
    for i, slot in enumerate(layout):
        prior = priors.get(slot.name, None if slot.median else priors.get(slot.parameter))
        if prior is not None:
            found.append((i, prior))
    return tuple(found)


def _state_name(item) -> str | None:
    """The state of a free-initial-state name `y0.STATE`, else `None`."""
    name = item.name if isinstance(item, FreeParameter) else item
    return name[len(INITIAL_PREFIX) :] if name.startswith(INITIAL_PREFIX) else None


__all__ = ["Problem", "define_problem", "Transform", "Prior"]
