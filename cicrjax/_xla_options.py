"""XLA's CPU option that compiles a small `while` loop (a solver's step loop) into one kernel, set before JAX starts.

On a CPU, XLA runs a loop body as kernels ("thunks") scheduled one by one, on a thread pool once a buffer passes 512
bytes: for a small model that scheduling, not arithmetic, is what an adaptive step costs (benchmarks/README.md,
sessions 8 to 10). XLA's `SmallWhileLoopHoistingPass` instead compiles a whole `while` loop whose operations touch
fewer than `xla_cpu_small_while_loop_byte_threshold` bytes as one kernel; its default, 1,024 bytes, leaves out a
solve with forward-mode tangents or a few hundred save points. cicrjax raises it to 1 MB, which takes in a cell's
solve, its gradients, a fit's multistart and a stiff Rosenbrock beat. Against XLA's default (CPU time, loaded
machine): gdb1990's 5-parameter forward-mode gradient 0.86 against 8.8 ms, its simulation 0.35 against 1.2 ms
(`python -m benchmarks --case gradient --quick`); the cardiac beat with Rodas4 3.3 against 27 ms (`python -m
benchmarks.beat_timing --quick`); the paced cardiac fit 39 against 60 s cold, 4.6 against 19 s warm, same estimates
(`python -m benchmarks.cardiac_fit`); `cicrjax demo` cold 24 against 27 s; compilation no slower.

XLA reads `XLA_FLAGS` once, when JAX starts its CPU backend, and the option then applies to every program of the
process. Importing cicrjax adds it to `XLA_FLAGS`, unless `XLA_FLAGS` sets `xla_backend_extra_options` itself (the
user's choice stands: `--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold=1024` restores XLA's
default); it has no effect where JAX has computed before cicrjax was imported.
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
