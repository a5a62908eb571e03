"""PEtab math (observable and noise formulas) compiled to jax functions: of named values (`compile_expression`),
or of a model and its trajectory (`compile_formula`)."""

import ast
from collections.abc import Callable, Mapping

import jax.numpy as jnp
from jaxtyping import Array

from cicrjax import InputError

_FUNCTIONS = {
    "exp": jnp.exp, "log10": jnp.log10, "log2": jnp.log2, "ln": jnp.log, "sqrt": jnp.sqrt, "abs": jnp.abs,
    "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "sinh": jnp.sinh, "cosh": jnp.cosh, "tanh": jnp.tanh,
    "arcsin": jnp.arcsin, "arccos": jnp.arccos, "arctan": jnp.arctan,
}  # fmt: skip
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def compile_expression(formula: str, where: str) -> tuple[Callable[[Mapping], Array], frozenset[str]]:
    """A PEtab math expression (+ − × / ^ or **, exp, log (natural, or log(x, base)), log10, sqrt, abs, min, max,
    trigonometric) as a function of a mapping name → value, and the names it uses. Python's own parser reads
    the text; only these operations are translated, nothing is evaluated."""
    text = formula.strip()
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval").body
    except SyntaxError:
        raise InputError(f"{where}: cannot parse the formula {formula!r}; write it as PEtab math") from None
    names: set[str] = set()

    def build(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            value = float(node.value)
            return lambda env: value
        if isinstance(node, ast.Name):
            names.add(node.id)
            return lambda env: env[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            op, left, right = _BINARY[type(node.op)], build(node.left), build(node.right)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
                exponent = node.right.value
                if isinstance(exponent, int | float) and float(exponent).is_integer() and abs(exponent) <= 64:
                    n = int(exponent)
                    return lambda env: left(env) ** n
            return lambda env: op(left(env), right(env))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = build(node.operand)
            return (lambda env: -inner(env)) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name, args = node.func.id, [build(a) for a in node.args]
            if name == "log" and len(args) == 2:
                return lambda env: jnp.log(args[0](env)) / jnp.log(args[1](env))
            if name == "log" and len(args) == 1:
                return lambda env: jnp.log(args[0](env))
            if name in ("min", "max") and len(args) >= 2:
                f = jnp.minimum if name == "min" else jnp.maximum

                def fold(env):
                    out = args[0](env)
                    for a in args[1:]:
                        out = f(out, a(env))
                    return out

                return fold
            if name in _FUNCTIONS and len(args) == 1:
                fn = _FUNCTIONS[name]
                return lambda env: fn(args[0](env))
        raise InputError(f"{where}: {ast.unparse(node)!r} in {formula!r} is not supported PEtab math")

    return build(tree), frozenset(names)


def _resolve(name: str, states: tuple[str, ...], parameters: tuple[str, ...], mapping: Mapping[str, str]):
    target = mapping.get(name, name)
    if target in states:
        return "state", states.index(target)
    if target in parameters:
        return "parameter", target
    raise InputError(
        f"observable formula name {name!r} is neither a state ({', '.join(states)}) nor a parameter of the model; "
        f"map it with --map {name}=MODEL_NAME"
    )


def compile_formula(
    formula: str, states: tuple[str, ...], parameters: tuple[str, ...], mapping: Mapping[str, str] | None = None
) -> Callable:
    """Compile a PEtab formula over state and parameter names (through `mapping`, PEtab id → model name) to
    `f(model, ys)` returning the value at every save time.

    **Example:** `compile_formula("(0.9 * IPR_A + 0.1 * IPR_O)^4", Sneyd2002.states, (), {"IPR_A": "A", "IPR_O": "O"})`
    """
    f, names = compile_expression(formula, "observable formula")
    resolved = {name: _resolve(name, states, parameters, dict(mapping or {})) for name in names}

    def run(model, ys):
        env = {name: ys[..., key] if kind == "state" else getattr(model, key) for name, (kind, key) in resolved.items()}
        return jnp.broadcast_to(jnp.asarray(f(env), dtype=ys.dtype), ys.shape[:-1])

    return run
