"""A jaxpr evaluated on formulas instead of numbers: how a built-in model's jax.numpy code becomes SBML math.

Values are numpy arrays: numeric ones (constants, indices) or object arrays of [`Formula`][]s. Arithmetic builds
SBML Level 3 formula text element by element; data movement (slices, reshapes, gathers, scatters) is done by the
primitive itself on arrays of element numbers, which are then mapped back to formulas.
"""

import math

import jax
import jax.extend as jex
import numpy as np

from .._errors import InputError


class Formula:
    """One scalar expression in SBML Level 3 formula syntax, fully parenthesised; `boolean` for conditions."""

    __slots__ = ("text", "boolean", "value")

    def __init__(self, text: str, boolean: bool = False, value: float | None = None):
        self.text = text
        self.boolean = boolean
        self.value = value  # the number, when the formula is a literal

    def __add__(self, other):
        return Formula(f"({self.text} + {_formula(other).text})")

    __radd__ = __add__

    def __repr__(self):
        return f"Formula({self.text!r})"


def _number(x) -> Formula:
    if isinstance(x, (bool, np.bool_)):
        return Formula("true" if x else "false", boolean=True)
    x = float(x)
    if math.isnan(x):
        return Formula("NaN", value=x)
    if math.isinf(x):
        return Formula("INF" if x > 0 else "(-INF)", value=x)
    return Formula(f"({x!r})" if x < 0 else repr(x), value=x)


def _formula(x) -> Formula:
    return x if isinstance(x, Formula) else _number(x)


def _symbolic(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype == object


def _objects(x) -> np.ndarray:
    """An object array of formulas (numbers become literal formulas)."""
    x = np.asarray(x)
    if x.dtype == object:
        return x
    out = np.empty(x.shape, object)
    for index, value in np.ndenumerate(x):
        out[index] = _number(value)
    return out


def _elementwise(render, *args) -> np.ndarray:
    arrays = np.broadcast_arrays(*[_objects(a) for a in args])
    out = np.empty(arrays[0].shape, object)
    for index in np.ndindex(out.shape):
        out[index] = render(*[a[index] for a in arrays])
    return out


def _binary(op):
    return lambda a, b: Formula(f"({a.text} {op} {b.text})")


def _compare(op):
    return lambda a, b: Formula(f"({a.text} {op} {b.text})", boolean=True)


def _call(name):
    return lambda a: Formula(f"{name}({a.text})")


def _max(a, b):
    return Formula(f"piecewise({a.text}, {a.text} >= {b.text}, {b.text})")


def _min(a, b):
    return Formula(f"piecewise({a.text}, {a.text} <= {b.text}, {b.text})")


def _as_number(a):
    return Formula(f"piecewise(1, {a.text}, 0)") if a.boolean else a


_ELEMENTWISE = {
    "add": _binary("+"),
    "sub": _binary("-"),
    "mul": _binary("*"),
    "div": _binary("/"),
    "pow": _binary("^"),
    "max": _max,
    "min": _min,
    "neg": lambda a: Formula(f"(-{a.text})"),
    "exp": _call("exp"),
    "log": _call("ln"),
    "sqrt": _call("sqrt"),
    "abs": _call("abs"),
    "sin": _call("sin"),
    "cos": _call("cos"),
    "tan": _call("tan"),
    "tanh": _call("tanh"),
    "sinh": _call("sinh"),
    "cosh": _call("cosh"),
    "floor": _call("floor"),
    "ceil": _call("ceiling"),
    "expm1": lambda a: Formula(f"(exp({a.text}) - 1)"),
    "log1p": lambda a: Formula(f"ln(1 + {a.text})"),
    "logistic": lambda a: Formula(f"(1 / (1 + exp(-{a.text})))"),
    "rsqrt": lambda a: Formula(f"(1 / sqrt({a.text}))"),
    "square": lambda a: Formula(f"({a.text} ^ 2)"),
    "sign": lambda a: Formula(f"piecewise(1, {a.text} > 0, -1, {a.text} < 0, 0)"),
    "lt": _compare("<"),
    "le": _compare("<="),
    "gt": _compare(">"),
    "ge": _compare(">="),
    "eq": _compare("=="),
    "ne": _compare("!="),
    "and": lambda a, b: Formula(f"({a.text} && {b.text})", boolean=True),
    "or": lambda a, b: Formula(f"({a.text} || {b.text})", boolean=True),
    "not": lambda a: Formula(f"!({a.text})", boolean=True),
}
_IDENTITY = {"copy", "copy_p", "stop_gradient", "reduce_precision", "optimization_barrier"}
_MOVEMENT = {
    "slice", "squeeze", "reshape", "broadcast_in_dim", "concatenate", "transpose", "rev", "gather", "stack",
    "dynamic_slice", "dynamic_update_slice", "scatter", "expand_dims", "pad", "split",
}  # fmt: skip
_CALLS = ("jaxpr", "call_jaxpr", "fun_jaxpr")


def _move(primitive, args, params):
    """A data-movement primitive applied to arrays of element numbers, then mapped back to formulas."""
    table, probes = [], []
    for a in args:
        a = np.asarray(a)
        if a.dtype == object or np.issubdtype(a.dtype, np.floating) or a.dtype == bool:
            objects = _objects(a).ravel()
            probes.append(np.arange(len(table), len(table) + objects.size, dtype=np.float64).reshape(a.shape))
            table.extend(objects)
        else:  # integer indices stay numbers
            probes.append(a)
    out = primitive.bind(*probes, **params)
    table = np.array(table + [None], object)[:-1]

    def back(o):
        index = np.asarray(o).astype(np.int64)
        out = np.empty(index.shape, object)
        for i, j in np.ndenumerate(index):
            out[i] = table[j]
        return out

    return [back(o) for o in out] if primitive.multiple_results else back(out)


def _apply(primitive, args, params):
    name = primitive.name
    if not any(_symbolic(a) for a in args):
        out = primitive.bind(*args, **params)
        return [np.asarray(o) for o in out] if primitive.multiple_results else np.asarray(out)
    for key in _CALLS:
        if key in params:
            closed = params[key]
            jaxpr, consts = (closed.jaxpr, closed.consts) if hasattr(closed, "consts") else (closed, ())
            return evaluate(jaxpr, consts, args)
    if name in _ELEMENTWISE:
        return _elementwise(_ELEMENTWISE[name], *args)
    if name == "integer_pow":
        y = params["y"]
        return _elementwise(lambda a: Formula(f"({a.text} ^ {y})"), *args)
    if name == "select_n":
        predicate, *cases = args
        if len(cases) != 2:
            raise InputError(f"cannot write select_n with {len(cases)} cases as SBML")
        pred = _objects(predicate)
        return _elementwise(
            lambda p, a, b: Formula(f"piecewise({b.text}, {p.text if p.boolean else f'{p.text} != 0'}, {a.text})"),
            pred,
            *cases,
        )
    if name == "convert_element_type":
        (a,) = args
        boolean = np.dtype(params["new_dtype"]) == bool
        return _elementwise(lambda x: x if boolean else _as_number(x), a)
    if name in _IDENTITY:
        return args[0] if not primitive.multiple_results else list(args)
    if name == "reduce_sum":
        (a,) = args
        return np.asarray(np.sum(_objects(a), axis=tuple(params["axes"])), dtype=object)
    if name in _MOVEMENT:
        return _move(primitive, args, params)
    raise InputError(f"the jax primitive {name!r} has no SBML form yet; this model cannot be exported")


def evaluate(jaxpr, consts, args) -> list[np.ndarray]:
    """Run `jaxpr` on numpy arrays, numeric or of formulas; returns its outputs."""
    env = {}

    def read(v):
        return np.asarray(v.val) if isinstance(v, jex.core.Literal) else env[v]

    for var, value in zip(jaxpr.constvars, consts, strict=True):
        env[var] = np.asarray(value)
    for var, value in zip(jaxpr.invars, args, strict=True):
        env[var] = value
    for eqn in jaxpr.eqns:
        out = _apply(eqn.primitive, [read(v) for v in eqn.invars], eqn.params)
        for var, value in zip(eqn.outvars, out if eqn.primitive.multiple_results else [out], strict=True):
            env[var] = value
    return [read(v) for v in jaxpr.outvars]


def formulas(f, named_args: list[np.ndarray], example_args) -> list[np.ndarray]:
    """The outputs of `f(*example_args)` as formulas of `named_args` (object arrays shaped like the examples)."""
    closed = jax.make_jaxpr(f)(*example_args)
    flat = jax.tree.leaves(named_args, is_leaf=lambda x: isinstance(x, np.ndarray))
    outs = evaluate(closed.jaxpr, closed.consts, flat)
    return [_objects(o) for o in outs]
