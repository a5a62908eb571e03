"""SBML MathML (a libsbml AST) translated into a Python function of named values, built from jax.numpy calls.

The translation walks the AST once and composes closures; nothing is evaluated as source text, so a file can
only ever produce arithmetic. The result is traced by jit, vmap and grad like any jax.numpy code.
"""

import math
from collections.abc import Callable, Mapping

import jax.numpy as jnp

from .._errors import InputError
from .libsbml import ast_type_names, require_libsbml

Env = Mapping[str, object]
Compiled = Callable[[Env], object]

AVOGADRO = 6.02214179e23  # the value SBML Level 3 Version 1 fixes for the avogadro csymbol

_UNARY = {
    "AST_FUNCTION_ABS": jnp.abs,
    "AST_FUNCTION_EXP": jnp.exp,
    "AST_FUNCTION_LN": jnp.log,
    "AST_FUNCTION_FLOOR": jnp.floor,
    "AST_FUNCTION_CEILING": jnp.ceil,
    "AST_FUNCTION_SIN": jnp.sin,
    "AST_FUNCTION_COS": jnp.cos,
    "AST_FUNCTION_TAN": jnp.tan,
    "AST_FUNCTION_SINH": jnp.sinh,
    "AST_FUNCTION_COSH": jnp.cosh,
    "AST_FUNCTION_TANH": jnp.tanh,
    "AST_FUNCTION_ARCSIN": jnp.arcsin,
    "AST_FUNCTION_ARCCOS": jnp.arccos,
    "AST_FUNCTION_ARCTAN": jnp.arctan,
    "AST_FUNCTION_ARCSINH": jnp.arcsinh,
    "AST_FUNCTION_ARCCOSH": jnp.arccosh,
    "AST_FUNCTION_ARCTANH": jnp.arctanh,
    "AST_FUNCTION_SEC": lambda x: 1.0 / jnp.cos(x),
    "AST_FUNCTION_CSC": lambda x: 1.0 / jnp.sin(x),
    "AST_FUNCTION_COT": lambda x: 1.0 / jnp.tan(x),
    "AST_FUNCTION_SECH": lambda x: 1.0 / jnp.cosh(x),
    "AST_FUNCTION_CSCH": lambda x: 1.0 / jnp.sinh(x),
    "AST_FUNCTION_COTH": lambda x: 1.0 / jnp.tanh(x),
    "AST_FUNCTION_ARCSEC": lambda x: jnp.arccos(1.0 / x),
    "AST_FUNCTION_ARCCSC": lambda x: jnp.arcsin(1.0 / x),
    "AST_FUNCTION_ARCCOT": lambda x: jnp.arctan(1.0 / x),
    "AST_FUNCTION_ARCSECH": lambda x: jnp.arccosh(1.0 / x),
    "AST_FUNCTION_ARCCSCH": lambda x: jnp.arcsinh(1.0 / x),
    "AST_FUNCTION_ARCCOTH": lambda x: jnp.arctanh(1.0 / x),
    "AST_FUNCTION_FACTORIAL": lambda x: jnp.exp(jnp.lgamma(x + 1.0)),
    "AST_LOGICAL_NOT": jnp.logical_not,
}
_RELATIONAL = {
    "AST_RELATIONAL_EQ": jnp.equal,
    "AST_RELATIONAL_NEQ": jnp.not_equal,
    "AST_RELATIONAL_GT": jnp.greater,
    "AST_RELATIONAL_GEQ": jnp.greater_equal,
    "AST_RELATIONAL_LT": jnp.less,
    "AST_RELATIONAL_LEQ": jnp.less_equal,
}
_FOLD = {  # n-ary operators, folded left to right
    "AST_PLUS": lambda a, b: a + b,
    "AST_TIMES": lambda a, b: a * b,
    "AST_LOGICAL_AND": jnp.logical_and,
    "AST_LOGICAL_OR": jnp.logical_or,
    "AST_LOGICAL_XOR": jnp.logical_xor,
    "AST_FUNCTION_MAX": jnp.maximum,
    "AST_FUNCTION_MIN": jnp.minimum,
}
_EMPTY = {"AST_PLUS": 0.0, "AST_TIMES": 1.0, "AST_LOGICAL_AND": True, "AST_LOGICAL_OR": False, "AST_LOGICAL_XOR": False}


def type_name(node) -> str:
    """The libsbml name of an AST node's type, e.g. `'AST_PLUS'`."""
    return ast_type_names().get(node.getType(), f"AST type {node.getType()}")


def _power(base: Compiled, exponent_node, exponent: Compiled) -> Compiled:
    """x^n as an integer power (exact at x ≤ 0, and its gradient too) when n is a whole-number literal."""
    if exponent_node.isNumber() and not exponent_node.isRational():
        value = exponent_node.getValue()
        if math.isfinite(value) and value == int(value) and abs(value) <= 64:
            n = int(value)
            return lambda env: base(env) ** n
    return lambda env: base(env) ** exponent(env)


def _piecewise(pieces: list[tuple[Compiled, Compiled]], otherwise: Compiled | None) -> Compiled:
    def run(env):
        result = jnp.nan if otherwise is None else otherwise(env)
        for value, condition in reversed(pieces):  # the first true condition wins
            result = jnp.where(condition(env), value(env), result)
        return result

    return run


def _fold(op, parts: list[Compiled]) -> Compiled:
    def run(env):
        result = parts[0](env)
        for part in parts[1:]:
            result = op(result, part(env))
        return result

    return run


class MathCompiler:
    """Compiles SBML math into functions `env → value` that use jax.numpy; `functions` holds the model's
    function definitions (lambda ASTs) by id, and `where` names the element in error messages."""

    def __init__(self, functions: Mapping[str, object], source: str):
        self.functions = dict(functions)
        self.source = source

    def compile(self, node, where: str, rename: Mapping[str, str] | None = None) -> Compiled:
        """The function of `node`; `rename` maps names in the math (local parameters) to names in `env`."""
        if node is None:
            raise InputError(f"{self.source}: {where} has no math; give it a formula")
        return self._compile(node, where, dict(rename or {}), ())

    def _compile(self, node, where, rename, calls) -> Compiled:  # noqa: C901 (one case per MathML element)
        kind = type_name(node)
        children = [node.getChild(i) for i in range(node.getNumChildren())]
        sub = [self._compile(c, where, rename, calls) for c in children] if kind != "AST_LAMBDA" else []
        if kind == "AST_INTEGER":
            value = float(node.getInteger())
            return lambda env: value
        if kind in ("AST_REAL", "AST_REAL_E", "AST_RATIONAL"):
            value = float(node.getValue())
            return lambda env: value
        if kind == "AST_NAME":
            name = rename.get(node.getName(), node.getName())
            return lambda env: env[name]
        if kind == "AST_NAME_TIME":
            return lambda env: env["time"]
        if kind == "AST_NAME_AVOGADRO":
            return lambda env: AVOGADRO
        if kind == "AST_CONSTANT_E":
            return lambda env: math.e
        if kind == "AST_CONSTANT_PI":
            return lambda env: math.pi
        if kind in ("AST_CONSTANT_TRUE", "AST_CONSTANT_FALSE"):
            value = kind == "AST_CONSTANT_TRUE"
            return lambda env: jnp.asarray(value)
        if kind in _FOLD:
            if not sub:
                value = _EMPTY[kind]
                return lambda env: value
            return _fold(_FOLD[kind], sub)
        if kind == "AST_MINUS":
            if len(sub) == 1:
                (a,) = sub
                return lambda env: -a(env)
            a, b = sub
            return lambda env: a(env) - b(env)
        if kind == "AST_DIVIDE":
            a, b = sub
            return lambda env: a(env) / b(env)
        if kind in ("AST_POWER", "AST_FUNCTION_POWER"):
            return _power(sub[0], children[1], sub[1])
        if kind == "AST_FUNCTION_ROOT":
            if len(sub) == 1:
                (a,) = sub
                return lambda env: jnp.sqrt(a(env))
            degree, a = sub
            if children[0].isNumber() and children[0].getValue() == 2:
                return lambda env: jnp.sqrt(a(env))
            return lambda env: a(env) ** (1.0 / degree(env))
        if kind == "AST_FUNCTION_LOG":
            if len(sub) == 1:
                (a,) = sub
                return lambda env: jnp.log10(a(env))
            base, a = sub
            if children[0].isNumber() and children[0].getValue() == 10:
                return lambda env: jnp.log10(a(env))
            return lambda env: jnp.log(a(env)) / jnp.log(base(env))
        if kind in _UNARY:
            (a,) = sub
            f = _UNARY[kind]
            return lambda env: f(a(env))
        if kind in _RELATIONAL:
            f = _RELATIONAL[kind]
            if len(sub) == 2:
                a, b = sub
                return lambda env: f(a(env), b(env))
            pairs = list(zip(sub[:-1], sub[1:], strict=True))
            return lambda env: jnp.all(jnp.stack([f(a(env), b(env)) for a, b in pairs]))
        if kind == "AST_LOGICAL_IMPLIES":
            a, b = sub
            return lambda env: jnp.logical_or(jnp.logical_not(a(env)), b(env))
        if kind == "AST_FUNCTION_REM":
            a, b = sub
            return lambda env: jnp.fmod(a(env), b(env))
        if kind == "AST_FUNCTION_QUOTIENT":
            a, b = sub
            return lambda env: jnp.trunc(a(env) / b(env))
        if kind == "AST_FUNCTION_PIECEWISE":
            pieces = list(zip(sub[0::2], sub[1::2], strict=False))[: len(sub) // 2]
            return _piecewise(pieces, sub[-1] if len(sub) % 2 else None)
        if kind == "AST_FUNCTION":
            return self._call(node.getName(), sub, where, calls)
        if kind == "AST_FUNCTION_DELAY":
            raise InputError(f"{self.source}: {where} uses delay(), which is not supported; remove the delay")
        if kind == "AST_FUNCTION_RATE_OF":
            raise InputError(f"{self.source}: {where} uses rateOf(), which is not supported; write the rate out")
        formula = require_libsbml().formulaToL3String(node) or kind
        raise InputError(f"{self.source}: {where} uses {formula!r} ({kind}), which is not supported")

    def _call(self, name, args: list[Compiled], where, calls) -> Compiled:
        if name not in self.functions:
            raise InputError(f"{self.source}: {where} calls {name}(), which no functionDefinition defines")
        if name in calls:
            raise InputError(f"{self.source}: function {name} calls itself; SBML functions may not recurse")
        lam = self.functions[name]
        if lam is None or type_name(lam) != "AST_LAMBDA":
            raise InputError(f"{self.source}: functionDefinition {name} has no lambda; give it one")
        n = lam.getNumBvars()
        if len(args) != n:
            raise InputError(f"{self.source}: {where} calls {name}() with {len(args)} arguments; it takes {n}")
        bvars = [lam.getChild(i).getName() for i in range(n)]
        body = self._compile(lam.getChild(n), f"function {name}", {}, (*calls, name))

        def run(env):
            return body({**dict(zip(bvars, (a(env) for a in args), strict=True)), "time": env.get("time")})

        return run


def names_in(node, rename: Mapping[str, str] | None = None) -> set[str]:
    """The identifiers that `node` refers to (after `rename`), for ordering rules by their dependencies."""
    rename = rename or {}
    found = set()
    if node is None:
        return found
    if type_name(node) == "AST_NAME":
        found.add(rename.get(node.getName(), node.getName()))
    for i in range(node.getNumChildren()):
        found |= names_in(node.getChild(i), rename)
    return found
