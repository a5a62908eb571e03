"""A folder fit as a task farm: skip what is done, send the rest out in chunks, record every result as it arrives."""

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ._cluster import run_chunks
from ._manifest import plan, read_status, write_status, write_tables
from ._progress import FarmProgress

TABLES_EVERY_S = 2.0  # manifest.json and summary.csv are rewritten at most this often while results arrive


def fit_all(
    items: Sequence[dict],
    work: Callable[[list[dict]], list[dict]],
    out: Path,
    *,
    client=None,
    chunk: int | None = None,
    retry_failed: bool = False,
    say: Callable[[str], None] = lambda text: None,
    bar: FarmProgress | None = None,
) -> tuple[dict[str, dict], list[str]]:
    """Fit every item (`name`, `recording`, `where`, `hash`, `options`, `label`) not yet done with the same input
    and options, by `work(chunk)` (which writes each recording's outputs and entry, and returns the entries) on
    `client`'s workers or here (`client=None`); returns every item's entry, by name, in the items' order, and the
    names of those fitted by this run.

    Chunks hold `chunk` items (default 1 here, else about 4 chunks per worker, at most 16). `manifest.json` and
    `summary.csv` in `out` are rewritten as results arrive (not at all when nothing is fitted); `say` tells which
    were skipped, `bar` counts them all.
    """
    entries, pending = {}, []
    for item in items:
        before = read_status(Path(item["where"]))
        decision = plan(before, item["hash"], item["options"], retry_failed)
        if decision == "fit":
            pending.append(item)
            continue
        entries[item["name"]] = before
        if decision == "done":
            say(f"{item['label']}already fitted ({item['where']}: same input and options); skipped")
        else:
            say(f"{item['label']}failed before ({before.get('reason')}); skipped (--retry-failed refits it)")
        if bar is not None:
            bar.update(decision, skipped=True)
    options = items[0]["options"] if items else {}

    def tables() -> float:
        """Rewrite manifest.json and summary.csv; the seconds it took."""
        started = time.monotonic()
        write_tables(out, {i["name"]: entries[i["name"]] for i in items if i["name"] in entries}, options)
        return time.monotonic() - started

    took = 0.0
    if chunk is None:
        workers = 1 if client is None else len(client.scheduler_info()["workers"])
        chunk = 1 if client is None else max(1, min(16, math.ceil(len(pending) / (4 * max(workers, 1)))))
    chunks = [list(pending[i : i + chunk]) for i in range(0, len(pending), chunk)]
    if client is not None:
        workers = len(client.scheduler_info()["workers"])
        say(f"{len(pending)} recording(s) to fit in {len(chunks)} chunk(s) of at most {chunk} on {workers} worker(s)")
    written, fitted = 0.0, []
    for entry in run_chunks(client, work, chunks, _lost):
        entries[entry["name"]] = entry
        if entry["status"] not in ("done", "failed"):  # another run is fitting it
            if bar is not None:
                bar.update("skipped", skipped=True)
            continue
        fitted.append(entry["name"])
        if bar is not None:
            bar.update(entry["status"])
        if time.monotonic() - written >= max(TABLES_EVERY_S, 20 * took):  # at most 5% of the time on the tables
            took = tables()
            written = time.monotonic()
    if fitted:  # nothing fitted: the tables on disk, if any, are still right, and nothing is written
        tables()
    return {i["name"]: entries[i["name"]] for i in items if i["name"] in entries}, fitted


def _lost(chunk: list[dict], reason: str) -> list[dict]:
    """The entries of a chunk whose worker kept dying: those it finished are kept, the rest failed with `reason`."""
    entries = []
    for item in chunk:
        where = Path(item["where"])
        before = read_status(where)
        if plan(before, item["hash"], item["options"], True) == "done":
            entries.append(before)
            continue
        entry = {key: item[key] for key in ("name", "recording", "hash", "options")}
        entry.update(status="failed", reason=reason)
        write_status(where, entry)
        entries.append(entry)
    return entries
