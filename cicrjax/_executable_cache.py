"""Fits' traced programs kept on disk, so that a later process calls them without tracing them again.

JAX's persistent compilation cache skips XLA's compile, but not the Python trace and the lowering before it, which
take seconds for a fit. `cached_jit(fn)` is `equinox.filter_jit(fn)` that, while the cache is enabled (the
console script enables it beside JAX's cache), keeps each traced program on disk as a serialized `jax.export`
module; later processes call that (lowering only a thin wrapper; the compile still comes from JAX's cache) instead
of tracing `fn` again. A program is keyed by everything that decides it: the static (non-array) part of the
arguments as pickled, the shapes and dtypes of the array leaves, the source of cicrjax and fitting, the versions of
the libraries, JAX's numerical settings, Equinox's error mode, XLA_FLAGS and the devices. A call is kept only for
functions of cicrjax and fitting whose static part pickles and refers to nothing but cicrjax, fitting, those
libraries and Python's own modules (never a user's own code, whose source is not hashed), outside any JAX
transformation; anything else is traced as usual."""

import contextlib
import functools
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

import equinox as eqx
import equinox._errors
import jax

SOURCE_ROOTS = ("cicrjax", "fitting")  # packages whose source is hashed into every key
LIBRARIES = ("jax", "jaxlib", "diffrax", "equinox", "optimistix", "lineax", "optax", "numpy", "jaxtyping")  # versioned
STANDARD_ROOTS = ("builtins", "functools", "operator", "math", "collections", "enum", "typing", "dataclasses")

_folder: Path | None = None


def enable_executable_cache(folder: str | Path | None) -> None:
    """Keep the programs of `cached_jit` functions in `folder` (None: off, the default; off too without the
    `flatbuffers` package, which `jax.export` serializes with)."""
    global _folder
    _folder = None if folder is None or importlib.util.find_spec("flatbuffers") is None else Path(folder)


@functools.cache
def _environment_digest() -> bytes:
    """What every key shares: cicrjax's and fitting's source, the libraries' versions, Python's."""
    h = hashlib.sha256()
    for root in SOURCE_ROOTS:
        spec = importlib.util.find_spec(root)  # located, not imported (cicrjax never imports fitting)
        if spec is None or not spec.submodule_search_locations:
            continue
        base = Path(spec.submodule_search_locations[0])
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            h.update(f"{dist}={importlib.metadata.version(dist)};".encode())
    h.update(sys.version.encode())
    return h.digest()


class _KeyPickler(pickle.Pickler):
    """Pickles the static part of the arguments for a key; refuses objects from modules outside the known roots
    and names a device by its platform and id."""

    def reducer_override(self, obj):
        if isinstance(obj, jax.Device):
            return str, (f"device {obj.platform} {obj.id}",)
        module = getattr(obj, "__module__", None) if isinstance(obj, type) or callable(obj) else None
        module = module or type(obj).__module__
        root = module.split(".")[0]
        if root not in SOURCE_ROOTS + LIBRARIES + STANDARD_ROOTS:
            raise pickle.PicklingError(f"{module} is not a library module")
        return NotImplemented


def _key(fn, static, leaves) -> str | None:
    """The key of a call, or None where it is not kept (a static part that does not pickle or is not library code)."""
    if fn.__module__.split(".")[0] not in SOURCE_ROOTS:  # a function whose source is not hashed
        return None
    buffer = io.BytesIO()
    try:
        _KeyPickler(buffer, protocol=5).dump((fn.__module__, fn.__qualname__, static))
    except Exception:  # lambdas, local functions, user classes, objects that do not pickle: not cached
        return None
    h = hashlib.sha256(_environment_digest())
    h.update(buffer.getvalue())
    avals = [(x.shape, str(x.dtype), bool(getattr(x, "weak_type", False))) for x in leaves]
    settings = (
        jax.config.jax_enable_x64,
        jax.config.jax_default_matmul_precision,
        jax.config.jax_numpy_dtype_promotion,
        equinox._errors.EQX_ON_ERROR,  # read while tracing (`nan_on_error` sets it)
        os.environ.get("XLA_FLAGS", ""),
        [str(d) for d in jax.devices()],
    )
    h.update(repr((avals, settings)).encode())
    return h.hexdigest()


class cached_jit:
    """`equinox.filter_jit(fn)` whose traced programs are kept on disk while the cache is enabled (see the module's
    docstring); used as a decorator.

    **Example:** `predict_jit = cached_jit(nan_on_error(predict))`
    """

    def __init__(self, fn):
        self.fn = fn
        self.jitted = eqx.filter_jit(fn)
        self.loaded = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        if _folder is None:
            return self.jitted(*args, **kwargs)
        dynamic, static = eqx.partition((args, kwargs), eqx.is_array)
        leaves, treedef = jax.tree.flatten(dynamic)
        if any(isinstance(x, jax.core.Tracer) for x in leaves):
            return self.jitted(*args, **kwargs)
        key = _key(self.fn, static, leaves)
        if key is None:
            return self.jitted(*args, **kwargs)
        if key not in self.loaded:
            self.loaded[key] = self._program(_folder / f"{key}.pkl", treedef, static, leaves)
        if self.loaded[key] is None:  # cannot be exported: traced as usual
            return self.jitted(*args, **kwargs)
        return self.loaded[key](*leaves)

    def _program(self, path: Path, treedef, static, leaves):
        """The kept program at `path` (None: it cannot be exported, so it is traced as usual), else exported now."""
        try:
            data = path.read_bytes()
        except OSError:
            return self._export(path, treedef, static, leaves)
        if not data:  # an earlier process found it cannot be exported
            return None
        try:
            serialized, skeleton = pickle.loads(data)
            exported = jax.export.deserialize(serialized)
        except Exception:  # unreadable, or written by other versions: export it again
            return self._export(path, treedef, static, leaves)
        return _restructured(exported, jax.tree.structure(skeleton))

    def _export(self, path: Path, treedef, static, leaves):
        fn, structure = self.fn, []

        def flat(*leaves):  # array leaves in, array leaves out: the calling convention pickles without Equinox
            args, kwargs = eqx.combine(jax.tree.unflatten(treedef, leaves), static)
            out, out_treedef = jax.tree.flatten(fn(*args, **kwargs))
            structure.append(out_treedef)
            return out

        try:
            exported = jax.export.export(jax.jit(flat))(*leaves)
            # the output's structure, pickled as an instance with integers for leaves (its treedef does not pickle)
            skeleton = jax.tree.unflatten(structure[0], range(structure[0].num_leaves))
            data = pickle.dumps((exported.serialize(), skeleton))
        except Exception:  # a host callback (a pointer into this process), an output that does not pickle, ...
            exported, data = None, b""  # an empty file: later processes trace it as usual without trying again
        with contextlib.suppress(OSError):  # a read-only or full disk: the next process exports it again
            _write(path, data)
        return None if exported is None else _restructured(exported, structure[0])


def _restructured(exported, treedef):
    """The exported program as a jitted function of the array leaves, returning the function's output; a program
    exported for N > 1 devices (starts split over them) is called on the first N, its leaves replicated there."""
    if exported.nr_devices > 1:
        mesh = jax.sharding.Mesh(jax.local_devices()[: exported.nr_devices], ("devices",))
        call = jax.jit(exported.call, in_shardings=jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec()))
    else:
        call = jax.jit(exported.call)
    return lambda *leaves: jax.tree.unflatten(treedef, call(*leaves))


def _write(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (a temporary file in the same folder, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
        tmp = Path(f.name)
        try:
            f.write(data)
        except BaseException:
            f.close()
            tmp.unlink()
            raise
    os.replace(tmp, path)
