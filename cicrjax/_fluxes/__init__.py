"""Reusable Ca flux components (private subpackage; public names are re-exported by `cicrjax`)."""

from .buffers import BufferBinding as BufferBinding
from .buffers import RapidBuffer as RapidBuffer
from .ip3r import DeYoungKeizerIP3R as DeYoungKeizerIP3R
from .ip3r import LiRinzelIP3R as LiRinzelIP3R
from .leak import Leak as Leak
from .membrane import Influx as Influx
from .membrane import LinearExtrusion as LinearExtrusion
from .mitochondria import MitochondrialEfflux as MitochondrialEfflux
from .mitochondria import UniporterUptake as UniporterUptake
from .pumps import HillPump as HillPump
from .pumps import LinearPump as LinearPump
from .pumps import ReversiblePump as ReversiblePump
from .release import CaActivatedRelease as CaActivatedRelease
