"""cicrjax: differentiable calcium-induced calcium release models in JAX.

Simulation runs in float64 by default (stiff solvers and likelihoods need it): importing cicrjax enables
`jax_enable_x64`. Pass `dtype=jnp.float32` to `simulate` for GPU throughput.
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from ._analysis import find_peaks as find_peaks  # noqa: E402
from ._analysis import oscillation_period as oscillation_period
from ._fluxes import (  # noqa: E402
    BufferBinding as BufferBinding,
)
from ._fluxes import (
    CaActivatedRelease as CaActivatedRelease,
)
from ._fluxes import (
    DeYoungKeizerIP3R as DeYoungKeizerIP3R,
)
from ._fluxes import (
    HillPump as HillPump,
)
from ._fluxes import (
    Influx as Influx,
)
from ._fluxes import (
    Leak as Leak,
)
from ._fluxes import (
    LinearExtrusion as LinearExtrusion,
)
from ._fluxes import (
    LinearPump as LinearPump,
)
from ._fluxes import (
    LiRinzelIP3R as LiRinzelIP3R,
)
from ._fluxes import (
    MitochondrialEfflux as MitochondrialEfflux,
)
from ._fluxes import (
    RapidBuffer as RapidBuffer,
)
from ._fluxes import (
    ReversiblePump as ReversiblePump,
)
from ._fluxes import (
    UniporterUptake as UniporterUptake,
)
from ._hill import hill as hill  # noqa: E402
from ._model import AbstractModel as AbstractModel  # noqa: E402
from ._models import (
    GDB1990 as GDB1990,
)
from ._models import (  # noqa: E402
    MODELS as MODELS,
)
from ._models import (
    Atri1993 as Atri1993,
)
from ._models import (
    Borghans1997 as Borghans1997,
)
from ._models import (
    DeYoungKeizer1992 as DeYoungKeizer1992,
)
from ._models import (
    LiRinzel1994 as LiRinzel1994,
)
from ._models import (
    Marhl2000 as Marhl2000,
)
from ._models import (
    Sneyd2002 as Sneyd2002,
)
from ._models import (
    get_model as get_model,
)
from ._parameters import (  # noqa: E402
    ParameterInfo as ParameterInfo,
)
from ._parameters import (
    batch_parameters as batch_parameters,
)
from ._parameters import (
    param as param,
)
from ._parameters import (
    parameter_info as parameter_info,
)
from ._parameters import (
    with_parameters as with_parameters,
)
from ._protocol import (  # noqa: E402
    AbstractStimulus as AbstractStimulus,
)
from ._protocol import (
    Constant as Constant,
)
from ._protocol import (
    Protocol as Protocol,
)
from ._protocol import (
    PulseTrain as PulseTrain,
)
from ._protocol import (
    Ramp as Ramp,
)
from ._protocol import (
    Step as Step,
)
from ._protocol_spec import parse_protocol as parse_protocol  # noqa: E402
from ._simulate import simulate as simulate  # noqa: E402
from ._solution import Solution as Solution  # noqa: E402
from ._solvers import stiff_solver as stiff_solver  # noqa: E402

__version__ = "0.1.0"
