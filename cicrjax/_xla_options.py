"""XLA's CPU option that compiles a small `while` loop (a solver's step loop) into one kernel, set before JAX starts.

On a CPU, XLA runs each loop body as a sequence of kernels ("thunks"), scheduled one by one, on a thread pool as soon
as a buffer passes 512 bytes: for a small model that scheduling, not arithmetic, is what an adaptive step costs
(benchmarks/README.md, sessions 8 to 10). XLA's `SmallWhileLoopHoistingPass` instead compiles a whole `while` loop
whose operations touch fewer than `xla_cpu_small_while_loop_byte_threshold` bytes as one kernel; its default, about 1 kB,
leaves out a solve with forward-mode tangents or a few hundred save points. cicrjax raises it to 1 MB, which takes
in the step loop of a cell's solve, of its gradients, of a fit's multistart and of a stiff Rosenbrock beat. Measured
against XLA's default (benchmarks/README.md, session 10; CPU seconds, loaded machine): gdb1990's 5-parameter
forward-mode gradient 0.86 against 8.8 ms, its simulation 0.35–0.5 against 1.2 ms (`python -m benchmarks --case
gradient --quick`); the cardiac beat with Rodas4 3.3 against 27–30 ms (`python -m benchmarks.beat_timing --quick`);
the paced cardiac fit 38.6 against 59.6 s cold, 4.6 against 18.9 s warm, same estimates (`python -m
benchmarks.cardiac_fit`); `cicrjax demo` cold 23–24 against 26.6 s; compilation is no slower.

XLA reads `XLA_FLAGS` once, when JAX first starts its CPU backend, and the option applies to every program compiled
in the process. So importing cicrjax adds it to `XLA_FLAGS`, unless `XLA_FLAGS` already sets
`xla_backend_extra_options` (the user's choice stands: `XLA_FLAGS=--xla_backend_extra_options=
xla_cpu_small_while_loop_byte_threshold=1024` restores XLA's default) or JAX has run a computation already.
"""

import os

SMALL_LOOP_BYTES = 1_000_000


def raise_small_loop_threshold() -> None:
    """Add `xla_cpu_small_while_loop_byte_threshold=SMALL_LOOP_BYTES` to `XLA_FLAGS`, unless it sets extra options."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_backend_extra_options" in flags:
        return
    option = f"--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold={SMALL_LOOP_BYTES}"
    os.environ["XLA_FLAGS"] = f"{flags} {option}".strip()
