"""Batches split over several devices (a `NamedSharding` of the cell axis) give what one device gives.

JAX fixes its CPU device count when it starts, so the 4-device case runs in a subprocess with
`XLA_FLAGS=--xla_force_host_platform_device_count=4`, where `devices=1` and `devices=4` are compared side by side.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
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
print(json.dumps({"batch": float(np.max(np.abs(ca[1] - ca[4]))), "differ": float(np.ptp(ca[4][:, -1])),
                  "squares": np.asarray(sharded).tolist()}))
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
    `map_sharded` maps 6 rows over 4 devices in order. (The fit's estimates over 4 devices per worker against 1
    device: tests/test_farm.py::test_two_worker_cluster_gives_the_serial_results.)"""
    assert four_devices["batch"] <= 1e-10
    assert four_devices["differ"] > 1e-3  # the 5 parameter sets give 5 different traces
    assert four_devices["squares"] == [0.0, 1.0, 4.0, 9.0, 16.0, 25.0]


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
