"""`cicrjax models [NAME]`: list the models with states, parameters and citations."""

from .._models import MODELS, get_model


def add_parser(sub):
    p = sub.add_parser("models", help="list the models, or show one", description="List every model, or one.")
    p.add_argument("name", nargs="?", help="CLI name of one model, e.g. gdb1990")
    p.set_defaults(func=run)


def describe(cls) -> str:
    """Multi-line description of one model class: name, states, citation, parameter table."""
    lines = [
        f"{cls.name}  ({cls.__name__})",
        f"  citation: {cls.citation}",
        f"  states:   {', '.join(cls.states)}",
        f"  fit frees by default: {', '.join(cls.default_free) or 'nothing (name --free)'}",
        "  parameters (name, default, unit, constraint, description):",
    ]
    for p in cls.parameters():
        lines.append(f"    {p.name:<12} {p.default:<12.6g} {p.unit:<10} {p.constraint:<13} {p.description}")
    return "\n".join(lines)


def run(args):
    classes = [get_model(args.name)] if args.name else list(MODELS.values())
    print("\n\n".join(describe(cls) for cls in classes))
