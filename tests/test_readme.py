"""Every ```python block of README.md runs, in order, in one namespace (later blocks use earlier names)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_readme_python_block_runs(monkeypatch):
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    assert len(blocks) >= 2  # the Python and Fitting sections
    monkeypatch.chdir(ROOT)  # examples name bundled files relative to the repository root
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
