"""Reusable Ca flux components (private subpackage; public names are re-exported by `cicrjax`)."""

from .buffers import BufferBinding as BufferBinding, RapidBuffer as RapidBuffer
from .electro import ghk_factor as ghk_factor, reduced_potential as reduced_potential
from .ip3r import DeYoungKeizerIP3R as DeYoungKeizerIP3R, LiRinzelIP3R as LiRinzelIP3R
from .leak import Leak as Leak
from .ltype import GHKCalciumFlux as GHKCalciumFlux, ShannonLTypeGates as ShannonLTypeGates
from .mahajan_ltype import MahajanLType as MahajanLType
from .membrane import Influx as Influx, LinearExtrusion as LinearExtrusion
from .mitochondria import MitochondrialEfflux as MitochondrialEfflux, UniporterUptake as UniporterUptake
from .ncx import NCX as NCX, AllostericNCX as AllostericNCX
from .pumps import HillPump as HillPump, LinearPump as LinearPump, ReversiblePump as ReversiblePump
from .release import CaActivatedRelease as CaActivatedRelease
from .ryr import FourStateRyR as FourStateRyR
from .voltage_sensor import AllostericVoltageSensor as AllostericVoltageSensor
