"""MkDocs hook: `<!-- api: PACKAGE -->` in a page becomes one mkdocstrings block per public name of PACKAGE, read
from its `__init__.py` (or module) re-exports (`from ._x import Name as Name`), grouped by the defining module's
first docstring line. Every public name thus reaches the API reference without a hand-kept list."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- api: ([\w.]+) -->$", re.M)


def public_names(package: str) -> dict[str, list[str]]:
    """{defining module (relative, as written): [public names]} in the order of the source."""
    path = ROOT / package.replace(".", "/")
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    groups: dict[str, list[str]] = {}
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [a.asname for a in node.names if a.asname and a.asname == a.name and not a.name.startswith("_")]
            if names:
                groups.setdefault(node.module or "", []).extend(names)
    return groups


def _heading(package: str, module: str) -> str:
    base = ROOT / package.split(".")[0]
    path = base.joinpath(*module.split("."))
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or module
    return doc.split("\n\n")[0].replace("\n", " ").rstrip(".")


def _blocks(package: str) -> str:
    catalogue = {cls.__name__ for cls in _model_classes()} if package == "cicrjax" else set()
    out = ["The published models are documented once, in the [model catalogue](../models.md)."] if catalogue else []
    for module, names in public_names(package).items():
        names = [n for n in names if n not in catalogue]
        if not names:
            continue
        if not module:  # `from . import plot as plot`: a submodule with its own page
            out += ["## Submodules", ""] + [f"- [`{package}.{n}`]({n}.md)" for n in names] + [""]
            continue
        out += [f"## {_heading(package, module)}", ""]
        for name in names:
            out += [f"::: {package}.{name}", "    options:", "      heading_level: 3", ""]
    return "\n".join(out)


def on_page_markdown(markdown: str, **kwargs) -> str:
    return MARKER.sub(lambda m: _blocks(m.group(1)), markdown)


def _import_cicrjax():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the checkout's cicrjax, installed or not
    import cicrjax

    return cicrjax


def _model_classes() -> list[type]:
    """Every registered model class, well-mixed then spatial."""
    _import_cicrjax()
    import cicrjax
    from cicrjax._spatial import SPATIAL_MODELS

    return [*cicrjax.MODELS.values(), *SPATIAL_MODELS.values()]


def _models() -> str:
    """A table of every registered model (CLI name, class, states, citation), then each model's docstring (its
    equations, units and citation)."""
    cicrjax = _import_cicrjax()
    from cicrjax._spatial import SPATIAL_MODELS

    def path(cls):
        exported = getattr(cicrjax, cls.__name__, None) is cls
        return f"cicrjax.{cls.__name__}" if exported else f"{cls.__module__}.{cls.__qualname__}"

    out = ["| CLI name | class | states | citation |", "|---|---|---|---|"]
    for name, cls in cicrjax.MODELS.items():
        states = ", ".join(cls.states)
        out.append(f"| `{name}` | [`{cls.__name__}`][{path(cls)}] | {states} | {cls.citation} |")
    out += ["", "## Well-mixed models", ""]
    for cls in cicrjax.MODELS.values():
        out += [f"::: {path(cls)}", "    options:", "      heading_level: 3", "      members: false", ""]
    out += ["## Spatial models (`cicrjax wave`)", ""]
    for cls in SPATIAL_MODELS.values():
        out += [f"::: {path(cls)}", "    options:", "      heading_level: 3", "      members: false", ""]
    return "\n".join(out)


_on_page_markdown_api = on_page_markdown


def on_page_markdown(markdown: str, **kwargs) -> str:  # noqa: F811  (the api marker, then the models marker)
    markdown = _on_page_markdown_api(markdown)
    return markdown.replace("<!-- models -->", _models()) if "<!-- models -->" in markdown else markdown
