"""Delimited text tables (CSV/TSV): read once, with every format problem reported by file, line and column."""

import csv
import dataclasses
import io
import re
import warnings
from pathlib import Path

import numpy as np

from .errors import RecordingError

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d*\.\d+(?:[eE][-+]?\d+)?\s*$")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", " ": "space", "|": "pipe"}


@dataclasses.dataclass(frozen=True)
class Table:
    """A parsed text table: column names, string cells (rows × columns) or, for an all-numeric file read by the fast
    path, a float array `numbers`, and each row's line number in the file."""

    path: Path
    names: tuple[str, ...]
    cells: list[list[str]] | None
    lines: np.ndarray
    has_header: bool
    numbers: np.ndarray | None = None
    decimal: str = "."
    assumed: tuple[str, ...] = ()  # what the reader inferred (separator, decimal mark, a dropped row-number column)

    def column(self, name: str) -> list[str]:
        j = self.names.index(name)
        if self.cells is None:
            return [repr(float(v)) for v in self.numbers[:, j]]
        return [row[j] for row in self.cells]


def read_text(path: Path, data: bytes | None = None) -> str:
    """The file's text, or a `RecordingError` for empty or binary files."""
    data = path.read_bytes() if data is None else data
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
    if "_" in text:  # Python accepts 1_000; a recording should not
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fast_table(path: Path, data: bytes, delimiter: str) -> Table | None:
    """An all-numeric table with one header line (or none), parsed in C by `numpy.loadtxt`; None if anything is
    unusual (comments, blank lines, empty or text cells, ragged rows), so that the careful parser reports it."""
    end = data.find(b"\n")
    try:
        first = data[: end if end >= 0 else len(data)].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if not first.strip() or first.lstrip().startswith("#"):
        return None
    try:
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
    except csv.Error:
        return None
    if len(header) == 1 and any(o in first for o in (",", ";", "\t") if o != delimiter):
        return None
    has_header = not all(_is_number(c) for c in header if c)
    if has_header and (not all(header) or len(set(header)) != len(header)):
        return None
    skip = 1 if has_header else 0
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - skip
    if n_lines < 1:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": the careful parser reports it
            numbers = np.loadtxt(
                io.BytesIO(data),
                delimiter=delimiter,
                skiprows=skip,
                comments=None,
                quotechar='"',
                ndmin=2,
                dtype=float,
                encoding="utf-8",
            )
    except (ValueError, UnicodeDecodeError):
        return None
    if numbers.shape[0] == 0 or numbers.shape[0] != n_lines or numbers.shape[1] != len(header):
        return None
    names = tuple(header) if has_header else tuple(f"column{j + 1}" for j in range(len(header)))
    lines = np.arange(skip + 1, skip + 1 + numbers.shape[0])
    return Table(path, names, None, lines, has_header, numbers)


def _split(line: str, delimiter: str, path: Path, number: int) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as error:
        raise RecordingError(f"{path}: line {number} cannot be split into fields ({error}); fix that line") from None


def _sample_lines(data: bytes, limit: int = 50) -> list[str]:
    """Up to `limit` complete data lines (no blank or # comment lines) from the start of the file."""
    head = data[:65536]
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    if len(head) < len(data) and lines:
        lines = lines[:-1]  # the last line may be cut
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")][:limit]


def _fields(line: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None


def sniff_delimiter(lines: list[str]) -> str | None:
    """The separator that splits every sampled line into the same number (> 1) of fields: tab, then `;`, then `,`
    (a decimal comma never makes `;` or tab ambiguous); `None` when none does."""
    for delimiter in ("\t", ";", ","):
        counts = {len(f) if (f := _fields(line, delimiter)) is not None else -1 for line in lines}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
    return None


def sniff_decimal(lines: list[str], delimiter: str) -> str:
    """`,` when the cells use decimal commas (`1,5`) and none uses a decimal point, else `.`; a comma-separated
    file keeps `.` (a quoted `"1,000"` there may be a thousands separator)."""
    if delimiter == ",":
        return "."
    cells = [c.strip() for line in lines for c in (_fields(line, delimiter) or [])]
    commas = any(_DECIMAL_COMMA.match(c) for c in cells)
    points = any(_DECIMAL_POINT.match(c) for c in cells)
    return "," if commas and not points else "."


def _row_numbers(names: tuple[str, ...], body: list[list[str]]) -> bool:
    """Whether the first column is unnamed and holds 1, 2, 3, ...: the row numbers ImageJ writes."""
    return (
        len(names) > 1
        and names[0] == ""
        and len(body) > 0
        and all(len(row) > 0 and row[0].strip() == str(i + 1) for i, row in enumerate(body))
    )


def read_table(path: Path, *, delimiter: str | None = None, decimal: str | None = None) -> Table:
    """Parse a delimited text file. Lines starting with `#` and blank lines are skipped; a first line that is all
    numbers means no header.

    `delimiter` (default: sniffed, tab, `;` or `,`, else tab for .tsv/.tab and comma otherwise) and `decimal`
    (default: sniffed, `,` for decimal commas) may be given; what was sniffed is listed in `Table.assumed`, as is an
    unnamed first column of row numbers (an ImageJ export), which is dropped.
    """
    if decimal not in (None, ".", ","):
        raise RecordingError(f"{path}: decimal must be '.' or ',', got {decimal!r}")
    if delimiter is not None and len(delimiter) != 1:
        raise RecordingError(f"{path}: delimiter must be one character such as ',' ';' or a tab, got {delimiter!r}")
    data = path.read_bytes()
    assumed = []
    if delimiter is None or decimal is None:
        sample = _sample_lines(data)
        if delimiter is None:
            delimiter = sniff_delimiter(sample)
            if delimiter is None:
                delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
            elif delimiter != ("\t" if path.suffix.lower() in (".tsv", ".tab") else ","):
                assumed.append(f"{_DELIMITER_NAMES[delimiter]}-separated")
        if decimal is None:
            decimal = sniff_decimal(sample, delimiter)
            if decimal == ",":
                assumed.append("decimal commas")
    if decimal == "." and data.strip() and b"\x00" not in data[:65536]:
        fast = _fast_table(path, data, delimiter)
        if fast is not None:
            return dataclasses.replace(fast, assumed=tuple(assumed))
    text = read_text(path, data)
    del data
    numbered = [
        (i + 1, line) for i, line in enumerate(text.splitlines()) if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise RecordingError(f"{path}: no data lines (only blank or # comment lines); export the recording again")
    rows = [_split(line, delimiter, path, n) for n, line in numbered]  # one row per line
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
        if _row_numbers(names, body):
            names, body = names[1:], [row[1:] for row in body]
            assumed.append("the unnamed first column is row numbers (dropped)")
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
    return Table(path, names, body, body_lines, has_header, decimal=decimal, assumed=tuple(assumed))


def numeric_column(table: Table, name: str) -> np.ndarray:
    """Column `name` as floats (empty cells become NaN); text raises `RecordingError` naming line and column."""
    if table.numbers is not None:
        return table.numbers[:, table.names.index(name)]
    cells = table.column(name)
    if table.decimal == ",":
        cells = [c.replace(",", ".") for c in cells]
    cleaned = [c.strip() or "nan" for c in cells]
    try:
        if any("_" in c for c in cleaned):
            raise ValueError("underscore")
        return np.array(cleaned, dtype=float)
    except ValueError:
        for cell, line in zip(cleaned, table.lines, strict=True):
            if not _is_number(cell):
                raise RecordingError(
                    f"{table.path}: line {line}, column {name!r} has text {cell!r} where a number is needed; "
                    "fix the cell or choose other columns (columns=[...], --column)"
                ) from None
        return np.array([float(c) for c in cleaned])
