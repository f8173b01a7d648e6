#!/usr/bin/env bash
# make bench: time and peak memory of `stoopc lint` over Falco's three
# official syscall rules files together (goal: under 50 ms), and over the
# plugin rules files. Reports the median of RUNS runs and the peak RSS.
set -euo pipefail
bin=${1:-build/bin}
runs=${RUNS:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${STOOP_SHARED_DIR:-$root/../shared}
peer=$shared/peer/rules

bench_lint() {
  local label=$1; shift
  local times=() t peak=0
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s%N)
    "$bin/stoopc" lint --format json "$@" >/dev/null || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  peak=$( { /usr/bin/time -f "%M" "$bin/stoopc" lint --format json "$@" >/dev/null; } 2>&1 | tail -1)
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  awk -v label="$label" -v runs="$runs" -v peak="$peak" '
    { t[NR] = $1 }
    END { printf "%-46s median %7.2f ms  min %7.2f ms  peak RSS %6d KiB  (%d runs)\n",
                 label, t[int((NR + 1) / 2)] / 1000, t[1] / 1000, peak, runs }' <<<"$sorted"
}

echo "stoop lint benchmark ($(nproc) cores, $(uname -r))"
bench_lint "lint falco + incubating + sandbox (syscall)" \
  "$peer/falco_rules.yaml" "$peer/falco-incubating_rules.yaml" "$peer/falco-sandbox_rules.yaml"
bench_lint "lint falco_rules.yaml" "$peer/falco_rules.yaml"
bench_lint "lint k8s_audit + gke" "$peer/k8s_audit_rules.yaml" "$peer/k8s_audit_rules_gke.yaml"
bench_lint "lint cloudtrail + github + okta" \
  "$peer/aws_cloudtrail_rules.yaml" "$peer/github.yaml" "$peer/okta_rules.yaml"
