"""The bundled models' right-hand sides in plain Python floats, as a scipy `solve_ivp` user would write them.

Each factory takes the parameter values by cicrjax name and returns `f(t, y) -> list`. They match
`model.derivative` (tests/test_benchmarks_peers.py checks it at random states). Hill terms treat negative Ca as 0,
as cicrjax's `hill` does.
"""


def gdb1990(p):
    v0, v1, beta, k, kf = p["v0"], p["v1"], p["beta"], p["k"], p["kf"]
    VM2, K2n, n = p["VM2"], p["K2"] ** p["n"], p["n"]
    VM3, KRm, m, KAp, pp = p["VM3"], p["KR"] ** p["m"], p["m"], p["KA"] ** p["p"], p["p"]
    inflow = v0 + v1 * beta

    def f(t, y):
        Z, Y = y
        zc, yc = max(Z, 0.0), max(Y, 0.0)
        zn, zp, ym = zc**n, zc**pp, yc**m
        V2 = VM2 * zn / (K2n + zn)
        V3 = VM3 * ym / (KRm + ym) * zp / (KAp + zp)
        return [inflow - V2 + V3 + kf * Y - k * Z, V2 - V3 - kf * Y]

    return f


def li_rinzel1994(p):
    a2, d1, d2, d3, d5 = p["a2"], p["d1"], p["d2"], p["d3"], p["d5"]
    c0, c1, v1, v2, v3, k3sq, ip3 = p["c0"], p["c1"], p["v1"], p["v2"], p["v3"], p["k3"] ** 2, p["IP3"]
    m_inf = ip3 / (ip3 + d1)
    q2 = d2 * (ip3 + d1) / (ip3 + d3)

    def f(t, y):
        C, h = y
        c_er = (c0 - C) / c1
        po = (m_inf * C / (C + d5) * h) ** 3
        cc = max(C, 0.0) ** 2
        return [c1 * (v1 * po + v2) * (c_er - C) - v3 * cc / (k3sq + cc), a2 * (q2 * (1.0 - h) - C * h)]

    return f


def marhl2000(p):
    k_pump, k_ch, K1sq, k_leak = p["k_pump"], p["k_ch"], p["K1"] ** 2, p["k_leak"]
    k_in, K2_8, k_out, K3sq, k_m = p["k_in"], p["K2"] ** 8, p["k_out"], p["K3"] ** 2, p["k_m"]
    Pr_tot, k_plus, k_minus = p["Pr_tot"], p["k_plus"], p["k_minus"]
    er, mito = p["beta_ER"] / p["rho_ER"], p["beta_m"] / p["rho_m"]

    def f(t, y):
        c, ca_er, ca_m, ca_pr = y
        cp = max(c, 0.0)
        c2, c8 = cp**2, cp**8
        j_pump = k_pump * c
        j_ch = k_ch * c2 / (K1sq + c2) * (ca_er - c)
        j_leak = k_leak * (ca_er - c)
        j_mito = k_in * c8 / (K2_8 + c8) - (k_out * c2 / (K3sq + c2) + k_m) * ca_m
        bind = k_plus * c * (Pr_tot - ca_pr) - k_minus * ca_pr
        return [j_ch + j_leak - j_pump - j_mito - bind, er * (j_pump - j_ch - j_leak), mito * j_mito, bind]

    return f


RHS = {"gdb1990": gdb1990, "li-rinzel1994": li_rinzel1994, "marhl2000": marhl2000}


def parameters(model) -> dict:
    """Every parameter of a cicrjax model as a Python float, by name."""
    return {p.name: float(getattr(model, p.name)) for p in model.parameters()}
