#!/usr/bin/env bash
# run_diff.sh: randomized differential test of stoop's engines.
#
# For each seed, gen_cases.py writes random rules (lists, nested macros,
# every operator, transformers, modifiers, field-vs-field comparisons,
# exceptions) and random events of one source; the rules must lint with 0
# errors (`stoopc lint`); then every engine runs them three times:
#   --rule-matching all --json,   --rule-matching first (text),   and
#   --rule-matching first --json with a rule selection (lib.sh DIFF_SELECTION:
#   --min-priority, --disable-rule, --enable-tag)
# (`stoopc run`, which JIT-compiles on each run, only the first) and each
# engine's alerts must be byte-identical to the interpreter's (`stoop run
# --engine interp`, the semantic reference), with the same exit status and
# the same stderr (the summary line without its timing, and any input
# problem reports). Falco's official rules of the source (from
# $STOOP_SHARED_DIR/peer/rules) also run over the random events.
#
# Engines are detected (lib.sh): `stoop run --help` lists --engine NAMES,
# `stoopc run --help` lists its own; each one is probed on a tiny case and
# used only if it really produces native code. With no engine but the
# interpreter, the interpreter is compared with itself (determinism) and the
# script says "native engine not available".
#
# On a mismatch it prints the seed, the first differing alert, its rule and
# event, then shrinks the case (report_diff.py) to a minimal rules file and
# events file that still show the difference, and exits 1.
#
# Environment (all optional):
#   DIFF_SEEDS=8          number of seeds (cases); DIFF_SEEDS=1000 for a long run
#   DIFF_SEED_BASE=1      first seed; "random" picks one (printed, to replay)
#   DIFF_RULES=200        rules per case
#   DIFF_EVENTS=64        events per case
#   DIFF_SOURCES="..."    sources, used in turn (default: every source gen_cases.py
#                         knows that stoop reads: k8s_audit json aws_cloudtrail ...)
#   DIFF_JOBS=2           cases run in parallel
#   DIFF_KEEP=1           keep the work directory (it is kept anyway on failure)
#   DIFF_KEEP_GOING=1     run every seed even after a failure (default: stop
#                         starting cases at the first one)
#   DIFF_MINIMIZE=0       on a mismatch, do not shrink the case
#   DIFF_JIT_ALL_MODES=1  run `stoopc run` in every mode, not only all-json
#   DIFF_STRICT_JSON=1    fail (not only warn) when an alert line is not valid
#                         UTF-8 JSON
#   STOOP, STOOPC, STOOP_SOURCE_DIR, STOOP_SHARED_DIR as for the e2e tests.
# Exit status: 0 all agree, 1 a mismatch (or a generated file that does not
# lint), 2 usage / set-up problem.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

seeds=${DIFF_SEEDS:-8}
base=${DIFF_SEED_BASE:-1}
[ "$base" = random ] && base=$(( (RANDOM << 15 | RANDOM) % 1000000000 + 1 ))
nrules=${DIFF_RULES:-200}
nevents=${DIFF_EVENTS:-64}
jobs=${DIFF_JOBS:-2}
for v in seeds base nrules nevents jobs; do
    case ${!v} in ''|*[!0-9]*) echo "run_diff.sh: $v must be a number, not '${!v}'" >&2; exit 2 ;; esac
done
[ "$jobs" -ge 1 ] || jobs=1
start_s=$(date +%s.%N)

detect_engines

# Sources: the generator's, when stoop reads them (syscall only once it has
# a decoder).
probe=$work/probe
if [ -n "${DIFF_SOURCES:-}" ]; then
    read -r -a sources <<<"$DIFF_SOURCES"
else
    sources=()
    for s in $(python3 "$here/gen_cases.py" --list-sources); do
        if python3 "$here/gen_cases.py" --seed 1 --rules 1 --events 2 --source "$s" \
            --out "$probe/src-$s" >"$probe/src-$s.log" 2>&1; then
            run_engine "$ref" "$s" "$probe/src-$s/events.json" all-json "$probe/src-$s/r" \
                "$probe/src-$s/rules.yaml"
        fi
        if [ "$(cat "$probe/src-$s/r.rc" 2>/dev/null)" = 0 ] &&
            ! grep -q "no input for source" "$probe/src-$s/r.err"; then
            sources+=("$s")
        else
            echo "source $s: left out (stoop cannot read it: $(head -c 200 "$probe/src-$s/r.err" "$probe/src-$s.log" 2>/dev/null))"
        fi
    done
fi
[ ${#sources[@]} -gt 0 ] || { echo "run_diff.sh: no source to test" >&2; exit 2; }

# Falco's official rules for a source, run over the random events too.
official_rules() {
    case $1 in
        k8s_audit) echo "$shared/peer/rules/k8s_audit_rules.yaml" ;;
        aws_cloudtrail) echo "$shared/peer/rules/aws_cloudtrail_rules.yaml" ;;
        syscall) echo "$shared/peer/rules/falco_rules.yaml" ;;
    esac
}

# case_run SEED: writes DIR/log and DIR/status ("ok PAIRS ALERTS BADJSON" or "fail").
case_run() {
    local seed=$1
    local k=$(( seed - base ))
    local source=${sources[k % ${#sources[@]}]}
    local d=$work/case-$seed
    mkdir -p "$d"
    {
        echo "== seed $seed, source $source, $nrules rules, $nevents events ($d)"
        if ! python3 "$here/gen_cases.py" --seed "$seed" --rules "$nrules" --events "$nevents" \
            --source "$source" --out "$d"; then
            echo "FAIL: gen_cases.py failed"
            echo fail >"$d/status"
            return
        fi
        local rc=0
        "$stoopc" lint "$d/rules.yaml" >"$d/lint.txt" 2>&1 || rc=$?
        if [ "$rc" != 0 ]; then
            echo "FAIL: the generated rules do not lint (stoopc lint exit $rc): a generator bug"
            grep -A6 'error\[' "$d/lint.txt" | cut -c1-400 | head -60
            tail -1 "$d/lint.txt"
            echo fail >"$d/status"
            return
        fi
        local mode ok=1 off
        for mode in all-json first-text sel-json; do
            run_all "$d" "$mode" "$source" "$d/events.json" "$mode" "$d/rules.yaml" || { ok=0; break; }
        done
        off=$(official_rules "$source")
        if [ "$ok" = 1 ] && [ -n "$off" ] && [ -f "$off" ]; then
            run_all "$d" official "$source" "$d/events.json" all-json "$off" || ok=0
        fi
        if [ "$ok" != 1 ]; then
            echo "seed $seed: FAILED (replay: DIFF_SEED_BASE=$seed DIFF_SEEDS=1 DIFF_SOURCES=$source DIFF_RULES=$nrules DIFF_EVENTS=$nevents $0)"
            echo fail >"$d/status"
            return
        fi
        local nread alerts bad
        nread=$(grep -oE '^stoop: [0-9]+ events read' "$d/all-json.ref.err" | grep -oE '[0-9]+')
        alerts=$(wc -l <"$d/all-json.ref.out")
        bad=$(python3 -c '
import json, sys
bad = 0
for line in open(sys.argv[1], "rb"):
    try:
        json.loads(line.decode("utf-8"))
    except ValueError:
        bad += 1
print(bad)' "$d/all-json.ref.out")
        echo "ok $(( nrules * ${nread:-0} )) $alerts $bad" >"$d/status"
    } >"$d/log" 2>&1
}

echo "cases: $seeds seeds from $base, $nrules rules x $nevents events each, sources: ${sources[*]}, $jobs in parallel"
running=0
launched=0
stop=0
for ((k = 0; k < seeds; k++)); do
    seed=$(( base + k ))
    case_run "$seed" &
    running=$(( running + 1 ))
    launched=$(( launched + 1 ))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$(( running - 1 ))
    fi
    if [ -z "${DIFF_KEEP_GOING:-}" ] && grep -lqx fail "$work"/case-*/status 2>/dev/null; then
        stop=1
        break
    fi
    if [ "$seeds" -gt 50 ] && [ $(( launched % 50 )) = 0 ]; then
        echo "... $launched cases started ($(elapsed "$start_s") s)"
    fi
done
wait

pairs=0
alerts=0
bad=0
failed=0
done_cases=0
for ((k = 0; k < launched; k++)); do
    seed=$(( base + k ))
    d=$work/case-$seed
    st=$(cat "$d/status" 2>/dev/null || echo fail)
    if [ "$st" = fail ]; then
        failed=$(( failed + 1 ))
        cat "$d/log"
        keep=1
        continue
    fi
    read -r _ p a b <<<"$st"
    pairs=$(( pairs + p ))
    alerts=$(( alerts + a ))
    bad=$(( bad + b ))
    done_cases=$(( done_cases + 1 ))
    if [ "$seeds" -le 50 ]; then
        if [ ${#engines[@]} -gt 0 ]; then
            echo "seed $seed (${sources[k % ${#sources[@]}]}): $p pairs, $a alerts, engines agree"
        else
            echo "seed $seed (${sources[k % ${#sources[@]}]}): $p pairs, $a alerts, two interpreter runs agree"
        fi
    fi
done
rate=$(python3 -c "import sys; p=int(sys.argv[1]); print('%.1f%%' % (100.0*int(sys.argv[2])/p if p else 0))" "$pairs" "$alerts")
echo "compared $(engines_label): $done_cases cases, $pairs (rule, event) pairs, $alerts alerts ($rate of pairs, rule matching all), in $(elapsed "$start_s") s"
if [ "$bad" -gt 0 ]; then
    echo "WARNING: $bad alert lines are not valid UTF-8 JSON (the same in every engine: invalid UTF-8 passes runtime/alert.c's json_escape_utf8)"
    [ -n "${DIFF_STRICT_JSON:-}" ] && failed=$(( failed + 1 ))
fi
if [ "$failed" -gt 0 ] || [ "$stop" = 1 ]; then
    echo "run_diff.sh: FAILED ($failed case(s))"
    exit 1
fi
echo "run_diff.sh: ok"
exit 0
