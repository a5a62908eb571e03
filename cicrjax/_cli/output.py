"""Output files that are either written whole or not at all."""

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import UsageError


def check_writable(path: str | os.PathLike, option: str) -> Path:
    """Fail early, before any work, if `path` cannot be created; returns it as a `Path`."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{option} {str(path)!r} is a directory; give a file name such as {path / 'out.csv'}")
    if not parent.is_dir():
        raise UsageError(f"{option} {str(path)!r}: directory {str(parent)!r} does not exist; create it first")
    try:  # the only reliable test (root ignores permission bits; read-only mounts do not)
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError:
        raise UsageError(
            f"{option} {str(path)!r}: directory {str(parent)!r} is not writable; choose another path"
        ) from None
    return path


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; it replaces `path` only if the block finishes without error."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent or ".")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes owner-only files; give the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
