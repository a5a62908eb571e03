"""Parameter recovery on a synthetic paced cardiac Fluo-4 recording: which RyR and SERCA parameters one can infer.

Two conditions share the free parameters (bath Ca 1.8 and 0.9 mM: the trigger halves), one paced beat each after
one pre-paced beat (2 Hz), ΔF/F0 with F0 the first frame (`fitting.NormalisedSignal`, no free scale), 250 Hz,
Gaussian noise σ = 0.02 (seed 0). K_act, k_rel, V_max_SERCA and K_m_SERCA are free; Levenberg–Marquardt from two
starts 10–20% off the truth; Laplace intervals (Gauss–Newton) and the derived gain of the first condition.

Run: `python -m benchmarks.cardiac_recovery` (about 6 minutes on the 2-core machine).
"""

import time

import jax
import jax.numpy as jnp
import numpy as np

import cicrjax
import fitting

FREE = ("K_act", "k_rel", "V_max_SERCA", "K_m_SERCA")


def main() -> None:
    model = cicrjax.Cardiac()
    truth = {n: float(getattr(model, n)) for n in FREE}
    protocol = cicrjax.paced(2.0, count=2)
    ts = jnp.asarray(np.arange(0.45, 0.95, 0.004))
    signal = fitting.NormalisedSignal(cicrjax.Fluo4(), "df_f0")
    batch = cicrjax.batch_parameters(model, {"Ca_o": jnp.asarray([1800.0, 900.0])})
    solver = cicrjax.Rodas4()
    sol = jax.vmap(lambda m: cicrjax.simulate(m, ts, protocol=protocol, t0=0.0, solver=solver))(batch)
    clean = np.asarray(jax.vmap(signal)(batch, sol.ys))
    data = clean + 0.02 * np.random.default_rng(0).normal(size=clean.shape)
    problem = fitting.define_problem(
        batch, ts, data, free=list(FREE), protocol=protocol, t0=0.0, signal=signal, profile=("sigma",),
        max_steps=20_000, solver=solver, batched=True, mode="forward",
    )  # fmt: skip
    factors = [(1.15, 0.87, 1.1, 0.9), (0.85, 1.2, 0.9, 1.12)]
    starts = np.stack(
        [np.asarray(problem.to_theta({n: truth[n] * f for n, f in zip(FREE, fs, strict=True)})) for fs in factors]
    )
    start = time.perf_counter()
    ms = fitting.multistart(problem, starts=starts, optimiser=fitting.LevenbergMarquardt(max_steps=40))
    fit_s = time.perf_counter() - start
    result = fitting.summarise(problem, ms)
    at_truth = float(fitting.neg_log_posterior(problem, problem.to_theta(truth)))
    print(f"NLL at truth {at_truth:.3f}; fitted {result.nll:.3f}")
    print(f"fit {fit_s:.1f} s (2 starts, compile included); {ms.n_at_best} of 2 starts at the best")
    for i, n in enumerate(FREE):
        est = result.estimates[i]
        print(
            f"{n:12s} truth {truth[n]:10.5g} fit {est:10.5g} ({est / truth[n] - 1:+.1%}) "
            f"95% CI [{result.ci_low[i]:.4g}, {result.ci_high[i]:.4g}]"
        )
    n_act = float(model.n_act)
    ratio = (result.estimate("k_rel") / result.estimate("K_act") ** n_act) / (truth["k_rel"] / truth["K_act"] ** n_act)
    print(f"k_rel / K_act^n_act relative to truth: {ratio:.4f}")
    gain = cicrjax.voltage_clamp_gain(model, [0.0])
    for q in result.derived.values():
        print(f"derived {q.name} {q.estimate:.4g} [{q.ci_low:.4g}, {q.ci_high:.4g}]")
    print(f"true gain (released/entered at 0 mV) {float(gain.released_per_entered[0]):.4g}")


if __name__ == "__main__":
    main()
