"""The `cicrjax fit` and `cicrjax demo` commands (registered as `cicrjax.commands` entry points); the library
never imports this package."""
