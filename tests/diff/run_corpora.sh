#!/usr/bin/env bash
# run_corpora.sh: deterministic replay of the recorded event corpora through
# every engine, alerts compared byte for byte with the interpreter's (exit
# status and stderr too, as in run_diff.sh; engines detected by lib.sh).
#
# Corpora (each in two modes: --rule-matching all --json, and first/text):
#   $STOOP_SHARED_DIR/peer/events/<source> with Falco's official rules
#     (peer/rules/k8s_audit_rules.yaml, aws_cloudtrail_rules.yaml, github.yaml,
#     okta_rules.yaml) and with stoop's bundled rules (rules/<source>_rules.yaml);
#   tests/events/<source> and rules/events/<source> with the same rules.
# A corpus whose directory or rules file is missing is skipped (said so).
#
# Environment: STOOP, STOOPC, STOOP_SOURCE_DIR, STOOP_SHARED_DIR; DIFF_KEEP=1
# keeps the work directory. Exit status: 0 all agree, 1 a mismatch, 2 set-up.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
start_s=$(date +%s.%N)

detect_engines

peer=$shared/peer
official() {
    case $1 in
        k8s_audit) echo "$peer/rules/k8s_audit_rules.yaml" ;;
        aws_cloudtrail) echo "$peer/rules/aws_cloudtrail_rules.yaml" ;;
        github) echo "$peer/rules/github.yaml" ;;
        okta) echo "$peer/rules/okta_rules.yaml" ;;
    esac
}
peer_events() {
    case $1 in
        aws_cloudtrail) echo "$peer/events/cloudtrail" ;;
        *) echo "$peer/events/$1" ;;
    esac
}

# A path as the reader knows it: peer/..., tests/..., rules/...
short() {
    case $1 in
        "$shared"/*) echo "${1#"$shared"/}" ;;
        "$src"/*) echo "${1#"$src"/}" ;;
        *) echo "$1" ;;
    esac
}

corpora=0
runs=0
events=0
alerts=0
failed=0
skipped=0
n=0
for source in k8s_audit aws_cloudtrail github okta; do
    for input in "$(peer_events "$source")" "$src/tests/events/$source" "$src/rules/events/$source"; do
        for rules in "$(official "$source")" "$src/rules/${source}_rules.yaml"; do
            label="$(short "$rules") over $(short "$input")"
            if [ ! -d "$input" ] || [ ! -f "$rules" ]; then
                echo "skipped: $label (missing)"
                skipped=$(( skipped + 1 ))
                continue
            fi
            n=$(( n + 1 ))
            d=$work/corpus-$n
            mkdir -p "$d"
            ok=1
            for mode in all-json first-text; do
                if ! run_all "$d" "$mode" "$source" "$input" "$mode" "$rules" >"$d/$mode.log" 2>&1; then
                    ok=0
                    cat "$d/$mode.log"
                    break
                fi
                runs=$(( runs + 1 ))
            done
            if [ "$ok" != 1 ]; then
                echo "FAIL: $label"
                failed=$(( failed + 1 ))
                keep=1
                continue
            fi
            corpora=$(( corpora + 1 ))
            ev=$(grep -oE '^stoop: [0-9]+ events read' "$d/all-json.ref.err" | grep -oE '[0-9]+')
            al=$(wc -l <"$d/all-json.ref.out")
            events=$(( events + ${ev:-0} ))
            alerts=$(( alerts + al ))
            echo "ok: $label: ${ev:-0} events, $al alerts (rule matching all), $([ ${#engines[@]} -gt 0 ] && echo "engines agree" || echo "two interpreter runs agree")"
        done
    done
done
echo "compared $(engines_label): $corpora corpora ($skipped skipped), $events events, $alerts alerts, in $(elapsed "$start_s") s"
if [ "$failed" -gt 0 ]; then
    echo "run_corpora.sh: FAILED ($failed corpora)"
    exit 1
fi
if [ "$corpora" = 0 ]; then
    echo "run_corpora.sh: no corpus found (set STOOP_SHARED_DIR)" >&2
    exit 2
fi
echo "run_corpora.sh: ok"
exit 0
