#!/usr/bin/env bash
# native_ruleset.sh: the native back end end to end.
#   1. the stoop runtime links no LLVM (its dynamic dependencies), nor
#      does stoopc's front end (stoopc-llvm has the back end);
#   2. stoopc compile writes a ruleset shared object; stoop run -r X.so,
#      stoop run -r rules.yaml (compiled behind the scenes, cached),
#      stoopc run (JIT) and --engine interp give the same alerts;
#   3. the cache: built once, reused, rebuilt when a rules file changes;
#   4. refusals, each with a message that names the file and the problem:
#      not ELF, ELF without a manifest, another native ABI, other field
#      schemas, a damaged manifest;
#   5. stoopc explain --dump shows every stage.
# tests/native/forms.yaml (events: forms_events.json, 400 made-up JSON
# events) has one rule per code-generation form.
#
# ctest sets STOOP, STOOPC, STOOP_SOURCE_DIR and STOOP_SHARED_DIR.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoop=${STOOP:-$src/build/test/bin/stoop}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
for v in stoop stoopc; do
  case ${!v} in /*) ;; *) printf -v "$v" '%s' "$(pwd)/${!v}" ;; esac
  [ -x "${!v}" ] || { echo "native_ruleset.sh: $v not found at ${!v}" >&2; exit 2; }
done
[ -d "$shared/peer" ] || { echo "native_ruleset.sh: no $shared/peer (set STOOP_SHARED_DIR)" >&2; exit 2; }
export TZ=UTC FALCO_HOSTNAME=test-host-1 STOOPC=$stoopc

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export STOOP_CACHE_DIR=$tmp/cache
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
cd "$tmp"
rules=$shared/peer/rules/k8s_audit_rules.yaml
events=$shared/peer/events/k8s_audit

# 1. No LLVM in the runtime.
# (ldd's output is kept first: grep -q would close the pipe early and,
# with pipefail, fail the pipeline.)
deps_stoop=$(ldd "$stoop")
deps_stoopc=$(ldd "$stoopc")
deps_llvm=$(ldd "$(dirname "$stoopc")/stoopc-llvm")
if grep -qi llvm <<<"$deps_stoop"; then
  fail "stoop links LLVM: $(grep -i llvm <<<"$deps_stoop")"
elif grep NEEDED <<<"$(readelf -d "$stoop")" | grep -i llvm >/dev/null; then
  fail "stoop needs an LLVM library"
else
  ok "stoop does not link LLVM ($(readelf -d "$stoop" | grep -c NEEDED) shared libraries, none LLVM)"
fi
# stoopc runs stoopc-llvm (beside it) for the LLVM commands, so lint never
# loads LLVM either.
grep -qi llvm <<<"$deps_stoopc" && fail "stoopc links LLVM (lint would load it)" ||
  ok "stoopc (the front end) does not link LLVM"
grep -qi llvm <<<"$deps_llvm" && ok "stoopc-llvm links LLVM" ||
  fail "stoopc-llvm does not link LLVM"

# 2. Same alerts from every engine.
if "$stoopc" compile --quiet -o k8s.so "$rules" 2>err; then
  ok "stoopc compile wrote k8s.so ($(stat -c %s k8s.so) bytes)"
else
  fail "stoopc compile failed: $(cat err)"
fi
run() { # label, engine args...
  local label=$1; shift
  "$@" --input "$events" --rule-matching all --json -o "out.$label" 2>"err.$label" ||
    fail "$label exited $?: $(tail -2 "err.$label")"
  grep -q "no native code\|interpreting the rules" "err.$label" &&
    fail "$label fell back to the interpreter: $(cat "err.$label")"
}
run interp "$stoop" run --engine interp -r "$rules"
run aot "$stoop" run -r k8s.so
run cached "$stoop" run -r "$rules"
run jit "$stoopc" run -r "$rules"
run aot_interp "$stoop" run --engine interp -r k8s.so
n=$(wc -l <out.interp)
[ "$n" -gt 50 ] || fail "only $n alerts from the interpreter"
for e in aot cached jit aot_interp; do
  if cmp -s out.interp "out.$e"; then ok "$e: the same $n alerts as the interpreter"
  else fail "$e differs from the interpreter: $(diff out.interp "out.$e" | head -5)"; fi
done

# Every code-generation form (hash-table and switch `in`, prefix and suffix
# tries, memoised macros, guards, helpers, interpreter callbacks) on events
# made to hit and miss each: tests/native/forms.yaml.
forms=$src/tests/native/forms.yaml
fevents=$src/tests/native/forms_events.json
"$stoop" run --engine interp -r "$forms" --input "$fevents" --rule-matching all -o forms.interp 2>/dev/null
"$stoopc" run -r "$forms" --input "$fevents" --rule-matching all -o forms.jit 2>/dev/null
"$stoopc" compile --quiet -o forms.so "$forms"
"$stoop" run -r forms.so --input "$fevents" --rule-matching all -o forms.aot 2>/dev/null
nrules=$(awk '{ print $3 }' forms.interp | sort -u | wc -l)
[ "$nrules" = 17 ] && ok "every one of the 17 form rules fires at least once" ||
  fail "only $nrules of the 17 form rules fire"
for e in jit aot; do
  cmp -s forms.interp "forms.$e" && ok "forms: $e gives the interpreter's $(wc -l <forms.interp) alerts" ||
    fail "forms: $e differs: $(diff forms.interp "forms.$e" | head -5)"
done

# 3. The cache.
nso=$(find cache -name '*.so' | wc -l)
[ "$nso" = 1 ] && ok "one cached ruleset" || fail "$nso cached rulesets after one rules set"
so=$(find cache -name '*.so')
before=$(stat -c %Y.%s "$so")
sleep 1
"$stoop" run -r "$rules" --input "$events" -o /dev/null 2>/dev/null
[ "$(stat -c %Y.%s "$so")" = "$before" ] && ok "the cached ruleset is reused" ||
  fail "the cached ruleset was rebuilt"
cp "$rules" mine.yaml
printf '\n- rule: Extra\n  desc: x\n  condition: ka.verb=nothing\n  output: x\n  priority: INFO\n  source: k8s_audit\n' >>mine.yaml
"$stoop" run -r mine.yaml --input "$events" -o /dev/null 2>/dev/null
nso=$(find cache -name '*.so' | wc -l)
[ "$nso" = 2 ] && ok "an edited rules file gets its own entry" || fail "$nso cached rulesets after an edit"
echo garbage >"$so"
"$stoop" run -r "$rules" --input "$events" --rule-matching all --json -o out.rebuilt 2>err.rebuilt
if ! grep -q "interpreting" err.rebuilt && [ "$(head -c 4 "$so" | tail -c 3)" = ELF ] &&
  cmp -s out.rebuilt out.interp; then
  ok "a damaged cache entry is rebuilt"
else
  fail "a damaged cache entry was not rebuilt: $(cat err.rebuilt)"
fi

# 4. Refusals.
refuse() { # label, file, expected message part
  "$stoop" run -r "$2" --input "$events" >/dev/null 2>err.refuse
  local rc=$?
  if [ $rc = 2 ] && grep -q -- "$3" err.refuse && grep -q -- "$2" err.refuse; then
    ok "refuses $1: $(head -1 err.refuse)"
  else
    fail "$1: exit $rc, expected a message with '$3': $(cat err.refuse)"
  fi
}
echo "not a ruleset" >text.so
refuse "a text file" text.so "not an ELF file"
refuse "an ELF file without a manifest" "$stoop" "no .stoop_manifest section"
patch() { # file, from, to (same length): a copy of k8s.so with its manifest edited
  python3 - "$@" <<'PY'
import sys
src, dst, a, b = sys.argv[1:5]
data = open(src, 'rb').read()
assert len(a) == len(b) and data.count(a.encode()) == 1, (a, data.count(a.encode()))
open(dst, 'wb').write(data.replace(a.encode(), b.encode()))
PY
}
abi=$(grep -ao '"abi":[0-9]*' k8s.so | head -1)
patch k8s.so abi.so "$abi" '"abi":9'
refuse "another native ABI" abi.so "for native ABI 9"
hash=$(grep -ao '"schema_hash":"[0-9a-f]*"' k8s.so | head -1)
patch k8s.so schema.so "$hash" '"schema_hash":"0000000000000000"'
refuse "other field schemas" schema.so "against other field schemas"
patch k8s.so format.so '"format":"stoop-ruleset"' '"format":"stoop-rulesex"'
refuse "a damaged manifest" format.so "manifest is damaged"
"$stoop" run -r /nonexistent/x.so --input "$events" >/dev/null 2>err.refuse
grep -q "cannot read /nonexistent/x.so" err.refuse && ok "a missing ruleset is reported" ||
  fail "missing ruleset: $(cat err.refuse)"

# 5. The stages.
"$stoopc" explain --rule "Create Disallowed Pod" --dump ast,resolved,types,ir,ir-opt,asm \
  "$rules" >dump.txt 2>err.dump || fail "explain --dump failed: $(cat err.dump)"
for part in "-- ast" "-- resolved" "-- types" "== ir" "== ir-opt" "== asm" "define internal" \
  "stoop_eval_k8s_audit"; do
  grep -q -- "$part" dump.txt && ok "dump has '$part'" || fail "dump lacks '$part'"
done

if [ "$failures" -gt 0 ]; then
  echo "native_ruleset.sh: $failures failure(s)" >&2
  exit 1
fi
echo "native_ruleset.sh: all checks passed"
