#!/usr/bin/env bash
# bench/scaling.sh BIN_DIR: the scaling benchmark (also the last section of
# make bench).
#
# For 10, 100, 1,000 and 10,000 generated k8s_audit rules
# (bench/gen_scaling_rules.py, seed BENCH_SCALING_SEED), runs every
# available engine over a k8s audit corpus with --rule-matching all and
# alerts to /dev/null, in BENCH_RUNS rounds, and reports the median per-event
# cost:
#
#   ns/event = median over the rounds of
#              (event-loop time of the engine run - event-loop time of the
#               round's baseline run, an empty rules file over the same inputs)
#              / events
#
# (each round runs the baseline, then every engine once, so that they see
# the same machine load)
#
# The event-loop time is taken from the summary line stoop run prints on
# stderr (events / events-per-second: reading, decoding, evaluating and
# formatting alerts, but not loading or compiling the rules); the wall time
# of the whole process is reported too. Also reported: raw events/s, the
# alerts, and the time of `stoopc compile` when it exists.
#
# Engines: interp always; native when `stoop run --help` mentions --engine
# (with a shared object from `stoopc compile` when stoopc has it, else
# `stoop run --engine native -r RULES.yaml`, which compiles behind the
# scenes); jit (`stoopc run`) only when asked for in BENCH_SCALING_ENGINES.
#
# The corpus (BENCH_SCALING_CORPUS_MB MiB, default 20, in files of 2 MiB,
# from bench/gen_k8s_corpus.py with BENCH_SEED) is cached under
# build/bench-corpus/. Large rule counts read fewer events, the first corpus
# files holding at least max(BENCH_SCALING_MIN_EVENTS,
# BENCH_SCALING_WORK / rules) events, with a baseline over the same files.
#
# Writes build/bench-scaling.csv and build/bench-scaling.png (log-log,
# drawn by bench/plot_png.py) and prints a table and an ASCII curve.
#
# Environment: BENCH_RUNS (5), BENCH_SEED (42), BENCH_SCALING_SEED (1),
# BENCH_SCALING_RULES ("10 100 1000 10000"), BENCH_SCALING_ENGINES
# ("interp native"; add jit for stoopc run), BENCH_SCALING_CORPUS_MB (20),
# BENCH_SCALING_CORPUS (a corpus directory to use instead),
# BENCH_SCALING_WORK (10000000 rule-events per run),
# BENCH_SCALING_MIN_EVENTS (1000), BENCH_SCALING_TIMEOUT (600 s per run),
# BENCH_SCALING_COMPILE_TIMEOUT (600 s), BENCH_SCALING_RECOMPILE (0: reuse
# build/bench-scaling/ruleset-*.so while newer than its rules and stoopc),
# BENCH_SCALING_OUT (build/).
set -euo pipefail
bin=${1:-build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${STOOP_SHARED_DIR:-$root/../shared}
runs=${BENCH_RUNS:-5}
seed=${BENCH_SEED:-42}
rule_seed=${BENCH_SCALING_SEED:-1}
sizes=${BENCH_SCALING_RULES:-10 100 1000 10000}
want_engines=${BENCH_SCALING_ENGINES:-interp native}
corpus_mb=${BENCH_SCALING_CORPUS_MB:-20}
work=${BENCH_SCALING_WORK:-10000000}
min_events=${BENCH_SCALING_MIN_EVENTS:-1000}
run_timeout=${BENCH_SCALING_TIMEOUT:-600}
compile_timeout=${BENCH_SCALING_COMPILE_TIMEOUT:-600}
corpus=${BENCH_SCALING_CORPUS:-$root/build/bench-corpus/k8s-${corpus_mb}mb-seed${seed}-2mbfiles}
outdir=${BENCH_SCALING_OUT:-$root/build}
wd=$outdir/bench-scaling
csv=$outdir/bench-scaling.csv
png=$outdir/bench-scaling.png
mkdir -p "$wd"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

echo "stoop scaling benchmark ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"

# ---- engines ----
engines=(interp)
engine_flag=0
if "$bin/stoop" run --help 2>&1 | grep -q -- '--engine'; then
  engine_flag=1
fi
have_compile=0
if "$bin/stoopc" --help 2>&1 | grep -qE '^[[:space:]]+compile([[:space:]]|$)'; then
  have_compile=1
fi
have_jit=0
if "$bin/stoopc" --help 2>&1 | grep -qE '^[[:space:]]+run([[:space:]]|$)'; then
  have_jit=1
fi
for e in $want_engines; do
  case $e in
    interp) ;;
    native)
      if [ $engine_flag = 1 ]; then
        engines+=(native)
        if [ $have_compile = 1 ]; then
          echo "native: stoopc compile RULES -o ruleset.so, then stoop run --engine native -r ruleset.so"
        else
          echo "native: stoop run --engine native -r RULES.yaml (no stoopc compile: compiled behind the scenes)"
        fi
      else
        echo "native: not available ($bin/stoop run --help does not mention --engine)"
      fi ;;
    jit)
      if [ $have_jit = 1 ]; then engines+=(jit); else echo "jit: not available (no stoopc run)"; fi ;;
    *) echo "unknown engine '$e' in BENCH_SCALING_ENGINES (interp, native, jit)" >&2; exit 2 ;;
  esac
done

# ---- corpus ----
gen=$root/bench/gen_k8s_corpus.py
if [ ! -f "$corpus/MANIFEST" ] || { [ -z "${BENCH_SCALING_CORPUS:-}" ] && [ "$gen" -nt "$corpus/MANIFEST" ]; }; then
  echo "generating the k8s audit corpus ($corpus_mb MiB, seed $seed, 2 MiB files) in $corpus"
  python3 "$gen" --out "$corpus" --size-mb "$corpus_mb" --seed "$seed" --file-mb 2 \
    --samples "$shared/peer/events/k8s_audit"
fi
mapfile -t files < <(find "$corpus" -maxdepth 1 -type f -name 'k8s-*.json*' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no k8s-*.json* files in $corpus" >&2; exit 2; }
: >"$tmp/empty.yaml"

# run_once OUT ENGINE RULES INPUT...: one run; appends "events alerts loop_s wall_s" to OUT.
# Returns non-zero (with stoop's stderr on ours) when the run fails.
run_once() {
  local out=$1 engine=$2 rules=$3; shift 3
  local inputs=() f
  for f in "$@"; do inputs+=(--input "$f"); done
  local cmd
  case $engine in
    base)
      cmd=("$bin/stoop" run -r "$rules")
      if [ $engine_flag = 1 ]; then cmd+=(--engine interp); fi ;;
    interp)
      cmd=("$bin/stoop" run -r "$rules")
      if [ $engine_flag = 1 ]; then cmd+=(--engine interp); fi ;;
    native) cmd=("$bin/stoop" run --engine native -r "$rules") ;;
    jit) cmd=("$bin/stoopc" run --engine jit -r "$rules") ;;
  esac
  local start end rc=0
  start=$(date +%s%N)
  timeout "$run_timeout" "${cmd[@]}" --source k8s_audit "${inputs[@]}" --rule-matching all \
    -o /dev/null 2>"$tmp/err" || rc=$?
  end=$(date +%s%N)
  local line
  line=$(grep -E '^stoopc?: [0-9]+ events read' "$tmp/err" | tail -1 || true)
  if [ $rc != 0 ] || [ -z "$line" ]; then
    echo "   $engine run failed (exit $rc): ${cmd[*]}" >&2
    sed 's/^/     /' "$tmp/err" | tail -5 >&2
    return 1
  fi
  # native code that could not be built or loaded falls back to interpreting
  if [ "$engine" = native ] || [ "$engine" = jit ]; then
    if grep -q 'interpreting the rules' "$tmp/err"; then
      echo "   $engine run interpreted the rules instead: $(grep 'interpreting the rules' "$tmp/err" | head -1)" >&2
      return 1
    fi
  fi
  awk -v wall_ns=$((end - start)) '{
      events = $2; alerts = 0; eps = 0; secs = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^alerts?$/) alerts = $(i - 1)
        if ($i == "events/s") eps = $(i - 1)
        if ($i == "s," && $(i - 2) == "in") secs = $(i - 1)
      }
      # events / events-per-second has more digits than the printed seconds
      loop = (eps > 0) ? events / eps : secs
      printf "%d %d %.9f %.6f\n", events, alerts, loop, wall_ns / 1e9
    }' <<<"$line" >>"$out"
}

# Events per corpus file (one baseline pass; it also warms the page cache).
file_events=()
total_events=0
for f in "${files[@]}"; do
  : >"$tmp/count"
  run_once "$tmp/count" base "$tmp/empty.yaml" "$f" || exit 1
  n=$(awk '{ print $1 }' "$tmp/count")
  file_events+=("$n")
  total_events=$((total_events + n))
done
echo "corpus: $corpus (${#files[@]} files, $total_events events)"
echo "method: ns/event = median over $runs rounds of (event-loop time of the engine run -"
echo "  event-loop time of the round's baseline run, an empty rules file over the same files)"
echo "  / events (best: fastest engine run - fastest baseline run); event-loop time from the"
echo "  summary line stoop run prints on stderr (events / events/s: read + decode + evaluate +"
echo "  format alerts; loading and compiling the rules excluded); wall = whole process,"
echo "  loading included; events/s = raw rate of the engine run; --rule-matching all, alerts"
echo "  to /dev/null; each round runs the baseline then every engine, so they share the load;"
echo "  every rule count reads the same events: the corpus's first file, once for 10,000"
echo "  rules and up to 10 times for fewer (about max($min_events, $work / rules) events)"

echo "engine,rules,events,runs,loop_s,baseline_s,ns_per_event,events_per_s,wall_s,compile_s,alerts,loop_best_s,baseline_best_s,ns_per_event_best,compile_cached" >"$tmp/csv"
rows=()
for n in $sizes; do
  rules=$wd/rules-$n-seed$rule_seed.yaml
  if [ ! -f "$rules" ] || [ "$root/bench/gen_scaling_rules.py" -nt "$rules" ]; then
    python3 "$root/bench/gen_scaling_rules.py" --rules "$n" --seed "$rule_seed" --out "$rules" 2>/dev/null
  fi
  lint="lint ok"
  if ! "$bin/stoopc" lint "$rules" >"$tmp/lint" 2>&1; then
    lint="LINT FAILED: $(tail -1 "$tmp/lint")"
  fi
  # The same events for every rule count (the corpus's first file, read
  # once for big counts and up to 10 times for small ones, so runs stay
  # long enough to time): per-event costs then compare across the curve.
  need=$((work / n))
  if [ $need -lt "$min_events" ]; then need=$min_events; fi
  repeat=$(( (need + file_events[0] - 1) / file_events[0] ))
  if [ $repeat -gt 10 ]; then repeat=10; fi
  if [ $repeat -lt 1 ]; then repeat=1; fi
  inputs=()
  for ((k = 0; k < repeat; k++)); do inputs+=("${files[0]}"); done
  got=$((repeat * file_events[0]))
  echo "$n rules: $(du -h "$rules" | cut -f1) of YAML, $lint; $got events ($(basename "${files[0]}") read $repeat time(s))"

  # what each engine runs: the YAML, or native code built by stoopc compile
  declare -A target=() compile=() cached=()
  for e in "${engines[@]}"; do
    target[$e]=$rules
    compile[$e]=""
    cached[$e]=0
    if [ "$e" = native ] && [ $have_compile = 1 ]; then
      # The shared object is kept (with its compile time) while it is newer
      # than the rules and stoopc; BENCH_SCALING_RECOMPILE=1 rebuilds it.
      # (one per stoopc binary: its path, size and time are in the name)
      key=$(stat -L -c '%s %Y' "$bin/stoopc"; readlink -f "$bin/stoopc")
      so=$wd/ruleset-$n-seed$rule_seed-$(printf '%s' "$key" | cksum | cut -d' ' -f1).so
      if [ "${BENCH_SCALING_RECOMPILE:-0}" = 1 ] || [ ! -f "$so" ] || [ ! -f "$so.seconds" ] ||
         [ "$rules" -nt "$so" ] || [ "$bin/stoopc" -nt "$so" ]; then
        rm -f "$so" "$so.seconds"
        start=$(date +%s%N)
        if timeout "$compile_timeout" "$bin/stoopc" compile -o "$so.tmp.$$" "$rules" >"$tmp/compile" 2>&1 &&
           mv -f "$so.tmp.$$" "$so"; then
          end=$(date +%s%N)
          awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }' >"$so.seconds"
          compile[$e]=$(cat "$so.seconds")
          # those of other stoopc binaries go after a day unused
          find "$wd" -maxdepth 1 -name "ruleset-$n-seed$rule_seed-*.so*" -mtime +0 -delete 2>/dev/null || true
        else
          rm -f "$so.tmp.$$"
          echo "   stoopc compile failed or timed out (${compile_timeout} s); native compiles the YAML" \
            "behind the scenes instead" >&2
          tail -5 "$tmp/compile" | sed 's/^/     /' >&2
          rm -f "$so"
        fi
      else
        compile[$e]=$(cat "$so.seconds")
        cached[$e]=1
      fi
      if [ -f "$so" ]; then target[$e]=$so; fi
      if [ -n "${compile[$e]}" ]; then
        echo "   stoopc compile: ${compile[$e]} s$([ "${cached[$e]}" = 1 ] && echo ' (cached from an earlier run)')"
      fi
    fi
  done

  # BENCH_RUNS rounds of a baseline run then one run per engine, so that a
  # baseline and the engine runs of a round see the same machine load.
  live=("${engines[@]}")
  rm -f "$tmp"/m.*
  for ((i = 0; i < runs; i++)); do
    run_once "$tmp/m.base" base "$tmp/empty.yaml" "${inputs[@]}" || exit 1
    next=()
    for e in "${live[@]}"; do
      if run_once "$tmp/m.$e" "$e" "${target[$e]}" "${inputs[@]}"; then
        next+=("$e")
      else
        echo "   $e: failed at $n rules (see above)"
      fi
    done
    live=("${next[@]}")
  done
  for e in "${live[@]}"; do
    # columns of m.*: events alerts loop_s wall_s; m.base and m.$e line up by round
    line=$(paste -d' ' "$tmp/m.base" "$tmp/m.$e" | awk -v e="$e" -v n="$n" -v runs="$runs" \
      -v comp="${compile[$e]}" -v cached="${cached[$e]}" '
      function median(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
      }
      { k++; base[k] = $3; ev = $5; al = $6; loop[k] = $7; wall[k] = $8; d[k] = $7 - $3
        if (k == 1 || $3 < bbest) bbest = $3
        if (k == 1 || $7 < lbest) lbest = $7 }
      END {
        lm = median(loop, k); bm = median(base, k); dm = median(d, k); wm = median(wall, k)
        printf "%s,%d,%d,%d,%.6f,%.6f,%.1f,%.0f,%.3f,%s,%d,%.6f,%.6f,%.1f,%d", e, n, ev, runs, lm, bm,
               dm / ev * 1e9, ev / lm, wm, comp, al, lbest, bbest, (lbest - bbest) / ev * 1e9, cached
      }')
    echo "$line" >>"$tmp/csv"
    rows+=("$line")
  done
  unset target compile cached
done

# ---- report ----
echo
printf "%7s %-7s %7s %7s %10s %10s %11s %11s %10s %8s %9s\n" rules engine events alerts "loop s" \
  "base s" "ns/event" "(best)" "events/s" "wall s" "compile s"
printf '%s\n' "${rows[@]}" | awk -F, '{
  printf "%7d %-7s %7d %7d %10.4f %10.4f %11.1f %11.1f %10.0f %8.2f %9s\n", $2, $1, $3, $11, $5,
         $6, $7, $14, $8, $9, $10 == "" ? "-" : $10 ($15 ? "*" : "") }'
if printf '%s\n' "${rows[@]}" | grep -q ',1$'; then
  echo "(* compile time of an earlier run: the ruleset .so was reused; BENCH_SCALING_RECOMPILE=1 rebuilds)"
fi
echo
# written whole and renamed into place, so that concurrent runs do not mix rows
cp "$tmp/csv" "$csv.tmp.$$" && mv -f "$csv.tmp.$$" "$csv"
python3 "$root/bench/plot_png.py" --csv "$tmp/csv" --ascii --out "$png.tmp.$$"
mv -f "$png.tmp.$$" "$png"
echo
# growth between the two largest rule counts, per engine
awk -F, 'NR > 1 { n[$1] = n[$1] + 1; r[$1, n[$1]] = $2; c[$1, n[$1]] = $7 }
  END {
    for (e in n) {
      k = n[e]
      if (k < 2) continue
      r1 = r[e, k - 1]; r2 = r[e, k]; c1 = c[e, k - 1]; c2 = c[e, k]
      if (c1 <= 0 || c2 <= 0) {
        printf "%-7s %d -> %d rules: cost %.1f -> %.1f ns/event (too small to compare)\n", e, r1, r2, c1, c2
        continue
      }
      s = log(c2 / c1) / log(r2 / r1)
      printf "%-7s %d -> %d rules (x%g): cost x%.2f, log-log slope %.2f: %s\n", e, r1, r2, r2 / r1,
             c2 / c1, s, s < 0.9 ? "sublinear" : (s <= 1.1 ? "about linear" : "superlinear")
    }
  }' "$tmp/csv" | sort
echo "(written: $csv, $png; $(($(date +%s) - t0)) s; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
