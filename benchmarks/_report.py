"""Benchmark rows: one comparison of cicrjax with a peer, measured in the same run, and how to print them."""

import dataclasses
import json
import math


@dataclasses.dataclass
class Row:
    """One measured comparison. Times in s; `ratio` = cicrjax_s / peer_s (below 1: cicrjax faster).

    `accuracy` holds the error of each side against the case's tight reference (`metric` says which error), so
    that times are compared at known accuracy. A `peer` of None is a row of cicrjax alone (e.g. compile time).
    """

    name: str
    cicrjax_s: float | None
    peer: str | None = None
    peer_s: float | None = None
    target_ratio: float | None = None
    accuracy: dict = dataclasses.field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.cicrjax_s is None or not self.peer_s:
            return None
        return self.cicrjax_s / self.peer_s

    @property
    def met(self) -> bool | None:
        if self.target_ratio is None or self.ratio is None:
            return None
        return self.ratio <= self.target_ratio

    def as_json(self) -> dict:
        row = dataclasses.asdict(self)
        row["ratio"] = self.ratio
        row["met"] = self.met
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def skipped(name: str, peer: str, reason: str) -> Row:
    """A row for a peer that is not installed or cannot do the case: reported, never faked."""
    return Row(name, None, peer, None, note=f"skipped: {reason}")


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1.0:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def _fmt_err(x) -> str:
    return "-" if x is None else f"{x:.1e}"


def table(rows: list[Row]) -> str:
    """The rows as a fixed-width text table (the same columns as the JSON)."""
    head = ("case", "cicrjax", "peer", "peer time", "ratio", "target", "met", "err cicrjax", "err peer", "note")
    lines = []
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.3g}"
        target = "-" if r.target_ratio is None else f"≤{r.target_ratio:g}"
        met = {None: "", True: "yes", False: "NO"}[r.met]
        acc = r.accuracy or {}
        lines.append(
            (r.name, _fmt_time(r.cicrjax_s), r.peer or "-", _fmt_time(r.peer_s), ratio, target, met,
             _fmt_err(acc.get("cicrjax")), _fmt_err(acc.get("peer")), r.note)
        )  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines, strict=True)]
    widths[-1] = 0
    out = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    out.append("-" * len(out[0]))
    out += [" | ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    return "\n".join(out)


def write_json(path, rows: list[Row], meta: dict) -> None:
    with open(path, "w") as f:
        json.dump({"meta": meta, "rows": [r.as_json() for r in rows]}, f, indent=1)


def markdown(rows: list[dict]) -> str:
    """JSON rows (as written by `write_json`) as a Markdown table: `python -m benchmarks._report FILE.json`."""
    out = ["| case | cicrjax | peer | peer time | ratio | target | met | error cicrjax / peer | note |",
           "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        acc = r.get("accuracy") or {}
        err = "" if not acc else f"{_fmt_err(acc.get('cicrjax'))} / {_fmt_err(acc.get('peer'))}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3g}"
        target = "" if r["target_ratio"] is None else f"≤ {r['target_ratio']:g}"
        met = {None: "", True: "yes", False: "**no**"}[r["met"]]
        cells = (r["name"], _fmt_time(r["cicrjax_s"]), r["peer"] or "", _fmt_time(r["peer_s"]) if r["peer"] else "",
                 ratio, target, met, err, r["note"].replace("|", "/"))  # fmt: skip
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    with open(sys.argv[1]) as f:
        print(markdown(json.load(f)["rows"]))
