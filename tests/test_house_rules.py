"""House rules that code review would otherwise have to catch: every equinox Module is abstract or final."""

import importlib
import inspect
import pkgutil

import equinox as eqx

import cicrjax
import fitting


def _modules():
    classes = {}
    for package in (cicrjax, fitting):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, eqx.Module) and cls.__module__.startswith(("cicrjax", "fitting")):
                    classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return classes


CLASSES = _modules()


def _is_abstract(cls) -> bool:
    return cls.__name__.startswith(("Abstract", "_Abstract"))


def test_every_module_is_abstract_or_final():
    assert len(CLASSES) > 50  # the walk found the models, fluxes, optimisers and strategies
    subclassed = {
        f"{base.__module__}.{base.__qualname__}"
        for cls in CLASSES.values()
        for base in cls.__mro__[1:]
        if base is not eqx.Module and issubclass(base, eqx.Module)
    }
    offenders = sorted(name for name in subclassed if name in CLASSES and not _is_abstract(CLASSES[name]))
    assert offenders == [], f"concrete Modules subclassed (make them Abstract* or stop subclassing): {offenders}"
