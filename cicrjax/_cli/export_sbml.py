"""`cicrjax export-sbml MODEL --out FILE.xml`: write a built-in model as SBML Level 3."""

from .._models import get_model
from .._sbml import export_sbml
from .output import atomic_path, check_writable


def add_parser(sub):
    p = sub.add_parser(
        "export-sbml",
        help="write a built-in model as SBML",
        description="Write MODEL as SBML Level 3 Version 2: its parameters (with units), one rate rule per state, "
        "initial values; `cicrjax simulate FILE.xml` and other SBML tools read it back.",
    )
    p.add_argument("model", help="model CLI name (see `cicrjax models`)")
    p.add_argument("--out", required=True, metavar="FILE.xml", help="output SBML file")
    p.set_defaults(func=run)


def run(args):
    cls = get_model(args.model)
    out = check_writable(args.out, "--out")
    with atomic_path(out) as tmp:
        export_sbml(cls(), tmp)
    print(f"wrote {out} ({cls.name}: {len(cls.parameters())} parameters, {len(cls.states)} states)")
