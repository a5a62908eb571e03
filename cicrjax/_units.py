"""Conversion factors into cicrjax's unit system: time in s, concentration in µM, voltage in mV.

Each published model multiplies its literature values by these once, where it is defined.
"""

PER_MINUTE = 1.0 / 60.0  # 1 min⁻¹ in s⁻¹
PER_MS = 1000.0  # 1 ms⁻¹ in s⁻¹
MILLIMOLAR = 1000.0  # 1 mM in µM
PICOAMPERE_CA = 1e-12 / (2.0 * 96485.0) / 1e-21  # a 1 pA Ca²⁺ current in µM·µm³/s (1 µM·µm³ = 1e-21 mol)
