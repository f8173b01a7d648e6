#!/usr/bin/env bash
# formats.sh: the output formats of `stoopc lint` (text, json, sarif) and of
# `stoopc fields --json`, and stoopc's exit statuses (docs/diagnostics.md,
# README.md).
#
# ctest sets STOOPC, STOOP_SOURCE_DIR and STOOP_SHARED_DIR; by hand the
# defaults work from a checkout built with `cmake -B build/test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
case $stoopc in /*) ;; *) stoopc=$(pwd)/$stoopc ;; esac
[ -x "$stoopc" ] || { echo "formats.sh: stoopc not found at $stoopc (set STOOPC)" >&2; exit 2; }
schema=$shared/spec/sarif-schema-2.1.0.json
[ -f "$schema" ] || { echo "formats.sh: no $schema (set STOOP_SHARED_DIR)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# status EXPECTED DESC CMD...: checks the exit status of CMD.
status() {
    local want=$1 desc=$2; shift 2
    local rc=0
    "$@" >"$tmp/status.out" 2>"$tmp/status.err" || rc=$?
    if [ "$rc" = "$want" ]; then
        ok "exit $want: $desc"
    else
        fail "$desc: exit $rc, expected $want; stderr: $(head -c 300 "$tmp/status.err")"
    fi
}

# Work in the temporary directory so file names are relative, as in CI.
cd "$tmp"

# One error (with a non-ASCII character before it on its line: columns
# count code points), two warnings that survive errors.
cat >ew.yaml <<'EOF'
- rule: typo rule
  desc: a rule with a misspelled field
  condition: evt.type = open and proc.name = "café" and proc.nme = sh
  output: "opened %fd.name"
  priority: WARNING
  colour: blue

- rule: no event type
  desc: a rule without evt.type
  condition: proc.name = sh
  output: "shell %proc.name"
  priority: INFO
EOF
# An error with a related location.
cat >rel.yaml <<'EOF'
- macro: first
  condition: second and evt.type = open
- macro: second
  condition: proc.name = sh
- rule: uses first
  desc: d
  condition: first
  output: "x %proc.name"
  priority: INFO
EOF
# Warnings only.
cat >warn.yaml <<'EOF'
- macro: unused_macro
  condition: evt.type = execve

- rule: clean rule
  desc: d
  condition: evt.type = open and proc.name = sh
  output: "opened %fd.name by %proc.name"
  priority: WARNING
EOF
# Clean.
cat >clean.yaml <<'EOF'
- list: shells
  items: [sh, bash]

- macro: opened
  condition: evt.type in (open, openat)

- rule: shell opens a file
  desc: d
  condition: opened and proc.name in (shells)
  output: "opened %fd.name by %proc.name"
  priority: WARNING
  tags: [filesystem]
EOF

echo "== json"
"$stoopc" lint --format json ew.yaml rel.yaml >ew.json || true
"$stoopc" lint --format json clean.yaml >clean.json || true
"$stoopc" lint --format json nosuch.yaml >nofile.json 2>/dev/null || true
if python3 - ew.json clean.json nofile.json <<'EOF'; then
import json, sys
problems = []
def check(cond, msg):
    print(("  ok: " if cond else "  FAIL: ") + msg)
    if not cond:
        problems.append(msg)

INT_OR_NULL = (int, type(None))
STR_OR_NULL = (str, type(None))
def shape(doc, name):
    check(isinstance(doc, dict) and set(doc) == {"version", "diagnostics", "errors", "warnings"},
          f"{name}: top-level keys are version, diagnostics, errors, warnings")
    check(doc.get("version") == 1, f"{name}: version is 1")
    diags = doc.get("diagnostics")
    check(isinstance(diags, list), f"{name}: diagnostics is an array")
    keys = {"file": STR_OR_NULL, "line": INT_OR_NULL, "column": INT_OR_NULL,
            "end_line": INT_OR_NULL, "end_column": INT_OR_NULL, "severity": str, "code": str,
            "codedesc": str, "message": str, "item": STR_OR_NULL, "context": STR_OR_NULL,
            "hints": list, "related": list, "source_line": STR_OR_NULL}
    rkeys = {"file": STR_OR_NULL, "line": INT_OR_NULL, "column": INT_OR_NULL,
             "end_line": INT_OR_NULL, "end_column": INT_OR_NULL, "message": STR_OR_NULL}
    bad = []
    for i, d in enumerate(diags or []):
        if set(d) != set(keys):
            bad.append(f"[{i}] keys {sorted(set(d) ^ set(keys))} differ")
        for k, t in keys.items():
            if k in d and (not isinstance(d[k], t) or isinstance(d[k], bool)):
                bad.append(f"[{i}].{k} has type {type(d[k]).__name__}")
        if d.get("severity") not in ("error", "warning", "note"):
            bad.append(f"[{i}].severity {d.get('severity')!r}")
        if not all(isinstance(h, str) for h in d.get("hints", [])):
            bad.append(f"[{i}].hints has a non-string")
        for j, r in enumerate(d.get("related", [])):
            if set(r) != set(rkeys) or any(not isinstance(r[k], t) for k, t in rkeys.items() if k in r):
                bad.append(f"[{i}].related[{j}] has the wrong shape: {r}")
        if d.get("line") is not None:
            if not (d["line"] >= 1 and d["column"] >= 1):
                bad.append(f"[{i}] line/column not 1-based")
            if (d["end_line"], d["end_column"]) < (d["line"], d["column"]):
                bad.append(f"[{i}] end before start")
    check(not bad, f"{name}: every diagnostic has every documented field with its type" +
          ("" if not bad else ": " + "; ".join(bad[:5])))
    n_err = sum(1 for d in diags or [] if d.get("severity") == "error")
    n_warn = sum(1 for d in diags or [] if d.get("severity") == "warning")
    check(doc.get("errors") == n_err and doc.get("warnings") == n_warn,
          f"{name}: errors/warnings ({doc.get('errors')}/{doc.get('warnings')}) count the diagnostics")
    return diags or []

diags = shape(json.load(open(sys.argv[1], encoding="utf-8")), "ew.yaml+rel.yaml")
err = [d for d in diags if d["code"] == "LOAD_ERR_COMPILE_CONDITION" and d["file"] == "ew.yaml"]
check(len(err) == 1, "ew.yaml: one LOAD_ERR_COMPILE_CONDITION")
line3 = open("ew.yaml", encoding="utf-8").read().split("\n")[2]
col = line3.index("proc.nme") + 1   # code points, 1-based
check(col == 57, "expected column computed from the file is 57")
if err:
    e = err[0]
    check((e["line"], e["column"], e["end_line"], e["end_column"]) == (3, col, 3, col + len("proc.nme")),
          f"unknown field at 3:{col}-3:{col + 8} (got {e['line']}:{e['column']}-{e['end_line']}:{e['end_column']})")
    check(e["severity"] == "error" and e["codedesc"] == "Error compiling condition",
          "severity error, codedesc 'Error compiling condition'")
    check("proc.nme" in e["message"], "message names the field")
    check(e["item"] == "typo rule" and e["context"] == "in rule 'typo rule'", "item and context name the rule")
    check(e["hints"] == ["did you mean 'proc.name'?"], f"hint suggests proc.name (got {e['hints']})")
    check(e["source_line"] == line3, "source_line is line 3 verbatim (UTF-8 kept)")
    check(e["related"] == [], "no related locations")
w = [d for d in diags if d["severity"] == "warning"]
check({d["code"] for d in w} == {"LOAD_UNKNOWN_KEY", "LOAD_NO_EVTTYPE"},
      f"warnings LOAD_UNKNOWN_KEY and LOAD_NO_EVTTYPE (got {sorted(d['code'] for d in w)})")
uk = [d for d in w if d["code"] == "LOAD_UNKNOWN_KEY"]
if uk:
    check((uk[0]["line"], uk[0]["column"], uk[0]["end_column"]) == (6, 3, 9), "unknown key 'colour' at 6:3-6:9")
rel = [d for d in diags if d["file"] == "rel.yaml"]
check(len(rel) == 1 and rel[0]["code"] == "LOAD_ERR_VALIDATE", "rel.yaml: one LOAD_ERR_VALIDATE")
if rel:
    r = rel[0]
    check((r["line"], r["column"], r["end_column"]) == (2, 14, 20), "undefined macro 'second' at 2:14-2:20")
    check(r["related"] == [{"file": "rel.yaml", "line": 3, "column": 10, "end_line": 3, "end_column": 16,
                            "message": "defined here, after this macro"}],
          f"related location points at the later definition (got {r['related']})")
order = [(d["file"], d["line"], d["column"]) for d in diags]
check(order == sorted(order), "diagnostics are sorted by file and position")

clean = shape(json.load(open(sys.argv[2], encoding="utf-8")), "clean.yaml")
check(clean == [], "clean.yaml: no diagnostics")

nofile = shape(json.load(open(sys.argv[3], encoding="utf-8")), "missing file")
check(len(nofile) == 1 and nofile[0]["code"] == "LOAD_ERR_FILE_READ" and nofile[0]["file"] is None
      and nofile[0]["line"] is None and nofile[0]["source_line"] is None,
      "missing file: one LOAD_ERR_FILE_READ without location")
sys.exit(1 if problems else 0)
EOF
    ok "json shape and positions"
else
    fail "json (see above)"
fi
# Same input, same bytes.
"$stoopc" lint --format json ew.yaml rel.yaml >ew2.json || true
cmp -s ew.json ew2.json && ok "json output is deterministic" || fail "json output differs between runs"

echo "== sarif"
sarif_check() { # DESC FILE...
    local desc=$1; shift
    "$stoopc" lint --format sarif "$@" >out.sarif 2>/dev/null || true
    if python3 "$here/sarif_schema.py" out.sarif "$schema" >/dev/null 2>sarif.err; then
        ok "sarif validates: $desc"
    else
        fail "sarif of $desc does not validate: $(head -c 600 sarif.err)"
    fi
}
sarif_check "file with errors and warnings" ew.yaml rel.yaml
cp out.sarif ew.sarif
sarif_check "clean file" clean.yaml
cp out.sarif clean.sarif
sarif_check "warnings only" warn.yaml
sarif_check "missing file (result without location)" nosuch.yaml
if python3 - ew.sarif clean.sarif <<'EOF'; then
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
run = log["runs"][0]
assert run["tool"]["driver"]["name"] == "stoopc"
assert run["columnKind"] == "unicodeCodePoints"
res = run["results"]
assert len(res) == 4, f"4 results, got {len(res)}"
levels = sorted(r["level"] for r in res)
assert levels == ["error", "error", "warning", "warning"], levels
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert ids == sorted(set(ids), key=ids.index) and len(ids) == 4, ids
e = [r for r in res if r["ruleId"] == "LOAD_ERR_COMPILE_CONDITION"][0]
loc = e["locations"][0]["physicalLocation"]
assert loc["artifactLocation"] == {"uri": "ew.yaml", "uriBaseId": "%SRCROOT%"}, loc["artifactLocation"]
reg = loc["region"]
assert (reg["startLine"], reg["startColumn"], reg["endLine"], reg["endColumn"]) == (3, 57, 3, 65), reg
assert reg["snippet"]["text"] == "proc.nme", reg
assert e["message"]["text"].startswith("filter_check called with nonexistent field proc.nme"), e["message"]
assert "hint: did you mean 'proc.name'?" in e["message"]["text"]
fp = e["partialFingerprints"]["primaryLocationLineHash"]
assert fp.count(":") == 1 and len(fp.split(":")[0]) == 16, fp
v = [r for r in res if r["ruleId"] == "LOAD_ERR_VALIDATE"][0]
assert v["relatedLocations"][0]["id"] == 1
assert v["relatedLocations"][0]["message"]["text"] == "defined here, after this macro"
clean = json.load(open(sys.argv[2], encoding="utf-8"))
assert clean["runs"][0]["results"] == [] and clean["runs"][0]["tool"]["driver"]["rules"] == []
EOF
    ok "sarif content: levels, rules, region, snippet, related locations, fingerprint"
else
    fail "sarif content (see above)"
fi

echo "== text"
rc=0
"$stoopc" lint ew.yaml >ew.txt 2>&1 || rc=$?
if python3 - ew.txt <<'EOF'; then
import sys
t = open(sys.argv[1], encoding="utf-8").read()
lines = t.split("\n")
hdr = "ew.yaml:3:57: error[LOAD_ERR_COMPILE_CONDITION]: filter_check called with nonexistent field proc.nme"
assert hdr in lines, "header file:line:col: severity[CODE]: message"
i = lines.index(hdr)
src = '    3 |   condition: evt.type = open and proc.name = "café" and proc.nme = sh'
assert lines[i + 1] == src, f"source line with gutter: {lines[i + 1]!r}"
marker = "      | " + " " * 56 + "^~~~~~~~"
assert lines[i + 2] == marker, f"marker line: {lines[i + 2]!r} expected {marker!r}"
assert "  = in rule 'typo rule'" in lines[i + 3:i + 5]
assert "  = hint: did you mean 'proc.name'?" in lines[i + 3:i + 5]
assert "ew.yaml:6:3: warning[LOAD_UNKNOWN_KEY]: Unknown key 'colour'. The key will be ignored." in lines
assert "ew.yaml: Invalid (1 error, 2 warnings)" in lines, "summary line"
assert "\x1b" not in t, "no colour by default"
EOF
    ok "text: file:line:col header, source line with gutter, ^~~ marker, context, hint, summary"
else
    fail "text output (see above); got:"; cat ew.txt >&2
fi
[ "$rc" = 1 ] || fail "text lint of ew.yaml: exit $rc, expected 1"
rc=0
"$stoopc" lint --color ew.yaml >color.txt 2>&1 || rc=$?
grep -q $'\x1b\\[' color.txt && ok "--color adds escape sequences" || fail "--color: no escape sequences"

echo "== exit statuses"
status 0 "clean file" "$stoopc" lint clean.yaml
status 0 "warnings without --werror" "$stoopc" lint warn.yaml
status 1 "warnings with --werror" "$stoopc" lint --werror warn.yaml
status 0 "clean file with --werror" "$stoopc" lint --werror clean.yaml
status 1 "errors" "$stoopc" lint ew.yaml
status 1 "errors, json" "$stoopc" lint --format json ew.yaml
status 1 "errors, sarif" "$stoopc" lint --format sarif ew.yaml
status 2 "missing file" "$stoopc" lint nosuch.yaml
status 2 "missing file after a good one" "$stoopc" lint clean.yaml nosuch.yaml
status 2 "unknown option" "$stoopc" lint --bogus clean.yaml
status 2 "unknown format" "$stoopc" lint --format xml clean.yaml
status 2 "no files" "$stoopc" lint
status 2 "no files with --werror" "$stoopc" lint --werror
status 2 "unknown command" "$stoopc" bogus
status 2 "a directory that does not exist" "$stoopc" lint nosuchdir/
status 0 "fields" "$stoopc" fields
status 2 "fields --source nosuch" "$stoopc" fields --source nosuch

echo "== fields --json"
"$stoopc" fields --json >fields.json
if python3 - fields.json <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(d, list) and d, "a non-empty array"
for f in d:
    assert isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("type"), str) \
        and isinstance(f.get("source"), str), f
ka = [f for f in d if f["name"] == "ka.user.name"]
assert len(ka) == 1, f"ka.user.name present once (found {len(ka)})"
assert ka[0]["type"] == "CHARBUF", ka[0]
assert ka[0]["source"] == "k8s_audit", ka[0]
sources = {f["source"] for f in d}
for s in ("syscall", "k8s_audit", "aws_cloudtrail", "github", "okta"):
    assert s in sources, f"source {s} has fields"
assert any(f["name"] == "proc.name" and f["source"] == "syscall" for f in d)
print(f"  {len(d)} fields, sources {sorted(sources)}")
EOF
    ok "fields --json: valid JSON with ka.user.name (CHARBUF)"
else
    fail "fields --json (see above)"
fi
"$stoopc" fields --json --source k8s_audit >ka.json
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d and all(f["source"] == "k8s_audit" for f in d)
assert any(f["name"] == "ka.user.name" for f in d)
' ka.json; then
    ok "fields --json --source k8s_audit: only k8s_audit fields"
else
    fail "fields --json --source k8s_audit"
fi

if [ "$failures" -gt 0 ]; then
    echo "formats.sh: $failures failure(s)" >&2
    exit 1
fi
echo "formats.sh: all checks passed"
