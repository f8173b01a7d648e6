#!/usr/bin/env bash
# alert_json.sh: stoop run's alerts checked field by field against Falco's
# formats (falco-language.md 3.2 and 3.3, ecosystem.md 3.1), and stoop run's
# behaviours: rule selection flags, -o, the summary on stderr, malformed
# inputs (reported once each with file and position, counted, skipped; exit
# 0, or 1 with --strict).
#
# ctest sets STOOP, STOOP_SOURCE_DIR and STOOP_SHARED_DIR; by hand the
# defaults work from a checkout built with `cmake -B build/test`.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoop=${STOOP:-$src/build/test/bin/stoop}
case $stoop in /*) ;; *) stoop=$(pwd)/$stoop ;; esac
[ -x "$stoop" ] || { echo "alert_json.sh: stoop not found at $stoop (set STOOP)" >&2; exit 2; }
[ -d "$shared/peer" ] || { echo "alert_json.sh: no $shared/peer (set STOOP_SHARED_DIR)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "alert_json.sh: python3 is needed" >&2; exit 2; }
export TZ=UTC FALCO_HOSTNAME=test-host-1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
cd "$tmp"

# ---------------------------------------------------------------------------
# 1. The formats, on rules whose outputs use every kind of value.
cat >rules.yaml <<'YAML'
- rule: Typed output
  desc: every kind of output value
  condition: ka.verb=create
  output: "typed user=%ka.user.name num=%evt.num raw=%evt.rawtime async=%evt.is_async groups=%ka.user.groups images=%ka.req.pod.containers.image missing=%ka.target.subresource up=%toupper(ka.verb) imp=%b64(ka.impuser.name) ptr=%jevt.value[/objectRef/name]"
  priority: WARNING
  source: k8s_audit
  tags: [zeta, alpha, k8s]
- rule: No tags
  desc: a rule without tags, whose output has one field
  condition: ka.verb=get
  output: "plain %ka.verb"
  priority: informational
  source: k8s_audit
- rule: "Quote \" and backslash \\ in a name"
  desc: a rule name that needs escaping
  condition: ka.verb=delete
  output: "no fields at all"
  priority: emergency
  source: k8s_audit
  tags: [k8s]
YAML
python3 - <<'PY'
import json
e1 = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "a1", "stage": "ResponseComplete",
      "verb": "create",
      # control characters, a quote, a backslash and non-ASCII text in a value
      "user": {"username": "eve\n\t\u0001\"\\x \u00e9", "groups": ["system:authenticated", "dev"]},
      # base64 of the bytes ff fe 61 62: b64() gives invalid UTF-8
      "impersonatedUser": {"username": "//5hYg=="},
      "objectRef": {"resource": "pods", "namespace": "default", "name": "web-1"},
      "requestObject": {"spec": {"containers": [{"name": "a", "image": "nginx:1.25"},
                                                {"name": "b", "image": "redis"}]}},
      "responseStatus": {"code": 201}, "stageTimestamp": "2024-05-03T10:11:12.123456789Z"}
e2 = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "a2", "stage": "ResponseComplete",
      "verb": "get", "user": {"username": "bob"},
      "objectRef": {"resource": "pods", "namespace": "default", "name": "web-1"},
      "responseStatus": {"code": 200}, "stageTimestamp": "2024-05-03T10:11:13.000000001Z"}
e3 = dict(e2, auditID="a3", verb="delete", stageTimestamp="1999-12-31T23:59:59.5Z")
with open("events.json", "w") as f:
    for e in (e1, e2, e3):
        f.write(json.dumps(e) + "\n")
PY
"$stoop" run -r rules.yaml --input events.json --json >alerts.json 2>json.err || fail "stoop run --json exited $?"
"$stoop" run -r rules.yaml --input events.json >alerts.txt 2>text.err || fail "stoop run exited $?"
FALCO_HOSTNAME= "$stoop" run -r rules.yaml --input events.json --json >alerts_host.json 2>/dev/null

if python3 - alerts.json alerts.txt alerts_host.json <<'PY'; then ok "JSON and text alerts match Falco's format field by field"; else fail "alert format (above)"; fi
import json, re, socket, sys
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

raw_json = open(sys.argv[1], "rb").read()
raw_text = open(sys.argv[2], "rb").read()
# valid UTF-8 throughout (invalid bytes replaced), one alert per line
for name, raw in (("json", raw_json), ("text", raw_text)):
    try:
        raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        errors.append(f"{name} output is not valid UTF-8: {e}")
jlines = raw_json.decode("utf-8", "replace").split("\n")
tlines = raw_text.decode("utf-8", "replace").split("\n")
check(jlines[-1] == "" and tlines[-1] == "", "outputs end with a newline")
jlines, tlines = jlines[:-1], tlines[:-1]
check(len(jlines) == 3, f"3 JSON alerts, one per line (got {len(jlines)} lines)")
check(len(tlines) == 3, f"3 text alerts, one per line (got {len(tlines)} lines)")

def keys_sorted(pairs):
    ks = [k for k, _ in pairs]
    if ks != sorted(ks):
        errors.append(f"keys not in alphabetical order: {ks}")
    if len(set(ks)) != len(ks):
        errors.append(f"duplicate keys: {ks}")
    return dict(pairs)

alerts = []
for line in jlines:
    try:
        alerts.append(json.loads(line, object_pairs_hook=keys_sorted))
    except ValueError as e:
        errors.append(f"invalid JSON alert: {e}: {line[:200]}")
if len(alerts) != 3:
    print("\n".join(errors)); sys.exit(1)

TOP = ["hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time"]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
TEXT = re.compile(r"^(\d{2}:\d{2}:\d{2}\.\d{9}): (Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) (.*)$")
for i, a in enumerate(alerts):
    check(list(a) == TOP, f"alert {i}: keys {list(a)}")
    check(ISO.match(a["time"]) is not None, f"alert {i}: time {a['time']!r}")
    check(a["hostname"] == "test-host-1", f"alert {i}: FALCO_HOSTNAME not honoured: {a['hostname']!r}")
    check(a["source"] == "k8s_audit", f"alert {i}: source {a['source']!r}")
    check(a["tags"] == sorted(a["tags"]), f"alert {i}: tags not sorted")
    check(isinstance(a["output_fields"], dict) and len(a["output_fields"]) > 0, f"alert {i}: output_fields empty")
    check(isinstance(a["output_fields"].get("evt.time"), int), f"alert {i}: evt.time not an integer")
    # the text line, JSON-string encoded, is the "output" of the JSON alert
    m = re.search(r'"output":"((?:[^"\\]|\\.)*)"', jlines[i])
    check(m is not None and m.group(1) == tlines[i], f"alert {i}: output != text line:\n  {m and m.group(1)}\n  {tlines[i]}")
    t = TEXT.match(tlines[i])
    check(t is not None, f"alert {i}: text line format: {tlines[i]!r}")
    if t:
        check(t.group(2) == a["priority"], f"alert {i}: text priority {t.group(2)} vs {a['priority']}")
        # HH:MM:SS.nnnnnnnnn of the event time (TZ=UTC)
        check(t.group(1) == a["time"][11:29], f"alert {i}: text time {t.group(1)} vs {a['time']}")
    check("\n" not in tlines[i] and "\t" not in tlines[i], f"alert {i}: raw control characters in the text line")

a, b, c = alerts
# --- the typed rule ---
check(a["rule"] == "Typed output" and a["priority"] == "Warning", "rule/priority of alert 0")
check(a["tags"] == ["alpha", "k8s", "zeta"], f"tags sorted: {a['tags']}")
check(a["time"] == "2024-05-03T10:11:12.123456789Z", f"time: {a['time']}")
of = a["output_fields"]
want_keys = ["evt.is_async", "evt.num", "evt.rawtime", "evt.time", "jevt.value[/objectRef/name]",
             "ka.impuser.name", "ka.req.pod.containers.image", "ka.target.subresource",
             "ka.user.groups", "ka.user.name", "ka.verb"]
check(list(of) == want_keys, f"output_fields keys (every %field, transformers' inner fields, evt.time): {list(of)}")
check(of.get("evt.time") == 1714731072123456789, f"evt.time ns: {of.get('evt.time')}")
check(of.get("evt.num") == 1 and type(of.get("evt.num")) is int, f"evt.num typed: {of.get('evt.num')!r}")
check(of.get("evt.rawtime") == 1714731072123456789, f"evt.rawtime typed: {of.get('evt.rawtime')!r}")
check(of.get("evt.is_async") is False, f"evt.is_async typed bool: {of.get('evt.is_async')!r}")
check(of.get("ka.user.groups") == ["system:authenticated", "dev"], f"list field as array: {of.get('ka.user.groups')!r}")
check(of.get("ka.req.pod.containers.image") == ["nginx:1.25", "redis"], "image list")
check("ka.target.subresource" in of and of["ka.target.subresource"] is None, "missing value is null")
check(of.get("ka.user.name") == "eve\n\t\u0001\"\\x \u00e9", f"control characters round-trip in JSON: {of.get('ka.user.name')!r}")
check(of.get("jevt.value[/objectRef/name]") == "web-1", "key written as in the format")
check("toupper(ka.verb)" not in of and "b64(ka.impuser.name)" not in of, "transformer tokens are omitted")
msg = "typed user=eve\n\t\u0001\"\\x \u00e9 num=1 raw=1714731072123456789 async=false groups=(system:authenticated,dev) images=(nginx:1.25,redis) missing=<NA> up=CREATE imp=\ufffd\ufffdab ptr=web-1"
check(a["output"] == "10:11:12.123456789: Warning " + msg, f"output text: {a['output']!r}")
check(tlines[0] == "10:11:12.123456789: Warning typed user=eve\\n\\t\\u0001\\\"\\\\x \u00e9 num=1 raw=1714731072123456789 async=false groups=(system:authenticated,dev) images=(nginx:1.25,redis) missing=<NA> up=CREATE imp=\ufffd\ufffdab ptr=web-1",
      f"text line escapes control characters and replaces invalid UTF-8: {tlines[0]!r}")
# --- no tags, one field ---
check(b["rule"] == "No tags" and b["priority"] == "Informational", "rule/priority of alert 1")
check(b["tags"] == [] and '"tags":[]' in jlines[1], f"empty tags print as []: {b['tags']}")
check(b["output_fields"] == {"evt.time": 1714731073000000001, "ka.verb": "get"}, f"alert 1 output_fields: {b['output_fields']}")
check(b["output"] == "10:11:13.000000001: Informational plain get", f"alert 1 output: {b['output']}")
# --- no fields in the output: output_fields still has evt.time; a name with escapes ---
check(c["rule"] == 'Quote " and backslash \\ in a name', f"rule name escaped: {c['rule']!r}")
check(c["priority"] == "Emergency", "Emergency")
check(c["output_fields"] == {"evt.time": 946684799500000000}, f"never empty: {c['output_fields']}")
check(c["time"] == "1999-12-31T23:59:59.500000000Z", f"fraction padded to 9 digits: {c['time']}")
# --- the hostname without FALCO_HOSTNAME: the machine's ---
h = json.loads(open(sys.argv[3]).readline())
check(h["hostname"] == socket.gethostname(), f"hostname without FALCO_HOSTNAME: {h['hostname']!r} vs {socket.gethostname()!r}")
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY

# Real audit events: every alert of the k8s traces is a valid alert.
"$stoop" run -r "$shared/peer/rules/k8s_audit_rules.yaml" --input "$shared/peer/events/k8s_audit/" \
    --json --rule-matching all >k8s.json 2>k8s.err
if python3 - k8s.json <<'PY'; then ok "every alert of the k8s traces is well formed"; else fail "k8s trace alerts (above)"; fi
import json, re, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    n += 1
    pairs = []
    a = json.loads(line, object_pairs_hook=lambda p: (pairs.append([k for k, _ in p]), dict(p))[1])
    for ks in pairs:
        assert ks == sorted(ks), ks
    assert a["output_fields"] and isinstance(a["output_fields"]["evt.time"], int), line
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$", a["time"]), a["time"]
    assert a["priority"] in ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug")
    assert a["output"].startswith(a["time"][11:29] + ": " + a["priority"] + " "), a["output"]
    # every %field token of the output is a key (the rules use no transformers)
assert n >= 60, n
PY

# ---------------------------------------------------------------------------
# 2. Rule selection: --rule-matching, --min-priority, --disable-rule, --enable-tag
cat >sel.yaml <<'YAML'
- rule: Alpha rule
  desc: first
  condition: ka.verb=create
  output: "alpha %ka.user.name"
  priority: WARNING
  source: k8s_audit
  tags: [a]
- rule: Beta rule
  desc: second
  condition: ka.verb=create
  output: "beta %ka.user.name"
  priority: NOTICE
  source: k8s_audit
  tags: [b]
- rule: Gamma rule
  desc: disabled
  condition: ka.verb=create
  output: "gamma %ka.user.name"
  priority: ERROR
  source: k8s_audit
  enabled: false
  tags: [c]
- rule: Delta rule
  desc: debug
  condition: ka.verb=create
  output: "delta %ka.user.name"
  priority: DEBUG
  source: k8s_audit
  tags: [b]
YAML
head -n 1 events.json >one.json
# sel DESC EXPECTED-RULES OPTIONS...: the rules that alert, in order
sel() {
    local desc=$1 want=$2; shift 2
    local got
    got=$("$stoop" run -r sel.yaml --input one.json --json "$@" 2>/dev/null |
          python3 -c 'import json,sys; print(",".join(json.loads(l)["rule"].split()[0] for l in sys.stdin))')
    [ "$got" = "$want" ] && ok "$desc: $want" || fail "$desc: got '$got', expected '$want'"
}
sel "default rule_matching first" "Alpha"
sel "--rule-matching first" "Alpha" --rule-matching first
sel "--rule-matching all (enabled rules, in order)" "Alpha,Beta,Delta" --rule-matching all
sel "--min-priority notice" "Alpha,Beta" --rule-matching all --min-priority notice
sel "--min-priority warning, first" "Alpha" --min-priority warning
sel "--min-priority error (Gamma is disabled)" "" --rule-matching all --min-priority error
sel "--disable-rule glob" "Beta" --disable-rule 'Al*'
sel "--disable-rule glob, all" "Delta" --rule-matching all --disable-rule 'Al*' --disable-rule '*eta rule'
sel "--enable-tag enables a disabled rule, appended at the end" "Alpha,Beta,Delta,Gamma" --rule-matching all --enable-tag c
sel "--disable-rule '*' --enable-tag b" "Beta,Delta" --rule-matching all --disable-rule '*' --enable-tag b
sel "--enable-tag cannot add rules below --min-priority" "Alpha" --rule-matching all --min-priority warning --enable-tag b --enable-tag a
# Usage errors exit 2 (under the sanitizer build this also checks nothing leaks).
rc=0; "$stoop" run -r sel.yaml --input one.json --rule-matching some >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "--rule-matching some: usage error" || fail "--rule-matching some: exit $rc"
rc=0; "$stoop" run -r sel.yaml --input one.json --min-priority loud >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "--min-priority loud: usage error" || fail "--min-priority loud: exit $rc"

# -o FILE: alerts go to the file, nothing to stdout; the summary to stderr
"$stoop" run -r rules.yaml --input events.json --json -o out.json >stdout.txt 2>stderr.txt
[ ! -s stdout.txt ] && cmp -s out.json alerts.json && ok "-o FILE holds the alerts, stdout is empty" \
    || fail "-o FILE"
if grep -Eq '^stoop: 3 events read, 0 skipped as malformed, 3 alerts \(Emergency 1, Warning 1, Informational 1\) in [0-9.]+ s, [0-9]+ events/s$' stderr.txt; then
    ok "summary line on stderr"
else
    cat stderr.txt >&2; fail "summary line"
fi
rc=0; "$stoop" run -r rules.yaml --input events.json -o /nonexistent/dir/out.json >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "-o into a missing directory: exit 2" || fail "-o unwritable: exit $rc"

# ---------------------------------------------------------------------------
# 3. Malformed inputs: each reported once with file and position, counted,
#    skipped; the run goes on; exit 0, or 1 with --strict.
python3 - <<'PY'
import json
def ev(i, verb="create"):
    return json.dumps({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "b%d" % i,
                       "stage": "ResponseComplete", "verb": verb, "user": {"username": "u%d" % i},
                       "objectRef": {"resource": "pods", "namespace": "default", "name": "p%d" % i},
                       "responseStatus": {"code": 201},
                       "stageTimestamp": "2024-05-03T10:00:%02d.000000000Z" % i})
open("invalid_line.json", "w").write(ev(1) + '\n{"kind":"Event", "auditID": broken\n' + ev(2) + "\n")
open("truncated.json", "w").write(ev(3) + "\n" + ev(4)[:60])
open("fake.json.gz", "w").write(ev(5) + "\n")
big = json.loads(ev(6))
big["requestObject"] = {"data": "x" * (1200 * 1024)}
open("big_event.json", "w").write(ev(7) + "\n" + json.dumps(big) + "\n" + ev(8) + "\n")
PY
cp "$shared/peer/events/k8s_audit/fal_01_003.json" fal_01_003.json
bad="invalid_line.json truncated.json fake.json.gz big_event.json fal_01_003.json"
# shellcheck disable=SC2086
"$stoop" run -r sel.yaml --input $bad >bad.out 2>bad.err; rc=$?
[ "$rc" = 0 ] && ok "malformed inputs: exit 0" || fail "malformed inputs: exit $rc"
[ "$(wc -l <bad.out)" = 5 ] && ok "the good events around the bad ones still alert (5)" \
    || fail "alerts around malformed input: $(wc -l <bad.out)"
reported() { # FILE PATTERN DESC: one line on stderr, with the position
    local n
    n=$(grep -c -- "$1" bad.err)
    if [ "$n" = 1 ] && grep -Eq -- "$2" bad.err; then ok "$3"; else fail "$3: $n lines for $1"; grep -- "$1" bad.err >&2; fi
}
reported invalid_line.json '^stoop: invalid_line\.json:2: invalid JSON.*\(byte [0-9]+\)$' "invalid JSON line reported once, with line and byte"
reported truncated.json '^stoop: truncated\.json:2: truncated JSON.*\(byte [0-9]+\)$' "truncated file reported once, with line and byte"
reported fake.json.gz '^stoop: fake\.json\.gz: not gzip data' "fake .gz reported once"
reported big_event.json '^stoop: big_event\.json:2: event of [0-9]+ bytes is larger than the limit of 1048576 bytes.*\(byte [0-9]+\)$' "event over 1 MB reported once, with line and byte"
reported fal_01_003.json '^stoop: fal_01_003\.json:1: data not recognized as a k8s audit event \(byte 0\)$' "fal_01_003.json reported once, as Falco reports it"
# Four malformed documents are skipped; the fake .gz holds no document (the
# whole input is refused), so it is counted among the input problems.
if grep -Eq '^stoop: 5 events read, 4 skipped as malformed, 5 input problems reported, 5 alerts' bad.err; then
    ok "malformed documents counted in the summary"
else
    grep '^stoop: [0-9]* events read' bad.err >&2; fail "summary counts"
fi
# shellcheck disable=SC2086
"$stoop" run -r sel.yaml --input $bad --strict >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && ok "--strict: exit 1" || fail "--strict: exit $rc"
"$stoop" run -r sel.yaml --input one.json --strict >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] && ok "--strict on good input: exit 0" || fail "--strict on good input: exit $rc"

# ---------------------------------------------------------------------------
# Ill-formed UTF-8 in a value (b64 decodes to any bytes) becomes U+FFFD:
# surrogates, overlong forms, code points past U+10FFFF, bytes F5..FF; the
# well-formed sequences stay. (Found by tests/diff: ED A0 80 went through.)
cat >utf8.yaml <<'YAML'
- rule: Bytes
  desc: a value decoded from base64
  condition: json.value[/a] exists
  output: "v=%b64(json.value[/a])"
  priority: WARNING
  source: json
YAML
python3 - >utf8.json <<'PY'
import base64, json
for v in [b'\xed\xa0\x80', b'\xe0\x80\xaf', b'\xf4\x90\x80\x80', b'\xf5\x80\x80', b'\xc3\xa9ok', b'\xf0\x9f\x98\x80']:
    print(json.dumps({"a": base64.b64encode(v).decode()}))
PY
"$stoop" run --engine interp -r utf8.yaml --input utf8.json --json 2>/dev/null >utf8.out
got=$(python3 -c '
import json, sys
for line in open("utf8.out", "rb"):
    print(json.loads(line.decode("utf-8"))["output"].split("v=")[1])' 2>&1 | tr '\n' '|')
want=$(printf '\xef\xbf\xbd%.0s' 1 2 3)'|'$(printf '\xef\xbf\xbd%.0s' 1 2 3)'|'$(printf '\xef\xbf\xbd%.0s' 1 2 3 4)'|'$(printf '\xef\xbf\xbd%.0s' 1 2 3)'|éok|😀|'
[ "$got" = "$want" ] && ok "ill-formed UTF-8 becomes U+FFFD, well-formed stays" ||
    fail "UTF-8 repair: got '$got', want '$want'"

if [ "$failures" -ne 0 ]; then
    echo "alert_json.sh: $failures failure(s)" >&2
    exit 1
fi
echo "alert_json.sh: all checks passed"
