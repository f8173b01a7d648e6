#!/usr/bin/env bash
# make demo: until the runtime exists, lint the bundled rules and Falco's
# official rules files (in Falco's usual load orders) and show the results.
set -uo pipefail
bin=${1:-build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(realpath -m "${STOOP_SHARED_DIR:-$root/../shared}")
bin=$(realpath -m "$bin")
cd "$root"
peer=$shared/peer/rules
stoopc=$bin/stoopc
status=0

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
exit $status
