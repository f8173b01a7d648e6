#!/usr/bin/env bash
# stoop_test.sh: `stoop test` passes every case file of tests/stoop/ (the
# golden alerts of Falco's k8s audit traces, the bundled rules' positives
# and near-misses, the official plugin rules), and fails, naming the false
# part of the condition, on the deliberately failing files of
# tests/stoop/failing/.
#
# ctest sets STOOP, STOOP_SOURCE_DIR and STOOP_SHARED_DIR; by hand the
# defaults work from a checkout built with `cmake -B build/test`.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoop=${STOOP:-$src/build/test/bin/stoop}
case $stoop in /*) ;; *) stoop=$(pwd)/$stoop ;; esac
[ -x "$stoop" ] || { echo "stoop_test.sh: stoop not found at $stoop (set STOOP)" >&2; exit 2; }
[ -d "$shared/peer" ] || { echo "stoop_test.sh: no $shared/peer (set STOOP_SHARED_DIR)" >&2; exit 2; }
export STOOP_SHARED_DIR=$shared TZ=UTC NO_COLOR=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
cd "$src"

# 1. Every case file passes, alone and all together.
for f in tests/stoop/*.yaml; do
    if "$stoop" test "$f" >"$tmp/out" 2>&1; then
        ok "$f: $(tail -n 2 "$tmp/out" | head -n 1)"
    else
        cat "$tmp/out" >&2
        fail "stoop test $f"
    fi
done
rc=0
"$stoop" test tests/stoop/*.yaml >"$tmp/all" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$tmp/all" >&2; fail "stoop test tests/stoop/*.yaml exited $rc"; }
grep -Eq '^[0-9]+ passed, 0 failed$' "$tmp/all" || fail "no 'N passed, 0 failed' closing line"
if grep -q '^FAIL' "$tmp/all"; then fail "a FAIL line in the passing run"; fi
n=$(grep -c '^PASS' "$tmp/all")
[ "$n" -ge 140 ] || fail "only $n cases passed in tests/stoop (expected at least 140)"
ok "$n cases passed in tests/stoop/*.yaml"

# 2. The deliberately failing files: non-zero exit, FAIL lines, and a
#    report naming the false part of the condition.
for f in tests/stoop/failing/*.yaml; do
    rc=0
    "$stoop" test "$f" >"$tmp/fail" 2>&1 || rc=$?
    [ "$rc" = 1 ] || { cat "$tmp/fail" >&2; fail "$f: exit $rc, expected 1"; continue; }
    grep -q '^FAIL' "$tmp/fail" || fail "$f: no FAIL line"
    ok "$f exits 1"
done
f=tests/stoop/failing/wrong_expectations.yaml
"$stoop" test "$f" >"$tmp/fail" 2>&1
expect_line() { # PATTERN WHAT
    grep -Fq -- "$1" "$tmp/fail" && ok "$2" || { cat "$tmp/fail" >&2; fail "$2: no '$1' in the report"; }
}
expect_line 'FAIL  expects an alert the allowed user does not give' "missing alert reported"
expect_line "expected 'Disallowed K8s User' ×1, got ×0  (rule at rules/k8s_audit_rules.yaml:" "expected vs got, with the rule's location"
expect_line 'event #1 at tests/events/k8s_audit/allowed_user_creates_pod.json:1' "the event's file and line"
expect_line '{"kind":"Event","apiVersion":"audit.k8s.io/v1"' "an excerpt of the event"
expect_line 'false: not ka.user.name in (minikube, minikube-user, kubelet, kops, admin, kube, kube-proxy, kube-apiserver-healthcheck): ka.user.name is "kops"' "the false part of the condition"
expect_line "unexpected alert of 'Disallowed K8s User' (Warning) ×1" "unexpected alert reported"
expect_line 'Warning K8s API request by a user not in the allowed list (user=contractor-mallory' "the unexpected alert's text"
expect_line 'output field ka.user.name: expected "someone-else", got "contractor-mallory"' "a wrong output field"
expect_line "no rule 'Disalowed K8s User' in the loaded rules (did you mean 'Disallowed K8s User'?)" "a misspelled rule name"
expect_line 'PASS  passes (so the report has both kinds)' "passing cases still pass"
expect_line '1 passed, 4 failed' "the file's counts"

# 3. Case selection, usage and cases-file errors.
"$stoop" test --case 'passes*' "$f" >"$tmp/one" 2>&1 && grep -q '1 passed, 0 failed' "$tmp/one" \
    && ok "--case selects cases by name" || fail "--case"
rc=0; "$stoop" test >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "no cases file: exit 2" || fail "no cases file: exit $rc"
cat >"$tmp/bad.yaml" <<'YAML'
rules: ../nowhere.yaml
cases:
  - name: x
    event: a.json
    expect: none
YAML
rc=0; "$stoop" test "$tmp/bad.yaml" >"$tmp/bad" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "unknown key 'event' in a case (did you mean 'events'?)" "$tmp/bad" \
    && ok "unknown keys are errors, with a suggestion" || { cat "$tmp/bad" >&2; fail "bad cases file (exit $rc)"; }
cat >"$tmp/env.yaml" <<'YAML'
rules: ${STOOP_NO_SUCH_VARIABLE}/rules.yaml
cases:
  - name: x
    events: a.json
    expect: none
YAML
rc=0; "$stoop" test "$tmp/env.yaml" >"$tmp/env" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "environment variable STOOP_NO_SUCH_VARIABLE is not set" "$tmp/env" \
    && ok "unset environment variables are errors" || { cat "$tmp/env" >&2; fail "unset variable (exit $rc)"; }
# A missing events file fails the case (it is never a silent pass).
cat >"$tmp/missing.yaml" <<EOF2
rules: $src/rules/k8s_audit_rules.yaml
cases:
  - name: events file missing
    events: no-such-file.json
    expect: none
EOF2
rc=0; "$stoop" test "$tmp/missing.yaml" >"$tmp/missing" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "input problem" "$tmp/missing" \
    && ok "a missing events file fails the case" || { cat "$tmp/missing" >&2; fail "missing events file (exit $rc)"; }

if [ "$failures" -ne 0 ]; then
    echo "stoop_test.sh: $failures failure(s)" >&2
    exit 1
fi
echo "stoop_test.sh: all checks passed"
