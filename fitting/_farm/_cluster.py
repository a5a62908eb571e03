"""Where the chunks of a folder fit run: in this process, or on Dask workers (an embedded `LocalCluster`, or an
existing cluster joined by its scheduler's address). Each worker is a long-lived process, so the functions it
compiled for one chunk are reused for the next recordings of the same shape; each also keeps JAX's persistent
compilation cache as the `cicrjax` command does (`CICRJAX_CACHE_DIR`), so a worker that starts later, or the next
run, loads what another worker compiled."""

import contextlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence

from cicrjax import InputError

ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")
CONNECT_TIMEOUT_S = 20


@contextlib.contextmanager
def task_farm(workers: int | None = None, scheduler: str | None = None) -> Iterator[object | None]:
    """`None` (run in this process), or a `dask.distributed.Client` of a new `LocalCluster` of `workers` processes
    (one thread each), or of the cluster whose scheduler listens at `scheduler` (`tcp://HOST:PORT`).

    **Example:** `with task_farm(workers=2) as client: ...`
    """
    if workers is None and scheduler is None:
        yield None
        return
    if workers is not None and scheduler is not None:
        raise InputError("give --workers N (a new local cluster) or --scheduler ADDRESS (an existing one), not both")
    if scheduler is not None and not ADDRESS.match(scheduler):
        raise InputError(f"--scheduler {scheduler!r} is not an address like tcp://HOST:PORT (the scheduler's)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(f"--workers must be a whole number ≥ 1, got {workers!r}")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--workers/--scheduler need Dask: pip install 'cicrjax[farm]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as error:
            raise InputError(
                f"--scheduler {scheduler}: no Dask scheduler answered within {CONNECT_TIMEOUT_S} s ({error}); check "
                "the address and that the scheduler runs"
            ) from None
        with client:
            _enable_compilation_cache(client)
            yield client
        return
    import dask

    # Worker processes import JAX before they answer; on a loaded machine (load 10-13) that outlasted Dask's 30 s
    # connect timeout once ("Cluster closed without starting up"), so the embedded cluster waits longer.
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "120s"}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        _enable_compilation_cache(client)
        yield client


def _enable_compilation_cache(client) -> None:
    """Every worker of `client`'s cluster, and every one that joins it later, enables JAX's persistent compilation
    cache (`cicrjax._cli.main.enable_compilation_cache`, with the worker's own `CICRJAX_CACHE_DIR`)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class CompilationCache(WorkerPlugin):
        name = "cicrjax-compilation-cache"

        def setup(self, worker):
            from cicrjax._cli.main import enable_compilation_cache

            enable_compilation_cache()

    client.register_plugin(CompilationCache())


def run_chunks(client, work: Callable, chunks: Sequence[list], lost: Callable) -> Iterator[dict]:
    """Yield the entries of `work(chunk)` (a list of dicts) for every chunk as it finishes: in this process when
    `client` is `None`, else on the cluster, where a chunk whose worker died is rescheduled by Dask and, once Dask
    gives up on it (`KilledWorker`), yields `lost(chunk, reason)` instead."""
    if client is None:
        for chunk in chunks:
            yield from work(chunk)
        return
    from dask.distributed import as_completed
    from distributed.scheduler import KilledWorker

    futures = {client.submit(work, chunk, pure=False): chunk for chunk in chunks}
    for future in as_completed(futures):
        try:
            entries = future.result()
        except KilledWorker as error:
            entries = lost(futures[future], f"the worker fitting it died ({error}); out of memory? try smaller --chunk")
        future.release()
        yield from entries
