#!/usr/bin/env bash
# bench/scaling.sh BIN_DIR: the scaling benchmark (also the last section of
# make bench).
#
# For 10, 100, 1,000 and 10,000 generated k8s_audit rules
# (bench/gen_scaling_rules.py, seed BENCH_SCALING_SEED), runs every
# available engine over a k8s audit corpus with --rule-matching all and
# alerts to /dev/null, BENCH_RUNS times, and reports the median per-event
# cost:
#
#   ns/event = (event-loop time of the engine run - event-loop time of a
#               baseline run with an empty rules file over the same inputs)
#              / events
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
# BENCH_SCALING_WORK (20000000 rule-events per run),
# BENCH_SCALING_MIN_EVENTS (1000), BENCH_SCALING_TIMEOUT (600 s per run),
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
work=${BENCH_SCALING_WORK:-20000000}
min_events=${BENCH_SCALING_MIN_EVENTS:-1000}
run_timeout=${BENCH_SCALING_TIMEOUT:-600}
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
    base) cmd=("$bin/stoop" run -r "$rules") ;;
    interp)
      cmd=("$bin/stoop" run -r "$rules")
      if [ $engine_flag = 1 ]; then cmd+=(--engine interp); fi ;;
    native) cmd=("$bin/stoop" run --engine native -r "$rules") ;;
    jit) cmd=("$bin/stoopc" run -r "$rules") ;;
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

# best FILE COLUMN: the smallest value
best() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g | head -1
}

# median FILE COLUMN
median() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '
    { v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
                         else printf "%.9f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure OUT ENGINE RULES INPUT...: BENCH_RUNS runs; prints the medians of events, alerts,
# loop and wall time, then the best loop time.
measure() {
  local out=$1; shift
  : >"$out"
  for ((i = 0; i < runs; i++)); do
    run_once "$out" "$@" || return 1
  done
  echo "$(median "$out" 1) $(median "$out" 2) $(median "$out" 3) $(median "$out" 4) $(best "$out" 3)"
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
echo "method: ns/event = (median event-loop time - median event-loop time with an empty rules"
echo "  file over the same files) / events; event-loop time from stoop run's summary line on"
echo "  stderr (events / events/s: read + decode + evaluate + format alerts; rule loading and"
echo "  compilation excluded); wall = whole process, rules loading/compiling included;"
echo "  events/s = raw rate of the engine run; --rule-matching all, alerts to /dev/null;"
echo "  median of $runs runs (best: the fastest run minus the fastest baseline);"
echo "  big rule counts read the first files only (>= max($min_events, $work / rules) events)"

declare -A base_loop base_best
echo "engine,rules,events,runs,loop_s,baseline_s,ns_per_event,events_per_s,wall_s,compile_s,alerts,loop_best_s,baseline_best_s,ns_per_event_best" >"$csv"
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
  # the first files holding enough events for this rule count
  need=$((work / n))
  [ $need -lt "$min_events" ] && need=$min_events
  inputs=()
  got=0
  for ((k = 0; k < ${#files[@]}; k++)); do
    inputs+=("${files[k]}")
    got=$((got + file_events[k]))
    [ $got -ge $need ] && break
  done
  nf=${#inputs[@]}
  if [ -z "${base_loop[$nf]:-}" ]; then
    read -r _ _ bl _ bb < <(measure "$tmp/base" base "$tmp/empty.yaml" "${inputs[@]}") || exit 1
    base_loop[$nf]=$bl
    base_best[$nf]=$bb
  fi
  echo "$n rules: $(du -h "$rules" | cut -f1) of YAML, $lint; $got events in $nf file(s), baseline" \
    "$(awk -v b="${base_loop[$nf]}" 'BEGIN { printf "%.4f s", b }')"
  for e in "${engines[@]}"; do
    target=$rules
    compile=""
    if [ "$e" = native ] && [ $have_compile = 1 ]; then
      so=$wd/ruleset-$n.so
      rm -f "$so"
      start=$(date +%s%N)
      if timeout "$run_timeout" "$bin/stoopc" compile "$rules" -o "$so" >"$tmp/compile" 2>&1; then
        end=$(date +%s%N)
        compile=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
        target=$so
      else
        echo "   stoopc compile failed; native compiles the YAML behind the scenes instead" >&2
        tail -5 "$tmp/compile" | sed 's/^/     /' >&2
      fi
    fi
    if ! read -r ev al loop wall lbest < <(measure "$tmp/m" "$e" "$target" "${inputs[@]}"); then
      echo "   $e: failed at $n rules (see above)"
      continue
    fi
    line=$(awk -v e="$e" -v n="$n" -v ev="$ev" -v al="$al" -v loop="$loop" -v wall="$wall" \
      -v b="${base_loop[$nf]}" -v runs="$runs" -v comp="$compile" -v lbest="$lbest" \
      -v bbest="${base_best[$nf]}" 'BEGIN {
        printf "%s,%d,%d,%d,%.6f,%.6f,%.1f,%.0f,%.3f,%s,%d,%.6f,%.6f,%.1f", e, n, ev, runs, loop, b,
               (loop - b) / ev * 1e9, ev / loop, wall, comp, al, lbest, bbest,
               (lbest - bbest) / ev * 1e9 }')
    echo "$line" >>"$csv"
    rows+=("$line")
  done
done

# ---- report ----
echo
printf "%7s %-7s %7s %7s %10s %10s %11s %11s %10s %8s %9s\n" rules engine events alerts "loop s" \
  "base s" "ns/event" "(best)" "events/s" "wall s" "compile s"
printf '%s\n' "${rows[@]}" | awk -F, '{
  printf "%7d %-7s %7d %7d %10.4f %10.4f %11.1f %11.1f %10.0f %8.2f %9s\n", $2, $1, $3, $11, $5,
         $6, $7, $14, $8, $9, $10 == "" ? "-" : $10 }'
echo
python3 "$root/bench/plot_png.py" --csv "$csv" --ascii --out "$png"
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
  }' "$csv" | sort
echo "(written: $csv, $png; $(($(date +%s) - t0)) s; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
