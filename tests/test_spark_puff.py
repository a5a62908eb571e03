"""The IP3R puff default: a Cal-520 line scan of a slow, small release lasting a few hundred ms."""

import cicrjax as cj


def test_ip3r_puff_lasts_a_few_hundred_ms():
    # Shuai, Yang, Pearson & Parker 2010 (Phys Rev E 81:041913, abstract): puffs last a few hundred ms, against
    # 20–40 ms for a cardiac spark (Cheng, Lederer & Cannell 1993, Science 262:740-744)
    model = cj.ip3r_puff()
    assert isinstance(model.buffers[0].kinetics, cj.Cal520)
    sol = cj.simulate_spatial(model, 0.6, dt=2e-5, save_dt=5e-3)
    t, x, image = cj.LineScan(line_time=0.005)(sol)
    m = cj.spark_metrics(t, x, image - 1.0)
    assert 0.1 <= m.fdhm <= 0.5 and 0.05 <= m.time_to_peak <= 0.3
    assert 0.2 <= m.amplitude <= 2.0 and 1.0 <= m.fwhm <= 6.0 and abs(m.x_peak - 15.0) <= 0.2
