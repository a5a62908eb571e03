"""Batches split over several devices (a `NamedSharding` of the cell axis) give what one device gives: a batch of
simulations, and a hierarchical population fit whose cells are split.

JAX fixes its CPU device count when it starts, so the 4-device case runs in a subprocess with
`XLA_FLAGS=--xla_force_host_platform_device_count=4`, where `devices=1` and `devices=4` are compared side by side.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

import cicrjax
from cicrjax._cli.main import main

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json
import jax, jax.numpy as jnp, numpy as np
import cicrjax

assert len(jax.devices()) == 4, jax.devices()
ts = jnp.linspace(0.0, 2.0, 11)
v3 = jnp.asarray([0.7, 0.8, 0.95, 1.1, 1.2])
batch = cicrjax.batch_parameters(cicrjax.LiRinzel1994(), {"v3": v3})
ca = {d: np.asarray(cicrjax.simulate_batch(batch, ts, devices=d, rtol=1e-10, atol=1e-12)["C"]) for d in (1, 4)}
sharded = jax.jit(lambda x: cicrjax.map_sharded(lambda v: jnp.sum(v**2), x))(jnp.arange(6.0))

import fitting  # a hierarchical population of the 5 cells, its cells split over 1 or 4 devices
noisy = ca[1] + 0.002 * np.random.default_rng(0).normal(size=ca[1].shape)
start = cicrjax.batch_parameters(cicrjax.LiRinzel1994(), {"v3": jnp.ones(5)})
fits = {}
for d in (1, 4):
    problem = fitting.define_problem(start, ts, noisy, free=["v3"], bounds={"v3": (0.5, 1.5)}, batched=True,
                                     hierarchical={"v3": 0.3}, profile=(), observation={"sigma": 0.002},
                                     mode="forward", devices=d)
    ms = fitting.multistart(problem, 1, optimiser=fitting.LBFGS(max_iter=60), include_initial=True, devices=d)
    fits[d] = {"theta": ms.thetas[0].tolist(), "nll": float(ms.values[0]), "converged": bool(ms.converged[0]),
               "devices": len(problem.devices), "natural": np.asarray(problem.natural(ms.thetas[0])).tolist()}
print(json.dumps({"batch": float(np.max(np.abs(ca[1] - ca[4]))), "differ": float(np.ptp(ca[4][:, -1])),
                  "squares": np.asarray(sharded).tolist(), "fits": fits}))
"""


@pytest.fixture(scope="module")
def four_devices():
    """What the script above prints, run on 4 forced CPU devices."""
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_four_devices_give_what_one_device_gives(four_devices):
    """5 Li–Rinzel simulations split over 4 devices (padded to 8) equal the same batch on 1 device to 1e-10, and
    `map_sharded` maps 6 rows over 4 devices in order."""
    assert four_devices["batch"] <= 1e-10
    assert four_devices["differ"] > 1e-3  # the 5 parameter sets give 5 different traces
    assert four_devices["squares"] == [0.0, 1.0, 4.0, 9.0, 16.0, 25.0]


def test_population_fit_over_four_devices_gives_one_devices_estimates(four_devices):
    """A hierarchical (log-normal, τ = 0.3) fit of 5 cells' v3 plus its median (forward mode: the reverse-mode
    fit compiles 2x longer; it gave the same agreement, 2.7e-12, when checked by hand): its cells laid out
    over 4 devices (padded to 8; the starts then run on one), it converges to the estimates and NLL of the same fit
    on 1 device (every cell vmapped) to 1e-10, and each cell's v3 lies within 5% of the one that made its trace."""
    one, four = four_devices["fits"]["1"], four_devices["fits"]["4"]
    assert (one["devices"], four["devices"]) == (0, 4)  # one device: no layout, the plain vmap
    assert one["converged"] and four["converged"]
    np.testing.assert_allclose(four["theta"], one["theta"], rtol=0, atol=1e-10)
    assert four["nll"] == pytest.approx(one["nll"], rel=1e-10, abs=1e-10)
    assert four["natural"][:5] == pytest.approx([0.7, 0.8, 0.95, 1.1, 1.2], rel=0.05)


def test_device_count_is_checked():
    """One CPU device here: asking for more names the XLA flag that makes each core a device."""
    assert cicrjax.local_devices() == tuple(jax.local_devices())
    assert cicrjax.local_devices(1) == tuple(jax.local_devices()[:1])
    n = len(jax.local_devices())
    with pytest.raises(cicrjax.InputError, match=f"devices={n + 1}, but JAX sees {n} cpu device.*device_count"):
        cicrjax.local_devices(n + 1)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(cicrjax.InputError, match="devices must be a whole number ≥ 1"):
            cicrjax.local_devices(bad)


def test_cli_devices_option_is_checked(tmp_path, capsys):
    """`cicrjax fit --devices N`: more devices than JAX sees, or 0, is one line and exit 2 before any output."""
    rec = tmp_path / "rec.csv"
    rec.write_text("time_s,ca_uM\n0,0.1\n1,0.2\n2,0.15\n")
    out = tmp_path / "out"
    base = ["fit", str(rec), "--model", "li-rinzel1994", "--free", "v3", "--out", str(out)]
    for value, match in (("99", "devices=99, but JAX sees"), ("0", "--devices")):
        assert main([*base, "--devices", value]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and match in err, err
    assert not out.exists()
