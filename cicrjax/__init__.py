"""cicrjax: differentiable calcium-induced calcium release models in JAX.

Simulation runs in float64 by default (stiff solvers and likelihoods need it): importing cicrjax enables
`jax_enable_x64`. Pass `dtype=jnp.float32` to `simulate` for GPU throughput.
"""

from ._xla_options import raise_small_loop_threshold as _raise_small_loop_threshold

_raise_small_loop_threshold()  # before JAX starts its CPU backend: see _xla_options.py

import jax as _jax  # noqa: E402

_jax.config.update("jax_enable_x64", True)

from . import plot as plot  # the figures; matplotlib loads when one is drawn
from ._action_potential import ActionPotential as ActionPotential
from ._analysis import (
    find_peaks as find_peaks,
    oscillation_period as oscillation_period,
)
from ._batch import simulate_batch as simulate_batch
from ._errors import ComputationError as ComputationError, InputError as InputError
from ._features import (
    FEATURES as FEATURES,
    Feature as Feature,
    check_resolution as check_resolution,
    trajectory_features as trajectory_features,
)
from ._fluxes import (
    NCX as NCX,
    AllostericNCX as AllostericNCX,
    AllostericVoltageSensor as AllostericVoltageSensor,
    BufferBinding as BufferBinding,
    CaActivatedRelease as CaActivatedRelease,
    DeYoungKeizerIP3R as DeYoungKeizerIP3R,
    FourStateRyR as FourStateRyR,
    GHKCalciumFlux as GHKCalciumFlux,
    HillPump as HillPump,
    Influx as Influx,
    Leak as Leak,
    LinearExtrusion as LinearExtrusion,
    LinearPump as LinearPump,
    LiRinzelIP3R as LiRinzelIP3R,
    MahajanLType as MahajanLType,
    MitochondrialEfflux as MitochondrialEfflux,
    RapidBuffer as RapidBuffer,
    ReversiblePump as ReversiblePump,
    ShannonLTypeGates as ShannonLTypeGates,
    UniporterUptake as UniporterUptake,
    ghk_factor as ghk_factor,
    reduced_potential as reduced_potential,
)
from ._gain import GainResult as GainResult, voltage_clamp_gain as voltage_clamp_gain
from ._hill import hill as hill
from ._model import AbstractModel as AbstractModel
from ._models import (
    GDB1990 as GDB1990,
    MODELS as MODELS,
    Atri1993 as Atri1993,
    Borghans1997 as Borghans1997,
    Cardiac as Cardiac,
    CardiacHuman as CardiacHuman,
    CardiacMouse as CardiacMouse,
    CardiacRat as CardiacRat,
    DeYoungKeizer1992 as DeYoungKeizer1992,
    Hinch2004 as Hinch2004,
    LiRinzel1994 as LiRinzel1994,
    Marhl2000 as Marhl2000,
    Skeletal as Skeletal,
    Sneyd2002 as Sneyd2002,
    get_model as get_model,
)
from ._muscle_model import AbstractMuscleModel as AbstractMuscleModel
from ._muscle_protocols import (
    caffeine_pulse as caffeine_pulse,
    pace as pace,
    paced as paced,
    ryr_loss_of_function as ryr_loss_of_function,
    voltage_clamp as voltage_clamp,
    zero_extracellular_ca as zero_extracellular_ca,
)
from ._observation import (
    INDICATORS as INDICATORS,
    RATIO_INDICATORS as RATIO_INDICATORS,
    AbstractBleaching as AbstractBleaching,
    AbstractIndicator as AbstractIndicator,
    AbstractNoise as AbstractNoise,
    AbstractRatioIndicator as AbstractRatioIndicator,
    BiExponentialBleaching as BiExponentialBleaching,
    Cal520 as Cal520,
    Cal590 as Cal590,
    Fluo3 as Fluo3,
    Fluo4 as Fluo4,
    Fluo8 as Fluo8,
    Fluorescence as Fluorescence,
    FrameExposure as FrameExposure,
    Fura2 as Fura2,
    GaussianNoise as GaussianNoise,
    GCaMP6f as GCaMP6f,
    GCaMP6m as GCaMP6m,
    GCaMP6s as GCaMP6s,
    HillIndicator as HillIndicator,
    Indo1 as Indo1,
    JGCaMP7f as JGCaMP7f,
    JGCaMP7s as JGCaMP7s,
    JGCaMP8f as JGCaMP8f,
    JGCaMP8m as JGCaMP8m,
    JGCaMP8s as JGCaMP8s,
    LogNormalNoise as LogNormalNoise,
    MonoExponentialBleaching as MonoExponentialBleaching,
    PoissonGaussianNoise as PoissonGaussianNoise,
    Rhod2 as Rhod2,
    WithIndicator as WithIndicator,
    XRhod1 as XRhod1,
    parse_indicator as parse_indicator,
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
    PacingEstimate as PacingEstimate,
    average_beats as average_beats,
    beat_metrics as beat_metrics,
    correct_bleaching as correct_bleaching,
    detect_beats as detect_beats,
    estimate_pacing as estimate_pacing,
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
from ._rosenbrock import Rodas4 as Rodas4, Ros34PW2 as Ros34PW2
from ._sbml import (
    AbstractSBMLModel as AbstractSBMLModel,
    export_sbml as export_sbml,
    load_sbml as load_sbml,
)
from ._sensitivity import (
    LocalSensitivity as LocalSensitivity,
    MorrisResult as MorrisResult,
    SobolResult as SobolResult,
    feature_function as feature_function,
    local_sensitivity as local_sensitivity,
    morris_effects as morris_effects,
    morris_sample as morris_sample,
    parameter_ranges as parameter_ranges,
    saltelli_sample as saltelli_sample,
    sobol_indices as sobol_indices,
    trajectory_sensitivity as trajectory_sensitivity,
)
from ._sharding import local_devices as local_devices, map_sharded as map_sharded, vmap_sharded as vmap_sharded
from ._simulate import simulate as simulate
from ._solution import Solution as Solution
from ._solvers import stiff_solver as stiff_solver
from ._spatial import (
    AbstractSpatialModel as AbstractSpatialModel,
    AtriWave as AtriWave,
    Buffer as Buffer,
    ClusterState as ClusterState,
    Dendrite as Dendrite,
    Firebreak as Firebreak,
    FireDiffuseFire as FireDiffuseFire,
    Grid as Grid,
    LineScan as LineScan,
    RapidMobileBuffer as RapidMobileBuffer,
    SparkMetrics as SparkMetrics,
    SparkSite as SparkSite,
    SpatialSolution as SpatialSolution,
    StochasticCluster as StochasticCluster,
    WithBuffers as WithBuffers,
    WithRapidBuffers as WithRapidBuffers,
    cardiac_spark as cardiac_spark,
    delta_f_over_f0 as delta_f_over_f0,
    dendrite_amplification as dendrite_amplification,
    detect_sparks as detect_sparks,
    firebreak_blocks as firebreak_blocks,
    firebreak_capacity as firebreak_capacity,
    front_positions as front_positions,
    ip3r_puff as ip3r_puff,
    line_scan_sparks as line_scan_sparks,
    propagation_map as propagation_map,
    read_line_scan as read_line_scan,
    simulate_spatial as simulate_spatial,
    site_density as site_density,
    spark_metrics as spark_metrics,
    spark_to_wave as spark_to_wave,
    wave_metrics as wave_metrics,
    wave_speed as wave_speed,
)
from ._step_sequence import StepSequence as StepSequence
from ._synthetic import synthesize as synthesize
from ._unrolled_tsit5 import UnrolledTsit5 as UnrolledTsit5

__version__ = "0.1.0"
