#!/usr/bin/env python3
"""report_diff.py: explains a mismatch found by run_diff.sh / run_corpora.sh.

    report_diff.py --rules R.yaml --events E.json --source SRC --mode all|first
                   [--fmt json|text] --ref ENGINE --other ENGINE --ref-out A
                   --other-out B [--minimize] [--repro DIR]

ENGINE is run_diff.sh's engine spec: "stoop:interp", "stoop:native",
"stoopc:jit", or "stoop:" (stoop run without --engine). The programs come
from $STOOP and $STOOPC.

Prints the first differing alert line of both outputs and the event it is
about (every generated rule's output starts with "#%evt.num"; line N of a
generated events file is the event with evt.num N). With --minimize, shrinks
the case while the engines still disagree (exit status or alerts): events
first, then rules, then the macros and lists left unused, and prints the
minimal rules and events, written to --repro DIR (default: repro/ beside
--ref-out), with the commands that show the difference.
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_cases import yq  # noqa: E402  (the YAML string writer of the generated files)


def engine_cmd(spec):
    prog, _, engine = spec.partition(":")
    exe = os.environ["STOOPC"] if prog == "stoopc" else os.environ["STOOP"]
    cmd = [exe, "run"]
    if engine:
        cmd += ["--engine", engine]
    return cmd


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


def show(b, limit=1500):
    s = b.decode("utf-8", "replace")
    return s if len(s) <= limit else s[:limit] + "... (%d more bytes)" % (len(s) - limit)


def evt_num_of(line):
    s = line.decode("utf-8", "replace")
    try:
        d = json.loads(s)
        n = d.get("output_fields", {}).get("evt.num")
        if isinstance(n, int):
            return n, d.get("rule")
        s = d.get("output", "")
    except ValueError:
        pass
    m = re.search(r": [A-Z][a-z]+ #(\d+)", s)
    return (int(m.group(1)), None) if m else (None, None)


def rule_blocks(rules_text):
    """YAML items of a rules file: (kind, name, text) in order."""
    items = []
    cur = None
    for line in rules_text.splitlines(keepends=True):
        m = re.match(r'- (rule|macro|list): (.*)$', line)
        if m:
            if cur:
                items.append(cur)
            name = m.group(2)
            try:
                name = json.loads(name)
            except ValueError:
                pass
            cur = [m.group(1), name, line]
        elif cur and not line.startswith("#"):
            cur[2] += line
    if cur:
        items.append(cur)
    return items


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    for a in ("--rules", "--events", "--source", "--mode", "--ref", "--other", "--ref-out",
              "--other-out"):
        ap.add_argument(a, required=True)
    ap.add_argument("--fmt", default="json", choices=["json", "text"])
    # --mode: all, first, or sel (first with $DIFF_SELECTION, see lib.sh)
    ap.add_argument("--repro")
    ap.add_argument("--minimize", action="store_true")
    a = ap.parse_args()

    corpus = os.path.isdir(a.events)  # a recorded corpus, not a generated file
    ev_lines = [] if corpus else read_lines(a.events)
    ref, other = read_lines(a.ref_out), read_lines(a.other_out)
    if ref != other:
        first_difference(a, ref, other, ev_lines)
    if a.minimize and corpus:
        print("(a directory of events: not minimized; rerun the two engines on it)")
    elif a.minimize:
        minimize(a, items_of(a.rules), ev_lines, a.repro or default_repro(a))
    return 0


def first_difference(a, ref, other, ev_lines):
    i = 0
    while i < len(ref) and i < len(other) and ref[i] == other[i]:
        i += 1
    print("first difference at alert line %d:" % (i + 1))
    r = ref[i] if i < len(ref) and (i < len(ref) - 1 or ref[i]) else None
    o = other[i] if i < len(other) and (i < len(other) - 1 or other[i]) else None
    print("  %-14s %s" % (a.ref + ":", show(r) if r is not None else "(no more alerts)"))
    print("  %-14s %s" % (a.other + ":", show(o) if o is not None else "(no more alerts)"))
    num, rule = evt_num_of(r if r is not None else o or b"")
    if rule:
        print("rule of that alert: %s" % rule)
    if num is None:
        print("(the alert does not tell its event)")
    elif 1 <= num <= len(ev_lines):
        print("event (evt.num %d, %s line %d):\n  %s" % (num, a.events, num,
                                                        show(ev_lines[num - 1], 4000)))


def split_top(cond):
    """The operands of cond's top level and/or (outside parentheses and
    quotes), or [cond]."""
    parts, depth, quote, start, i, n = [], 0, None, 0, 0, len(cond)
    while i < n:
        c = cond[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and (i == 0 or cond[i - 1] in " \t\n)"):
            for kw in ("and", "or"):
                j = i + len(kw)
                if cond.startswith(kw, i) and j < n and cond[j] in " \t\n(":
                    parts.append(cond[start:i].strip())
                    start = j
                    i = j - 1
                    break
        i += 1
    parts.append(cond[start:].strip())
    return [p for p in parts if p]


def smaller_conditions(cond):
    """Candidate simplifications of a condition, smallest first."""
    out = []
    c = cond.strip()
    parts = split_top(c)
    if len(parts) > 1:
        out += sorted(parts, key=len)
    if c.startswith("not ") or c.startswith("not("):
        out.append(c[3:].strip())
    if c.startswith("(") and c.endswith(")") and len(split_top(c[1:-1])) >= 1:
        inner = c[1:-1]
        if inner.count("(") == inner.count(")"):
            out.append(inner)
    return [x for x in out if x and x != c]


def simplify_conditions(items, differs):
    """Shrinks each macro and rule condition while the case still differs:
    a condition becomes one of its top-level operands, loses a 'not' or
    its parentheses; a rule loses its exceptions."""
    def cond_of(text):
        m = re.search(r'^  condition: (".*")$', text, re.M)
        return (json.loads(m.group(1)), m) if m else (None, None)

    changed = True
    while changed:
        changed = False
        for idx in range(len(items)):
            kind, name, text = items[idx]
            if kind == "rule" and "\n  exceptions:\n" in text:
                cut = text[:text.index("\n  exceptions:\n") + 1]
                rest = text[text.index("\n  exceptions:\n") + 1:]
                tail = re.search(r"\n(?!  |    )", rest)  # anything after the block
                cand = cut + (rest[tail.end() - 1:] if tail else "")
                trial = items[:idx] + [(kind, name, cand)] + items[idx + 1:]
                if differs(trial):
                    items, text, changed = trial, cand, True
            cond, m = cond_of(text)
            if cond is None:
                continue
            for smaller in smaller_conditions(cond):
                cand = text[:m.start(1)] + yq(smaller) + text[m.end(1):]
                trial = items[:idx] + [(kind, name, cand)] + items[idx + 1:]
                if differs(trial):
                    items, changed = trial, True
                    break
    return items


def default_repro(a):
    return os.path.join(os.path.dirname(os.path.abspath(a.ref_out)), "repro")


def items_of(path):
    with open(path, encoding="utf-8") as f:
        return rule_blocks(f.read())


def engine_run(spec, rules_path, events_path, source, mode, out):
    m, _, fmt = mode.partition("-")
    sel = []
    if m == "sel":  # lib.sh's rule selection mode
        m, sel = "first", os.environ.get("DIFF_SELECTION", "").split()
    cmd = engine_cmd(spec) + ["-r", rules_path, "--source", source, "--input", events_path,
                              "--rule-matching", m] + sel + \
        (["--json"] if fmt == "json" else []) + ["-o", out]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        rc, err = "timeout", b""
    data = b""
    if os.path.exists(out):
        with open(out, "rb") as f:
            data = f.read()
    return cmd, rc, data, err


def minimize(a, items, ev_lines, d):
    """Shrinks the case (events, then rules, then macros and lists) while the
    two engines still disagree (exit status or alerts), and writes it to d."""
    os.makedirs(d, exist_ok=True)
    events = [e for e in ev_lines if e.strip()]
    mode = a.mode + "-" + a.fmt
    budget = [int(os.environ.get("DIFF_MINIMIZE_RUNS", "200"))]
    rpath, epath = os.path.join(d, "rules.yaml"), os.path.join(d, "events.json")

    def write(its, evs):
        with open(rpath, "w", encoding="utf-8") as f:
            f.write("".join(t for _, _, t in its))
        with open(epath, "wb") as f:
            f.write(b"\n".join(evs) + b"\n")

    def differs(its, evs):
        if budget[0] <= 0 or not evs or not any(k == "rule" for k, _, _ in its):
            return False
        budget[0] -= 1
        write(its, evs)
        _, rc1, out1, _ = engine_run(a.ref, rpath, epath, a.source, mode, os.path.join(d, "m.ref"))
        if rc1 != 0:
            return False  # not a valid case any more (e.g. a macro still used was removed)
        _, rc2, out2, _ = engine_run(a.other, rpath, epath, a.source, mode,
                                     os.path.join(d, "m.other"))
        return rc2 != rc1 or out1 != out2

    def shrink(seq, test):
        n = 2
        while len(seq) >= 2 and budget[0] > 0:
            chunk = -(-len(seq) // n)
            for i in range(0, len(seq), chunk):
                cand = seq[:i] + seq[i + chunk:]
                if test(cand):
                    seq = cand
                    n = max(n - 1, 2)
                    break
            else:
                if n >= len(seq):
                    break
                n = min(len(seq), 2 * n)
        return seq

    print("minimizing (at most %d runs of each engine)..." % budget[0])
    if not differs(items, events):
        print("(the difference does not reproduce with %s alone; not minimized)" % mode)
        return
    events = shrink(events, lambda evs: differs(items, evs))
    # rules, with the override items of the same rule kept together
    names = []
    for k, n, _ in items:
        if k == "rule" and n not in names:
            names.append(n)
    keep = shrink(names, lambda ns: differs(
        [it for it in items if it[0] != "rule" or it[1] in ns], events))
    items = [it for it in items if it[0] != "rule" or it[1] in keep]
    def drop_unneeded(items):
        # macros and lists no longer needed (the interpreter refuses the file
        # when a used one is missing)
        others = [i for i, it in enumerate(items) if it[0] != "rule"]
        kept = shrink(others, lambda idx: differs(
            [it for i, it in enumerate(items) if items[i][0] == "rule" or i in idx], events))
        return [it for i, it in enumerate(items) if it[0] == "rule" or i in kept]

    items = drop_unneeded(items)
    items = simplify_conditions(items, lambda its: differs(its, events))
    items = drop_unneeded(items)
    kept = [it for it in items if it[0] != "rule"]
    write(items, events)
    print("minimal case: %d event(s), %d rule(s), %d macro/list item(s) in %s" % (
        len(events), len({n for k, n, _ in items if k == "rule"}), len(kept), d))
    print("---- rules.yaml")
    print("".join(t for _, _, t in items).rstrip())
    print("---- events.json")
    for e in events:
        print(show(e, 4000))
    print("----")
    for spec, tag in ((a.ref, "ref"), (a.other, "other")):
        cmd, rc, out, err = engine_run(spec, rpath, epath, a.source, mode,
                                       os.path.join(d, "m." + tag))
        print("$ TZ=UTC FALCO_HOSTNAME=diff-host " + " ".join(cmd[:-2]))
        print("  exit %s; %d alert line(s)%s" % (rc, out.count(b"\n"), ":" if out else ""))
        for line in out.split(b"\n")[:6]:
            if line:
                print("  " + show(line, 600))
        errs = [l for l in err.split(b"\n") if l.strip()]
        for l in errs[-3:]:
            print("  stderr: " + show(l, 300))


if __name__ == "__main__":
    sys.exit(main())
