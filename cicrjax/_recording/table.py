"""Delimited text tables (CSV/TSV): read once, with every format problem reported by file, line and column."""

import csv
import dataclasses
import re
from pathlib import Path

import numpy as np

from .errors import RecordingError

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", " ": "space", "|": "pipe"}


@dataclasses.dataclass(frozen=True)
class Table:
    """A parsed text table: column names, string cells (rows × columns) and each row's line number in the file."""

    path: Path
    names: tuple[str, ...]
    cells: list[list[str]]
    lines: np.ndarray
    has_header: bool

    def column(self, name: str) -> list[str]:
        j = self.names.index(name)
        return [row[j] for row in self.cells]


def read_text(path: Path) -> str:
    """The file's text, or a `RecordingError` for empty or binary files."""
    data = path.read_bytes()
    if not data.strip():
        raise RecordingError(f"{path}: the file is empty; export the recording again")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise RecordingError(
            f"{path}: binary content (NUL byte at byte {nul}), not a text table; "
            "give a CSV/TSV, .npy/.npz, a suite2p folder or a TIFF"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover (latin-1 decodes every byte)
            text = ""
        control = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t") + sum(
            1 for c in text[:4096] if 0x7F <= ord(c) < 0xA0
        )
        if control:
            raise RecordingError(
                f"{path}: binary content (undecodable byte at byte {error.start}), not a text table; "
                "give a CSV/TSV, .npy/.npz, a suite2p folder or a TIFF"
            ) from None
        return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_table(path: Path, *, delimiter: str | None = None, decimal: str = ".") -> Table:
    """Parse a delimited text file; `delimiter` defaults to tab for .tsv/.tab and comma otherwise.

    Lines starting with `#` and blank lines are skipped. A first line that is all numbers means no header.
    """
    if decimal not in (".", ","):
        raise RecordingError(f"{path}: decimal must be '.' or ',', got {decimal!r}")
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    if len(delimiter) != 1:
        raise RecordingError(f"{path}: delimiter must be one character such as ',' ';' or a tab, got {delimiter!r}")
    if decimal == "," and delimiter == ",":
        raise RecordingError(f"{path}: decimal=',' needs another delimiter, such as ';' (--delimiter ';')")
    text = read_text(path)
    numbered = [
        (i + 1, line) for i, line in enumerate(text.splitlines()) if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise RecordingError(f"{path}: no data lines (only blank or # comment lines); export the recording again")
    rows = list(csv.reader((line for _, line in numbered), delimiter=delimiter))
    lines = np.array([n for n, _ in numbered])
    first_line = numbered[0][1]
    dname = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    if len(rows[0]) == 1:
        for other in (";", "\t", ","):
            if other != delimiter and other in first_line:
                oname = _DELIMITER_NAMES[other]
                fix = f"delimiter={other!r} (--delimiter {other!r})"
                if other == ";":
                    fix += " and, if numbers use decimal commas, decimal=',' (--decimal ,)"
                raise RecordingError(
                    f"{path}: line {lines[0]} is {oname}-separated, not {dname}-separated as expected; pass {fix}"
                )
    header = [c.strip() for c in rows[0]]
    has_header = not all(_is_number(c.replace(",", ".") if decimal == "," else c) for c in header if c)
    if has_header:
        names, body, body_lines = tuple(header), rows[1:], lines[1:]
        seen: dict[str, int] = {}
        for j, name in enumerate(names):
            if not name:
                raise RecordingError(f"{path}: column {j + 1} of the header (line {lines[0]}) has no name; name it")
            if name in seen:
                raise RecordingError(
                    f"{path}: column name {name!r} appears twice (columns {seen[name] + 1} and {j + 1}); rename one"
                )
            seen[name] = j
    else:
        names = tuple(f"column{j + 1}" for j in range(len(header)))
        body, body_lines = rows, lines
    if not body:
        raise RecordingError(f"{path}: only a header line, no data rows; export the recording again")
    width = len(names)
    for row, line in zip(body, body_lines, strict=True):
        if len(row) != width:
            hint = ""
            if delimiter == "," and any(_DECIMAL_COMMA.match(f"{a},{b}") for a, b in zip(row, row[1:], strict=False)):
                hint = " (decimal commas? then the file needs delimiter=';' and decimal=',')"
            raise RecordingError(
                f"{path}: ragged row: line {line} has {len(row)} fields but the header has {width}{hint}; "
                "fix or remove that row"
            )
    if decimal == ".":
        for row, line in zip(body[:1000], body_lines[:1000], strict=False):
            for j, cell in enumerate(row):
                if _DECIMAL_COMMA.match(cell):
                    raise RecordingError(
                        f"{path}: line {line}, column {names[j]!r} has {cell.strip()!r}, a decimal comma; "
                        "pass decimal=',' (--decimal ,)"
                    )
    return Table(path, names, body, body_lines, has_header)


def numeric_column(table: Table, name: str, decimal: str = ".") -> np.ndarray:
    """Column `name` as floats (empty cells become NaN); text raises `RecordingError` naming line and column."""
    cells = table.column(name)
    if decimal == ",":
        cells = [c.replace(",", ".") for c in cells]
    cleaned = [c.strip() or "nan" for c in cells]
    try:
        return np.array(cleaned, dtype=float)
    except ValueError:
        for cell, line in zip(cleaned, table.lines, strict=True):
            if not _is_number(cell):
                raise RecordingError(
                    f"{table.path}: line {line}, column {name!r} has text {cell!r} where a number is needed; "
                    "fix the cell or choose other columns (columns=[...], --column)"
                ) from None
        return np.array([float(c) for c in cleaned])
