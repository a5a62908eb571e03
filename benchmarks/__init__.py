"""Speed of cicrjax against peers: `python -m benchmarks [--quick] [--json FILE] [--case NAME ...]`.

One module per case (single, batch, gradient, fit, cold), `gpu.py`/`gpu.sh` for an accelerator, and the older
stand-alone scripts (`python -m benchmarks.cold_start`, `beat_timing`, `load_recording`). See benchmarks/README.md.
"""
