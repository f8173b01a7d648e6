#!/usr/bin/env bash
# official_rules.sh: Falco's official rules files and stoop's bundled rules
# lint as Falco loads them, and `stoopc explain --format json` describes the
# rules of falco_rules.yaml correctly.
#
# ctest sets STOOPC, STOOP_SOURCE_DIR and STOOP_SHARED_DIR; by hand the
# defaults work from a checkout built with `cmake -B build/test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
case $stoopc in /*) ;; *) stoopc=$(pwd)/$stoopc ;; esac
[ -x "$stoopc" ] || { echo "official_rules.sh: stoopc not found at $stoopc (set STOOPC)" >&2; exit 2; }
peer=$shared/peer/rules
[ -d "$peer" ] || { echo "official_rules.sh: no $peer (set STOOP_SHARED_DIR)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# lint_json OUT FILE...: runs `stoopc lint --format json`, stores the
# document in OUT, prints the exit status (never fails the script itself).
lint_json() {
    local out=$1; shift
    local rc=0
    "$stoopc" lint --format json "$@" >"$out" 2>"$out.err" || rc=$?
    echo "$rc"
}

# counts OUT: "errors warnings codes-of-errors" from a JSON lint document,
# checking that the counts agree with the diagnostics.
counts() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
diags = d["diagnostics"]
errs = [x for x in diags if x["severity"] == "error"]
warns = [x for x in diags if x["severity"] == "warning"]
assert d["errors"] == len(errs), "errors count does not match diagnostics"
assert d["warnings"] == len(warns), "warnings count does not match diagnostics"
codes = ",".join(sorted({x["code"] for x in errs})) or "-"
print(d["errors"], d["warnings"], codes)
EOF
}

# expect_clean DESC MAX_WARNINGS FILE...: 0 errors (and, when MAX_WARNINGS is
# 0, no warnings) and exit status 0.
expect_clean() {
    local desc=$1 maxw=$2; shift 2
    local rc e w codes
    rc=$(lint_json "$tmp/out.json" "$@")
    if ! read -r e w codes < <(counts "$tmp/out.json" 2>"$tmp/counts.err"); then
        fail "$desc: invalid JSON from stoopc (exit $rc): $(head -c 300 "$tmp/counts.err" "$tmp/out.json.err")"
        return
    fi
    if [ "$rc" != 0 ] || [ "$e" != 0 ]; then
        fail "$desc: exit $rc, $e errors ($codes), expected 0"
        "$stoopc" lint "$@" | head -40 >&2 || true
    elif [ "$maxw" = 0 ] && [ "$w" != 0 ]; then
        fail "$desc: $w warnings, expected none"
        "$stoopc" lint "$@" | head -40 >&2 || true
    else
        ok "$desc: 0 errors, $w warnings"
    fi
}

echo "== each official rules file alone"
for f in "$peer"/*.yaml; do
    name=$(basename "$f")
    if [ "$name" = k8s_audit_rules_gke.yaml ]; then
        # An overlay of k8s_audit_rules.yaml: it appends to rules and lists
        # that do not exist alone, which Falco rejects with LOAD_ERR_VALIDATE.
        rc=$(lint_json "$tmp/gke.json" "$f")
        e=? w=? codes=?
        read -r e w codes < <(counts "$tmp/gke.json") || true
        if [ "$rc" = 1 ] && [ "$e" -gt 0 ] && [ "$codes" = LOAD_ERR_VALIDATE ]; then
            ok "$name alone: rejected with LOAD_ERR_VALIDATE ($e errors)"
        else
            fail "$name alone: exit $rc, $e errors ($codes), expected exit 1 with LOAD_ERR_VALIDATE only"
        fi
        continue
    fi
    expect_clean "$name alone" any "$f"
done

echo "== Falco's load orders"
expect_clean "falco_rules + incubating + sandbox" any \
    "$peer/falco_rules.yaml" "$peer/falco-incubating_rules.yaml" "$peer/falco-sandbox_rules.yaml"
expect_clean "k8s_audit_rules + k8s_audit_rules_gke" any \
    "$peer/k8s_audit_rules.yaml" "$peer/k8s_audit_rules_gke.yaml"
# The text form agrees: one "Ok" line per file, exit 0.
if out=$("$stoopc" lint "$peer/k8s_audit_rules.yaml" "$peer/k8s_audit_rules_gke.yaml") &&
    [ "$(grep -c ': Ok' <<<"$out")" = 2 ]; then
    ok "k8s pair in text form: both files Ok"
else
    fail "k8s pair in text form: $(tail -3 <<<"$out")"
fi

echo "== bundled rules: no errors, no warnings"
bundled=("$src"/rules/*.yaml)
[ -e "${bundled[0]}" ] || fail "no bundled rules in $src/rules"
for f in "${bundled[@]}"; do
    expect_clean "rules/$(basename "$f")" 0 "$f"
done
expect_clean "all bundled rules together" 0 "${bundled[@]}"
rc=0; "$stoopc" lint --werror "${bundled[@]}" >/dev/null || rc=$?
[ "$rc" = 0 ] && ok "bundled rules pass --werror" || fail "bundled rules: --werror exit $rc"

echo "== explain --format json falco_rules.yaml"
rc=0
"$stoopc" explain --format json "$peer/falco_rules.yaml" >"$tmp/explain.json" 2>"$tmp/explain.err" || rc=$?
[ "$rc" = 0 ] || fail "explain falco_rules.yaml: exit $rc: $(head -5 "$tmp/explain.err")"

cat >"$tmp/noevt.yaml" <<'EOF'
- rule: No event type
  desc: a rule whose condition has no evt.type
  condition: proc.name = sh and not user.name = root
  output: "shell %proc.name"
  priority: INFO
EOF
rc=0
"$stoopc" explain --format json "$tmp/noevt.yaml" >"$tmp/noevt.json" 2>"$tmp/noevt.err" || rc=$?
[ "$rc" = 0 ] || fail "explain of a rule without evt.type: exit $rc: $(head -5 "$tmp/noevt.err")"

if python3 - "$tmp/explain.json" "$tmp/noevt.json" "$peer/falco_rules.yaml" <<'EOF'; then
import json, re, sys
problems = []
def check(cond, msg):
    if not cond:
        problems.append(msg)
        print("  FAIL:", msg)
    else:
        print("  ok:", msg)

rules = json.load(open(sys.argv[1], encoding="utf-8"))
check(isinstance(rules, list), "explain output is a JSON array")
# The number of rules: count the `- rule:` items of the file.
text = open(sys.argv[3], encoding="utf-8").read()
nrules = len(re.findall(r"^- rule:", text, re.M))
check(nrules == 25, f"falco_rules.yaml has 25 rules (found {nrules} '- rule:' items)")
check(len(rules) == nrules, f"one object per rule ({len(rules)} objects)")
keys = {"name": str, "source": str, "enabled": bool, "condition": str,
        "evttypes": list, "macros": list, "lists": list}
for r in rules:
    for k, t in keys.items():
        if not isinstance(r.get(k), t):
            check(False, f"rule {r.get('name')!r}: {k} is {type(r.get(k)).__name__}, expected {t.__name__}")
    for k in ("evttypes", "macros", "lists"):
        if not all(isinstance(x, str) for x in r.get(k, [])):
            check(False, f"rule {r.get('name')!r}: {k} has a non-string element")
check(len({r["name"] for r in rules}) == len(rules), "rule names are unique")
check(all(r["source"] == "syscall" for r in rules), "every rule of falco_rules.yaml is a syscall rule")
check(all(r["evttypes"] for r in rules), "every rule of falco_rules.yaml has event types")
check(all("evt.type" in r["condition"] for r in rules), "resolved conditions mention evt.type")
by = {r["name"]: r for r in rules}
expected = {
    "Terminal shell in container": {"execve", "execveat"},
    "PTRACE attached to process": {"ptrace"},
    "Create Symlink Over Sensitive Files": {"symlink", "symlinkat"},
    "Create Hardlink Over Sensitive Files": {"link", "linkat"},
    "Linux Kernel Module Injection Detected": {"init_module", "finit_module"},
    "Redirect STDOUT/STDIN to Network Connection in Container": {"dup", "dup2", "dup3"},
    "Contact K8S API Server From Container": {"connect"},
    "Read sensitive file untrusted": {"open", "openat", "openat2"},
    "Packet socket created in container": {"socket"},
}
for name, types in expected.items():
    r = by.get(name)
    if r is None:
        check(False, f"rule {name!r} is explained")
        continue
    check(set(r["evttypes"]) == types and len(r["evttypes"]) == len(types),
          f"{name!r}: evttypes {r['evttypes']} == {sorted(types)}")
t = by.get("Terminal shell in container", {})
check("spawned_process" in t.get("macros", []) and "shell_procs" in t.get("macros", []),
      "'Terminal shell in container' uses macros spawned_process and shell_procs")
check("shell_binaries" in t.get("lists", []), "'Terminal shell in container' uses list shell_binaries")
check("spawned_process" not in t.get("condition", "") and "shell_procs" not in t.get("condition", ""),
      "'Terminal shell in container': condition has its macros expanded")

noevt = json.load(open(sys.argv[2], encoding="utf-8"))
check(len(noevt) == 1 and noevt[0]["name"] == "No event type", "explain of the no-evt.type file: one rule")
check(noevt and noevt[0]["evttypes"] == [], f"a rule without evt.type has evttypes [] (got {noevt[0]['evttypes'] if noevt else None})")
sys.exit(1 if problems else 0)
EOF
    ok "explain --format json"
else
    fail "explain --format json (see above)"
fi

# --rule selects one rule.
rc=0
"$stoopc" explain --format json --rule "Terminal shell in container" "$peer/falco_rules.yaml" >"$tmp/one.json" || rc=$?
if [ "$rc" = 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1 and d[0]["name"] == "Terminal shell in container", d
' "$tmp/one.json"; then
    ok "explain --rule selects one rule"
else
    fail "explain --rule 'Terminal shell in container': exit $rc, $(head -c 200 "$tmp/one.json")"
fi

if [ "$failures" -gt 0 ]; then
    echo "official_rules.sh: $failures failure(s)" >&2
    exit 1
fi
echo "official_rules.sh: all checks passed"
