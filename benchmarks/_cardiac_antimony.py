"""Writes `models/cardiac.ant`, the Antimony form of `cicrjax.Cardiac` paced by `cicrjax.paced`, from cicrjax's
own parameter values, so that libRoadRunner (CVODE) is a peer on the stiff cardiac beat.

The equations are those of `cicrjax/_models/shannon_cardiac.py` with Shannon's L-type gates and the flux
components it composes (`_fluxes/`: GHK flux, allosteric NCX, Hill PMCA, reversible SERCA, four-state RyR with
luminal regulation, rapid buffers), written out once per compartment; the membrane potential `V` is the
`ActionPotential` waveform as an assignment rule in `time` (its parameters `ap_*`). States are species of a
unit-volume compartment with rate rules, so their concentrations are cicrjax's states (µM, fractions; time in s).
`tests/test_benchmarks_peers.py` checks that the file equals this script's output and follows cicrjax's trajectory.

Regenerate after a change to the model's defaults: `python -m benchmarks._cardiac_antimony`.
"""

from pathlib import Path

import numpy as np

import cicrjax as cj

PATH = Path(__file__).parent / "models" / "cardiac.ant"
AP_FIELDS = ("period", "count", "start", "v_rest", "v_peak", "v_plateau", "apd", "t_up", "tau_spike", "n")


def _hill(c: str, k: str, n: str) -> str:
    """`cicrjax._hill.hill`: negative Ca overshoots count as 0."""
    return f"(max({c}, 0)^{n}/({k}^{n} + max({c}, 0)^{n}))"


def _ncx(c: str) -> str:
    """`AllostericNCX` (Shannon's denominator) at local Ca `c`: Ca influx per cytosolic volume (µM/s)."""
    s3 = (
        f"(K_mCai*Na_o^3*(1 + (Na_i/K_mNai)^3) + K_mNao^3*{c}*(1 + {c}/K_mCai) + K_mCao*Na_i^3 + Na_i^3*Ca_o"
        f" + Na_o^3*{c})"
    )
    return (
        f"V_max_NCX*{_hill(c, 'K_d_act', 'n_NCX')}*(exp(eta*u)*Na_i^3*Ca_o - exp((eta - 1)*u)*Na_o^3*{c})"
        f"/({s3}*(1 + k_sat*exp((eta - 1)*u)))"
    )


def _other(c: str) -> str:
    """NCX − PMCA + GHK background influx at local Ca `c` (µM/s per cytosolic volume)."""
    return f"({_ncx(c)} - V_max_PMCA*{_hill(c, 'K_m_PMCA', 'n_PMCA')} + P_b*ghk*(Ca_o*exp(-phi) - {c}))"


def _beta(c: str, buffers) -> str:
    """Rapid-buffer factor 1/(1 + Σ B K/(K + c)²) of free Ca `c`."""
    return "1/(1 + " + " + ".join(f"{b}*{k}/({k} + {c})^2" for b, k in buffers) + ")"


EQUATIONS = f"""
  // Membrane potential: cicrjax.ActionPotential (ap_count beats every ap_period s from ap_start).
  ap_s := time - ap_start
  ap_k := floor(ap_s/ap_period)
  ap_phase := ap_s - ap_k*ap_period
  ap_rise := piecewise(ap_phase/ap_t_up, ap_phase < ap_t_up, 1)
  ap_shape := (ap_v_plateau - ap_v_rest) + (ap_v_peak - ap_v_plateau)*exp(-ap_phase/ap_tau_spike)
  V := piecewise(ap_v_rest + ap_rise*ap_shape/(1 + (ap_phase/ap_apd)^ap_n), (ap_s >= 0) && (ap_k < ap_count), ap_v_rest)
  phi := 2*FARADAY*V/(GAS_CONSTANT*T)
  u := FARADAY*V/(GAS_CONSTANT*T)
  ghk := piecewise(1 + phi/2 + phi^2/12, abs(phi) < 1e-4, phi/(1 - exp(-phi)))
  r_j := f_myo/f_j; r_sl := f_myo/f_sl; r_sr := f_myo/f_SR

  // L-type channel: GHK flux through d f (1 - fCaB), Shannon's gates (time constants in ms).
  cal_j := F_j_CaL*d*f*(1 - fCaB_j)*P_CaL*ghk*(Ca_o*exp(-phi) - Ca_j)
  cal_sl := (1 - F_j_CaL)*d*f*(1 - fCaB_sl)*P_CaL*ghk*(Ca_o*exp(-phi) - Ca_sl)
  d_inf := 1/(1 + exp(-(V - V_d)/6))
  f_inf := 1/(1 + exp((V - V_f)/k_f)) + 0.6/(1 + exp((50 - V)/20))
  x_d := V - V_d
  tau_d := piecewise(0.5/(0.035*6), abs(x_d) < 1e-6, d_inf*(1 - exp(-x_d/6))/(0.035*x_d))
  tau_f := 1/(0.0197*exp(-(0.0337*(V + 14.5))^2) + 0.02)

  // NCX, PMCA and background influx, split between cleft and subsarcolemmal space.
  other_j := F_j_NCX*{_other("Ca_j")}
  other_sl := (1 - F_j_NCX)*{_other("Ca_sl")}

  // RyR: four-state scheme with luminal regulation.
  RyR_RI := 1 - RyR_R - RyR_O - RyR_I
  kappa := kappa_max - (kappa_max - 1)/(1 + (EC50_SR/max(Ca_SR, 1e-9))^n_lum)
  k_o := k_om*(max(Ca_j, 0)/K_act)^n_act/kappa
  k_i := k_iCa*kappa*max(Ca_j, 0)
  j_rel := k_rel*(RyR_O + caffeine*(1 - RyR_O))*(Ca_SR - Ca_j)/r_sr
  j_leak := k_leak*(Ca_SR - Ca_j)

  // Reversible SERCA, diffusion between compartments, explicit cytosolic buffers.
  serca_f := (max(Ca_i, 0)/K_m_SERCA)^n_SERCA
  serca_r := (max(Ca_SR, 0)/K_r_SERCA)^n_SERCA
  j_serca := V_max_SERCA*(serca_f - serca_r)/(1 + serca_f + serca_r)
  j_j_sl := D_j_sl/(f_myo*V_cell)*(Ca_j - Ca_sl)
  j_sl_myo := D_sl_myo/(f_myo*V_cell)*(Ca_sl - Ca_i)
  d_tncl := kon_TnCL*Ca_i*(B_TnCL - TnCL) - koff_TnCL*TnCL
  d_tnchc := kon_TnCHc*Ca_i*(B_TnCH - TnCHc - TnCHm) - koff_TnCHc*TnCHc
  d_tnchm := kon_TnCHm*Mg_i*(B_TnCH - TnCHc - TnCHm) - koff_TnCHm*TnCHm
  d_myoc := kon_myo_c*Ca_i*(B_myo - Myo_c - Myo_m) - koff_myo_c*Myo_c
  d_myom := kon_myo_m*Mg_i*(B_myo - Myo_c - Myo_m) - koff_myo_m*Myo_m

  // Rapid buffers: calmodulin and SR sites (cytosol), SL sites (cleft, SL), calsequestrin (SR).
  beta_i := {_beta("Ca_i", [("B_CaM", "K_CaM"), ("B_SRB", "K_SRB")])}
  beta_j := {_beta("Ca_j", [("B_SLL_j", "K_SLL"), ("B_SLH_j", "K_SLH")])}
  beta_sl := {_beta("Ca_sl", [("B_SLL_sl", "K_SLL"), ("B_SLH_sl", "K_SLH")])}
  beta_sr := {_beta("Ca_SR", [("B_Csqn", "K_Csqn")])}

  Ca_i' = beta_i*(j_sl_myo - j_serca - d_tncl - d_tnchc - d_myoc)
  Ca_SR' = beta_sr*r_sr*(j_serca - j_rel - j_leak)
  Ca_sl' = beta_sl*r_sl*(cal_sl + other_sl + j_j_sl - j_sl_myo)
  Ca_j' = beta_j*r_j*(cal_j + other_j + j_rel + j_leak - j_j_sl)
  RyR_R' = (k_im*RyR_RI - k_i*RyR_R) - (k_o*RyR_R - k_om*RyR_O)
  RyR_O' = (k_o*RyR_R - k_om*RyR_O) - (k_i*RyR_O - k_im*RyR_I)
  RyR_I' = (k_i*RyR_O - k_im*RyR_I) - (k_om*RyR_I - k_o*RyR_RI)
  d' = (d_inf - d)/(tau_d*1e-3)
  f' = (f_inf - f)/(tau_f*1e-3)
  fCaB_j' = k_fCa_on*Ca_j*(1 - fCaB_j) - k_fCa_off*fCaB_j
  fCaB_sl' = k_fCa_on*Ca_sl*(1 - fCaB_sl) - k_fCa_off*fCaB_sl
  TnCL' = d_tncl
  TnCHc' = d_tnchc
  TnCHm' = d_tnchm
  Myo_c' = d_myoc
  Myo_m' = d_myom
"""


def antimony(model=None, protocol=None) -> str:
    """Antimony text of `model` (default `cicrjax.Cardiac()`) paced by `protocol` (default `paced(1.0, count=1)`),
    parameter values and initial state taken from them."""
    from cicrjax._fluxes.electro import FARADAY, GAS_CONSTANT

    model = cj.Cardiac() if model is None else model
    protocol = cj.paced(1.0, count=1) if protocol is None else protocol
    if type(model) is not cj.Cardiac or not model.reversible_serca:
        raise ValueError("the Antimony form is written for cicrjax.Cardiac with its reversible SERCA")
    ap = protocol.stimuli["V"]
    lines = [
        "// Generated by `python -m benchmarks._cardiac_antimony` from cicrjax.Cardiac() (Shannon et al. 2004,",
        "// Biophys J 87:3351, Ca subsystem in µM and s) paced by cicrjax.paced(1.0, count=1). Do not edit.",
        "model cardiac",
        "  compartment cell = 1",
        "  species " + ", ".join(f"{s} in cell" for s in model.states),
        f"  FARADAY = {FARADAY!r}; GAS_CONSTANT = {GAS_CONSTANT!r}",
    ]
    values = [(p.name, float(getattr(model, p.name))) for p in model.parameters() if p.name != "V"]
    values += [(f"ap_{k}", float(getattr(ap, k))) for k in AP_FIELDS]
    for i in range(0, len(values), 6):
        lines.append("  " + "; ".join(f"{k} = {v!r}" for k, v in values[i : i + 6]))
    lines.append(EQUATIONS.rstrip("\n"))
    y0 = np.asarray(model.initial_state())
    lines.append("  " + "; ".join(f"{s} = {float(v)!r}" for s, v in zip(model.states, y0, strict=True)))
    lines.append("end")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    PATH.write_text(antimony())
    print(f"wrote {PATH}")
