"""The manifest of a folder fit: per recording, a content hash of its input, the fit's options and its status.

Each recording's entry (`NAME/status.json`, written atomically) says "running" before its outputs are written and
"done" (or "failed" and why) after them, so "done" means every output is complete and a run killed halfway leaves
"running", which a rerun refits. `manifest.json` (all entries) and `summary.csv` (one
row per recording: status, estimates, 95% intervals, NLL, R²) in the output folder are rebuilt from the entries.
"""

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path

from cicrjax import InputError
from cicrjax.cli import atomic_path

STATUS_NAME = "status.json"
MANIFEST_NAME = "manifest.json"
SUMMARY_NAME = "summary.csv"


def content_hash(path: Path) -> str:
    """SHA-256 of a recording file's bytes, or of every file (name and bytes) under a recording folder."""
    digest = hashlib.sha256()
    try:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path)).encode() if path.is_dir() else b"")
            with open(file, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    except OSError as error:
        raise InputError(
            f"recording {str(path)!r} cannot be read ({error.strerror}); check it exists and is readable"
        ) from None
    return "sha256:" + digest.hexdigest()


def read_status(folder: Path) -> dict | None:
    """The entry in `folder/status.json`; for a folder with `results.json` and no entry (fitted before manifests
    existed) one that says done; else `None` (none, or it cannot be read)."""
    try:
        entry = json.loads((folder / STATUS_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if (folder / "results.json").is_file():
            return {"name": folder.name, "status": "done", "reason": "fitted before manifests (no status.json)"}
        return None
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def write_status(folder: Path, entry: Mapping) -> None:
    """Write `entry` as `folder/status.json` (atomically), creating `folder` if needed."""
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / STATUS_NAME) as tmp:
        tmp.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def plan(entry: Mapping | None, digest: str | None, options: Mapping, retry_failed: bool) -> str:
    """What a rerun does with a recording whose last entry is `entry`: `"done"` or `"failed"` (skipped: same input
    and options, or done before manifests), or `"fit"` (new, changed, half-finished: `"running"`, or failed with
    `retry_failed`)."""
    if entry is not None and entry.get("status") == "done" and "hash" not in entry:
        return "done"
    if entry is None or digest is None or entry.get("hash") != digest or entry.get("options") != dict(options):
        return "fit"
    if entry.get("status") == "done" or (entry.get("status") == "failed" and not retry_failed):
        return entry["status"]
    return "fit"


def write_tables(out: Path, entries: Mapping[str, Mapping], options: Mapping) -> None:
    """Write `manifest.json` (the run's `options` once, and every entry, keyed by output folder name, without the
    options when they are the run's) and `summary.csv` into `out`, atomically."""
    recordings = {k: {n: v for n, v in e.items() if n != "options" or v != options} for k, e in entries.items()}
    with atomic_path(out / MANIFEST_NAME) as tmp:
        content = {"options": dict(options), "recordings": recordings}
        tmp.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", "utf-8")
    names = list(dict.fromkeys(n for e in entries.values() for n in e.get("parameters", {})))
    text = io.StringIO()
    table = csv.writer(text, lineterminator="\n")
    table.writerow(["name", "recording", "status", "reason", "nll", "r2", *_interval_columns(names)])
    for key, e in entries.items():
        estimates = e.get("parameters", {})
        row = [key, e.get("recording", ""), e.get("status", ""), e.get("reason") or ""]
        row += [_number(e.get("nll")), _number(e.get("r2"))]
        for name in names:
            row += [_number(v) for v in estimates.get(name, ("", "", ""))]
        table.writerow(row)
    with atomic_path(out / SUMMARY_NAME) as tmp:
        tmp.write_text(text.getvalue(), encoding="utf-8")


def _interval_columns(names):
    return [c for n in names for c in (n, f"{n}_ci_low", f"{n}_ci_high")]


def _number(value) -> str:
    return "" if value is None or value == "" else f"{float(value):.10g}"
