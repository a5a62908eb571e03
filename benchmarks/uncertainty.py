"""Laplace, profile-likelihood and NUTS intervals on one small fit: `python -m benchmarks.uncertainty`.

Li–Rinzel cytosolic Ca over 0–10 s (101 samples, Gaussian noise σ = 0.01 µM, seed 0), v3 and d5 free, fitted from
two starts by single shooting; then `fitting.profile_likelihood` (5 points a side) and `fitting.posterior` (2 chains,
100 warm-up steps, 100 draws). Prints each method's 95% interval and its wall time (compilation included).

`python -m benchmarks.uncertainty --ess` instead samples the posterior of the bundled recording (the `cicrjax demo`
problem: li-rinzel1994, v3 and d5 free, Fura-2 ratio) by NUTS, twice (the second call reuses the compiled sampler),
and prints the bulk ESS per second of each.
"""

import sys
import time

import jax.numpy as jnp
import numpy as np

import cicrjax as cj
import fitting


def _intervals(names, low, high) -> dict:
    return {n: (float(lo), float(hi)) for n, lo, hi in zip(names, low, high, strict=True)}


def main() -> None:
    ts = jnp.linspace(0, 10, 101)
    sol = cj.simulate(cj.LiRinzel1994(v3=0.9, d5=0.08234), ts)
    data = np.asarray(sol["C"]) + 0.01 * np.random.default_rng(0).standard_normal(101)
    problem = fitting.define_problem(
        cj.LiRinzel1994(), ts, data[None], free=["v3", "d5"], signal=fitting.StateSignal(0)
    )
    start = time.perf_counter()
    result = fitting.fit(problem, 2, seed=0, strategy="single-shooting")
    print(f"Laplace  ({time.perf_counter() - start:.0f} s):", _intervals(result.names, result.ci_low, result.ci_high))
    start = time.perf_counter()
    profiles = fitting.profile_likelihood(problem, result.theta, result.covariance, points=5)
    print(f"profile  ({time.perf_counter() - start:.0f} s):", {k: (p.ci_low, p.ci_high) for k, p in profiles.items()})
    start = time.perf_counter()
    post = fitting.posterior(problem, result.theta, result.covariance, chains=2, warmup=100, draws=100)
    print(
        f"posterior ({time.perf_counter() - start:.0f} s):",
        _intervals(post.names, post.ci_low, post.ci_high),
        "R-hat",
        post.rhat.round(3).tolist(),
        "divergences",
        post.divergences,
    )


def ess_per_second(chains: int = 2, warmup: int = 100, draws: int = 100) -> None:
    """NUTS on the bundled Li–Rinzel Fura-2 recording from its fit: bulk ESS per second, cold and warm."""
    from fitting._cli.demo import FREE, RECORDING, T0

    rec = cj.load_recording(RECORDING)
    problem = fitting.define_problem(
        cj.LiRinzel1994(),
        rec.time,
        rec.traces,
        free=list(FREE),
        bounds=FREE,
        signal=fitting.RatioSignal(cj.Fura2()),
        t0=T0,
        rtol=1e-8,
        atol=1e-10,
        max_steps=20_000,
    )  # fmt: skip  (the problem of `cicrjax demo`)
    result = fitting.fit(problem, 4, seed=0)
    print("fit:", dict(zip(result.names, result.estimates.round(5).tolist(), strict=True)), f"({result.strategy})")
    for label in ("cold (compiling)", "warm"):
        start = time.perf_counter()
        post = fitting.posterior(problem, result.theta, result.covariance, chains=chains, warmup=warmup, draws=draws)
        wall = time.perf_counter() - start
        d = post.diagnostics()
        ess = {n: round(float(v), 1) for n, v in d["ess_bulk"].items()}
        rate = {n: round(v / wall, 2) for n, v in ess.items()}
        print(
            f"NUTS {label}: {chains} chains x ({warmup} warm-up + {draws} draws) in {wall:.1f} s; bulk ESS {ess}; "
            f"ESS/s {rate}; R-hat {d['rhat']}; divergences {d['divergences']}"
        )


if __name__ == "__main__":
    ess_per_second() if "--ess" in sys.argv[1:] else main()
