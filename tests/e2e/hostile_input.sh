#!/usr/bin/env bash
# hostile_input.sh: `stoopc lint` on hostile or pathological rules files.
# Each input must give a clean result: no crash (exit status < 128), no hang
# (timeout 20 s), no sanitizer report on stderr (run with a STOOP_SANITIZE
# build as STOOPC to check that), valid JSON output, and either the expected
# error code (with a location where one makes sense) and exit 1, or, for
# valid inputs, exit 0 without errors. Prints the time of the 10 MB file.
#
# ctest sets STOOPC and STOOP_SOURCE_DIR; by hand the defaults work from a
# checkout built with `cmake -B build/test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
case $stoopc in /*) ;; *) stoopc=$(pwd)/$stoopc ;; esac
[ -x "$stoopc" ] || { echo "hostile_input.sh: stoopc not found at $stoopc (set STOOPC)" >&2; exit 2; }
limit=${HOSTILE_TIMEOUT:-20}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# ---- generate the inputs ----
python3 - <<'EOF'
def w(name, data):
    with open(name, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)

def rule(cond, out="o", name="r"):
    return f"- rule: {name}\n  desc: d\n  condition: {cond}\n  output: {out}\n  priority: INFO\n"

w("binary.yaml", bytes(range(256)) * 40)
w("latin1_condition.yaml", b"- rule: r\n  desc: d\n  condition: evt.type = open and proc.name = caf\xe9\n"
                           b"  output: o\n  priority: INFO\n")
w("latin1_key.yaml", b"- rule: r\n  desc: d\n  condition: evt.type = open\n  outp\xe9t: o\n  priority: INFO\n")
w("empty.yaml", b"")
w("comments_only.yaml", "# a rules file\n# with nothing but comments\n\n   # indented\n")

one = ("- rule: generated rule {i}\n"
       "  desc: generated rule {i}, padded with a description of some length\n"
       "  condition: evt.type in (open, openat) and proc.name = proc{i} and fd.name startswith /etc/dir{i}"
       " and not user.name in (root, admin)\n"
       "  output: \"rule {i} user=%user.name proc=%proc.name file=%fd.name cmdline=%proc.cmdline\"\n"
       "  priority: WARNING\n  tags: [generated, t{i}]\n\n")
parts, size, i = [], 0, 0
while size < 10 * 1024 * 1024:
    s = one.format(i=i)
    parts.append(s)
    size += len(s)
    i += 1
w("big_10mb.yaml", "".join(parts))

w("nested_parens.yaml", rule("(" * 10000 + "evt.type = open" + ")" * 10000))
w("nested_flow_sequences.yaml", rule("evt.type = open") + "  tags: " + "[" * 10000 + "]" * 10000 + "\n")

bomb = "- list: l0\n  items: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for k in range(1, 10):
    bomb += f"- list: l{k}\n  items: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]\n"
bomb += rule("evt.type = open and proc.name in (l9)")
w("alias_bomb.yaml", bomb)

ors = " or proc.name = abcdefgh" * (1024 * 1024 // 24)
w("condition_1mb.yaml", rule("evt.type = open and (proc.name = x" + ors + ")"))
w("condition_1mb_error.yaml", rule("evt.type = open and (proc.name = x" + ors + ") and proc.nme = x"))

w("output_percent_100k.yaml", rule("evt.type = open", out='"' + "%" * 100000 + '"'))
w("output_fields_100k.yaml", rule("evt.type = open", out='"' + "%proc.name " * 100000 + '"'))
w("nul_byte.yaml", b"- rule: r\n  desc: d\n  condition: evt.type = open and proc.name = a\x00b\n"
                   b"  output: o\n  priority: INFO\n")
w("crlf.yaml", rule("evt.type = open and proc.name = sh").replace("\n", "\r\n"))
w("crlf_error.yaml", rule("evt.type = open and proc.nme = sh").replace("\n", "\r\n"))
w("tab_indented.yaml", rule("evt.type = open").replace("\n  ", "\n\t"))

chain = "- macro: m0\n  condition: evt.type = open\n"
chain += "".join(f"- macro: m{k}\n  condition: m{k - 1}\n" for k in range(1, 2000))
w("macro_chain_2000.yaml", chain + rule("m1999"))

w("list_100k.yaml", "- list: big\n  items: [" + ", ".join(f"item{k}" for k in range(100000)) + "]\n"
      + rule("evt.type = open and proc.name in (big)"))
EOF

# ---- run ----
# run NAME EXPECT_STATUS CODE LINE COL: lints NAME.yaml in json and text form.
# CODE is the error code that must occur ("-": no error), LINE/COL its
# expected location ("-": any location, "none": no location required).
run() {
    local name=$1 want=$2 code=$3 line=$4 col=$5
    local f=$name.yaml rc=0 start end fmt
    for fmt in json text sarif; do
        rc=0
        start=$(date +%s.%N)
        timeout "$limit" "$stoopc" lint --format "$fmt" "$f" >"$name.$fmt" 2>"$name.$fmt.err" || rc=$?
        end=$(date +%s.%N)
        if [ "$rc" = 124 ]; then
            fail "$f ($fmt): no result within ${limit}s (hang?)"
            continue
        fi
        if [ "$rc" -ge 128 ]; then
            fail "$f ($fmt): crashed, exit $rc (signal $((rc - 128))): $(head -c 400 "$name.$fmt.err")"
            continue
        fi
        if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$name.$fmt.err"; then
            fail "$f ($fmt): sanitizer report: $(grep -m3 -E 'Sanitizer|runtime error' "$name.$fmt.err")"
        fi
        if [ "$rc" != "$want" ]; then
            fail "$f ($fmt): exit $rc, expected $want: $(head -c 300 "$name.$fmt")"
        fi
        [ "$fmt" = json ] && printf "%.2f" "$(echo "$end - $start" | bc)" >"$name.time"
    done
    if ! python3 - "$name.json" "$name.sarif" "$code" "$line" "$col" "$want" <<'EOF'; then
import json, sys
path, sarif, code, line, col, want = sys.argv[1:]
try:
    d = json.load(open(path, encoding="utf-8"))
    json.load(open(sarif, encoding="utf-8"))
except ValueError as e:
    sys.exit(f"output is not valid JSON: {e}")
errs = [x for x in d["diagnostics"] if x["severity"] == "error"]
if d["errors"] != len(errs):
    sys.exit("errors count does not match")
if code == "-":
    if errs:
        sys.exit(f"unexpected errors: {[(x['code'], x['line'], x['message'][:80]) for x in errs]}")
    sys.exit(0)
if want == "1" and not errs:
    sys.exit("no error reported")
if any(not x["code"] for x in errs):
    sys.exit("an error without code")
hits = [x for x in errs if x["code"] == code]
if not hits:
    sys.exit(f"no {code}: got {[(x['code'], x['message'][:80]) for x in errs]}")
x = hits[0]
if line != "none" and x["line"] is None:
    sys.exit(f"{code} without a location")
if line not in ("-", "none") and x["line"] != int(line):
    sys.exit(f"{code} at line {x['line']}, expected {line}")
if col.startswith("find:"):
    text = open(path[:-len(".json")] + ".yaml", encoding="utf-8").read().split("\n")[int(line) - 1]
    col = str(text.index(col[len("find:"):]) + 1)
if col not in ("-", "none") and x["column"] != int(col):
    sys.exit(f"{code} at column {x['column']}, expected {col}")
if len(x["message"]) > 4096:
    print(f"  note: message of {len(x['message'])} characters", file=sys.stderr)
where = f"{x['line']}:{x['column']}" if x["line"] else "no location"
print(f"  {code} at {where}: {x['message'][:100]}")
EOF
        fail "$f: output check failed (above)"
        return
    fi
    echo "ok: $f: exit $want in $(cat "$name.time" 2>/dev/null || echo ?)s"
}

echo "== hostile inputs (timeout ${limit}s each, $stoopc)"
run binary                  1 LOAD_ERR_YAML_PARSE - -
run latin1_condition        1 LOAD_ERR_YAML_PARSE 3 49
run latin1_key              1 LOAD_ERR_YAML_PARSE 4 7
# Falco skips null documents (falco-language.md 1.1): empty and
# comment-only files are valid, empty rules files.
run empty                   0 - - -
run comments_only           0 - - -
run big_10mb                0 - - -
run nested_parens           1 LOAD_ERR_COMPILE_CONDITION 3 -
run nested_flow_sequences   1 LOAD_ERR_YAML_PARSE 6 -
run alias_bomb              1 LOAD_ERR_YAML_PARSE - -
run condition_1mb           0 - - -
# The column of proc.nme on a 1 MB line, computed from the file.
run condition_1mb_error     1 LOAD_ERR_COMPILE_CONDITION 3 find:proc.nme
run output_percent_100k     1 LOAD_ERR_COMPILE_OUTPUT 4 -
run output_fields_100k      0 - - -
run nul_byte                1 LOAD_ERR_YAML_PARSE 3 47
run crlf                    0 - - -
run crlf_error              1 LOAD_ERR_COMPILE_CONDITION 3 34
run tab_indented            1 LOAD_ERR_YAML_PARSE 2 1
run macro_chain_2000        0 - - -
run list_100k               0 - - -

# The 10 MB file is valid: every rule is there.
if python3 -c '
import json, sys
d = json.load(open("big_10mb.json"))
assert d["errors"] == 0, d["errors"]
' && "$stoopc" explain --format json big_10mb.yaml | python3 -c '
import json, sys
n = len(json.load(sys.stdin))
expected = open("big_10mb.yaml").read().count("- rule: ")
assert n == expected, (n, expected)
print(f"  big_10mb.yaml: {n} rules explained")
'; then
    echo "ok: big_10mb.yaml: every rule loaded"
else
    fail "big_10mb.yaml: not every rule loaded"
fi
echo "time of the 10 MB file (lint --format json): $(cat big_10mb.time)s"

if [ "$failures" -gt 0 ]; then
    echo "hostile_input.sh: $failures failure(s)" >&2
    exit 1
fi
echo "hostile_input.sh: all checks passed"
