"""SBML units as short text (`µM/s`, `1/(µM·s)`, `min`), and cicrjax unit text written back as SBML units."""

import math
import re

from .libsbml import require_libsbml

_SYMBOLS = {
    "second": "s", "mole": "mol", "litre": "L", "liter": "L", "metre": "m", "meter": "m", "gram": "g",
    "kilogram": "kg", "volt": "V", "ampere": "A", "dimensionless": "1", "kelvin": "K", "joule": "J",
    "coulomb": "C", "farad": "F", "siemens": "S", "ohm": "Ω", "watt": "W", "newton": "N", "hertz": "Hz",
}  # fmt: skip
_PREFIXES = {-15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", -2: "c", -1: "d", 0: "", 3: "k", 6: "M"}
_TIMES = {1.0: "s", 1e-3: "ms", 1e-6: "µs", 60.0: "min", 3600.0: "h", 86400.0: "d"}
# L2 defaults of the predefined unit ids when a file does not redefine them
_BUILTIN = {"substance": "mole", "time": "second", "volume": "litre", "area": "metre", "length": "metre"}


def _term(kind: str, scale: int, multiplier: float, exponent: float) -> tuple[str, float]:
    """One unit as (text, exponent), e.g. ('µmol', 1), ('min', -1)."""
    symbol = _SYMBOLS.get(kind, kind)
    factor = 10.0**scale * multiplier
    if kind == "second" and factor in _TIMES:
        return _TIMES[factor], exponent
    prefix = round(math.log10(factor)) if factor > 0 else None
    if prefix in _PREFIXES and math.isclose(10**prefix, factor) and symbol != "1":
        return _PREFIXES[prefix] + symbol, exponent
    return (symbol if factor == 1 else f"({factor:g} {symbol})"), exponent


def _join(terms: list[tuple[str, float]]) -> str:
    def power(text, e):
        return text if e == 1 else f"{text}^{e:g}"

    up = [power(t, e) for t, e in terms if e > 0 and t != "1"]
    down = [power(t, -e) for t, e in terms if e < 0 and t != "1"]
    top = "·".join(up) or "1"
    if not down:
        return top
    return f"{top}/{down[0]}" if len(down) == 1 else f"{top}/({'·'.join(down)})"


def unit_text(model, unit_id: str) -> str:
    """The units `unit_id` of an SBML model as short text; `''` when none are given."""
    if not unit_id:
        return ""
    definition = model.getUnitDefinition(unit_id)
    if definition is None:
        kind = _BUILTIN.get(unit_id, unit_id)
        return _join([_term(kind, 0, 1.0, 1.0)])
    raw = []
    for u in definition.getListOfUnits():
        raw.append(
            (require_libsbml().UnitKind_toString(u.getKind()), u.getScale(), u.getMultiplier(), u.getExponentAsDouble())
        )
    kinds = {k: (s, m, e) for k, s, m, e in raw}
    terms = []
    if "mole" in kinds and "litre" in kinds and kinds["mole"][2] == 1 and kinds["litre"] == (0, 1.0, -1.0):
        scale, multiplier, _ = kinds["mole"]  # mol/L is molar
        text, _ = _term("mole", scale, multiplier, 1.0)
        terms.append((text[:-3] + "M" if text.endswith("mol") else text + "/L", 1.0))
        raw = [r for r in raw if r[0] not in ("mole", "litre")]
    terms += [_term(*r) for r in raw]
    return _join(terms)


def time_unit(model) -> tuple[str, float | None]:
    """The model's time unit as (text, seconds per unit); seconds per unit is None when it is not a time."""
    unit_id = model.getTimeUnits() if model.getLevel() >= 3 else "time"
    if not unit_id:
        return "", None
    definition = model.getUnitDefinition(unit_id)
    if definition is None:
        return ("s", 1.0) if _BUILTIN.get(unit_id, unit_id) == "second" else (unit_id, None)
    units = list(definition.getListOfUnits())
    if (
        len(units) != 1
        or require_libsbml().UnitKind_toString(units[0].getKind()) != "second"
        or units[0].getExponent() != 1
    ):
        return unit_text(model, unit_id), None
    factor = units[0].getMultiplier() * 10 ** units[0].getScale()
    for seconds, text in _TIMES.items():
        if math.isclose(factor, seconds, rel_tol=1e-12):
            return text, seconds
    return f"({factor:g} s)", factor


_KINDS = {symbol: kind for kind, symbol in _SYMBOLS.items() if kind not in ("liter", "meter")}
_SCALES = {prefix: scale for scale, prefix in _PREFIXES.items() if prefix}
_TOKEN = re.compile(r"^(?P<base>[^\^]+?)(?:\^(?P<exp>-?\d+))?$")


def _parse_term(text: str) -> list[tuple[str, int, float, int]] | None:
    """One cicrjax unit token (`µM`, `s`, `mV`, `µm³`) as SBML (kind, scale, multiplier, exponent) units."""
    text = text.replace("³", "^3").replace("²", "^2")
    match = _TOKEN.match(text)
    if match is None:
        return None
    base, exp = match.group("base"), int(match.group("exp") or 1)
    if base == "min":
        return [("second", 0, 60.0, exp)]
    if base == "h":
        return [("second", 0, 3600.0, exp)]
    for prefix, scale in [("", 0), *_SCALES.items()]:
        rest = base[len(prefix) :] if base.startswith(prefix) else None
        if rest == "M":
            return [("mole", scale, 1.0, exp), ("litre", 0, 1.0, -exp)]
        if rest in _KINDS and rest != "1":
            return [(_KINDS[rest], scale, 1.0, exp)]
    return None


def parse_unit(text: str) -> list[tuple[str, int, float, int]] | None:
    """A cicrjax unit string (`µM/s`, `1/(µM·s)`, `µM/(mV·s)`) as SBML units, or None when it is not understood."""
    top, _, bottom = text.partition("/")
    bottom = bottom.strip("()")
    units = []
    for part, sign in ((top, 1), (bottom, -1)):
        for token in filter(None, part.split("·")):
            if token == "1":
                continue
            parsed = _parse_term(token)
            if parsed is None:
                return None
            units += [(k, s, m, sign * e) for k, s, m, e in parsed]
    return units
