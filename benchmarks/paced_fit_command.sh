#!/usr/bin/env bash
# Issue 18's `cicrjax fit` row: the synthetic paced cardiac trace fitted with the command's own defaults, 16 starts,
# cold (empty compilation cache) then warm (the same cache again); each run's wall and CPU seconds and the load.
# Usage: bash benchmarks/paced_fit_command.sh [WORKDIR]   (default a fresh temporary folder; nothing else is written)
set -euo pipefail
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
cicrjax synth cardiac --pace-period 0.5 --pace-count 22 --t-start 10.45 --t-end 10.95 --rate 250 --observe fluo4 \
  --kind df_f0 --noise gaussian:sigma=0.02 --seed 0 --out paced.csv >/dev/null
export CICRJAX_CACHE_DIR="$work/cache"
rm -rf "$CICRJAX_CACHE_DIR"
for run in cold warm; do
  echo "== $run $(date -u +%T) $(uptime | sed 's/.*load/load/')"
  /usr/bin/time -f "$run: %e s wall, %U s user, %S s sys" cicrjax fit paced.csv --model cardiac --indicator fluo4 \
    --free K_act,k_rel,V_max_SERCA,K_m_SERCA,V_max_NCX --pacing-period 0.5 --pacing-start 0.05 --starts 16 \
    --out "out-$run" 2>&1 | grep -E "best NLL|^NLL|wall"
done
