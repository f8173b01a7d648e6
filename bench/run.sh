#!/usr/bin/env bash
# make bench:
#  1. time and peak memory of `stoopc lint` over Falco's three official
#     syscall rules files together (goal: under 50 ms), and over the plugin
#     rules files: the median of RUNS runs and the peak RSS;
#  2. time, stages and peak memory of `stoopc compile` (rules files to a
#     ruleset shared object) for the three syscall files (goal: under 1 s)
#     and for k8s_audit_rules.yaml;
#  3. the engines side by side on one core (bench_runtime, BENCH_RUNS runs
#     per phase): the interpreter, native code JIT-compiled in process, and
#     the ruleset built ahead of time, each with alerts formatted, counted,
#     and evaluation only; on a k8s audit corpus of BENCH_CORPUS_MB MiB
#     (default 100; bench/gen_k8s_corpus.py, BENCH_SEED) with the full
#     k8s_audit_rules.yaml, and on a synthetic syscall corpus of the same
#     size (bench/gen_syscall_corpus.py) with Falco's three syscall files;
#     corpora are cached under build/bench-corpus/;
#  4. each code-generation step's effect on native evaluation: every check
#     through the interpreter, then inline checks, shared macros memoised,
#     rule guards indexed (stoopc compile --no-inline/--no-memo/--no-guards);
#  5. `stoop run` end to end per engine (wall time and peak RSS by
#     /usr/bin/time, BENCH_E2E_RUNS runs, text alerts to /dev/null);
#  6. the scaling benchmark (bench/scaling.sh).
set -euo pipefail
bin=${1:-build/bin}
runs=${RUNS:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${STOOP_SHARED_DIR:-$root/../shared}
peer=$shared/peer/rules
corpus_mb=${BENCH_CORPUS_MB:-100}
seed=${BENCH_SEED:-42}
bench_runs=${BENCH_RUNS:-5}
e2e_runs=${BENCH_E2E_RUNS:-3}
corpus=${BENCH_CORPUS:-$root/build/bench-corpus/k8s-${corpus_mb}mb-seed${seed}}
sys_corpus=$root/build/bench-corpus/syscall-${corpus_mb}mb-seed${seed}
sys_rules=("$peer/falco_rules.yaml" "$peer/falco-incubating_rules.yaml" "$peer/falco-sandbox_rules.yaml")

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

# ---- stoopc compile: time, stages, peak memory ----
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_time=0
[ -x /usr/bin/time ] && have_time=1
bench_compile() {
  local label=$1 out=$2; shift 2
  local times=() start end
  for ((i = 0; i < 5; i++)); do
    start=$(date +%s%N)
    "$bin/stoopc" compile --quiet -o "$out" "$@"
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  local peak=0
  [ $have_time = 1 ] &&
    peak=$( { /usr/bin/time -f "%M" "$bin/stoopc" compile --quiet -o "$out" "$@"; } 2>&1 | tail -1)
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v peak="$peak" '
    { t[NR] = $1 }
    END { printf "%-46s median %7.1f ms  min %7.1f ms  peak RSS %6d KiB  (5 runs)\n",
                 label, t[3] / 1000, t[1] / 1000, peak }'
  "$bin/stoopc" compile --stats -o "$out" "$@" 2>&1 | sed 's/^/   /'
}
echo
echo "stoopc compile (rules files to a ruleset shared object, generic x86-64)"
bench_compile "compile falco + incubating + sandbox" "$tmp/syscall.so" "${sys_rules[@]}"
bench_compile "compile k8s_audit_rules.yaml" "$tmp/k8s.so" "$peer/k8s_audit_rules.yaml"

# ---- the engines side by side ----
echo
gen=$root/bench/gen_k8s_corpus.py
if [ ! -f "$corpus/MANIFEST" ] || [ "$gen" -nt "$corpus/MANIFEST" ]; then
  echo "generating the k8s audit corpus ($corpus_mb MiB, seed $seed) in $corpus"
  python3 "$gen" --out "$corpus" --size-mb "$corpus_mb" --seed "$seed" \
    --samples "$shared/peer/events/k8s_audit"
fi
gen_sys=$root/bench/gen_syscall_corpus.py
if [ ! -f "$sys_corpus/MANIFEST" ] || [ "$gen_sys" -nt "$sys_corpus/MANIFEST" ]; then
  echo "generating the syscall corpus ($corpus_mb MiB, seed $seed) in $sys_corpus"
  python3 "$gen_sys" --out "$sys_corpus" --size-mb "$corpus_mb" --seed "$seed" >/dev/null
fi
manifest() { awk -v k="$1" '$1 == k { print $2 }' "$corpus/MANIFEST"; }
k8s_rules=$peer/k8s_audit_rules.yaml
echo "== k8s audit: $corpus ($(manifest files) files, $(manifest bytes) bytes, $(manifest events) events)"
echo "   rules: k8s_audit_rules.yaml; AOT: $tmp/k8s.so"
"$bin/bench_runtime" --runs "$bench_runs" --aot "$tmp/k8s.so" -r "$k8s_rules" "$corpus"
echo
echo "== syscall (synthetic): $sys_corpus ($(awk '$1 == "events" { print $2 }' "$sys_corpus/MANIFEST") events)"
echo "   rules: falco_rules + falco-incubating_rules + falco-sandbox_rules; AOT: $tmp/syscall.so"
sys_r=()
for f in "${sys_rules[@]}"; do sys_r+=(-r "$f"); done
"$bin/bench_runtime" --runs "$bench_runs" --source syscall --aot "$tmp/syscall.so" "${sys_r[@]}" \
  "$sys_corpus"

# ---- each code-generation step ----
echo
echo "code generation, step by step: native evaluation only (AOT), ns/event (median of $bench_runs)"
bench_steps() {
  local label=$1 src=$2 input=$3; shift 3
  local files=() rargs=()
  for f in "$@"; do files+=("$f"); rargs+=(-r "$f"); done
  local steps=("--no-inline --no-memo --no-guards" "--no-memo --no-guards" "--no-guards" "")
  local names=("every check via the interpreter" "+ checks inline" "+ shared macros memoised"
               "+ rule guards indexed")
  for k in 0 1 2 3; do
    # shellcheck disable=SC2086
    "$bin/stoopc" compile --quiet ${steps[$k]} -o "$tmp/step.so" "${files[@]}"
    local line
    line=$("$bin/bench_runtime" --runs "$bench_runs" --no-base --no-interp --no-jit \
             --aot "$tmp/step.so" --source "$src" "${rargs[@]}" "$input" |
           grep '^native AOT .so  evaluation')
    printf "  %-10s %-34s %s\n" "$label" "${names[$k]}" "${line#native AOT .so  }"
  done
}
bench_steps k8s_audit k8s_audit "$corpus" "$k8s_rules"
bench_steps syscall syscall "$sys_corpus" "${sys_rules[@]}"

# `stoop run` end to end: wall time and peak RSS by /usr/bin/time (wall time
# only, and RSS n/a, without it), best and median of e2e_runs runs.
bench_e2e() { # label, corpus dir (for its MANIFEST), stoop run arguments
  local label=$1 dir=$2; shift 2
  rm -f "$tmp"/time.*
  for ((i = 0; i < e2e_runs; i++)); do
    if [ $have_time = 1 ]; then
      /usr/bin/time -f "%e s %M KB" -o "$tmp/time.$i" "$bin/stoop" run "$@" >/dev/null 2>"$tmp/err"
    else
      local start end
      start=$(date +%s%N)
      "$bin/stoop" run "$@" >/dev/null 2>"$tmp/err"
      end=$(date +%s%N)
      awk -v ns=$((end - start)) 'BEGIN { printf "%.2f s 0 KB\n", ns / 1e9 }' >"$tmp/time.$i"
    fi
  done
  cat "$tmp"/time.* | sort -n | awk -v label="$label" \
    -v bytes="$(awk '$1 == "bytes" { print $2 }' "$dir/MANIFEST")" \
    -v events="$(awk '$1 == "events" { print $2 }' "$dir/MANIFEST")" -v rss_ok=$have_time '
    { t[NR] = $1; if ($3 > rss) rss = $3 }
    END {
      med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%-40s %8.2f %8.2f %8.1f %10.0f %s\n", label, t[1], med, bytes / 1e6 / med,
             events / med, rss_ok ? sprintf("%6.1f MB", rss / 1024) : "      n/a"
    }'
  grep -E '^stoop: [0-9]+ events read' "$tmp/err" | tail -1 | sed 's/^/   /' || true
}
echo
printf "%-40s %8s %8s %8s %10s %9s\n" "stoop run, end to end ($e2e_runs runs)" "best s" "median s" \
  "MB/s" "events/s" "peak RSS"
export STOOP_CACHE_DIR=$tmp/cache
bench_e2e "k8s, interpreter, text alerts" "$corpus" --engine interp -r "$k8s_rules" --input "$corpus"
bench_e2e "k8s, ruleset .so, text alerts" "$corpus" -r "$tmp/k8s.so" --input "$corpus"
bench_e2e "k8s, ruleset .so, JSON alerts" "$corpus" -r "$tmp/k8s.so" --input "$corpus" --json
"$bin/stoop" run -r "$k8s_rules" --input "$corpus" >/dev/null 2>&1 # fills the cache
bench_e2e "k8s, rules.yaml (cached native)" "$corpus" -r "$k8s_rules" --input "$corpus"
bench_e2e "syscall, interpreter" "$sys_corpus" --engine interp "${sys_r[@]}" --source syscall --input "$sys_corpus"
bench_e2e "syscall, ruleset .so" "$sys_corpus" -r "$tmp/syscall.so" --source syscall --input "$sys_corpus"
echo "(/usr/bin/time -f \"%e s %M KB\"; alerts to /dev/null; MB/s and events/s at the median)"

# ---- scaling: per-event cost with 10 .. 10,000 generated rules, per engine ----
echo
"$root/bench/scaling.sh" "$bin"
