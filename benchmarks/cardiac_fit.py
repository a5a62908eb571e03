"""Time to fit one paced cardiac Fluo-4 transient with 5 free parameters from 16 starts, cold and warm.

A synthetic `cardiac` recording (2 Hz pacing, the second beat, 0.45–0.95 s at 250 Hz; ΔF/F0 with F0 the first frame,
Gaussian noise σ = 0.02, seeded) is fitted with K_act, k_rel, V_max_SERCA, K_m_SERCA and V_max_NCX free (log
transforms; the starts are 16 seeded Latin-hypercube samples within a factor 3 of the truth, which the estimates may
leave), σ profiled, by Levenberg–Marquardt from every start, all in one vmapped compiled call (forward-mode
sensitivities, Rodas4). "Cold" is the first fit in a fresh process (compilation included); "warm" fits a second
recording of the same shape (new noise seed), reusing the compiled program — the situation of a user fitting one cell
after another in a notebook or a folder.

Run: `python -m benchmarks.cardiac_fit [--starts 16] [--max-steps 40] [--json FILE] [--cache DIR]`; with `--cache`
JAX's persistent compilation cache lives in DIR (as the `cicrjax` console script's does), so a second process
measures a cold start with a warm disk cache.
"""

import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

import cicrjax
import fitting

FREE = ("K_act", "k_rel", "V_max_SERCA", "K_m_SERCA", "V_max_NCX")


def recording(seed: int, ts, protocol, signal, model, solver):
    """A noisy ΔF/F0 trace of `model` under `protocol` (σ = 0.02, noise `seed`)."""
    sol = cicrjax.simulate(model, ts, protocol=protocol, t0=0.0, solver=solver)
    clean = np.asarray(signal(model, sol.ys))
    return clean + 0.02 * np.random.default_rng(seed).normal(size=clean.shape)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=16)
    parser.add_argument("--max-steps", type=int, default=40, help="Levenberg–Marquardt steps per start")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--cache", help="folder of JAX's persistent compilation cache (default: none)")
    args = parser.parse_args(argv)
    if args.cache:
        jax.config.update("jax_compilation_cache_dir", args.cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

    model = cicrjax.Cardiac()
    truth = {n: float(getattr(model, n)) for n in FREE}
    protocol = cicrjax.paced(2.0, count=2)
    ts = jnp.asarray(np.arange(0.45, 0.95, 0.004))
    signal = fitting.NormalisedSignal(cicrjax.Fluo4(), "df_f0")
    solver = cicrjax.Rodas4()
    optimiser = fitting.LevenbergMarquardt(max_steps=args.max_steps)
    rows = []
    for label, seed in (("cold", 0), ("warm", 1)):
        data = recording(seed, ts, protocol, signal, model, solver)
        problem = fitting.define_problem(
            model, ts, data, free=list(FREE), bounds={n: (v / 3, v * 3) for n, v in truth.items()},
            protocol=protocol, t0=0.0, signal=signal, profile=("sigma",), max_steps=20_000, solver=solver,
        )  # fmt: skip
        start = time.perf_counter()
        ms = fitting.multistart(problem, args.starts, optimiser=optimiser, seed=0)
        wall = time.perf_counter() - start
        est = np.asarray(problem.natural(jnp.asarray(ms.best_theta)))
        nll_truth = float(fitting.neg_log_posterior(problem, problem.to_theta(truth)))
        row = {
            "run": label,
            "wall_s": wall,
            "starts": args.starts,
            "n_at_best": ms.n_at_best,
            "failed_starts": int(np.sum(ms.failures > 0)),
            "best_nll": ms.best_value,
            "nll_at_truth": nll_truth,
            "estimates": {n: float(v) for n, v in zip(FREE, est, strict=True)},
        }
        rows.append(row)
        print(
            f"{label}: {wall:.1f} s for {args.starts} starts ({ms.n_at_best} at the best, NLL {ms.best_value:.3f}; "
            f"at the truth {nll_truth:.3f}); "
            + ", ".join(f"{n} {v / truth[n] - 1:+.1%}" for n, v in row["estimates"].items()),
            flush=True,
        )
    print(f"device: {jax.devices()[0].device_kind}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": jax.devices()[0].device_kind, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
