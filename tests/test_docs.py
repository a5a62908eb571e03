"""The documentation site: every ```python block of docs/ runs, and `mkdocs build --strict` (when the `docs` extra is
installed) builds the site with every public name in its API reference and no broken cross-reference."""

import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))


def test_docs_exist():
    assert (ROOT / "mkdocs.yml").is_file() and len(PAGES) >= 10


@pytest.mark.parametrize("page", [p for p in PAGES if "```python" in p.read_text()], ids=lambda p: p.name)
def test_every_python_block_of_a_page_runs(page, monkeypatch):
    """The blocks of one page run in order in one namespace, from the repository root (as the README's do)."""
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(), re.S | re.M)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page.relative_to(ROOT)} python block {i + 1}", "exec"), namespace)


def _public(module) -> list[str]:
    return [n for n in dir(module) if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)]


def test_site_builds_strictly_with_every_public_name(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[test]' or '.[docs]')")
    pytest.importorskip("mkdocstrings")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    import cicrjax
    import cicrjax.cli
    import cicrjax.plot
    import fitting

    missing = [
        f"{m.__name__}.{n}"
        for m in (cicrjax, fitting, cicrjax.plot, cicrjax.cli)
        for n in _public(m)
        if f'id="{m.__name__}.{n}"' not in html
    ]
    assert not missing, f"public names without an entry in the API reference: {missing}"


def _undefined_names(source: str) -> set[str]:
    """Names a block reads but neither binds (assignment, import, def, for, with, comprehension) nor gets from
    builtins."""
    import ast
    import builtins

    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


@pytest.mark.parametrize("path", ["README.md", *(str(p.relative_to(ROOT)) for p in PAGES)])
def test_every_python_block_is_complete_on_its_own(path):
    """A reader may copy any one block: each imports or defines every name it uses."""
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / path).read_text(), re.S | re.M)
    for i, block in enumerate(blocks):
        assert not _undefined_names(block), f"{path} python block {i + 1} uses {_undefined_names(block)}"
