"""Model registry: CLI name to model class."""

from .._errors import InputError
from .atri1993 import Atri1993
from .borghans1997 import Borghans1997
from .cardiac import Cardiac
from .cardiac_human import CardiacHuman
from .cardiac_mouse import CardiacMouse
from .cardiac_rat import CardiacRat
from .deyoung_keizer1992 import DeYoungKeizer1992
from .gdb1990 import GDB1990
from .hinch2004 import Hinch2004
from .li_rinzel1994 import LiRinzel1994
from .marhl2000 import Marhl2000
from .skeletal import Skeletal
from .sneyd2002 import Sneyd2002

MODELS = {
    cls.name: cls
    for cls in (
        GDB1990, DeYoungKeizer1992, LiRinzel1994, Borghans1997, Marhl2000, Atri1993, Sneyd2002,
        Hinch2004, Cardiac, CardiacMouse, CardiacRat, CardiacHuman, Skeletal,
    )
}  # fmt: skip


def get_model(name: str):
    """The model class registered under CLI name `name`, e.g. `get_model("gdb1990")`."""
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}") from None
