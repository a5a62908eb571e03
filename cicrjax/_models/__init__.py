"""The published models, one per file, and the registry of their CLI names."""

from .atri1993 import Atri1993 as Atri1993
from .borghans1997 import Borghans1997 as Borghans1997
from .cardiac import Cardiac as Cardiac
from .cardiac_human import CardiacHuman as CardiacHuman
from .cardiac_mouse import CardiacMouse as CardiacMouse
from .cardiac_rat import CardiacRat as CardiacRat
from .deyoung_keizer1992 import DeYoungKeizer1992 as DeYoungKeizer1992
from .gdb1990 import GDB1990 as GDB1990
from .hinch2004 import Hinch2004 as Hinch2004
from .li_rinzel1994 import LiRinzel1994 as LiRinzel1994
from .marhl2000 import Marhl2000 as Marhl2000
from .registry import MODELS as MODELS, get_model as get_model
from .skeletal import Skeletal as Skeletal
from .sneyd2002 import Sneyd2002 as Sneyd2002
