"""Output files that are either written whole or not at all."""

import contextlib
import os
import socket
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


def save_figure(fig, path: Path) -> None:
    """Write a matplotlib figure (from `cicrjax.plot`) to `path` as a PNG, atomically, and close it."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110)
    finally:
        plt.close(fig)


LOCK_NAME = ".cicrjax.lock"  # in an output folder while a run writes into it: "PID HOST"


def lock_owner(folder: Path) -> str | None:
    """`"pid N on HOST"` of the live run that holds `folder`'s lock, or `None` (no lock, or its run is gone)."""
    try:
        pid_text, _, host = (folder / LOCK_NAME).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # a stale lock, left by a run that was killed
        except PermissionError:
            pass  # alive, another user's
    return f"pid {pid} on {host}"


def check_output_folder(path: Path, option: str) -> None:
    """Raise `UsageError` unless `path` is a folder or can be created as one (its parent exists): check it before
    any long computation whose results go there."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {str(path)!r} is a file; give a folder")
    if not path.exists() and not path.parent.is_dir():
        raise UsageError(f"{option} {str(path)!r}: folder {str(path.parent)!r} does not exist; create it first")


@contextlib.contextmanager
def output_folder(path: Path, option: str, *, lock: bool = True):
    """Create folder `path` if absent and hold its lock while the block writes into it (unless `lock` is False: a
    folder of per-item folders, each locked on its own); a second run that wants the same locked folder is refused
    with a `UsageError`. A folder created here and still empty afterwards (the run failed) is removed again.

    **Example:** `with output_folder(Path("fit"), "--out") as out: ...`
    """
    check_output_folder(path, option)
    created = not path.exists()
    try:
        path.mkdir(exist_ok=True)
    except OSError as error:
        raise UsageError(f"{option} {str(path)!r} cannot be created ({error.strerror}); choose another") from None
    try:
        if not lock:
            yield path
            return
        _lock(path, option)
        try:
            yield path
        finally:
            (path / LOCK_NAME).unlink(missing_ok=True)
    finally:
        if created and path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _lock(path: Path, option: str) -> None:
    """Create `path`'s lock file, taking over a stale one; `UsageError` if a live run holds it or it cannot be made."""
    lock = path / LOCK_NAME
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = lock_owner(path)
            if owner is not None:
                raise UsageError(
                    f"{option} {str(path)!r} is being written by another cicrjax run ({owner}); wait for it, or "
                    f"choose another {option}"
                ) from None
            lock.unlink(missing_ok=True)  # stale: its run is gone
            continue
        except OSError as error:
            raise UsageError(
                f"{option} {str(path)!r} is not writable ({error.strerror}); choose another folder"
            ) from None
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()} {socket.gethostname()}\n")
        return
    raise UsageError(f"{option} {str(path)!r} is being written by another cicrjax run; try again")  # pragma: no cover
