"""Reusable Ca flux components (private subpackage; public names are re-exported by `cicrjax`)."""

from .buffers import BufferBinding as BufferBinding, RapidBuffer as RapidBuffer
from .ip3r import DeYoungKeizerIP3R as DeYoungKeizerIP3R, LiRinzelIP3R as LiRinzelIP3R
from .leak import Leak as Leak
from .membrane import Influx as Influx, LinearExtrusion as LinearExtrusion
from .mitochondria import MitochondrialEfflux as MitochondrialEfflux, UniporterUptake as UniporterUptake
from .pumps import HillPump as HillPump, LinearPump as LinearPump, ReversiblePump as ReversiblePump
from .release import CaActivatedRelease as CaActivatedRelease
