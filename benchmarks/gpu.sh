#!/usr/bin/env bash
# Batch and fit cases at 1k, 10k and 100k cells, float32 and float64, the cells split over every local device
# (all GPUs), in a 330 s budget (each fit capped at 60 s, said in its row). Reports cells per second and the
# device count in every row.
# Usage, from anywhere: bash benchmarks/gpu.sh OUT.json [SIZES...]   (default sizes: 1000 10000 100000; total time
# budget GPU_BUDGET_S, default 330 s)
# Needs jax (with its CUDA plugin), diffrax, equinox, optax, optimistix, jaxtyping, numpy; cicrjax need not be
# installed (the repository root goes on PYTHONPATH).
set -euo pipefail
out=$(realpath -m "${1:-gpu_results.json}")
shift || true
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
if [ $# -eq 0 ]; then set -- 1000 10000 100000; fi
PYTHONPATH=. exec python -u -m benchmarks.gpu --json "$out" --budget "${GPU_BUDGET_S:-330}" --sizes "$@"
