"""Spatial CICR (private subpackage; public names are re-exported by `cicrjax`): a 1-D grid, reaction–diffusion
integration, buffers, release sites, wave metrics and scenarios."""

from .atri import AtriWave as AtriWave
from .buffers import Buffer as Buffer, WithBuffers as WithBuffers
from .dendrite import Dendrite as Dendrite, dendrite_amplification as dendrite_amplification
from .fdf import FireDiffuseFire as FireDiffuseFire
from .firebreak import (
    Firebreak as Firebreak,
    firebreak_blocks as firebreak_blocks,
    firebreak_capacity as firebreak_capacity,
)
from .grid import Grid as Grid
from .linescan import LineScan as LineScan
from .linescan_file import line_scan_sparks as line_scan_sparks, read_line_scan as read_line_scan
from .metrics import (
    arrival_time as arrival_time,
    front_positions as front_positions,
    reached as reached,
    wave_speed as wave_speed,
)
from .model import AbstractSpatialModel as AbstractSpatialModel
from .rapid_buffers import RapidMobileBuffer as RapidMobileBuffer, WithRapidBuffers as WithRapidBuffers
from .recruitment import spark_to_wave as spark_to_wave
from .simulate import memory_bytes as memory_bytes, simulate_spatial as simulate_spatial
from .sites import site_density as site_density
from .solution import SpatialSolution as SpatialSolution
from .spark import SparkSite as SparkSite, cardiac_spark as cardiac_spark, ip3r_puff as ip3r_puff
from .spark_detection import detect_sparks as detect_sparks
from .spark_metrics import (
    SparkMetrics as SparkMetrics,
    delta_f_over_f0 as delta_f_over_f0,
    spark_metrics as spark_metrics,
)
from .stochastic import ClusterState as ClusterState, StochasticCluster as StochasticCluster
from .studies import propagation_map as propagation_map, wave_metrics as wave_metrics

SPATIAL_MODELS = {m.name: m for m in (AtriWave, FireDiffuseFire, Firebreak, Dendrite)}
