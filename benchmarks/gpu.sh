#!/usr/bin/env bash
# Batch and fit cases at 10k and 100k cells, float32 and float64, on the accelerator (about 6 minutes on an H100).
# Usage, from anywhere: bash benchmarks/gpu.sh OUT.json [SIZES...]   (default sizes: 10000 100000; total time
# budget GPU_BUDGET_S, default 330 s)
# Needs jax (with its CUDA plugin), diffrax, equinox, optax, optimistix, jaxtyping, numpy; cicrjax need not be
# installed (the repository root goes on PYTHONPATH).
set -euo pipefail
out=$(realpath -m "${1:-gpu_results.json}")
shift || true
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
if [ $# -eq 0 ]; then set -- 10000 100000; fi
PYTHONPATH=. exec python -u -m benchmarks.gpu --json "$out" --budget "${GPU_BUDGET_S:-330}" --sizes "$@"
