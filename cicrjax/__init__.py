"""cicrjax: differentiable calcium-induced calcium release models in JAX.

Simulation runs in float64 by default (stiff solvers and likelihoods need it): importing cicrjax enables
`jax_enable_x64`. Pass `dtype=jnp.float32` to `simulate` for GPU throughput.
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from ._analysis import (
    find_peaks as find_peaks,
    oscillation_period as oscillation_period,
)
from ._fluxes import (
    BufferBinding as BufferBinding,
    CaActivatedRelease as CaActivatedRelease,
    DeYoungKeizerIP3R as DeYoungKeizerIP3R,
    HillPump as HillPump,
    Influx as Influx,
    Leak as Leak,
    LinearExtrusion as LinearExtrusion,
    LinearPump as LinearPump,
    LiRinzelIP3R as LiRinzelIP3R,
    MitochondrialEfflux as MitochondrialEfflux,
    RapidBuffer as RapidBuffer,
    ReversiblePump as ReversiblePump,
    UniporterUptake as UniporterUptake,
)
from ._hill import hill as hill
from ._model import AbstractModel as AbstractModel
from ._models import (
    GDB1990 as GDB1990,
    MODELS as MODELS,
    Atri1993 as Atri1993,
    Borghans1997 as Borghans1997,
    DeYoungKeizer1992 as DeYoungKeizer1992,
    LiRinzel1994 as LiRinzel1994,
    Marhl2000 as Marhl2000,
    Sneyd2002 as Sneyd2002,
    get_model as get_model,
)
from ._observation import (
    INDICATORS as INDICATORS,
    AbstractBleaching as AbstractBleaching,
    AbstractIndicator as AbstractIndicator,
    AbstractNoise as AbstractNoise,
    BiExponentialBleaching as BiExponentialBleaching,
    Cal520 as Cal520,
    Fluo3 as Fluo3,
    Fluo4 as Fluo4,
    Fluorescence as Fluorescence,
    FrameExposure as FrameExposure,
    Fura2 as Fura2,
    GaussianNoise as GaussianNoise,
    GCaMP6f as GCaMP6f,
    GCaMP6m as GCaMP6m,
    GCaMP6s as GCaMP6s,
    HillIndicator as HillIndicator,
    LogNormalNoise as LogNormalNoise,
    MonoExponentialBleaching as MonoExponentialBleaching,
    PoissonGaussianNoise as PoissonGaussianNoise,
    WithIndicator as WithIndicator,
    pseudo_ratio_calcium as pseudo_ratio_calcium,
)
from ._parameters import (
    ParameterInfo as ParameterInfo,
    batch_parameters as batch_parameters,
    param as param,
    parameter_info as parameter_info,
    with_parameters as with_parameters,
)
from ._preprocess import (
    Beats as Beats,
    average_beats as average_beats,
    beat_metrics as beat_metrics,
    correct_bleaching as correct_bleaching,
    detect_beats as detect_beats,
    normalise as normalise,
    percentile_baseline as percentile_baseline,
    resample as resample,
    rolling_baseline as rolling_baseline,
    transient_metrics as transient_metrics,
    trim as trim,
)
from ._protocol import (
    AbstractStimulus as AbstractStimulus,
    Constant as Constant,
    Protocol as Protocol,
    PulseTrain as PulseTrain,
    Ramp as Ramp,
    Step as Step,
)
from ._protocol_spec import parse_protocol as parse_protocol
from ._recording import (
    Recording as Recording,
    RecordingError as RecordingError,
    load_recording as load_recording,
    save_recording as save_recording,
)
from ._simulate import simulate as simulate
from ._solution import Solution as Solution
from ._solvers import stiff_solver as stiff_solver
from ._synthetic import synthesize as synthesize

__version__ = "0.1.0"
