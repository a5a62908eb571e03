"""Which experiments determine the cardiac RyR sensitivity K_act and release rate k_rel: Cramér–Rao bounds.

For K_act, k_rel, V_max_SERCA and K_m_SERCA of `cardiac` (Shannon et al. 2004 defaults), `fitting.identifiability`
gives the smallest standard deviation any unbiased estimate can have from ΔF/F0 Fluo-4 data (F0 the first frame,
4 ms sampling, Gaussian noise σ = 0.02), for single protocols and for combinations of independent experiments:
paced beats at 2 Hz with bath Ca 0.45–3.6 mM (the second beat), 1 and 4 Hz, a caffeine pulse after pacing, and
200 ms voltage-clamp steps from −80 mV. An estimate within 5% of the truth needs a relative SD bound well below 2.5%.

Run: `python -m benchmarks.cardiac_design` (about 5 minutes on the 2-core machine, mostly compilation).
"""

import jax.numpy as jnp
import numpy as np

import cicrjax
import fitting

FREE = ("K_act", "k_rel", "V_max_SERCA", "K_m_SERCA")
SIGMA = 0.02


def designs() -> dict[str, fitting.Problem]:
    """One problem per single-protocol experiment (the data are placeholders: identifiability replaces them)."""
    model = cicrjax.Cardiac()
    signal = fitting.NormalisedSignal(cicrjax.Fluo4(), "df_f0")
    solver = cicrjax.Rodas4()

    def problem(protocol, ts, **fixed):
        ts = jnp.asarray(ts)
        return fitting.define_problem(
            model, ts, jnp.zeros_like(ts), free=list(FREE), fixed=fixed, protocol=protocol, t0=0.0, signal=signal,
            profile=("sigma",), solver=solver, max_steps=20_000,
        )  # fmt: skip

    beat = np.arange(0.45, 0.95, 0.004)
    paced = cicrjax.paced(2.0, count=2)
    out = {f"2 Hz, Ca_o {c / 1000:g} mM": problem(paced, beat, Ca_o=c) for c in (450.0, 900.0, 1800.0, 3600.0)}
    for rate in (1.0, 4.0):
        p = 1.0 / rate
        out[f"{rate:g} Hz"] = problem(cicrjax.paced(rate, count=2), np.arange(p - 0.05, 2 * p - 0.004, 0.004))
    out["2 Hz + caffeine"] = problem(
        cicrjax.caffeine_pulse(1.0, 0.5, cicrjax.paced(2.0, count=2)), np.arange(0.45, 1.6, 0.004)
    )
    for v in (-20.0, 0.0, 20.0, 40.0):
        clamp = cicrjax.voltage_clamp(v, start=0.05, duration=0.2)
        out[f"clamp {v:+g} mV"] = problem(clamp, np.arange(0.0, 0.5, 0.004))
    return out


def main() -> None:
    problems = designs()
    info = {name: fitting.identifiability(p, sigma=SIGMA) for name, p in problems.items()}
    combos = {
        "2 Hz, Ca_o 1.8 + 0.9 mM (benchmarks.cardiac_recovery)": ["2 Hz, Ca_o 1.8 mM", "2 Hz, Ca_o 0.9 mM"],
        "2 Hz, four bath Ca": [n for n in problems if n.startswith("2 Hz, Ca_o")],
        "2 Hz + caffeine, Ca_o 0.9 mM": ["2 Hz + caffeine", "2 Hz, Ca_o 0.9 mM"],
        "four clamp steps": [n for n in problems if n.startswith("clamp")],
        "all eleven": list(problems),
    }
    print(f"Cramér–Rao bounds, relative SD (σ = {SIGMA} ΔF/F0); corr = correlation of log K_act and log k_rel")
    print(f"{'design':<56}" + "".join(f"{n:>13}" for n in FREE) + f"{'corr':>8}")

    def row(name, names):
        information = sum(info[n].information for n in names)
        cov = np.linalg.pinv(information)
        sd = np.sqrt(np.diag(cov))  # log transforms: SD of log = relative SD
        print(f"{name:<56}" + "".join(f"{s:>13.3g}" for s in sd) + f"{cov[0, 1] / (sd[0] * sd[1]):>8.4f}")

    for name in problems:
        row(name, [name])
    for name, names in combos.items():
        row(name, names)


if __name__ == "__main__":
    main()
