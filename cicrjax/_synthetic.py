"""Synthetic recordings: model + protocol + observation (indicator, bleaching, exposure) + noise + sampling."""

import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike, PRNGKeyArray

from ._errors import ComputationError, InputError
from ._model import AbstractModel
from ._observation.exposure import FrameExposure
from ._observation.fluorescence import Fluorescence
from ._observation.noise import AbstractNoise
from ._observation.ratio_indicator import AbstractRatioIndicator
from ._observation.with_indicator import WithIndicator
from ._protocol import Protocol
from ._recording.recording import Recording
from ._simulate import simulate

TRACE_NAMES = {"calcium": "ca_uM", "ratio": "ratio_340_380", "raw": "F_au", "f_f0": "F_over_F0", "df_f0": "dF_over_F0"}


def _pacing(protocol: Protocol | None) -> tuple[float | None, np.ndarray | None]:
    """Pacing period and stimulus onsets (s) from the first periodic stimulus (`PulseTrain`, action potentials)."""
    if protocol is None:
        return None, None
    for stim in protocol.stimuli.values():
        if all(hasattr(stim, a) for a in ("period", "count", "start")):
            onsets = np.asarray(stim.start) + np.asarray(stim.period) * np.arange(stim.count)
            return float(stim.period), onsets
    return None, None


def synthesize(
    model: AbstractModel,
    ts: ArrayLike,
    *,
    key: PRNGKeyArray,
    observation: Fluorescence | AbstractRatioIndicator | None = None,
    noise: AbstractNoise | None = None,
    exposure: FrameExposure | None = None,
    protocol: Protocol | None = None,
    t0: float | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    provenance: str = "",
) -> Recording:
    """Simulate `model` and observe it as a camera would, returning a [`cicrjax.Recording`][].

    Cytosolic Ca (`model.states[0]`) goes through `observation`: a [`cicrjax.Fluorescence`][] (equilibrium binding,
    or the dye state when `model` is a [`cicrjax.WithIndicator`][]; with its bleaching), a [`cicrjax.Fura2`][] ratio,
    or `None` for Ca itself (µM). With `exposure`, each frame averages the raw signal over its exposure window.
    `noise` is then drawn with the explicit `key`, so the same key gives the same recording bit for bit.

    **Arguments:** `ts` frame start times (s, strictly increasing); `t0` simulation start (default `ts[0]`); the
    rest as in [`cicrjax.simulate`][].

    **Example:**
    `synthesize(LiRinzel1994(), jnp.arange(241) / 2.0, key=jax.random.key(0), observation=Fura2(),
    noise=GaussianNoise(0.02))`
    """
    ts = np.asarray(ts, float)
    if ts.ndim != 1 or ts.size < 2 or np.any(np.diff(ts) <= 0):
        raise InputError("ts must be a strictly increasing 1-D array of at least 2 frame times (s)")
    if exposure is not None:
        if float(exposure.exposure) > float(np.min(np.diff(ts))) + 1e-12:
            raise InputError(
                f"exposure {float(exposure.exposure):g} s is longer than the frame interval "
                f"{float(np.min(np.diff(ts))):g} s; shorten it or sample less often"
            )
        sample_ts = np.asarray(exposure.sample_times(ts))
    else:
        sample_ts = ts[:, None]
    flat = jnp.asarray(sample_ts.ravel())
    sol = simulate(model, flat, protocol=protocol, t0=t0, rtol=rtol, atol=atol, throw=False)
    if not bool(sol.success):
        raise ComputationError(
            f"the integration of {model.name} failed: {sol.failure()}; shorten the recording, loosen rtol or check "
            "the parameter values"
        )
    ys = sol.ys.reshape(*sample_ts.shape, -1)
    ca = ys[..., 0]
    t = jnp.asarray(sample_ts)
    if observation is None:
        kind, raw, finish = "calcium", ca, lambda x: x
    elif isinstance(observation, AbstractRatioIndicator):
        kind, raw, finish = "ratio", observation(ca), lambda x: x
    elif isinstance(observation, Fluorescence):
        if isinstance(model, WithIndicator):
            fraction = model.fraction_bound(ys)
        else:
            fraction = observation.indicator.fraction_bound(ca)
        kind, raw, finish = observation.kind, observation.raw(fraction, t), observation.to_kind
    else:
        raise TypeError(f"observation must be Fluorescence, Fura2, Indo1 or None, got {type(observation).__name__}")
    frames = jnp.mean(raw, axis=-1) if exposure is not None else raw[:, 0]
    signal = finish(frames)
    if noise is not None:
        signal = noise.sample(signal, key=key)
    period, stimuli = _pacing(protocol)
    return Recording(
        time=ts,
        traces=np.asarray(signal)[None, :],
        kind=kind,
        names=(TRACE_NAMES[kind],),
        pacing_period=period,
        stimulus_times=stimuli,
        provenance=provenance or f"cicrjax synthesize({model.name})",
    )
