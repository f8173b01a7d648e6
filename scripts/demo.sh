#!/usr/bin/env bash
# make demo: lint the bundled rules and Falco's official rules files (in
# Falco's usual load orders), then run the bundled rules over the bundled
# sample events of every source (rules/events/<source>/) as native code (a
# ruleset shared object per source, built by `stoopc compile`) and print the
# alerts, and run the bundled rules' tests with `stoop test`.
set -uo pipefail
bin=${1:-build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(realpath -m "${STOOP_SHARED_DIR:-$root/../shared}")
bin=$(realpath -m "$bin")
cd "$root"
peer=$shared/peer/rules
stoopc=$bin/stoopc
stoop=$bin/stoop
status=0
export TZ=${TZ:-UTC}

run() {
  echo "\$ stoopc $*"
  "$stoopc" "$@" || status=1
  echo
}

run lint rules/*.yaml
run explain --rule "Private Repository Becoming Public" rules/github_rules.yaml
if [ -d "$peer" ]; then
  run lint "$peer/falco_rules.yaml" "$peer/falco-incubating_rules.yaml" "$peer/falco-sandbox_rules.yaml"
  run lint "$peer/k8s_audit_rules.yaml" "$peer/k8s_audit_rules_gke.yaml"
  run lint "$peer/aws_cloudtrail_rules.yaml" "$peer/github.yaml" "$peer/okta_rules.yaml"
  run explain --rule "Terminal shell in container" "$peer/falco_rules.yaml"
else
  echo "(../shared/peer/rules not found: skipping Falco's official rules files)"
fi

echo "==== the bundled rules, compiled, over the bundled sample events ===="
echo
out=$(dirname "$bin")/demo
mkdir -p "$out"
for source in k8s_audit aws_cloudtrail github okta; do
  so=$out/${source}.so
  echo "\$ stoopc compile -o ${so#"$root"/} rules/${source}_rules.yaml"
  "$stoopc" compile -o "$so" "rules/${source}_rules.yaml" || status=1
  echo "\$ stoop run -r ${so#"$root"/} --input rules/events/$source/"
  "$stoop" run -r "$so" --input "rules/events/$source/" || status=1
  echo
done
echo "\$ stoop run -r ${out#"$root"/}/k8s_audit.so --input rules/events/k8s_audit/ --json"
"$stoop" run -r "$out/k8s_audit.so" --input rules/events/k8s_audit/ --json 2>/dev/null |
  head -n 1 || status=1
echo
if [ -d "$shared/peer/rules" ]; then
  echo "\$ stoopc compile -o ${out#"$root"/}/falco_syscall.so falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml"
  "$stoopc" compile -o "$out/falco_syscall.so" "$peer/falco_rules.yaml" \
    "$peer/falco-incubating_rules.yaml" "$peer/falco-sandbox_rules.yaml" || status=1
  echo "\$ stoop run -r ${out#"$root"/}/falco_syscall.so --source syscall --input tests/events/syscall/"
  "$stoop" run -r "$out/falco_syscall.so" --source syscall --input tests/events/syscall/ || status=1
fi
echo
if [ -d "$shared/peer/events" ]; then
  echo "\$ stoop test tests/stoop/brief_rules.yaml"
  STOOP_SHARED_DIR=$shared "$stoop" test tests/stoop/brief_rules.yaml || status=1
fi
exit $status
