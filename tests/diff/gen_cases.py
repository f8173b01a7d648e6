#!/usr/bin/env python3
"""gen_cases.py: random Falco rules and events for the differential test.

    gen_cases.py --seed S --rules N --events M --source SRC --out DIR

writes DIR/rules.yaml (N rules of source SRC, with the lists and macros they
use) and DIR/events.json (M NDJSON events of SRC, one event per line, so
line i is the event with evt.num i). The same seed always gives the same
files (the generator only uses its own random.Random).

Every rule's output starts with "#%evt.num " so an alert names its event.
Rules are built from a typed model of each source's fields (plugins/*/
fields.def) and only use operators, transformers and right-hand sides the
checker accepts for the operand's type (compiler/operators.def,
compiler/check_types.c), so every file lints with 0 errors; run_diff.sh
checks that with `stoopc lint` for every generated case. Event values and
condition constants are drawn from the same small pools, so a useful share
of (rule, event) pairs match.

Sources: k8s_audit, json, aws_cloudtrail (see SOURCES at the end). Python 3
standard library only.
"""

import argparse
import base64
import json
import os
import random
import re
import sys

# ---------------------------------------------------------------------------
# Text helpers

KEYWORDS = {"and", "or", "not", "oneof", "anyof", "allof", "exists", "in", "intersects",
            "pmatch", "contains", "icontains", "bcontains", "startswith", "bstartswith",
            "endswith", "glob", "iglob", "regex", "val", "tolower", "toupper", "b64",
            "basename", "len", "join", "concat", "getopt"}
BARE_BAD = set('()"\' \t\n\r\f\v=,\0\\')


def is_bare(s):
    """Can s be written as a BareStr (falco-language.md 2.6) without surprise?"""
    if not s or s in KEYWORDS or s.startswith("dl_") or s.startswith("dm_"):
        return False
    return not any(c in BARE_BAD or ord(c) < 0x20 for c in s)


def is_ident(s):
    return (s and s[0].isascii() and s[0].isalpha() and
            all(c.isascii() and (c.isalnum() or c == "_") for c in s) and
            s not in KEYWORDS and not s.startswith("dl_") and not s.startswith("dm_"))


def expressible(s):
    """A constant the condition language can write: no NUL, and a quoted
    string cannot end with a backslash (2.6)."""
    return "\0" not in s and not s.endswith("\\")


def quote(s, rng=None):
    """A QuotedStr for s (2.6 escapes)."""
    single = rng is not None and rng.random() < 0.15 and '"' in s
    q = "'" if single else '"'
    out = [q]
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == q:
            out.append("\\" + q)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        else:
            out.append(c)
    out.append(q)
    return "".join(out)


def lit(s, rng):
    """s as a condition token: bare when possible (mostly), else quoted."""
    if is_bare(s) and rng.random() < 0.85:
        return s
    return quote(s, rng)


def yq(v):
    """A YAML double-quoted scalar (JSON escapes are YAML escapes), with the
    characters YAML forbids raw (C1 controls, DEL, BOM...) escaped."""
    out = ['"']
    for c in v:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif (0x20 <= o <= 0x7E or o == 0x85 or 0xA0 <= o <= 0xD7FF or
              0xE000 <= o <= 0xFFFD and o != 0xFEFF or o >= 0x10000):
            out.append(c)
        elif o <= 0xFFFF:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    out.append('"')
    return "".join(out)


def yflow(v):
    """A YAML flow value (nested lists of strings)."""
    if isinstance(v, list):
        return "[" + ", ".join(yflow(x) for x in v) + "]"
    return yq(v)


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def ascii_upper(s):
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)


def b64dec(s):
    try:
        raw = base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
        return raw.decode("utf-8")
    except Exception:
        return None


def b64enc(s):
    return base64.b64encode(s.encode("utf-8")).decode("ascii")


def basename(s):
    return s.rsplit("/", 1)[-1]


def glob_escape(s):
    return "".join("\\" + c if c in "*?[]\\" else c for c in s)


def regex_escape(s):
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in s)


# ---------------------------------------------------------------------------
# Value pools shared by events and conditions

LONG_A = ("lorem ipsum dolor sit amet " * 12).strip()          # ~320 bytes
LONG_B = "x" * 4100 + "/tail"                                    # past 4 KiB
SPECIAL = ["", " ", "ünïcødé", "日本語テキスト", "İstanbul", "straße", "emoji 😀 here",
           LONG_A, LONG_B, 'say "hi"', "it's", "back\\slash", "multi\nline", "tab\there",
           "*", "?x", "[abc]", "a.b.c", "100%", "<NA>", "0", "-1", "18446744073709551615",
           "true", "null", "/", "//a//b/", "a/b/c/", "\x01ctl", "del\x7f", "nul\u0000byte",
           "UPPER lower", "MiXeD", "-", "a,b", "(paren)", "key=value"]
# The compact JSON text of values of a wrong JSON type (ka.* and json.value
# fields give it for non-strings).
def raw_number(text):
    """A JSON number written with exactly this spelling (events() pastes it)."""
    return "\0RAW:" + text + "\0"


RAW_NUMBERS = ["1E2", "2.01e2", "201.0", "-0", "0e0", "1.5E+3", "200.00", "1e-7"]
# Integers beyond 64 bits are left out: stoop's JSON reader refuses the whole
# document (see the report in run_diff.sh's header), which would shift evt.num.
WRONG = [0, -1, 123, 1.5, 1e300, True, False, None, {"a": 1}, [1, "two"], [], {},
         18446744073709551615, -9223372036854775808] + [raw_number(t) for t in RAW_NUMBERS]
WRONG_TEXT = ["0", "-1", "123", "1.5", "1e+300", "true", "false", "null", '{"a":1}',
              '[1,"two"]', "[]", "{}", "18446744073709551615", "18446744073709551616",
              "-9223372036854775808"] + RAW_NUMBERS

POOLS = {
    "users": ["alice", "bob", "Alice", "ALICE", "carol", "system:anonymous", "admin",
              "system:serviceaccount:kube-system:default", "minikube-user", "eve smith",
              "kubelet", "ünï-user"],
    "groups": ["system:authenticated", "system:masters", "dev", "ops", "Dev", "qa team",
               "system:unauthenticated"],
    "verbs": ["get", "list", "watch", "create", "update", "patch", "delete", "GET",
              "deletecollection"],
    "resources": ["pods", "secrets", "configmaps", "deployments", "services", "namespaces",
                  "clusterroles", "clusterrolebindings", "rolebindings", "Pods"],
    "subres": ["exec", "attach", "log", "status", "portforward"],
    "namespaces": ["default", "kube-system", "kube-public", "prod", "dev", "Prod", "team a"],
    "names": ["nginx", "nginx-1", "web-7d9f", "db", "my pod", "frontend", "x", "Nginx",
              "kube-dns"],
    "images": ["nginx", "nginx:1.25", "docker.io/library/nginx:latest", "busybox",
               "gcr.io/proj/app@sha256:abcd", "quay.io/x/y:1", "sysdig/falco",
               "registry.k8s.io/pause:3.9", "localhost:5000/img:tag", "NGINX:Latest"],
    "stages": ["ResponseComplete", "ResponseStarted", "RequestReceived", "Panic"],
    "decisions": ["allow", "forbid", "Allow"],
    "reasons": ['RBAC: allowed by ClusterRoleBinding "admin"', "", "no rule", "denied"],
    "uas": ["kubectl/v1.29.0 (linux/amd64) kubernetes/abc", "curl/8.4.0", "Mozilla/5.0",
            "kube-controller-manager/v1.29", "Go-http-client/2.0"],
    "codes": ["200", "201", "403", "404", "409", "500"],
    "uids": ["0", "1000", "65534", "-1", "2147483648"],
    "hostpaths": ["/", "/etc", "/etc/kubernetes", "/var/run/docker.sock", "/proc",
                  "/var/lib/kubelet/pods", "/home/user/data", "/ETC", "relative/dir", "/tmp/"],
    "voltypes": ["hostPath", "configMap", "secret", "emptyDir", "flexVolume"],
    "caps": ['["NET_ADMIN"]', '["SYS_ADMIN","NET_RAW"]', '["ALL"]', "[]"],
    "ports": ["80", "443", "8080", "22", "0"],
    "booltext": ["true", "false"],
    "svctypes": ["ClusterIP", "NodePort", "LoadBalancer"],
    "roles": ["admin", "cluster-admin", "view", "edit", "pod-reader"],
    "ips": ["10.0.0.1", "192.168.1.10", "172.16.0.5", "::1", "2001:db8::1", "1.2.3.4"],
    "argv": ["-c echo hi", "-v", "--config /etc/x.yaml", "-a -b val file", "sleep 3600",
             "-x", "/bin/sh -c id"],
    "b64": [b64enc("alice"), b64enc("bob"), b64enc("admin"), b64enc("ünï"), "bm90IGI2NA",
            "!!notbase64!!", b64enc("a/b/c"), "//5hYg=="],
    "uris": [],  # filled by k8s_uris()
    "params": ["true", "false", "sh", "bash -c id", "1", ""],
    "clusters": ["prod-eu", "dev", "test cluster"],
    # json source
    "jusers": ["alice", "bob", "Alice", "root", "svc-account", "ünï", "o'brien", "x y"],
    "jactions": ["login", "logout", "create", "delete", "LOGIN", "update/patch", "read.all"],
    "jpaths": ["/usr/bin/bash", "/bin/sh", "/etc/passwd", "/tmp/x", "/var/log/syslog", "bash",
               "/usr/local/bin/", "/opt/app/run.sh", "C:\\Windows\\system32"],
    "jtags": ["a", "b", "prod", "dev", "red team", "BLUE"],
    "jnums": ["0", "1", "7", "42", "-3", "1000000", "3.14", "1e3", "18446744073709551615"],
    # cloudtrail
    "ctnames": ["ConsoleLogin", "GetObject", "PutObject", "CreateUser", "DeleteBucket",
                "RunInstances", "StopLogging", "AssumeRole", "PutBucketPolicy", "getobject"],
    "ctsrcs": ["s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com",
               "signin.amazonaws.com", "cloudtrail.amazonaws.com", "sts.amazonaws.com",
               "custom.example.com"],
    "ctusers": ["alice", "bob", "root-user", "deploy-bot", "Alice", "ci runner"],
    "cttypes": ["Root", "IAMUser", "AssumedRole", "AWSService", "AWSAccount", "FederatedUser",
                "Unknown"],
    "regions": ["us-east-1", "eu-west-1", "ap-south-1", "US-EAST-1"],
    "errors": ["AccessDenied", "NoSuchBucket", "UnauthorizedOperation", "ThrottlingException"],
    "buckets": ["logs", "my-bucket", "secret-data", "Logs", "bucket.with.dots"],
    "keys": ["a.txt", "dir/b.csv", "dir/sub/c.json", "x y.bin", ""],
    "accounts": ["123456789012", "000000000000", "999999999999"],
    "evtypes": ["AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"],
    "ctips": ["10.0.0.1", "203.0.113.7", "2001:db8::1", "s3.amazonaws.com", "AWS Internal"],
    "amis": ["ami-0abc", "ami-1234", "ami-dead"],
}


def k8s_uris(rng):
    out = []
    for _ in range(10):
        ns = rng.choice(POOLS["namespaces"][:5])
        res = rng.choice(POOLS["resources"][:6])
        name = rng.choice(POOLS["names"][:6])
        uri = "/api/v1/namespaces/%s/%s/%s" % (ns, res, name)
        if rng.random() < 0.4:
            uri += "/" + rng.choice(POOLS["subres"])
        if rng.random() < 0.5:
            uri += "?" + "&".join("%s=%s" % (k, rng.choice(["true", "sh", "1", "bash%20-c%20id"]))
                                  for k in rng.sample(["command", "container", "watch", "stdin"],
                                                      rng.randint(1, 3)))
        out.append(uri)
    out += ["/api/v1/pods", "/apis/apps/v1/deployments?watch=true", "/healthz", "/",
            "/api/v1/namespaces/default/pods/x/exec?command=sh&command=-c&stdin=true"]
    return out


# ---------------------------------------------------------------------------
# Field model

STR_TYPES = {"CHARBUF", "FSPATH", "FSRELPATH"}
# bits and signedness of the numeric types (compiler/types.c)
TYPE_RANGE = {"INT8": (8, True), "UINT8": (8, False), "FLAGS8": (8, False),
              "ENUMFLAGS8": (8, False), "L4PROTO": (8, False), "INT16": (16, True),
              "UINT16": (16, False), "FLAGS16": (16, False), "ENUMFLAGS16": (16, False),
              "PORT": (16, False), "SYSCALLID": (16, False), "INT32": (32, True),
              "UINT32": (32, False), "FLAGS32": (32, False), "ENUMFLAGS32": (32, False),
              "MODE": (32, False), "SIGTYPE": (32, False), "INT64": (64, True),
              "ERRNO": (64, True), "FD": (64, True), "PID": (64, True), "DOUBLE": (64, True),
              "UINT64": (64, False), "RELTIME": (64, False), "ABSTIME": (64, False)}
NUM_TYPES = {"UINT64", "ABSTIME", "RELTIME", "INT64", "UINT32", "INT32", "UINT16", "INT16",
             "UINT8", "INT8", "PID", "FD", "ERRNO", "PORT", "DOUBLE", "MODE", "FLAGS32",
             "FLAGS16", "FLAGS8", "SYSCALLID", "SIGTYPE", "L4PROTO", "ENUMFLAGS8",
             "ENUMFLAGS16", "ENUMFLAGS32"}


def cls_of(ft):
    if ft in STR_TYPES:
        return "str"
    if ft in NUM_TYPES:
        return "num"
    if ft == "BOOL":
        return "bool"
    if ft in ("IPADDR", "IPV4ADDR", "IPV6ADDR"):
        return "ip"
    if ft in ("IPNET", "IPV4NET", "IPV6NET"):
        return "net"
    if ft == "BYTEBUF":
        return "bytes"
    return "other"


class Field:
    """One field of a source. pool: a POOLS key or a list of values (str for
    strings, int for numbers, "true"/"false" for BOOL). args: None, or
    (required, [argument texts as written inside [...]], pools per arg or
    None)."""

    def __init__(self, name, ft="CHARBUF", lst=False, pool=None, args=None, argreq=False,
                 weight=1.0, rhs=True, xform=True, output=True, strict=False, listkind=None):
        self.name, self.ft, self.lst, self.pool = name, ft, lst, pool
        self.args, self.argreq, self.weight = args, argreq, weight
        self.rhs, self.xform, self.output = rhs, xform, output
        # strict: constants only from the pool (evt.type values must be event
        # names); listkind: the kind of named lists its 'in' may splice
        self.strict, self.listkind = strict, listkind


class Operand:
    """A typed operand: text as written, type, list-ness, example values."""

    def __init__(self, text, ft, lst, vals, simple=True, rhs=True, xform=True, strict=False,
                 listkind=None):
        self.text, self.ft, self.lst, self.vals = text, ft, lst, vals
        self.simple, self.rhs, self.xform = simple, rhs, xform
        self.strict, self.listkind = strict, listkind

    @property
    def cls(self):
        return cls_of(self.ft)


# ---------------------------------------------------------------------------
# The generator


class Gen:
    def __init__(self, seed, nrules, nevents, source):
        self.rng = random.Random(seed * 1000003 + 17)
        self.seed, self.nrules, self.nevents = seed, nrules, nevents
        self.source = source
        self.src = SOURCES[source](self)
        self.lists = []      # (name, kind, items as filter tokens, raw values)
        self.macros = []     # names, in definition order
        self.items = []      # YAML items text
        self.stats = {}

    # -- pools -----------------------------------------------------------
    def pool_vals(self, pool):
        if isinstance(pool, list):
            return pool
        return POOLS[pool]

    def str_vals(self, pool):
        """Candidate constants for a string field with this pool."""
        base = list(self.pool_vals(pool))
        return base + self.rng.sample(SPECIAL, 6) + self.rng.sample(WRONG_TEXT, 2)

    def event_str(self, pool, p_special=0.10, p_wrong=0.04):
        """A JSON value for an event: mostly from the pool, sometimes a special
        string or a value of the wrong JSON type."""
        r = self.rng.random()
        if r < p_wrong:
            return self.rng.choice(WRONG)
        if r < p_wrong + p_special:
            return self.rng.choice(SPECIAL)
        return self.rng.choice(self.pool_vals(pool))

    # -- operands ----------------------------------------------------------
    def field_operand(self, f, want_arg=None):
        rng = self.rng
        text = f.name
        vals = None
        if f.args:
            if f.argreq or rng.random() < 0.35:
                i = rng.randrange(len(f.args[0]))
                text += "[" + f.args[0][i] + "]"
                if f.args[1]:
                    vals = f.args[1][i]
        if vals is None:
            vals = f.pool
        c = cls_of(f.ft)
        if c == "str" and not f.strict:
            v = self.str_vals(vals)
        elif c == "num":
            v = list(self.pool_vals(vals)) if not callable(vals) else vals()
        elif c == "bool":
            v = ["true", "false"]
        else:
            v = list(self.pool_vals(vals))
        return Operand(text, f.ft, f.lst, v, rhs=f.rhs, xform=f.xform, strict=f.strict,
                       listkind=f.listkind)

    def pick_field(self, pred=None):
        fs = [f for f in self.src.fields if pred is None or pred(f)]
        if not fs:
            return None
        return self.rng.choices(fs, weights=[f.weight for f in fs])[0]

    def operand(self, depth=0, pred=None, allow_xform=True):
        """A random left-hand-side operand: a field or a transformer."""
        rng = self.rng
        f = self.pick_field(pred)
        op = self.field_operand(f)
        if allow_xform and op.xform and depth < 2 and rng.random() < 0.28:
            t = self.transform(op, depth)
            if t is not None:
                return t
        return op

    def transform(self, op, depth=0):
        """Wraps op in a transformer its type accepts (2.8); None if none. A
        field that cannot be a right-hand side (NO_RHS) taints the result."""
        t = self._transform(op, depth)
        if t is not None and not op.rhs:
            t.rhs = False
        return t

    def _transform(self, op, depth):
        rng = self.rng
        c = op.cls
        choices = []
        if c == "str" and not op.lst:
            choices = ["tolower", "toupper", "b64", "basename", "len", "concat", "nest"]
        elif c == "str" and op.lst:
            choices = ["tolower", "toupper", "len", "join", "getopt"]
        elif c == "bytes" and not op.lst:
            choices = ["len", "b64"]
        if not choices:
            return None
        tr = rng.choice(choices)
        if tr == "nest":
            inner = self.transform(op, depth + 1)
            if inner is None or inner.cls != "str" or inner.lst:
                return inner
            return self.transform(inner, depth + 1) or inner
        if tr in ("tolower", "toupper"):
            fn = ascii_lower if tr == "tolower" else ascii_upper
            return Operand("%s(%s)" % (tr, op.text), op.ft, op.lst, [fn(v) for v in op.vals],
                           simple=False)
        if tr == "b64":
            if op.ft not in ("CHARBUF", "BYTEBUF"):
                return None
            vals = [d for d in (b64dec(v) for v in op.vals + POOLS["b64"]) if d is not None]
            vals += [v for v in self.rng.sample(op.vals, min(3, len(op.vals)))]
            return Operand("b64(%s)" % op.text, op.ft, op.lst, vals, simple=False)
        if tr == "basename":
            return Operand("basename(%s)" % op.text, op.ft, False,
                           [basename(v) for v in op.vals], simple=False)
        if tr == "len":
            if op.lst:
                vals = list(range(0, 5))
            else:
                vals = sorted({len(v.encode()) for v in op.vals} | {0, 1, 3, 5})
            return Operand("len(%s)" % op.text, "UINT64", False, vals, simple=False)
        if tr == "concat":
            parts = [op]
            for _ in range(rng.randint(1, 2)):
                if rng.random() < 0.5:
                    s = rng.choice(["-", ":", " ", "/", "x", "ü", ""])
                    parts.append(Operand(quote(s), "CHARBUF", False, [s]))
                else:
                    o2 = self.field_operand(self.pick_field(
                        lambda f: cls_of(f.ft) == "str" and not f.lst and f.xform))
                    parts.append(o2)
            rng.shuffle(parts)
            vals = []
            for _ in range(8):
                vals.append("".join(rng.choice(p.vals) for p in parts))
            return Operand("concat(%s)" % ", ".join(p.text for p in parts), "CHARBUF", False,
                           vals, simple=False)
        if tr == "join":
            sep = rng.choice([",", " ", "", ", ", "|"])
            vals = [sep.join(rng.sample(op.vals, rng.randint(1, 2))) for _ in range(6)]
            vals += list(op.vals[:4])
            return Operand("join(%s, %s)" % (quote(sep), op.text), "CHARBUF", False, vals,
                           simple=False)
        if tr == "getopt":
            if op.ft != "CHARBUF":
                return None
            optstring = rng.choice(["abc:", "c:v", "x", "a:b:"])
            if rng.random() < 0.6:
                ch = rng.choice([c for c in optstring if c != ":"])
                return Operand('getopt(%s, "%s")[%s]' % (op.text, optstring, ch), "CHARBUF",
                               False, ["echo hi", "val", "", "c", "x", "/etc/x.yaml"],
                               simple=False)
            return Operand('getopt(%s, "%s")' % (op.text, optstring), "CHARBUF", True,
                           ["c", "v", "?", "a", "b", "cecho"], simple=False)
        return None

    def rhs_operand(self, lhs):
        """A right-hand-side field/transformer of exactly lhs's type (2.5)."""
        rng = self.rng
        for _ in range(12):
            f = self.pick_field(lambda f: f.rhs)
            if f is None:
                return None
            op = self.field_operand(f)
            if rng.random() < 0.3 and op.xform:
                t = self.transform(op)
                if t is not None:
                    op = t
            if op.ft == lhs.ft and op.lst == lhs.lst and op.rhs:
                if op.simple:  # a bare field name would be a constant string
                    op = Operand("val(%s)" % op.text, op.ft, op.lst, op.vals, simple=False)
                return op
        return None

    # -- constants -----------------------------------------------------------
    def const_str(self, op, vals, kind):
        """A string constant for operator kind ('eq', 'contains', 'starts',
        'ends', 'glob', 'regex', 'pmatch'), written as a token."""
        rng = self.rng
        for _ in range(20):
            v = rng.choice(vals)
            if not isinstance(v, str):
                v = str(v)
            if kind == "eq":
                s = v
            elif kind in ("contains", "icontains"):
                if len(v) > 2 and rng.random() < 0.8:
                    a = rng.randrange(len(v))
                    s = v[a:a + rng.randint(1, min(6, len(v) - a))]
                else:
                    s = v
                if kind == "icontains" and rng.random() < 0.5:
                    s = ascii_upper(s) if rng.random() < 0.5 else ascii_lower(s)
            elif kind == "starts":
                s = v[:rng.randint(0, min(8, len(v)))]
            elif kind == "ends":
                s = v[len(v) - rng.randint(0, min(8, len(v))):]
            elif kind == "glob":
                s = self.glob_of(v)
            elif kind == "regex":
                s = self.regex_of(v)
            elif kind == "pmatch":
                s = self.pmatch_of(v)
            else:
                raise ValueError(kind)
            if expressible(s):
                return lit(s, rng) if kind != "regex" else quote(s, rng)
        return '"x"'

    def glob_of(self, v):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return glob_escape(v[:rng.randint(0, min(6, len(v)))]) + "*"
        if r < 0.45:
            return "*" + glob_escape(v[len(v) - rng.randint(0, min(6, len(v))):])
        if r < 0.6 and v:
            i = rng.randrange(len(v))
            return glob_escape(v[:i]) + "?" + glob_escape(v[i + 1:])
        if r < 0.75 and v:
            i = rng.randrange(len(v))
            c = v[i]
            cl = "[%s%s]" % (c, ascii_upper(c)) if c.isascii() and c.isalnum() else "[!a-z]"
            return glob_escape(v[:i]) + cl + glob_escape(v[i + 1:])
        if r < 0.85:
            return "*" + glob_escape(v[1:4]) + "*"
        return glob_escape(v)

    def regex_of(self, v):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return regex_escape(v[:rng.randint(0, min(6, len(v)))]) + ".*"
        if r < 0.4:
            return ".*" + regex_escape(v[len(v) - rng.randint(0, min(6, len(v))):])
        if r < 0.55:
            w = rng.choice(POOLS["names"] + POOLS["users"])
            return "(%s|%s)" % (regex_escape(v), regex_escape(w))
        if r < 0.7:
            return rng.choice(["[a-z]+", "[[:alpha:]]+", "[^/]*", "[0-9]+", ".+", "[a-zA-Z:-]*",
                               "[[:alnum:]_]+", ".{3,}", "x?", "(a|b|c).*"])
        if r < 0.85:
            return ".*" + regex_escape(v[1:4]) + ".*"
        return regex_escape(v)

    def pmatch_of(self, v):
        rng = self.rng
        comps = [c for c in v.split("/") if c]
        k = rng.randint(0, len(comps)) if comps else 0
        comps = comps[:k]
        if comps and rng.random() < 0.2:
            comps[rng.randrange(len(comps))] = rng.choice(["*", "?*", "[a-z]*"])
        p = "/".join(comps)
        return ("/" + p) if rng.random() < 0.85 else (p or "/")

    def const_num(self, op):
        rng = self.rng
        bits, signed = TYPE_RANGE.get(op.ft, (64, False))
        lo = -(1 << (bits - 1)) if signed else 0
        hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        r = rng.random()
        if r < 0.85 or not op.vals:
            v = rng.choice(op.vals) if op.vals else 0
            if rng.random() < 0.3:
                v = v + rng.choice([-1, 1])
        else:
            v = rng.choice([0, 1, lo, hi, hi // 2, -1 if signed else hi])
        v = min(max(v, lo), hi)
        s = str(v)
        if rng.random() < 0.03 and v >= 0:
            s = "+" + s
        return s

    def const_for(self, op, kind):
        c = op.cls
        if c == "str":
            return self.const_str(op, op.vals, kind)
        if c == "num":
            return self.const_num(op)
        if c == "bool":
            return self.rng.choice(["true", "false"])
        if c in ("ip", "net"):
            return self.rng.choice(op.vals)
        if c == "bytes":
            return self.const_str(op, op.vals, kind)
        raise ValueError(c)

    def lists_for(self, op):
        """Named lists whose items are valid constants for op."""
        if op.listkind:
            kinds = {op.listkind}
        else:
            kinds = {"str": {"str", "path"}, "num": {"num"}, "ip": {"ip", "net"},
                     "net": {"net"}, "bytes": {"str"}}.get(op.cls, set())
        if op.cls == "num":
            bits, signed = TYPE_RANGE.get(op.ft, (64, False))
            if bits < 64:
                return []  # the number lists hold values up to nevents; keep it simple
        return [l for l in self.lists if l[1] in kinds]

    def list_literal(self, op, kind="eq", n=None):
        rng = self.rng
        if n is None:
            n = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 8, 17, 24]) if rng.random() < 0.97 else 0
        items = [self.const_for(op, kind) for _ in range(n)]
        # named lists of the right kind may be spliced in
        if kind == "eq" and rng.random() < 0.35:
            nl = self.lists_for(op)
            if nl:
                items.insert(rng.randint(0, len(items)), rng.choice(nl)[0])
        sep = rng.choice([", ", ",", " , ", ",\n  "])
        return "(" + sep.join(items) + ")"

    # -- checks ------------------------------------------------------------
    def check(self):
        rng = self.rng
        op = self.operand()
        c = op.cls
        if op.lst:
            choice = rng.choices(["in", "intersects", "exists"], [4, 5, 1])[0]
            if choice == "exists":
                return "%s exists" % op.text
            if rng.random() < 0.12 and op.rhs:
                r = self.rhs_operand(op)
                if r is not None:
                    return "%s %s %s" % (op.text, choice, r.text)
            return "%s %s %s" % (op.text, choice, self.list_literal(op))
        if c == "str":
            ops = [("=", 8), ("==", 2), ("!=", 4), ("<", 1), ("<=", 1), (">", 1), (">=", 1),
                   ("contains", 3), ("icontains", 2), ("startswith", 3), ("endswith", 2),
                   ("glob", 2), ("iglob", 2), ("regex", 2), ("in", 6), ("intersects", 2),
                   ("pmatch", 2), ("exists", 2), ("mod", 4)]
        elif c == "num":
            ops = [("=", 4), ("==", 1), ("!=", 2), ("<", 3), ("<=", 2), (">", 3), (">=", 2),
                   ("in", 3), ("intersects", 1), ("exists", 1), ("mod", 2)]
        elif c == "bool":
            ops = [("=", 4), ("!=", 2), ("==", 1), ("in", 1), ("intersects", 1), ("exists", 1),
                   ("mod", 1)]
        elif c in ("ip", "net"):
            ops = [("=", 4), ("!=", 2), ("==", 1), ("in", 3), ("intersects", 1), ("exists", 1),
                   ("mod", 1)]
        elif c == "bytes":
            ops = [("=", 2), ("!=", 1), ("contains", 3), ("startswith", 2), ("endswith", 2),
                   ("bcontains", 5), ("bstartswith", 5), ("in", 1), ("exists", 1)]
        else:
            return "%s exists" % op.text
        o = rng.choices([x for x, _ in ops], [w for _, w in ops])[0]
        sp = rng.choice([" ", " ", " ", "  ", "\n"])
        if o == "exists":
            return "%s exists" % op.text
        kind = {"contains": "contains", "icontains": "icontains", "startswith": "starts",
                "endswith": "ends", "glob": "glob", "iglob": "glob", "regex": "regex",
                "pmatch": "pmatch"}.get(o, "eq")
        # field on the right-hand side (not with regex/pmatch, not for networks)
        if o not in ("regex", "pmatch", "mod") and c != "net" and op.rhs and rng.random() < 0.10:
            r = self.rhs_operand(op)
            if r is not None:
                return "%s%s%s%s%s" % (op.text, sp, o, " ", r.text)
        if o == "mod":
            mod = rng.choice(["oneof", "anyof", "allof"])
            if c == "str":
                so = rng.choice(["=", "==", "!=", "contains", "icontains", "startswith",
                                 "endswith", "glob", "iglob", "regex"])
            else:
                so = rng.choice(["=", "==", "!="])
            skind = {"contains": "contains", "icontains": "icontains", "startswith": "starts",
                     "endswith": "ends", "glob": "glob", "iglob": "glob",
                     "regex": "regex"}.get(so, "eq")
            n = rng.choice([1, 2, 2, 3, 4])
            items = [self.const_for(op, skind) for _ in range(n)]
            if skind not in ("regex",) and rng.random() < 0.2:
                nl = self.lists_for(op)
                if nl:
                    items.append(rng.choice(nl)[0])
            return "%s %s %s (%s)" % (op.text, so, mod, ", ".join(items))
        if o in ("in", "intersects", "pmatch"):
            if rng.random() < 0.1 and o != "pmatch":
                # an identifier-shaped word is a one-element list
                words = [v for v in op.vals if isinstance(v, str) and is_ident(v)]
                if words:
                    return "%s %s %s" % (op.text, o, rng.choice(words))
            if o == "pmatch" and rng.random() < 0.3:
                pl = [l for l in self.lists if l[1] == "path"]
                if pl:
                    return "%s pmatch (%s)" % (op.text, rng.choice(pl)[0])
            lst = self.list_literal(op, "pmatch" if o == "pmatch" else "eq")
            nosp = "" if rng.random() < 0.2 else " "
            return "%s %s%s%s" % (op.text, o, nosp, lst)
        if o in ("<", "<=", ">", ">="):
            if c == "str":
                # ordering of strings takes a number token (or a field)
                cand = [v for v in op.vals if isinstance(v, str) and v.isdigit()]
                val = rng.choice(cand) if cand and rng.random() < 0.7 else \
                    rng.choice(["0", "100", "200", "404", "5", "1.5", "-3", "1e+3", "65534"])
            else:
                val = self.const_for(op, "eq")
            sp2 = "" if rng.random() < 0.2 else " "
            return "%s%s%s%s" % (op.text, sp2, o, sp2 + val)
        if o in ("bcontains", "bstartswith"):
            v = rng.choice(op.vals)
            raw = v.encode() if isinstance(v, str) else bytes(v)
            a = rng.randrange(len(raw) + 1)
            piece = raw[a:a + rng.randint(0, 4)] if o == "bcontains" else raw[:rng.randint(0, 4)]
            hx = piece.hex() or "00"
            return "%s %s %s" % (op.text, o, hx.upper() if rng.random() < 0.5 else hx)
        val = self.const_for(op, kind)
        if o in ("=", "==", "!="):
            sp2 = "" if rng.random() < 0.15 else " "
            return "%s%s%s%s%s" % (op.text, sp2, o, sp2, val)
        return "%s %s %s" % (op.text, o, val)

    def guard_check(self):
        """A conjunct the native code may use as a rule guard (a dispatch
        index on the event's value): `F = v`, `F == v`, `F in (...)` or
        `F intersects (...)` on one of the source's popular string fields,
        sometimes through a transformer."""
        rng = self.rng
        names = self.src.guard_fields
        f = self.pick_field(lambda f: f.name in names)
        if f is None:
            return self.check()
        op = self.field_operand(f)
        if op.xform and rng.random() < 0.12:
            t = self.transform(op)
            if t is not None and t.cls == "str" and not t.lst:
                op = t
        r = rng.random()
        if r < 0.5:
            return "%s = %s" % (op.text, self.const_for(op, "eq"))
        if r < 0.6:
            return "%s == %s" % (op.text, self.const_for(op, "eq"))
        o = "in" if r < 0.9 else "intersects"
        return "%s %s %s" % (op.text, o, self.list_literal(op, "eq", rng.randint(1, 6)))

    def guarded_condition(self, maxdepth, macros_visible):
        """Guards and a random rest, joined by 'and' at the top, in any order."""
        rng = self.rng
        parts = [self.guard_check() for _ in range(rng.choice([1, 1, 2, 2, 3]))]
        if macros_visible and rng.random() < 0.2:
            parts.append(rng.choice(macros_visible))
        rng.shuffle(parts)
        if rng.random() < 0.85:
            rest = self.condition(maxdepth - 1, macros_visible)
            parts.insert(rng.randint(0, len(parts)), rest)
            # Unparenthesized only at the end: a top-level 'or' in it then
            # binds the guards to its first part only (a rule like any
            # other), and an 'or(...)' in it may not be followed by 'and'.
            if parts[-1] is not rest or rng.random() < 0.7:
                parts[parts.index(rest)] = "(" + rest + ")"
        out = parts[0]
        for p in parts[1:]:
            out += rng.choice([" and ", "\nand ", " and "]) + p
        return out

    # -- boolean structure ---------------------------------------------------
    def expr(self, depth, maxdepth, macros_visible):
        """A tree: ('chk', text) | ('mac', name) | ('and'|'or', [kids]) | ('not', kid)."""
        rng = self.rng
        if depth >= maxdepth or rng.random() < 0.22 + 0.18 * depth:
            if macros_visible and rng.random() < 0.14:
                return ("mac", rng.choice(macros_visible))
            return ("chk", self.check())
        r = rng.random()
        if r < 0.16:
            return ("not", self.expr(depth + 1, maxdepth, macros_visible))
        kind = "and" if r < 0.64 else "or"
        n = rng.choice([2, 2, 2, 3, 3, 4])
        return (kind, [self.expr(depth + 1, maxdepth, macros_visible) for _ in range(n)])

    def render(self, t):
        """Text of tree t, and whether one pair of parentheses encloses all of
        it (only then may it follow 'or'/'and'/'not' without a blank: after
        the ')' of 'or(' no 'and' may come, falco-language.md 2.3)."""
        rng = self.rng
        k = t[0]
        if k == "chk":
            if rng.random() < 0.08:
                return "(" + t[1] + ")", True
            return t[1], False
        if k == "mac":
            return t[1], False
        if k == "not":
            inner, wrapped = self.render(t[1])
            if t[1][0] in ("and", "or"):
                inner, wrapped = "(" + inner + ")", True
            form = rng.random()
            if form < 0.2 and wrapped:
                return "not" + inner, False
            if form < 0.3:
                return "not not not " + inner, False
            return "not " + inner, False
        kids = []
        for kid in t[1]:
            s, wrapped = self.render(kid)
            need = (k == "and" and kid[0] == "or")
            if need or (kid[0] in ("and", "or") and rng.random() < 0.3):
                s, wrapped = "(" + s + ")", True
            kids.append((s, wrapped))
        out = kids[0][0]
        for s, wrapped in kids[1:]:
            if wrapped and rng.random() < 0.3:
                out += " " + k + s
            else:
                out += rng.choice([" ", " ", "\n", "  "]) + k + " " + s
        return out, False

    def condition(self, maxdepth, macros_visible):
        return self.render(self.expr(0, maxdepth, macros_visible))[0]

    # -- items -------------------------------------------------------------
    def make_lists(self):
        rng = self.rng
        out = []
        spec = self.src.lists
        for i, (kind, pool) in enumerate(spec):
            name = "dl_%d_%s" % (i, pool if isinstance(pool, str) else "n")
            vals = list(self.pool_vals(pool)) if not callable(pool) else pool()
            if kind == "num":
                n = rng.choice([3, 5, 20])
                vals = [str(v) for v in rng.sample(vals, min(n, len(vals)))]
                items = vals
            else:
                big = rng.random() < 0.4
                n = rng.randint(16, 40) if big else rng.randint(1, min(6, len(vals)))
                picked = rng.sample(vals, min(n, len(vals)))
                while len(picked) < n and kind in ("str", "path"):
                    picked.append("filler-%03d" % len(picked))
                picked = [v for v in picked if expressible(v)]
                items = [v if is_bare(v) or (" " in v and is_bare(v.replace(" ", "x")))
                         else quote(v) for v in picked]
            self.lists.append((name, kind, items))
            out.append("- list: %s\n  items: %s\n" % (name, yflow(items)))
        # sometimes a huge list: past the sizes native code treats apart
        # (a hash table beyond 16 constants, no guard beyond 512)
        if rng.random() < 0.3:
            strs = [l for l in self.lists if l[1] == "str" and l[2]]
            if strs:
                base = rng.choice(strs)
                items = base[2] + ["huge-%04d" % k for k in range(rng.choice([100, 600]))]
                rng.shuffle(items)
                self.lists.append(("dl_huge", "str", items))
                out.append("- list: dl_huge\n  items: %s\n" % yflow(items))
        # an empty list, a list of lists (one level, 1.7), and an append
        self.lists.append(("dl_empty", "str", []))
        out.append("- list: dl_empty\n  items: []\n")
        strs = [l for l in self.lists if l[1] == "str" and l[2]]
        if len(strs) >= 2:
            a, b = rng.sample(strs, 2)
            items = [a[0], "combo-extra", b[0]]
            self.lists.append(("dl_combo", "str", a[2] + ["combo-extra"] + b[2]))
            out.append("- list: dl_combo\n  items: %s\n" % yflow(items))
            extra = [quote(v) if not is_bare(v) else v
                     for v in rng.sample(POOLS["names"], 2) if expressible(v)]
            out.append("- list: %s\n  items: %s\n  override:\n    items: append\n"
                       % (a[0], yflow(extra)))
        return out

    def append_text(self, cond):
        """Text for an 'override: condition: append' of cond (pasted after a
        blank, 1.9). No 'and' after a final ')': it may close an 'or('."""
        conn = "or" if cond.rstrip().endswith(")") else self.rng.choice(["or", "and"])
        return conn + " " + self.check()

    def make_macros(self):
        rng = self.rng
        out = []
        for i in range(rng.randint(5, 9)):
            name = "dm_%d" % i
            r = rng.random()
            if self.macros and r < 0.2:
                # an alias: a macro whose whole body is another macro
                cond = rng.choice(self.macros)
            elif r < 0.4:
                cond = self.guarded_condition(2, list(self.macros))
            else:
                cond = self.condition(2, list(self.macros))
            out.append("- macro: %s\n  condition: %s\n" % (name, yq(cond)))
            if rng.random() < 0.15:
                app = self.append_text(cond)
                out.append("- macro: %s\n  condition: %s\n  override:\n    condition: append\n"
                           % (name, yq(app)))
            self.macros.append(name)
        return out

    def output(self):
        rng = self.rng
        parts = ["#%evt.num"]
        for _ in range(rng.randint(2, 6)):
            f = self.pick_field(lambda f: f.output)
            op = self.field_operand(f)
            if op.xform and rng.random() < 0.25:
                t = self.transform(op)
                if t is not None:
                    op = t
            label = rng.choice(["", "k=", "v: ", "ü=", "(", "[x] "])
            width = str(rng.randint(1, 12)) if rng.random() < 0.08 else ""
            close = ")" if label == "(" else ""
            parts.append("%s%%%s%s%s" % (label, width, op.text, close))
        return " ".join(parts)

    def exception(self, idx):
        """One exceptions entry (1.8): list form or single-field form."""
        rng = self.rng
        name = "ex%d" % idx
        if rng.random() < 0.3:
            op = self.operand(pred=lambda f: cls_of(f.ft) == "str", allow_xform=False)
            comp = rng.choice(["in", "in", "intersects"] + ([] if op.lst else ["pmatch"]))
            n = rng.randint(1, 4)
            kind = "pmatch" if comp == "pmatch" else "eq"
            vals = [self.const_for(op, kind) for _ in range(n)]
            txt = "    - name: %s\n      fields: %s\n" % (name, yq(op.text))
            if comp != "in" or rng.random() < 0.7:  # omitted comps mean 'in'
                txt += "      comps: %s\n" % yq(comp)
            txt += "      values: %s\n" % yflow(vals)
            return txt
        ops, comps = [], []
        for _ in range(rng.randint(1, 3)):
            op = self.operand(pred=lambda f: cls_of(f.ft) in ("str", "num"))
            if op.lst:
                comp = rng.choice(["in", "intersects"])
            elif op.cls == "str":
                comp = rng.choice(["=", "=", "!=", "in", "startswith", "endswith", "contains",
                                   "glob", "startswith oneof", "= anyof"])
            else:
                comp = rng.choice(["=", "!=", "<", ">=", "in"])
            ops.append(op)
            comps.append(comp)
        tuples = []
        for _ in range(rng.randint(0, 3)):
            t = []
            for op, comp in zip(ops, comps):
                kind = {"startswith": "starts", "endswith": "ends", "contains": "contains",
                        "glob": "glob", "startswith oneof": "starts"}.get(comp, "eq")
                if op.cls == "num" and comp in ("<", ">="):
                    t.append(self.const_num(op))
                elif comp in ("in", "intersects", "startswith oneof", "= anyof") and \
                        rng.random() < 0.7:
                    t.append([self.const_for(op, kind) for _ in range(rng.randint(0, 3))])
                else:
                    t.append(self.const_for(op, kind))
            tuples.append(t)
        txt = "    - name: %s\n      fields: %s\n      comps: %s\n" % (
            name, yflow([o.text for o in ops]), yflow(comps))
        if tuples or rng.random() < 0.5:
            txt += "      values: %s\n" % yflow(tuples)
        return txt

    def rule(self, i):
        rng = self.rng
        name = "r%d_%d %s" % (self.seed, i, rng.choice(
            ["check", "Detect thing", 'quote " and \\ slash', "ünïcode rule", "x", "tab\there"]))
        if rng.random() < 0.4:
            cond = self.guarded_condition(rng.choice([2, 3, 3]), list(self.macros))
        else:
            cond = self.condition(rng.choice([2, 3, 3, 4]), list(self.macros))
        prio = rng.choice(["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE",
                           "INFORMATIONAL", "INFO", "DEBUG", "warning", "Notice", "info"])
        txt = "- rule: %s\n  desc: %s\n  condition: %s\n  output: %s\n  priority: %s\n" \
              "  source: %s\n" % (yq(name), yq("generated rule %d" % i), yq(cond),
                                  yq(self.output()), prio, self.source)
        r = rng.random()
        if r < 0.3:
            txt += "  tags: %s\n" % yflow(rng.sample(["k8s", "aws", "zeta", "alpha", "T1234",
                                                      "mitre_x", "ü"], rng.randint(1, 3)))
        elif r < 0.35:
            txt += "  tags: []\n"
        if rng.random() < 0.05:
            txt += "  enabled: false\n"
        if rng.random() < 0.22:
            txt += "  exceptions:\n"
            for k in range(rng.randint(1, 2)):
                txt += self.exception(k)
        if rng.random() < 0.04:
            app = self.append_text(cond)
            txt += "- rule: %s\n  condition: %s\n  override:\n    condition: append\n" % (
                yq(name), yq(app))
        return txt

    def rules_yaml(self):
        out = ["# generated by tests/diff/gen_cases.py --seed %d --rules %d --events %d "
               "--source %s\n" % (self.seed, self.nrules, self.nevents, self.source)]
        out += self.make_lists()
        out += self.make_macros()
        for i in range(self.nrules):
            out.append(self.rule(i))
        return "".join(out)

    def events(self):
        out = []
        for i in range(self.nevents):
            ev = self.src.event(i)
            if isinstance(ev, str):
                out.append(ev)
            else:
                out.append(json.dumps(ev, ensure_ascii=self.rng.random() < 0.2,
                                      separators=(",", ":") if self.rng.random() < 0.5
                                      else (", ", ": ")))
        text = "\n".join(out) + "\n"
        return re.sub(r'"\\u0000RAW:([-+.0-9eE]+)\\u0000"', r"\1", text)


# ---------------------------------------------------------------------------
# Sources


def rfc3339(ns, rng):
    s, frac = divmod(ns, 10**9)
    import time
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
    r = rng.random()
    if r < 0.6:
        return "%s.%09dZ" % (base, frac)
    if r < 0.8:
        return "%s.%06dZ" % (base, frac // 1000)
    return "%s.%09dZ" % (base, frac)


def generic_fields(g, times):
    """evt.* of every plugin source (plugins/generic/fields.def)."""
    n = g.nevents
    t0 = times[0] if times else 0
    nums = list(range(0, n + 2)) + [n // 2, n // 3]
    return [
        Field("evt.num", "UINT64", pool=nums, weight=3),
        Field("evt.rawtime", "ABSTIME", pool=list(times) or [0], weight=1.5),
        Field("evt.rawtime.s", "ABSTIME", pool=[t // 10**9 for t in times] or [0], weight=0.5),
        Field("evt.rawtime.ns", "ABSTIME", pool=[t % 10**9 for t in times] or [0], weight=0.3),
        Field("evt.reltime", "RELTIME", pool=[t - t0 for t in times] or [0], weight=0.5),
        Field("evt.reltime.s", "RELTIME", pool=[(t - t0) // 10**9 for t in times] or [0],
              weight=0.3),
        Field("evt.is_async", "BOOL", weight=0.4),
        Field("evt.source", pool=[g.source, "syscall", "k8s_audit"], weight=0.3),
        Field("evt.hostname", pool=["diff-host", "other"], weight=0.2),
        Field("evt.time", pool=["00:00:00.000000000"], weight=0.1, output=True),
        Field("evt.time.iso8601", pool=["2024-05-02T14:36:00.000000000Z"], weight=0.1),
        Field("evt.datetime", pool=["2024-05-02 14:36:00.000000000"], weight=0.1),
        Field("evt.pluginname", pool=["k8saudit", "json", "cloudtrail"], weight=0.2),
        Field("evt.asynctype", pool=["x"], weight=0.1),
    ]


class K8sAudit:
    """Kubernetes audit events (plugins/k8s_audit)."""

    def __init__(self, g):
        self.g = g
        rng = g.rng
        POOLS["uris"] = k8s_uris(rng)
        t = 1714660560 * 10**9 + rng.randrange(10**9)
        self.times = []
        for _ in range(g.nevents):
            t += rng.choice([0, 1, 1000, 10**6, 10**9, 37 * 10**9])
            self.times.append(t)
        idx = (["0", "1", "2", "3"], None)
        F = Field
        self.fields = generic_fields(g, self.times) + [
            F("ka.auditid", pool=["id-1", "id-2", "0b7c4e1f"], weight=0.3),
            F("ka.stage", pool="stages"),
            F("ka.auth.decision", pool="decisions"),
            F("ka.auth.reason", pool="reasons", weight=0.5),
            F("ka.user.name", pool="users", weight=4),
            F("ka.user.groups", lst=True, pool="groups", weight=2),
            F("ka.impuser.name", pool=POOLS["users"] + POOLS["b64"]),
            F("ka.verb", pool="verbs", weight=4),
            F("ka.uri", pool="uris", weight=2),
            F("ka.uri.param", pool="params", argreq=True,
              args=(["command", "container", "watch", "stdin", "x", '"a b"'], None)),
            F("ka.target.name", pool="names", weight=2),
            F("ka.target.namespace", pool="namespaces", weight=3),
            F("ka.target.resource", pool="resources", weight=3),
            F("ka.target.subresource", pool="subres"),
            F("ka.target.pod.name", pool="names"),
            F("ka.req.binding.subjects", lst=True, pool=['{"kind":"User","name":"alice"}']),
            F("ka.req.binding.subjects.user_names", lst=True, pool="users"),
            F("ka.req.binding.subjects.group_names", lst=True, pool="groups"),
            F("ka.req.binding.subjects.serviceaccount_names", lst=True, pool="names"),
            F("ka.req.binding.subjects.serviceaccount_ns_names", lst=True,
              pool=["default:nginx", "kube-system:db", "prod:x"]),
            F("ka.req.binding.role", pool="roles"),
            F("ka.req.binding.subject.has_name", pool="booltext", argreq=True,
              args=(["alice", "x"], None), weight=0.2),
            F("ka.req.configmap.name", pool="names"),
            F("ka.req.configmap.obj", pool=['{"k":"v"}', "aws_access_key_id", "password"]),
            F("ka.req.container.image", pool="images"),
            F("ka.req.container.image.repository", pool=[v.split(":")[0].split("@")[0]
                                                         for v in POOLS["images"]]),
            F("ka.req.pod.containers.image", lst=True, pool="images", args=idx, weight=2),
            F("ka.req.pod.containers.image.repository", lst=True,
              pool=[v.split(":")[0].split("@")[0] for v in POOLS["images"]], args=idx),
            F("ka.req.pod.containers.name", lst=True, pool="names", args=idx),
            F("ka.req.pod.containers.args", lst=True, pool="argv", args=idx),
            F("ka.req.pod.containers.command", lst=True, pool="argv", args=idx),
            F("ka.req.pod.containers.privileged", lst=True, pool="booltext", args=idx),
            F("ka.req.pod.containers.allow_privilege_escalation", lst=True, pool="booltext",
              args=idx),
            F("ka.req.pod.containers.read_only_fs", lst=True, pool="booltext", args=idx),
            F("ka.req.pod.containers.run_as_user", lst=True, pool="uids", args=idx),
            F("ka.req.pod.containers.eff_run_as_user", lst=True, pool="uids", args=idx),
            F("ka.req.pod.containers.host_port", lst=True, pool="ports", args=idx),
            F("ka.req.pod.containers.add_capabilities", lst=True, pool="caps", args=idx),
            F("ka.req.pod.containers.proc_mount", lst=True, pool=["Default", "Unmasked"]),
            F("ka.req.pod.initContainers.image", lst=True, pool="images", args=idx),
            F("ka.req.container.privileged", pool="booltext"),
            F("ka.req.pod.host_network", pool="booltext"),
            F("ka.req.pod.host_pid", pool="booltext"),
            F("ka.req.pod.host_ipc", pool="booltext"),
            F("ka.req.pod.run_as_user", pool="uids"),
            F("ka.req.pod.run_as_group", pool="uids"),
            F("ka.req.pod.fs_group", pool="uids"),
            F("ka.req.pod.supplemental_groups", lst=True, pool="uids"),
            F("ka.req.pod.volumes.hostpath", lst=True, pool="hostpaths", args=idx, weight=2),
            F("ka.req.volume.hostpath", pool="booltext", argreq=True,
              args=(["/etc", "/var/run/docker.sock", "/var/*", "/proc"], None)),
            F("ka.req.pod.volumes.volume_type", lst=True, pool="voltypes"),
            F("ka.req.role.rules", lst=True, pool=['{"verbs":["get"]}']),
            F("ka.req.role.rules.verbs", lst=True, pool="verbs", args=idx),
            F("ka.req.role.rules.resources", lst=True, pool="resources", args=idx),
            F("ka.req.role.rules.apiGroups", lst=True, pool=["", "apps", "rbac.authorization.k8s.io", "*"]),
            F("ka.req.service.type", pool="svctypes"),
            F("ka.req.service.ports", lst=True, pool=['[{"port":80}]']),
            F("ka.resp.name", pool="names"),
            F("ka.response.code", pool="codes", weight=2),
            F("ka.response.reason", pool=["Forbidden", "NotFound", ""]),
            F("ka.useragent", pool="uas"),
            F("ka.sourceips", lst=True, pool="ips", args=idx),
            F("ka.cluster.name", pool="clusters"),
            F("json.value", pool="verbs", argreq=True, weight=2,
              args=(["/verb", "verb", "/user/username", "/objectRef/namespace",
                     "/user/groups", "/user/groups/0", "/responseStatus/code",
                     "/requestObject/spec/containers/0/image", "/annotations/cluster_name",
                     "/missing/path", '""'],
                    ["verbs", "verbs", "users", "namespaces", "groups", "groups", "codes",
                     "images", "clusters", "names", "verbs"])),
            F("jevt.value", pool="users", argreq=True,
              args=(["/user/username", "/stage", "/objectRef/resource"],
                    ["users", "stages", "resources"])),
            F("json.rawtime", pool=[str(t) for t in self.times[:5]], weight=0.2),
            F("jevt.obj", pool=["{"], weight=0.05),
        ]
        self.guard_fields = ["ka.verb", "ka.target.resource", "ka.target.namespace",
                             "ka.user.name", "ka.target.subresource", "ka.response.code",
                             "json.value", "jevt.value"]
        self.lists = [("str", "users"), ("str", "verbs"), ("str", "namespaces"),
                      ("str", "images"), ("str", "resources"), ("path", "hostpaths"),
                      ("num", lambda: list(range(1, g.nevents + 1)))]

    def container(self):
        g, rng = self.g, self.g.rng
        c = {}
        for key, pool, p in (("name", "names", 0.9), ("image", "images", 0.92)):
            if rng.random() < p:
                c[key] = g.event_str(pool)
        if rng.random() < 0.5:
            c["args"] = rng.choice(POOLS["argv"]).split(" ") if rng.random() < 0.9 else \
                g.event_str("argv")
        if rng.random() < 0.4:
            c["command"] = rng.choice(POOLS["argv"]).split(" ")
        if rng.random() < 0.7:
            sc = {}
            for key in ("privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem"):
                if rng.random() < 0.6:
                    sc[key] = rng.random() < 0.5 if rng.random() < 0.9 else g.event_str("booltext")
            if rng.random() < 0.4:
                sc["runAsUser"] = rng.choice([0, 1000, 65534, -1, 2147483648])
            if rng.random() < 0.3:
                sc["capabilities"] = {"add": json.loads(rng.choice(POOLS["caps"]))}
            if rng.random() < 0.2:
                sc["procMount"] = rng.choice(["Default", "Unmasked"])
            c["securityContext"] = sc
        if rng.random() < 0.3:
            c["runAsUser"] = rng.choice([0, 1000])
        if rng.random() < 0.4:
            c["ports"] = [{k: rng.choice([80, 443, 8080, 22, 0]) for k in
                           rng.sample(["containerPort", "hostPort"], rng.randint(1, 2))}
                          for _ in range(rng.randint(1, 2))]
        return c

    def request_object(self):
        g, rng = self.g, self.g.rng
        kind = rng.choice(["pod", "pod", "binding", "role", "configmap", "service"])
        if kind == "pod":
            spec = {"containers": [self.container() for _ in range(rng.choice([0, 1, 1, 2, 3]))]}
            if rng.random() < 0.2:
                spec["initContainers"] = [self.container()]
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                if rng.random() < 0.4:
                    spec[key] = rng.random() < 0.5 if rng.random() < 0.9 else g.event_str("booltext")
            if rng.random() < 0.5:
                vols = []
                for _ in range(rng.randint(1, 3)):
                    v = {"name": g.event_str("names")}
                    t = rng.choice(POOLS["voltypes"])
                    if t == "hostPath":
                        v[t] = {"path": g.event_str("hostpaths")}
                    elif t == "flexVolume":
                        v[t] = {"driver": "x/y"}
                    else:
                        v[t] = {}
                    vols.append(v)
                spec["volumes"] = vols
            if rng.random() < 0.5:
                sc = {}
                for key in ("runAsUser", "runAsGroup", "fsGroup"):
                    if rng.random() < 0.5:
                        sc[key] = rng.choice([0, 1000, 65534])
                if rng.random() < 0.3:
                    sc["supplementalGroups"] = [1, 2]
                spec["securityContext"] = sc
            if rng.random() < 0.2:
                spec["runAsUser"] = rng.choice([0, 1000])
            return {"kind": "Pod", "metadata": {"name": g.event_str("names")}, "spec": spec}
        if kind == "binding":
            subs = []
            for _ in range(rng.randint(0, 3)):
                k = rng.choice(["User", "Group", "ServiceAccount"])
                s = {"kind": k, "name": g.event_str({"User": "users", "Group": "groups",
                                                     "ServiceAccount": "names"}[k])}
                if k == "ServiceAccount" and rng.random() < 0.8:
                    s["namespace"] = g.event_str("namespaces")
                subs.append(s)
            return {"roleRef": {"name": g.event_str("roles")}, "subjects": subs}
        if kind == "role":
            rules = []
            for _ in range(rng.randint(0, 3)):
                r = {}
                for key, pool in (("apiGroups", ["", "apps", "*"]), ("resources", "resources"),
                                  ("verbs", "verbs")):
                    if rng.random() < 0.85:
                        vals = POOLS[pool] if isinstance(pool, str) else pool
                        r[key] = rng.sample(vals, rng.randint(0, 3))
                if rng.random() < 0.2:
                    r["nonResourceURLs"] = ["/healthz", "*"]
                rules.append(r)
            return {"rules": rules}
        if kind == "configmap":
            return {"data": {rng.choice(["k", "password", "aws_access_key_id"]): g.event_str("names")}}
        return {"spec": {"type": g.event_str("svctypes"),
                         "ports": [{"port": rng.choice([80, 443]), "nodePort": 30000}]}}

    def event(self, i):
        g, rng = self.g, self.g.rng

        def put(obj, key, pool, p=0.9):
            if rng.random() < p:
                obj[key] = g.event_str(pool)

        e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1",
             "level": rng.choice(["Metadata", "Request", "RequestResponse"])}
        r = rng.random()
        if r < 0.96:
            e["auditID"] = "id-%d" % rng.randint(1, 3)
        elif r < 0.98:
            e["auditID"] = rng.choice(WRONG)
        put(e, "stage", "stages")
        put(e, "verb", "verbs", 0.95)
        put(e, "requestURI", "uris", 0.92)
        user = {}
        put(user, "username", "users", 0.93)
        if rng.random() < 0.8:
            user["groups"] = rng.sample(POOLS["groups"], rng.randint(0, 3)) \
                if rng.random() < 0.93 else rng.choice(WRONG)
        e["user"] = user if rng.random() < 0.97 else rng.choice(WRONG)
        if rng.random() < 0.3:
            e["impersonatedUser"] = {"username": g.event_str(
                POOLS["users"] + POOLS["b64"])}
        if rng.random() < 0.8:
            e["sourceIPs"] = rng.sample(POOLS["ips"], rng.randint(1, 2))
        put(e, "userAgent", "uas", 0.8)
        obj = {}
        put(obj, "resource", "resources", 0.93)
        put(obj, "namespace", "namespaces", 0.8)
        put(obj, "name", "names", 0.8)
        put(obj, "subresource", "subres", 0.25)
        if rng.random() < 0.95:
            e["objectRef"] = obj
        if rng.random() < 0.9:
            rs = {}
            r = rng.random()
            code = rng.choice(POOLS["codes"])
            rs["code"] = int(code) if r < 0.85 else code if r < 0.95 else rng.choice(WRONG)
            if rng.random() < 0.3:
                rs["reason"] = rng.choice(["Forbidden", "NotFound", ""])
            e["responseStatus"] = rs
        if rng.random() < 0.55:
            e["requestObject"] = self.request_object()
        if rng.random() < 0.3:
            e["responseObject"] = {"metadata": {"name": g.event_str("names")}}
        if rng.random() < 0.7:
            ann = {}
            if rng.random() < 0.8:
                ann["authorization.k8s.io/decision"] = g.event_str("decisions")
            if rng.random() < 0.6:
                ann["authorization.k8s.io/reason"] = g.event_str("reasons")
            if rng.random() < 0.4:
                ann["cluster_name"] = g.event_str("clusters")
            e["annotations"] = ann
        e["stageTimestamp"] = rfc3339(self.times[i], rng)
        if rng.random() < 0.5:
            e["requestReceivedTimestamp"] = e["stageTimestamp"]
        return e


class JsonSource:
    """Any JSON (plugins/json): json.value[/pointer] / jevt.value fields."""

    KEYS = [("user", "jusers"), ("action", "jactions"), ("path", "jpaths"), ("n", "jnums"),
            ("flag", "booltext"), ("x y", "jusers"), ("a/b", "jactions"), ("t~", "jtags"),
            ("ünï", "jusers")]

    def __init__(self, g):
        self.g = g
        ptrs = [("/user", "jusers"), ("user", "jusers"), ("/action", "jactions"),
                ("/path", "jpaths"), ("/n", "jnums"), ("/flag", "booltext"),
                ('"/x y"', "jusers"), ("/a~1b", "jactions"), ("/t~0", "jtags"),
                ("/ünï", "jusers"), ("/tags", "jtags"), ("/tags/0", "jtags"),
                ("/tags/1", "jtags"), ("/tags/+0", "jtags"), ("/obj/a", "jusers"),
                ("/obj/b/c", "jpaths"), ("/obj/b", "jpaths"), ("/list/0/name", "jusers"),
                ("/list/1/name", "jusers"), ("/missing", "jusers"), ("/n/x", "jnums"),
                ('""', "jusers"), ("/obj", "jusers")]
        F = Field
        self.times = [0]
        self.fields = generic_fields(g, [0] * g.nevents) + [
            F("json.value", argreq=True, weight=12, args=([p for p, _ in ptrs],
                                                          [q for _, q in ptrs])),
            F("jevt.value", argreq=True, weight=4, args=([p for p, _ in ptrs],
                                                         [q for _, q in ptrs])),
            F("json.rawtime", pool=["0"], weight=0.2),
            F("json.obj", pool=["{\n  \"user\": \"alice\"\n}", "user", "alice"], weight=0.2),
            F("jevt.obj", pool=["{", "}"], weight=0.1),
        ]
        self.guard_fields = ["json.value", "jevt.value"]
        self.lists = [("str", "jusers"), ("str", "jactions"), ("path", "jpaths"),
                      ("str", "jtags"), ("num", lambda: list(range(1, g.nevents + 1)))]

    def value(self, pool, depth=0):
        g, rng = self.g, self.g.rng
        r = rng.random()
        if pool == "jnums" and r < 0.6:
            return rng.choice([0, 1, 7, 42, -3, 1000000, 3.14, 1e3, 1.0, -0.0, 1e308,
                               18446744073709551615, 9223372036854775807, raw_number("1E2"),
                               -9223372036854775808, 5e-324])
        if pool == "booltext" and r < 0.7:
            return rng.random() < 0.5
        if r < 0.06 and depth < 2:
            return {"a": self.value("jusers", depth + 1)}
        if r < 0.1 and depth < 2:
            return [self.value(pool, depth + 1) for _ in range(rng.randint(0, 2))]
        return g.event_str(pool)

    def event(self, i):
        g, rng = self.g, self.g.rng
        r = rng.random()
        if r < 0.02:
            return rng.choice(['"just a string"', "42", "null", "true"])
        e = {}
        for key, pool in self.KEYS:
            if rng.random() < 0.75:
                e[key] = self.value(pool)
        if rng.random() < 0.7:
            e["tags"] = [self.value("jtags") for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.6:
            e["obj"] = {"a": self.value("jusers"), "b": {"c": self.value("jpaths")}} \
                if rng.random() < 0.85 else self.value("jusers")
        if rng.random() < 0.5:
            e["list"] = [{"name": self.value("jusers")} for _ in range(rng.randint(0, 3))]
        keys = list(e.items())
        rng.shuffle(keys)
        return dict(keys)


class CloudTrail:
    """CloudTrail records (plugins/aws_cloudtrail), one {"Records":[r]} per line."""

    def __init__(self, g):
        self.g = g
        rng = g.rng
        t = 1700000000 * 10**9
        self.times = []
        for _ in range(g.nevents):
            t += rng.choice([0, 10**6, 10**9, 3600 * 10**9])
            self.times.append(t)
        F = Field
        idx = (["0", "1", "2"], None)
        self.fields = generic_fields(g, self.times) + [
            F("ct.id", pool=["ev-1", "ev-2"], weight=0.3),
            F("ct.error", pool="errors", weight=2),
            F("ct.errormessage", pool=["Access Denied", "x"]),
            F("ct.src", pool="ctsrcs", weight=2),
            F("ct.shortsrc", pool=[s.replace(".amazonaws.com", "") for s in POOLS["ctsrcs"]]),
            F("ct.name", pool="ctnames", weight=4),
            F("ct.user", pool=POOLS["ctusers"] + ["AssumedRole", "AWSAccount"], weight=3),
            F("ct.originaluser", pool="ctusers"),
            F("ct.user.accountid", pool="accounts"),
            F("ct.user.identitytype", pool="cttypes", weight=2),
            F("ct.user.principalid", pool=["AIDA1:alice", "AROA2:bob"]),
            F("ct.user.arn", pool=["arn:aws:iam::123456789012:user/alice",
                                   "arn:aws:sts::123:assumed-role/r/bob"]),
            F("ct.region", pool="regions", weight=2),
            F("ct.srcip", pool="ctips", weight=2),
            F("ct.useragent", pool="uas"),
            F("ct.info", pool=["alice", "GetObject"], weight=0.3),
            F("ct.readonly", pool="booltext"),
            F("ct.managementevent", pool="booltext"),
            F("ct.eventtype", pool="evtypes"),
            F("ct.request", pool=['{"bucketName":"logs"}', "bucketName"], weight=0.5),
            F("ct.response", pool=["{}", "null"], weight=0.3),
            F("ct.request.username", pool="ctusers"),
            F("ct.request.name", pool="names"),
            F("ct.recipientaccountid", pool="accounts"),
            F("ct.additionaleventdata", pool=['{"MFAUsed":"No"}', "MFAUsed"], weight=0.3),
            F("s3.bucket", pool="buckets", weight=2),
            F("s3.key", pool="keys"),
            F("s3.uri", pool=["s3://logs/a.txt", "s3://my-bucket/dir/b.csv"]),
            F("s3.bytes", "UINT64", pool=[0, 1, 100, 1024, 1124, 4096, 10**12], weight=1.5),
            F("s3.bytes.in", "UINT64", pool=[0, 100, 1024]),
            F("s3.bytes.out", "UINT64", pool=[0, 100, 1024]),
            F("s3.cnt.get", "UINT64", pool=[0, 1]),
            F("s3.cnt.other", "UINT64", pool=[0, 1]),
            F("ec2.imageids", lst=True, pool="amis", args=idx),
            F("ec2.name", pool="names"),
            F("iam.role", pool="roles"),
            F("aws.eventName", pool="ctnames", weight=2),
            F("aws.user", pool="ctusers"),
            F("aws.sourceIP", pool="ctips"),
            F("aws.errorCode", pool="errors"),
            F("json.value", argreq=True, weight=2,
              args=(["/eventName", "/userIdentity/type", "/requestParameters/bucketName",
                     "/awsRegion", "/resources/0/ARN"],
                    ["ctnames", "cttypes", "buckets", "regions", "names"])),
        ]
        self.guard_fields = ["ct.name", "ct.src", "aws.eventName", "ct.user.identitytype",
                             "ct.region", "s3.bucket", "ct.error"]
        self.lists = [("str", "ctnames"), ("str", "ctsrcs"), ("str", "ctusers"),
                      ("str", "regions"), ("path", "keys"),
                      ("num", lambda: list(range(1, g.nevents + 1)))]

    def event(self, i):
        g, rng = self.g, self.g.rng

        def put(obj, key, pool, p=0.9):
            if rng.random() < p:
                obj[key] = g.event_str(pool)

        r = {"eventVersion": "1.08"}
        ui = {}
        t = rng.choice(POOLS["cttypes"])
        if rng.random() < 0.95:
            ui["type"] = t
        put(ui, "userName", "ctusers", 0.8)
        put(ui, "accountId", "accounts", 0.8)
        if rng.random() < 0.6:
            ui["principalId"] = rng.choice(["AIDA1:alice", "AROA2:bob", "X"])
        if rng.random() < 0.6:
            ui["arn"] = rng.choice(["arn:aws:iam::123456789012:user/alice",
                                    "arn:aws:sts::123:assumed-role/r/bob", "arn:x"])
        if t == "AssumedRole" and rng.random() < 0.7:
            ui["sessionContext"] = {"sessionIssuer": {"userName": g.event_str("ctusers")}}
        if t == "AWSService" and rng.random() < 0.8:
            ui["invokedBy"] = g.event_str("ctsrcs")
        r["userIdentity"] = ui
        r["eventTime"] = rfc3339(self.times[i], rng)
        put(r, "eventSource", "ctsrcs", 0.95)
        put(r, "eventName", "ctnames", 0.95)
        put(r, "awsRegion", "regions", 0.9)
        put(r, "sourceIPAddress", "ctips", 0.85)
        put(r, "userAgent", "uas", 0.7)
        put(r, "errorCode", "errors", 0.25)
        if "errorCode" in r and rng.random() < 0.7:
            r["errorMessage"] = rng.choice(["Access Denied", "x"])
        rp = {}
        put(rp, "bucketName", "buckets", 0.5)
        put(rp, "key", "keys", 0.4)
        put(rp, "userName", "ctusers", 0.2)
        put(rp, "name", "names", 0.1)
        if rng.random() < 0.15:
            rp["imageId"] = rng.choice(POOLS["amis"])
        if rng.random() < 0.85:
            r["requestParameters"] = rp if rng.random() < 0.95 else None
        if rng.random() < 0.3:
            r["responseElements"] = rng.choice([None, {}, {"instancesSet": {"items": [
                {"imageId": rng.choice(POOLS["amis"])} for _ in range(rng.randint(1, 3))]}}])
        if rng.random() < 0.4:
            aed = {}
            for key in ("bytesTransferredIn", "bytesTransferredOut"):
                if rng.random() < 0.6:
                    aed[key] = rng.choice([0, 100, 1024, 1.5, 4096.9, -1, 10**12,
                                           18446744073709551615, "12"])
            if rng.random() < 0.3:
                aed["MFAUsed"] = rng.choice(["Yes", "No"])
            r["additionalEventData"] = aed
        r["eventType"] = rng.choice(POOLS["evtypes"])
        if rng.random() < 0.7:
            r["readOnly"] = rng.random() < 0.5 if rng.random() < 0.9 else "true"
        if rng.random() < 0.5:
            r["managementEvent"] = rng.random() < 0.5
        put(r, "recipientAccountId", "accounts", 0.6)
        if rng.random() < 0.3:
            r["resources"] = [{"ARN": "arn:aws:s3:::logs", "type": "AWS::S3::Bucket"}]
        r["eventID"] = "ev-%d" % rng.randint(1, 2)
        return {"Records": [r]}


# ---------------------------------------------------------------------------
# syscall: stoop's synthetic replay events (plugins/syscall/decode.c):
#   {"ts": NS, "evt.type": NAME, "evt.dir": ">"|"<", "fields": {"proc.name": ...}}
# Field types and flags come from plugins/syscall/fields.def, event names,
# directions and parameters from plugins/syscall/events.def.

PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plugins")


def read_fields_def(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r'^FIELD\("([^"]+)",\s*FT_(\w+),\s*([^,]+),', f.read(), re.M):
            out[m.group(1)] = (m.group(2), {x.strip() for x in m.group(3).split("|")})
    return out


def read_events_def(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r'^EVENT\((\w+),\s*(\w+),\s*([^,]+),\s*(.*)\)\s*$', f.read(), re.M):
            dirs = {x.strip() for x in m.group(3).split("|")}
            params = re.findall(r'P\((\w+),\s*(\w+)\)', m.group(4))
            out[m.group(1)] = (dirs, params)
    return out


SC_PROCS = ["bash", "sh", "cat", "nginx", "curl", "python3", "sshd", "Bash", "kubelet", "runc",
            "nc", "ünï"]
SC_PATHS = ["/etc/shadow", "/etc/passwd", "/bin/bash", "/usr/bin/curl", "/tmp/x", "/dev/null",
            "/proc/self/mem", "/var/run/docker.sock", "/root/.ssh/id_rsa", "/home/u/f.txt",
            "relative/path", "/ETC/Shadow"]
SC_DIRS = ["/etc", "/bin", "/usr/bin", "/tmp", "/dev", "/root", "/home/u", "/"]
SC_CMDLINES = ["bash -c id", "cat /etc/shadow", "curl http://x", "nginx -g daemon off;",
               "python3 -m http.server", "sh", "nc -l 4444"]
SC_USERS = ["root", "alice", "bob", "nobody", "www-data", "Alice"]
SC_IPS = ["10.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.0.5", "127.0.0.1", "::1",
          "2001:db8::1", "fe80::1", "8.8.8.8"]
SC_NETS = ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12", "127.0.0.0/8", "0.0.0.0/0",
           "2001:db8::/32", "::1/128", "8.8.8.8/32", "10.1.2.0/24"]
SC_RES = ["SUCCESS", "ENOENT", "EPERM", "EACCES", "EAGAIN"]
SC_FLAGS = ["O_RDONLY", "O_WRONLY|O_CREAT", "O_RDWR", "O_TRUNC", "O_RDONLY|O_CLOEXEC"]
SC_BUFS = ["hello", "GET / HTTP/1.1", "\x00\x01\x02", "password=secret", "ünï", "", "AAAA"]
SC_CONTAINERS = ["host", "abc123def456", "0123456789ab", ""]


class Syscall:
    def __init__(self, g):
        self.g = g
        rng = g.rng
        self.table = read_fields_def(os.path.join(PLUGINS, "syscall", "fields.def"))
        self.events_def = read_events_def(os.path.join(PLUGINS, "syscall", "events.def"))
        want = ["open", "openat", "openat2", "execve", "connect", "accept", "accept4", "read",
                "write", "setuid", "unlink", "unlinkat", "mkdir", "clone", "chmod", "socket",
                "sendto", "ptrace", "bpf", "rename", "close"]
        self.evtypes = [e for e in want if e in self.events_def and
                        "ED_EXIT" in self.events_def[e][0]]
        POOLS["sc_evtypes"] = self.evtypes
        t = 1700000000 * 10**9 + rng.randrange(10**9)
        self.times = []
        for _ in range(g.nevents):
            t += rng.choice([0, 1, 1000, 10**6, 10**9])
            self.times.append(t)

        nums = {"proc.pid": [1, 42, 1000, 4242, 65535], "proc.ppid": [1, 42, 1000],
                "proc.vpid": [1, 42], "proc.tty": [0, 34816, 1], "proc.cmdnargs": [0, 1, 2, 3],
                "user.uid": [0, 1000, 65534, 4294967295], "user.loginuid": [-1, 0, 1000],
                "group.gid": [0, 1000], "fd.num": [-1, 0, 1, 2, 3, 255],
                "fd.sport": [22, 80, 443, 4444, 0, 65535], "fd.cport": [22, 80, 43210],
                "evt.rawres": [-2, -1, 0, 3], "evt.buflen": [0, 5, 4096],
                "evt.cpu": [0, 1, 7, -1], "proc.vmrss": [0, 1024], "thread.tid": [1, 42],
                "evt.count": [0, 1], "proc.fdusage": [0, 1, 50]}
        bools = ["proc.is_exe_writable", "container.privileged", "evt.failed", "fd.is_server",
                 "evt.is_open_write", "proc.is_exe_from_memfd", "proc.is_sid_leader"]
        strs = {"proc.name": SC_PROCS, "proc.pname": SC_PROCS, "proc.exe": SC_PATHS,
                "proc.exepath": SC_PATHS, "proc.cmdline": SC_CMDLINES, "proc.cwd": SC_DIRS,
                "proc.args": ["-c id", "/etc/shadow", "", "-l 4444"], "user.name": SC_USERS,
                "group.name": SC_USERS, "fd.name": SC_PATHS + SC_IPS, "fd.directory": SC_DIRS,
                "fd.filename": [basename(p) for p in SC_PATHS], "fd.typechar": ["f", "4", "6", "u", "p"],
                "fd.type": ["file", "ipv4", "ipv6", "unix", "pipe"], "fd.l4proto": ["tcp", "udp"],
                "fd.sockfamily": ["ip", "unix"], "container.id": SC_CONTAINERS,
                "container.name": ["web", "db", "host"],
                "container.image.repository": [v.split(":")[0] for v in POOLS["images"]],
                "k8s.ns.name": POOLS["namespaces"], "k8s.pod.name": POOLS["names"],
                "evt.res": SC_RES, "fs.path.name": SC_PATHS, "proc.sname": SC_PROCS,
                "thread.cap_effective": ["CAP_SYS_ADMIN", "CAP_NET_RAW CAP_CHOWN", ""]}
        F = Field
        fields = [f for f in generic_fields(g, self.times)
                  if f.name in self.table and f.name not in ("evt.pluginname", "evt.asynctype")]
        for f in fields:
            f.ft = self.table[f.name][0]

        def add(name, pool, **kw):
            base = name.split("[")[0]
            row = self.table.get(base)
            if row is None:
                return
            ft, flags = row
            if "FF_DEPRECATED" in flags:
                return
            fl = F(name, ft, lst="FF_IS_LIST" in flags, pool=pool,
                   rhs="FF_NO_RHS" not in flags, xform="FF_NO_TRANSFORMER" not in flags,
                   output="FF_FILTER_ONLY" not in flags, **kw)
            fields.append(fl)

        for name, pool in strs.items():
            add(name, pool, weight=2 if name in ("proc.name", "fd.name") else 1)
        for name, pool in nums.items():
            add(name, pool)
        for name in bools:
            add(name, None, weight=0.5)
        for name in ("fd.sip", "fd.cip", "fd.rip", "fd.lip", "fd.ip"):
            add(name, SC_IPS + SC_NETS, listkind=None)
        for name in ("fd.net", "fd.snet", "fd.cnet"):
            add(name, SC_NETS)
        add("fd.port", [22, 80, 443, 4444])
        add("evt.buffer", SC_BUFS, weight=2)
        # no transformer and no field comparison on evt.type: the event-type
        # search refuses them (LOAD_ERR_COMPILE_CONDITION)
        add("evt.type", "sc_evtypes", weight=4, strict=True, listkind="evtype")
        fields[-1].rhs = fields[-1].xform = False
        add("proc.aname", SC_PROCS, weight=1.5,
            args=(["0", "1", "2", "3"], None))
        add("proc.apid", [1, 42, 1000], args=(["1", "2"], None))
        add("proc.aexepath", SC_PATHS, args=(["1", "2"], None))
        add("proc.env", ["/root", "/home/u", "/usr/bin:/bin", "1", ""],
            args=(["HOME", "PATH", "LD_PRELOAD"], None))
        add("fd.types", ["file", "ipv4", "ipv6", "unix", "pipe"], args=(["0", "1"], None))
        add("container.label", ["web", "db", ""], argreq=True, args=(["app", "tier"], None))
        add("container.mount.dest", ["/var/run/docker.sock", "/host", "/"], argreq=True,
            args=(["/var/run/docker.sock", "0", "/host*"], None))
        add("thread.cgroup", ["/", "/docker/abc"], argreq=True, args=(["cpuset", "memory"], None))
        # dotted forms: evt.arg.<param>, evt.rawarg.<param>, evt.type.is.<event>
        for pname, pool in (("name", SC_PATHS), ("flags", SC_FLAGS), ("fd", ["3", "-1", "0"]),
                            ("res", ["0", "-2", "SUCCESS", "ENOENT"]), ("uid", ["0", "1000"]),
                            ("path", SC_PATHS)):
            fields.append(F("evt.arg." + pname, "CHARBUF", pool=pool))
        self.rawargs = {}
        for pname, pool in (("res", [-2, -1, 0, 3]), ("fd", [-1, 0, 3]), ("flags", [0, 1, 577]),
                            ("data", SC_BUFS), ("mode", [0, 420, 511])):
            ft = self.param_type(pname)
            if ft and cls_of(ft) in ("num", "bytes"):
                fields.append(F("evt.rawarg." + pname, ft, pool=pool, rhs=False, xform=False))
                self.rawargs[pname] = ft
        for e in ("open", "execve", "connect"):
            if e in self.events_def:
                fields.append(F("evt.type.is." + e, self.table["evt.type.is"][0], pool=[0, 1],
                                rhs=False, weight=0.3))
        fields.append(F("json.value", argreq=True, weight=0.5,
                        args=(["/evt.type", "/fields/proc.name", "/ts"],
                              ["sc_evtypes", SC_PROCS, [str(t) for t in self.times[:3]]])))
        self.fields = fields
        self.guard_fields = ["proc.name", "evt.type", "fd.name", "proc.pname", "user.name",
                             "container.id", "evt.buffer", "fd.typechar"]
        self.lists = [("str", SC_PROCS), ("evtype", "sc_evtypes"), ("path", SC_PATHS),
                      ("ip", SC_IPS), ("net", SC_NETS), ("str", SC_USERS),
                      ("num", lambda: list(range(1, g.nevents + 1)))]

    def param_type(self, pname):
        for dirs, params in self.events_def.values():
            for n, t in params:
                if n == pname:
                    return "DYN" if t == "DYN" else t
        return None

    def value(self, f):
        """A JSON value for field f in an event's "fields"."""
        g, rng = self.g, self.g.rng
        c = cls_of(f.ft)
        if rng.random() < 0.04:
            return rng.choice(WRONG)
        if c == "str" or c == "bytes":
            if f.lst:
                return [rng.choice(f.pool) for _ in range(rng.randint(1, 3))]
            return g.event_str(f.pool if isinstance(f.pool, list) else f.pool)
        if c == "num":
            bits, signed = TYPE_RANGE.get(f.ft, (64, False))
            v = rng.choice(list(self.g.pool_vals(f.pool)))
            if rng.random() < 0.05:
                v = rng.choice([0, (1 << bits) - 1 if not signed else -(1 << (bits - 1))])
            if f.ft == "DOUBLE" and rng.random() < 0.5:
                v = v + 0.5
            return v
        if c == "bool":
            return rng.random() < 0.5
        if c in ("ip", "net"):
            return rng.choice(SC_IPS + ["not-an-ip", "10.0.0.256"] if rng.random() < 0.05 else SC_IPS)
        return None

    def event(self, i):
        g, rng = self.g, self.g.rng
        et = rng.choice(self.evtypes)
        e = {"ts": self.times[i], "evt.type": et}
        dirs = self.events_def[et][0]
        if "ED_ENTER" in dirs and rng.random() < 0.2:
            e["evt.dir"] = ">"
        elif rng.random() < 0.3:
            e["evt.dir"] = "<"
        flds = {}
        for f in self.fields:
            n = f.name
            if n.startswith("evt.") and not (n.startswith("evt.arg.") or n.startswith("evt.rawarg.")
                                             or n in ("evt.buffer", "evt.res", "evt.rawres",
                                                      "evt.buflen", "evt.cpu", "evt.failed",
                                                      "evt.is_open_write", "evt.count")):
                continue  # from the event itself (type, time, number...)
            if n.startswith("json.") or rng.random() < 0.25:
                continue
            if f.args and rng.random() < 0.5:
                if n == "proc.aname" or n == "proc.apid" or n == "proc.aexepath":
                    flds[n] = [self.value(f) for _ in range(rng.randint(0, 4))]
                    continue
                a = rng.choice(f.args[0])
                flds["%s[%s]" % (n, a)] = self.value(f)
                continue
            if f.argreq:
                continue
            flds[n] = self.value(f)
        keys = list(flds.items())
        rng.shuffle(keys)
        e["fields"] = dict(keys)
        return e


SOURCES = {"k8s_audit": K8sAudit, "json": JsonSource, "aws_cloudtrail": CloudTrail,
           "syscall": Syscall}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list-sources", action="store_true", help="print the sources and exit")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--rules", type=int, default=250)
    ap.add_argument("--events", type=int, default=60)
    ap.add_argument("--source", default="k8s_audit", choices=sorted(SOURCES))
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    if a.list_sources:
        print(" ".join(SOURCES))
        return 0
    if a.seed is None or a.out is None:
        ap.error("--seed and --out are required")
    g = Gen(a.seed, a.rules, a.events, a.source)
    events = g.events()        # events first: pools such as timestamps are fixed by then
    rules = g.rules_yaml()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "rules.yaml"), "w", encoding="utf-8") as f:
        f.write(rules)
    with open(os.path.join(a.out, "events.json"), "w", encoding="utf-8") as f:
        f.write(events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
